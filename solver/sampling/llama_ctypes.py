"""Our own ctypes binding of the part of llama.cpp's C API (llama.h) the `llamacpp`
engine uses, over the prebuilt library in the `xllamacpp` wheel.

Why not llama-cpp-python: PyPI has no binary wheel of it, so every fresh machine
compiled llama.cpp from source (over half an hour on two busy cores). The
`xllamacpp` wheel (manylinux2014, glibc >= 2.17, CPU build with AVX2) ships
llama.cpp linked into one shared object that exports the whole C API
(`llama_*` symbols); we load that file with ctypes and never import the
package's Python module, so none of its own bindings or server run.

The structs and signatures below follow `include/llama.h` of the llama.cpp the
pinned wheel was built from (xllamacpp 2026.10.11549; its llama.h has
`llama_model_params.lazy_mode`, `llama_context_params.n_rs_seq`,
`n_outputs_max*`, `ctx_type` and `moe_cache_size`). A struct that does not
match the library would corrupt memory, so `load_library` checks the layout
first: the default parameters the library returns must read back, field by
field, as llama.cpp's documented defaults (`check_layout`), else it refuses the
library with `LlamaLibraryError` naming the file. That wheel has no
`llama_model_quantize`; re-quantising is done in Python (`llamacpp_weights`).
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import sys
from pathlib import Path
from typing import Any

LIBRARY_REQUIREMENT = "xllamacpp==2026.10.11549"
LIBRARY_PACKAGE = "xllamacpp"
LIBRARY_FILE = "xllamacpp.abi3.so"

FLASH_ATTN_DISABLED = 0
FLASH_ATTN_ENABLED = 1
GGML_TYPE_F16 = 1
LOG_LEVEL_ERROR = 4
LOG_LEVEL_CONTINUE = 5
"""ggml_log_level: a CONT line continues the line before it, at its level."""


class LlamaLibraryError(RuntimeError):
    """The llama.cpp library is missing or does not match this binding."""


class LlamaBatch(ctypes.Structure):
    """struct llama_batch: parallel arrays of n_tokens entries (llama_batch_init)."""

    _fields_ = [
        ("n_tokens", ctypes.c_int32),
        ("token", ctypes.POINTER(ctypes.c_int32)),
        ("embd", ctypes.POINTER(ctypes.c_float)),
        ("pos", ctypes.POINTER(ctypes.c_int32)),
        ("n_seq_id", ctypes.POINTER(ctypes.c_int32)),
        ("seq_id", ctypes.POINTER(ctypes.POINTER(ctypes.c_int32))),
        ("logits", ctypes.POINTER(ctypes.c_int8)),
    ]


class ModelParams(ctypes.Structure):
    """struct llama_model_params."""

    _fields_ = [
        ("devices", ctypes.c_void_p),
        ("tensor_buft_overrides", ctypes.c_void_p),
        ("n_gpu_layers", ctypes.c_int32),
        ("split_mode", ctypes.c_int),
        ("load_mode", ctypes.c_int),
        ("lazy_mode", ctypes.c_int),
        ("main_gpu", ctypes.c_int32),
        ("tensor_split", ctypes.c_void_p),
        ("progress_callback", ctypes.c_void_p),
        ("progress_callback_user_data", ctypes.c_void_p),
        ("kv_overrides", ctypes.c_void_p),
        ("vocab_only", ctypes.c_bool),
        ("check_tensors", ctypes.c_bool),
        ("use_extra_bufts", ctypes.c_bool),
        ("no_host", ctypes.c_bool),
        ("no_alloc", ctypes.c_bool),
        ("load_mtp", ctypes.c_bool),
    ]


class ContextParams(ctypes.Structure):
    """struct llama_context_params."""

    _fields_ = [
        ("n_ctx", ctypes.c_uint32),
        ("n_batch", ctypes.c_uint32),
        ("n_ubatch", ctypes.c_uint32),
        ("n_seq_max", ctypes.c_uint32),
        ("n_rs_seq", ctypes.c_uint32),
        ("n_outputs_max", ctypes.c_uint32),
        ("n_outputs_max_per_seq", ctypes.c_uint32),
        ("n_threads", ctypes.c_int32),
        ("n_threads_batch", ctypes.c_int32),
        ("ctx_type", ctypes.c_int),
        ("rope_scaling_type", ctypes.c_int),
        ("pooling_type", ctypes.c_int),
        ("attention_type", ctypes.c_int),
        ("flash_attn_type", ctypes.c_int),
        ("rope_freq_base", ctypes.c_float),
        ("rope_freq_scale", ctypes.c_float),
        ("yarn_ext_factor", ctypes.c_float),
        ("yarn_attn_factor", ctypes.c_float),
        ("yarn_beta_fast", ctypes.c_float),
        ("yarn_beta_slow", ctypes.c_float),
        ("yarn_orig_ctx", ctypes.c_uint32),
        ("defrag_thold", ctypes.c_float),
        ("cb_eval", ctypes.c_void_p),
        ("cb_eval_user_data", ctypes.c_void_p),
        ("type_k", ctypes.c_int),
        ("type_v", ctypes.c_int),
        ("moe_cache_size", ctypes.c_size_t),
        ("abort_callback", ctypes.c_void_p),
        ("abort_callback_data", ctypes.c_void_p),
        ("embeddings", ctypes.c_bool),
        ("offload_kqv", ctypes.c_bool),
        ("no_perf", ctypes.c_bool),
        ("op_offload", ctypes.c_bool),
        ("swa_full", ctypes.c_bool),
        ("kv_unified", ctypes.c_bool),
        ("samplers", ctypes.c_void_p),
        ("n_samplers", ctypes.c_size_t),
        ("ctx_other", ctypes.c_void_p),
    ]


LogCallback = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)

_p = ctypes.c_void_p
_i32 = ctypes.c_int32
_u32 = ctypes.c_uint32
_bool = ctypes.c_bool
_token_array = ctypes.POINTER(ctypes.c_int32)

SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "llama_backend_init": (None, []),
    "llama_log_set": (None, [LogCallback, _p]),
    "llama_print_system_info": (ctypes.c_char_p, []),
    "llama_model_default_params": (ModelParams, []),
    "llama_context_default_params": (ContextParams, []),
    "llama_model_load_from_file": (_p, [ctypes.c_char_p, ModelParams]),
    "llama_model_free": (None, [_p]),
    "llama_model_get_vocab": (_p, [_p]),
    "llama_model_chat_template": (ctypes.c_char_p, [_p, ctypes.c_char_p]),
    "llama_model_n_params": (ctypes.c_uint64, [_p]),
    "llama_init_from_model": (_p, [_p, ContextParams]),
    "llama_free": (None, [_p]),
    "llama_n_ctx": (_u32, [_p]),
    "llama_get_memory": (_p, [_p]),
    "llama_memory_clear": (None, [_p, _bool]),
    "llama_memory_seq_rm": (_bool, [_p, _i32, _i32, _i32]),
    "llama_memory_seq_cp": (None, [_p, _i32, _i32, _i32, _i32]),
    "llama_batch_init": (LlamaBatch, [_i32, _i32, _i32]),
    "llama_batch_free": (None, [LlamaBatch]),
    "llama_decode": (_i32, [_p, LlamaBatch]),
    "llama_get_logits": (ctypes.POINTER(ctypes.c_float), [_p]),
    "llama_vocab_n_tokens": (_i32, [_p]),
    "llama_vocab_bos": (_i32, [_p]),
    "llama_vocab_eos": (_i32, [_p]),
    "llama_vocab_is_eog": (_bool, [_p, _i32]),
    "llama_tokenize": (_i32, [_p, ctypes.c_char_p, _i32, _token_array, _i32, _bool, _bool]),
    "llama_token_to_piece": (_i32, [_p, _i32, ctypes.c_char_p, _i32, _i32, _bool]),
    "llama_detokenize": (_i32, [_p, _token_array, _i32, ctypes.c_char_p, _i32, _bool, _bool]),
}
"""Every function bound: name -> (return type, argument types), as in llama.h."""

CONTEXT_DEFAULTS: dict[str, object] = {
    "n_ctx": 512,
    "n_batch": 2048,
    "n_ubatch": 512,
    "n_seq_max": 1,
    "n_rs_seq": 0,
    "flash_attn_type": -1,
    "yarn_ext_factor": -1.0,
    "defrag_thold": -1.0,
    "cb_eval": None,
    "type_k": GGML_TYPE_F16,
    "type_v": GGML_TYPE_F16,
    "moe_cache_size": 0,
    "abort_callback": None,
    "embeddings": False,
    "offload_kqv": True,
    "no_perf": True,
    "kv_unified": False,
    "samplers": None,
    "n_samplers": 0,
    "ctx_other": None,
}
"""Fields of llama_context_default_params() that llama.cpp documents, spread over
the whole struct, so a field added, removed or moved shifts one of them."""

MODEL_DEFAULTS: dict[str, object] = {
    "devices": None,
    "tensor_buft_overrides": None,
    "n_gpu_layers": -1,
    "main_gpu": 0,
    "tensor_split": None,
    "kv_overrides": None,
    "vocab_only": False,
    "check_tensors": False,
    "use_extra_bufts": True,
    "no_alloc": False,
}
"""Fields of llama_model_default_params() that llama.cpp documents."""


def library_path() -> Path:
    """The shared object of the installed xllamacpp wheel, found without importing it.

    Raises LlamaLibraryError saying what to install when it is not there."""
    spec = importlib.util.find_spec(LIBRARY_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LlamaLibraryError(
            f"the llamacpp engine needs llama.cpp from {LIBRARY_REQUIREMENT}: "
            f"pip install '{LIBRARY_REQUIREMENT}' (or the `sampling` extra)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / LIBRARY_FILE
    if not path.is_file():
        raise LlamaLibraryError(f"{path}: the {LIBRARY_PACKAGE} wheel has no {LIBRARY_FILE}")
    return path


def check_layout(lib: Any, path: Path) -> None:
    """Refuse a library whose default parameter structs do not read back as
    llama.h documents them: a layout that differs from the binding's would make
    every call that passes them corrupt memory."""
    for function, defaults in (
        ("llama_context_default_params", CONTEXT_DEFAULTS),
        ("llama_model_default_params", MODEL_DEFAULTS),
    ):
        params = getattr(lib, function)()
        read = {name: getattr(params, name, "<no such field>") for name in defaults}
        wrong = {name: value for name, value in read.items() if value != defaults[name]}
        if wrong:
            raise LlamaLibraryError(
                f"{path}: {function}() does not match this binding's llama.h "
                f"(fields read as {wrong}); install {LIBRARY_REQUIREMENT}"
            )


def bind(path: Path) -> Any:
    """`path` loaded with ctypes, every function of SIGNATURES typed.

    A missing symbol is a LlamaLibraryError naming the file and the function."""
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as error:
        raise LlamaLibraryError(f"{path}: cannot load it: {error}") from error
    for name, (restype, argtypes) in SIGNATURES.items():
        try:
            function = getattr(lib, name)
        except AttributeError as error:
            raise LlamaLibraryError(f"{path}: has no function {name}") from error
        function.restype = restype
        function.argtypes = argtypes
    return lib


def _log(level: int, text: bytes | None, _user_data: object) -> None:
    """llama.cpp's log lines: errors (and their continuation lines) to stderr,
    the rest dropped."""
    if level == LOG_LEVEL_CONTINUE:
        level = _log_state["last"]
    _log_state["last"] = level
    if level >= LOG_LEVEL_ERROR and text:
        sys.stderr.write(text.decode("utf-8", errors="replace"))


_log_state = {"last": 0}
_LOG_CALLBACK = LogCallback(_log)
"""Kept alive at module level: llama.cpp calls it for the life of the process."""


@functools.cache
def load_library() -> Any:
    """The bound, layout-checked llama.cpp library with its backend initialised and
    its logging cut to errors; loaded once per process."""
    path = library_path()
    lib = bind(path)
    check_layout(lib, path)
    lib.llama_log_set(_LOG_CALLBACK, None)
    lib.llama_backend_init()
    return lib
