"""What a run samples for: its problems (pinned by content hash) and their prompts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from solver.sampling.engine import Prompt
from solver.store.database import Database, StoreError


@dataclass(frozen=True)
class ProblemRow:
    """A problem sampled in this run; `content_hash` pins the package version."""

    name: str
    path: str
    format: str
    content_hash: str


@dataclass(frozen=True)
class PromptRow:
    """A prompt as stored: `messages_json` is the chat as a JSON list."""

    key: str
    problem: str
    language: str
    subtask: str | None
    template: str
    messages_json: str


class ProblemTables(Database):
    """The `problems` and `prompts` tables."""

    def add_problem(self, row: ProblemRow) -> None:
        """Register a problem; re-adding the same content is a no-op, but a
        different package under a known name is refused (it would mix pools)."""
        with self._write():
            found = self._db.execute(
                "SELECT format, content_hash FROM problems WHERE name = ?", (row.name,)
            ).fetchone()
            if found is None:
                self._db.execute(
                    "INSERT INTO problems(name, path, format, content_hash) VALUES (?, ?, ?, ?)",
                    (row.name, row.path, row.format, row.content_hash),
                )
            elif tuple(found) != (row.format, row.content_hash):
                raise StoreError(
                    self.path,
                    f"problem {row.name!r} is already in this run with different content "
                    f"({found[0]} {found[1]}, now {row.format} {row.content_hash}); "
                    "use a new run directory",
                )
            else:
                self._db.execute(
                    "UPDATE problems SET path = ? WHERE name = ?", (row.path, row.name)
                )

    def problems(self) -> list[ProblemRow]:
        """All problems of the run, by name."""
        rows = self._db.execute(
            "SELECT name, path, format, content_hash FROM problems ORDER BY name"
        ).fetchall()
        return [ProblemRow(*row) for row in rows]

    def add_prompts(self, problem: str, prompts: Sequence[Prompt]) -> None:
        """Register the prompts of `problem` (known keys are kept as they are)."""
        with self._write():
            for prompt in prompts:
                key = prompt.key()
                owner = self._db.execute(
                    "SELECT problem FROM prompts WHERE key = ?", (key,)
                ).fetchone()
                if owner is not None and owner[0] != problem:
                    raise StoreError(
                        self.path, f"prompt {key} belongs to {owner[0]!r}, not {problem!r}"
                    )
                self._db.execute(
                    "INSERT OR IGNORE INTO prompts"
                    "(key, problem, language, subtask, template, messages_json)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        problem,
                        prompt.language,
                        prompt.subtask,
                        prompt.template,
                        json.dumps(list(prompt.messages)),
                    ),
                )

    def prompts(self, problem: str | None = None) -> list[PromptRow]:
        """The stored prompts, of one problem or all, by (problem, key)."""
        query = "SELECT key, problem, language, subtask, template, messages_json FROM prompts"
        if problem is None:
            rows = self._db.execute(query + " ORDER BY problem, key").fetchall()
        else:
            rows = self._db.execute(
                query + " WHERE problem = ? ORDER BY key", (problem,)
            ).fetchall()
        return [PromptRow(*row) for row in rows]
