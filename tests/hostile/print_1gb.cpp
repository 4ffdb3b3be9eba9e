// Print 1 GiB to stdout.
#include <cstdio>
#include <cstring>
int main() {
    static char block[1 << 20];
    memset(block, 'x', sizeof block);
    for (int i = 0; i < 1024; ++i) fwrite(block, 1, sizeof block, stdout);
}
