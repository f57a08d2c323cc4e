"""AWS Bedrock through the ``bedrock-runtime`` client's ``converse`` (one API for every Bedrock model family).

Credentials come from the usual AWS chain (the Lambda role in production); there is no key to manage.
The client (botocore's, from the one AWS client factory) is built lazily for the same cold-start reason
as the HTTP SDKs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

from llm.limits import thinking_budget

from .anthropic_provider import STOP_REASONS
from .base import ClientCache, Completion, ErrorKind, FinishReason, Message, ProviderError, split_system

_clients = ClientCache()

# converse error codes -> (kind, retryable). Anything else is a bad request (not retried).
_CODES: dict[str, tuple[ErrorKind, bool]] = {
    "ThrottlingException": ("rate_limited", True),
    "TooManyRequestsException": ("rate_limited", True),
    "ServiceQuotaExceededException": ("rate_limited", True),
    "ModelTimeoutException": ("timeout", True),
    "InternalServerException": ("server_error", True),
    "ServiceUnavailableException": ("server_error", True),
    "ModelNotReadyException": ("server_error", True),
    "ModelErrorException": ("server_error", True),
    "AccessDeniedException": ("auth", False),
    "UnrecognizedClientException": ("auth", False),
    "ExpiredTokenException": ("auth", False),
    "ResourceNotFoundException": ("bad_request", False),
    "ValidationException": ("bad_request", False),
}


class BedrockProvider:
    name = "bedrock"

    def __init__(self, region: str, *, client: Any = None) -> None:
        self.region = region
        self._client = client  # an injected bedrock-runtime client (tests: botocore Stubber)

    def __repr__(self) -> str:
        return f"BedrockProvider(region={self.region!r})"

    def complete(
        self,
        model: str,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        timeout: float,
        reasoning_effort: str | None = None,
    ) -> Completion:
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectTimeoutError,
            NoCredentialsError,
            ReadTimeoutError,
        )

        client = self._client or _client_for(self.region, timeout)
        system, conversation = split_system(messages)
        request: dict[str, Any] = {
            "modelId": model,
            "messages": [{"role": m.role, "content": [{"text": m.content}]} for m in conversation],
            "inferenceConfig": {"maxTokens": max_tokens},
        }
        if system:
            request["system"] = [{"text": system}]
        # Claude on Bedrock thinks through the model-specific fields of Converse; other families have none.
        budget = thinking_budget(reasoning_effort, max_tokens) if "claude" in model.lower() else None
        if budget is not None:
            request["additionalModelRequestFields"] = {"thinking": {"type": "enabled", "budget_tokens": budget}}
        started = time.perf_counter()
        try:
            answer = client.converse(**request)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "ClientError"))
            kind, retryable = _CODES.get(code, ("bad_request", False))
            raise ProviderError(kind, f"bedrock {code}: {error.get('Message', '')}"[:400], retryable) from None
        except (ReadTimeoutError, ConnectTimeoutError):
            raise ProviderError("timeout", "bedrock did not answer in time", True) from None
        except NoCredentialsError:
            raise ProviderError("auth", "bedrock: no AWS credentials found", False) from None
        except BotoCoreError as exc:
            raise ProviderError("unavailable", f"could not reach bedrock ({type(exc).__name__})", True) from None
        latency_ms = int((time.perf_counter() - started) * 1000)
        return _completion(answer, latency_ms)


def _completion(answer: dict, latency_ms: int) -> Completion:
    texts: list[str] = []
    thinking: list[str] = []
    for block in answer.get("output", {}).get("message", {}).get("content", []):
        if "text" in block:
            texts.append(block["text"])
        elif "reasoningContent" in block:
            thinking.append(block["reasoningContent"].get("reasoningText", {}).get("text", ""))
    usage = answer.get("usage", {})
    return Completion(
        text="".join(texts),
        reasoning="\n".join(t for t in thinking if t) or None,
        input_tokens=int(usage.get("inputTokens", 0)),
        output_tokens=int(usage.get("outputTokens", 0)),
        latency_ms=latency_ms,
        finish_reason=STOP_REASONS.get(str(answer.get("stopReason") or ""), FinishReason.OTHER),
        reasoning_tokens=None,  # Converse reports no separate count of reasoning tokens
    )


def _client_for(region: str, timeout: float) -> Any:
    """botocore fixes the read timeout per client, so clients are cached per (region, whole seconds)."""
    seconds = max(1, math.ceil(timeout))

    def build() -> Any:
        from duelarena import aws

        return aws.client(
            "bedrock-runtime",
            region=region,
            read_timeout=seconds,
            connect_timeout=min(10, seconds),
            total_max_attempts=1,  # the harness owns retries
        )

    return _clients.get(("bedrock", region, seconds), build)


def clear_clients() -> None:
    _clients.clear()
