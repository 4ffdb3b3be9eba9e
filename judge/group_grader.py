"""A package's custom grader (Kattis `graders/`) as a `GroupGrader`: run as a
trusted program in a worker's sandbox, fed "VERDICT SCORE" lines on stdin with
the group's grader_flags as arguments (problemtools' protocol). Equal inputs
are graded once per session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence

from judge.compile import Compiled
from judge.grading import GroupGrader, grader_input, parse_grader_output
from judge.pool import WorkerPool
from judge.trusted import trusted_run_job
from judge.verdicts import Verdict
from problems.model import TestGroup

GradedGroup = tuple[Verdict, float, str]


class GroupGraderRuns:
    """Runs custom graders in a worker pool, remembering what each graded."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self._graded: dict[tuple[str, tuple[str, ...], str], GradedGroup] = {}

    def grader(self, compiled: Compiled, time_s: float) -> GroupGrader:
        """The compiled custom grader as a `GroupGrader` (run with a helper's
        limits for a problem whose time limit is `time_s`)."""

        def run(group: TestGroup, outcomes: Sequence[tuple[Verdict, float]]) -> GradedGroup:
            text = grader_input(outcomes)
            key = (compiled.key, group.scoring.grader_flags, text)
            if key not in self._graded:
                self._graded[key] = self._run(compiled, group.scoring.grader_flags, text, time_s)
            return self._graded[key]

        return run

    def _run(
        self, compiled: Compiled, flags: tuple[str, ...], text: str, time_s: float
    ) -> GradedGroup:
        with tempfile.NamedTemporaryFile("w", prefix="cpsolve-grader-", suffix=".in") as handle:
            handle.write(text)
            handle.flush()
            os.chmod(handle.name, 0o644)
            run = self.pool.submit(trusted_run_job, compiled, flags, handle.name, time_s).result()
        if not run.ok:
            why = "was killed" if run.exit_code is None else f"exited with {run.exit_code}"
            return Verdict.JE, 0.0, f"custom grader {why}: {run.message[-300:]}"
        output = run.output.decode(errors="replace")
        parsed = parse_grader_output(output)
        if parsed is None:
            return Verdict.JE, 0.0, f"custom grader wrote {output[:100]!r}, not 'VERDICT SCORE'"
        return parsed[0], parsed[1], ""
