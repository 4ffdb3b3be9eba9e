// Call system calls the allow-list does not name, by number (new, obscure or not
// existing at all), and print each one's errno: all must be refused (EPERM).
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
int main(int argc, char** argv) {
    for (int index = 1; index < argc; ++index) {
        long number = atol(argv[index]);
        long result = syscall(number, 0, 0, 0, 0, 0, 0);
        printf("%ld %s\n", number, result == -1 ? strerrorname_np(errno) : "ALLOWED");
    }
}
