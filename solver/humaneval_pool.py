"""A recorded HumanEval sample pool (CodeT's release) as selection pools.

The samples are the candidates and the model-written asserts are generated tests,
both post-processed by CodeT's own rules (microsoft/CodeT, `src/postprocess.py`):

- a completion is cut at the first of STOP_TOKENS; an empty sample list counts as
  one placeholder completion that fails; candidates are the distinct completion
  strings, each with its sample count;
- a test completion is split on "assert ", parts that do not mention the entry
  point or are blank are dropped, each is cut at the first stop token, and kept
  only if it compiles inside a try block; the first TEST_LIMIT (5) of each test
  sample are kept; the generated tests are the distinct strings, each with how many
  times it was kept (CodeT weights a consensus set by that count);
- the generated inputs (ours, not CodeT's) are the distinct calls of the entry point
  in those asserts, the MAX_INPUTS most often written.

Execution happens only in the sandbox, one run per distinct program: the harness
`solver/humaneval_harness.py` runs the hidden check under one TIMEOUT_S (0.1 s)
limit in a forked child, then executes the program once and each assert under its
own 0.1 s limit, then evaluates each generated input (for behavioural clustering).
Limits are CPU time, not CodeT's wall-clock time (see the harness). CodeT's
whole-run rule is kept: a run that aborts, is killed, or takes longer than
0.1 s x tests + 0.1 s passes no assert. Results are cached in SQLite under the
judge's cache folder, keyed by the content of the job and of the harness, so a
second run costs no execution.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import marshal
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge.cache import open_cache_db
from judge.paths import cache_root
from judge.pool import WorkerPool, worker_sandbox
from judge.sandbox import Process, ResourceLimits, RunRequest
from problems.errors import ProblemError
from problems.humaneval import (
    FunctionProblem,
    read_function_problems,
    read_jsonl,
    read_prompt_index,
)
from solver.candidates import Candidate, Outcome, Pool
from solver.code.centrality import centrality

STOP_TOKENS = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")
TEST_LIMIT = 5
TIMEOUT_S = 0.1
EMPTY_COMPLETION = "empty solution here, execution will fail"
MAX_INPUTS = 50  # generated inputs per task: the calls the model wrote most often

# The file names of CodeT's release (../shared/pools/codet-humaneval).
PROBLEMS_FILE = "HumanEval_for_code_generation.jsonl"
TEST_PROMPTS_FILE = "HumanEval_for_test_case_generation.jsonl"
SOLUTIONS_FILE = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl"
TESTS_FILE = "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl"
POOL_FILES = (PROBLEMS_FILE, TEST_PROMPTS_FILE, SOLUTIONS_FILE, TESTS_FILE)

HARNESS = Path(__file__).with_name("humaneval_harness.py")
# Bump when a change here (not in the harness file, which is hashed) changes results.
EXECUTION_VERSION = 1
BATCH = 16
# Sandbox limits around the harness's own timers (the harness enforces CodeT's).
CHECK_WALL_S = 2.0  # wall backstop of the hidden check (CodeT: timeout + 1 s)
RUN_MARGIN_S = 2.0
WALL_FACTOR = 4.0  # the harness limits CPU time; a loaded machine stretches wall time
INPUTS_BUDGET_S = 1.0  # CPU time for evaluating the generated inputs of one program
MEMORY_BYTES = 1 << 30
OUTPUT_BYTES = 16 << 20


@dataclass(frozen=True)
class HumanEvalTask:
    """One problem of the pool: distinct completions and distinct generated tests,
    each with its count, and the distinct entry-point calls found in the tests."""

    problem: FunctionProblem
    completions: tuple[str, ...]
    sample_counts: tuple[int, ...]
    tests: tuple[str, ...]
    test_counts: tuple[int, ...]
    inputs: tuple[str, ...]

    def program(self, index: int) -> str:
        """The code that defines the function for completion `index`."""
        return self.problem.prompt + self.completions[index] + "\n"


@dataclass(frozen=True)
class TaskRuns:
    """Execution results of one task, rows in completion order.

    `correct[i]`: completion i passes the hidden check. `passed[i][j]`: it passes
    generated test j under CodeT's rules. `outputs[i][k]`: its label on input k."""

    correct: tuple[bool, ...]
    passed: tuple[tuple[bool, ...], ...]
    outputs: tuple[tuple[str, ...], ...]


def extract_solution(text: str) -> str:
    """A completion cut at the first stop token (CodeT's `solution_extract`)."""
    for token in STOP_TOKENS:
        text = text.split(token)[0]
    return text


def _cut(text: str) -> str:
    for token in STOP_TOKENS:
        text = text.split(token)[0]
    return text.strip()


def _compiles_in_try(test: str) -> bool:
    """CodeT's validity check: the assert compiles as the body of a try block."""
    if not test.strip() or "assert" not in test:
        return False
    block = "try:\n    " + test.replace("\n", "\n    ") + "\nexcept:\n    pass\n"
    try:
        compile(block, "<test>", "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def extract_asserts(text: str, entry_point: str) -> list[str]:
    """The valid asserts of one model-written test completion, in order (CodeT's
    `test_case_extract`; the TEST_LIMIT cut is applied by the caller)."""
    parts = [
        f"assert {part}".strip()
        for part in f"assert {text}".split("assert ")
        if entry_point.strip() in part and part.strip()
    ]
    return [test for test in (_cut(part) for part in parts) if _compiles_in_try(test)]


def entry_calls(test: str, entry_point: str) -> list[str]:
    """The calls of the entry point in an assert, as normalised source (the inputs
    on which candidates' behaviours are compared); none if it does not parse."""
    try:
        tree = ast.parse(test)
    except (SyntaxError, ValueError):
        return []
    calls = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == entry_point
    ]
    return list(dict.fromkeys(calls))


def _samples_by_task(path: Path, index: dict[str, str]) -> dict[str, list[str]]:
    """task_id -> raw samples of a JSON-lines file whose rows carry `prompt` and
    `samples`, mapped to tasks by prompt as CodeT does."""
    by_task: dict[str, list[str]] = {}
    for number, row in read_jsonl(path):
        prompt, samples = row.get("prompt"), row.get("samples")
        if not isinstance(prompt, str) or not isinstance(samples, list):
            raise ProblemError(path, f"line {number}: needs a string 'prompt' and a list 'samples'")
        if prompt not in index:
            raise ProblemError(path, f"line {number}: the prompt matches no problem")
        if not all(isinstance(sample, str) for sample in samples):
            raise ProblemError(path, f"line {number}: 'samples' must hold strings")
        by_task.setdefault(index[prompt], []).extend(samples)
    return by_task


def _counted(values: Sequence[str]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    counts = Counter(values)
    return tuple(counts), tuple(counts.values())


def build_task(
    problem: FunctionProblem, samples: Sequence[str], tests: Sequence[str]
) -> HumanEvalTask:
    """One task from its raw code samples and raw test samples (CodeT's rules)."""
    completions = [extract_solution(sample) for sample in samples] or [EMPTY_COMPLETION]
    kept = [
        test
        for sample in tests
        for test in extract_asserts(sample, problem.entry_point)[:TEST_LIMIT]
    ]
    distinct_completions, sample_counts = _counted(completions)
    distinct_tests, test_counts = _counted(kept)
    weight: Counter[str] = Counter()
    for test, count in zip(distinct_tests, test_counts, strict=True):
        for call in entry_calls(test, problem.entry_point):
            weight[call] += count
    inputs = [call for call, _ in weight.most_common(MAX_INPUTS)]
    return HumanEvalTask(
        problem=problem,
        completions=distinct_completions,
        sample_counts=sample_counts,
        tests=distinct_tests,
        test_counts=test_counts,
        inputs=tuple(inputs),
    )


def load_tasks(pool_dir: Path, limit: int | None = None) -> list[HumanEvalTask]:
    """The tasks of a CodeT-format pool folder, in problem order (the first `limit`)."""
    every = read_function_problems(pool_dir / PROBLEMS_FILE)
    problems = every[:limit]
    solutions = _samples_by_task(
        pool_dir / SOLUTIONS_FILE, {problem.prompt: problem.task_id for problem in every}
    )
    tests = _samples_by_task(pool_dir / TESTS_FILE, read_prompt_index(pool_dir / TEST_PROMPTS_FILE))
    return [
        build_task(problem, solutions.get(problem.task_id, []), tests.get(problem.task_id, []))
        for problem in problems
    ]


# --- execution ---------------------------------------------------------------------


def _harness_digest() -> str:
    return hashlib.sha256(HARNESS.read_bytes()).hexdigest()


@functools.lru_cache(maxsize=4)
def compiled_tests(tests: tuple[str, ...]) -> bytes:
    """The asserts compiled once (a task's jobs share them) and marshalled: the
    harness then loads code objects instead of compiling each assert per run."""
    return marshal.dumps([compile(test, "<assert>", "exec") for test in tests])


@functools.lru_cache(maxsize=4)
def tests_digest(tests: tuple[str, ...]) -> str:
    """The cache identity of a task's asserts: a digest of their source (marshalled
    code is not byte-stable across processes, so it cannot be the key)."""
    return hashlib.sha256(json.dumps(tests).encode("utf-8", "surrogatepass")).hexdigest()


def program_job(task: HumanEvalTask, index: int) -> dict[str, Any]:
    """The harness job for completion `index`: the hidden check, then the task's
    generated tests and inputs (see solver/humaneval_harness.py)."""
    return {
        "check_program": task.problem.check_program(task.completions[index]),
        "check_wall": CHECK_WALL_S,
        "program": task.program(index),
        "tests_code": compiled_tests(task.tests),
        "tests_digest": tests_digest(task.tests),
        "inputs": list(task.inputs),
        "timeout": TIMEOUT_S,
        "deadline": TIMEOUT_S * len(task.tests) + TIMEOUT_S,
        "inputs_budget": INPUTS_BUDGET_S,
    }


def _limits(job: dict[str, Any]) -> ResourceLimits:
    cpu = job["check_wall"] + job["deadline"] + job["inputs_budget"] + RUN_MARGIN_S
    return ResourceLimits(
        cpu_time_s=cpu,
        wall_time_s=WALL_FACTOR * cpu,
        memory_bytes=MEMORY_BYTES,
        output_bytes=OUTPUT_BYTES,
        processes=2,  # the harness and its hidden-check child
    )


def run_jobs(jobs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run harness jobs one after another in this worker's sandbox (a WorkerPool job);
    each result is `_parse`d from the harness's output."""
    sandbox = worker_sandbox()
    results = []
    written: bytes | None = None
    with tempfile.TemporaryDirectory(prefix="cpsolve-humaneval-") as folder:
        job_file, tests_file = Path(folder) / "job.json", Path(folder) / "tests.bin"
        out_file = Path(folder) / "out.txt"
        for job in jobs:
            if job["tests_code"] is not written:
                tests_file.write_bytes(job["tests_code"])
                written = job["tests_code"]
            described = {name: value for name, value in job.items() if name != "tests_code"}
            job_file.write_text(json.dumps(described), encoding="utf-8")
            out_file.unlink(missing_ok=True)
            process = Process(
                argv=("python3", "harness.py", "job.json", "tests.bin"),
                limits=_limits(job),
                stdout="out.txt",
                python=True,
            )
            request = RunRequest(
                processes=(process,),
                files_in=(
                    ("harness.py", str(HARNESS)),
                    ("job.json", str(job_file)),
                    ("tests.bin", str(tests_file)),
                ),
                files_out=(("out.txt", str(out_file)),),
            )
            run = sandbox.run(request)
            if run.error is not None:  # a dead runner is restarted by the next run
                run = sandbox.run(request)
            if run.error is not None:
                raise RuntimeError(f"sandbox failure, twice: {run.error}")
            results.append(_parse(out_file, run.processes[0].status.value))
    return results


def _parse(out_file: Path, status: str) -> dict[str, Any]:
    """The harness's JSON lines merged into one dict (the first value of a key
    wins), plus "run": the sandbox status of the harness process."""
    result: dict[str, Any] = {"run": status}
    if not out_file.exists():
        return result
    for line in out_file.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            for name, item in value.items():
                result.setdefault(name, item)
    return result


class RunCache:
    """Harness results keyed by the content of the job and of the harness (SQLite)."""

    def __init__(self, path: Path) -> None:
        self._db = open_cache_db(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS runs (key TEXT PRIMARY KEY, result TEXT)")
        self._salt = json.dumps([EXECUTION_VERSION, _harness_digest()])

    def key(self, job: dict[str, Any]) -> str:
        """The cache key of a job."""
        described = {name: value for name, value in job.items() if name != "tests_code"}
        blob = self._salt + json.dumps(described, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached result, if any."""
        row = self._db.execute("SELECT result FROM runs WHERE key = ?", (key,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put_many(self, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Remember results (one transaction)."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO runs (key, result) VALUES (?, ?)",
                [(key, json.dumps(result)) for key, result in items],
            )

    def close(self) -> None:
        """Close the database."""
        self._db.close()


def default_cache_path() -> Path:
    """Where harness results are cached: a file in the judge's cache folder."""
    return cache_root() / "humaneval-runs.sqlite"


def _batches(items: Sequence[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def execute(
    jobs: Sequence[dict[str, Any]],
    workers: int | None = None,
    cache_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Results of harness jobs in job order: cached ones read back, the others run
    in sandboxes on a WorkerPool (`workers` processes; None: one per core)."""
    cache = RunCache(cache_path or default_cache_path())
    try:
        keys = [cache.key(job) for job in jobs]
        results: list[dict[str, Any] | None] = [cache.get(key) for key in keys]
        missing = [index for index, result in enumerate(results) if result is None]
        done = len(jobs) - len(missing)
        if progress:
            progress(done, len(jobs))
        if missing:
            with WorkerPool(workers) as pool:
                futures = {
                    pool.submit(run_jobs, [jobs[index] for index in batch]): batch
                    for batch in _batches(missing, BATCH)
                }
                for future in as_completed(futures):
                    batch, batch_results = futures[future], future.result()
                    for index, result in zip(batch, batch_results, strict=True):
                        results[index] = result
                    cache.put_many(
                        [(keys[i], r) for i, r in zip(batch, batch_results, strict=True)]
                    )
                    done += len(batch)
                    if progress:
                        progress(done, len(jobs))
        return [result for result in results if result is not None]
    finally:
        cache.close()


def codet_passes(result: dict[str, Any], tests: int) -> tuple[bool, ...]:
    """Which generated tests a tests-run passed, under CodeT's whole-run rule: a run
    that aborted, was killed, or outlived 0.1 s x tests + 0.1 s passes none."""
    passed = result.get("passed")
    if result.get("status") != "ok" or not isinstance(passed, list) or len(passed) != tests:
        return (False,) * tests
    return tuple(bool(value) for value in passed)


def behaviour_labels(result: dict[str, Any], inputs: int) -> tuple[str, ...]:
    """A run's label on each generated input ("!KILLED" for all when it printed none)."""
    outputs = result.get("outputs")
    if not isinstance(outputs, list) or len(outputs) != inputs:
        return ("!KILLED",) * inputs
    return tuple(str(label) for label in outputs)


def run_tasks(
    tasks: Sequence[HumanEvalTask],
    workers: int | None = None,
    cache_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[TaskRuns]:
    """Run every distinct completion of every task on the hidden check and on the
    task's generated tests (one sandbox run each, cached); results in task order."""
    jobs = [program_job(task, index) for task in tasks for index in range(len(task.completions))]
    results = iter(execute(jobs, workers, cache_path, progress))
    runs = []
    for task in tasks:
        correct, passed, outputs = [], [], []
        for _ in task.completions:
            result = next(results)
            correct.append(result.get("check") == "passed")
            passed.append(codet_passes(result, len(task.tests)))
            outputs.append(behaviour_labels(result, len(task.inputs)))
        runs.append(TaskRuns(tuple(correct), tuple(passed), tuple(outputs)))
    return runs


def candidate_id(completion: str) -> str:
    """A stable id of a completion: a prefix of its SHA-256."""
    return hashlib.sha256(completion.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def to_pool(task: HumanEvalTask, runs: TaskRuns) -> Pool:
    """The task as a selection pool: one Python candidate per distinct completion (no
    public tests; its generated-test passes and behaviour on the generated inputs),
    and the hidden check as the truth (one subtask worth 1)."""
    typical = centrality([(completion, "python") for completion in task.completions])
    candidates = tuple(
        Candidate(
            id=candidate_id(completion),
            language="python",
            source_length=len(completion),
            sample_count=count,
            generated_passed=passed,
            behaviour=labels,
            centrality=score,
        )
        for completion, count, passed, labels, score in zip(
            task.completions, task.sample_counts, runs.passed, runs.outputs, typical, strict=True
        )
    )
    truth = {
        candidate.id: Outcome({"all": 1.0 if correct else 0.0})
        for candidate, correct in zip(candidates, runs.correct, strict=True)
    }
    return Pool(
        problem=task.problem.task_id,
        candidates=candidates,
        generated_inputs=task.inputs,
        truth=truth,
        generated_test_counts=task.test_counts,
    )
