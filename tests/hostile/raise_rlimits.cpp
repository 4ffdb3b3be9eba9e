// Raise the CPU or file-size rlimit (argv[1] = cpu | fsize) to infinity, then
// exceed the original limit: spin forever, or write 100 MiB to stdout.
#include <sys/resource.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
int main(int argc, char** argv) {
    bool cpu = argc > 1 && strcmp(argv[1], "cpu") == 0;
    rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    int result = setrlimit(cpu ? RLIMIT_CPU : RLIMIT_FSIZE, &unlimited);
    fprintf(stderr, "setrlimit: %s\n", result == 0 ? "RAISED" : strerror(errno));
    if (cpu) {
        volatile unsigned long counter = 0;
        for (;;) counter = counter + 1;
    }
    static char block[1 << 20];
    for (int i = 0; i < 100; ++i) fwrite(block, 1, sizeof block, stdout);
}
