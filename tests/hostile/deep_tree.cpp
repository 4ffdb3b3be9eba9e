// Leave behind what a recursive clean-up chokes on: a directory chain argv[1]
// deep (in the box and in /tmp), argv[2] files with odd names, directories
// with mode 000 holding files, and a symlink loop.
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <string>
static void chain(const char* top, int depth) {
    if (chdir(top) != 0) return;
    for (int level = 0; level < depth; ++level) {
        if (mkdir("d", 0755) != 0 || chdir("d") != 0) { printf("stopped at %d\n", level); break; }
    }
    close(open("bottom", O_CREAT | O_WRONLY, 0644));
}
int main(int argc, char** argv) {
    int depth = atoi(argc > 1 ? argv[1] : "100000");
    int files = atoi(argc > 2 ? argv[2] : "20000");
    for (int index = 0; index < files; ++index) {
        std::string name = "odd\n\x01\xff" + std::to_string(index) + " \t*?";
        close(open(name.c_str(), O_CREAT | O_WRONLY, 0644));
    }
    for (const char* locked : {"/box/locked", "/tmp/locked"}) {
        mkdir(locked, 0755);
        close(open((std::string(locked) + "/inside").c_str(), O_CREAT | O_WRONLY, 0644));
        mkdir((std::string(locked) + "/sub").c_str(), 0755);
        chmod((std::string(locked) + "/sub").c_str(), 0);
        chmod(locked, 0);
    }
    symlink("loop", "/box/loop");
    chain("/tmp", depth);
    chain("/box", depth);
    puts("built");
}
