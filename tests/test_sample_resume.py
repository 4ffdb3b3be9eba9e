"""Tests of the sampling driver (solver/sample.py) with a small deterministic
engine and a real SQLite store: chunking, seeds, resume, dedup, batching."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from problems import model
from solver.sample import (
    EngineCall,
    SampleError,
    SampleReport,
    chunk_sizes,
    plan_calls,
    sample_problem,
    sample_prompts,
)
from solver.sampling.engine import Completion, Prompt, SamplingParams
from solver.sampling.seeds import call_seed
from solver.store import RunStore, StoreError
from solver.store.problems import ProblemRow


class HashEngine:
    """A real, deterministic engine: completion i of a call is a fenced C++
    program whose constant comes from a hash of (seed, prompt, i) modulo
    `distinct`, so duplicates occur; every `failure_every`-th completion has no
    code block. It records the calls it served."""

    name = "hash"
    model = "hash-v1"

    def __init__(self, distinct: int = 23, failure_every: int = 9) -> None:
        self.distinct = distinct
        self.failure_every = failure_every
        self.calls: list[tuple[tuple[str, ...], SamplingParams]] = []

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """`params.n` completions per prompt, deterministic for `params.seed`."""
        self.calls.append((tuple(p.key() for p in prompts), params))
        return [[self._one(p, i, params.seed) for i in range(params.n)] for p in prompts]

    def _one(self, prompt: Prompt, index: int, seed: int) -> Completion:
        digest = hashlib.sha256(f"{seed}/{prompt.key()}/{index}".encode()).digest()
        value = int.from_bytes(digest[:4], "big")
        if value % self.failure_every == 0:
            text = "I cannot solve this."
        else:
            text = f"```cpp\nint main() {{ return {value % self.distinct}; }}\n```\n"
        return Completion(
            prompt_key=prompt.key(),
            index=index,
            text=text,
            num_tokens=len(text.split()),
            logprob=-(value % 1000) / 100,
            engine=self.name,
            model=self.model,
            seed=seed,
        )


class FailingEngine(HashEngine):
    """The same engine, but its call number `fail_at` raises - a crash mid-run."""

    def __init__(self, fail_at: int) -> None:
        super().__init__()
        self.fail_at = fail_at

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """As HashEngine, until call `fail_at`."""
        if len(self.calls) == self.fail_at:
            raise ConnectionError("engine went away")
        return super().generate(prompts, params)


class GappyEngine(HashEngine):
    """Gives up on every third candidate, as the mutants engine may: fewer than
    n completions, their indices keep the candidate numbers."""

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """The HashEngine completions without indices divisible by three."""
        return [[c for c in row if c.index % 3] for row in super().generate(prompts, params)]


class OverEngine(HashEngine):
    """Breaks the engine contract: returns one completion too many."""

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """n + 1 completions per prompt."""
        more = dataclasses.replace(params, n=params.n + 1)
        return super().generate(prompts, more)


def make_problem(root: Path) -> model.Problem:
    """A tiny scoring problem with two subtasks and one sample test on disk."""
    (root / "data" / "sample").mkdir(parents=True)
    (root / "data" / "sample" / "1.in").write_text("1 2\n")
    (root / "data" / "sample" / "1.ans").write_text("3\n")
    sample = model.TestCase(
        "sample/1", root / "data/sample/1.in", root / "data/sample/1.ans", "sample"
    )
    group = model.TestGroup(
        "secret",
        (
            model.TestGroup("group1", ("sample/1",), points=40),
            model.TestGroup("group2", ("sample/1",), points=60),
        ),
    )
    return model.Problem(
        name="addition",
        title="Addition",
        root=root,
        format="kattis-2023-07",
        type=model.ProblemType.SCORING,
        statement="Add two numbers.\n\n## Subtask 1\nsmall\n\n## Subtask 2\nlarge\n",
        limits=model.Limits(time_s=1.0),
        tests=(sample,),
        root_group=group,
        max_score=100,
    )


def pool(
    store: RunStore, problem: str
) -> tuple[list[tuple[str, str, int]], list[tuple[object, ...]]]:
    """The pool as comparable values: candidates (language, hash, count) and
    samples (prompt, index, chunk, program hash or None, tokens, logprob)."""
    candidates = store.candidates(problem)
    hashes = {c.id: c.source_hash for c in candidates}
    samples = [
        (
            s.prompt_key,
            s.sample_index,
            s.chunk,
            hashes.get(s.candidate_id or -1),
            s.num_tokens,
            s.logprob,
        )
        for s in store.samples()
    ]
    return sorted((c.language, c.source_hash, c.sample_count) for c in candidates), samples


PARAMS = SamplingParams(temperature=0.7, seed=11)


def test_chunk_sizes_split_n() -> None:
    assert chunk_sizes(10, 4) == [4, 4, 2]
    assert chunk_sizes(8, 4) == [4, 4]
    assert chunk_sizes(0, 4) == []
    with pytest.raises(SampleError):
        chunk_sizes(5, 0)


def test_call_seed_depends_on_every_part() -> None:
    seeds = {
        call_seed(base, chunk, keys)
        for base in (0, 1)
        for chunk in (0, 1, 2)
        for keys in (["a"], ["b"], ["a", "b"])
    }
    assert len(seeds) == 18
    assert call_seed(5, 3, ["k"]) == call_seed(5, 3, ["k"])
    assert all(0 <= seed < 2**31 for seed in seeds)


def test_plan_calls_covers_every_pending_chunk_once() -> None:
    prompts = [
        Prompt(messages=({"role": "user", "content": str(i)},), language="cpp") for i in range(5)
    ]
    keys = [p.key() for p in prompts]
    done = {keys[0]: {0, 1}, keys[3]: {1}}
    calls = plan_calls(prompts, [4, 4, 1], done, prompts_per_call=2)
    units = [(p.key(), call.chunk) for call in calls for p in call.prompts]
    expected = [(k, j) for j in range(3) for k in keys if j not in done.get(k, set())]
    assert sorted(units) == sorted(expected)
    assert len(units) == len(set(units))
    assert calls[0] == EngineCall(0, 4, (prompts[1],))
    assert all(len(call.prompts) <= 2 for call in calls)
    assert [call.size for call in calls if call.chunk == 2] == [1, 1, 1]


def test_full_run_counts_every_sample_once(tmp_path: Path) -> None:
    problem = make_problem(tmp_path / "problem")
    engine = HashEngine()
    with RunStore.open(tmp_path / "run") as store:
        report = sample_problem(
            problem, engine, store, n=110, params=PARAMS, languages=("cpp", "python"),
            per_subtask=True, chunk_size=25,
        )  # fmt: skip
        prompts = store.prompts("addition")
        assert len(prompts) == 4, "two languages x two subtasks"
        for prompt in prompts:
            indices = [s.sample_index for s in store.samples(prompt.key)]
            assert indices == list(range(110))
            assert store.done_chunks(prompt.key) == {0, 1, 2, 3, 4}
        summary = store.summary()
        candidates = store.candidates("addition")
    assert report.samples == summary.samples == 440
    assert report.skipped_samples == 0
    assert report.extraction_failures == summary.extraction_failures > 0
    assert report.distinct_programs == len(candidates)
    assert summary.sampled_into_candidates + summary.extraction_failures == 440
    assert report.tokens == summary.tokens
    assert any(c.sample_count > 1 for c in candidates), "the engine repeats programs"
    assert {c.target_subtask for c in candidates} <= {"group1", "group2"}
    # one call per chunk index: four prompts fit one call
    assert len(engine.calls) == 5
    assert [params.n for _, params in engine.calls] == [25, 25, 25, 25, 10]
    assert len({params.seed for _, params in engine.calls}) == 5


def test_resume_after_crash_equals_uninterrupted_run(tmp_path: Path) -> None:
    problem = make_problem(tmp_path / "problem")

    def run(engine: HashEngine, store: RunStore) -> SampleReport:
        return sample_problem(
            problem, engine, store, n=100, params=PARAMS, languages=("cpp", "python"),
            chunk_size=10, prompts_per_call=1,
        )  # fmt: skip

    with RunStore.open(tmp_path / "whole") as store:
        run(HashEngine(), store)
        expected = pool(store, "addition")

    with RunStore.open(tmp_path / "resumed") as store:
        with pytest.raises(ConnectionError):
            run(FailingEngine(fail_at=7), store)
        assert store.summary().samples == 70
        again = HashEngine()
        report = run(again, store)
        assert report.skipped_samples == 70
        assert report.samples == 130
        assert len(again.calls) == 13
        assert pool(store, "addition") == expected
        assert store.check_integrity() == ["ok"]


def test_finished_run_is_not_sampled_again(tmp_path: Path) -> None:
    problem = make_problem(tmp_path / "problem")
    with RunStore.open(tmp_path / "run") as store:
        sample_problem(problem, HashEngine(), store, n=30, params=PARAMS, chunk_size=10)
        before = pool(store, "addition")
        engine = HashEngine()
        report = sample_problem(problem, engine, store, n=30, params=PARAMS, chunk_size=10)
        assert engine.calls == []
        assert (report.samples, report.skipped_samples) == (0, 30)
        assert pool(store, "addition") == before


def test_larger_n_draws_only_the_new_chunks(tmp_path: Path) -> None:
    problem = make_problem(tmp_path / "problem")
    with RunStore.open(tmp_path / "small") as store:
        sample_problem(problem, HashEngine(), store, n=30, params=PARAMS, chunk_size=10)
        engine = HashEngine()
        report = sample_problem(problem, engine, store, n=50, params=PARAMS, chunk_size=10)
        grown = pool(store, "addition")
    assert (report.samples, report.skipped_samples, len(engine.calls)) == (20, 30, 2)
    with RunStore.open(tmp_path / "large") as store:
        sample_problem(problem, HashEngine(), store, n=50, params=PARAMS, chunk_size=10)
        assert pool(store, "addition") == grown


def test_resume_with_other_chunk_size_or_seed_is_refused(tmp_path: Path) -> None:
    problem = make_problem(tmp_path / "problem")
    with RunStore.open(tmp_path / "run") as store:
        sample_problem(problem, HashEngine(), store, n=30, params=PARAMS, chunk_size=10)
        with pytest.raises(StoreError, match="sampled with size 10"):
            sample_problem(problem, HashEngine(), store, n=30, params=PARAMS, chunk_size=15)
        other_seed = SamplingParams(temperature=0.7, seed=12)
        with pytest.raises(StoreError, match="seed 11"):
            sample_problem(problem, HashEngine(), store, n=30, params=other_seed, chunk_size=10)
        assert store.summary().samples == 30


def test_engine_breaking_its_contract_stops_the_run(tmp_path: Path) -> None:
    problem = make_problem(tmp_path / "problem")
    with RunStore.open(tmp_path / "run") as store:
        with pytest.raises(SampleError, match=r"indices \[0, 1, 2, 3, 4\]... for n=10"):
            sample_problem(problem, OverEngine(), store, n=30, params=PARAMS, chunk_size=10)
        assert store.summary().samples == 0


def test_engine_giving_fewer_completions_leaves_gaps(tmp_path: Path) -> None:
    problem = make_problem(tmp_path / "problem")
    with RunStore.open(tmp_path / "run") as store:
        report = sample_problem(problem, GappyEngine(), store, n=25, params=PARAMS, chunk_size=10)
        (prompt,) = store.prompts("addition")
        indices = [s.sample_index for s in store.samples(prompt.key)]
        assert store.done_chunks(prompt.key) == {0, 1, 2}
    local = [(0, 10), (1, 10), (2, 5)]
    assert indices == [10 * chunk + i for chunk, size in local for i in range(size) if i % 3]
    assert report.samples == len(indices) == 6 + 6 + 3


def test_progress_bar_reports_rates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = make_problem(tmp_path / "problem")
    with RunStore.open(tmp_path / "run") as store:
        sample_problem(
            problem, HashEngine(), store, n=40, params=PARAMS, chunk_size=10, progress=True
        )
    err = capsys.readouterr().err
    assert "addition" in err and "40/40" in err
    assert "samples_s=" in err and "tokens_s=" in err


def test_repeated_prompts_are_sampled_once(tmp_path: Path) -> None:
    problem = make_problem(tmp_path / "problem")
    prompt = Prompt(messages=({"role": "user", "content": "Add."},), language="cpp")
    other = Prompt(messages=({"role": "user", "content": "Sum."},), language="cpp")
    engine = HashEngine()
    with RunStore.open(tmp_path / "run") as store:
        store.add_problem(ProblemRow("addition", str(problem.root), problem.format, "h"))
        report = sample_prompts("addition", [prompt, other, prompt], engine, store, 20, PARAMS, 10)
        assert [row.key for row in store.prompts("addition")] == sorted([prompt.key(), other.key()])
    assert report.samples == 40
    assert [keys for keys, _ in engine.calls] == [(prompt.key(), other.key())] * 2


REPO = Path(__file__).resolve().parents[1]
KILL_SCRIPT = REPO / "tools" / "kill_resume.py"
KILL_PROBLEM = REPO / "problems" / "examples" / "exactsum"
KILL_N = 600
KILL_CHUNK = 20
KILLS = 20


def start_sampler(run_dir: Path) -> subprocess.Popen[bytes]:
    """Start tools/kill_resume.py on the example problem with the mutants engine."""
    command = [
        sys.executable, str(KILL_SCRIPT), str(KILL_PROBLEM), str(run_dir),
        "--n", str(KILL_N), "--chunk-size", str(KILL_CHUNK), "--seed", "5",
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish_sampler(run_dir: Path) -> float:
    """Run the sampler to completion; returns its wall time in seconds."""
    started = time.monotonic()
    process = start_sampler(run_dir)
    try:
        out, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode()
    assert json.loads(out.decode().splitlines()[-1])["samples"] >= 0
    return time.monotonic() - started


def wait_for_progress(run_dir: Path, before: int, process: subprocess.Popen[bytes]) -> None:
    """Return once the run stores more than `before` samples or the sampler has
    exited (at most 120 s)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if stored_samples(run_dir) > before:
            return
        time.sleep(0.01)


def stored_samples(run_dir: Path) -> int:
    """Samples in a run's store; 0 when the sampler was killed before its store
    had a schema (or a file)."""
    try:
        with RunStore.open(run_dir, readonly=True) as reader:
            return reader.summary().samples
    except StoreError:
        return 0


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_equals_uninterrupted_run(tmp_path: Path) -> None:
    """SIGKILL the sampler 20 times at seeded random moments, resume each time,
    then finish: the pool must equal an uninterrupted run's, chunk for chunk."""
    if not KILL_PROBLEM.is_dir():
        pytest.skip(f"{KILL_PROBLEM} is absent")
    pytest.importorskip("solver.sampling.mutants")
    whole_seconds = finish_sampler(tmp_path / "whole")
    # a second start on a finished run does all the set-up work and no sampling
    setup_seconds = finish_sampler(tmp_path / "whole")
    sampling_seconds = max(whole_seconds - setup_seconds, 0.5)

    rng = random.Random(20240917)
    progress = []
    for _ in range(KILLS):
        before = stored_samples(tmp_path / "killed")
        process = start_sampler(tmp_path / "killed")
        # Kill at a random moment after this start has stored something new, so
        # that each kill lands mid-run however slow the set-up is on this machine.
        wait_for_progress(tmp_path / "killed", before, process)
        time.sleep(rng.random() * sampling_seconds / (KILLS * 0.7))
        process.kill()
        process.communicate()
        assert process.returncode in (-signal.SIGKILL, 0)
        progress.append(stored_samples(tmp_path / "killed"))
    finish_sampler(tmp_path / "killed")

    mid_run = [s for s in progress if 0 < s < 2 * KILL_N]
    # Kill moments are random and the machine's speed varies: require that kills
    # landed at several distinct points mid-run, not a fixed count.
    assert len(set(mid_run)) >= 5, f"kills should land mid-run, saw progress {progress}"
    assert progress == sorted(progress), "a resumed run never loses stored samples"

    with RunStore.open(tmp_path / "whole", readonly=True) as whole:
        expected = pool(whole, "exactsum")
        expected_summary = whole.summary()
    with RunStore.open(tmp_path / "killed", readonly=True) as killed:
        assert killed.check_integrity() == ["ok"]
        prompts = killed.prompts("exactsum")
        assert len(prompts) == 2
        for prompt in prompts:
            indices = [s.sample_index for s in killed.samples(prompt.key)]
            assert indices == list(range(KILL_N)), "every sample exactly once"
            assert killed.done_chunks(prompt.key) == set(range(KILL_N // KILL_CHUNK))
        assert pool(killed, "exactsum") == expected
        assert killed.summary() == expected_summary
    assert expected_summary.samples == 2 * KILL_N
    assert expected_summary.candidates > 1
