// Leave a daemon behind (double fork + setsid) that writes files after the run.
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
int main() {
    pid_t child = fork();
    if (child == 0) {
        setsid();
        if (fork() == 0) {
            sleep(1);
            const char* paths[] = {"/box/late.txt", "/tmp/late.txt"};
            for (const char* path : paths) {
                FILE* file = fopen(path, "w");
                if (file) { fputs("late\n", file); fclose(file); }
            }
            for (;;) pause();
        }
        _exit(0);
    }
    waitpid(child, nullptr, 0);
    puts("parent done");
}
