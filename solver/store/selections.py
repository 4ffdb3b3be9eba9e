"""What a strategy submits: the ordered selection of candidates per problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from solver.store.database import Database


@dataclass(frozen=True)
class SelectionRow:
    """The candidate a strategy submits at position `rank` (0 = first)."""

    problem: str
    strategy: str
    rank: int
    candidate_id: int


class SelectionTables(Database):
    """The `selections` table."""

    def replace_selection(self, problem: str, strategy: str, candidate_ids: Sequence[int]) -> None:
        """Replace what `strategy` submits for `problem`: candidates in order."""
        with self._write():
            self._db.execute(
                "DELETE FROM selections WHERE problem = ? AND strategy = ?", (problem, strategy)
            )
            self._db.executemany(
                "INSERT INTO selections(problem, strategy, rank, candidate_id) VALUES (?, ?, ?, ?)",
                [(problem, strategy, rank, cid) for rank, cid in enumerate(candidate_ids)],
            )

    def selection(self, problem: str, strategy: str) -> list[SelectionRow]:
        """What `strategy` submits for `problem`, by rank."""
        rows = self._db.execute(
            "SELECT problem, strategy, rank, candidate_id FROM selections"
            " WHERE problem = ? AND strategy = ? ORDER BY rank",
            (problem, strategy),
        ).fetchall()
        return [SelectionRow(*row) for row in rows]
