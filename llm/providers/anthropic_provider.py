"""Anthropic's Messages API through the official ``anthropic`` SDK.

The SDK is imported inside the methods that need it: it takes ~1.1 s to import, which no request that
does not call Claude should pay.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llm import secrets
from llm.limits import thinking_budget

from .base import (
    ClientCache,
    Completion,
    FinishReason,
    Message,
    ProviderError,
    error_detail,
    key_fingerprint,
    retry_after_seconds,
    split_system,
    status_error,
)

if TYPE_CHECKING:
    import anthropic

_clients = ClientCache()
# Anthropic's (and Bedrock Converse's) stop reasons, normalised.
STOP_REASONS = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "model_context_window_exceeded": FinishReason.LENGTH,
    "tool_use": FinishReason.TOOL_CALLS,
    "refusal": FinishReason.CONTENT_FILTER,
    "guardrail_intervened": FinishReason.CONTENT_FILTER,
    "content_filtered": FinishReason.CONTENT_FILTER,
}


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, *, key_name: str = "ANTHROPIC_API_KEY", base_url: str | None = None, http_client: Any = None):
        self.key_name = key_name
        self.base_url = base_url
        self._http_client = http_client  # an httpx2.Client (tests, proxies); not cached

    def __repr__(self) -> str:
        return f"AnthropicProvider(key_name={self.key_name!r})"

    def complete(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout: float,
        reasoning_effort: str | None = None,
    ) -> Completion:
        import anthropic

        client = self._client()
        system, conversation = split_system(messages)
        extra: dict[str, Any] = {"system": system} if system else {}
        # A reasoning effort turns on extended thinking (temperature must then stay unset: it is).
        budget = thinking_budget(reasoning_effort, max_tokens)
        if budget is not None:
            extra["thinking"] = {"type": "enabled", "budget_tokens": budget}
        started = time.perf_counter()
        try:
            answer = client.messages.create(
                model=model,
                max_tokens=max_tokens,
                messages=[{"role": m.role, "content": m.content} for m in conversation],  # type: ignore[misc]
                timeout=timeout,
                **extra,
            )
        except anthropic.APIError as exc:
            raise _error(exc) from None  # from None: the SDK error holds the request and its headers
        latency_ms = int((time.perf_counter() - started) * 1000)
        return _completion(answer, latency_ms)

    def _client(self) -> anthropic.Anthropic:
        import anthropic

        try:
            key = secrets.get_secret(self.key_name)
        except secrets.SecretsUnavailable as exc:
            raise ProviderError("unavailable", str(exc), exc.retryable) from None
        if not key:
            raise ProviderError("auth", f"anthropic: no API key configured ({self.key_name})", False)

        def build() -> anthropic.Anthropic:
            return anthropic.Anthropic(
                api_key=key, base_url=self.base_url, max_retries=0, http_client=self._http_client
            )

        if self._http_client is not None:
            return build()
        return _clients.get(("anthropic", self.base_url, key_fingerprint(key)), build)


def _completion(answer: Any, latency_ms: int) -> Completion:
    texts: list[str] = []
    thinking: list[str] = []
    for block in answer.content:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "thinking":
            thinking.append(block.thinking)
    usage = answer.usage
    # Cache reads/writes are billed input too; we never ask for caching, but count them if a proxy does.
    input_tokens = sum(
        int(getattr(usage, name, 0) or 0)
        for name in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    )
    return Completion(
        text="".join(texts),
        reasoning="\n".join(thinking) or None,
        input_tokens=input_tokens,
        output_tokens=int(usage.output_tokens or 0),
        latency_ms=latency_ms,
        finish_reason=STOP_REASONS.get(answer.stop_reason or "", FinishReason.OTHER),
        reasoning_tokens=None,  # Anthropic counts thinking inside output_tokens, with no separate number
    )


def _error(exc: Exception) -> ProviderError:
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):  # before APIConnectionError: it is a subclass
        return ProviderError("timeout", "anthropic did not answer in time", True)
    if isinstance(exc, anthropic.APIConnectionError):
        return ProviderError("unavailable", "could not connect to anthropic", True)
    if isinstance(exc, anthropic.APIStatusError):
        if exc.status_code in (401, 403):
            secrets.invalidate()  # the key may have been rotated: read it again next time
        detail = error_detail(exc.body, exc.message)
        return status_error("anthropic", exc.status_code, detail, retry_after_seconds(exc.response.headers))
    return ProviderError("server_error", f"anthropic sent an unreadable answer ({type(exc).__name__})", True)


def clear_clients() -> None:
    _clients.clear()
