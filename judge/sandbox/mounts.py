"""The sandbox's file system: a size-limited tmpfs holding a minimal root.

Runs once per runner, inside its private mount namespace, so nothing here is
visible on the host. The root has read-only binds of /usr (and the /bin, /lib...
links or dirs), a few /etc files, the Python installation candidates run under
when it is not the system's, a fresh /proc that hides other users' processes,
five device nodes, and the mount points of the per-run /tmp and /box (see
box.py). The host's /root, /home, /work, /tmp and /etc/shadow are simply not
there."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_NOEXEC = 0x8
MS_NOATIME = 0x400
MS_NODIRATIME = 0x800
MS_RELATIME = 0x200000
# statvfs f_flag bit -> the mount flag a bind's remount must keep: inside a user
# namespace the kernel refuses to clear these (they are locked), so keep them.
LOCKED_FLAGS = {
    os.ST_NODEV: MS_NODEV,
    os.ST_NOEXEC: MS_NOEXEC,
    os.ST_NOATIME: MS_NOATIME,
    os.ST_NODIRATIME: MS_NODIRATIME,
    os.ST_RELATIME: MS_RELATIME,
}

TOP_LEVEL = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
# Java runtimes keep their configuration in /etc/java-N-openjdk (see ETC_GLOBS).
ETC_GLOBS = ("java-*",)
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "alternatives",
    "localtime",
    "nsswitch.conf",
)
DEVICES = ("null", "zero", "urandom", "random", "full")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = (
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_char_p,
    ctypes.c_ulong,
    ctypes.c_char_p,
)


def mount(source: str | None, target: Path, fstype: str | None, flags: int, data: str = "") -> None:
    """mount(2); raises OSError naming the target on failure."""
    result = _libc.mount(
        source.encode() if source else None,
        str(target).encode(),
        fstype.encode() if fstype else None,
        flags,
        data.encode() if data else None,
    )
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def kept_flags(source: Path) -> int:
    """The mount flags of `source`'s mount that a read-only remount must keep."""
    present = os.statvfs(source).f_flag
    return sum(flag for bit, flag in LOCKED_FLAGS.items() if present & bit)


def bind_read_only(source: Path, target: Path) -> None:
    """Bind `source` at `target` (created as needed) read-only, nosuid, keeping
    the source mount's nodev/noexec/atime flags."""
    if source.is_dir():
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()
    mount(str(source), target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | kept_flags(source)
    mount(None, target, None, flags)


def _mirror(host: Path, root: Path) -> None:
    """Recreate a top-level host entry: the same symlink, or a read-only bind."""
    target = root / host.name
    if host.is_symlink():
        target.symlink_to(os.readlink(host))
    elif host.is_dir():
        bind_read_only(host, target)


def _write_users(etc: Path, users: dict[str, int]) -> None:
    passwd = [f"{name}:x:{uid}:{uid}::/box:/usr/sbin/nologin" for name, uid in users.items()]
    group = [f"{name}:x:{uid}:" for name, uid in users.items()]
    (etc / "passwd").write_text("\n".join(passwd) + "\n")
    (etc / "group").write_text("\n".join(group) + "\n")
    (etc / "hostname").write_text("sandbox\n")


def build_root(
    mount_point: Path, tmpfs_bytes: int, extra_dirs: tuple[Path, ...], users: dict[str, int]
) -> tuple[Path, Path]:
    """Mount the tmpfs at `mount_point` and build the sandbox root in it.

    Returns (root, private): the chroot target, and a runner-only directory beside
    it for captured stderr. `extra_dirs` (the Python installation) are bound
    read-only at their host paths; `users` go into a synthetic /etc/passwd."""
    mount(None, Path("/"), None, MS_REC | MS_PRIVATE)
    mount("cpsolve", mount_point, "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmpfs_bytes},mode=0755")
    root = mount_point / "fs"  # neutral: the mount table shows it as the root's source
    private = mount_point / "private"
    root.mkdir()
    private.mkdir(mode=0o700)
    for name in TOP_LEVEL:
        host = Path("/") / name
        if host.exists() or host.is_symlink():
            _mirror(host, root)
    etc = root / "etc"
    etc.mkdir()
    names = [*ETC_FILES, *(p.name for g in ETC_GLOBS for p in sorted(Path("/etc").glob(g)))]
    for name in names:
        host = Path("/etc") / name
        if host.exists():
            bind_read_only(host.resolve(), etc / name)
    _write_users(etc, users)
    for directory in extra_dirs:
        if not directory.is_relative_to("/usr"):
            bind_read_only(directory, root / directory.relative_to("/"))
    (root / "proc").mkdir()
    mount("proc", root / "proc", "proc", MS_NOSUID | MS_NODEV, "hidepid=2")
    dev = root / "dev"
    dev.mkdir()
    for name in DEVICES:
        (dev / name).touch()
        mount(f"/dev/{name}", dev / name, None, MS_BIND)
        # read-only: the device still reads and writes, but its inode (the host's
        # /dev/null) cannot be chmod-ed by a program of the same host uid (rootless)
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | kept_flags(Path("/dev") / name)
        mount(None, dev / name, None, flags)
    for index, name in enumerate(("stdin", "stdout", "stderr")):
        (dev / name).symlink_to(f"/proc/self/fd/{index}")
    (dev / "fd").symlink_to("/proc/self/fd")
    for scratch in ("tmp", "box"):  # a fresh tmpfs is mounted on each per run (box.py)
        (root / scratch).mkdir(mode=0o755)
    # The root itself read-only: rootless, its files belong to the candidates' host
    # uid too, and a file planted there (/etc/ld.so.preload) would outlive the run.
    mount(str(root), root, None, MS_BIND | MS_REC)
    mount(None, root, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    return root, private


MNT_DETACH = 0x2
_libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)


def unmount_if_mounted(target: Path) -> None:
    """Detach the mount at `target` (umount2 MNT_DETACH); nothing if `target` is
    not a mount point. OSError naming the target on any other failure."""
    if _libc.umount2(str(target).encode(), MNT_DETACH) != 0:
        errno = ctypes.get_errno()
        if errno != 22:  # EINVAL: not a mount point
            raise OSError(errno, f"umount {target}: {os.strerror(errno)}")


def set_host_name(name: str) -> None:
    """sethostname(2) in the runner's own UTS namespace, so that candidates see
    `name` and not the host's name."""
    encoded = name.encode()
    if _libc.sethostname(encoded, len(encoded)) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"sethostname: {os.strerror(errno)}")
