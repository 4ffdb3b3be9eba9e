"""Folders a sandbox backend left in the temporary folder when its process was
killed (SIGKILL runs no clean-up): each is named `<prefix><pid>-w<worker>-...`
after the process that made it, so a later process can tell it is orphaned."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def orphaned_folders(prefix: str) -> list[Path]:
    """This user's folders in the temporary folder named `<prefix><pid>-w...`
    whose process `pid` is gone."""
    found = []
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*-w*"):
        pid = folder.name[len(prefix) :].split("-", 1)[0]
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue
        try:
            if folder.stat().st_uid == os.geteuid():
                found.append(folder)
        except FileNotFoundError:  # removed meanwhile by another process
            continue
    return found
