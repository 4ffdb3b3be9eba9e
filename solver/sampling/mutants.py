"""The `mutants` engine: candidates made by mutating a problem's accepted solutions.

No model is involved. It is a CPU-only candidate source for simulations and
tests: its pools contain correct programs, near misses that fail only on secret
tests, and programs that fail the samples or do not compile - the mix a
selection strategy has to sort out.

Determinism and distinctness. Candidate i of a prompt depends only on (seed,
prompt key, i) and on the candidates 0..i-1 of the same call: attempt a draws its
randomness from `random.Random(sha256(seed, prompt key, i, a))`, and an attempt
whose mutant normalises (`solver.code.normalise.source_hash`) equal to an earlier
candidate or to an original solution is discarded and the next attempt made.
Hence the same (seed, n) gives exactly the same pool, a call with a larger n
extends a smaller one (prefix stable), and all candidates of one call are
distinct. Calls with different seeds (the sampler's chunks) are independent;
duplicates across them are possible and are removed by the store's dedup on
`source_hash`. Every 8 failed attempts the number of mutations drawn grows by one
(up to `max_mutations`), which keeps the space large enough for small programs;
after `max_attempts` attempts the candidate is given up and the prompt gets
fewer than n completions (`Completion.index` stays the candidate number).

`Completion.logprob` is a pseudo log-probability: minus the number of mutations
applied, so that fewer mutations look "likelier", as a model's samples closer to
a correct program would.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from judge.labels import FULL_SCORE_LABELS
from problems.languages import LANGUAGES, language_of_suffix
from problems.model import Problem
from solver.code.normalise import source_hash
from solver.sampling.engine import Completion, Engine, Prompt, SamplingParams
from solver.sampling.mutate_cpp import canonical_cpp, mutate_cpp
from solver.sampling.mutate_python import canonical_python, mutate_python
from solver.sampling.mutation import Mutant

MUTATION_COUNT_WEIGHTS = {1: 0.5, 2: 0.3, 3: 0.2}
ESCALATE_EVERY = 8
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class LanguageMutator:
    """How to mutate programs of one language: `mutate(source, rng, count)`, and
    `canonical(source)`, the unmutated program as the mutator prints it."""

    mutate: Callable[[str, random.Random, int], Mutant | None]
    canonical: Callable[[str], str]
    syntax_errors: tuple[type[Exception], ...]


MUTATORS: dict[str, LanguageMutator] = {
    "python": LanguageMutator(mutate_python, canonical_python, (SyntaxError, ValueError)),
    "cpp": LanguageMutator(mutate_cpp, canonical_cpp, ()),
}


@dataclass(frozen=True)
class ReferenceSource:
    """An accepted solution to mutate: submission name, language and source text."""

    name: str
    language: str
    source: str


def submission_language(language: str | None, path_suffix: str) -> str | None:
    """The language key of a submission: its declared one (a problems.languages key)
    when known, else its file suffix's; None for languages we cannot mutate."""
    key = language if language is not None else language_of_suffix(path_suffix)
    return key if key in MUTATORS else None


def load_reference_sources(problem: Problem, languages: tuple[str, ...]) -> list[ReferenceSource]:
    """The problem's single-file accepted solutions (labels accepted, model_solution,
    correct) in `languages` that the mutator can read (a Python 2 file that does
    not parse as Python 3 is skipped; a `correct` solution written for named
    subtasks only, `Submission.target_subtasks`, is not a full solution)."""
    sources = []
    for submission in problem.submissions:
        if submission.label not in FULL_SCORE_LABELS or len(submission.paths) != 1:
            continue
        if submission.target_subtasks:
            continue
        path = submission.paths[0]
        language = submission_language(submission.language, path.suffix)
        if language is None or language not in languages:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            MUTATORS[language].canonical(text)
        except MUTATORS[language].syntax_errors:
            continue
        sources.append(ReferenceSource(submission.name, language, text))
    return sources


def derived_rng(seed: int, prompt_key: str, index: int, attempt: int) -> random.Random:
    """The random stream of one attempt at one candidate (independent of all others)."""
    blob = f"mutants:{seed}:{prompt_key}:{index}:{attempt}".encode()
    return random.Random(int.from_bytes(hashlib.sha256(blob).digest()[:8], "big"))


def draw_mutation_count(rng: random.Random, attempt: int, max_mutations: int) -> int:
    """1-3 mutations with decreasing probability, one more every ESCALATE_EVERY
    failed attempts, at most `max_mutations`."""
    counts = list(MUTATION_COUNT_WEIGHTS)
    base = rng.choices(counts, weights=list(MUTATION_COUNT_WEIGHTS.values()))[0]
    return min(base + attempt // ESCALATE_EVERY, max_mutations)


def count_tokens(source: str) -> int:
    """A rough token count: words and single punctuation characters."""
    return len(_TOKEN.findall(source))


def fenced(source: str, language: str) -> str:
    """The source inside a fenced block of its language, as a model would answer."""
    body = source if source.endswith("\n") else source + "\n"
    return f"```{LANGUAGES[language].fence}\n{body}```\n"


class MutantsEngine:
    """An `Engine` whose completions are mutants of the problem's accepted
    solutions in the prompt's language (see the module docstring)."""

    name = "mutants"

    def __init__(
        self,
        problem: Problem,
        languages: tuple[str, ...] = ("cpp", "python"),
        max_mutations: int = 6,
        max_attempts: int = 64,
    ) -> None:
        unknown = set(languages) - set(MUTATORS)
        if unknown:
            raise ValueError(f"mutants: no mutator for {sorted(unknown)}; known {sorted(MUTATORS)}")
        self.problem = problem
        self.model = "mutants"
        self.max_mutations = max_mutations
        self.max_attempts = max_attempts
        self.sources = load_reference_sources(problem, languages)

    def sources_for(self, language: str) -> list[ReferenceSource]:
        """The reference solutions usable for prompts in `language`."""
        return [s for s in self.sources if s.language == language]

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """For each prompt, up to params.n distinct mutants in index order (fewer
        when the attempts run out; none when no reference solution is in the
        prompt's language)."""
        return [self._generate_one(prompt, params) for prompt in prompts]

    def _generate_one(self, prompt: Prompt, params: SamplingParams) -> list[Completion]:
        references = self.sources_for(prompt.language)
        if not references:
            return []
        mutator = MUTATORS[prompt.language]
        key = prompt.key()
        seen = {source_hash(r.source, r.language) for r in references}
        seen |= {source_hash(mutator.canonical(r.source), r.language) for r in references}
        completions = []
        for index in range(params.n):
            found = self._find_mutant(references, mutator, params.seed, key, index, seen)
            if found is None:
                continue
            reference, mutant, digest, attempts = found
            seen.add(digest)
            completions.append(
                Completion(
                    prompt_key=key,
                    index=index,
                    text=fenced(mutant.source, prompt.language),
                    num_tokens=count_tokens(mutant.source),
                    logprob=-float(len(mutant.operators)),
                    engine=self.name,
                    model=f"mutants:{reference.name}",
                    seed=params.seed,
                    extra={"mutations": list(mutant.operators), "attempts": attempts},
                )
            )
        return completions

    def _find_mutant(
        self,
        references: list[ReferenceSource],
        mutator: LanguageMutator,
        seed: int,
        key: str,
        index: int,
        seen: set[str],
    ) -> tuple[ReferenceSource, Mutant, str, int] | None:
        """The first attempt at candidate `index` whose mutant is new, or None."""
        for attempt in range(self.max_attempts):
            rng = derived_rng(seed, key, index, attempt)
            reference = rng.choice(references)
            count = draw_mutation_count(rng, attempt, self.max_mutations)
            mutant = mutator.mutate(reference.source, rng, count)
            if mutant is None:
                continue
            digest = source_hash(mutant.source, reference.language)
            if digest not in seen:
                return reference, mutant, digest, attempt + 1
        return None


def make_mutants_engine(
    model: str | None = None,
    *,
    problem: Problem,
    languages: tuple[str, ...] = ("cpp", "python"),
    max_mutations: int = 6,
    max_attempts: int = 64,
) -> Engine:
    """A registry factory (`factory(model, **options)`): the engine needs the
    problem whose accepted solutions it mutates; `model` must be None or
    "mutants", since no model is involved."""
    if model not in (None, "mutants"):
        raise ValueError(f"the mutants engine uses no model, got {model!r}")
    return MutantsEngine(problem, languages, max_mutations, max_attempts)
