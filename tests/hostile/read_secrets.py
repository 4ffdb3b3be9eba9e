# Try to read every path in argv; print "<path> denied" or "<path> READ <first line>".
import sys

for path in sys.argv[1:]:
    try:
        with open(path) as file:
            print(f"{path} READ {file.readline()}")
    except OSError:
        print(f"{path} denied")
