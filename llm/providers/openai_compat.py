"""OpenAI Chat Completions through the official ``openai`` SDK: api.openai.com and any OpenAI-compatible
server by base URL (Ollama, vLLM, LM Studio, gateways...).

The SDK is imported inside ``_client`` only: it costs ~0.4 s to import, and most processes (the API
answering reads, cold Lambda starts) never call a model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llm import secrets

from .base import (
    ClientCache,
    Completion,
    FinishReason,
    Message,
    ProviderError,
    error_detail,
    key_fingerprint,
    retry_after_seconds,
    status_error,
)

if TYPE_CHECKING:
    import openai

OPENAI_BASE_URL = "https://api.openai.com/v1"
# Local servers ignore the key, but the SDK refuses to build a client without one.
NO_KEY = "not-needed"

_clients = ClientCache()
# OpenAI model names that take max_completion_tokens only (a gateway may prefix them: "openai/o3").
_OPENAI_REASONING = re.compile(r"(?:^|/)(?:o\d|gpt-5)")
_FINISH = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "content_filter": FinishReason.CONTENT_FILTER,
    "tool_calls": FinishReason.TOOL_CALLS,
    "function_call": FinishReason.TOOL_CALLS,
}


class OpenAICompatProvider:
    """``key_name`` is the secret to read (None: the server needs no key). ``http_client`` (an
    ``httpx2.Client``) replaces the SDK's transport, for tests and proxies; such clients are not cached."""

    def __init__(
        self,
        name: str,
        *,
        base_url: str = OPENAI_BASE_URL,
        key_name: str | None = "OPENAI_API_KEY",
        http_client: Any = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.key_name = key_name
        self._http_client = http_client

    def __repr__(self) -> str:
        return f"OpenAICompatProvider({self.name!r}, base_url={self.base_url!r}, key_name={self.key_name!r})"

    @property
    def official(self) -> bool:
        return self.base_url == OPENAI_BASE_URL

    def complete(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout: float,
        reasoning_effort: str | None = None,
    ) -> Completion:
        import openai

        client = self._client()
        # OpenAI's reasoning models (o-series, gpt-5) refuse max_tokens, here or behind a gateway;
        # compatible servers often only know max_tokens.
        options: dict[str, Any] = (
            {"max_completion_tokens": max_tokens}
            if self.official or _OPENAI_REASONING.search(model.lower())
            else {"max_tokens": max_tokens}
        )
        if reasoning_effort is not None:
            options["reasoning_effort"] = reasoning_effort
        started = time.perf_counter()
        try:
            answer = client.chat.completions.create(
                model=model,
                messages=[{"role": m.role, "content": m.content} for m in messages],  # type: ignore[misc]
                timeout=timeout,
                **options,
            )
        except openai.APIError as exc:
            raise self._error(exc) from None  # from None: the SDK error holds the request and its headers
        latency_ms = int((time.perf_counter() - started) * 1000)
        return self._completion(answer, latency_ms)

    def _client(self) -> openai.OpenAI:
        import openai

        key = NO_KEY
        if self.key_name:
            try:
                found = secrets.get_secret(self.key_name)
            except secrets.SecretsUnavailable as exc:
                raise ProviderError("unavailable", str(exc), exc.retryable) from None
            if not found:
                raise ProviderError("auth", f"{self.name}: no API key configured ({self.key_name})", False)
            key = found

        def build() -> openai.OpenAI:
            return openai.OpenAI(api_key=key, base_url=self.base_url, max_retries=0, http_client=self._http_client)

        if self._http_client is not None:
            return build()
        return _clients.get(("openai", self.base_url, key_fingerprint(key)), build)

    def _completion(self, answer: Any, latency_ms: int) -> Completion:
        if not answer.choices:
            raise ProviderError("server_error", f"{self.name} returned no choices", True)
        choice = answer.choices[0]
        message = choice.message
        text = message.content or getattr(message, "refusal", None) or ""
        # Compatible servers (Ollama, vLLM, DeepSeek) put visible thinking in a non-standard field.
        reasoning = getattr(message, "reasoning_content", None) or getattr(message, "reasoning", None)
        usage = answer.usage
        details = getattr(usage, "completion_tokens_details", None)
        reasoning_tokens = getattr(details, "reasoning_tokens", None)
        return Completion(
            text=text,
            reasoning=reasoning if isinstance(reasoning, str) and reasoning else None,
            input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            latency_ms=latency_ms,
            finish_reason=_FINISH.get(choice.finish_reason or "", FinishReason.OTHER),
            reasoning_tokens=int(reasoning_tokens) if isinstance(reasoning_tokens, int) else None,
        )

    def _error(self, exc: Exception) -> ProviderError:
        import openai

        if isinstance(exc, openai.APITimeoutError):  # before APIConnectionError: it is a subclass
            return ProviderError("timeout", f"{self.name} did not answer in time", True)
        if isinstance(exc, openai.APIConnectionError):
            return ProviderError("unavailable", f"could not connect to {self.name} at {self.base_url}", True)
        if isinstance(exc, openai.APIStatusError):
            if exc.status_code in (401, 403):
                secrets.invalidate()  # the key may have been rotated: read it again next time
            error = status_error(
                self.name,
                exc.status_code,
                error_detail(exc.body, exc.message),
                retry_after_seconds(exc.response.headers),
            )
            if exc.status_code == 429 and _code(exc.body) == "insufficient_quota":
                # Out of credit is not going to pass with a backoff.
                return ProviderError("rate_limited", error.message, False)
            return error
        return ProviderError("server_error", f"{self.name} sent an unreadable answer ({type(exc).__name__})", True)


def _code(body: object) -> str | None:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("code"), str):
            return inner["code"]
    return None


def clear_clients() -> None:
    _clients.clear()
