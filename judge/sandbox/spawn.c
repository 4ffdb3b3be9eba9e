/* The exec path of the sandbox: a shared library the runner calls through ctypes.

   cpsolve_spawn() starts one sandboxed process with clone(CLONE_VM | CLONE_VFORK)
   on a stack of its own, as glibc's posix_spawn does: no copy of the large Python
   runner is made, and the child turns itself into the sandboxed process and execs
   the program directly (no intermediate launcher to exec, which costs a third of
   a millisecond per run on a small VM).

   The child shares the runner's memory until it execs, so it only makes system
   calls, writes to its own stack, and reads what the runner prepared. It follows
   child.py's order: new session, the run's fds on 0/1/2 and every other fd closed,
   default signal dispositions and the runner's signal mask restored, join the
   slot's cgroups (still root), chroot, chdir /box, rlimits, drop to the
   unprivileged uid with no groups, umask, no_new_privs, seccomp (it forbids
   chroot, so last), exec. A failure is written to error_fd (close-on-exec) and
   the child exits with status 127. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHILD_FAILED 127
#define STACK_BYTES (256 * 1024)
#define PATH_BYTES 4096

struct spawn_plan {
    const char *const *argv;
    const char *const *envp;
    const int *fds;                  /* stdin, stdout, stderr */
    int error_fd;
    const char *root;
    unsigned int uid;
    const char *const *join_files;   /* cgroup.procs files, NULL-terminated */
    const unsigned long long *limits; /* (resource, soft, hard) triples */
    int limit_count;
    const struct sock_filter *filter;
    int filter_length;               /* instructions */
    int keep_sigpipe_ignored;        /* trusted programs: EPIPE, not death */
    sigset_t old_mask;
};

static char child_stack[STACK_BYTES] __attribute__((aligned(16)));

static size_t text_length(const char *text) {
    size_t length = 0;
    while (text[length]) ++length;
    return length;
}

__attribute__((noreturn)) static void fail(const struct spawn_plan *plan, const char *what) {
    int error = errno;
    const char *reason = strerrordesc_np(error);
    char message[512];
    int length = snprintf(message, sizeof message, "%s: %s", what, reason ? reason : "error");
    if (length > 0) {
        ssize_t ignored = write(plan->error_fd, message, (size_t)length);
        (void)ignored;
    }
    _exit(CHILD_FAILED);
}

static void reset_signals(const struct spawn_plan *plan) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    for (int number = 1; number < NSIG; ++number) {
        struct sigaction current;
        if (sigaction(number, NULL, &current) != 0) continue;
        int keep = current.sa_handler == SIG_DFL ||
                   (current.sa_handler == SIG_IGN && number == SIGPIPE && plan->keep_sigpipe_ignored);
        if (keep) continue;
        action.sa_handler = SIG_DFL;
        sigaction(number, &action, NULL);
    }
}

static const char *search_path(const struct spawn_plan *plan) {
    for (const char *const *entry = plan->envp; *entry; ++entry) {
        if (strncmp(*entry, "PATH=", 5) == 0) return *entry + 5;
    }
    return "/usr/bin:/bin";
}

/* execve argv[0], searching the PATH of the process's own environment (not the
   runner's) when the name has no slash, as execvp would. */
static void exec_program(const struct spawn_plan *plan) {
    const char *name = plan->argv[0];
    char *const *argv = (char *const *)plan->argv;
    char *const *envp = (char *const *)plan->envp;
    if (strchr(name, '/')) {
        execve(name, argv, envp);
        return;
    }
    size_t name_length = text_length(name);
    int denied = 0;
    char candidate[PATH_BYTES];
    for (const char *dir = search_path(plan); *dir;) {
        const char *end = strchrnul(dir, ':');
        size_t dir_length = (size_t)(end - dir);
        if (dir_length + 1 + name_length + 1 <= sizeof candidate) {
            memcpy(candidate, dir, dir_length);
            candidate[dir_length] = '/';
            memcpy(candidate + dir_length + 1, name, name_length + 1);
            execve(candidate, argv, envp);
            if (errno == EACCES) denied = 1;
        }
        dir = *end ? end + 1 : end;
    }
    errno = denied ? EACCES : ENOENT;
}

static int child_main(void *argument) {
    const struct spawn_plan *plan = argument;
    reset_signals(plan);
    if (sigprocmask(SIG_SETMASK, &plan->old_mask, NULL) != 0) fail(plan, "signal mask");
    if (syscall(SYS_setsid) < 0) fail(plan, "setsid");
    for (int target = 0; target < 3; ++target) {
        if (dup2(plan->fds[target], target) < 0) fail(plan, "dup2");
    }
    int error_fd = plan->error_fd;
    if (error_fd > 3) syscall(SYS_close_range, 3, error_fd - 1, 0);
    syscall(SYS_close_range, error_fd + 1, ~0U, 0);
    for (const char *const *join = plan->join_files; *join; ++join) {
        int fd = open(*join, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) fail(plan, "join cgroup");
        close(fd);
    }
    if (chroot(plan->root) != 0) fail(plan, "chroot");
    if (chdir("/box") != 0) fail(plan, "chdir /box");
    for (int index = 0; index < plan->limit_count; ++index) {
        const unsigned long long *triple = plan->limits + 3 * index;
        struct rlimit limit = {(rlim_t)triple[1], (rlim_t)triple[2]};
        if (setrlimit((int)triple[0], &limit) != 0) fail(plan, "setrlimit");
    }
    /* Raw system calls: glibc's wrappers would try to change every thread of the
       runner, whose memory this child still shares. */
    if (syscall(SYS_setgroups, 0, NULL) != 0) fail(plan, "setgroups");
    if (syscall(SYS_setgid, plan->uid) != 0) fail(plan, "setgid");
    if (syscall(SYS_setuid, plan->uid) != 0) fail(plan, "setuid");
    umask(022);
    struct sock_fprog program = {(unsigned short)plan->filter_length, (struct sock_filter *)plan->filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(plan, "no_new_privs");
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) fail(plan, "seccomp");
    exec_program(plan);
    fail(plan, plan->argv[0]);
}

/* Start the sandboxed process; its pid, or -errno if it could not be created.
   Errors after the clone reach error_fd and exit status 127 instead. */
int cpsolve_spawn(const char *const *argv, const char *const *envp, const int *fds, int error_fd,
                  const char *root, unsigned int uid, const char *const *join_files,
                  const unsigned long long *limits, int limit_count, const struct sock_filter *filter,
                  int filter_length, int keep_sigpipe_ignored) {
    struct spawn_plan plan = {
        .argv = argv, .envp = envp, .fds = fds, .error_fd = error_fd, .root = root, .uid = uid,
        .join_files = join_files, .limits = limits, .limit_count = limit_count, .filter = filter,
        .filter_length = filter_length, .keep_sigpipe_ignored = keep_sigpipe_ignored};
    sigset_t all;
    sigfillset(&all);
    /* No handler of the runner may run on the child's side while memory is shared. */
    if (sigprocmask(SIG_SETMASK, &all, &plan.old_mask) != 0) return -errno;
    int pid = clone(child_main, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
    int error = errno;
    sigprocmask(SIG_SETMASK, &plan.old_mask, NULL);
    return pid < 0 ? -error : pid;
}
