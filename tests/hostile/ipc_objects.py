# "make": leave SysV shared memory (touched, MiB from argv[2]), a message queue
# with a message, a semaphore set and a POSIX message queue behind; "find": say
# whether any of them (or any SysV object at all) is visible.
import ctypes
import os
import sys

KEY = 0x5EED
QUEUE = b"/cpsolve-leak"
IPC_CREAT = 0o1000
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.mq_open.restype = ctypes.c_int


def report(what, ok):
    print(what, "MADE" if ok else os.strerror(ctypes.get_errno()))


def found(what, ok):
    print(what, "FOUND" if ok else "absent")


def objects(table):
    with open(f"/proc/sysvipc/{table}") as file:
        return len(file.read().splitlines()) - 1


if sys.argv[1:2] == ["make"]:
    size = int(sys.argv[2] if len(sys.argv) > 2 else 64) << 20
    shm = libc.shmget(KEY, ctypes.c_size_t(size), IPC_CREAT | 0o666)
    report("shm", shm >= 0)
    if shm >= 0:
        memory = libc.shmat(shm, None, 0)
        if memory not in (None, ctypes.c_void_p(-1).value):
            ctypes.memset(memory, 1, size)
            libc.shmdt(ctypes.c_void_p(memory))
    queue = libc.msgget(KEY, IPC_CREAT | 0o666)
    note = ctypes.create_string_buffer(8 + 16)
    ctypes.c_long.from_buffer(note).value = 1
    report("msg", queue >= 0 and libc.msgsnd(queue, note, 16, 0) == 0)
    report("sem", libc.semget(KEY, 1, IPC_CREAT | 0o666) >= 0)
    posix = libc.mq_open(QUEUE, os.O_CREAT | os.O_RDWR, 0o666, None)
    report("mq", posix >= 0 and libc.mq_send(posix, b"hello", 5, 0) == 0)
else:
    found("shm", libc.shmget(KEY, 0, 0) >= 0)
    found("msg", libc.msgget(KEY, 0) >= 0)
    found("sem", libc.semget(KEY, 0, 0) >= 0)
    found("mq", libc.mq_open(QUEUE, os.O_RDONLY) >= 0)
    found("sysvipc", objects("shm") + objects("msg") + objects("sem") > 0)
