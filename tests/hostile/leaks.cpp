// Print what a program can learn about the host: the host name, the mount table,
// and the command lines of pid 1 and of its parent (empty if unreadable).
#include <sys/utsname.h>
#include <unistd.h>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
static std::string slurp(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}
int main() {
    utsname names;
    uname(&names);
    std::cout << "hostname " << names.nodename << "\n";
    std::cout << "cmdline1 " << slurp("/proc/1/cmdline") << "\n";
    std::cout << "cmdlineparent " << slurp("/proc/" + std::to_string(getppid()) + "/cmdline") << "\n";
    std::cout << "cmdlineself " << slurp("/proc/self/cmdline") << "\n";
    std::cout << slurp("/proc/self/mountinfo") << slurp("/proc/self/environ") << "\n";
}
