"""Compile a program (with its grader files) once per distinct build, inside the
sandbox, and keep the artifact in the cache so every later run reuses it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from judge import pch
from judge.languages import get_language
from judge.programs import Program
from judge.sandbox import (
    Process,
    ProcessResult,
    ResourceLimits,
    RunRequest,
    RunStatus,
    Sandbox,
)
from problems.languages import HEADER_SUFFIXES

COMPILE_MEMORY = 2 * 1024**3
COMPILE_OUTPUT = 256 * 1024**2
LOG_TAIL_BYTES = 8000
MAX_ARTIFACT_BYTES = 64 * 1024**2
"""Compiled programs larger than this are refused (a compile error) and never
cached: the cache and the judge stay bounded whatever a source makes the
compiler or linker produce."""
COMPILE_PROCESSES = 64


@dataclass(frozen=True)
class Build:
    """What to compile: the candidate plus problem files compiled or included with it.

    `extra_sources` are compiled together with the candidate (a grader, a stub);
    `extra_files` are only copied next to it (headers). A header (HEADER_SUFFIXES)
    is never given to the compiler, wherever it is listed."""

    program: Program
    extra_sources: tuple[tuple[str, bytes], ...] = ()
    extra_files: tuple[tuple[str, bytes], ...] = ()
    compile_time_s: float = 60.0

    def key(self) -> str:
        """Hash of everything that decides the artifact."""
        language = get_language(self.program.language)
        digest = hashlib.sha256(self.program.key().encode())
        digest.update(json.dumps(language.compile).encode())
        for group in (self.extra_sources, self.extra_files):
            digest.update(b"|")
            for name, content in group:
                digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
        return digest.hexdigest()


@dataclass(frozen=True)
class Compiled:
    """The outcome of a build: an artifact to run, or a compile error message."""

    key: str
    language: str
    ok: bool
    message: str
    directory: Path
    run_argv: tuple[str, ...]
    artifact: str
    zygote: bool
    processes: int
    judge_error: bool = False

    @property
    def artifact_path(self) -> Path:
        """Host path of the artifact (binary, jar or script) to copy into each run."""
        return self.directory / self.artifact


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _compiled_from_record(directory: Path, record: dict[str, object]) -> Compiled:
    return Compiled(
        key=str(record["key"]),
        language=str(record["language"]),
        ok=bool(record["ok"]),
        message=str(record["message"]),
        directory=directory,
        run_argv=tuple(str(item) for item in record["run_argv"]),  # type: ignore[attr-defined]
        artifact=str(record["artifact"]),
        zygote=bool(record["zygote"]),
        processes=int(record["processes"]),  # type: ignore[call-overload]
    )


def _program_dir(cache_dir: Path, key: str) -> Path:
    return cache_dir / "programs" / key[:2] / key


def compiled_in_cache(key: str, cache_dir: Path) -> Compiled | None:
    """What an earlier compile of the build with key `key` (in any process) left
    in the cache folder, or None: no sandbox, no lock (the record is replaced
    atomically), so the judging process skips a worker's round trip for a known
    build."""
    directory = _program_dir(cache_dir, key)
    try:
        text = (directory / "result.json").read_text()
    except FileNotFoundError:
        return None
    return _compiled_from_record(directory, json.loads(text))


def compile_build(
    build: Build, sandbox: Sandbox, cache_dir: Path, precompiled: bool = True
) -> Compiled:
    """Compile `build` unless an earlier call (in any process) already did; C++
    that includes <bits/stdc++.h> first reads it precompiled (judge.pch) unless
    `precompiled` is False."""
    key = build.key()
    directory = _program_dir(cache_dir, key)
    record_path = directory / "result.json"
    with _locked(cache_dir / "locks" / f"{key}.lock"):
        known = compiled_in_cache(key, cache_dir)
        if known is not None:
            return known
        header = _precompiled_header(build, sandbox, cache_dir) if precompiled else None
        compiled = _compile_now(build, key, sandbox, directory, header)
        if not compiled.judge_error:
            record = {
                "key": key,
                "language": compiled.language,
                "ok": compiled.ok,
                "message": compiled.message,
                "run_argv": list(compiled.run_argv),
                "artifact": compiled.artifact,
                "zygote": compiled.zygote,
                "processes": compiled.processes,
            }
            tmp = record_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(record))
            os.replace(tmp, record_path)
        return compiled


def _precompiled_header(build: Build, sandbox: Sandbox, cache_dir: Path) -> pch.Header | None:
    """The precompiled header a C++ build may read (see judge.pch): <bits/stdc++.h>
    where its sources include that first, else the include block they all start
    with; None where neither applies or the header is not built (yet)."""
    language = get_language(build.program.language)
    sources = (*build.program.files, *build.extra_sources)
    if pch.eligible(sources, build.extra_files, language.extensions):
        return pch.header_for(language, sandbox, cache_dir)
    block = pch.block_of(sources, language.extensions)
    return pch.header_for(language, sandbox, cache_dir, block=block) if block else None


def _compile_now(
    build: Build, key: str, sandbox: Sandbox, directory: Path, header: pch.Header | None = None
) -> Compiled:
    """Compile in the sandbox; with `header`, g++ may read the precompiled
    <bits/stdc++.h> mounted read-only in the box (see judge.pch)."""
    language = get_language(build.program.language)
    main = build.program.main
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="build-", dir=directory.parent))
    try:
        files_in: list[tuple[str, str]] = []
        for name, content in (*build.program.files, *build.extra_sources, *build.extra_files):
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(content)
            files_in.append((name, str(staging / name)))
        compile_files = [
            name
            for name, _ in (*build.extra_sources, *build.program.files)
            if Path(name).suffix not in HEADER_SUFFIXES
        ]
        artifact_host = staging / "out" / language.artifact
        artifact_host.parent.mkdir()
        limits = ResourceLimits(
            cpu_time_s=build.compile_time_s,
            wall_time_s=build.compile_time_s * 2,
            memory_bytes=COMPILE_MEMORY,
            output_bytes=COMPILE_OUTPUT,
            processes=COMPILE_PROCESSES,
        )
        process = Process(
            argv=(
                pch.compile_argv(language.compile_argv(main, compile_files), header)
                if header is not None
                else language.compile_argv(main, compile_files)
            ),
            limits=limits,
            stderr="compile.err",
            stdout="compile.out",
        )
        outputs = (language.artifact, "compile.err", "compile.out")
        result = sandbox.run(
            RunRequest(
                processes=(process,),
                files_in=tuple(files_in),
                read_only_dirs=((pch.BOX_DIR, str(header.include_dir)),) if header else (),
                files_out=tuple((name, str(staging / "out" / name)) for name in outputs),
            )
        )
        base = Compiled(
            key=key,
            language=language.key,
            ok=False,
            message="",
            directory=directory,
            run_argv=language.run_argv(main),
            artifact=language.artifact if not language.zygote else main,
            zygote=language.zygote,
            processes=language.processes,
        )
        if result.error is not None:
            return replace(
                base, message=f"sandbox error while compiling: {result.error}", judge_error=True
            )
        outcome = result.processes[0]
        machine_fault = machine_fault_while_compiling(outcome, limits)
        if machine_fault is not None:
            return replace(base, message=machine_fault, judge_error=True)
        log = "".join(_tail(staging / "out" / name) for name in ("compile.out", "compile.err"))[
            -LOG_TAIL_BYTES:
        ]
        produced = language.zygote or artifact_host.exists()
        size = artifact_host.stat().st_size if artifact_host.exists() else 0
        if size > MAX_ARTIFACT_BYTES and outcome.status is RunStatus.OK:
            directory.mkdir(parents=True, exist_ok=True)
            limit_mib = MAX_ARTIFACT_BYTES // 1024**2
            return replace(
                base,
                message=f"the compiled program is {size / 1024**2:.1f} MiB, over the "
                f"{limit_mib} MiB limit on compiled programs",
            )
        if outcome.status is not RunStatus.OK or not produced:
            reason = {
                RunStatus.TIME_LIMIT: "compilation exceeded the time limit",
                RunStatus.WALL_LIMIT: "compilation exceeded the time limit",
                RunStatus.MEMORY_LIMIT: "compilation exceeded the memory limit",
                RunStatus.OUTPUT_LIMIT: "compilation produced too much output",
            }.get(outcome.status, "")
            message = (reason + "\n" + (log or outcome.stderr_tail)).strip()
            directory.mkdir(parents=True, exist_ok=True)
            return replace(base, message=message or "compilation failed")
        directory.mkdir(parents=True, exist_ok=True)
        if language.zygote:
            shutil.copyfile(staging / main, directory / main)
        else:
            shutil.copyfile(artifact_host, directory / language.artifact)
            os.chmod(directory / language.artifact, 0o755)
        return replace(base, ok=True, message=log)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def stopped_by_machine(outcome: ProcessResult, limits: ResourceLimits) -> bool:
    """Whether a compile was killed at its wall-clock limit while using under half
    its CPU limit: the compiler was starved by a busy machine (nothing a source
    can make it do waits without CPU), so the failure is the judge's, not the
    candidate's CE (and is not cached)."""
    return outcome.status is RunStatus.WALL_LIMIT and outcome.cpu_time_s < limits.cpu_time_s / 2


def machine_fault_while_compiling(outcome: ProcessResult, limits: ResourceLimits) -> str | None:
    """Why a failed compile is the machine's fault rather than the source's, or None.

    A source cannot make the compiler's own process die of a signal (a compiler
    that crashes reports an internal error and exits), nor make it wait without
    CPU; so a compiler killed from outside (a node going away, an operator's
    kill), a sandbox error, or a starved compiler is a judge error, judged again
    next time, never a cached CE. Limits the sandbox enforces (time, memory,
    output) stay the source's CE."""
    if stopped_by_machine(outcome, limits):
        return (
            f"compilation was stopped by the wall-clock limit ({limits.wall_time_s:.0f} s) "
            f"after only {outcome.cpu_time_s:.1f} s of CPU time: the machine is overloaded "
            "(judged again next time)"
        )
    if outcome.status is RunStatus.SIGNALED:
        return (
            f"the compiler was killed by signal {outcome.signal}, outside the sandbox's "
            "limits (judged again next time)"
        )
    if outcome.status is RunStatus.SANDBOX_ERROR:
        return f"sandbox error while compiling: {outcome.stderr_tail.strip()[-200:]}"
    return None


def _tail(path: Path) -> str:
    """The last LOG_TAIL_BYTES of a compiler output file ("" if absent): a flood
    of diagnostics is never read whole."""
    try:
        with open(path, "rb") as log:
            log.seek(max(0, os.fstat(log.fileno()).st_size - LOG_TAIL_BYTES))
            return log.read(LOG_TAIL_BYTES).decode(errors="replace")
    except FileNotFoundError:
        return ""
