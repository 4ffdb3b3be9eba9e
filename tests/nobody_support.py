"""Running tests as the unprivileged user `nobody`: the account (or a skip saying
why it cannot be had here) and a copy of repository files that nobody owns."""

from __future__ import annotations

import os
import pwd
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest


def nobody_or_skip() -> pwd.struct_passwd:
    """The `nobody` account; skips the test where it cannot be used (not root,
    or no such user)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to become nobody")
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user `nobody` on this machine")


def copy_owned_by(
    entry: pwd.struct_passwd,
    home: Path,
    copies: Iterable[tuple[Path, Path]],
    folders: Iterable[str],
) -> None:
    """Copy each (source, target) file or folder (bytecode caches left out), make
    the empty `folders` in `home`, and give all of `home` to `entry`."""
    home.chmod(0o755)
    for source, target in copies:
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name in folders:
        (home / name).mkdir()
    for path in (home, *home.rglob("*")):
        os.lchown(path, entry.pw_uid, entry.pw_gid)
