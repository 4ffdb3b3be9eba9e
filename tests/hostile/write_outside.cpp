// Try to create every path in argv; print "<path> denied" or "<path> WROTE".
#include <cstdio>
int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        FILE* file = fopen(argv[i], "w");
        if (file && fputs("pwned\n", file) >= 0 && fclose(file) == 0) printf("%s WROTE\n", argv[i]);
        else printf("%s denied\n", argv[i]);
    }
}
