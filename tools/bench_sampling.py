"""Benchmark: our engine wrappers against the same engines called directly.

For each engine (hf, vllm, openai through a vLLM server started here on
127.0.0.1) the same prompts and params are sampled by our wrapper and by a raw
call (transformers `generate`, `LLM.generate`, plain HTTP POSTs), alternating
the order over several rounds after a warm-up. It prints samples/s and
tokens/s per variant and, last, the wrapper's overhead in per cent.

    .venv/bin/python tools/bench_sampling.py [--engines hf,vllm,openai] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver.sampling.engine import Prompt, SamplingParams  # noqa: E402
from solver.sampling.hf_engine import derive_seed  # noqa: E402
from solver.sampling.registry import make_engine  # noqa: E402

WORDS = "solve the problem read the input write the output in python or cpp".split()


@dataclass
class Timing:
    """Accumulated work and time of one variant."""

    samples: int = 0
    tokens: int = 0
    seconds: float = 0.0
    rounds: list[float] = field(default_factory=list)

    def add(self, samples: int, tokens: int, seconds: float) -> None:
        """Count one timed call."""
        self.samples += samples
        self.tokens += tokens
        self.seconds += seconds
        self.rounds.append(seconds)


def bench_prompts(count: int) -> list[Prompt]:
    """`count` distinct short chat prompts."""
    return [
        Prompt(({"role": "user", "content": " ".join(WORDS[i % 5 :] + [str(i)])},), "python")
        for i in range(count)
    ]


def raw_hf(engine: Any) -> Callable[[list[Prompt], SamplingParams], tuple[int, int]]:
    """Plain transformers: render, pad, generate with logits, score, decode."""
    import torch

    model, tokenizer = engine.hf_model, engine.tokenizer

    def run(prompts: list[Prompt], params: SamplingParams) -> tuple[int, int]:
        texts = [
            tokenizer.apply_chat_template(
                list(p.messages), add_generation_prompt=True, tokenize=False
            )
            for p in prompts
        ]
        encoded = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        torch.manual_seed(derive_seed(params.seed, 0))
        with torch.inference_mode():
            out = model.generate(
                **encoded.to(engine.device),
                do_sample=True,
                temperature=params.temperature,
                top_p=params.top_p,
                top_k=0,
                max_new_tokens=params.max_tokens,
                num_return_sequences=params.n,
                return_dict_in_generate=True,
                output_logits=True,
                pad_token_id=tokenizer.pad_token_id,
            )
        scores = model.compute_transition_scores(out.sequences, out.logits, normalize_logits=True)
        generated = out.sequences[:, encoded["input_ids"].shape[1] :]
        tokens = 0
        for row, row_scores in zip(generated.tolist(), scores, strict=True):
            length = next((i + 1 for i, t in enumerate(row) if t in engine.eos_ids), len(row))
            tokenizer.decode(row[:length], skip_special_tokens=True)
            float(row_scores[:length].sum())
            tokens += length
        return len(generated), tokens

    return run


def raw_vllm(engine: Any) -> Callable[[list[Prompt], SamplingParams], tuple[int, int]]:
    """Plain vLLM: render with the tokenizer, one `LLM.generate` call."""
    from vllm import SamplingParams as VLLMSamplingParams

    llm = engine.llm
    tokenizer = llm.get_tokenizer()

    def run(prompts: list[Prompt], params: SamplingParams) -> tuple[int, int]:
        texts = [
            tokenizer.apply_chat_template(
                list(p.messages), add_generation_prompt=True, tokenize=False
            )
            for p in prompts
        ]
        sampling = [
            VLLMSamplingParams(
                n=params.n,
                temperature=params.temperature,
                top_p=params.top_p,
                max_tokens=params.max_tokens,
                logprobs=0,
                seed=derive_seed(params.seed, i) % (2**63),
            )
            for i in range(len(prompts))
        ]
        outputs = llm.generate(texts, sampling, use_tqdm=False)
        completions = [c for request in outputs for c in request.outputs]
        return len(completions), sum(len(c.token_ids) for c in completions)

    return run


def raw_http(
    url: str, model: str, in_flight: int
) -> Callable[[list[Prompt], SamplingParams], tuple[int, int]]:
    """Plain httpx POSTs to /v1/chat/completions on a thread pool."""
    import httpx

    client = httpx.Client(timeout=600, trust_env=False)

    def one(position: int, prompt: Prompt, params: SamplingParams) -> tuple[int, int]:
        body = {
            "model": model,
            "messages": list(prompt.messages),
            "n": params.n,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
            "seed": derive_seed(params.seed, position, 0) % (2**31),
            "logprobs": True,
            "top_logprobs": 0,
        }
        answer = client.post(url + "/v1/chat/completions", json=body).json()
        choices = answer["choices"]
        return len(choices), sum(len(c["logprobs"]["content"]) for c in choices)

    def run(prompts: list[Prompt], params: SamplingParams) -> tuple[int, int]:
        with ThreadPoolExecutor(max_workers=in_flight) as pool:
            counts = list(pool.map(lambda item: one(item[0], item[1], params), enumerate(prompts)))
        return sum(c[0] for c in counts), sum(c[1] for c in counts)

    return run


def wrapped(engine: Any) -> Callable[[list[Prompt], SamplingParams], tuple[int, int]]:
    """Our engine's generate, counted the same way."""

    def run(prompts: list[Prompt], params: SamplingParams) -> tuple[int, int]:
        result = engine.generate(prompts, params)
        return sum(len(row) for row in result), sum(c.num_tokens for row in result for c in row)

    return run


def measure(
    variants: dict[str, Callable[[list[Prompt], SamplingParams], tuple[int, int]]],
    prompts: list[Prompt],
    params: SamplingParams,
    rounds: int,
) -> dict[str, Timing]:
    """Warm every variant up, then time them back to back (order flipped each round).

    Each variant's `Timing.rounds` keeps its per-round seconds so that the
    overhead can be taken as the median of paired ratios, which a shared,
    busy machine disturbs far less than a ratio of totals."""
    for run in variants.values():
        run(prompts, params)
    timings = {name: Timing() for name in variants}
    names = list(variants)
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            started = time.perf_counter()
            samples, tokens = variants[name](prompts, params)
            timings[name].add(samples, tokens, time.perf_counter() - started)
    return timings


def paired_overhead(wrapper: Timing, raw: Timing) -> float:
    """Median over rounds of wrapper time / raw time, minus one."""
    return statistics.median(w / r for w, r in zip(wrapper.rounds, raw.rounds, strict=True)) - 1


def start_server(model_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A vLLM OpenAI-compatible server on a free 127.0.0.1 port, once it answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_dir),
        "--host", "127.0.0.1", "--port", str(port), "--dtype", "float32", "--seed", "0",
        "--generation-config", "vllm", "--max-model-len", "512",
    ]  # fmt: skip
    env = {**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url + "/v1/models", timeout=2, trust_env=False).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(2)
    stop(process)
    raise RuntimeError(f"vLLM server at {url} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the server we started (its process group, by its pid)."""
    if process.poll() is None:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=30)


Bench = Callable[[Path, list[Prompt], SamplingParams, argparse.Namespace], dict[str, Timing]]


def bench_hf(
    model_dir: Path, prompts: list[Prompt], params: SamplingParams, args: argparse.Namespace
) -> dict[str, Timing]:
    """Our hf engine (one batch) against raw transformers generate."""
    engine = make_engine("hf", str(model_dir), max_batch_sequences=len(prompts) * params.n)
    variants = {"wrapper": wrapped(engine), "raw": raw_hf(engine)}
    return measure(variants, prompts, params, args.rounds)


def bench_vllm(
    model_dir: Path, prompts: list[Prompt], params: SamplingParams, args: argparse.Namespace
) -> dict[str, Timing]:
    """Our vllm engine against raw LLM.generate on the same LLM."""
    engine: Any = make_engine("vllm", str(model_dir), dtype="float32", max_model_len=512)
    variants = {"wrapper": wrapped(engine), "raw": raw_vllm(engine)}
    try:
        return measure(variants, prompts, params, args.rounds)
    finally:
        engine.close()


def bench_openai(
    model_dir: Path, prompts: list[Prompt], params: SamplingParams, args: argparse.Namespace
) -> dict[str, Timing]:
    """Our openai engine against raw httpx POSTs, both on a vLLM server started here."""
    process, url = start_server(model_dir)
    try:
        engine = make_engine("openai", url, max_in_flight=8)
        variants = {"wrapper": wrapped(engine), "raw": raw_http(url, engine.model, 8)}
        return measure(variants, prompts, params, args.rounds)
    finally:
        stop(process)


BENCHES: dict[str, Bench] = {"hf": bench_hf, "vllm": bench_vllm, "openai": bench_openai}


def main() -> None:
    """Run the benchmark and print the table, overheads last."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engines", default="hf,vllm,openai")
    parser.add_argument("--model", help="model directory (default: a tiny random Llama)")
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()

    prompts = bench_prompts(args.prompts)
    params = SamplingParams(
        n=args.n, temperature=1.0, top_p=0.95, max_tokens=args.max_tokens, seed=1
    )
    with tempfile.TemporaryDirectory(prefix="bench-sampling-") as workdir:
        if args.model:
            model_dir = Path(args.model)
        else:
            from tests.model_fixtures import build_tiny_model

            model_dir = build_tiny_model(Path(workdir) / "tiny")
        results = {
            name: BENCHES[name](model_dir, prompts, params, args)
            for name in args.engines.split(",")
        }
    print(f"prompts={args.prompts} n={args.n} max_tokens={args.max_tokens} rounds={args.rounds}")
    print(f"load average (1, 5, 15 min) at the end: {os.getloadavg()} on {os.cpu_count()} cores")
    header = ["engine", "variant", "samples", "tokens", "seconds", "samples/s", "tokens/s"]
    print(f"{header[0]:8} {header[1]:8} " + " ".join(f"{h:>10}" for h in header[2:]))
    for engine_name, timings in results.items():
        for variant, t in timings.items():
            print(
                f"{engine_name:8} {variant:8} {t.samples:10d} {t.tokens:10d} {t.seconds:10.2f} "
                f"{t.samples / t.seconds:10.1f} {t.tokens / t.seconds:10.1f}"
            )
    for engine_name, timings in results.items():
        wrapper, raw = timings["wrapper"], timings["raw"]
        total = raw.tokens / raw.seconds / (wrapper.tokens / wrapper.seconds) - 1
        median = paired_overhead(wrapper, raw)
        print(
            f"overhead {engine_name}: {100 * median:+.1f}% (median of paired rounds; "
            f"totals: {100 * total:+.1f}%)"
        )


if __name__ == "__main__":
    main()
