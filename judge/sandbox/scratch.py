"""The per-run /box and /tmp: a fresh tmpfs on each for every run, detached after it.

Detaching a mount makes umount2(2) wait for an RCU grace period before it
returns (namespace_unlock), on a loaded machine often milliseconds, far more
than the mount or the rest of a small run. A run that leaves nothing in its
tmpfs but the files the request named (its inputs, outputs, logs, FIFOs and
dirs: the usual case) has those deleted, which frees the pages charged to the
slot's memory cgroup there and then, and its mount is detached by a thread of
the runner while the reply is read and the next request comes in; the next
run's fresh mount waits only until the old one is off its directory (the
detach itself, microseconds), not for the grace period. A run that left
anything else (files a candidate made, a compiler's outputs) is detached at
once and waited for, as before, so no page it charged to a slot outlives it.
Either way nothing of a run is reachable from the next: its tmpfs is off the
mount table before the next one is mounted, and every process of it is dead."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path, PurePosixPath

from judge.sandbox import box, mounts
from judge.sandbox.api import RunRequest

DETACH_WAIT_S = 0.0002  # between checks of whether a background detach is done


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
    current = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            following = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=current)
            os.close(current)
            current = following
        if remove_dir:
            os.rmdir(parts[-1], dir_fd=current)
        else:
            os.unlink(parts[-1], dir_fd=current)
    finally:
        os.close(current)


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


def is_empty(directory: Path) -> bool:
    """Whether the tmpfs at `directory` holds nothing but its root folder."""
    info = os.statvfs(directory)
    return info.f_files - info.f_ffree <= 1 and info.f_blocks == info.f_bfree


class Scratch:
    """The per-run tmpfs mounts of some directories (the box and /tmp)."""

    def __init__(self, directories: tuple[Path, ...], size_bytes: int) -> None:
        self.directories = directories
        self.size_bytes = size_bytes
        self._bare = {directory: os.stat(directory).st_dev for directory in directories}
        self._mounted: set[Path] = set()
        self._emptied = False
        self._detaching: dict[Path, Future[None]] = {}
        self._threads = ThreadPoolExecutor(
            max_workers=len(directories), thread_name_prefix="detach"
        )

    def fresh(self) -> None:
        """Mount a fresh, empty tmpfs on every directory (once the last run's
        mount is off it)."""
        for directory in self.directories:
            if directory in self._mounted:
                continue
            detaching = self._detaching.pop(directory, None)
            if detaching is not None:
                self._wait_detached(directory, detaching)
            box.mount_scratch(directory, self.size_bytes)
            self._mounted.add(directory)
        self._emptied = False

    def _wait_detached(self, directory: Path, detaching: Future[None]) -> None:
        """Wait until `directory` shows the file system under the mount that a
        background thread is detaching (not for the kernel's grace period)."""
        while os.stat(directory).st_dev != self._bare[directory]:
            if detaching.done():
                detaching.result()  # the umount's OSError, if it failed
                if os.stat(directory).st_dev != self._bare[directory]:
                    raise OSError(f"{directory} is still mounted after its umount")
                return
            wait((detaching,), timeout=DETACH_WAIT_S)

    def release(self, names: Iterable[str], dirty_too: bool = True) -> None:
        """Drop the last run's mounts (every process of the run is dead and its
        outputs are copied out): the entries `names` are deleted from the box
        (the first directory), then a tmpfs holding nothing more is detached in
        the background, any other at once (see the module doc), or, without
        `dirty_too`, left for a later call."""
        if not self._mounted:
            return
        box_dir = self.directories[0]
        if box_dir in self._mounted and not self._emptied:
            remove_named(box_dir, names)
            self._emptied = True
        for directory in self.directories:
            if directory not in self._mounted:
                continue
            if is_empty(directory):
                self._mounted.discard(directory)
                self._detaching[directory] = self._threads.submit(
                    mounts.unmount_if_mounted, directory
                )
            elif dirty_too:
                self._mounted.discard(directory)
                box.discard_scratch(directory)

    def close(self) -> None:
        """Wait for background detaches, unmount what is still mounted, stop the
        threads."""
        for detaching in self._detaching.values():
            with contextlib.suppress(OSError):
                detaching.result()
        self._detaching.clear()
        for directory in self._mounted:
            box.discard_scratch(directory)
        self._mounted.clear()
        self._threads.shutdown()
