-- The schema of the first run stores (version 1), as cpsolve wrote it before the
-- store was split: three more tables (tests, runs, clusters) that nothing reads now.
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    name TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS prompts (
    key TEXT PRIMARY KEY,
    problem TEXT NOT NULL REFERENCES problems(name),
    language TEXT NOT NULL,
    subtask TEXT,
    template TEXT NOT NULL,
    messages_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS candidates (
    id INTEGER PRIMARY KEY,
    problem TEXT NOT NULL REFERENCES problems(name),
    prompt_key TEXT NOT NULL REFERENCES prompts(key),
    language TEXT NOT NULL,
    source TEXT NOT NULL,
    source_hash TEXT NOT NULL,
    sample_count INTEGER NOT NULL CHECK (sample_count >= 1),
    engine TEXT NOT NULL,
    model TEXT NOT NULL,
    params_json TEXT NOT NULL,
    seed INTEGER NOT NULL,
    num_tokens INTEGER NOT NULL,
    logprob REAL,
    target_subtask TEXT,
    UNIQUE (problem, language, source_hash)
);
CREATE TABLE IF NOT EXISTS samples (
    prompt_key TEXT NOT NULL REFERENCES prompts(key),
    sample_index INTEGER NOT NULL CHECK (sample_index >= 0),
    chunk INTEGER NOT NULL,
    candidate_id INTEGER REFERENCES candidates(id),
    num_tokens INTEGER NOT NULL,
    logprob REAL,
    PRIMARY KEY (prompt_key, sample_index)
);
CREATE INDEX IF NOT EXISTS samples_by_candidate ON samples(candidate_id);
CREATE TABLE IF NOT EXISTS chunks (
    prompt_key TEXT NOT NULL REFERENCES prompts(key),
    chunk INTEGER NOT NULL CHECK (chunk >= 0),
    size INTEGER NOT NULL CHECK (size >= 1),
    base_seed INTEGER NOT NULL,
    seed INTEGER,
    done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    PRIMARY KEY (prompt_key, chunk)
);
CREATE TABLE IF NOT EXISTS tests (
    problem TEXT NOT NULL REFERENCES problems(name),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (problem, name)
);
CREATE TABLE IF NOT EXISTS runs (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    test_name TEXT NOT NULL,
    limits_json TEXT NOT NULL,
    status TEXT NOT NULL,
    verdict TEXT NOT NULL,
    score REAL,
    cpu_time_s REAL,
    memory_bytes INTEGER,
    message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (candidate_id, test_name, limits_json)
);
CREATE TABLE IF NOT EXISTS clusters (
    problem TEXT NOT NULL REFERENCES problems(name),
    cluster_id INTEGER NOT NULL,
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    signature TEXT NOT NULL,
    PRIMARY KEY (problem, candidate_id)
);
CREATE TABLE IF NOT EXISTS selections (
    problem TEXT NOT NULL REFERENCES problems(name),
    strategy TEXT NOT NULL,
    rank INTEGER NOT NULL CHECK (rank >= 0),
    candidate_id INTEGER NOT NULL REFERENCES candidates(id),
    PRIMARY KEY (problem, strategy, rank)
);
