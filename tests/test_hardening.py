"""Hardening beyond the hostile programs: the runner always runs the installed
cpsolve, the token checker streams (bounded memory, chunking invisible), and the
compiler can neither flood the judge with diagnostics nor fill the cache with a
huge program."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judge import checkers
from judge.checkers import check_token_files, check_tokens
from judge.compile import LOG_TAIL_BYTES, MAX_ARTIFACT_BYTES, Build, compile_build
from judge.programs import Program
from judge.sandbox import LocalSandbox
from judge.verdicts import Verdict

REPO = Path(__file__).resolve().parents[1]
AVAILABLE, WHY_NOT = LocalSandbox.available()
needs_sandbox = pytest.mark.skipif(not AVAILABLE, reason=WHY_NOT)


# --- the runner runs the installed code -------------------------------------------------

FAKE_RUNNER = """
import pathlib, sys
pathlib.Path(sys.argv[0]).with_name("IMPORTED").touch()
pathlib.Path({marker!r}).write_text("fake runner ran")
print('{{"ready": true}}', flush=True)
for line in sys.stdin:
    print('{{"error": null, "processes": []}}', flush=True)
"""


@needs_sandbox
def test_runner_ignores_a_judge_package_in_the_current_folder(tmp_path: Path) -> None:
    """Started from a folder holding its own `judge/` package (and with that
    folder on PYTHONPATH), the sandbox still runs the installed runner: the fake
    one is never imported and a real program runs."""
    marker = tmp_path / "fake-ran"
    fake = tmp_path / "judge" / "sandbox"
    fake.mkdir(parents=True)
    (tmp_path / "judge" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "runner.py").write_text(FAKE_RUNNER.format(marker=str(marker)))
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from judge.sandbox import LocalSandbox, Process, ResourceLimits, RunRequest\n"
        "limits = ResourceLimits(2.0, 5.0, 64 << 20, 1 << 20)\n"
        "with LocalSandbox(worker=5) as box:\n"
        "    result = box.run(RunRequest(processes=(Process(('/bin/true',), limits),)))\n"
        "print(result.error, [p.status.value for p in result.processes])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None ['ok']"
    assert not marker.exists()


# --- the token checker streams ----------------------------------------------------------

TOKEN_TEXT = st.text(alphabet="ab1.5e-XY \t\n\r\x0b\x0c", max_size=60).map(str.encode)
FLAGS = st.fixed_dictionaries(
    {
        "case_sensitive": st.booleans(),
        "space_change_sensitive": st.booleans(),
        "float_absolute_tolerance": st.sampled_from([None, 0.0, 0.5]),
        "float_relative_tolerance": st.sampled_from([None, 1e-3]),
    }
)


@settings(max_examples=300, deadline=None)
@given(output=TOKEN_TEXT, answer=TOKEN_TEXT, flags=FLAGS, chunk=st.integers(1, 7))
def test_chunk_size_never_changes_the_result(
    output: bytes, answer: bytes, flags: dict[str, object], chunk: int
) -> None:
    """Tokens and whitespace cut at any chunk boundary give the same verdict and
    message as a single chunk holding everything."""
    whole = check_tokens(output, answer, **flags)  # type: ignore[arg-type]
    saved = checkers.CHUNK_BYTES
    checkers.CHUNK_BYTES = chunk
    try:
        assert check_tokens(output, answer, **flags) == whole  # type: ignore[arg-type]
    finally:
        checkers.CHUNK_BYTES = saved


@settings(max_examples=200, deadline=None)
@given(
    tokens=st.lists(st.text(alphabet="abAB19", min_size=1, max_size=4), max_size=30),
    data=st.data(),
)
def test_streaming_matches_a_plain_split_comparison(tokens: list[str], data: st.DataObject) -> None:
    """Without tolerances, AC exactly when the whitespace-split token lists are
    equal (ASCII case folded), whatever whitespace and chunking are used."""
    other = data.draw(st.lists(st.sampled_from([*tokens, "b", "A"]), max_size=30))
    gaps = data.draw(st.lists(st.sampled_from([" ", "\n", "\t ", "\r\n"]), min_size=31))
    output = "".join(t + g for t, g in zip(tokens, gaps, strict=False)).encode()
    answer = " ".join(other).encode()
    saved = checkers.CHUNK_BYTES
    checkers.CHUNK_BYTES = data.draw(st.integers(1, 9))
    try:
        result = check_tokens(output, answer)
    finally:
        checkers.CHUNK_BYTES = saved
    equal = [t.lower() for t in tokens] == [t.lower() for t in other]
    assert (result.verdict is Verdict.AC) == equal, result


def test_comparing_a_full_output_of_short_tokens_holds_little_memory(tmp_path: Path) -> None:
    """16 MiB of one-byte tokens compared with an equal answer file: the memory
    the comparison allocates stays under 4 MiB (the whole-output version took
    about 60 times the output's size)."""
    size = 16 << 20
    output, answer = tmp_path / "output", tmp_path / "answer"
    output.write_bytes(b"1 " * (size // 2))
    answer.write_bytes(b"1\n" * (size // 2))
    tracemalloc.start()
    try:
        result = check_token_files(output, answer)
        missing = check_token_files(output, None)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.verdict is Verdict.AC
    assert missing.verdict is Verdict.WA and "extra output at token 1 " in missing.message
    assert peak < 4 << 20, f"peak {peak / 2**20:.1f} MiB"


@settings(max_examples=200, deadline=None)
@given(
    token=st.text(alphabet="aAb", min_size=1, max_size=40).map(str.encode),
    other=st.text(alphabet="aAb", min_size=1, max_size=40).map(str.encode),
    flags=FLAGS,
    long_at=st.integers(1, 12),
    chunk=st.integers(1, 7),
)
def test_long_tokens_compare_as_if_held_whole(
    token: bytes, other: bytes, flags: dict[str, object], long_at: int, chunk: int
) -> None:
    """Tokens longer than LONG_TOKEN_BYTES are folded into a digest, yet the
    verdict is the one of comparing them whole (case folding included)."""
    output, answer = b"x " + token + b"\n1", b"x " + other + b"\n1"
    whole = check_tokens(output, answer, **flags)  # type: ignore[arg-type]
    saved = checkers.CHUNK_BYTES, checkers.LONG_TOKEN_BYTES
    checkers.CHUNK_BYTES, checkers.LONG_TOKEN_BYTES = chunk, long_at
    try:
        folded = check_tokens(output, answer, **flags)  # type: ignore[arg-type]
    finally:
        checkers.CHUNK_BYTES, checkers.LONG_TOKEN_BYTES = saved
    assert folded.verdict == whole.verdict, (folded, whole)


def test_one_token_filling_the_output_holds_little_memory(tmp_path: Path) -> None:
    """A 16 MiB output without whitespace, against an answer with the same
    token (AC) and with one differing last byte (WA): under 4 MiB allocated."""
    output, same, other = tmp_path / "output", tmp_path / "same", tmp_path / "other"
    output.write_bytes(b"7" * (16 << 20))
    same.write_bytes(b"7" * (16 << 20) + b"\n")
    other.write_bytes(b"7" * ((16 << 20) - 1) + b"8")
    tracemalloc.start()
    try:
        equal = check_token_files(output, same)
        differs = check_token_files(output, other)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert equal.verdict is Verdict.AC
    assert differs.verdict is Verdict.WA and differs.message.startswith(
        "tokens differ at token 1 (output line 1): expected '7777"
    )
    assert peak < 4 << 20, f"peak {peak / 2**20:.1f} MiB"


def test_mismatch_far_into_a_long_output_is_located(tmp_path: Path) -> None:
    """The failure message names the right token and line of a multi-chunk output."""
    lines = [f"{index} {index * 3}\n".encode() for index in range(200_000)]
    answer = b"".join(lines)
    lines[150_000] = b"150000 7\n"
    result = check_tokens(b"".join(lines), answer)
    assert result.verdict is Verdict.WA
    assert result.message == (
        "tokens differ at token 300002 (output line 150001): expected '450000', got '7'"
    )


# --- the compiler cannot flood the judge or the cache -----------------------------------

FLOOD_SOURCE = """
#include <map>
template <int N> struct T {
    using type = std::map<typename T<N - 1>::type, typename T<N - 1>::type>;
};
template <> struct T<0> { using type = int; };
int main() { T<9>::type x = 1; T<9>::type y = 1; }
"""
HUGE_SOURCE = f"""
char huge[{MAX_ARTIFACT_BYTES + (8 << 20)}] = {{1}};
int main() {{ return huge[12345]; }}
"""


@pytest.fixture(scope="module")
def sandbox() -> Iterator[LocalSandbox]:
    with LocalSandbox(worker=6) as box:
        yield box


@needs_sandbox
@pytest.mark.slow
def test_a_diagnostics_flood_keeps_only_a_tail(sandbox: LocalSandbox, tmp_path: Path) -> None:
    """Tens of MiB of diagnostics: a compile error whose message is the last
    LOG_TAIL_BYTES (the flood is never read whole)."""
    program = Program(language="cpp", files=(("main.cpp", FLOOD_SOURCE.encode()),))
    compiled = compile_build(Build(program), sandbox, tmp_path / "cache")
    assert not compiled.ok and not compiled.judge_error
    assert 0 < len(compiled.message.encode()) <= LOG_TAIL_BYTES * 4
    assert "std::map" in compiled.message


@needs_sandbox
@pytest.mark.slow
def test_a_huge_compiled_program_is_a_compile_error_and_not_cached(
    sandbox: LocalSandbox, tmp_path: Path
) -> None:
    """A program whose binary is over MAX_ARTIFACT_BYTES is refused with a clear
    message, and no binary of it is kept in the cache."""
    program = Program(language="cpp", files=(("main.cpp", HUGE_SOURCE.encode()),))
    cache = tmp_path / "cache"
    compiled = compile_build(Build(program), sandbox, cache)
    assert not compiled.ok and not compiled.judge_error
    assert "over the 64 MiB limit on compiled programs" in compiled.message
    kept = [path for path in cache.rglob("*") if path.is_file()]
    assert all(path.stat().st_size < 1 << 20 for path in kept), kept
