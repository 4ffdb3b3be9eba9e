/* The slot server: starts the sandboxed programs of one cgroup slot.

   Moving a process into a cgroup v1 hierarchy takes a global lock that waits for
   an RCU grace period when no migration happened in the last few milliseconds:
   about 9 ms on a small VM, paid by every run that follows a pause (any test
   longer than ~20 ms). So the server joins its slot's cgroups once, at start,
   and every program it starts is born there: nothing migrates per run.

   usage: slot-server CONTROL_FD ROOT SECCOMP_BPF_FILE root CGROUP_PROCS_FILE...
          slot-server CONTROL_FD ROOT SECCOMP_BPF_FILE userns EMPTY_FILE

   MODE is "root" or "userns". In "userns" mode (rootless, see modes.py: the
   runner is root of a user namespace only, one host uid for everything) the
   server is not dumpable, and each child enters a user namespace of its own
   (its uid there is the request's uid, mapped to the runner's), skips
   setgroups, drops every capability and, after the main filter, loads a second
   one that refuses signals to any process but itself (kill(0) and its own
   group included): the uid no longer keeps it from the runner's helpers.
   A request may name hidden paths (the judge's files in the box: a validator's
   logs, answer files, the feedback dir): the child then also gets a mount
   namespace of its own in which each hidden file is covered by EMPTY_FILE (mode
   000) and each hidden dir by an empty tmpfs (mode 000), both read-only, so
   that a candidate of the same host uid (and no capabilities) can neither read
   nor write them, nor chmod or undo the mounts: EACCES, as in root mode.

   Started by the runner (as root, outside the chroot) with a SOCK_SEQPACKET
   socket on CONTROL_FD. Each request is one message (see struct request) with
   four descriptors attached: stdin, stdout, stderr and the error pipe. The
   server clones the program with CLONE_PARENT, so the runner is its parent and
   waits for it as before, CLONE_VM | CLONE_VFORK on a stack of its own, so
   nothing is copied, and CLONE_NEWIPC, so that every SysV IPC object and POSIX
   message queue it makes dies with it (nothing reaches the next run); the reply is the pid, or -errno if no process could be
   made. The child follows child.py's order: new session, the run's fds on 0/1/2
   and every other fd closed, default signal dispositions, chroot, chdir /box,
   rlimits, the unprivileged uid with no groups, umask, no_new_privs, seccomp
   (it forbids chroot, so last), exec. A failure after the clone is written to
   the error pipe (close-on-exec) and the child exits with status 127.

   The server is spared by the runner's kill of the slot and, where the process
   may lower its oom_score_adj, by the OOM killer; it ends when the control
   socket closes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHILD_FAILED 127
#define STACK_BYTES (256 * 1024)
#define MESSAGE_BYTES (256 * 1024)
#define MAX_LIMITS 16
#define MAX_STRINGS 4096
#define PATH_BYTES 4096
#define RUN_FDS 4
#define MAX_HIDDEN 64

#if defined(__x86_64__)
#define SANDBOX_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH AUDIT_ARCH_AARCH64
#else
#error "slot-server: unsupported architecture"
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

/* One request: this header, then limit_count (resource, soft, hard) triples of
   uint64, then argc + envc + hidden_count NUL-terminated strings (argv, then
   "NAME=value", then "F/path" or "D/path" for a hidden file or dir). */
struct request {
    uint32_t uid;
    uint32_t keep_sigpipe_ignored; /* trusted programs: EPIPE, not death */
    uint32_t limit_count;
    uint32_t argc;
    uint32_t envc;
    uint32_t hidden_count;
};

struct plan {
    char *argv[MAX_STRINGS];
    char *envp[MAX_STRINGS];
    char *hidden[MAX_HIDDEN];
    uint32_t hidden_count;
    const uint64_t *limits;
    uint32_t limit_count;
    uint32_t uid;
    int keep_sigpipe_ignored;
    int fds[RUN_FDS];
};

static const char *root;
static int userns_mode;
static const char *empty_file;
static struct sock_filter filter[BPF_MAXINSNS];
static unsigned short filter_length;
static char child_stack[STACK_BYTES] __attribute__((aligned(16)));
static char message[MESSAGE_BYTES] __attribute__((aligned(8)));
static struct plan current;

__attribute__((noreturn)) static void fail(int error_fd, const char *what) {
    const char *reason = strerrordesc_np(errno);
    char text[512];
    int length = snprintf(text, sizeof text, "%s: %s", what, reason ? reason : "error");
    if (length > 0) {
        ssize_t ignored = write(error_fd, text, (size_t)length);
        (void)ignored;
    }
    _exit(CHILD_FAILED);
}

__attribute__((noreturn)) static void die(const char *what) {
    fprintf(stderr, "slot-server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static const char *search_path(const struct plan *plan) {
    for (char *const *entry = plan->envp; *entry; ++entry) {
        if (strncmp(*entry, "PATH=", 5) == 0) return *entry + 5;
    }
    return "/usr/bin:/bin";
}

/* execve argv[0], searching the PATH of the program's own environment when the
   name has no slash, as execvp would with that environment. */
static void exec_program(const struct plan *plan) {
    const char *name = plan->argv[0];
    if (strchr(name, '/')) {
        execve(name, plan->argv, plan->envp);
        return;
    }
    size_t name_length = strlen(name);
    int denied = 0;
    char candidate[PATH_BYTES];
    for (const char *dir = search_path(plan); *dir;) {
        const char *end = strchrnul(dir, ':');
        size_t dir_length = (size_t)(end - dir);
        if (dir_length + 1 + name_length + 1 <= sizeof candidate) {
            memcpy(candidate, dir, dir_length);
            candidate[dir_length] = '/';
            memcpy(candidate + dir_length + 1, name, name_length + 1);
            execve(candidate, plan->argv, plan->envp);
            if (errno == EACCES) denied = 1;
        }
        dir = *end ? end + 1 : end;
    }
    errno = denied ? EACCES : ENOENT;
}

/* Enter a user namespace of our own in which we are `uid` (and gid `uid`),
   mapped to our uid and gid outside. Before chroot: the kernel refuses a new
   user namespace to a chrooted process. */
static void enter_userns(uint32_t uid, int error_fd, int with_mounts) {
    if (unshare(CLONE_NEWUSER | (with_mounts ? CLONE_NEWNS : 0)) != 0)
        fail(error_fd, "unshare user namespace");
    const char *files[] = {"/proc/self/uid_map", "/proc/self/setgroups", "/proc/self/gid_map"};
    char map[64];
    int length = snprintf(map, sizeof map, "%u 0 1\n", uid);
    for (int index = 0; index < 3; ++index) {
        int fd = open(files[index], O_WRONLY | O_CLOEXEC);
        if (fd < 0) fail(error_fd, files[index]);
        const char *text = index == 1 ? "deny" : map;
        size_t size = index == 1 ? 4 : (size_t)length;
        if (write(fd, text, size) != (ssize_t)size) fail(error_fd, files[index]);
        close(fd);
    }
}

/* Cover the request's hidden paths, read-only, in our own mount namespace. A
   path that is not there has nothing to hide. */
static void hide_paths(const struct plan *plan, int error_fd) {
    const unsigned long sealed = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    for (uint32_t index = 0; index < plan->hidden_count; ++index) {
        const char *entry = plan->hidden[index];
        const char *path = entry + 1;
        int result;
        if (entry[0] == 'D') {
            result = mount("hidden", path, "tmpfs", sealed, "size=4k,nr_inodes=1,mode=0000");
        } else {
            result = mount(empty_file, path, NULL, MS_BIND, NULL);
            if (result == 0) result = mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | sealed, NULL);
        }
        if (result != 0 && errno != ENOENT) fail(error_fd, path);
    }
}

static void drop_capabilities(int error_fd) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &header, data) != 0) fail(error_fd, "capset");
}

/* The second filter of userns mode: kill only 0, our pid or our group;
   tkill, tgkill, rt_(tg)sigqueueinfo and pidfd_open only our pid. */
static void load_signal_filter(int error_fd) {
    uint32_t self = (uint32_t)syscall(SYS_getpid);
    uint32_t group = (uint32_t)-(int32_t)self;
    uint32_t refuse = SECCOMP_RET_ERRNO | EPERM;
    uint32_t arg0 = (uint32_t)offsetof(struct seccomp_data, args[0]);
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), /* the main filter kills these */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_kill, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg0), /* 5: kill */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 12, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, self, 11, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, group, 10, 0),
        BPF_STMT(BPF_RET | BPF_K, refuse),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_tkill, 5, 0), /* 10 */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_tgkill, 4, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigqueueinfo, 3, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_tgsigqueueinfo, 2, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pidfd_open, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg0), /* 16: our pid only */
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, self, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, refuse),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), /* 19 */
    };
    struct sock_fprog program = {(unsigned short)(sizeof code / sizeof code[0]), code};
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) fail(error_fd, "seccomp");
}

static int child_main(void *argument) {
    const struct plan *plan = argument;
    int error_fd = plan->fds[3];
    signal(SIGPIPE, plan->keep_sigpipe_ignored ? SIG_IGN : SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) fail(error_fd, "signal mask");
    if (setsid() < 0) fail(error_fd, "setsid");
    for (int target = 0; target < 3; ++target) {
        if (dup2(plan->fds[target], target) < 0) fail(error_fd, "dup2");
    }
    if (dup2(error_fd, 3) < 0) fail(error_fd, "dup2");
    error_fd = 3;
    if (fcntl(error_fd, F_SETFD, FD_CLOEXEC) != 0) fail(error_fd, "cloexec");
    syscall(SYS_close_range, 4, ~0U, 0);
    if (userns_mode) {
        enter_userns(plan->uid, error_fd, plan->hidden_count > 0);
        hide_paths(plan, error_fd);
    }
    if (chroot(root) != 0) fail(error_fd, "chroot");
    if (chdir("/box") != 0) fail(error_fd, "chdir /box");
    for (uint32_t index = 0; index < plan->limit_count; ++index) {
        const uint64_t *triple = plan->limits + 3 * index;
        struct rlimit limit = {(rlim_t)triple[1], (rlim_t)triple[2]};
        if (setrlimit((int)triple[0], &limit) != 0) fail(error_fd, "setrlimit");
    }
    /* Raw system calls: glibc's wrappers would act on every thread of the server,
       whose memory this child still shares. */
    if (!userns_mode && syscall(SYS_setgroups, 0, NULL) != 0) fail(error_fd, "setgroups");
    if (syscall(SYS_setgid, plan->uid) != 0) fail(error_fd, "setgid");
    if (syscall(SYS_setuid, plan->uid) != 0) fail(error_fd, "setuid");
    if (userns_mode) drop_capabilities(error_fd);
    umask(022);
    struct sock_fprog program = {filter_length, filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(error_fd, "no_new_privs");
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) fail(error_fd, "seccomp");
    if (userns_mode) load_signal_filter(error_fd);
    exec_program(plan);
    fail(error_fd, plan->argv[0]);
}

/* Parse a request of `size` bytes into `current`; 0, or -EINVAL if malformed. */
static int parse(size_t size) {
    struct request header;
    if (size < sizeof header) return -EINVAL;
    memcpy(&header, message, sizeof header);
    if (header.limit_count > MAX_LIMITS || header.argc == 0 || header.argc >= MAX_STRINGS ||
        header.envc >= MAX_STRINGS || header.hidden_count > MAX_HIDDEN)
        return -EINVAL;
    size_t offset = sizeof header;
    size_t limit_bytes = (size_t)header.limit_count * 3 * sizeof(uint64_t);
    if (offset + limit_bytes > size) return -EINVAL;
    current.limits = (const uint64_t *)(message + offset);
    offset += limit_bytes;
    for (uint32_t index = 0; index < header.argc + header.envc + header.hidden_count; ++index) {
        if (offset >= size) return -EINVAL;
        char *text = message + offset;
        char *end = memchr(text, '\0', size - offset);
        if (end == NULL) return -EINVAL;
        if (index < header.argc) current.argv[index] = text;
        else if (index < header.argc + header.envc) current.envp[index - header.argc] = text;
        else if (text[0] == 'F' || text[0] == 'D') current.hidden[index - header.argc - header.envc] = text;
        else return -EINVAL;
        offset = (size_t)(end - message) + 1;
    }
    current.hidden_count = header.hidden_count;
    current.argv[header.argc] = NULL;
    current.envp[header.envc] = NULL;
    current.limit_count = header.limit_count;
    current.uid = header.uid;
    current.keep_sigpipe_ignored = header.keep_sigpipe_ignored != 0;
    return 0;
}

/* Receive one request with its descriptors; its size, 0 at end of stream. */
static ssize_t receive(int control, int *fds, int *fd_count) {
    char space[CMSG_SPACE(sizeof(int) * RUN_FDS)];
    struct iovec vector = {message, sizeof message};
    struct msghdr header = {0};
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = space;
    header.msg_controllen = sizeof space;
    ssize_t size = recvmsg(control, &header, MSG_CMSG_CLOEXEC);
    *fd_count = 0;
    if (size <= 0) return size;
    for (struct cmsghdr *part = CMSG_FIRSTHDR(&header); part; part = CMSG_NXTHDR(&header, part)) {
        if (part->cmsg_level != SOL_SOCKET || part->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((part->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int index = 0; index < count; ++index) {
            int fd;
            memcpy(&fd, CMSG_DATA(part) + index * sizeof(int), sizeof fd);
            if (*fd_count < RUN_FDS) fds[(*fd_count)++] = fd;
            else close(fd);
        }
    }
    if (header.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) return -1;
    return size;
}

/* Every signal to its default action. The runner (and whatever started it) may
   ignore some, and ignored signals stay ignored across exec. The raw system call
   also reaches 32 and 33, which glibc's wrappers refuse. */
static void reset_signals(void) {
    struct {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        uint64_t mask;
    } action = {SIG_DFL, 0, NULL, 0};
    for (int number = 1; number <= 64; ++number) {
        if (number != SIGKILL && number != SIGSTOP)
            syscall(SYS_rt_sigaction, number, &action, NULL, sizeof action.mask);
    }
}

static void join_cgroups(int count, char **files) {
    for (int index = 0; index < count; ++index) {
        int fd = open(files[index], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) die(files[index]);
        close(fd);
    }
}

static void load_filter(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(path);
    ssize_t size = read(fd, filter, sizeof filter);
    if (size <= 0 || size % sizeof(struct sock_filter) != 0) die(path);
    close(fd);
    filter_length = (unsigned short)(size / sizeof(struct sock_filter));
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: slot-server CONTROL_FD ROOT SECCOMP_BPF MODE CGROUP_PROCS...\n");
        return 2;
    }
    int control = atoi(argv[1]);
    root = argv[2];
    load_filter(argv[3]);
    userns_mode = strcmp(argv[4], "userns") == 0;
    if (userns_mode) {
        if (argc != 6) die("userns mode takes EMPTY_FILE and no cgroups");
        empty_file = argv[5];
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die("not dumpable");
    } else {
        join_cgroups(argc - 5, argv + 5);
    }
    reset_signals();
    /* Best effort: it needs CAP_SYS_RESOURCE, which containers often drop. If the
       OOM killer takes the server instead, the run still ends as MLE and the
       runner starts a new server for the next one. */
    int adjust = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (adjust >= 0) {
        ssize_t ignored = write(adjust, "-1000", 5);
        (void)ignored;
        close(adjust);
    }
    signal(SIGPIPE, SIG_IGN);
    int32_t ready = 0;
    if (send(control, &ready, sizeof ready, 0) != sizeof ready) die("ready");
    for (;;) {
        int fd_count = 0;
        ssize_t size = receive(control, current.fds, &fd_count);
        if (size == 0) return 0;
        int32_t reply;
        if (size < 0 || fd_count != RUN_FDS) {
            reply = -EINVAL;
        } else {
            reply = parse((size_t)size);
            if (reply == 0) {
                pid_t pid = clone(child_main, child_stack + sizeof child_stack,
                                  CLONE_PARENT | CLONE_VM | CLONE_VFORK | CLONE_NEWIPC | SIGCHLD, &current);
                reply = pid < 0 ? -errno : pid;
            }
        }
        for (int index = 0; index < fd_count; ++index) close(current.fds[index]);
        if (send(control, &reply, sizeof reply, 0) != sizeof reply) die("reply");
    }
}
