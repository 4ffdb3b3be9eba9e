"""What to compile for a problem: a candidate's build (with the problem's grader,
stub or include folder, in the language the problem's platform runs), the
builds of the problem's own helpers (checker, manager, custom grader), and which
labelled submissions this judge can build at all."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from judge.compile import Build
from judge.languages import get_language, language_for_path, languages, platform_language
from judge.programs import Program, SourceError, program_from_paths
from problems.languages import HEADER_SUFFIXES, LANGUAGES
from problems.model import CheckerKind, Grader, GraderKind, IncludeFiles, Problem, Submission

# Languages whose grader files are compiled and linked with the candidate into
# one program; in the others a grader's `main` file is the program's entry point.
LINKING_LANGUAGES = ("c", "cpp")


def helper_build(sources: tuple[Path, ...], include_dirs: tuple[Path, ...] = ()) -> Build:
    """A build of the problem's own C++/Python program (checker, validator, manager):
    the first source is the main file; headers next to it are copied along."""
    main, *others = sources
    program = program_from_paths([main], name=main.stem)
    extra_files = headers_in({main.parent, *include_dirs})
    extra_sources = tuple((path.name, path.read_bytes()) for path in others)
    return Build(program, extra_sources=extra_sources, extra_files=extra_files)


def headers_in(folders: Iterable[Path]) -> tuple[tuple[str, bytes], ...]:
    """The C/C++ headers in `folders`, as (box name, content), to copy next to a build."""
    return tuple(
        (path.name, path.read_bytes())
        for folder in sorted(folders)
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix in HEADER_SUFFIXES
    )


@dataclass(frozen=True)
class HelperBuilds:
    """The problem's own programs a judging session compiles (None: not needed)."""

    checker: Build | None = None
    manager: Build | None = None
    group_grader: Build | None = None


def helper_builds(problem: Problem) -> HelperBuilds:
    """The checker (an output validator, or an interactor), the CMS Communication
    manager and the custom group grader the problem needs; SourceError when it
    needs a checker and ships none."""
    checker = None
    if problem.checker.kind is not CheckerKind.TOKENS or (
        problem.grader.kind is GraderKind.INTERACTIVE
    ):
        if not problem.checker.sources:
            raise SourceError(problem.root, "the problem needs a checker but has no sources")
        checker = helper_build(problem.checker.sources)
    manager = None
    if problem.grader.kind is GraderKind.COMMUNICATION:
        manager = helper_build(problem.grader.manager_sources, problem.grader.include_dirs)
    group_grader = helper_build(problem.group_grader) if problem.group_grader else None
    return HelperBuilds(checker, manager, group_grader)


@functools.lru_cache(maxsize=64)
def _grader_files(
    grader: Grader,
) -> tuple[tuple[tuple[str, bytes], ...], tuple[tuple[str, bytes], ...]]:
    """The grader's sources and headers, read once (every candidate is built with them)."""
    sources = tuple((path.name, path.read_bytes()) for path in grader.sources)
    return sources, headers_in(grader.include_dirs)


def on_platform(program: Program, platform: str) -> Program:
    """`program` as the package's platform runs it: the language standing for its
    own on that platform (Python on Kattis: PyPy, see languages.yaml)."""
    language = platform_language(program.language, platform)
    return program if language.key == program.language else replace(program, language=language.key)


def grader_build(problem: Problem, program: Program) -> Build | str:
    """The build of a candidate for this problem (grader/stub linked in where the
    problem has one, run as the problem's platform runs its language), or the
    reason it cannot be built."""
    program = on_platform(program, problem.platform)
    grader = problem.grader
    if grader.kind not in (GraderKind.LINKED, GraderKind.COMMUNICATION):
        return Build(program, compile_time_s=problem.limits.compile_time_s)
    language = get_language(program.language)
    written_in = language.source_language
    family = language.family
    if grader.includes:
        include = grader.include_for(family)
        if include is None:
            return f"this problem's grader supports {', '.join(grader.languages)}, not {written_in}"
        return _include_build(problem, program, include)
    if grader.languages and family not in grader.languages:
        return f"this problem's grader supports {', '.join(grader.languages)}, not {written_in}"
    sources, headers = _grader_files(grader)
    return Build(
        program,
        extra_sources=sources,
        extra_files=headers,
        compile_time_s=problem.limits.compile_time_s,
    )


@functools.lru_cache(maxsize=64)
def _include_contents(include: IncludeFiles) -> tuple[tuple[str, bytes], ...]:
    """The files of an include folder as (box name, content), read once."""
    return tuple(
        (path.relative_to(include.folder).as_posix(), path.read_bytes()) for path in include.files
    )


def _include_build(problem: Problem, program: Program, include: IncludeFiles) -> Build | str:
    """A candidate built with a Kattis include/<language>/ folder: every file of the
    folder goes in; the ones in the candidate's language are compiled with it, the
    rest (headers, data) are copied next to it. C and C++ link everything into one
    program; in other languages a `main` file of the folder is the entry point and
    the candidate is the module it imports (`<problem name>.py` for Python). A
    language run from one file by the pre-started interpreter (CPython) cannot
    take several: the reason is returned instead."""
    extensions = LANGUAGES[include.language].extensions
    sources = [
        (name, data) for name, data in _include_contents(include) if Path(name).suffix in extensions
    ]
    others = tuple(
        (name, data)
        for name, data in _include_contents(include)
        if Path(name).suffix not in extensions
    )
    entry = next(
        (item for item in sources if "/" not in item[0] and Path(item[0]).stem.lower() == "main"),
        None,
    )
    if get_language(program.language).zygote and len(sources) + len(program.files) > 1:
        return (
            f"{get_language(program.language).name} runs a single file here: it cannot be "
            f"built with the files of include/{include.folder.name}/"
        )
    if entry is not None and include.language not in LINKING_LANGUAGES:
        sources.remove(entry)
        files = list(program.files)
        if include.language == "python":
            files[0] = (f"{problem.name}{Path(files[0][0]).suffix}", files[0][1])
        program = Program(program.language, (entry, *files), program.name)
    return Build(
        program,
        extra_sources=tuple(sources),
        extra_files=others,
        compile_time_s=problem.limits.compile_time_s,
    )


def submission_program(submission: Submission) -> Program:
    """The Program of a labelled submission (SourceError if it cannot be judged)."""
    known = {ext for language in languages().values() for ext in language.extensions}
    paths = [path for path in submission.paths if path.suffix in known] or list(submission.paths)
    language = submission.language
    if language is not None and language_for_path(paths[0]) is None:
        raise SourceError(paths[0], f"language {language!r} is not supported by this judge")
    if language == "python2":
        raise SourceError(paths[0], "Python 2 is not supported by this judge")
    return program_from_paths(paths, name=submission.name)


def admit(
    problem: Problem,
    submissions: Iterable[Submission],
    on_skip: Callable[[Submission, str], None] | None = None,
) -> list[tuple[Submission, Program]]:
    """The labelled submissions this judge can build for the problem, with their
    programs; the others (unsupported language, a language the problem's grader
    lacks, unreadable file) are reported through `on_skip` with the reason."""
    admitted = []
    for submission in submissions:
        try:
            program = submission_program(submission)
        except SourceError as error:
            if on_skip is not None:
                on_skip(submission, error.message)
            continue
        build = grader_build(problem, program)
        if isinstance(build, str):
            if on_skip is not None:
                on_skip(submission, build)
            continue
        admitted.append((submission, program))
    return admitted
