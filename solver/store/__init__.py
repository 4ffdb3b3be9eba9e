"""The run store: one SQLite file per run (`DIR/run.sqlite`) holding what a run
samples and selects, split by what it stores:

- `database`: the file, its schema and transactions (`StoreError`).
- `problems`: the problems and their prompts.
- `samples`: the chunks of sampling, raw samples and distinct candidates.
- `selections`: what a strategy submits.

`RunStore` is all of them over one connection. Judge results are not stored here
(the judge's result cache is their one record).
"""

from __future__ import annotations

from solver.store.database import StoreError
from solver.store.problems import ProblemTables, PromptRow
from solver.store.samples import CandidateRow, SampleRow, SampleTables
from solver.store.selections import SelectionTables

__all__ = ["RunStore", "StoreError"]


class RunStore(ProblemTables, SampleTables, SelectionTables):
    """Typed access to one run's SQLite file. Open with `RunStore.open(dir)`; use
    as a context manager or call `close()`."""

    def pool_rows(self) -> tuple[list[PromptRow], list[SampleRow], list[CandidateRow]]:
        """Prompts, samples and candidates of all problems from one snapshot, for
        reports such as `cpsolve pool`."""
        with self._snapshot():
            prompts = self.prompts()
            samples = self.samples()
            candidates = [row for p in self.problems() for row in self.candidates(p.name)]
        return prompts, samples, candidates
