# Connect to 127.0.0.1:argv[1] and send a message.
import socket
import sys

try:
    connection = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
except OSError as error:
    print(f"socket denied: {error}")
    sys.exit(0)
try:
    connection.connect(("127.0.0.1", int(sys.argv[1])))
except OSError as error:
    print(f"connect denied: {error}")
    sys.exit(0)
connection.sendall(b"pwned")
print("CONNECTED")
