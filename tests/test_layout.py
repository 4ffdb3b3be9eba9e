"""The one-way layout, read from the source with `ast`: problems -> judge -> solver,
and inside solver/ the stages below, each importing only from its own stage or an
earlier one. Function-level (lazy) imports count too. A new module of solver/ must
be given a stage here, so that its place is a decision, not an accident."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("problems", "judge", "solver")
NEVER_IMPORTED = ("tests", "tools")

# solver/'s stages in order; a name is the first part of a module's path under solver/.
SOLVER_STAGES: tuple[tuple[str, frozenset[str]], ...] = (
    ("sources", frozenset({"candidates", "code", "prompts", "sampling"})),
    ("store", frozenset({"store", "sample"})),
    (
        "judging",
        frozenset(
            {
                "judging",
                "judged_pool",
                "testgen",
                "behaviour",
                "contest_pool",
                "humaneval_harness",
                "humaneval_pool",
                "poolfile",
                "report",
                "pool_summary",
            }
        ),
    ),
    ("cluster", frozenset({"cluster"})),
    ("scoring", frozenset({"scoring"})),
    ("select", frozenset({"select"})),
    ("contest", frozenset({"contest", "rating", "plots"})),
    ("solve", frozenset({"solve"})),
    ("cli", frozenset({"cli"})),
)


def module_name(path: Path) -> str:
    """The dotted module name of a file under ROOT."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files(package: str) -> list[Path]:
    """Every Python file of a package."""
    return sorted((ROOT / package).rglob("*.py"))


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import in a file, at any depth; `from a
    import b` yields `a.b` (a submodule or a name in `a`: `stage_of` reads both)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def stage_of(module: str) -> int | None:
    """The index of a solver module's stage (None: the solver package itself)."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    for index, (_, names) in enumerate(SOLVER_STAGES):
        if parts[1] in names:
            return index
    raise LookupError(module)


def test_every_solver_module_has_a_stage() -> None:
    missing = []
    for path in source_files("solver"):
        try:
            stage_of(module_name(path))
        except LookupError:
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"give these modules a stage in SOLVER_STAGES: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_import_only_earlier_layers(package: str) -> None:
    later = PACKAGES[PACKAGES.index(package) + 1 :] + NEVER_IMPORTED
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in source_files(package)
        for line, module in imports(path)
        if module.split(".")[0] in later
    ]
    assert not wrong, "\n".join(wrong)


def test_solver_stages_import_only_earlier_or_their_own() -> None:
    wrong = []
    for path in source_files("solver"):
        here = stage_of(module_name(path))
        for line, module in imports(path):
            if module.split(".")[0] != "solver":
                continue
            there = stage_of(module)
            if here is not None and there is not None and there > here:
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line} ({SOLVER_STAGES[here][0]}) imports "
                    f"{module} ({SOLVER_STAGES[there][0]}, a later stage)"
                )
    assert not wrong, "\n".join(wrong)


def test_a_backwards_import_is_caught(tmp_path: Path) -> None:
    """The check itself: a store module importing the cluster stage is reported."""
    source = tmp_path / "backwards.py"
    source.write_text("def f():\n    from solver.cluster import cluster_candidates\n")
    found = list(imports(source))
    assert found == [(2, "solver.cluster.cluster_candidates")]
    here = stage_of("solver.store.samples")
    there = stage_of(found[0][1])
    assert here is not None and there is not None and there > here
