// An honest program: touch argv[1] MiB of memory and say so.
#include <cstdio>
#include <cstdlib>
#include <cstring>
int main(int argc, char** argv) {
    size_t bytes = (size_t)atoi(argc > 1 ? argv[1] : "64") << 20;
    char* memory = (char*)malloc(bytes);
    if (!memory) { puts("no memory"); return 1; }
    memset(memory, 7, bytes);
    printf("touched %d\n", memory[bytes - 1]);
    free(memory);
}
