// The exec path of the sandbox: the runner starts this small static program with
// posix_spawn (vfork: cheap even from a large Python parent, unlike fork), and it
// turns itself into the sandboxed process before exec'ing the candidate.
//
// argv: ERROR_FD ROOT UID BPF_FILE N_JOIN JOIN_FILE... N_LIMITS (RESOURCE SOFT HARD)... PROGRAM ARGS...
// The runner already made it a session leader with default SIGPIPE/SIGXFSZ and put
// the run's fds on 0/1/2. Failures are written to ERROR_FD; the exit status is 127.
#include <fcntl.h>
#include <grp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static int error_fd = -1;

[[noreturn]] static void fail(const char* what) {
    dprintf(error_fd, "%s: %s", what, strerror(errno));
    _exit(127);
}

static unsigned long long number(const char* text) { return strtoull(text, nullptr, 10); }

int main(int argc, char** argv) {
    if (argc < 7) return 127;
    error_fd = atoi(argv[1]);
    fcntl(error_fd, F_SETFD, FD_CLOEXEC);
    const char* root = argv[2];
    uid_t uid = number(argv[3]);
    int at = 4;
    static sock_filter filter[BPF_MAXINSNS];
    int bpf = open(argv[at++], O_RDONLY | O_CLOEXEC);
    if (bpf < 0) fail("open seccomp filter");
    ssize_t size = read(bpf, filter, sizeof filter);
    if (size <= 0) fail("read seccomp filter");
    close(bpf);
    for (int joins = atoi(argv[at++]); joins > 0; --joins) {
        int fd = open(argv[at++], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) fail("join cgroup");
        close(fd);
    }
    if (chroot(root) != 0) fail("chroot");
    if (chdir("/box") != 0) fail("chdir /box");
    for (int limits = atoi(argv[at++]); limits > 0; --limits, at += 3) {
        rlimit limit{number(argv[at + 1]), number(argv[at + 2])};
        if (setrlimit(atoi(argv[at]), &limit) != 0) fail("setrlimit");
    }
    if (setgroups(0, nullptr) != 0) fail("setgroups");
    if (setgid(uid) != 0) fail("setgid");
    if (setuid(uid) != 0) fail("setuid");
    umask(022);
    sock_fprog program{static_cast<unsigned short>(size / sizeof(sock_filter)), filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) fail("seccomp");
    if (at >= argc) fail("no program");
    execvp(argv[at], argv + at);
    fail(argv[at]);
}
