"""The per-run box directory: checked names, files copied in, results copied out.

The runner (root, outside the chroot) does all of this, so every path that the
candidate could have influenced is opened component by component with O_NOFOLLOW:
a symlink planted in the box never makes the runner read or write a host file.

The box and the sandbox's /tmp are each a tmpfs, empty when a run starts
(scratch.py): one that a run left with anything but the request's own files
is detached after it, so whatever a candidate built there (a tree 100 000
levels deep, a million files, directories it made unreadable, any names) is
dropped by the kernel in one call, with no walk that could fail or recurse."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
from pathlib import Path, PurePosixPath

from judge.sandbox import mounts
from judge.sandbox.api import RunRequest

BOX_MODE = 0o1777  # everyone may create files; nobody may remove another's (sticky)
TAIL_BYTES = 4096
SCRATCH_INODES = 200_000
JUDGE_FILE_MODE = 0o600


def checked_name(name: str) -> str:
    """`name` if it is a plain relative path inside the box, else ValueError."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or name.startswith("pipe:"):
        raise ValueError(f"bad box file name {name!r}")
    return str(path)


def mount_scratch(directory: Path, size_bytes: int) -> None:
    """Mount a fresh, empty tmpfs (sticky, writable by all) at `directory`."""
    options = f"size={size_bytes},nr_inodes={SCRATCH_INODES},mode={BOX_MODE:o}"
    mounts.mount("scratch", directory, "tmpfs", mounts.MS_NOSUID | mounts.MS_NODEV, options)


def discard_scratch(directory: Path) -> None:
    """Detach the tmpfs at `directory`; the kernel frees its files once nothing
    holds them (every process of the run is dead by then). No-op if none."""
    mounts.unmount_if_mounted(directory)


def _copy_in(host: str, target: Path, owner: int | None, readable_by_all: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(host, target)
    executable = os.stat(host).st_mode & 0o100
    mode = (0o555 if executable else 0o444) if readable_by_all else (0o500 if executable else 0o400)
    if owner is not None:
        os.chown(target, owner, owner)
    target.chmod(mode)


def read_only_copy(host: Path, store: Path) -> Path:
    """A copy of the host folder `host` inside `store` (the runner's own tmpfs),
    made once per version of its files and kept for later runs, the older copy
    of the same folder dropped. Binding the copy, not the host folder, into a
    box shows the sandbox no host path (mountinfo names a bind's source)."""
    files = sorted(
        (str(path.relative_to(host)), info.st_size, info.st_mtime_ns)
        for path in host.rglob("*")
        if stat.S_ISREG((info := path.stat()).st_mode)
    )
    folder = hashlib.sha256(str(host).encode()).hexdigest()[:24]
    version = hashlib.sha256(repr(files).encode()).hexdigest()[:24]
    target = store / f"{folder}-{version}"
    if not target.exists():
        store.mkdir(mode=0o700, exist_ok=True)
        for old in store.glob(f"{folder}-*"):
            shutil.rmtree(old)
        staging = store / f"staging-{folder}"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(host, staging)
        os.replace(staging, target)
    return target


def populate(
    box: Path,
    request: RunRequest,
    candidate_uid: int,
    trusted_uid: int,
    owned: bool = True,
    store: Path | None = None,
) -> None:
    """Copy the request's inputs in and create its dirs and FIFOs.

    `files_in` are root-owned and read-only for all; `trusted_files_in` belong to
    the trusted uid alone; `dirs` (a feedback dir) are the trusted uid's alone
    (0700: a candidate can neither list nor read what a validator writes there);
    FIFOs connect candidates and trusted processes only (owner the candidate
    uid, group the trusted one, 0660); `read_only_dirs` are read-only, nosuid
    binds of copies of host folders kept in `store` (see `read_only_copy`),
    detached with the box. With `owned` False (rootless: one host
    uid, see modes.py) everything keeps the runner's owner; only modes are set."""
    for name, host in request.files_in:
        _copy_in(host, box / checked_name(name), 0 if owned else None, readable_by_all=True)
    for name, host in request.trusted_files_in:
        owner = trusted_uid if owned else None
        _copy_in(host, box / checked_name(name), owner, readable_by_all=False)
    for name in request.dirs:
        directory = box / checked_name(name)
        directory.mkdir(parents=True, exist_ok=True)
        if owned:
            os.chown(directory, trusted_uid, trusted_uid)
        directory.chmod(0o700)
    for name, host in request.read_only_dirs:
        if store is None:
            raise ValueError("read-only folders need a store for their copies")
        mounts.bind_read_only(read_only_copy(Path(host), store), box / checked_name(name))
    for name in request.fifos:
        fifo = box / checked_name(name)
        fifo.parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(fifo)
        if owned:
            os.chown(fifo, candidate_uid, trusted_uid)
        fifo.chmod(0o660)


def open_parent(top: Path, parts: tuple[str, ...]) -> int:
    """An fd for the folder holding top/parts (every part but the last), opening
    each folder with O_NOFOLLOW: OSError if any is a symlink or missing. The
    caller closes it."""
    current = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            following = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=current)
            os.close(current)
            current = following
    except BaseException:
        os.close(current)
        raise
    return current


def open_in_box(box: Path, name: str, final_flags: int, mode: int = 0o644) -> int:
    """An fd for box/name, refusing symlinks at every component (OSError)."""
    parts = PurePosixPath(checked_name(name)).parts
    parent = open_parent(box, parts)
    try:
        return os.open(parts[-1], final_flags | os.O_NOFOLLOW, mode, dir_fd=parent)
    finally:
        os.close(parent)


def _copy_fd_to(source_fd: int, host: str) -> None:
    """Copy into a new file at `host`. Unlinking first is deliberate: on ext4,
    truncating or renaming over a file that has data forces a flush (and here a
    discard) costing milliseconds, while unlink + create costs microseconds."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(host)
    with open(host, "xb") as target:
        while os.sendfile(target.fileno(), source_fd, None, 1 << 24) > 0:
            pass


def copy_file_out(box: Path, name: str, host: str) -> bool:
    """Copy box/name to `host` if it is a regular file; False if it is absent,
    a symlink or anything else."""
    try:
        fd = open_in_box(box, name, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        _copy_fd_to(fd, host)
        if info.st_mode & 0o100:
            os.chmod(host, 0o755)
        return True
    finally:
        os.close(fd)


def copy_dir_out(box: Path, name: str, host: str) -> bool:
    """Copy the regular files and directories under box/name to `host`; symlinks
    and special files are skipped. False if box/name is not a directory."""
    try:
        top = open_in_box(box, name, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        for relative, _dirs, files, dir_fd in os.fwalk(".", dir_fd=top, follow_symlinks=False):
            target_dir = Path(host) / relative
            target_dir.mkdir(parents=True, exist_ok=True)
            for file_name in files:
                try:
                    fd = os.open(
                        file_name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd
                    )
                except OSError:
                    continue
                try:
                    if stat.S_ISREG(os.fstat(fd).st_mode):
                        _copy_fd_to(fd, str(target_dir / file_name))
                finally:
                    os.close(fd)
        return True
    finally:
        os.close(top)


def tail(fd: int) -> str:
    """The last TAIL_BYTES of the regular file open at `fd`, or "" for a pipe."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return ""
    return os.pread(fd, TAIL_BYTES, max(0, info.st_size - TAIL_BYTES)).decode("utf-8", "replace")
