// Allocate 8 GiB and touch every page.
#include <cstdio>
#include <cstdlib>
int main() {
    size_t size = 8ull << 30;
    char* memory = (char*)malloc(size);
    if (!memory) { puts("allocation failed"); return 1; }
    for (size_t i = 0; i < size; i += 4096) memory[i] = 1;
    puts("TOUCHED");
}
