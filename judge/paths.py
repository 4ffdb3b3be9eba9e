"""Where the judge keeps what it builds: compiled programs and the result cache."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The judge's cache folder: $CPSOLVE_CACHE, else ~/.cache/cpsolve."""
    configured = os.environ.get("CPSOLVE_CACHE")
    root = Path(configured) if configured else Path.home() / ".cache" / "cpsolve"
    root.mkdir(parents=True, exist_ok=True)
    return root
