"""Checkers: the token checker, validator flags, and reading program checkers' results."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judge.checkers import (
    CheckResult,
    check_tokens,
    interpret_cms,
    interpret_kattis_validator,
    interpret_testlib,
)
from judge.verdicts import Verdict
from problems.flags import parse_float_token

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "problems"
APLUSB = SHARED / "ioi2024" / "aplusb"
DIFFERENT = SHARED / "kattis-examples" / "different"

tokens = st.lists(
    st.binary(min_size=1, max_size=6).map(
        lambda raw: bytes(b for b in raw if b > 32 and b != 127) or b"x"
    ),
    max_size=30,
)
whitespace = st.lists(
    st.sampled_from([b" ", b"\n", b"\t", b"\r\n", b"  "]), min_size=1, max_size=3
).map(b"".join)


@st.composite
def respaced(draw: st.DrawFn, words: list[bytes]) -> bytes:
    """`words` joined by random whitespace, with random leading/trailing space."""
    parts = [draw(st.sampled_from([b"", b" ", b"\n"]))]
    for index, word in enumerate(words):
        if index:
            parts.append(draw(whitespace))
        parts.append(word)
    parts.append(draw(st.sampled_from([b"", b"\n", b" \n"])))
    return b"".join(parts)


# --- token checker ----------------------------------------------------------------------


@settings(max_examples=200)
@given(data=st.data(), words=tokens)
def test_any_respacing_of_the_same_tokens_is_accepted(
    data: st.DataObject, words: list[bytes]
) -> None:
    answer = data.draw(respaced(words))
    output = data.draw(respaced(words))
    assert check_tokens(output, answer).verdict is Verdict.AC
    sensitive = check_tokens(output, answer, space_change_sensitive=True)
    assert sensitive.verdict is (Verdict.AC if output == answer else Verdict.PE)


@settings(max_examples=200)
@given(words=tokens.filter(bool), data=st.data())
def test_changing_one_token_is_wrong_answer(words: list[bytes], data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(words) - 1))
    changed = list(words)
    changed[index] = words[index] + b"Z"
    result = check_tokens(b" ".join(changed), b" ".join(words))
    assert result.verdict is Verdict.WA
    assert f"token {index + 1} " in result.message


def test_case_sensitivity() -> None:
    assert check_tokens(b"YES\n", b"yes\n").verdict is Verdict.AC
    result = check_tokens(b"YES\n", b"yes\n", case_sensitive=True)
    assert result.verdict is Verdict.WA
    assert "expected 'yes', got 'YES'" in result.message


def test_extra_and_missing_output() -> None:
    extra = check_tokens(b"1 2 3", b"1 2")
    assert extra.verdict is Verdict.WA and extra.message.startswith("extra output")
    missing = check_tokens(b"1", b"1 2")
    assert missing.verdict is Verdict.WA and missing.message.startswith("missing output")
    empty = check_tokens(b"\n\n", b"1 2")
    assert empty.verdict is Verdict.WA and "no tokens" in empty.message
    assert check_tokens(b"", b"").verdict is Verdict.AC
    assert check_tokens(b"  \n", b"").verdict is Verdict.AC


def test_message_names_line_and_truncates_long_tokens() -> None:
    long_token = b"x" * 500
    result = check_tokens(b"a b\nc " + long_token + b"\n", b"a b\nc d\n")
    assert result.verdict is Verdict.WA
    assert "token 4 (output line 2)" in result.message
    assert "..." in result.message
    assert len(result.message) < 200


def test_whitespace_difference_is_presentation_error_only_when_tokens_match() -> None:
    result = check_tokens(b"1  2\n", b"1 2\n", space_change_sensitive=True)
    assert result.verdict is Verdict.PE
    assert "after token 1" in result.message
    assert check_tokens(b"1 2", b"1 2\n", space_change_sensitive=True).verdict is Verdict.PE
    assert check_tokens(b"1  3\n", b"1 2\n", space_change_sensitive=True).verdict is Verdict.WA


def test_float_tolerances() -> None:
    assert check_tokens(b"1.0001", b"1", float_absolute_tolerance=1e-3).verdict is Verdict.AC
    assert check_tokens(b"1.01", b"1", float_absolute_tolerance=1e-3).verdict is Verdict.WA
    assert check_tokens(b"1000.5", b"1000", float_relative_tolerance=1e-3).verdict is Verdict.AC
    assert check_tokens(b"1000.5", b"1000", float_absolute_tolerance=1e-3).verdict is Verdict.WA
    # Either tolerance is enough.
    both = {"float_absolute_tolerance": 1e-3, "float_relative_tolerance": 1e-3}
    assert check_tokens(b"1000.5 0.0005", b"1000 0", **both).verdict is Verdict.AC
    # Without a tolerance, numbers compare as strings.
    assert check_tokens(b"1.0", b"1").verdict is Verdict.WA


def test_relative_tolerance_is_relative_to_the_answer() -> None:
    assert check_tokens(b"110.5", b"100", float_relative_tolerance=0.1).verdict is Verdict.WA
    assert check_tokens(b"100", b"110.5", float_relative_tolerance=0.1).verdict is Verdict.AC


@settings(max_examples=300)
@given(
    a=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    b=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    tolerance=st.floats(min_value=0, max_value=10, allow_nan=False),
)
def test_absolute_tolerance_is_symmetric(a: float, b: float, tolerance: float) -> None:
    left, right = repr(a).encode(), repr(b).encode()
    forward = check_tokens(left, right, float_absolute_tolerance=tolerance).verdict
    backward = check_tokens(right, left, float_absolute_tolerance=tolerance).verdict
    assert forward is backward
    assert (forward is Verdict.AC) == (abs(a - b) <= tolerance)


def test_integers_are_float_tokens_under_tolerance() -> None:
    # default_validator.cc: "200" parses as a double, so any spelling of 200 is accepted.
    tolerance = {"float_absolute_tolerance": 1e-9, "float_relative_tolerance": 1e-9}
    assert check_tokens(b"2.0e2", b"200", **tolerance).verdict is Verdict.AC
    assert check_tokens(b"0x1.9p7", b"200", **tolerance).verdict is Verdict.AC
    assert check_tokens(b"2.0e2", b"200").verdict is Verdict.WA


def test_inf_and_nan_are_not_float_tokens() -> None:
    tolerance = {"float_absolute_tolerance": 1e-6, "float_relative_tolerance": 1e-6}
    assert check_tokens(b"INF", b"inf", **tolerance).verdict is Verdict.AC  # string compare
    assert check_tokens(b"nan", b"nan", **tolerance).verdict is Verdict.AC
    assert check_tokens(b"1e400", b"inf", **tolerance).verdict is Verdict.WA
    result = check_tokens(b"nan", b"1.5", **tolerance)
    assert result.verdict is Verdict.WA and "expected a float" in result.message
    assert check_tokens(b"inf", b"1e308", **tolerance).verdict is Verdict.WA


def test_parse_float_token_follows_strtod() -> None:
    assert parse_float_token(b"-.5e1") == -5.0
    assert parse_float_token(b"5.") == 5.0
    assert parse_float_token(b"0x1p3") == 8.0
    assert parse_float_token(b"1_000") is None
    assert parse_float_token(b"1.5abc") is None
    assert parse_float_token(b"infinity") is None
    assert parse_float_token(b"1e") is None


@pytest.mark.slow
def test_multi_megabyte_output_is_fast() -> None:
    count = 1_000_000
    answer = b"\n".join(str(index * 7919 % 1000003).encode() for index in range(count)) + b"\n"
    output = answer.replace(b"\n", b" ")
    started = time.perf_counter()
    assert check_tokens(output, answer).verdict is Verdict.AC
    floats = check_tokens(
        output, answer, float_absolute_tolerance=1e-6, float_relative_tolerance=1e-9
    )
    assert floats.verdict is Verdict.AC
    wrong = output[:-3] + b"x \n"
    assert check_tokens(wrong, answer).verdict is Verdict.WA
    elapsed = time.perf_counter() - started
    assert elapsed < 10.0, f"{len(answer) / 1e6:.1f} MB took {elapsed:.2f} s"


# --- Kattis output validators -------------------------------------------------------------


def test_interpret_kattis_validator() -> None:
    assert interpret_kattis_validator(42, "") == CheckResult(Verdict.AC, None, "")
    assert interpret_kattis_validator(43, "wrong on line 3\n") == CheckResult(
        Verdict.WA, None, "wrong on line 3"
    )
    assert interpret_kattis_validator(42, "", "5.000000000e+01\n") == CheckResult(
        Verdict.AC, 50.0, ""
    )
    bad_score = interpret_kattis_validator(42, "", "lots")
    assert bad_score.verdict is Verdict.JE and "score.txt" in bad_score.message
    for code in (0, 1, 44, 134, None):
        crashed = interpret_kattis_validator(code, "boom")
        assert crashed.verdict is Verdict.JE and "boom" in crashed.message


# --- testlib --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "verdict"),
    [
        (0, Verdict.AC),
        (1, Verdict.WA),
        (2, Verdict.PE),
        (3, Verdict.JE),
        (4, Verdict.PE),
        (5, Verdict.JE),
        (8, Verdict.PE),
        (21, Verdict.WA),
        (-11, Verdict.JE),
        (None, Verdict.JE),
    ],
)
def test_interpret_testlib_exit_codes(code: int | None, verdict: Verdict) -> None:
    result = interpret_testlib(
        code, "wrong answer 1st numbers differ - expected: '3', found: '4'\n"
    )
    assert result.verdict is verdict
    assert result.score is None
    assert "1st numbers differ" in result.message


def test_interpret_testlib_points() -> None:
    assert interpret_testlib(7, "points 0.5\n") == CheckResult(Verdict.AC, 0.5, "points 0.5")
    assert interpret_testlib(7, "points 1 all good") == CheckResult(
        Verdict.AC, 1.0, "points 1 all good"
    )
    assert interpret_testlib(7, "points 0").verdict is Verdict.WA
    assert interpret_testlib(7, "points 30", points_scale=60).score == 0.5
    assert interpret_testlib(7, "points 1.5").verdict is Verdict.JE
    assert interpret_testlib(7, "points well done").verdict is Verdict.JE
    assert interpret_testlib(7, "").verdict is Verdict.JE


# --- CMS checkers and managers ---------------------------------------------------------------


def test_interpret_cms() -> None:
    assert interpret_cms(0, "1\n", "translate:success\n") == CheckResult(
        Verdict.AC, 1.0, "Output is correct"
    )
    assert interpret_cms(0, "0\n", "translate:wrong\n") == CheckResult(
        Verdict.WA, 0.0, "Output isn't correct"
    )
    partial = interpret_cms(0, "0.25\n", "translate:partial\n")
    assert partial == CheckResult(Verdict.AC, 0.25, "Output is partially correct")
    assert interpret_cms(0, "0.5", "Used 12 days") == CheckResult(Verdict.AC, 0.5, "Used 12 days")


@pytest.mark.parametrize(
    ("code", "stdout", "stderr"),
    [
        (1, "1\n", "ok"),
        (None, "", ""),
        (0, "", "translate:success"),
        (0, "yes\n", ""),
        (0, "1.5\n", ""),
        (0, "0\n", "Judge Failure; Contact staff!\nSecret mismatch in the (correct) answer file\n"),
    ],
)
def test_interpret_cms_judge_errors(code: int | None, stdout: str, stderr: str) -> None:
    assert interpret_cms(code, stdout, stderr).verdict is Verdict.JE


def test_interpret_cms_protocol_violation_is_the_candidates_failure() -> None:
    result = interpret_cms(0, "0\n", "Protocol Violation\nSolution[0] called exit()\n")
    assert result.verdict is Verdict.WA
    assert result.message == "protocol violation: Solution[0] called exit()"


# --- real checkers, compiled and run ---------------------------------------------------------

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")


def _compile(sources: list[Path], include: Path, binary: Path) -> None:
    subprocess.run(
        ["g++", "-O1", "-std=gnu++17", "-I", str(include), *map(str, sources), "-o", str(binary)],
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.mark.slow
@needs_gxx
@pytest.mark.skipif(not APLUSB.is_dir(), reason="../shared/problems absent")
def test_real_ioi_checker_results(tmp_path: Path) -> None:
    checker = tmp_path / "checker"
    _compile([APLUSB / "checker" / "checker.cpp"], APLUSB / "checker", checker)
    test_in, answer = APLUSB / "tests" / "1-01.in", APLUSB / "tests" / "1-01.out"
    secret, grader_status, value = answer.read_text().split("\n")[:3]

    def run(output_text: str, args: list[str] | None = None) -> CheckResult:
        output = tmp_path / "out.txt"
        output.write_text(output_text)
        argv = args if args is not None else [str(test_in), str(answer), str(output)]
        done = subprocess.run([str(checker), *argv], capture_output=True, text=True, timeout=60)
        return interpret_cms(done.returncode, done.stdout, done.stderr)

    assert run(answer.read_text()) == CheckResult(Verdict.AC, 1.0, "Output is correct")
    wrong = run(f"{secret}\n{grader_status}\n{int(value) + 1}\n")
    assert wrong.verdict is Verdict.WA and wrong.score == 0.0
    tampered = run(f"not-the-secret\nOK\n{value}\n")
    assert tampered.verdict is Verdict.WA and "protocol violation" in tampered.message
    assert run("", args=["only-one-argument"]).verdict is Verdict.JE


@pytest.mark.slow
@needs_gxx
@pytest.mark.skipif(not DIFFERENT.is_dir(), reason="../shared/problems absent")
def test_real_kattis_output_validator_results(tmp_path: Path) -> None:
    source = DIFFERENT / "output_validators" / "different_validator"
    validator = tmp_path / "validator"
    _compile([source / "validate.cc"], source, validator)
    test_in, answer = (
        DIFFERENT / "data" / "secret" / "01.in",
        DIFFERENT / "data" / "secret" / "01.ans",
    )

    def run(output: bytes, feedback: Path) -> CheckResult:
        done = subprocess.run(
            [str(validator), str(test_in), str(answer), str(feedback)],
            input=output,
            capture_output=True,
            timeout=60,
            cwd=tmp_path,  # a validator without its feedback folder writes here instead
        )
        message_file = feedback / "judgemessage.txt"
        score_file = feedback / "score.txt"
        return interpret_kattis_validator(
            done.returncode,
            message_file.read_text() if message_file.is_file() else "",
            score_file.read_text() if score_file.is_file() else None,
        )

    for name in ("ok", "wa"):
        (tmp_path / name).mkdir()
    assert run(answer.read_bytes(), tmp_path / "ok").verdict is Verdict.AC
    lines = answer.read_bytes().split(b"\n")
    lines[0] = str(int(lines[0]) + 1).encode()
    wrong = run(b"\n".join(lines), tmp_path / "wa")
    assert wrong.verdict is Verdict.WA and "judge answer" in wrong.message
    broken = run(answer.read_bytes(), tmp_path / "no-such-feedback-dir")
    assert broken.verdict is Verdict.JE
