// Try to read every path in argv; print "<path> denied" or "<path> READ <first line>".
#include <cstdio>
int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        FILE* file = fopen(argv[i], "r");
        char line[256] = "";
        if (file && fgets(line, sizeof line, file)) printf("%s READ %s\n", argv[i], line);
        else printf("%s denied\n", argv[i]);
        if (file) fclose(file);
    }
}
