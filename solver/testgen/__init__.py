"""Generated test inputs (no answers: candidates are compared with each other).

Sources, in this order of preference: (b) the package's own generators with fresh
seeds (`package`), (c) model-written generator programs from a sampling engine
(`model`), (a) structure-keeping mutations of the public inputs (`mutate`).
An input is kept only when valid: the package's input validators when it has
any (valid under some test group's flags), else model-written validators with
o1-ioi's 75% vote. With neither, generator output is trusted and, only when
there is none, mutations are returned unvalidated (`validated=False`): the
caller that runs candidates on them decides (the public-test survivors vote:
`solver.judged_pool.plausible_inputs`). Inputs equal to a public or hidden test
or to an earlier kept input are dropped. The same (problem, seed, engine) always
gives the same inputs.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

from judge.compile import Build, Compiled
from judge.programs import program_from_text
from judge.session import Judge
from judge.trusted import (
    VALIDATOR_VALID_EXIT,
    InputValidator,
    TrustedRun,
    compile_trusted,
    run_trusted,
)
from problems.model import Problem
from solver.sampling.engine import Engine
from solver.testgen import model, package
from solver.testgen.mutate import learn_shape, mutate_input, replicate_records

OVERDRAW = 3
REPLICATED = 0.25
"""The share of mutation draws made multi-test where an input reads as records."""
MANIFEST_LAYOUT = "v5"
"""In the manifest's name, so that an older manifest is not read: v2 entries say
whether an input was validated (a problem without validators got none before);
v3 mutations scale lengths up, v4 make multi-test inputs, v5 keep only records
that still read as records."""
MAX_INPUT_BYTES = 8 * 1024**2


@dataclass(frozen=True)
class GeneratedInput:
    """One kept input: its file, where it came from (`package`, `model`,
    `mutation`), the validator flag sets that accept it (`((),)` when the
    package has no validator) and whether any validator checked it."""

    name: str
    path: Path
    origin: str
    accepted_flags: tuple[tuple[str, ...], ...] = ()
    validated: bool = True


def public_inputs(problem: Problem) -> list[str]:
    """The texts of the public (sample) inputs."""
    return [
        test.input_path.read_text(errors="replace")
        for test in problem.tests
        if test.kind == "sample"
    ]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Collector:
    """Candidate inputs written to the folder, deduplicated, in draw order."""

    def __init__(self, problem: Problem, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.seen = {_digest(test.input_path.read_bytes()) for test in problem.tests}
        self.items: list[tuple[str, Path, str]] = []

    def add(self, data: bytes, origin: str) -> None:
        if not data.strip() or len(data) > MAX_INPUT_BYTES:
            return
        digest = _digest(data)
        if digest in self.seen:
            return
        self.seen.add(digest)
        path = self.folder / f"{digest[:16]}.in"
        if not path.exists():
            path.write_bytes(data)
        self.items.append((digest[:16], path, origin))


def _outputs(runs: list[TrustedRun]) -> list[bytes]:
    return [run.output for run in runs if run.ok]


def generate_inputs(
    judge: Judge,
    problem: Problem,
    folder: Path,
    count: int = 50,
    seed: int = 0,
    engine: Engine | None = None,
    model_programs: int = 4,
) -> list[GeneratedInput]:
    """Up to `count` valid new inputs for `problem`, written to `folder` (see the
    module docstring for sources and validity); where nothing can validate them,
    up to `OVERDRAW` x `count` unvalidated mutations instead, for the caller to
    vote on. The kept list is remembered in a manifest in `folder`, so a second
    call with the same arguments reads it back."""
    engine_name = "none" if engine is None else f"{engine.name}-{engine.model}"
    key = _digest(engine_name.encode())[:8]
    manifest = folder / f"manifest-{MANIFEST_LAYOUT}-n{count}-s{seed}-{key}.json"
    if manifest.exists():
        kept = _read_manifest(manifest, folder)
        if kept is not None:
            return kept
    chosen = _generate(judge, problem, folder, count, seed, engine, model_programs)
    manifest.write_text(
        json.dumps(
            [
                [item.name, item.origin, [list(f) for f in item.accepted_flags], item.validated]
                for item in chosen
            ]
        )
    )
    return chosen


def _read_manifest(manifest: Path, folder: Path) -> list[GeneratedInput] | None:
    """The inputs a manifest lists, or None when one of their files is gone."""
    items = []
    for name, origin, flags, validated in json.loads(manifest.read_text()):
        path = folder / f"{name}.in"
        if not path.exists():
            return None
        items.append(
            GeneratedInput(name, path, origin, tuple(tuple(f) for f in flags), bool(validated))
        )
    return items


def _generate(
    judge: Judge,
    problem: Problem,
    folder: Path,
    count: int,
    seed: int,
    engine: Engine | None,
    model_programs: int,
) -> list[GeneratedInput]:
    rng = random.Random(f"{seed}:{problem.name}")
    collector = _Collector(problem, folder)
    validator = InputValidator(judge, problem)
    draws = count * OVERDRAW

    generators = package.package_generators(problem)
    if generators:
        compiled = compile_trusted(judge, [g.sources for g in generators])
        jobs: list[tuple[Compiled, tuple[str, ...], Path | None]] = []
        for generator, program in zip(generators, compiled, strict=True):
            for args in package.draw_invocations(generator, draws // len(generators), rng):
                jobs.append((program, args, None))
        for data in _outputs(run_trusted(judge, jobs)):
            collector.add(data, "package")

    model_validators: list[Compiled] = []
    if engine is not None:
        written = model.sample_programs(engine, problem, model_programs, model_programs, seed)
        gen_compiled = _compile_model(judge, written.generators)
        jobs = [
            (gen_compiled[index % len(gen_compiled)], (str(rng.randrange(1, 10**9)),), None)
            for index in range(draws // 2 if gen_compiled else 0)
        ]
        for data in _outputs(run_trusted(judge, jobs, trusted=False)):
            collector.add(data, "model")
        model_validators = _compile_model(judge, written.validators)

    checked = validator.available or bool(model_validators)
    publics = public_inputs(problem)
    if publics and (checked or not collector.items):
        shape = learn_shape(publics)
        for _ in range(draws):
            public = rng.choice(publics)
            text = replicate_records(public, shape, rng) if rng.random() < REPLICATED else None
            collector.add((text or mutate_input(public, shape, rng)).encode(), "mutation")

    paths = [path for _, path, _ in collector.items]
    if validator.available:
        accepting = validator.accepting(paths)
    elif model_validators:
        accepting = [((),) if ok else () for ok in _model_vote(judge, model_validators, paths)]
    else:
        accepting = [((),)] * len(paths)
    kept = [
        GeneratedInput(name, path, origin, flags, checked or origin != "mutation")
        for (name, path, origin), flags in zip(collector.items, accepting, strict=True)
        if flags
    ]
    unvalidated = [item for item in kept if not item.validated]
    return _balanced([item for item in kept if item.validated], count) + unvalidated


def _balanced(kept: list[GeneratedInput], count: int) -> list[GeneratedInput]:
    """At most `count` inputs, taken round-robin over origins so that no source
    crowds out the others."""
    by_origin: dict[str, list[GeneratedInput]] = {}
    for item in kept:
        by_origin.setdefault(item.origin, []).append(item)
    chosen: list[GeneratedInput] = []
    queues = list(by_origin.values())
    while len(chosen) < count and any(queues):
        for queue in queues:
            if queue and len(chosen) < count:
                chosen.append(queue.pop(0))
    return chosen


def _compile_model(judge: Judge, sources: tuple[str, ...]) -> list[Compiled]:
    """Compile model-written Python programs; ones that do not compile are dropped."""
    programs = [program_from_text(source, model.LANGUAGE, "main") for source in sources]
    compiled = judge.compile([Build(program) for program in programs])
    return [c for c in compiled if c.ok]


def _model_vote(judge: Judge, validators: list[Compiled], paths: list[Path]) -> list[bool]:
    jobs = [(v, (), path) for path in paths for v in validators]
    runs = iter(run_trusted(judge, jobs, trusted=False))
    return [
        model.vote([next(runs).exit_code == VALIDATOR_VALID_EXIT for _ in validators])
        for _ in paths
    ]
