// "make": leave SysV shared memory (touched, MiB from argv[2]), a message queue
// with a message, a semaphore set and a POSIX message queue behind; "find": say
// whether any of them (or any SysV object at all) is visible.
#include <fcntl.h>
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
static const key_t KEY = 0x5eed;
static const char* QUEUE = "/cpsolve-leak";
struct message { long type; char text[16]; };
static void report(const char* what, bool ok) {
    printf("%s %s\n", what, ok ? "MADE" : strerror(errno));
}
static void found(const char* what, bool ok) { printf("%s %s\n", what, ok ? "FOUND" : "absent"); }
static int objects(const char* table) {  // rows of /proc/sysvipc/<table> after the header
    std::ifstream file(std::string("/proc/sysvipc/") + table);
    std::string line;
    int rows = -1;
    while (std::getline(file, line)) ++rows;
    return rows < 0 ? 0 : rows;
}
int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "make") {
        size_t bytes = (size_t)atoi(argc > 2 ? argv[2] : "64") << 20;
        int shm = shmget(KEY, bytes, IPC_CREAT | 0666);
        report("shm", shm >= 0);
        if (shm >= 0) {
            void* memory = shmat(shm, nullptr, 0);
            if (memory != (void*)-1) { memset(memory, 1, bytes); shmdt(memory); }
        }
        int queue = msgget(KEY, IPC_CREAT | 0666);
        message note = {1, "hello"};
        report("msg", queue >= 0 && msgsnd(queue, &note, sizeof note.text, 0) == 0);
        report("sem", semget(KEY, 1, IPC_CREAT | 0666) >= 0);
        mqd_t posix = mq_open(QUEUE, O_CREAT | O_RDWR, 0666, nullptr);
        report("mq", posix != (mqd_t)-1 && mq_send(posix, "hello", 5, 0) == 0);
        return 0;
    }
    found("shm", shmget(KEY, 0, 0) >= 0);
    found("msg", msgget(KEY, 0) >= 0);
    found("sem", semget(KEY, 0, 0) >= 0);
    found("mq", mq_open(QUEUE, O_RDONLY) != (mqd_t)-1);
    found("sysvipc", objects("shm") + objects("msg") + objects("sem") > 0);
}
