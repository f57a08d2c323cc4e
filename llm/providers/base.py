"""What every provider client is: one ``complete`` call in, one ``Completion`` or ``ProviderError`` out.

Providers make exactly one HTTP call per ``complete``: SDK-internal retries are disabled everywhere,
because the harness owns retries (it records every attempt, applies backoff and decides when to forfeit).
Nothing in this package imports an SDK at module level; see the provider modules.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, Protocol, TypeVar

from llm.secrets import redact

Role = Literal["system", "user", "assistant"]
ErrorKind = Literal["timeout", "rate_limited", "server_error", "auth", "bad_request", "unavailable"]
ERROR_KINDS: frozenset[str] = frozenset(
    {"timeout", "rate_limited", "server_error", "auth", "bad_request", "unavailable"}
)


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


class FinishReason(StrEnum):
    """Why the model stopped, normalised across providers."""

    STOP = "stop"  # the answer is complete
    LENGTH = "length"  # cut off at the output-token limit (or the context window)
    CONTENT_FILTER = "content_filter"  # stopped by the provider's safety filter or a refusal
    TOOL_CALLS = "tool_calls"
    OTHER = "other"  # anything else, or not reported


@dataclass(frozen=True)
class Completion:
    """One model answer. ``output_tokens`` includes reasoning tokens; ``reasoning_tokens`` is the
    provider's separate count of them when it gives one (OpenAI), else None. ``ttft_ms`` (time to the
    first token) needs a streamed call; the providers do not stream, so it is None."""

    text: str
    reasoning: str | None
    input_tokens: int
    output_tokens: int
    latency_ms: int
    finish_reason: FinishReason = FinishReason.STOP
    reasoning_tokens: int | None = None
    ttft_ms: int | None = None

    @property
    def truncated(self) -> bool:
        """The model stopped at the output-token limit: the answer is cut off."""
        return self.finish_reason == FinishReason.LENGTH


class ProviderError(Exception):
    """A failed provider call. ``retryable`` says whether the same call may succeed later.

    The message is redacted on construction (known secret values and key-like strings are replaced), so
    it is safe to log and to store with the attempt whatever the server echoed back.
    """

    def __init__(self, kind: ErrorKind, message: str, retryable: bool, retry_after: float | None = None) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown provider error kind {kind!r}")
        self.kind: ErrorKind = kind
        self.message = redact(message)
        self.retryable = retryable
        self.retry_after = retry_after
        super().__init__(f"{kind}: {self.message}")

    def __repr__(self) -> str:
        return f"ProviderError({self.kind!r}, {self.message!r}, retryable={self.retryable})"


class Provider(Protocol):
    name: str

    def complete(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout: float,
        reasoning_effort: str | None = None,
    ) -> Completion:
        """One call. ``max_tokens`` bounds the output, reasoning included; ``reasoning_effort`` (one of
        ``llm.limits.REASONING_EFFORTS``, None: the provider's default) is passed where the provider takes one."""
        ...


# ------------------------------------------------------------------------------------ shared helpers


def split_system(messages: Sequence[Message]) -> tuple[str, list[Message]]:
    """Anthropic and Bedrock take the system prompt apart from the conversation."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    return system, [m for m in messages if m.role != "system"]


def status_error(provider: str, status: int, detail: str, retry_after: float | None) -> ProviderError:
    """Map an HTTP status to a ProviderError the same way for every HTTP provider."""
    kind: ErrorKind
    if status in (401, 403):
        kind, retryable = "auth", False
    elif status == 408:
        kind, retryable = "timeout", True
    elif status == 429:
        kind, retryable = "rate_limited", True
    elif status == 409 or status >= 500:  # 409: a transient conflict on the provider's side (SDKs retry it)
        kind, retryable = "server_error", True
    else:
        kind, retryable = "bad_request", False
    return ProviderError(kind, f"{provider} answered HTTP {status}: {detail}", retryable, retry_after)


def error_detail(body: object, fallback: str) -> str:
    """The server's own error message (short), from the usual ``{"error": {"message": ...}}`` shapes."""
    detail: object = None
    if isinstance(body, dict):
        inner = body.get("error", body)
        detail = inner.get("message") if isinstance(inner, dict) else inner
    text = str(detail) if detail else fallback
    return text[:300]


def retry_after_seconds(headers: Any) -> float | None:
    """``retry-after-ms`` / ``retry-after`` in seconds; HTTP-date values are ignored (rare, and a guess)."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * scale
        except (TypeError, ValueError):
            continue
        if 0 <= seconds <= 3600:
            return seconds
    return None


def key_fingerprint(key: str) -> str:
    """Clients are cached by a hash of their key, so the cache never holds the key in a readable form
    and a rotated key gets a fresh client."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


T = TypeVar("T")


class ClientCache:
    """A small per-process cache of SDK clients (they hold connection pools and are thread-safe)."""

    def __init__(self, limit: int = 16) -> None:
        self._lock = threading.Lock()
        self._clients: dict[tuple, Any] = {}
        self._limit = limit

    def get(self, key: tuple, build: Callable[[], T]) -> T:
        with self._lock:  # building under the lock: two seats never build the same client twice
            if key not in self._clients:
                if len(self._clients) >= self._limit:
                    self._clients.pop(next(iter(self._clients)))  # oldest first; rotation leaves stale keys
                self._clients[key] = build()
            return self._clients[key]

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()

    def __len__(self) -> int:
        return len(self._clients)

    def __repr__(self) -> str:
        return f"ClientCache({len(self._clients)} clients)"
