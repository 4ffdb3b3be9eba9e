"""The `openai` engine: any OpenAI-compatible server (vLLM serve, SGLang,
llama.cpp server) over HTTP with httpx.

Each prompt is one request asking for `n` choices (split into several requests
past `max_choices_per_request`), with a seed derived from `params.seed` and the
prompt's position so that a server that honours seeds repeats itself. Requests
run on a bounded thread pool (`max_in_flight`); connection errors, timeouts,
429 and 5xx answers are retried with exponential back-off, and a server that
still fails raises `ServerError` naming the URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from solver.sampling.engine import Completion, Prompt, SamplingParams
from solver.sampling.seeds import derive_seed

ENGINE_NAME = "openai"
RETRY_STATUSES = frozenset({408, 409, 429}) | frozenset(range(500, 600))
MAX_BACKOFF_S = 30.0


class ServerError(RuntimeError):
    """The server refused, timed out or answered with an error (after retries)."""


@dataclass(frozen=True)
class ChoiceResult:
    """What one returned choice contributes to a Completion."""

    index: int
    text: str
    num_tokens: int | None
    logprob: float | None
    finish_reason: str | None


def _sum_logprobs(values: list[float | None]) -> float | None:
    """Sum of token log-probs; None when the server sent none."""
    known = [value for value in values if value is not None]
    return float(sum(known)) if known else None


def _chat_payload(
    prompt: Prompt, params: SamplingParams, model: str, n: int, seed: int
) -> dict[str, Any]:
    """Body of a /v1/chat/completions request."""
    return {
        "model": model,
        "messages": list(prompt.messages),
        "n": n,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "max_tokens": params.max_tokens,
        "seed": seed,
        "logprobs": True,
        "top_logprobs": 0,
    }


def _chat_choice(choice: dict[str, Any]) -> ChoiceResult:
    """Read one choice of a chat completion answer."""
    content = (choice.get("logprobs") or {}).get("content")
    tokens = list(content) if isinstance(content, list) else None
    return ChoiceResult(
        index=int(choice["index"]),
        text=str((choice.get("message") or {}).get("content") or ""),
        num_tokens=None if tokens is None else len(tokens),
        logprob=None if tokens is None else _sum_logprobs([t.get("logprob") for t in tokens]),
        finish_reason=choice.get("finish_reason"),
    )


def render_plain(prompt: Prompt) -> str:
    """A chat flattened to text for the plain completions API (base models)."""
    return "\n\n".join(message["content"] for message in prompt.messages)


def _completions_payload(
    prompt: Prompt, params: SamplingParams, model: str, n: int, seed: int
) -> dict[str, Any]:
    """Body of a /v1/completions request."""
    return {
        "model": model,
        "prompt": render_plain(prompt),
        "n": n,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "max_tokens": params.max_tokens,
        "seed": seed,
        "logprobs": 0,
    }


def _completions_choice(choice: dict[str, Any]) -> ChoiceResult:
    """Read one choice of a plain completion answer."""
    logprobs = choice.get("logprobs") or {}
    values = logprobs.get("token_logprobs")
    tokens = list(values) if isinstance(values, list) else None
    return ChoiceResult(
        index=int(choice["index"]),
        text=str(choice.get("text") or ""),
        num_tokens=None if tokens is None else len(tokens),
        logprob=None if tokens is None else _sum_logprobs(tokens),
        finish_reason=choice.get("finish_reason"),
    )


@dataclass(frozen=True)
class ApiKind:
    """One OpenAI endpoint: its path, request builder and choice reader."""

    path: str
    payload: Callable[[Prompt, SamplingParams, str, int, int], dict[str, Any]]
    choice: Callable[[dict[str, Any]], ChoiceResult]


APIS: dict[str, ApiKind] = {
    "chat": ApiKind("/v1/chat/completions", _chat_payload, _chat_choice),
    "completions": ApiKind("/v1/completions", _completions_payload, _completions_choice),
}


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts = 1 + retries; waits double from `backoff_s`."""

    timeout_s: float = 600.0
    max_retries: int = 4
    backoff_s: float = 0.5

    def wait_s(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        return float(min(MAX_BACKOFF_S, self.backoff_s * 2**attempt))


def request_with_retries(
    client: httpx.Client, method: str, url: str, body: dict[str, Any] | None, policy: RetryPolicy
) -> dict[str, Any]:
    """Send one JSON request, retrying transient failures; the JSON object answered.

    Connection errors, timeouts, 408/409/429 and 5xx are retried after
    exponential back-off. Raises ServerError naming the URL when every attempt
    failed or the server answered with a non-retryable error."""
    last_problem = "no attempt made"
    for attempt in range(policy.max_retries + 1):
        if attempt:
            time.sleep(policy.wait_s(attempt - 1))
        try:
            response = client.request(method, url, json=body)
        except httpx.TransportError as error:
            last_problem = f"{type(error).__name__}: {error or 'no detail'}"
            continue
        if response.status_code in RETRY_STATUSES:
            last_problem = f"HTTP {response.status_code}: {response.text[:200]}"
            continue
        if response.status_code != 200:
            raise ServerError(f"{url}: HTTP {response.status_code}: {response.text[:500]}")
        try:
            answer = response.json()
        except ValueError as error:
            raise ServerError(f"{url}: answer is not JSON: {error}") from error
        if not isinstance(answer, dict):
            raise ServerError(f"{url}: answer is not a JSON object")
        return answer
    raise ServerError(
        f"{url}: no answer after {policy.max_retries + 1} attempts "
        f"(timeout {policy.timeout_s} s): {last_problem}"
    )


def normalise_base_url(url: str) -> str:
    """`http://host:port` from a URL that may end in `/` or `/v1`."""
    base = url.rstrip("/")
    return base[: -len("/v1")] if base.endswith("/v1") else base


@dataclass
class OpenAIEngine:
    """Samples from an OpenAI-compatible server. Build it with `make_openai_engine`."""

    base_url: str
    model: str
    client: httpx.Client
    api: str = "chat"
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    max_in_flight: int = 8
    max_choices_per_request: int = 128
    name: str = ENGINE_NAME

    def generate(self, prompts: list[Prompt], params: SamplingParams) -> list[list[Completion]]:
        """`params.n` completions per prompt, in index order (one request per chunk of n)."""
        api = APIS[self.api]
        url = self.base_url + api.path
        step = max(1, self.max_choices_per_request)
        jobs = [
            (position, first, min(step, params.n - first))
            for position in range(len(prompts))
            for first in range(0, params.n, step)
        ]

        def run(job: tuple[int, int, int]) -> list[Completion]:
            position, first, count = job
            seed = derive_seed(params.seed, position, first) % (2**31)
            body = api.payload(prompts[position], params, self.model, count, seed)
            answer = request_with_retries(self.client, "POST", url, body, self.policy)
            return self._completions(prompts[position], params, answer, api, first, count, url)

        results: list[list[Completion]] = [[] for _ in prompts]
        with ThreadPoolExecutor(max_workers=max(1, self.max_in_flight)) as pool:
            for (position, _, _), completions in zip(jobs, pool.map(run, jobs), strict=True):
                results[position].extend(completions)
        return results

    def _completions(
        self,
        prompt: Prompt,
        params: SamplingParams,
        answer: dict[str, Any],
        api: ApiKind,
        first: int,
        count: int,
        url: str,
    ) -> list[Completion]:
        """Turn one answer's choices into Completions numbered from `first`."""
        raw_choices = answer.get("choices")
        if not isinstance(raw_choices, list):
            raise ServerError(f"{url}: answer has no 'choices' list")
        choices = sorted((api.choice(choice) for choice in raw_choices), key=lambda c: c.index)
        if len(choices) != count:
            raise ServerError(f"{url}: asked for {count} choices, got {len(choices)}")
        usage_tokens = (answer.get("usage") or {}).get("completion_tokens")
        return [
            Completion(
                prompt_key=prompt.key(),
                index=first + offset,
                text=choice.text,
                num_tokens=_token_count(choice, usage_tokens, count),
                logprob=choice.logprob,
                engine=self.name,
                model=self.model,
                seed=params.seed,
                extra={"finish_reason": choice.finish_reason, "url": self.base_url},
            )
            for offset, choice in enumerate(choices)
        ]


def _token_count(choice: ChoiceResult, usage_tokens: object, count: int) -> int:
    """Tokens of one choice: from its log-probs, else the usage total (exact for n=1,
    an even share otherwise), else 0 when the server reported neither."""
    if choice.num_tokens is not None:
        return choice.num_tokens
    if isinstance(usage_tokens, int):
        return usage_tokens // max(1, count)
    return 0


def served_model_name(client: httpx.Client, base_url: str, policy: RetryPolicy) -> str:
    """The first model id the server lists at GET /v1/models."""
    url = base_url + "/v1/models"
    models = request_with_retries(client, "GET", url, None, policy).get("data")
    if not isinstance(models, list) or not models:
        raise ServerError(f"{url}: the server lists no model")
    return str(models[0]["id"])


def make_openai_engine(
    model: str | None,
    served_model: str | None = None,
    api: str = "chat",
    timeout_s: float = 600.0,
    max_retries: int = 4,
    backoff_s: float = 0.5,
    max_in_flight: int = 8,
    max_choices_per_request: int = 128,
    api_key: str | None = None,
) -> OpenAIEngine:
    """An engine for the server at `model` (an http(s) URL, required).

    `served_model` is the model name sent in requests (default: the first one
    the server lists); `api` is "chat" or "completions"."""
    if model is None:
        raise ValueError("the openai engine needs a server URL as its model (http://host:port)")
    if api not in APIS:
        raise ValueError(f"unknown api {api!r}; known: {', '.join(sorted(APIS))}")
    base_url = normalise_base_url(model)
    policy = RetryPolicy(timeout_s=timeout_s, max_retries=max_retries, backoff_s=backoff_s)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    client = httpx.Client(
        timeout=httpx.Timeout(timeout_s),
        headers=headers,
        limits=httpx.Limits(max_connections=max(1, max_in_flight)),
        trust_env=False,
    )
    name = served_model or served_model_name(client, base_url, policy)
    return OpenAIEngine(
        base_url=base_url,
        model=name,
        client=client,
        api=api,
        policy=policy,
        max_in_flight=max_in_flight,
        max_choices_per_request=max_choices_per_request,
    )
