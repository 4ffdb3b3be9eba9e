"""Judging across a Ray cluster (`--backend ray`): the judge's work units (a build,
a batch of tests, any job of the worker pool) run as Ray tasks on any node of the
cluster, each in a sandbox of that node (the same `LocalSandbox` or
`DockerSandbox` a local worker would use, one per Ray worker process, claimed on
its first job and kept for the process's life). The results come back to this
process, the driver, which alone writes the result cache and the run store, so
every result is stored once however many nodes ran it.

A node that dies mid-run loses the tasks it was running; Ray runs them again on
another node (`max_retries`, system failures only: a job that raised is not
retried), and the driver stores what comes back, once. Jobs carry file paths
(the problem's files, compiled artifacts in the cache folder): every node must
see the problem and cache folders at the same paths (one machine, or a shared
file system), as any Ray cluster that works on files needs.

`ray` is imported only here and only when a Ray pool is made: the judge imports
without it, and `--backend ray` without it is one clear error."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeVar

from judge import pool as local_pool
from judge.pool import WorkerPool
from judge.sandbox.local import SandboxUnavailable

T = TypeVar("T")

RAY_PIN = "ray==2.60.0"
CONNECT_TIMEOUT_S = 5.0
OBJECT_STORE_BYTES = 200 * 1024**2
TASK_RETRIES = 3
AGENT_TIMEOUT_MS = 300_000
LOCAL_HOST = "127.0.0.1"
JOB_SCALE = 4


class RayBackendError(SandboxUnavailable):
    """`--backend ray` cannot be used: ray missing, a bad or silent address. A
    SandboxUnavailable (nowhere to run programs), so every judging command
    reports it as one line."""


def import_ray() -> ModuleType:
    """The `ray` module, or RayBackendError saying how to install it."""
    try:
        import ray
    except ImportError as error:
        raise RayBackendError(
            f"--backend ray needs the ray package, which is not installed here ({error}); "
            f"install it with `pip install {RAY_PIN}`"
        ) from error
    return ray


def parse_address(address: str) -> tuple[str, int]:
    """HOST:PORT of a Ray cluster's head (its GCS port), or RayBackendError."""
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise RayBackendError(f"--address {address!r}: expected HOST:PORT of a Ray head node")
    return host, int(port)


def probe(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Check that something listens at `address` within `timeout_s` (Ray's own
    connect retries for a minute or more): RayBackendError saying what failed."""
    host, port = parse_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as error:
        reason = "timed out" if isinstance(error, TimeoutError) else (error.strerror or str(error))
        raise RayBackendError(
            f"--backend ray: no Ray cluster answers at {address} ({reason} within "
            f"{timeout_s:g} s); start one with `ray start --head --port {port}` "
            "or leave out --address to start a local one"
        ) from error


def quiet_environment() -> None:
    """Ray settings for every process this driver starts: no usage reports sent
    anywhere, and a patient wait for a node's agent process (Ray's default, 30
    s, kills the raylet when a busy machine starts Python slowly)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_agent_register_timeout_ms", str(AGENT_TIMEOUT_MS))


def stay_on_loopback() -> None:
    """Keep this process's Ray on 127.0.0.1: Ray rewrites a loopback address
    (`127.0.0.1:PORT`, and the address of a cluster it starts) into the
    machine's outward IP, which it finds with a UDP socket towards a public
    address, and then cannot reach a head that listens on 127.0.0.1 only.
    Ray's own switch for that is its single-machine mode (the one it uses on
    macOS and Windows): node addresses resolve to 127.0.0.1."""
    from ray._private import ray_constants

    ray_constants.ENABLE_RAY_CLUSTER = False


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine's loopback interface."""
    return host in ("localhost", "::1") or host.startswith("127.")


def connect(address: str | None, num_cpus: int | None = None) -> bool:
    """Join the Ray cluster at `address` (HOST:PORT), or start a one-node cluster
    on 127.0.0.1 when None (`num_cpus` CPUs, a small object store, no dashboard).
    Returns whether this call connected (so the caller disconnects); an already
    connected process keeps its connection."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    quiet_environment()
    if address is None or is_loopback(parse_address(address)[0]):
        stay_on_loopback()
    if address is not None:
        probe(address)
        try:
            ray.init(address=address, logging_level="WARNING", log_to_driver=False)
        except ConnectionError as error:
            raise RayBackendError(
                f"--backend ray: cannot join the cluster at {address}: {error}"
            ) from error
        return True
    ray.init(
        num_cpus=num_cpus,
        object_store_memory=OBJECT_STORE_BYTES,
        include_dashboard=False,
        _node_ip_address=LOCAL_HOST,
        logging_level="WARNING",
        log_to_driver=False,
    )
    return True


@contextmanager
def local_cluster(nodes: int = 2, cpus_per_node: int = 1) -> Iterator[Any]:
    """A Ray cluster of `nodes` nodes on 127.0.0.1 (`ray.cluster_utils.Cluster`:
    separate raylets and object stores, as separate machines would have), for
    tests and benchmarks; yields the Cluster (its `.address` is what
    `--address` takes) and ends every node after."""
    ray = import_ray()
    from ray.cluster_utils import Cluster

    quiet_environment()
    stay_on_loopback()
    node: dict[str, Any] = {
        "num_cpus": cpus_per_node,
        "object_store_memory": OBJECT_STORE_BYTES,
        "node_ip_address": LOCAL_HOST,
    }
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    try:
        for _ in range(nodes - 1):
            cluster.add_node(**node)
        cluster.wait_for_nodes()
        yield cluster
    finally:
        if ray.is_initialized():
            ray.shutdown()
        cluster.shutdown()


def _attempt() -> int:
    """Which attempt of its task this is (0: the first; more: Ray ran it again
    after a worker or node failure). Ray's core worker knows; its public API
    does not say it, so 0 where the pinned ray lacks the call."""
    from ray._private import worker

    core = getattr(worker.global_worker, "core_worker", None)
    get = getattr(core, "get_current_task_attempt_number", None)
    return int(get()) if get is not None else 0


def _run_job(sandbox: str, function: Callable[..., T], args: tuple[Any, ...]) -> tuple[str, int, T]:
    """The body of every Ray task: this worker process's sandbox made on its first
    job (a free slot of this node), then `function(*args)` in it; returns the
    node that ran it, the task's attempt and the result."""
    import ray

    local_pool.ensure_worker(sandbox)
    result = function(*args)
    return ray.get_runtime_context().get_node_id(), _attempt(), result


class RayPool(WorkerPool):
    """A WorkerPool whose workers are Ray tasks on a cluster (see the module doc).
    `workers` sizes the schedule's window (default: the cluster's CPUs at start);
    each task takes one CPU of a node. A Ray task costs milliseconds of the
    driver's, the raylets' and the worker's CPU to send and settle, so jobs carry
    `job_scale` times the local pool's tests. `nodes` counts the jobs each node
    finished, `retried` the jobs Ray had to run again (their first node or worker
    died)."""

    job_scale = JOB_SCALE

    def __init__(
        self,
        workers: int | None = None,
        sandbox: str = "local",
        address: str | None = None,
    ) -> None:
        ray = import_ray()
        self.limits_in_force = local_pool.limits_in_force(sandbox)
        self._connected = connect(address, None if workers in (None, 0) else workers)
        self.sandbox = sandbox
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.workers = cpus if not workers else workers
        self._executor = None
        self._task = ray.remote(_run_job).options(
            num_cpus=1, max_retries=TASK_RETRIES, retry_exceptions=False
        )
        self.nodes: dict[str, int] = {}
        self.retried = 0
        self._lock = threading.Lock()

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """Start function(*args) as a Ray task; its Future holds the job's result
        (or the exception the job raised, as the job raised it)."""
        outer: Future[T] = Future()
        inner = self._task.remote(self.sandbox, function, args).future()
        inner.add_done_callback(lambda done: self._settle(done, outer))
        return outer

    def _settle(self, done: Future[tuple[str, int, T]], outer: Future[T]) -> None:
        error = done.exception()
        if error is not None:
            cause = getattr(error, "cause", None)
            outer.set_exception(cause if isinstance(cause, BaseException) else error)
            return
        node, attempt, result = done.result()
        with self._lock:
            self.nodes[node] = self.nodes.get(node, 0) + 1
            self.retried += attempt > 0
        outer.set_result(result)

    def close(self) -> None:
        """Disconnect from the cluster if this pool connected (a local cluster it
        started stops with it; its Ray workers and their sandboxes end)."""
        if self._connected:
            import_ray().shutdown()
            self._connected = False
