// Try to kill the parent, pid 1 and every process we may signal; report each result.
#include <signal.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
static void report(const char* what, int result) {
    printf("%s: %s\n", what, result == 0 ? "SENT" : strerror(errno));
}
int main() {
    report("kill parent", kill(getppid(), SIGKILL));
    report("kill pid 1", kill(1, SIGKILL));
    report("kill -1", kill(-1, SIGKILL));
    puts("survived");
}
