"""Where the judge keeps what it builds: compiled programs and the result cache."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "CPSOLVE_CACHE"


class CacheUnavailable(Exception):
    """No usable cache folder: the user must set $CPSOLVE_CACHE (or --cache)."""


def cache_root() -> Path:
    """The judge's cache folder: $CPSOLVE_CACHE, else ~/.cache/cpsolve, made if
    missing. CacheUnavailable (one line naming the folder and what to set) when
    it cannot be made or written, or when there is no home folder to put it in."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        root, source = Path(configured), f"${CACHE_ENV}"
    else:
        try:
            home = Path.home()
        except RuntimeError as error:  # no $HOME and no passwd entry
            raise CacheUnavailable(
                f"no cache folder: ${CACHE_ENV} is not set and there is no home folder "
                f"({error}); set ${CACHE_ENV} (or --cache) to a writable folder"
            ) from error
        root, source = home / ".cache" / "cpsolve", "the default (~/.cache/cpsolve)"
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CacheUnavailable(
            f"cache folder {root} from {source} cannot be made: {error.strerror}; "
            f"set ${CACHE_ENV} (or --cache) to a writable folder"
        ) from error
    if not os.access(root, os.W_OK | os.X_OK):
        raise CacheUnavailable(
            f"cache folder {root} from {source} is not writable by this user; "
            f"set ${CACHE_ENV} (or --cache) to a writable folder"
        )
    return root
