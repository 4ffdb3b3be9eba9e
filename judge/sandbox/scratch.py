"""The per-run /box and /tmp: a tmpfs on each that is empty when a run starts.

A run that leaves nothing in its tmpfs but the files the request named (its
inputs, outputs, logs, FIFOs and dirs: the usual case) has those deleted after
the copy-out, which frees the pages charged to the slot's memory cgroup there
and then. Its tmpfs is then as fresh as a new one: no inode but the root, no
block, and a root with the mode, owner, flags and extended attributes it was
mounted with (atime and mtime are set again). The next run gets that same
tmpfs: no mount and no unmount, whose grace periods and deferred frees cost
every run CPU time on some core (a worker on a busy machine pays for them).
A tmpfs that holds anything else (files a candidate made, a compiler's
outputs, a bind under the box), or whose root was changed (a rootless
candidate owns it), is detached and the next run gets a fresh mount, as
before. Either way nothing of a run is reachable from the next: every process
of it is dead, and the tmpfs it leaves is empty or off the mount table."""

from __future__ import annotations

import array
import contextlib
import errno
import fcntl
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from judge.sandbox import box
from judge.sandbox.api import RunRequest

FS_IOC_GETFLAGS = 0x80086601  # the inode flags chattr sets (noatime, nodump, ...)


def request_names(request: RunRequest) -> tuple[str, ...]:
    """The box names a request makes or fills: its files in and out, the stdio
    files of its processes, its FIFOs, dirs and read-only mount points."""
    names = [name for name, _host in request.files_in + request.trusted_files_in]
    names += [name for name, _host in request.files_out + request.dirs_out]
    for process in request.processes:
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream and not stream.startswith("pipe:"):
                names.append(stream)
    names += request.fifos + request.dirs
    names += [name for name, _host in request.read_only_dirs]
    return tuple(dict.fromkeys(names))


def _remove(top: Path, parts: tuple[str, ...], remove_dir: bool) -> None:
    """Unlink (or rmdir) top/parts, opening each folder with O_NOFOLLOW; OSError
    if any step fails (a symlink, a replaced entry, a folder not empty)."""
    parent = box.open_parent(top, parts)
    try:
        if remove_dir:
            os.rmdir(parts[-1], dir_fd=parent)
        else:
            os.unlink(parts[-1], dir_fd=parent)
    finally:
        os.close(parent)


def remove_named(top: Path, names: Iterable[str]) -> None:
    """Delete the entries `names` under `top` and then their folders, deepest
    first, never following a symlink; what cannot be deleted (a folder that is
    not empty, a name a candidate replaced) is left for the unmount."""
    folders: set[tuple[str, ...]] = set()
    for name in names:
        try:
            parts = PurePosixPath(box.checked_name(name)).parts
        except ValueError:
            continue
        folders.update(parts[:depth] for depth in range(1, len(parts)))
        try:
            _remove(top, parts, remove_dir=False)
        except IsADirectoryError:
            folders.add(parts)
        except OSError:
            continue
    for parts in sorted(folders, key=len, reverse=True):
        with contextlib.suppress(OSError):
            _remove(top, parts, remove_dir=True)


@dataclass(frozen=True)
class RootState:
    """What a tmpfs root carries besides its entries: mode, owner, inode flags
    and extended attribute names."""

    mode: int
    uid: int
    gid: int
    flags: int
    xattrs: tuple[str, ...]


def root_state(fd: int) -> RootState:
    """The RootState of the open folder `fd`."""
    info = os.fstat(fd)
    flags = array.array("l", [0])
    try:
        fcntl.ioctl(fd, FS_IOC_GETFLAGS, flags, True)
    except OSError as error:  # a kernel whose tmpfs has no inode flags (before 6.0)
        if error.errno != errno.ENOTTY:
            raise
    return RootState(
        info.st_mode, info.st_uid, info.st_gid, flags[0], tuple(sorted(os.listxattr(fd)))
    )


def as_mounted(directory: Path, mounted: RootState) -> bool:
    """Whether the tmpfs at `directory` is empty and its root as `mounted`
    (then its atime and mtime are set to now, like a new mount's)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        info = os.fstatvfs(fd)
        if info.f_files - info.f_ffree > 1 or info.f_blocks != info.f_bfree:
            return False
        if root_state(fd) != mounted:
            return False
        os.utime(fd)
        return True
    finally:
        os.close(fd)


class Scratch:
    """The per-run tmpfs mounts of some directories (the box and /tmp)."""

    def __init__(self, directories: tuple[Path, ...], size_bytes: int) -> None:
        self.directories = directories
        self.size_bytes = size_bytes
        self._mounted: dict[Path, RootState] = {}  # each mount's root as mounted
        self._unsettled: set[Path] = set()  # used by the last run, not yet checked
        self._emptied = False

    def fresh(self) -> None:
        """Have an empty tmpfs on every directory: the last run's, if it was
        left as mounted (see the module doc), else a new mount."""
        for directory in self.directories:
            if directory in self._mounted:
                continue
            box.mount_scratch(directory, self.size_bytes)
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            try:
                self._mounted[directory] = root_state(fd)
            finally:
                os.close(fd)
        self._unsettled = set(self.directories)
        self._emptied = False

    def release(self, names: Iterable[str], dirty_too: bool = True) -> None:
        """Settle the last run's mounts (every process of the run is dead and
        its outputs are copied out): the entries `names` are deleted from the
        box (the first directory); a tmpfs then as mounted is kept for the next
        run, any other is detached, or, without `dirty_too`, left for a later
        call."""
        if not self._unsettled:
            return
        box_dir = self.directories[0]
        if box_dir in self._unsettled and not self._emptied:
            remove_named(box_dir, names)
            self._emptied = True
        for directory in self.directories:
            if directory not in self._unsettled:
                continue
            if as_mounted(directory, self._mounted[directory]):
                self._unsettled.discard(directory)
            elif dirty_too:
                self._unsettled.discard(directory)
                del self._mounted[directory]
                box.discard_scratch(directory)

    def close(self) -> None:
        """Unmount what is still mounted."""
        for directory in self._mounted:
            box.discard_scratch(directory)
        self._mounted.clear()
        self._unsettled.clear()
