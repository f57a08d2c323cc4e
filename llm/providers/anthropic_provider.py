"""Anthropic's Messages API through the official ``anthropic`` SDK.

The SDK is imported inside the methods that need it: it takes ~1.1 s to import, which no request that
does not call Claude should pay.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llm import secrets

from .base import (
    ClientCache,
    Completion,
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


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, *, key_name: str = "ANTHROPIC_API_KEY", base_url: str | None = None, http_client: Any = None):
        self.key_name = key_name
        self.base_url = base_url
        self._http_client = http_client  # an httpx2.Client (tests, proxies); not cached

    def __repr__(self) -> str:
        return f"AnthropicProvider(key_name={self.key_name!r})"

    def complete(self, model: str, messages: Sequence[Message], *, max_tokens: int, timeout: float) -> Completion:
        import anthropic

        client = self._client()
        system, conversation = split_system(messages)
        extra: dict[str, Any] = {"system": system} if system else {}
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
        truncated=answer.stop_reason == "max_tokens",
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
