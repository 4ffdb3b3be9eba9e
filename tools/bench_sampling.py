"""Benchmark sampling engines, in two modes.

Default: every CPU engine on the default model (SmolLM2-135M-Instruct) side by
side, each in a fresh process (so start-up counts what a user waits for:
Python, imports, model load), the same prompts (the example problems' C++
prompts), params and max_tokens. It prints tokens/s in aggregate and start-up
seconds per engine, the ratio to the hf engine, the machine's load, and last
the default engine's figure. An engine spec is `name[:key=value,...]`; the keys
go to `make_engine` (e.g. `llamacpp:parallel=8,threads=1`), except `procs=K`,
which runs K processes of that engine at once, each on its share of the
samples (with its own seed), and counts their total tokens over the wall time.

    .venv/bin/python tools/bench_sampling.py [--skip vllm] [--engines hf,llamacpp]

`--overhead`: our engine wrappers against the same engines called directly
(transformers `generate`, `LLM.generate`, plain HTTP POSTs to a vLLM server
started here on 127.0.0.1) on a tiny random model, alternating the order over
several rounds after a warm-up; prints samples/s and tokens/s per variant and,
last, the wrapper's overhead in per cent.

    .venv/bin/python tools/bench_sampling.py --overhead [--engines hf,vllm,openai]
"""

from __future__ import annotations

import argparse
import os
import signal
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
from solver.sampling.registry import make_engine  # noqa: E402
from solver.sampling.seeds import derive_seed  # noqa: E402
from solver.sampling.vllm_engine import vllm_sampling  # noqa: E402

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
    llm = engine.llm
    tokenizer = llm.get_tokenizer()

    def run(prompts: list[Prompt], params: SamplingParams) -> tuple[int, int]:
        texts = [
            tokenizer.apply_chat_template(
                list(p.messages), add_generation_prompt=True, tokenize=False
            )
            for p in prompts
        ]
        sampling = vllm_sampling(params, len(prompts))
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


def run_overhead(args: argparse.Namespace) -> None:
    """The wrapper-overhead benchmark: print the table, overheads last."""
    prompts = bench_prompts(args.prompts)
    params = SamplingParams(
        n=args.n, temperature=1.0, top_p=0.95, max_tokens=args.max_tokens, seed=1
    )
    engines = args.engines or "hf,vllm,openai"
    with tempfile.TemporaryDirectory(prefix="bench-sampling-") as workdir:
        if args.model:
            model_dir = Path(args.model)
        else:
            from solver.sampling.tiny_model import build_tiny_model

            model_dir = build_tiny_model(Path(workdir) / "tiny")
        results = {
            name: BENCHES[name](model_dir, prompts, params, args) for name in engines.split(",")
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


# --- engines side by side on the default model ----------------------------------

CPU_ENGINES = "hf,vllm,llamacpp:weights=stored,flash_attention=1,llamacpp:weights=q4_0,llamacpp"
"""The default set: hf, vllm, llamacpp as it was first set up (the stored Q4_1
weights, flash attention on), llamacpp on Q4_0 weights (faster, but a second
4-bit rounding costs quality), and llamacpp as it runs by default (Q8_0)."""


@dataclass(frozen=True)
class EngineSpec:
    """An engine name, the options for `make_engine`, and how many processes run it."""

    text: str
    name: str
    options: dict[str, object]
    procs: int


def parse_spec(text: str) -> EngineSpec:
    """`name[:key=value,...]` -> EngineSpec (ints and floats parsed; `procs` taken out)."""
    name, _, rest = text.partition(":")
    options: dict[str, object] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"engine spec {text!r}: {item!r} is not key=value")
        options[key] = _number(value)
    procs = options.pop("procs", 1)
    if not isinstance(procs, int) or procs < 1:
        raise SystemExit(f"engine spec {text!r}: procs must be a positive integer")
    return EngineSpec(text, name, options, procs)


def split_specs(text: str) -> list[str]:
    """Comma-separated engine specs; an item `key=value` without an engine name
    continues the spec before it (`llamacpp:a=1,b=2,hf` is two specs)."""
    specs: list[str] = []
    for item in filter(None, text.split(",")):
        if specs and "=" in item and ":" not in item:
            specs[-1] += "," + item
        else:
            specs.append(item)
    return specs


def _number(value: str) -> object:
    """`value` as an int or a float when it reads as one, else the string."""
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            continue
    return value


def example_prompts(count: int) -> list[Prompt]:
    """The C++ prompts of the first `count` example problems (sorted by name)."""
    from problems.load import load_problem
    from solver.prompts.build import build_prompts

    root = Path(__file__).resolve().parents[1] / "problems" / "examples"
    folders = sorted(path for path in root.iterdir() if (path / "problem.yaml").is_file())
    prompts: list[Prompt] = []
    for folder in folders:
        prompts.extend(build_prompts(load_problem(folder), "cpp", per_subtask=False))
    if len(prompts) < count:
        raise SystemExit(f"only {len(prompts)} example prompts, asked for {count}")
    return prompts[:count]


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) of process `root` and all its live descendants,
    including their reaped children, read from /proc. On a machine shared by
    other work the wall clock says little; CPU seconds say what the work cost."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    spent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        spent[pid] = sum(int(value) for value in fields[11:15])
    tree = {root}
    grew = True
    while grew:
        grown = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= grown
        grew = bool(grown)
    return sum(spent.get(pid, 0) for pid in tree) / ticks


def worker(args: argparse.Namespace) -> None:
    """One engine in this process: build it, say when it is ready, wait for the go
    line on stdin, sample once, print the counts (JSON lines on stdout). Whatever
    the engine prints goes to stderr: stdout carries only those lines (vLLM's
    engine process wrote log lines to it)."""
    import json

    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    spec = parse_spec(args.worker)
    engine: Any = make_engine(spec.name, None, **spec.options)
    startup_cpu = tree_cpu_seconds(os.getpid())
    print(json.dumps({"ready": time.time(), "startup_cpu": startup_cpu}), file=replies, flush=True)
    sys.stdin.readline()
    prompts = example_prompts(args.prompts)
    params = SamplingParams(
        n=args.n, temperature=1.0, top_p=0.95, max_tokens=args.max_tokens, seed=args.seed
    )
    started = time.perf_counter()
    cpu_before = tree_cpu_seconds(os.getpid())
    result = engine.generate(prompts, params)
    cpu = tree_cpu_seconds(os.getpid()) - cpu_before
    seconds = time.perf_counter() - started
    tokens = sum(c.num_tokens for row in result for c in row)
    samples = sum(len(row) for row in result)
    counts = {"samples": samples, "tokens": tokens, "seconds": seconds, "cpu": cpu}
    print(json.dumps(counts), file=replies, flush=True)
    close = getattr(engine, "close", None)
    if close is not None:
        close()


@dataclass
class EngineRun:
    """What one engine spec did: start-up seconds (wall and CPU), samples, tokens,
    wall seconds and CPU seconds of sampling."""

    spec: str
    startup: float
    startup_cpu: float
    samples: int
    tokens: int
    seconds: float
    cpu: float
    note: str = ""

    @property
    def tokens_per_second(self) -> float:
        """Aggregate tokens per second."""
        return self.tokens / self.seconds

    @property
    def tokens_per_cpu(self) -> float:
        """Tokens per CPU second."""
        return self.tokens / self.cpu


def run_spec(spec: EngineSpec, args: argparse.Namespace) -> EngineRun:
    """Start `spec.procs` worker processes, wait until all are ready, start them
    together, and time them to the last one's end."""
    import json

    if args.n % spec.procs:
        raise SystemExit(f"{spec.text}: n={args.n} does not split over {spec.procs} processes")
    workers = []
    launched = time.time()
    for number in range(spec.procs):
        command = [
            sys.executable, __file__, "--worker", _worker_spec(spec),
            "--prompts", str(args.prompts), "--n", str(args.n // spec.procs),
            "--max-tokens", str(args.max_tokens), "--seed", str(args.seed + number),
        ]  # fmt: skip
        workers.append(
            subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,  # its engine's own processes are ended with it
            )
        )
    try:
        ready_lines = [json.loads(_line(process, spec)) for process in workers]
        went = time.perf_counter()
        for process in workers:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        counts = [json.loads(_line(process, spec)) for process in workers]
        wall = time.perf_counter() - went
    finally:
        for process in workers:
            if process.poll() is None:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            try:
                os.killpg(process.pid, signal.SIGKILL)  # whatever the worker left running
            except ProcessLookupError:
                pass
    return EngineRun(
        spec=spec.text,
        startup=max(line["ready"] for line in ready_lines) - launched,
        startup_cpu=max(line["startup_cpu"] for line in ready_lines),
        samples=sum(c["samples"] for c in counts),
        tokens=sum(c["tokens"] for c in counts),
        seconds=wall,
        cpu=sum(c["cpu"] for c in counts),
    )


def _worker_spec(spec: EngineSpec) -> str:
    """The spec a worker process builds (without `procs`, with its thread share)."""
    options = dict(spec.options)
    if spec.procs > 1 and spec.name == "llamacpp":
        options.setdefault("threads", max(1, (os.cpu_count() or 1) // spec.procs))
    return spec.name + (":" + ",".join(f"{k}={v}" for k, v in options.items()) if options else "")


def _line(process: subprocess.Popen[str], spec: EngineSpec) -> str:
    """The worker's next stdout line; a worker that died is an error naming the spec."""
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"{spec.text}: the worker process ended (exit {process.wait()})")
    return line


def load_line() -> str:
    """The machine's load now (as uptime shows it)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def run_engines(args: argparse.Namespace) -> None:
    """Every CPU engine on the default model, one after the other; the default's figure last."""
    from solver.sampling.default_model import (
        CONVERTED_MARKER,
        DEFAULT_CPU_ENGINE,
        DEFAULT_MODEL_NAME,
        default_cache_root,
    )

    skipped = set(filter(None, args.skip.split(",")))
    specs = [parse_spec(text) for text in split_specs(args.engines or CPU_ENGINES)]
    specs = [spec for spec in specs if spec.name not in skipped]
    if not any(spec.text == DEFAULT_CPU_ENGINE for spec in specs):
        specs.append(parse_spec(DEFAULT_CPU_ENGINE))
    print(f"before: {load_line()}", flush=True)
    runs: list[EngineRun] = []
    for spec in specs:
        converted = (default_cache_root() / DEFAULT_MODEL_NAME / CONVERTED_MARKER).is_file()
        run = run_spec(spec, args)
        if spec.name in ("hf", "vllm"):
            run.note = "converted copy cached" if converted else "includes GGUF conversion"
        runs.append(run)
        print(
            f"  {run.spec}: {run.tokens} tokens in {run.seconds:.1f} s ({run.cpu:.1f} CPU s), "
            f"start-up {run.startup:.1f} s ({load_line()})",
            flush=True,
        )
    print(f"after: {load_line()}")
    print(
        f"default model {DEFAULT_MODEL_NAME}; prompts={args.prompts} (example problems, C++) "
        f"n={args.n} max_tokens={args.max_tokens} temperature=1.0 top_p=0.95 seed={args.seed}"
    )
    baseline = next((run for run in runs if run.spec == "hf"), None)
    header = ["samples", "tokens", "wall s", "tokens/s", "CPU s", "tok/CPU-s", "x hf CPU"]
    header += ["start-up s", "start CPU s"]
    print(f"{'engine':32} " + " ".join(f"{h:>11}" for h in header))
    for run in runs:
        ratio = run.tokens_per_cpu / baseline.tokens_per_cpu if baseline else float("nan")
        print(
            f"{run.spec:32} {run.samples:11d} {run.tokens:11d} {run.seconds:11.1f} "
            f"{run.tokens_per_second:11.1f} {run.cpu:11.1f} {run.tokens_per_cpu:11.1f} "
            f"{ratio:11.2f} {run.startup:11.1f} {run.startup_cpu:11.1f}  {run.note}"
        )
    print(
        "tokens/s and start-up s are wall clock on this shared machine; tok/CPU-s counts "
        "tokens per CPU second of the engine's processes (on an idle machine with C cores "
        "an engine that keeps them busy gets up to C times that in tokens/s)"
    )
    default = next(run for run in runs if run.spec == DEFAULT_CPU_ENGINE)
    versus = (
        f", {default.tokens_per_cpu / baseline.tokens_per_cpu:.1f}x hf per CPU second"
        if baseline
        else ""
    )
    print(
        f"default engine {DEFAULT_CPU_ENGINE}: {default.tokens_per_second:.1f} tokens/s "
        f"(wall, load {os.getloadavg()[0]:.1f}), {default.tokens_per_cpu:.1f} tokens per CPU "
        f"second, start-up {default.startup:.1f} s wall / {default.startup_cpu:.1f} s CPU"
        f"{versus}"
    )


def main() -> None:
    """Parse the arguments and run the chosen mode."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--overhead", action="store_true", help="wrapper-overhead mode")
    parser.add_argument("--engines", help=f"comma-separated specs (default {CPU_ENGINES})")
    parser.add_argument("--skip", default="", help="engine names to leave out, e.g. vllm")
    parser.add_argument("--model", help="--overhead: model directory (default: a tiny Llama)")
    parser.add_argument("--prompts", type=int, default=2)
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=8, help="--overhead: timed rounds")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
    elif args.overhead:
        run_overhead(args)
    else:
        run_engines(args)


if __name__ == "__main__":
    main()
