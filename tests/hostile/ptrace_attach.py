# Try PTRACE_TRACEME and attaching to the parent; report each result.
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = (ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p)
PTRACE_TRACEME, PTRACE_ATTACH = 0, 16
for name, request, pid in (("traceme", PTRACE_TRACEME, 0), ("attach", PTRACE_ATTACH, os.getppid())):
    result = libc.ptrace(request, pid, None, None)
    print(f"{name}: {'ALLOWED' if result == 0 else os.strerror(ctypes.get_errno())}")
