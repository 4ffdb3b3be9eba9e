"""Tests of the run store (solver/store/) against real SQLite files."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from solver.pool_summary import (
    PoolLine,
    describe_pool,
    format_pool_table,
    summarise_pool,
    total_line,
)
from solver.sampling.chunk import ChunkResult, ExtractedProgram
from solver.sampling.engine import Completion, Prompt, SamplingParams
from solver.store import RunStore, StoreError
from solver.store.database import DB_FILENAME, SCHEMA_VERSION
from solver.store.problems import ProblemRow

PROBLEM = ProblemRow("sum", "/problems/sum", "kattis-2023-07", "hash-1")
CPP = Prompt(messages=({"role": "user", "content": "Add two numbers."},), language="cpp")
PY = Prompt(
    messages=({"role": "user", "content": "Add two numbers."},), language="python", subtask="2"
)
PARAMS = SamplingParams(n=4, temperature=0.8, seed=7)


def completion(prompt: Prompt, index: int, tokens: int = 10, logprob: float = -1.5) -> Completion:
    """A completion of `prompt` at `index` (engine fields fixed)."""
    return Completion(
        prompt_key=prompt.key(),
        index=index,
        text=f"sample {index}",
        num_tokens=tokens,
        logprob=logprob,
        engine="test",
        model="test-model",
        seed=PARAMS.seed,
    )


def program(source: str) -> ExtractedProgram:
    """An extracted program whose hash is its source (distinct sources, distinct hashes)."""
    return ExtractedProgram(source=source, source_hash=f"h:{source}")


def record(
    store: RunStore,
    prompt_key: str,
    chunk: int,
    completions: Sequence[Completion],
    extracted: Sequence[ExtractedProgram | None],
    params: SamplingParams,
) -> None:
    """Store one finished chunk (a batch of one)."""
    store.record_chunks(
        [ChunkResult(prompt_key, chunk, tuple(completions), tuple(extracted), params)]
    )


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    """A fresh store with one problem and two prompts, four-sample chunks planned."""
    opened = RunStore.open(tmp_path / "run")
    opened.add_problem(PROBLEM)
    opened.add_prompts("sum", [CPP, PY])
    for prompt in (CPP, PY):
        opened.plan_chunks(prompt.key(), [4, 4, 2], base_seed=7)
    return opened


def test_open_creates_wal_database_with_schema_version(tmp_path: Path) -> None:
    with RunStore.open(tmp_path / "run") as store:
        assert store.path == tmp_path / "run" / DB_FILENAME
        assert store.meta()["schema_version"] == str(SCHEMA_VERSION)
        assert store.check_integrity() == ["ok"]
    assert (tmp_path / "run" / DB_FILENAME).is_file()
    header = (tmp_path / "run" / DB_FILENAME).read_bytes()[:20]
    assert header[:16] == b"SQLite format 3\x00"
    assert header[18:20] == b"\x02\x02", "file format bytes 2/2 mean WAL journal mode"


def test_reopen_refuses_other_schema_version(tmp_path: Path) -> None:
    import sqlite3

    with RunStore.open(tmp_path):
        pass
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="schema version 999") as error:
        RunStore.open(tmp_path)
    assert error.value.path == tmp_path / DB_FILENAME


def test_not_a_database_names_file(tmp_path: Path) -> None:
    (tmp_path / DB_FILENAME).write_text("this is not sqlite\n" * 100)
    with pytest.raises(StoreError, match="not a usable run store") as error:
        RunStore.open(tmp_path)
    assert error.value.path == tmp_path / DB_FILENAME


def test_readonly_open_of_missing_store_fails(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no run store"):
        RunStore.open(tmp_path, readonly=True)


def test_problem_and_prompt_round_trip(store: RunStore, tmp_path: Path) -> None:
    store.add_problem(PROBLEM)
    store.add_prompts("sum", [CPP])
    store.close()
    with RunStore.open(tmp_path / "run", readonly=True) as again:
        assert again.problems() == [PROBLEM]
        rows = {row.key: row for row in again.prompts("sum")}
        assert set(rows) == {CPP.key(), PY.key()}
        assert rows[PY.key()].language == "python"
        assert rows[PY.key()].subtask == "2"
        assert rows[CPP.key()].subtask is None
        assert '"Add two numbers."' in rows[CPP.key()].messages_json


def test_changed_problem_is_refused(store: RunStore) -> None:
    with pytest.raises(StoreError, match="different content"):
        store.add_problem(ProblemRow("sum", "/problems/sum", "kattis-2023-07", "hash-2"))


def test_prompt_of_another_problem_is_refused(store: RunStore) -> None:
    store.add_problem(ProblemRow("other", "/p/other", "cms", "h"))
    with pytest.raises(StoreError, match="belongs to 'sum'"):
        store.add_prompts("other", [CPP])


def test_record_chunk_writes_samples_candidates_and_done(store: RunStore) -> None:
    completions = [completion(CPP, i, tokens=10 + i) for i in range(4)]
    extracted = [program("a"), None, program("b"), program("a")]
    record(store, CPP.key(), 0, completions, extracted, PARAMS)

    assert store.done_chunks(CPP.key()) == {0}
    assert store.done_chunks(PY.key()) == set()
    candidates = store.candidates("sum")
    assert [(c.source, c.sample_count) for c in candidates] == [("a", 2), ("b", 1)]
    first = candidates[0]
    assert (first.engine, first.model, first.seed, first.num_tokens) == (
        "test",
        "test-model",
        7,
        10,
    )
    assert first.language == "cpp" and first.prompt_key == CPP.key()
    assert '"temperature": 0.8' in first.params_json
    samples = store.samples(CPP.key())
    assert [s.sample_index for s in samples] == [0, 1, 2, 3]
    assert samples[1].candidate_id is None
    assert samples[0].candidate_id == samples[3].candidate_id == first.id
    summary = store.summary()
    assert (summary.samples, summary.extraction_failures, summary.candidates) == (4, 1, 2)
    assert summary.sampled_into_candidates == 3
    assert summary.tokens == 10 + 11 + 12 + 13
    assert (summary.chunks_planned, summary.chunks_done) == (6, 1)


def test_sample_count_accumulates_across_chunks_and_prompts(store: RunStore) -> None:
    record(store, CPP.key(), 0, [completion(CPP, i) for i in range(4)], [program("x")] * 4, PARAMS)
    record(
        store, CPP.key(), 2, [completion(CPP, 8 + i) for i in range(2)], [program("x")] * 2, PARAMS
    )
    python_programs = [program("x"), program("y"), program("x"), None]
    record(store, PY.key(), 1, [completion(PY, 4 + i) for i in range(4)], python_programs, PARAMS)
    counts = {(c.language, c.source): c.sample_count for c in store.candidates("sum")}
    assert counts == {("cpp", "x"): 6, ("python", "x"): 2, ("python", "y"): 1}
    assert store.done_chunks(CPP.key()) == {0, 2}
    python_candidate = next(c for c in store.candidates("sum") if c.language == "python")
    assert python_candidate.target_subtask == "2"


def test_recording_a_chunk_twice_is_refused_and_changes_nothing(store: RunStore) -> None:
    completions = [completion(CPP, i) for i in range(4)]
    record(store, CPP.key(), 0, completions, [program("a")] * 4, PARAMS)
    before = store.summary()
    with pytest.raises(StoreError, match="already recorded"):
        record(store, CPP.key(), 0, completions, [program("a")] * 4, PARAMS)
    assert store.summary() == before
    assert store.candidates("sum")[0].sample_count == 4


def test_a_bad_chunk_rolls_back_the_whole_batch(store: RunStore) -> None:
    record(store, CPP.key(), 0, [completion(CPP, i) for i in range(4)], [program("a")] * 4, PARAMS)
    good = ChunkResult(
        PY.key(), 0, tuple(completion(PY, i) for i in range(4)), (program("p"),) * 4, PARAMS
    )
    overlapping = ChunkResult(
        CPP.key(), 1, tuple(completion(CPP, 3 + i) for i in range(4)), (program("b"),) * 4, PARAMS
    )
    with pytest.raises(StoreError, match="holds samples 4..7, got index 3"):
        store.record_chunks([good, overlapping])
    assert store.done_chunks(PY.key()) == set()
    assert store.samples(PY.key()) == []
    assert [c.source for c in store.candidates("sum")] == ["a"]
    assert store.candidates("sum")[0].sample_count == 4


def test_wrong_chunk_size_and_unplanned_chunks_are_refused(store: RunStore) -> None:
    with pytest.raises(StoreError, match="holds samples 4..7, got index 8"):
        record(store, CPP.key(), 1, [completion(CPP, i) for i in range(5, 9)], [None] * 4, PARAMS)
    with pytest.raises(StoreError, match="holds samples 8..9, got index 7"):
        record(store, CPP.key(), 2, [completion(CPP, 7)], [None], PARAMS)
    with pytest.raises(StoreError, match="not planned"):
        record(store, CPP.key(), 9, [completion(CPP, 36)], [None], PARAMS)
    with pytest.raises(StoreError, match="2 completions but 1"):
        record(store, CPP.key(), 2, [completion(CPP, 8), completion(CPP, 9)], [None], PARAMS)
    assert store.summary().samples == 0
    record(store, CPP.key(), 1, [completion(CPP, 4), completion(CPP, 6)], [None] * 2, PARAMS)
    assert [s.sample_index for s in store.samples(CPP.key())] == [4, 6]
    assert store.done_chunks(CPP.key()) == {1}


def test_replanning_with_other_settings_is_refused_once_sampled(store: RunStore) -> None:
    record(store, CPP.key(), 0, [completion(CPP, i) for i in range(4)], [None] * 4, PARAMS)
    store.plan_chunks(CPP.key(), [4, 4, 2], base_seed=7)
    store.plan_chunks(PY.key(), [5, 5], base_seed=8)
    record(store, PY.key(), 1, [completion(PY, 9)], [None], PARAMS)  # chunk 1 holds 5..9 now
    with pytest.raises(StoreError, match="holds samples 10..11"):
        record(store, PY.key(), 2, [completion(PY, 8)], [None], PARAMS)  # chunk 2 kept its size
    with pytest.raises(StoreError, match="sampled with size 4 and seed 7"):
        store.plan_chunks(CPP.key(), [5, 5], base_seed=7)
    with pytest.raises(StoreError, match="size 4 and seed 7"):
        store.plan_chunks(CPP.key(), [4, 4], base_seed=8)
    with pytest.raises(StoreError, match="chunk 1 was sampled with size 5 and seed 8"):
        store.plan_chunks(PY.key(), [5, 5], base_seed=9)


def test_readonly_store_refuses_writes(store: RunStore, tmp_path: Path) -> None:
    with RunStore.open(tmp_path / "run", readonly=True) as reader:
        with pytest.raises(StoreError, match="read-only"):
            reader.add_problem(PROBLEM)


def test_selection_round_trip(store: RunStore, tmp_path: Path) -> None:
    record(
        store,
        CPP.key(),
        0,
        [completion(CPP, i) for i in range(4)],
        [program(s) for s in "abcd"],
        PARAMS,
    )
    ids = [c.id for c in store.candidates("sum")]
    store.replace_selection("sum", "alphacode", [ids[0], ids[3]])
    store.replace_selection("sum", "alphacode", [ids[2], ids[1]])
    store.close()

    with RunStore.open(tmp_path / "run", readonly=True) as again:
        assert [(s.rank, s.candidate_id) for s in again.selection("sum", "alphacode")] == [
            (0, ids[2]),
            (1, ids[1]),
        ]
        assert again.selection("sum", "codet") == []
        assert again.check_integrity() == ["ok"]


def test_foreign_keys_are_enforced(store: RunStore) -> None:
    with pytest.raises(StoreError, match="unknown prompt"):
        record(store, "nope", 0, [], [], PARAMS)
    import sqlite3

    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        store.replace_selection("sum", "random", [12345])
    assert store.selection("sum", "random") == []


def test_concurrent_reader_sees_consistent_snapshots_while_writing(tmp_path: Path) -> None:
    """A reader polling while a writer commits chunk after chunk (WAL) never
    blocks, never fails, and always sees whole chunks: sample rows equal the
    sum of candidate sample counts plus failures, and the chunk counter agrees."""
    chunk_count = 60
    size = 25
    with RunStore.open(tmp_path) as setup:
        setup.add_problem(PROBLEM)
        setup.add_prompts("sum", [CPP])
        setup.plan_chunks(CPP.key(), [size] * chunk_count, base_seed=7)

    def write() -> None:
        with RunStore.open(tmp_path) as writer:
            for chunk in range(chunk_count):
                indices = range(chunk * size, (chunk + 1) * size)
                programs = [None if i % 7 == 0 else program(str(i % 40)) for i in indices]
                record(
                    writer,
                    CPP.key(),
                    chunk,
                    [completion(CPP, i) for i in indices],
                    programs,
                    PARAMS,
                )

    snapshots = []
    with RunStore.open(tmp_path, readonly=True) as reader, ThreadPoolExecutor(1) as pool:
        writing = pool.submit(write)
        while not writing.done():
            snapshots.append(reader.summary())
        writing.result()
        snapshots.append(reader.summary())
    assert len(snapshots) > 2
    for snap in snapshots:
        assert snap.samples == snap.chunks_done * size
        assert snap.samples == snap.sampled_into_candidates + snap.extraction_failures
    counts = [snap.samples for snap in snapshots]
    assert counts == sorted(counts)
    assert counts[-1] == chunk_count * size
    assert len(set(counts)) > 2, "the reader should have seen the pool grow"


def test_pool_summary_counts_per_problem_and_language(store: RunStore, tmp_path: Path) -> None:
    record(
        store,
        CPP.key(),
        0,
        [completion(CPP, i, tokens=5, logprob=-1.0 - i) for i in range(4)],
        [program("a"), program("a"), None, program("b")],
        PARAMS,
    )
    record(
        store,
        PY.key(),
        2,
        [completion(PY, 8, tokens=7, logprob=-0.5), completion(PY, 9, tokens=9, logprob=-1.5)],
        [program("a"), program("a")],
        PARAMS,
    )
    lines = summarise_pool(*store.pool_rows())
    assert lines == [
        PoolLine("sum", "cpp", 1, 4, 2, 1, 1, 20, -2.5),
        PoolLine("sum", "python", 1, 2, 1, 1, 0, 16, -1.0),
    ]
    assert total_line(lines) == PoolLine("total", "", 2, 6, 3, 2, 1, 36, -2.0)
    store.close()
    text = describe_pool(tmp_path / "run")
    rows = [line.split() for line in text.splitlines()]
    assert rows[0][:3] == ["problem", "language", "prompts"]
    assert rows[1] == ["sum", "cpp", "1", "4", "2", "1", "1", "20", "-2.500"]
    assert rows[2] == ["sum", "python", "1", "2", "1", "1", "0", "16", "-1.000"]
    assert rows[3] == ["total", "2", "6", "3", "2", "1", "36", "-2.000"]


def test_pool_summary_of_empty_run(tmp_path: Path) -> None:
    with RunStore.open(tmp_path) as empty:
        assert format_pool_table(summarise_pool(*empty.pool_rows())) == (
            "empty pool: no prompts in this run"
        )
    assert summarise_pool([], [], []) == []
    with RunStore.open(tmp_path) as store:
        store.add_problem(PROBLEM)
        store.add_prompts("sum", [CPP])
        (line,) = summarise_pool(*store.pool_rows())
    assert line == PoolLine("sum", "cpp", 1, 0, 0, 0, 0, 0, None)
    assert format_pool_table([line]).splitlines()[1].split()[-1] == "-"


# The schema of the first run stores (version 1), frozen as cpsolve wrote it.
FIRST_SCHEMA = Path(__file__).parent / "data" / "run_store_v1.sql"


def test_a_run_folder_of_the_first_schema_opens_and_grows(tmp_path: Path) -> None:
    import sqlite3

    db = sqlite3.connect(tmp_path / DB_FILENAME)
    db.executescript(FIRST_SCHEMA.read_text())
    db.execute("INSERT INTO meta(key, value) VALUES ('schema_version', '1')")
    db.execute("INSERT INTO problems VALUES ('sum', '/problems/sum', 'kattis-2023-07', 'hash-1')")
    db.execute(
        "INSERT INTO prompts VALUES (?, 'sum', 'cpp', NULL, '', ?)",
        (CPP.key(), '[{"role": "user", "content": "Add two numbers."}]'),
    )
    db.execute("INSERT INTO chunks VALUES (?, 0, 2, 7, 7, 1)", (CPP.key(),))
    db.execute("INSERT INTO chunks VALUES (?, 1, 2, 7, NULL, 0)", (CPP.key(),))
    db.execute(
        "INSERT INTO candidates VALUES (1, 'sum', ?, 'cpp', 'a', 'h:a', 2, 'test',"
        " 'test-model', '{}', 7, 10, -1.5, NULL)",
        (CPP.key(),),
    )
    for index in (0, 1):
        db.execute("INSERT INTO samples VALUES (?, ?, 0, 1, 10, -1.5)", (CPP.key(), index))
    db.execute("INSERT INTO runs VALUES (1, 'secret/1', '{}', 'ok', 'AC', 1.0, 0.1, 1000, '')")
    db.execute("INSERT INTO clusters VALUES ('sum', 0, 1, 's0')")
    db.execute("INSERT INTO selections VALUES ('sum', 'codet', 0, 1)")
    db.commit()
    db.close()

    with RunStore.open(tmp_path, readonly=True) as reader:
        assert reader.problems() == [PROBLEM]
        assert [(c.id, c.source, c.sample_count) for c in reader.candidates("sum")] == [(1, "a", 2)]
        assert [(s.rank, s.candidate_id) for s in reader.selection("sum", "codet")] == [(0, 1)]
        assert reader.done_chunks(CPP.key()) == {0}
    with RunStore.open(tmp_path) as store:
        store.add_problem(PROBLEM)
        store.add_prompts("sum", [CPP])
        store.plan_chunks(CPP.key(), [2, 2], base_seed=7)
        record(
            store,
            CPP.key(),
            1,
            [completion(CPP, 2), completion(CPP, 3)],
            [program("a"), program("b")],
            PARAMS,
        )
        assert [(c.source, c.sample_count) for c in store.candidates("sum")] == [("a", 3), ("b", 1)]
        assert store.summary().samples == 4
        assert store.check_integrity() == ["ok"]
