"""The seccomp allow-list applied to every sandboxed process.

Built once per runner (libseccomp via `pyseccomp`), exported as BPF and loaded in
each child just before exec (slot_server.c) or before the script runs (the
Python zygote). Only the system calls that the supported languages need are
allowed: the C/C++ toolchain (g++, cc1plus, as, ld) and its programs, CPython,
the JVM (java, javac, jar), Node.js, and the shell tools that build commands use.
Everything else, including every system call newer than this list, fails with
EPERM: a program that probes (opens a socket, calls ptrace, tries a new call)
gets an ordinary error and a verdict from its behaviour, not a mysterious signal.
Other architectures' calls (32-bit, x32) kill the process.

Three calls are allowed only in part: `clone` never with a namespace flag,
`socketpair` only for AF_UNIX (the JVM makes one at start), and `clone3` fails
with ENOSYS, so that glibc falls back to `clone`, whose flags can be inspected.
SysV IPC and POSIX message queues are allowed because every program runs in an
IPC namespace of its own (see slot_server.c and zygote.py): nothing it makes
there outlives it."""

from __future__ import annotations

import contextlib
import errno
import socket

import pyseccomp

ALLOWED_SYSCALLS: tuple[str, ...] = (
    # files and descriptors
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
    "preadv2", "pwritev2", "open", "openat", "openat2", "creat", "close", "close_range",
    "lseek", "dup", "dup2", "dup3", "fcntl", "flock", "fsync", "fdatasync",
    "sync_file_range", "ftruncate", "truncate", "fallocate", "fadvise64", "readahead",
    "sendfile", "copy_file_range", "splice", "tee", "vmsplice",
    "stat", "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs",
    "access", "faccessat", "faccessat2", "readlink", "readlinkat",
    "getdents", "getdents64", "getcwd", "chdir", "fchdir",
    "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2",
    "link", "linkat", "symlink", "symlinkat", "mknod", "mknodat",
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "utimensat", "futimesat", "umask",
    "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
    "pipe", "pipe2", "ioctl", "memfd_create",
    "select", "pselect6", "poll", "ppoll",
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2",
    "eventfd", "eventfd2", "timerfd_create", "timerfd_settime", "timerfd_gettime",
    "signalfd", "signalfd4", "inotify_init", "inotify_init1", "inotify_add_watch",
    "inotify_rm_watch",
    # memory
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync",
    "mlock", "mlock2", "munlock", "mlockall", "munlockall", "membarrier",
    "pkey_alloc", "pkey_free", "pkey_mprotect", "get_mempolicy",
    # processes and threads (clone and clone3: see below)
    "execve", "execveat", "fork", "vfork", "exit", "exit_group", "wait4", "waitid",
    "kill", "tkill", "tgkill", "pidfd_open", "pidfd_send_signal",
    "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
    "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
    "capget", "prctl", "arch_prctl", "set_tid_address", "set_robust_list",
    "get_robust_list", "rseq", "futex", "futex_waitv", "restart_syscall",
    "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
    "sched_setparam", "sched_getscheduler", "sched_setscheduler", "sched_getattr",
    "sched_setattr", "sched_get_priority_max", "sched_get_priority_min",
    "sched_rr_get_interval", "getpriority", "setpriority", "getcpu",
    "getrlimit", "setrlimit", "prlimit64", "getrusage", "times", "sysinfo", "uname",
    # signals and timers
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigpending",
    "rt_sigtimedwait", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigaltstack", "pause",
    "alarm", "getitimer", "setitimer", "timer_create", "timer_settime", "timer_gettime",
    "timer_getoverrun", "timer_delete",
    "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
    "getrandom",
    # IPC, private to the process's own IPC namespace
    "shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semtimedop", "semctl", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedreceive", "mq_notify", "mq_getsetattr",
    # the ends of a socketpair (socket itself is refused, socketpair is AF_UNIX only)
    "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "sendto", "recvfrom", "shutdown",
    "getsockopt", "setsockopt", "getsockname", "getpeername",
)  # fmt: skip

NAMESPACE_CLONE_FLAGS = (
    0x00020000  # CLONE_NEWNS
    | 0x02000000  # CLONE_NEWCGROUP
    | 0x04000000  # CLONE_NEWUTS
    | 0x08000000  # CLONE_NEWIPC
    | 0x10000000  # CLONE_NEWUSER
    | 0x20000000  # CLONE_NEWPID
    | 0x40000000  # CLONE_NEWNET
    | 0x00000080  # CLONE_NEWTIME
)
REFUSED_ERRNO = errno.EPERM


def known(name: str) -> bool:
    """Whether this machine's libseccomp knows system call `name`."""
    try:
        return pyseccomp.resolve_syscall(pyseccomp.system_arch(), name) >= 0
    except (ValueError, OSError):
        return False


def build_filter() -> pyseccomp.SyscallFilter:
    """The filter: ALLOWED_SYSCALLS, clone without namespace flags, AF_UNIX
    socketpair, ENOSYS for clone3; EPERM for every other call of this
    architecture; other architectures are killed."""
    syscall_filter = pyseccomp.SyscallFilter(pyseccomp.ERRNO(REFUSED_ERRNO))
    with contextlib.suppress(OSError, ValueError):  # libseccomp >= 2.5: a binary tree
        syscall_filter.set_attr(pyseccomp.Attr.CTL_OPTIMIZE, 2)  # of the allowed calls
    for name in ALLOWED_SYSCALLS:
        if known(name):
            syscall_filter.add_rule(pyseccomp.ALLOW, name)
    syscall_filter.add_rule(
        pyseccomp.ALLOW, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, NAMESPACE_CLONE_FLAGS, 0)
    )
    syscall_filter.add_rule(
        pyseccomp.ALLOW, "socketpair", pyseccomp.Arg(0, pyseccomp.EQ, socket.AF_UNIX)
    )
    if known("clone3"):
        syscall_filter.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    return syscall_filter
