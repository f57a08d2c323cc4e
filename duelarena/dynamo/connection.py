"""The one boto3 DynamoDB resource/client of the process, created lazily and reused.

Nothing here runs at import time (cold start: no I/O, no client construction until the first call).
A botocore event hook counts every DynamoDB API call into a per-request counter (see
``duelarena.middleware``), which is logged and, in DEBUG, returned as ``X-DynamoDB-Calls``.
"""

from __future__ import annotations

import os
import threading
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

_lock = threading.Lock()
_client: Any = None
_resource: Any = None
_table: Any = None

# A one-element list so that the counter is shared by the request's thread and copies of its context.
_calls: ContextVar[list[int] | None] = ContextVar("dynamodb_calls", default=None)


def start_counting() -> list[int]:
    counter = [0]
    _calls.set(counter)
    return counter


def call_count() -> int:
    counter = _calls.get()
    return counter[0] if counter else 0


def _count_call(**_: Any) -> None:
    counter = _calls.get()
    if counter is not None:
        counter[0] += 1


def _config() -> Any:
    from botocore.config import Config

    return Config(
        region_name=settings.AWS_REGION,
        retries={"mode": "standard", "max_attempts": settings.DYNAMODB_MAX_ATTEMPTS},
        connect_timeout=settings.DYNAMODB_CONNECT_TIMEOUT,
        read_timeout=settings.DYNAMODB_READ_TIMEOUT,
    )


def _endpoint() -> dict[str, Any]:
    url = settings.DYNAMODB_ENDPOINT_URL
    if not url:
        return {}
    kwargs: dict[str, Any] = {"endpoint_url": url}
    # DynamoDB Local accepts any credentials; don't make developers configure fake ones.
    if urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1") and not _has_aws_credentials():
        kwargs.update(aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106
    return kwargs


def _has_aws_credentials() -> bool:
    return bool(os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"))


def client() -> Any:
    """The shared low-level DynamoDB client (thread-safe lazy init).

    A client, not a boto3 resource: building a resource costs ~0.2 s more at cold start.
    """
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                import boto3

                # boto3.client (default session): a fresh Session() costs ~40 ms more at cold start.
                made = boto3.client("dynamodb", config=_config(), **_endpoint())
                # One count per API operation (retries inside botocore are not extra calls).
                made.meta.events.register("before-call.dynamodb", _count_call)
                _client = made
    return _client


def resource() -> Any:
    """A boto3 resource for dynamorm models only, built the first time a model needs it."""
    global _resource
    if _resource is None:
        with _lock:
            if _resource is None:
                import boto3

                made = boto3.session.Session().resource("dynamodb", config=_config(), **_endpoint())
                made.meta.client.meta.events.register("before-call.dynamodb", _count_call)
                _resource = made
    return _resource


def table_name() -> str:
    return settings.DYNAMODB_TABLE


def table() -> Any:
    """The boto3 Table of the resource (dynamorm's view of the table)."""
    global _table
    if _table is None or _table.name != settings.DYNAMODB_TABLE:
        _table = resource().Table(settings.DYNAMODB_TABLE)
    return _table


def reset() -> None:
    """Forget the client (tests switch between moto and DynamoDB Local, settings may change)."""
    global _client, _resource, _table
    with _lock:
        _client = None
        _resource = None
        _table = None
