"""Shared fixtures: where the real contest problems and the example problems are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_PROBLEMS = REPO.parent / "shared" / "problems"
EXAMPLES = REPO / "problems" / "examples"


@pytest.fixture(scope="session")
def shared_problems() -> Path:
    """../shared/problems (skips the test when it is absent)."""
    if not SHARED_PROBLEMS.is_dir():
        pytest.skip(f"{SHARED_PROBLEMS} is absent")
    return SHARED_PROBLEMS


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The project's own example problems."""
    return EXAMPLES
