"""The one boto3 DynamoDB resource/client of the process, created lazily and reused.

Nothing here runs at import time (cold start: no I/O, no client construction until the first call).
Botocore event hooks count every DynamoDB API call, and the read and write capacity units it consumed
(every data call asks for ``ReturnConsumedCapacity=INDEXES``: the total plus the table's and each
index's share), into a per-request ``Usage`` (see ``duelarena.middleware``), which is logged and, in
DEBUG, returned as ``X-DynamoDB-Calls``, ``X-DynamoDB-RCU`` and ``X-DynamoDB-WCU``. ``observe_calls``
hands every call's parameters and consumed capacity to an observer (``bench/cost.py`` prices them).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

_lock = threading.Lock()
_client: Any = None
_resource: Any = None
_table: Any = None

# Operations that report consumed capacity, split into reads and writes.
_READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@dataclass
class Usage:
    """DynamoDB use of one request: API calls, and capacity units consumed (as DynamoDB reports them)."""

    calls: int = 0
    read_units: float = 0.0
    write_units: float = 0.0


# A mutable object so that the counter is shared by the request's thread and copies of its context.
_usage: ContextVar[Usage | None] = ContextVar("dynamodb_usage", default=None)


def start_counting() -> Usage:
    usage = Usage()
    _usage.set(usage)
    return usage


def usage() -> Usage:
    return _usage.get() or Usage()


def call_count() -> int:
    return usage().calls


def _count_call(**_: Any) -> None:
    counter = _usage.get()
    if counter is not None:
        counter.calls += 1


# Observers of every data call: observer(operation, params, parsed answer). Empty in production.
CallObserver = Callable[[str, dict[str, Any], dict[str, Any]], None]
_observers: list[CallObserver] = []
_PARAMS_KEY = "duelarena_params"


def observe_calls(observer: CallObserver | None) -> None:
    """Hand every DynamoDB data call (its operation name, request parameters and parsed answer with
    ``ConsumedCapacity``) to ``observer``; None removes all observers. For benchmarks, not requests."""
    if observer is None:
        _observers.clear()
    else:
        _observers.append(observer)


def _ask_for_capacity(params: dict[str, Any], model: Any, context: dict[str, Any] | None = None, **_: Any) -> None:
    if model.name in _READS or model.name in _WRITES:
        params.setdefault("ReturnConsumedCapacity", "INDEXES")
        if _observers and context is not None:
            context[_PARAMS_KEY] = params


def _add_capacity(parsed: dict[str, Any], model: Any, context: dict[str, Any] | None = None, **_: Any) -> None:
    if _observers and context is not None and _PARAMS_KEY in context and isinstance(parsed, dict):
        for observer in list(_observers):
            observer(model.name, context[_PARAMS_KEY], parsed)
    counter = _usage.get()
    consumed = parsed.get("ConsumedCapacity") if counter is not None and isinstance(parsed, dict) else None
    if not consumed:
        return
    units = sum(float(c.get("CapacityUnits") or 0) for c in (consumed if isinstance(consumed, list) else [consumed]))
    if model.name in _READS:
        counter.read_units += units  # type: ignore[union-attr]
    elif model.name in _WRITES:
        counter.write_units += units  # type: ignore[union-attr]


def _instrument(made: Any) -> None:
    events = made.meta.events
    # One count per API operation (retries inside botocore are not extra calls).
    events.register("before-call.dynamodb", _count_call)
    events.register("before-parameter-build.dynamodb", _ask_for_capacity)
    events.register("after-call.dynamodb", _add_capacity)


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
                _instrument(made)
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
                _instrument(made.meta.client)
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
