// Connect to 127.0.0.1:argv[1] and send a message.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
int main(int argc, char** argv) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { printf("socket denied: %s\n", strerror(errno)); return 0; }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(atoi(argv[1]));
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd, (sockaddr*)&address, sizeof address) < 0) {
        printf("connect denied: %s\n", strerror(errno));
        return 0;
    }
    write(fd, "pwned", 5);
    printf("CONNECTED\n");
}
