"""What the judge's sandbox will use on this machine, for this user: a diagnosis.

`diagnose()` probes (namespaces by trying them with `unshare`, cgroup mounts,
seccomp, the toolchains on PATH, the cache folder) and returns a plain
`Diagnosis`; `cpsolve doctor` prints it (text or JSON). Nothing here changes
the machine: probes run in throw-away namespaces."""

from __future__ import annotations

import dataclasses
import os
import pwd
import resource
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from judge.languages import base_python
from judge.sandbox import cgroups, docker_backend, modes
from judge.sandbox.api import Process, ResourceLimits
from judge.sandbox.child import rlimits

TOOLS = ("python3", "pypy3", "g++", "gcc", "java", "javac", "node", "unshare")
RLIMIT_NAMES = {
    getattr(resource, name): name
    for name in ("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_CORE", "RLIMIT_STACK")
    + ("RLIMIT_DATA", "RLIMIT_NPROC")
}
SAMPLE = Process(argv=("./prog",), limits=ResourceLimits(1.0, 3.0, 256 << 20, 16 << 20))


@dataclass(frozen=True)
class Diagnosis:
    """The sandbox this user gets here: its mode (None: no sandbox, `reason` says
    why), the kernel features it rests on, the limits in force and the tools."""

    user: str
    uid: int
    backend: str
    mode: str | None
    reason: str
    namespaces: dict[str, bool]
    cgroup_hierarchies: dict[str, tuple[str, ...]]
    cgroups_usable: bool
    seccomp: bool
    rlimits: tuple[str, ...]
    uid_switching: bool
    protections: tuple[str, ...]
    limits_in_force: tuple[str, ...]
    tools: dict[str, str | None]
    cache_dir: str
    cache_writable: bool
    docker: str = ""
    """`--sandbox docker` here: "available", or why not."""

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (tuples as lists)."""
        return dataclasses.asdict(self)


def cgroup_hierarchies() -> dict[str, tuple[str, ...]]:
    """Mounted cgroup hierarchies: "v1:<mount>" -> its controllers, "v2:<mount>" ->
    the controllers it offers (empty when none is delegated)."""
    found: dict[str, tuple[str, ...]] = {}
    for line in Path("/proc/self/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        _source, target, kind, options = fields[:4]
        if kind == "cgroup":
            names = [o for o in options.split(",") if o not in ("rw", "ro", "relatime")]
            found[f"v1:{target}"] = tuple(n for n in names if "=" not in n)
        elif kind == "cgroup2":
            controllers = Path(target) / "cgroup.controllers"
            offered = controllers.read_text().split() if controllers.exists() else []
            found[f"v2:{target}"] = tuple(offered)
    return found


def cgroups_usable() -> bool:
    """Whether this user can make the judge's cgroups (v2 delegating memory and
    pids to a writable tree, or the v1 memory/pids/cpuacct hierarchies writable)."""
    layout = cgroups.detect()
    if layout == "v2":
        root = cgroups.v2_root()
        return root is not None and os.access(root, os.W_OK)
    if layout == "v1":
        return all(
            os.access(cgroups.CGROUP_ROOT / c, os.W_OK) for c in ("memory", "pids", "cpuacct")
        )
    return False


def seccomp_available() -> bool:
    """Whether the kernel offers seccomp filters with errno returns."""
    actions = Path("/proc/sys/kernel/seccomp/actions_avail")
    status = Path("/proc/self/status")
    has_field = status.exists() and "Seccomp:" in status.read_text()
    return has_field and actions.exists() and "errno" in actions.read_text().split()


def _writable(folder: Path) -> bool:
    """Whether `folder` exists writable, or could be created under a writable parent."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def cache_folder() -> Path:
    """The judge's cache folder as judge.paths names it, without creating it."""
    configured = os.environ.get("CPSOLVE_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "cpsolve"


def tools() -> dict[str, str | None]:
    """Where each toolchain program is (None if absent); python3 is the one that
    candidates run under (judge.languages.base_python)."""
    found: dict[str, str | None] = {name: shutil.which(name) for name in TOOLS}
    found["python3"] = base_python()
    return found


def docker_status() -> str:
    """Whether `--sandbox docker` can run here: "available", or why not (a Docker
    daemon must answer at $DOCKER_HOST or the default socket; asked in seconds)."""
    ok, why = docker_backend.available()
    return "available" if ok else why


def diagnose() -> Diagnosis:
    """Probe this machine for this user (see the module doc)."""
    mode, reason = modes.choose()
    uid = os.getuid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:
        user = str(uid)
    backend = {
        modes.ROOT: "local sandbox, root mode (namespaces + cgroups + uid switching)",
        modes.ROOTLESS: "local sandbox, rootless mode (user namespaces, no cgroups)",
    }.get(mode or "", "none")
    chosen_rlimits = rlimits(SAMPLE, rootless=mode == modes.ROOTLESS) if mode else {}
    cache = cache_folder()
    return Diagnosis(
        user=user,
        uid=uid,
        backend=backend,
        mode=mode,
        reason=reason,
        namespaces={name: modes.probe_namespace(name) for name in modes.NAMESPACES},
        cgroup_hierarchies=cgroup_hierarchies(),
        cgroups_usable=cgroups_usable(),
        seccomp=seccomp_available(),
        rlimits=tuple(RLIMIT_NAMES.get(kind, str(kind)) for kind in chosen_rlimits),
        uid_switching=mode == modes.ROOT,
        protections=modes.PROTECTIONS.get(mode or "", ()),
        limits_in_force=modes.LIMITS_IN_FORCE.get(mode or "", ()),
        tools=tools(),
        cache_dir=str(cache),
        cache_writable=_writable(cache),
        docker=docker_status(),
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def format_text(diagnosis: Diagnosis) -> str:
    """The diagnosis as lines for a terminal."""
    d = diagnosis
    hierarchies = "; ".join(
        f"{name} [{', '.join(controllers) or 'no controllers'}]"
        for name, controllers in d.cgroup_hierarchies.items()
    )
    cache_state = "writable" if d.cache_writable else "NOT writable: set CPSOLVE_CACHE"
    lines = [
        f"user: {d.user} (uid {d.uid})",
        f"backend: {d.backend}",
        f"  why: {d.reason}",
        "namespaces: " + ", ".join(f"{n} {_yes(ok)}" for n, ok in d.namespaces.items()),
        f"cgroups: {hierarchies or 'none mounted'}",
        f"  usable by this user: {_yes(d.cgroups_usable)}",
        f"seccomp: {_yes(d.seccomp)}",
        f"rlimits per program: {', '.join(d.rlimits) or 'none'}",
        f"uid switching: {_yes(d.uid_switching)}",
        "protections:",
        *(f"  {line}" for line in d.protections or ("none: no sandbox",)),
        "limits in force:",
        *(f"  {line}" for line in d.limits_in_force or ("none: no sandbox",)),
        "tools: " + ", ".join(f"{name} {path or 'MISSING'}" for name, path in d.tools.items()),
        f"cache: {d.cache_dir} ({cache_state})",
        f"docker: {d.docker}",
    ]
    return "\n".join(lines)
