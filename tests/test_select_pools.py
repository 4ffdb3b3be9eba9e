"""Hypothesis strategies and builders of judged pools for the selection tests."""

from __future__ import annotations

from hypothesis import strategies as st

from solver.candidates import Candidate, Outcome, Pool, Subtask

LABELS = ("a", "b", "c", "!RE")


def candidate(
    cid: str, behaviour: tuple[str, ...], *, public: bool = True, samples: int = 1, **extra
) -> Candidate:
    """A candidate with the given behaviour; `public` says whether it passes the 2 public tests."""
    return Candidate(
        id=cid,
        language="cpp",
        source_length=100,
        sample_count=samples,
        public_passed=2 if public else 1,
        public_total=2,
        behaviour=behaviour,
        **extra,
    )


@st.composite
def pass_fail_pools(draw: st.DrawFn, min_candidates: int = 1, max_candidates: int = 7) -> Pool:
    """Small pass/fail pools with arbitrary behaviour, sample counts and verdicts."""
    inputs = draw(st.integers(0, 3))
    size = draw(st.integers(min_candidates, max_candidates))
    candidates, truth = [], {}
    for index in range(size):
        behaviour = tuple(draw(st.sampled_from(LABELS)) for _ in range(inputs))
        cid = f"c{index}"
        candidates.append(
            candidate(cid, behaviour, public=draw(st.booleans()), samples=draw(st.integers(1, 3)))
        )
        truth[cid] = Outcome({"all": float(draw(st.booleans()))})
    return Pool("p", tuple(candidates), generated_inputs=("x",) * inputs, truth=truth)


SUBTASKS = (
    Subtask("s1", 20.0),
    Subtask("s2", 30.0, ("s1",)),
    Subtask("s3", 50.0, ("s1", "s2")),
)


@st.composite
def ioi_pools(draw: st.DrawFn, max_candidates: int = 7) -> Pool:
    """Small IOI pools over three nested subtasks, with partial results and targets."""
    inputs = draw(st.integers(0, 3))
    size = draw(st.integers(1, max_candidates))
    names = [subtask.name for subtask in SUBTASKS]
    candidates, truth = [], {}
    for index in range(size):
        behaviour = tuple(draw(st.sampled_from(LABELS)) for _ in range(inputs))
        cid = f"c{index}"
        target = draw(st.sampled_from([None, *names]))
        candidates.append(
            candidate(
                cid,
                behaviour,
                public=draw(st.booleans()),
                samples=draw(st.integers(1, 3)),
                target_subtask=target,
            )
        )
        truth[cid] = Outcome(
            {s.name: draw(st.sampled_from([0.0, s.points / 2, s.points])) for s in SUBTASKS}
        )
    return Pool("ioi", tuple(candidates), SUBTASKS, generated_inputs=("x",) * inputs, truth=truth)
