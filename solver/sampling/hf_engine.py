"""The `hf` engine: transformers `generate` with batching, on CPU or GPU.

Prompts are rendered with the tokenizer's chat template, left-padded and
batched; each prompt's n samples come from `num_return_sequences`. A call is
seeded (`torch.manual_seed`, one derived seed per batch; Python's and
NumPy's generators are left alone), so the same
prompts and params give the same completions.

Log-probabilities are those of the model's own distribution (before temperature
and top-p, as vLLM reports them by default). They are gathered step by step by a
logits processor instead of keeping `output_scores`: that would hold
steps x batch x vocabulary floats (3 GiB for 16 x 1024 tokens of SmolLM2's
49k vocabulary) only to read one number per step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from solver.sampling.default_model import (
    DEFAULT_MODEL_NAME,
    ensure_default_model,
    local_model_dir,
)
from solver.sampling.engine import Completion, Prompt, SamplingParams
from solver.sampling.seeds import derive_seed

ENGINE_NAME = "hf"
DEFAULT_MAX_BATCH_SEQUENCES = 32


@dataclass(frozen=True)
class Batch:
    """One `generate` call: these prompts (by index), each sampled `count` times,
    the first sample being number `first_index` of its prompt."""

    prompt_indices: tuple[int, ...]
    count: int
    first_index: int


def plan_batches(num_prompts: int, n: int, max_sequences: int) -> list[Batch]:
    """Split (prompts x n samples) into generate calls of at most `max_sequences` rows.

    With n <= max_sequences, whole prompts are grouped; otherwise each prompt's
    samples are split into runs of at most `max_sequences`."""
    limit = max(1, max_sequences)
    if n <= limit:
        per_batch = max(1, limit // max(1, n))
        return [
            Batch(tuple(range(start, min(start + per_batch, num_prompts))), n, 0)
            for start in range(0, num_prompts, per_batch)
        ]
    return [
        Batch((prompt,), min(limit, n - first), first)
        for prompt in range(num_prompts)
        for first in range(0, n, limit)
    ]


def _chosen_logprob_recorder() -> Any:
    """A logits processor that sums, per row, the log-prob of each chosen token.

    At step t it sees the token chosen at step t-1 (the last input id) and the
    raw scores of step t; it keeps only the previous step's log-softmax."""
    import torch
    from transformers import LogitsProcessor

    class ChosenLogprobRecorder(LogitsProcessor):  # type: ignore[misc]
        def __init__(self) -> None:
            self.previous: torch.Tensor | None = None
            self.steps: list[torch.Tensor] = []

        def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
            if self.previous is not None:
                self.steps.append(self.previous.gather(1, input_ids[:, -1:]).squeeze(1))
            self.previous = torch.log_softmax(scores.float(), dim=-1)
            return scores

        def per_token(self, last_tokens: torch.Tensor) -> torch.Tensor:
            """[rows, steps] log-probs, the last step's from the final tokens."""
            assert self.previous is not None
            steps = [*self.steps, self.previous.gather(1, last_tokens[:, None]).squeeze(1)]
            return torch.stack(steps, dim=1)

    return ChosenLogprobRecorder()


@dataclass
class HFEngine:
    """Samples with a transformers causal LM. Build it with `make_hf_engine`."""

    model: str
    hf_model: Any
    tokenizer: Any
    device: str
    max_batch_sequences: int = DEFAULT_MAX_BATCH_SEQUENCES
    name: str = ENGINE_NAME
    eos_ids: frozenset[int] = field(default_factory=frozenset)

    def render(self, prompt: Prompt) -> str:
        """The prompt's chat rendered by the tokenizer's template, ready for generation."""
        text = self.tokenizer.apply_chat_template(
            list(prompt.messages), add_generation_prompt=True, tokenize=False
        )
        return str(text)

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """`params.n` completions per prompt, in index order, deterministic for the seed."""
        results: list[list[Completion]] = [[] for _ in prompts]
        texts = [self.render(prompt) for prompt in prompts]
        batches = plan_batches(len(prompts), params.n, self.max_batch_sequences)
        for number, batch in enumerate(batches):
            rows = self._generate_batch(
                [texts[i] for i in batch.prompt_indices],
                batch.count,
                params,
                derive_seed(params.seed, number),
            )
            for offset, prompt_index in enumerate(batch.prompt_indices):
                prompt = prompts[prompt_index]
                for sample in range(batch.count):
                    text, num_tokens, logprob, finish = rows[offset * batch.count + sample]
                    results[prompt_index].append(
                        Completion(
                            prompt_key=prompt.key(),
                            index=batch.first_index + sample,
                            text=text,
                            num_tokens=num_tokens,
                            logprob=logprob,
                            engine=self.name,
                            model=self.model,
                            seed=params.seed,
                            extra={"finish_reason": finish},
                        )
                    )
        return results

    def _generate_batch(
        self, texts: list[str], count: int, params: SamplingParams, seed: int
    ) -> list[tuple[str, int, float, str]]:
        """(text, num_tokens, logprob, finish_reason) for each of len(texts) x count rows."""
        import torch
        from transformers import GenerationConfig, LogitsProcessorList

        encoded = self.tokenizer(
            texts, return_tensors="pt", padding=True, add_special_tokens=False
        ).to(self.device)
        sample = params.temperature > 0
        config = GenerationConfig(
            do_sample=sample,
            temperature=params.temperature if sample else None,
            top_p=params.top_p if sample else None,
            top_k=0 if sample else None,
            max_new_tokens=params.max_tokens,
            num_return_sequences=count if sample else 1,
            eos_token_id=sorted(self.eos_ids),
            pad_token_id=self.tokenizer.pad_token_id,
            return_dict_in_generate=True,
        )
        recorder = _chosen_logprob_recorder()
        torch.manual_seed(seed)
        with torch.inference_mode():
            output = self.hf_model.generate(
                **encoded,
                generation_config=config,
                logits_processor=LogitsProcessorList([recorder]),
            )
        generated = output.sequences[:, encoded["input_ids"].shape[1] :]
        logprobs = recorder.per_token(generated[:, -1]).cpu()
        rows = list(self._rows(generated.cpu().tolist(), logprobs.tolist()))
        # Greedy decoding gives one answer per prompt; transformers refuses to
        # repeat it, so each row is copied `count` times here.
        return rows if sample else [row for row in rows for _ in range(count)]

    def _rows(
        self, generated: list[list[int]], logprobs: list[list[float]]
    ) -> Iterator[tuple[str, int, float, str]]:
        """Cut each row at its first EOS and decode it."""
        for tokens, token_logprobs in zip(generated, logprobs, strict=True):
            stop = next((i for i, token in enumerate(tokens) if token in self.eos_ids), None)
            kept = tokens if stop is None else tokens[:stop]
            num_tokens = len(tokens) if stop is None else stop + 1
            text = self.tokenizer.decode(kept, skip_special_tokens=True)
            finish = "length" if stop is None else "stop"
            yield str(text), num_tokens, float(sum(token_logprobs[:num_tokens])), finish


def _eos_ids(hf_model: Any, tokenizer: Any) -> frozenset[int]:
    """Every token id that ends generation (model config and tokenizer)."""
    ids: set[int] = set()
    for value in (hf_model.generation_config.eos_token_id, tokenizer.eos_token_id):
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, list):
            ids.update(int(item) for item in value)
    return frozenset(ids)


def make_hf_engine(
    model: str | None,
    device: str | None = None,
    dtype: str | None = None,
    max_batch_sequences: int = DEFAULT_MAX_BATCH_SEQUENCES,
) -> HFEngine:
    """Load `model` (a local directory; None: the default SmolLM2) for sampling.

    `device` defaults to CUDA when available, else CPU; `dtype` to bfloat16 on
    CUDA and float32 on CPU."""
    path = ensure_default_model() if model is None else local_model_dir(model)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    chosen_device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    chosen_dtype = (
        getattr(torch, dtype)
        if dtype
        else (torch.bfloat16 if chosen_device.startswith("cuda") else torch.float32)
    )
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    hf_model: Any = AutoModelForCausalLM.from_pretrained(path, dtype=chosen_dtype)
    hf_model = hf_model.to(chosen_device)
    hf_model.eval()
    return HFEngine(
        model=str(path) if model is not None else DEFAULT_MODEL_NAME,
        hf_model=hf_model,
        tokenizer=tokenizer,
        device=chosen_device,
        max_batch_sequences=max_batch_sequences,
        eos_ids=_eos_ids(hf_model, tokenizer),
    )
