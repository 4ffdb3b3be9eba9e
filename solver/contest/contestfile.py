"""Contest files (YAML) and standings files (CSV): reading and checking them.

A contest file::

    name: IOI 2024 (the tasks present)
    rules: ioi                 # ioi | codeforces | icpc
    duration: 300              # minutes
    submission_limit: 50       # per problem (default: 50 for ioi, 10 otherwise)
    problems:                  # paths relative to this file
      - ../../shared/problems/ioi2024/aplusb
      - path: ../problems/examples/pairsum
        points: 500            # the problem's contest value (default below)
    standings: humans.csv      # optional: the human participants
    medals: {gold: 359.71, silver: 289.31, bronze: 216.97}   # optional (ioi)
    time_model: {kind: even}   # or {kind: fixed, minutes_per_submission: 4}

Default points: under IOI a task is worth its own maximum score (100 for a pass/fail
problem); under Codeforces the i-th problem (from 1) is worth 500 * i; ICPC counts
solved problems and ignores points.

A standings file is CSV with a header naming its columns: `participant` and one of
`score`, `points` or `solved` are required; `penalty` (minutes, ICPC) and `rating`
(the participant's rating before the contest, for rating estimates) are optional.
Empty lines and lines starting with `#` are skipped.

Errors name the file and the line: `ContestFileError`.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from solver.contest.scoring import Rules, TimeModel, TimeModelKind

DEFAULT_LIMITS = {Rules.IOI: 50, Rules.CODEFORCES: 10, Rules.ICPC: 10}
DEFAULT_DURATION = {Rules.IOI: 300.0, Rules.CODEFORCES: 120.0, Rules.ICPC: 300.0}
CONTEST_KEYS = frozenset(
    {
        "name",
        "rules",
        "duration",
        "submission_limit",
        "problems",
        "standings",
        "medals",
        "time_model",
    }
)
PROBLEM_KEYS = frozenset({"path", "points", "name"})
MEDALS = ("gold", "silver", "bronze")
SCORE_COLUMNS = ("score", "points", "solved")


class ContestFileError(Exception):
    """A contest or standings file is wrong: names the file, the line and what."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ContestProblem:
    """A problem of the contest: its package folder, contest value (None: the
    rules' default) and display name (None: the problem's own)."""

    path: Path
    points: float | None = None
    name: str | None = None


@dataclass(frozen=True)
class Standing:
    """One human participant's final result (score: IOI points, Codeforces points or
    ICPC problems solved) and, when known, penalty and rating before the contest."""

    participant: str
    score: float
    penalty: float = 0.0
    rating: float | None = None


@dataclass(frozen=True)
class MedalCutoffs:
    """The least score for each medal (IOI)."""

    gold: float
    silver: float
    bronze: float

    def medal(self, score: float) -> str | None:
        """The medal a score earns, or None."""
        for name in MEDALS:
            if score >= getattr(self, name) - 1e-9:
                return name
        return None


@dataclass(frozen=True)
class Contest:
    """A contest file, read and checked."""

    path: Path
    name: str
    rules: Rules
    duration: float
    submission_limit: int
    problems: tuple[ContestProblem, ...]
    standings: tuple[Standing, ...] = ()
    standings_path: Path | None = None
    medals: MedalCutoffs | None = None
    time_model: TimeModel = TimeModel()


def _line(node: yaml.Node | None) -> int | None:
    return None if node is None else node.start_mark.line + 1


def _child(node: yaml.Node | None, key: str | int) -> yaml.Node | None:
    """The YAML node under a mapping key or sequence index (for line numbers)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _number(path: Path, node: yaml.Node | None, value: Any, what: str, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ContestFileError(path, _line(node), f"{what} must be a number, got {value!r}")
    if positive and value <= 0:
        raise ContestFileError(path, _line(node), f"{what} must be positive, got {value!r}")
    return float(value)


def _problems(path: Path, node: yaml.Node | None, raw: Any) -> tuple[ContestProblem, ...]:
    if not isinstance(raw, list) or not raw:
        raise ContestFileError(path, _line(node), "`problems` must be a non-empty list")
    problems = []
    for index, item in enumerate(raw):
        item_node = _child(node, index)
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict) or "path" not in item:
            raise ContestFileError(
                path, _line(item_node), "a problem is a path or a mapping with `path`"
            )
        unknown = sorted(set(item) - PROBLEM_KEYS)
        if unknown:
            raise ContestFileError(
                path,
                _line(item_node),
                f"unknown problem key {unknown[0]!r}; known: {', '.join(sorted(PROBLEM_KEYS))}",
            )
        folder = (path.parent / str(item["path"])).resolve()
        if not folder.is_dir():
            raise ContestFileError(
                path, _line(item_node), f"problem {item['path']!r} not found (looked for {folder})"
            )
        points = item.get("points")
        if points is not None:
            points = _number(path, _child(item_node, "points"), points, "points", True)
        name = item.get("name")
        problems.append(ContestProblem(folder, points, None if name is None else str(name)))
    return tuple(problems)


def _medals(path: Path, node: yaml.Node | None, raw: Any) -> MedalCutoffs:
    if not isinstance(raw, dict) or set(raw) != set(MEDALS):
        raise ContestFileError(path, _line(node), "`medals` must map gold, silver and bronze")
    values = {k: _number(path, _child(node, k), raw[k], f"medal {k}", False) for k in MEDALS}
    if not values["gold"] >= values["silver"] >= values["bronze"]:
        raise ContestFileError(path, _line(node), "medal cut-offs must be gold >= silver >= bronze")
    return MedalCutoffs(**values)


def _time_model(path: Path, node: yaml.Node | None, raw: Any) -> TimeModel:
    if not isinstance(raw, dict) or "kind" not in raw:
        raise ContestFileError(path, _line(node), "`time_model` must be a mapping with `kind`")
    kinds = {k.value: k for k in TimeModelKind}
    if raw["kind"] not in kinds:
        raise ContestFileError(
            path, _line(node), f"time_model kind must be one of {', '.join(kinds)}"
        )
    unknown = sorted(set(raw) - {"kind", "minutes_per_submission"})
    if unknown:
        raise ContestFileError(path, _line(node), f"unknown time_model key {unknown[0]!r}")
    minutes = raw.get("minutes_per_submission", TimeModel().minutes_per_submission)
    minutes = _number(
        path, _child(node, "minutes_per_submission"), minutes, "minutes_per_submission", True
    )
    return TimeModel(kinds[raw["kind"]], minutes)


def load_contest(path: Path | str) -> Contest:
    """Read and check a contest file; problem and standings paths are relative to it."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise ContestFileError(path, None, f"cannot read: {error.strerror}") from error
    try:
        root = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = None if mark is None else mark.line + 1
        raise ContestFileError(path, line, f"not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ContestFileError(path, 1, "a contest file is a YAML mapping")
    unknown = sorted(set(raw) - CONTEST_KEYS)
    if unknown:
        raise ContestFileError(
            path,
            _line(_child(root, unknown[0])),
            f"unknown key {unknown[0]!r}; known: {', '.join(sorted(CONTEST_KEYS))}",
        )
    for key in ("rules", "problems"):
        if key not in raw:
            raise ContestFileError(path, None, f"missing `{key}`")
    rules_by_name = {r.value: r for r in Rules}
    if raw["rules"] not in rules_by_name:
        raise ContestFileError(
            path,
            _line(_child(root, "rules")),
            f"rules must be one of {', '.join(rules_by_name)}, got {raw['rules']!r}",
        )
    rules = rules_by_name[raw["rules"]]
    duration = raw.get("duration", DEFAULT_DURATION[rules])
    duration = _number(path, _child(root, "duration"), duration, "duration", True)
    limit = raw.get("submission_limit", DEFAULT_LIMITS[rules])
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ContestFileError(
            path,
            _line(_child(root, "submission_limit")),
            f"submission_limit must be a positive integer, got {limit!r}",
        )
    problems = _problems(path, _child(root, "problems"), raw["problems"])
    standings: tuple[Standing, ...] = ()
    standings_path = None
    if "standings" in raw:
        standings_path = (path.parent / str(raw["standings"])).resolve()
        if not standings_path.is_file():
            raise ContestFileError(
                path,
                _line(_child(root, "standings")),
                f"standings file {raw['standings']!r} not found (looked for {standings_path})",
            )
        standings = load_standings(standings_path)
    medals = _medals(path, _child(root, "medals"), raw["medals"]) if "medals" in raw else None
    time_model = (
        _time_model(path, _child(root, "time_model"), raw["time_model"])
        if "time_model" in raw
        else TimeModel()
    )
    return Contest(
        path=path,
        name=str(raw.get("name", path.stem)),
        rules=rules,
        duration=duration,
        submission_limit=limit,
        problems=problems,
        standings=standings,
        standings_path=standings_path,
        medals=medals,
        time_model=time_model,
    )


def _float(path: Path, line: int, value: str, column: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ContestFileError(path, line, f"{column} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ContestFileError(path, line, f"{column} must be finite, got {value!r}")
    return number


def parse_standings(path: Path, text: str) -> tuple[Standing, ...]:
    """Standings from CSV text (see the module docstring); `path` names it in errors."""
    rows = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise ContestFileError(path, None, "no header: expected participant,score[,penalty,rating]")
    header_line, header_text = rows[0]
    header = [h.strip().lower() for h in next(csv.reader(io.StringIO(header_text)))]
    score_columns = [c for c in SCORE_COLUMNS if c in header]
    if "participant" not in header or len(score_columns) != 1:
        raise ContestFileError(
            path,
            header_line,
            f"the header needs `participant` and one of {', '.join(SCORE_COLUMNS)}; got {header}",
        )
    unknown = sorted(set(header) - {"participant", "penalty", "rating", *SCORE_COLUMNS})
    if unknown:
        raise ContestFileError(path, header_line, f"unknown column {unknown[0]!r}")
    standings = []
    for number, line in rows[1:]:
        fields = [f.strip() for f in next(csv.reader(io.StringIO(line)))]
        if len(fields) != len(header):
            raise ContestFileError(
                path,
                number,
                f"expected {len(header)} fields ({','.join(header)}), got {len(fields)}",
            )
        row = dict(zip(header, fields, strict=True))
        if not row["participant"]:
            raise ContestFileError(path, number, "empty participant")
        rating = row.get("rating", "")
        penalty = row.get("penalty", "")
        standings.append(
            Standing(
                participant=row["participant"],
                score=_float(path, number, row[score_columns[0]], score_columns[0]),
                penalty=_float(path, number, penalty, "penalty") if penalty else 0.0,
                rating=_float(path, number, rating, "rating") if rating else None,
            )
        )
    return tuple(standings)


def load_standings(path: Path | str) -> tuple[Standing, ...]:
    """Read a standings CSV file (module docstring)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise ContestFileError(path, None, f"cannot read: {error.strerror}") from error
    return parse_standings(path, text)
