"""Re-quantised copies of a GGUF model for the `llamacpp` engine, made once and cached.

The default SmolLM2 ships with Q4_1 weights, for which llama.cpp has no tiled
batched kernel: it multiplies them row by row. Q8_0 goes through its tiled
matrix kernels and decodes a batch of sequences about 1.7x faster per CPU
second (tools/bench_sampling.py). The library we load (llama_ctypes) has no
`llama_model_quantize`, so the copy is made here with the `gguf` package: every
tensor of two or more dimensions is de-quantised to float32 and quantised to the
target type block by block, exactly as ggml's reference quantiser does (gguf's
Q8_0 is bit-exact with it); one-dimensional tensors (norms) and the metadata are
copied as they are, `general.file_type` set to the new type.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from judge.outputs import file_sha256
from solver.sampling.default_model import default_cache_root
from solver.sampling.registry import EngineError

ENGINE_NAME = "llamacpp"
WEIGHT_TYPES = {"q8_0": 7, "q4_0": 2}
"""Weight types a model can be re-quantised to, with llama.cpp's LLAMA_FTYPE_MOSTLY_* value."""
AUTO_WEIGHTS = "auto"
"""Q8_0 for the default model (its Q4_1 has no fast batched kernel), as stored otherwise."""
STORED_WEIGHTS = "stored"
DEFAULT_MODEL_WEIGHTS = "q8_0"


def cache_folder() -> Path:
    """Where re-quantised models live: $XDG_CACHE_HOME/cpsolve/gguf, beside the
    converted models (solver.sampling.default_model)."""
    return default_cache_root().parent / "gguf"


def requantize(source: Path, target: Path, weights: str) -> None:
    """Write `source` to `target` with every tensor of two or more dimensions
    quantised to `weights` (a key of WEIGHT_TYPES); the rest copied as it is."""
    from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter, Keys
    from gguf.quants import dequantize, quantize

    qtype = GGMLQuantizationType[weights.upper()]
    reader = GGUFReader(source)
    architecture = reader.fields[Keys.General.ARCHITECTURE].contents()
    writer = GGUFWriter(target, architecture)
    for field in reader.fields.values():
        if field.name == Keys.General.ARCHITECTURE or field.name.startswith("GGUF."):
            continue
        value_type = field.types[0]
        if field.name == Keys.General.FILE_TYPE:
            writer.add_key_value(field.name, WEIGHT_TYPES[weights], GGUFValueType.UINT32)
            continue
        sub_type = field.types[-1] if value_type == GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), value_type, sub_type=sub_type)
    tensors = []
    for tensor in reader.tensors:
        data = tensor.data
        kind = tensor.tensor_type
        if len(tensor.shape) >= 2 and kind != qtype:
            data = quantize(dequantize(data, kind), qtype)
            kind = qtype
        tensors.append(data)
        writer.add_tensor_info(tensor.name, data.shape, data.dtype, data.nbytes, kind)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    for data in tensors:
        writer.write_tensor_data(data)
    writer.close()


def cached_requantized(source: Path, weights: str, cache: Path | None = None) -> Path:
    """`source` re-quantised to `weights` (a key of WEIGHT_TYPES), made once and
    kept in the cache under a name keyed by the source's SHA-256.

    It is written to a temp file beside the target and renamed into place, so
    the cache never holds a half-written model, and concurrent first uses agree."""
    if weights not in WEIGHT_TYPES:
        known = ", ".join([AUTO_WEIGHTS, STORED_WEIGHTS, *WEIGHT_TYPES])
        raise EngineError(f"engine {ENGINE_NAME!r}: unknown weights {weights!r}; known: {known}")
    folder = cache or cache_folder()
    target = folder / f"{source.stem}-{file_sha256(source)[:16]}.{weights}.gguf"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{target.name}-", dir=folder)
    os.close(handle)
    os.chmod(staging, 0o644)
    try:
        requantize(source, Path(staging), weights)
        os.replace(staging, target)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
    return target
