# Try to create every path in argv; print "<path> denied" or "<path> WROTE".
import sys

for path in sys.argv[1:]:
    try:
        with open(path, "w") as file:
            file.write("pwned\n")
        print(f"{path} WROTE")
    except OSError:
        print(f"{path} denied")
