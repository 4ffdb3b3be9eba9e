// Try PTRACE_TRACEME and attaching to the parent; report each result.
#include <sys/ptrace.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
int main() {
    long traceme = ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    printf("traceme: %s\n", traceme == 0 ? "ALLOWED" : strerror(errno));
    long attach = ptrace(PTRACE_ATTACH, getppid(), nullptr, nullptr);
    printf("attach: %s\n", attach == 0 ? "ALLOWED" : strerror(errno));
}
