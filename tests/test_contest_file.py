"""Contest and standings files: the shipped ones load, bad ones get an error naming the
file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.contest.contestfile import ContestFileError, load_contest, parse_standings
from solver.contest.scoring import Rules, TimeModelKind

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str, name: str = "contest.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_examples_contest_loads() -> None:
    contest = load_contest(REPO / "contests" / "examples.yaml")
    assert contest.rules is Rules.CODEFORCES
    assert len(contest.problems) == 5
    assert all(p.path.is_dir() for p in contest.problems)
    assert contest.standings and all(s.rating is not None for s in contest.standings)


def test_ioi2024_contest_loads(shared_problems: Path) -> None:
    contest = load_contest(REPO / "contests" / "ioi2024.yaml")
    assert contest.rules is Rules.IOI and contest.submission_limit == 50
    assert contest.medals is not None
    assert (contest.medals.gold, contest.medals.silver, contest.medals.bronze) == (
        359.71,
        289.31,
        216.97,
    )
    assert contest.medals.medal(300) == "silver" and contest.medals.medal(100) is None


def test_missing_problem_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "here").mkdir()
    path = write(
        tmp_path,
        "name: x\nrules: ioi\nproblems:\n  - here\n  - path: nowhere\n    points: 10\n",
    )
    with pytest.raises(ContestFileError) as error:
        load_contest(path)
    assert str(error.value).startswith(f"{path}:5: problem 'nowhere' not found")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("rules: chess\nproblems: [here]\n", 1, "rules must be one of"),
        ("rules: ioi\nproblems: [here]\nlimit: 3\n", 3, "unknown key 'limit'"),
        ("rules: ioi\nproblems: [here]\nsubmission_limit: 0\n", 3, "positive integer"),
        ("rules: ioi\nproblems: [here]\nduration: soon\n", 3, "duration must be a number"),
        (
            "rules: ioi\nproblems: [here]\nmedals: {gold: 1, silver: 2, bronze: 0}\n",
            3,
            "gold >= silver",
        ),
        ("rules: ioi\nproblems: [here]\ntime_model: {kind: later}\n", 3, "kind must be"),
        ("rules: ioi\nproblems: [here]\nstandings: none.csv\n", 3, "not found"),
    ],
)
def test_bad_contest_files(tmp_path: Path, text: str, line: int, message: str) -> None:
    (tmp_path / "here").mkdir()
    path = write(tmp_path, text)
    with pytest.raises(ContestFileError, match=message) as error:
        load_contest(path)
    assert str(error.value).startswith(f"{path}:{line}:")


def test_time_model_and_defaults(tmp_path: Path) -> None:
    (tmp_path / "here").mkdir()
    path = write(
        tmp_path,
        "rules: icpc\nproblems: [here]\ntime_model: {kind: fixed, minutes_per_submission: 4}\n",
    )
    contest = load_contest(path)
    assert contest.time_model.kind is TimeModelKind.FIXED
    assert contest.time_model.minutes_per_submission == 4
    assert contest.submission_limit == 10 and contest.duration == 300


def test_standings_rows() -> None:
    text = "# a comment\nparticipant,points,penalty,rating\nann,1500,0,1900\n\nbob,700,,\n"
    ann, bob = parse_standings(Path("s.csv"), text)
    assert (ann.participant, ann.score, ann.rating) == ("ann", 1500, 1900)
    assert (bob.score, bob.penalty, bob.rating) == (700, 0.0, None)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("participant,score\nann,12\nbob,lots\n", 3, "score must be a number, got 'lots'"),
        ("participant,score\nann,12,4\n", 2, "expected 2 fields"),
        ("participant,score,rating\nann,12,nan\n", 2, "rating must be finite"),
        ("name,score\nann,12\n", 1, "header needs `participant`"),
        ("participant,score,age\nann,12,30\n", 1, "unknown column 'age'"),
        ("participant,score\n,12\n", 2, "empty participant"),
    ],
)
def test_bad_standings_rows(text: str, line: int, message: str) -> None:
    with pytest.raises(ContestFileError, match=message) as error:
        parse_standings(Path("humans.csv"), text)
    assert str(error.value).startswith(f"humans.csv:{line}:")


def test_bad_standings_file_named_from_contest(tmp_path: Path) -> None:
    (tmp_path / "here").mkdir()
    write(tmp_path, "participant,score\nann,1\nbob,x\n", "humans.csv")
    path = write(tmp_path, "rules: ioi\nproblems: [here]\nstandings: humans.csv\n")
    with pytest.raises(ContestFileError) as error:
        load_contest(path)
    assert str(error.value).startswith(f"{tmp_path / 'humans.csv'}:3:")
