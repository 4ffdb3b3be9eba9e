"""The seccomp deny-list applied to every sandboxed process.

Built once per runner (libseccomp via `pyseccomp`) and loaded in each child just
before exec. Denied calls fail with EPERM rather than killing the process, so a
program that probes (opens a socket, calls ptrace) gets an ordinary error and a
verdict from its behaviour, not a mysterious signal. `clone3` fails with ENOSYS so
that glibc falls back to `clone`, whose flags can be inspected: creating new
namespaces is refused."""

from __future__ import annotations

import errno

import pyseccomp

DENIED_SYSCALLS: tuple[str, ...] = (
    # networking (socketpair stays allowed: it only makes a connected AF_UNIX pair
    # inside the process, no address; the JVM needs it to start)
    "socket", "connect", "bind", "listen", "accept", "accept4",
    # debugging other processes and reading their memory
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    # file systems and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "name_to_handle_at", "open_by_handle_at", "quotactl", "swapon", "swapoff",
    # the kernel itself
    "bpf", "perf_event_open", "kexec_load", "kexec_file_load", "reboot",
    "init_module", "finit_module", "delete_module", "syslog", "acct", "uselib",
    "iopl", "ioperm", "vhangup", "lookup_dcookie", "fanotify_init",
    "keyctl", "add_key", "request_key", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # clocks and host identity
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname",
)  # fmt: skip

NAMESPACE_CLONE_FLAGS: tuple[int, ...] = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
    0x00000080,  # CLONE_NEWTIME
)


def _known(name: str) -> bool:
    try:
        return pyseccomp.resolve_syscall(pyseccomp.system_arch(), name) >= 0
    except (ValueError, OSError):
        return False


def build_filter() -> pyseccomp.SyscallFilter:
    """The filter: allow by default, EPERM for DENIED_SYSCALLS and namespace clones,
    ENOSYS for clone3; other architectures (32-bit syscalls) are killed."""
    syscall_filter = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    deny = pyseccomp.ERRNO(errno.EPERM)
    for name in DENIED_SYSCALLS:
        if _known(name):
            syscall_filter.add_rule(deny, name)
    for flag in NAMESPACE_CLONE_FLAGS:
        syscall_filter.add_rule(deny, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    if _known("clone3"):
        syscall_filter.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    return syscall_filter
