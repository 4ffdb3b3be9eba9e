"""Programs run on input-only tests: what a run printed, kept as a digest (and the
bytes, content-addressed, on request), so that two programs can be compared on an
input that has no answer file. Runs go through the judge's worker pool and are
cached like judged results (key: build, input, limits), in `outputs.sqlite` next
to the result cache; output bytes live in `outputs/<digest[:2]>/<digest>`.

`agree_job` / `outputs_agree` compare two stored outputs with the problem's
checker, the first taken as the answer: the way to tell whether two programs'
answers are equivalent where a problem accepts many answers.

Memory: an output is never held whole. Digests (`file_sha256`,
`token_digest_stream`) hash it CHUNK_BYTES at a time, the bytes are moved or
copied into the store file to file, and the token checker compares two outputs
a chunk at a time (judge.checkers); a program checker reads them in the sandbox.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from judge import checkers, schedule
from judge.cache import agreement_key, file_digest, limits_key, open_cache_db, output_key
from judge.compile import Build, Compiled
from judge.execute import (
    Setup,
    _candidate_process,
    _check_output,
    _program_files,
    candidate_verdict,
    scratch_root,
)
from judge.pool import worker_sandbox
from judge.sandbox import RunRequest
from judge.session import Judge
from judge.verdicts import Verdict
from problems.model import CheckerKind, GraderKind, Problem, TestCase

SCHEMA = """
CREATE TABLE IF NOT EXISTS outputs (key TEXT PRIMARY KEY, run TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agreements (key TEXT PRIMARY KEY, agree INTEGER NOT NULL);
"""
BATCH = 8


@dataclass(frozen=True)
class RunOutput:
    """One program run on one input. `verdict` is None for a clean run, else what
    ended it (TLE, RE, MLE, OLE; CE when the program does not build; JE when the
    sandbox failed). `digest` is the sha256 of stdout ("" unless clean)."""

    verdict: Verdict | None
    digest: str
    cpu_time_s: float
    memory_bytes: int

    def to_json(self) -> str:
        """The cached form."""
        return json.dumps(
            [
                self.verdict.name if self.verdict else None,
                self.digest,
                self.cpu_time_s,
                self.memory_bytes,
            ]
        )

    @staticmethod
    def from_json(text: str) -> RunOutput:
        """Read the cached form back."""
        verdict, digest, cpu, memory = json.loads(text)
        return RunOutput(Verdict[verdict] if verdict else None, digest, cpu, memory)


def supports_output_runs(problem: Problem) -> bool:
    """True when a run's stdout is the program's answer (batch problems, linked
    graders); interactive and Communication tasks have no such output."""
    return problem.grader.kind in (GraderKind.NONE, GraderKind.LINKED)


def blob_path(cache_dir: Path, digest: str) -> Path:
    """Where the output bytes with this digest are kept."""
    return cache_dir / "outputs" / digest[:2] / digest


def read_output(cache_dir: Path, digest: str) -> bytes:
    """The stored bytes of an output, whole (FileNotFoundError when never kept):
    for small outputs and tests; the judge itself streams (`open_output`)."""
    return blob_path(cache_dir, digest).read_bytes()


def open_output(cache_dir: Path, digest: str) -> BinaryIO:
    """The stored bytes of an output as a binary file to read in chunks."""
    return open(blob_path(cache_dir, digest), "rb")


CHUNK_BYTES = 1 << 16
"""How much of an output a digest reads at a time: a 64 KiB chunk of 1-byte
tokens splits into 32 Ki small bytes objects, about 2 MiB."""


def file_sha256(path: Path) -> str:
    """The sha256 (hex) of a file's bytes, read in chunks."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def token_digest_stream(stream: BinaryIO, case_sensitive: bool) -> str:
    """The sha256 (hex) of an output's tokens joined by one space (ASCII
    lower-cased unless `case_sensitive`): equal for outputs that differ only in
    whitespace. Reads CHUNK_BYTES at a time, so memory stays bounded whatever
    the output; the value is that of `sha256(b" ".join(data.split()))`, a token
    cut by a chunk boundary being joined back without a space."""
    digest = hashlib.sha256()
    started = False  # a token has been hashed
    open_token = False  # the last byte read ends a token that the next may continue
    while chunk := stream.read(CHUNK_BYTES):
        if not case_sensitive:
            chunk = chunk.lower()
        tokens = chunk.split()
        if tokens:
            continues = open_token and not chunk[:1].isspace()
            if started and not continues:
                digest.update(b" ")
            digest.update(b" ".join(tokens))
            started = True
        open_token = not chunk[-1:].isspace()
    return digest.hexdigest()


def output_token_digest(cache_dir: Path, digest: str, case_sensitive: bool) -> str:
    """`token_digest_stream` of a stored output."""
    with open_output(cache_dir, digest) as stream:
        return token_digest_stream(stream, case_sensitive)


def output_batch_job(
    compiled: Compiled, setup: Setup, inputs: tuple[str, ...], keep_dir: str | None
) -> list[RunOutput]:
    """Run `compiled` on each input file in this worker's sandbox; hash what it
    printed and, with `keep_dir`, store the bytes there content-addressed."""
    results = []
    for input_path in inputs:
        with tempfile.TemporaryDirectory(prefix="cpsolve-out-", dir=scratch_root()) as tmp:
            output = Path(tmp) / "output"
            request = RunRequest(
                processes=(_candidate_process(compiled, setup, "input", "output"),),
                files_in=_program_files(compiled) + (("input", input_path),),
                files_out=(("output", str(output)),),
            )
            result = worker_sandbox().run(request)
            if result.error is not None:
                results.append(RunOutput(Verdict.JE, "", 0.0, 0))
                continue
            outcome = result.processes[0]
            verdict = candidate_verdict(outcome, setup.time_s)
            if verdict is not None:
                results.append(RunOutput(verdict, "", outcome.cpu_time_s, outcome.memory_bytes))
                continue
            output.touch()  # a program that printed nothing may leave no file
            digest = file_sha256(output)
            if keep_dir is not None:
                _store_blob(Path(keep_dir), digest, output)
            results.append(RunOutput(None, digest, outcome.cpu_time_s, outcome.memory_bytes))
    return results


def _store_blob(cache_dir: Path, digest: str, source: Path) -> None:
    """Move the file `source` (which is consumed) into the store under `digest`
    (copied file to file where the store is on another file system)."""
    path = blob_path(cache_dir, digest)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{digest}.{os.getpid()}")
    shutil.move(source, tmp)
    os.replace(tmp, path)


def agree_job(setup: Setup, input_path: str, answer_path: str, output_path: str) -> bool:
    """Whether the problem's checker accepts the output at `output_path` for the
    input, taking `answer_path` as the judge's answer (run in this worker)."""
    test = TestCase("compare", Path(input_path), Path(answer_path))
    if setup.problem.checker.kind is CheckerKind.TOKENS:
        # a token comparison needs no sandbox: it runs in the caller's process too
        options = setup.problem.checker.token_options
        check = checkers.check_token_files(Path(output_path), test.answer_path, options)
        return check.verdict is Verdict.AC and (check.score is None or check.score > 0)
    with tempfile.TemporaryDirectory(prefix="cpsolve-agree-", dir=scratch_root()) as tmp:
        check = _check_output(setup, test, Path(output_path), worker_sandbox(), Path(tmp))
    return check.verdict is Verdict.AC and (check.score is None or check.score > 0)


class OutputRunner:
    """Runs programs on input files through a Judge's pool and cache."""

    def __init__(self, judge: Judge) -> None:
        self.judge = judge
        self.cache_dir = judge.cache_dir
        self._db = open_cache_db(self.cache_dir / "outputs.sqlite")
        self._db.executescript(SCHEMA)
        self._input_digests: dict[Path, str] = {}

    def close(self) -> None:
        """Close the output cache."""
        self._db.close()

    def __enter__(self) -> OutputRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _input_digest(self, path: Path) -> str:
        if path not in self._input_digests:
            self._input_digests[path] = file_digest(path)
        return self._input_digests[path]

    def _key(self, build_key: str, input_digest: str, setup: Setup) -> str:
        return output_key(build_key, input_digest, limits_key(setup))

    def compile(self, problem: Problem, programs: list[Build | str]) -> list[Compiled | str]:
        """Compile builds (a str stands for a program that cannot be built: kept)."""
        return self.judge.compile_each(programs)

    def run(
        self,
        problem: Problem,
        programs: list[Build | str],
        inputs: list[Path],
        keep_bytes: bool = False,
    ) -> list[list[RunOutput]]:
        """Per program, per input: the run's RunOutput (cached runs are reused; a
        program that cannot be built gets CE everywhere, one whose build failed in
        the sandbox JE). With `keep_bytes` every clean output's bytes are stored
        (see `read_output`); cached runs whose bytes are missing are re-run."""
        if not supports_output_runs(problem):
            raise ValueError(f"{problem.name}: interactive tasks have no output to compare")
        setup = self.judge.setup(problem)
        job_setup = schedule.job_setup(setup)
        compiled_list = self.compile(problem, programs)
        digests = [self._input_digest(path) for path in inputs]
        table: list[list[RunOutput | None]] = [[None] * len(inputs) for _ in programs]
        pending: dict[tuple[str, int], list[int]] = {}
        unique: dict[str, Compiled] = {}
        for row, compiled in enumerate(compiled_list):
            if isinstance(compiled, str) or not compiled.ok:
                failed = (
                    Verdict.JE
                    if not isinstance(compiled, str) and compiled.judge_error
                    else Verdict.CE
                )
                table[row] = [RunOutput(failed, "", 0.0, 0)] * len(inputs)
                continue
            for column, digest in enumerate(digests):
                job = (compiled.key, column)
                if job in pending:
                    pending[job].append(row)
                    continue
                cached = self._get(self._key(compiled.key, digest, setup))
                if cached is not None and (
                    not keep_bytes
                    or cached.verdict is not None
                    or blob_path(self.cache_dir, cached.digest).exists()
                ):
                    table[row][column] = cached
                    continue
                pending[job] = [row]
                unique[compiled.key] = compiled
        by_build: dict[str, list[int]] = {}
        for build_key, column in pending:
            by_build.setdefault(build_key, []).append(column)
        futures: list[tuple[Future[list[RunOutput]], str, list[int]]] = []
        keep = str(self.cache_dir) if keep_bytes else None
        for build_key, columns in by_build.items():
            for start in range(0, len(columns), BATCH):
                chunk = columns[start : start + BATCH]
                future = self.judge.pool.submit(
                    output_batch_job,
                    unique[build_key],
                    job_setup,
                    tuple(str(inputs[c].resolve()) for c in chunk),
                    keep,
                )
                futures.append((future, build_key, chunk))
        with self._db:
            for future, build_key, chunk in futures:
                for column, result in zip(chunk, future.result(), strict=True):
                    if result.verdict is not Verdict.JE:
                        self._db.execute(
                            "INSERT OR REPLACE INTO outputs (key, run) VALUES (?, ?)",
                            (self._key(build_key, digests[column], setup), result.to_json()),
                        )
                    for row in pending[(build_key, column)]:
                        table[row][column] = result
        return [[cell for cell in row if cell is not None] for row in table]

    def _get(self, key: str) -> RunOutput | None:
        row = self._db.execute("SELECT run FROM outputs WHERE key = ?", (key,)).fetchone()
        return None if row is None else RunOutput.from_json(row[0])

    def agree(self, problem: Problem, pairs: list[tuple[Path, str, str]]) -> list[bool]:
        """For each (input, answer digest, output digest): does the problem's checker
        accept the output when the other is the answer? Equal digests agree; a
        token checker runs in this process; a program checker in the pool. The
        bytes of both outputs must have been kept (`run(..., keep_bytes=True)`)."""
        setup = self.judge.setup(problem)
        checker_key = self.judge.checker_key(setup)
        answers: list[bool | None] = []
        futures: dict[int, tuple[Future[bool], str]] = {}
        job_setup = schedule.job_setup(setup)
        for index, (input_path, answer, output) in enumerate(pairs):
            if answer == output:
                answers.append(True)
                continue
            key = agreement_key(checker_key, self._input_digest(input_path), answer, output)
            row = self._db.execute("SELECT agree FROM agreements WHERE key = ?", (key,)).fetchone()
            if row is not None:
                answers.append(bool(row[0]))
                continue
            answers.append(None)
            if problem.checker.kind is CheckerKind.TOKENS:
                result = agree_job(
                    setup,
                    str(input_path.resolve()),
                    str(blob_path(self.cache_dir, answer)),
                    str(blob_path(self.cache_dir, output)),
                )
                answers[index] = result
                self._put_agreement(key, result)
            else:
                future = self.judge.pool.submit(
                    agree_job,
                    job_setup,
                    str(input_path.resolve()),
                    str(blob_path(self.cache_dir, answer)),
                    str(blob_path(self.cache_dir, output)),
                )
                futures[index] = (future, key)
        for index, (future, key) in futures.items():
            answers[index] = future.result()
            self._put_agreement(key, bool(answers[index]))
        return [bool(answer) for answer in answers]

    def _put_agreement(self, key: str, agree: bool) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO agreements (key, agree) VALUES (?, ?)", (key, int(agree))
            )
