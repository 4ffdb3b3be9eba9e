"""Model-written test generators and input validators (o1-ioi's recipe), through
any sampling engine (the `replay` engine serves recorded ones in tests).

A generator is a Python program that prints one input for the seed given as its
only argument; a validator reads an input on stdin and exits 42 when it is valid
(the Kattis convention the package validators use too). Both are untrusted: they
run in the sandbox like candidates (no trusted uid), with a helper's limits.
An input is kept when at least `VOTE` of the validators that run accept it.
"""

from __future__ import annotations

from dataclasses import dataclass

from problems.model import Problem
from solver.code.extract import extract_code
from solver.prompts.material import load_samples
from solver.sampling.engine import Engine, Prompt, SamplingParams

VOTE = 0.75
LANGUAGE = "python"

_GENERATOR_TASK = (
    "Write a Python 3 program that prints ONE random, valid input for the problem "
    "below to standard output. It gets an integer seed as its only command-line "
    "argument (sys.argv[1]); seed the random module with it so the same seed prints "
    "the same input. Vary the sizes, include edge cases, and respect every "
    "constraint of the input section. Answer with the program in one ```python block."
)
_VALIDATOR_TASK = (
    "Write a Python 3 program that reads an input for the problem below from "
    "standard input and checks it against the input format and every constraint "
    "of the statement, exactly (whitespace included). Exit with status 42 when "
    "the input is valid and 43 when it is not. Answer with the program in one "
    "```python block."
)


@dataclass(frozen=True)
class ModelPrograms:
    """Model-written generator and validator sources (code already extracted)."""

    generators: tuple[str, ...]
    validators: tuple[str, ...]


def generation_prompts(problem: Problem) -> tuple[Prompt, Prompt]:
    """The generator prompt and the validator prompt for `problem`."""

    def prompt(task: str, template: str) -> Prompt:
        samples = "\n".join(
            f"Sample input {i + 1}:\n{sample.input}"
            for i, sample in enumerate(load_samples(problem))
        )
        content = f"{task}\n\n# {problem.title}\n\n{problem.statement}\n\n{samples}"
        return Prompt(
            messages=({"role": "user", "content": content},), language=LANGUAGE, template=template
        )

    return prompt(_GENERATOR_TASK, "testgen-generator"), prompt(
        _VALIDATOR_TASK, "testgen-validator"
    )


def sample_programs(
    engine: Engine, problem: Problem, generators: int, validators: int, seed: int
) -> ModelPrograms:
    """Ask the engine for generator and validator programs; completions without
    a Python block are dropped."""
    generator_prompt, validator_prompt = generation_prompts(problem)
    found: list[tuple[str, ...]] = []
    for prompt, n in ((generator_prompt, generators), (validator_prompt, validators)):
        if n <= 0:
            found.append(())
            continue
        [completions] = engine.generate([prompt], SamplingParams(n=n, seed=seed))
        codes = [extract_code(c.text, LANGUAGE) for c in completions]
        found.append(tuple(code for code in codes if code))
    return ModelPrograms(found[0], found[1])


def vote(accepts: list[bool]) -> bool:
    """o1-ioi's rule: valid when at least 75% of the validators accept."""
    return bool(accepts) and sum(accepts) >= VOTE * len(accepts)
