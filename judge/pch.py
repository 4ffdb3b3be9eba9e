"""Precompiled <bits/stdc++.h> for C++ builds: most candidates include it, and
parsing it is most of what compiling them costs.

One header is precompiled per C++ language entry (compiler and exact flags of
languages.yaml), inside the sandbox as a trusted build, and kept in the judge's
cache folder (`pch/<key>/include/bits/stdc++.h.gch`, with a manifest of the
system headers it was made from). A build uses it only where the result cannot
differ: every file of the build that names bits/stdc++.h is a compiled source
whose first directive (after comments and blank lines) includes it, so no macro,
pragma or code comes before it. Such a build gets the folder mounted read-only
in its box and `-I` naming it; g++ then reads the .gch instead of the header,
and still checks that it matches the compile's options, else it reads the
header. Every other build compiles exactly as before. The key is the compiler
(its path, size and time) and the flags; the manifest (size and time of each
header) is checked once per process, and a changed header rebuilds it.

Other builds whose compiled sources all start with the same run of system
includes (`#include <algorithm>`, `#include <cstdio>`, ... with nothing but
comments and blank lines between) get that run precompiled as a header of its
own: a prefix header holding exactly those lines, given to g++ with `-include`
ahead of each source. The source's own lines then include headers already
included (all guarded, and no macro can come between), so the program is the
same; a 3-header block saves about 40% of a small program's compile.

Building a header costs a few plain compiles, so a cache folder gets one at its
BUILD_AFTER-th compile that could use it (the ones before compile without):
judging one or two programs never pays for a header it would not use again."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from judge.languages import Language
from judge.sandbox import Process, ResourceLimits, RunRequest, RunStatus, Sandbox

HEADER = "bits/stdc++.h"
BOX_DIR = ".cpsolve-pch"
"""Where the precompiled header's folder is mounted in a compile's box."""
GCH = HEADER + ".gch"
PREFIX = "cpsolve-prefix.h"
"""The prefix header of an include block, in the mounted folder."""
PREFIX_GCH = PREFIX + ".gch"
WRAPPER = "pch-source.h"
DEPENDENCIES = "pch.d"
BUILD_LIMITS = ResourceLimits(
    cpu_time_s=120.0,
    wall_time_s=600.0,
    memory_bytes=2 * 1024**3,
    output_bytes=1024**3,
    processes=64,
)
COMPILERS = ("g++", "c++")
BUILD_AFTER = 3

_FIRST_INCLUDE = re.compile(rb"#[ \t]*include[ \t]*<bits/stdc\+\+\.h>")
_SYSTEM_INCLUDE = re.compile(rb"#[ \t]*include[ \t]*<([A-Za-z0-9_./+-]+)>[ \t]*")
_SPACE = b" \t\r\n\f\v"


@dataclass(frozen=True)
class Header:
    """A usable precompiled header: the host folder to mount at BOX_DIR, and the
    include block it was made from (empty for <bits/stdc++.h>, which g++ finds
    through `-I`; a block's prefix header is given with `-include`)."""

    include_dir: Path
    block: tuple[str, ...] = ()


def flags_of(language: Language) -> tuple[str, ...] | None:
    """The compiler and options of a C++ language's compile command (the command
    without `-o OUTPUT` and the source files), or None where the language is not
    compiled by g++ (a header cannot be precompiled for it here)."""
    argv = list(language.compile)
    if not argv or Path(argv[0]).name not in COMPILERS:
        return None
    flags: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
        elif item == "-o":
            skip = True
        elif "{" not in item:
            flags.append(item)
    return tuple(flags)


def _past_blanks(source: bytes, position: int) -> int | None:
    """Where the next directive or code starts after blank space and comments at
    `position`; None where a comment is left open or a `//` line continues."""
    while True:
        while position < len(source) and source[position] in _SPACE:
            position += 1
        if source.startswith(b"//", position):
            end = source.find(b"\n", position)
            line = source[position : len(source) if end < 0 else end].rstrip(b"\r")
            if line.endswith(b"\\") or end < 0:
                return None
            position = end + 1
        elif source.startswith(b"/*", position):
            end = source.find(b"*/", position + 2)
            if end < 0:
                return None
            position = end + 2
        else:
            return position


def leading_includes(source: bytes) -> tuple[str, ...]:
    """The system headers a C++ source starts by including: the run of
    `#include <...>` lines before its first other directive or code (comments and
    blank lines may come between them). Empty where anything else comes first."""
    headers: list[str] = []
    position = 0
    while True:
        start = _past_blanks(source, position)
        match = None if start is None else _SYSTEM_INCLUDE.match(source, start)
        if match is None:
            break
        end = source.find(b"\n", match.end())
        end = len(source) if end < 0 else end
        rest = source[match.end() : end].rstrip(b"\r")
        if rest and not (rest.startswith(b"//") and not rest.endswith(b"\\")):
            break  # anything but a closed comment after the include ends the block
        headers.append(match.group(1).decode())
        position = end
    return tuple(headers)


def block_of(
    sources: Iterable[tuple[str, bytes]], extensions: Iterable[str] = (".cpp",)
) -> tuple[str, ...]:
    """The include block every compiled source of a build starts with (see
    `leading_includes`), or () where they differ or one has none: a prefix
    header given with `-include` goes ahead of every compiled source."""
    suffixes = set(extensions)
    blocks = {
        leading_includes(content) for name, content in sources if Path(name).suffix in suffixes
    }
    if len(blocks) != 1:
        return ()
    (block,) = blocks
    return block


def starts_with_header(source: bytes) -> bool:
    """Whether the first thing in a C++ source, after blank space and comments, is
    `#include <bits/stdc++.h>` (and nothing continues that line with a backslash)."""
    position = _past_blanks(source, 0)
    if position is None:
        return False
    match = _FIRST_INCLUDE.match(source, position)
    if match is None:
        return False
    end = source.find(b"\n", match.end())
    rest = source[match.end() : len(source) if end < 0 else end].rstrip(b"\r")
    return not rest.endswith(b"\\")


def eligible(
    sources: Iterable[tuple[str, bytes]],
    others: Iterable[tuple[str, bytes]] = (),
    extensions: Iterable[str] = (".cpp",),
) -> bool:
    """Whether a build may use the header: at least one of its files names
    bits/stdc++.h, and every one that does is one of the `sources` (files given
    to the compiler), has a source extension of the language (`extensions`: a
    header never qualifies) and includes it before anything else. `others` are
    the files only copied next to them (headers)."""
    suffixes = set(extensions)
    named = False
    for name, content in sources:
        if b"stdc++.h" not in content:
            continue
        if Path(name).suffix not in suffixes or not starts_with_header(content):
            return False
        named = True
    return named and not any(b"stdc++.h" in content for _, content in others)


def _identity(path: str) -> list[object]:
    info = os.stat(path)
    return [path, info.st_size, info.st_mtime_ns]


def header_key(flags: tuple[str, ...], block: tuple[str, ...] = ()) -> str:
    """The cache key of the header for these flags (and include block: none for
    <bits/stdc++.h>): the flags, the block and the compiler binary they start
    with (its resolved path, size and time)."""
    compiler = os.path.realpath(flags[0])
    identity: list[object] = [list(flags), _identity(compiler)]
    if block:
        identity.append(list(block))
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:32]


def _manifest(dependencies: str) -> list[list[object]]:
    """(path, size, time) of each system header a `-MD` rule names."""
    text = dependencies.replace("\\\n", " ")
    _, _, listed = text.partition(":")
    paths = sorted({item for item in listed.split() if item.startswith("/")})
    return [_identity(path) for path in paths]


def _current(manifest_path: Path) -> bool:
    """Whether the header built beside `manifest_path` is still valid: it was
    built, and every system header it was made from is unchanged."""
    try:
        manifest = json.loads(manifest_path.read_text())
        return bool(manifest["headers"]) and all(
            _identity(str(entry[0])) == entry for entry in manifest["headers"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


_failed: set[Path] = set()
"""Headers whose build failed in this process: not tried again (each try costs
seconds), their builds compile without them."""


@functools.cache
def _checked(folder: Path) -> bool:
    """`_current` once per process (and folder): a valid header stays valid."""
    return _current(folder / "manifest.json")


def header_for(
    language: Language,
    sandbox: Sandbox,
    cache_dir: Path,
    at_once: bool = False,
    block: tuple[str, ...] = (),
) -> Header | None:
    """The precompiled <bits/stdc++.h> for `language` (or, given a `block`, the
    prefix header of that include block), built now if it is missing or stale
    and this is the cache folder's BUILD_AFTER-th request for it (or `at_once`).
    None where the language has none, before that request, where another process
    is building it right now (the caller compiles without it rather than wait),
    or where it cannot be built (the caller compiles without it)."""
    flags = flags_of(language)
    if flags is None:
        return None
    folder = cache_dir / "pch" / header_key(flags, block)
    gch = folder / "include" / (PREFIX_GCH if block else GCH)
    if _checked(folder) and gch.is_file():  # not removed since
        return Header(folder / "include", block)
    if folder in _failed or not (at_once or _requests(folder) >= BUILD_AFTER):
        return None
    lock_path = cache_dir / "locks" / f"pch-{folder.name}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        try:
            if not _current(folder / "manifest.json") and not _build(flags, sandbox, folder, block):
                _failed.add(folder)
                return None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _checked.cache_clear()
    return Header(folder / "include", block) if _checked(folder) else None


def _requests(folder: Path) -> int:
    """Count one more request for the header at `folder`; the count so far (one
    byte appended per request, so concurrent workers never lose one)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".requests"), "ab", buffering=0) as counter:
        counter.write(b".")
        return counter.tell()


def _build(
    flags: tuple[str, ...], sandbox: Sandbox, folder: Path, block: tuple[str, ...] = ()
) -> bool:
    """Precompile the header for `flags` (<bits/stdc++.h>, or the prefix header of
    `block`) in the sandbox (a trusted program) and install it at `folder`
    (replacing a stale one); False if that failed."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="build-", dir=folder.parent))
    try:
        text = "".join(f"#include <{name}>\n" for name in block or (HEADER,))
        (staging / WRAPPER).write_text(text)
        gch = staging / "include" / (PREFIX_GCH if block else GCH)
        gch.parent.mkdir(parents=True)
        if block:  # g++ reads the text where the .gch does not match a compile
            (staging / "include" / PREFIX).write_text(text)
        argv = (*flags, "-x", "c++-header", WRAPPER, "-o", "stdc++.h.gch", "-MD", "-MF", "pch.d")
        result = sandbox.run(
            RunRequest(
                processes=(Process(argv=argv, limits=BUILD_LIMITS, trusted=True),),
                files_in=((WRAPPER, str(staging / WRAPPER)),),
                files_out=(
                    ("stdc++.h.gch", str(gch)),
                    (DEPENDENCIES, str(staging / DEPENDENCIES)),
                ),
            )
        )
        if (
            result.error is not None
            or result.processes[0].status is not RunStatus.OK
            or not gch.exists()
            or not (staging / DEPENDENCIES).exists()
        ):
            return False
        headers = _manifest((staging / DEPENDENCIES).read_text())
        os.chmod(gch, 0o444)
        (staging / "manifest.json").write_text(json.dumps({"flags": flags, "headers": headers}))
        (staging / WRAPPER).unlink()
        (staging / DEPENDENCIES).unlink()
        old = folder.with_name(folder.name + ".old")
        if folder.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def compile_argv(argv: tuple[str, ...], header: Header) -> tuple[str, ...]:
    """A compile command that reads `header` from the mounted folder: it looks for
    headers there first (<bits/stdc++.h>), or includes the block's prefix header
    ahead of every source."""
    if header.block:
        return (argv[0], "-include", f"{BOX_DIR}/{PREFIX}", *argv[1:])
    return (argv[0], f"-I{BOX_DIR}", *argv[1:])
