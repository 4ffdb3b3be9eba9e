"""The Ray backend (judge/ray_pool.py, solver/sampling/ray_engine.py) on a real
two-node Ray cluster on 127.0.0.1 (`ray.cluster_utils.Cluster`, one CPU per
node): the same per-submission verdicts as the local pool, a worker node killed
mid-run (its work redone on the other node, every result stored once), a
silent address as one clear error in seconds, and sampling spread over actors.
Skipped, with the reason, where ray is not installed or there is no sandbox."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from judge.labelcheck import LabelCheck, check_packages
from judge.sandbox.local import LocalSandbox
from judge.session import Judge, JudgeOptions
from judge.verdicts import TestResult
from problems.load import find_problems

REPO = Path(__file__).resolve().parents[1]
HAVE_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(
    not HAVE_RAY, reason="ray is not installed (pip install ray==2.60.0)"
)
SANDBOX, WHY_NOT = LocalSandbox.available()
needs_sandbox = pytest.mark.skipif(not SANDBOX, reason=WHY_NOT)


def verdict_rows(rows: list[LabelCheck]) -> list[tuple[object, ...]]:
    """What must not depend on where a submission was judged: per submission its
    verdict, score and agreement with its label. (Not each test's: which tests
    run after a rejected one depends on the order results come back in, and a
    test near the time limit may go either way on a loaded machine, even
    between two local runs.)"""
    found = []
    for row in rows:
        result = row.result
        judged = None if result is None else (result.result.verdict.name, result.result.score)
        found.append((row.problem, row.submission, row.label, judged, row.agrees, row.error))
    return sorted(found, key=repr)


def stored_rows(cache_dir: Path) -> int:
    """Results in a cache folder's result store."""
    with sqlite3.connect(cache_dir / "results.sqlite") as db:
        return int(db.execute("SELECT COUNT(*) FROM results").fetchone()[0])


def record_puts(judge: Judge) -> list[str]:
    """The keys of every result the judge stores from now on, in order (its real
    cache still stores them): a result stored twice shows as a repeated key."""
    keys: list[str] = []
    store = judge.results.put

    def put(key: str, result: TestResult) -> None:
        keys.append(key)
        store(key, result)

    judge.results.put = put  # type: ignore[method-assign]
    return keys


def check_examples(options: JudgeOptions) -> tuple[list[LabelCheck], int]:
    """`cpsolve check problems/examples` in Python: the rows and the results stored."""
    paths = list(find_problems(REPO / "problems" / "examples"))
    rows: list[LabelCheck] = []
    with Judge(options) as judge:
        check_packages(judge, paths, on_checked=lambda _, found: rows.extend(found))
        stored = judge.stored_results
    return rows, stored


@pytest.fixture
def two_nodes() -> Iterator[tuple[object, object]]:
    """A head and one worker node on 127.0.0.1, one CPU each; ended after the test."""
    from judge.ray_pool import local_cluster

    with local_cluster(nodes=2, cpus_per_node=1) as cluster:
        [worker] = cluster.worker_nodes
        yield cluster, worker


@pytest.fixture(scope="module")
def local_check(tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    """The local pool's verdicts on problems/examples (two workers, fresh cache),
    judged in a child process that never imports ray (the local pool forks)."""
    cache = tmp_path_factory.mktemp("local-cache")
    code = (
        "import json, sys; from pathlib import Path\n"
        "from judge.session import JudgeOptions\n"
        "from tests.test_ray_backend import check_examples, verdict_rows\n"
        f"rows, _ = check_examples(JudgeOptions(workers=2, cache_dir=Path({str(cache)!r})))\n"
        "assert rows and not any(row.error for row in rows), rows\n"
        "print(json.dumps(verdict_rows(rows)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-4000:]
    found: list[object] = json.loads(done.stdout.splitlines()[-1])
    return found


def as_json(rows: list[tuple[object, ...]]) -> list[object]:
    """Rows as the child process sends them (tuples become lists)."""
    found: list[object] = json.loads(json.dumps(rows))
    return found


def test_judge_imports_without_ray() -> None:
    """The judge and the Ray modules import without loading ray; a Ray pool
    without ray is one error naming the pin to install."""
    code = (
        "import sys; sys.modules['ray'] = None\n"
        "import judge.session, judge.ray_pool, solver.sampling.ray_engine\n"
        "from judge.ray_pool import RayBackendError, import_ray\n"
        "try:\n    import_ray()\nexcept RayBackendError as e:\n    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert "pip install ray==" in done.stdout


@pytest.mark.timeout(120)
@needs_ray
@needs_sandbox
def test_silent_address_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`--backend ray --address` where nobody listens: exit 2 and one line saying so."""
    import ray

    from solver.cli import main

    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pairsum = str(REPO / "problems" / "examples" / "pairsum")
    code = main(["check", pairsum, "--backend", "ray", "--address", f"127.0.0.1:{port}", "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"no Ray cluster answers at 127.0.0.1:{port}" in err
    assert not ray.is_initialized()


@pytest.mark.slow
@needs_ray
@needs_sandbox
def test_check_through_ray_matches_local(
    two_nodes: tuple[object, object], local_check: list[object], tmp_path: Path
) -> None:
    """check problems/examples through two Ray nodes: the local pool's verdicts,
    both nodes did work, and every result was stored once."""
    cluster, _ = two_nodes
    options = JudgeOptions(backend="ray", address=cluster.address, cache_dir=tmp_path)  # type: ignore[attr-defined]
    paths = list(find_problems(REPO / "problems" / "examples"))
    rows: list[LabelCheck] = []
    with Judge(options) as judge:
        puts = record_puts(judge)
        check_packages(judge, paths, on_checked=lambda _, found: rows.extend(found))
        nodes = dict(judge.pool.nodes)  # type: ignore[attr-defined]
    assert as_json(verdict_rows(rows)) == local_check
    assert len(nodes) == 2, nodes
    assert len(puts) == len(set(puts)) == stored_rows(tmp_path) > 0


def held_on_node(
    node_id: str, marks: Path, function: Callable[..., object], *args: object
) -> object:
    """A job as the pool runs it, except that on node `node_id`, once `marks/armed`
    exists, it writes `marks/held-<pid>` and then waits (up to two minutes) instead
    of running: the test knows that node is mid-job when it removes it, however
    loaded the machine (a node removed between two jobs loses nothing)."""
    import ray

    if ray.get_runtime_context().get_node_id() == node_id and (marks / "armed").exists():
        (marks / f"held-{os.getpid()}").touch()
        time.sleep(120)
    return function(*args)


def wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 300) -> None:
    """Poll `condition` until it holds; AssertionError naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout_s:g} s"
        time.sleep(0.01)


@pytest.mark.slow
@needs_ray
@needs_sandbox
def test_node_killed_mid_run(
    two_nodes: tuple[object, object], local_check: list[object], tmp_path: Path
) -> None:
    """The worker node removed while it runs a job: the lost job is run again on
    the head, the verdicts are the local pool's and nothing is stored twice."""
    cluster, worker = two_nodes
    cache, marks = tmp_path / "cache", tmp_path / "marks"
    marks.mkdir()
    options = JudgeOptions(backend="ray", address=cluster.address, cache_dir=cache)  # type: ignore[attr-defined]
    paths = list(find_problems(REPO / "problems" / "examples"))
    rows: list[LabelCheck] = []
    with Judge(options) as judge, ThreadPoolExecutor(1) as killer:
        pool = judge.pool
        worker_id = worker.node_id  # type: ignore[attr-defined]
        submit = pool.submit
        pool.submit = lambda function, *args: submit(  # type: ignore[method-assign]
            held_on_node, worker_id, marks, function, *args
        )

        def kill_when_busy() -> None:
            """Once the worker node has finished a few jobs, hold its next one and
            remove the node while that job waits."""
            wait_for(lambda: pool.nodes.get(worker_id, 0) >= 3, "3 jobs on the worker")  # type: ignore[attr-defined]
            (marks / "armed").touch()
            wait_for(lambda: any(marks.glob("held-*")), "a held job on the worker")
            cluster.remove_node(worker)  # type: ignore[attr-defined]

        killed = killer.submit(kill_when_busy)
        puts = record_puts(judge)
        check_packages(judge, paths, on_checked=lambda _, found: rows.extend(found))
        retried = pool.retried  # type: ignore[attr-defined]
        killed.result()
    assert retried >= 1, "no job was run again after its node was removed"
    assert as_json(verdict_rows(rows)) == local_check
    assert len(puts) == len(set(puts)) == stored_rows(cache) > 0


@pytest.mark.slow
@needs_ray
def test_sampling_spread_over_actors(two_nodes: tuple[object, object]) -> None:
    """The mutants engine on two actors (one per node) gives what one engine gives."""
    from problems.load import load_problem
    from solver.sampling.engine import Prompt, SamplingParams
    from solver.sampling.ray_engine import RayEngine
    from solver.sampling.registry import make_engine

    cluster, _ = two_nodes
    problem = load_problem(REPO / "problems" / "examples" / "pairsum")
    options = {"problem": problem, "languages": ("cpp", "python")}
    prompts = [
        Prompt(({"role": "user", "content": f"solve {index}"},), language)
        for index in range(5)
        for language in ("cpp", "python")
    ]
    params = SamplingParams(n=3, seed=7)
    expected = make_engine("mutants", None, **options).generate(prompts, params)
    with RayEngine(
        "mutants",
        None,
        options,
        actors=2,
        address=cluster.address,  # type: ignore[attr-defined]
    ) as engine:
        found = engine.generate(prompts, params)
        assert engine.name == "mutants"
    assert found == expected
    assert sum(len(row) for row in found) > 0
