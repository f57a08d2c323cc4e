"""The one boto3 DynamoDB client of the process, created lazily and reused (the dynamorm models use it
too, through ``models.ClientTable``: there is no boto3 resource).

The client is built by the one AWS client factory (``duelarena.aws``) from the ``DYNAMODB_*`` settings.

Nothing here runs at import time (cold start: no I/O, no client construction until the first call).
Botocore event hooks count every DynamoDB API call, and the read and write capacity units it consumed
(every data call asks for ``ReturnConsumedCapacity=INDEXES``: the total plus the table's and each
index's share), into a per-request ``Usage`` (see ``duelarena.middleware``), which is logged and, in
DEBUG, returned as ``X-DynamoDB-Calls``, ``X-DynamoDB-RCU`` and ``X-DynamoDB-WCU``. ``observe_calls``
hands every call's parameters and consumed capacity to an observer (``bench/cost.py`` prices them).

Request budget: botocore's timeouts are per attempt (``DYNAMODB_READ_TIMEOUT`` x
``DYNAMODB_MAX_ATTEMPTS``, 20 s by default), so a DynamoDB that is slow rather than down would hold a
worker that long on every call. The middleware gives each request a budget of DynamoDB time
(``DYNAMODB_REQUEST_BUDGET_SECONDS``, a contextvar); hooks on the client account for the time spent in
each call (retries and their back-off included), cap each attempt's read timeout at what is left, and
raise ``RequestBudgetExceeded`` (a ``StoreUnavailable``: 503 with Retry-After) instead of starting an
attempt or a retry when nothing is left. Work outside a request (autoplay threads, commands) has no
budget and keeps botocore's own timeouts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from duelarena import aws
from duelarena.dynamo.errors import RequestBudgetExceeded

_lock = threading.Lock()
_client: Any = None

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
    _register_budget_hooks(events)


class RequestBudget:
    """Seconds of DynamoDB time one request may still spend (mutable, shared by copies of the context)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.spent = 0.0
        self.call_started: float | None = None  # monotonic start of the DynamoDB call in progress

    def remaining(self) -> float:
        running = time.monotonic() - self.call_started if self.call_started is not None else 0.0
        return self.seconds - self.spent - running


_budget: ContextVar[RequestBudget | None] = ContextVar("dynamodb_budget", default=None)


def start_budget(seconds: float | None) -> Token[RequestBudget | None]:
    """Give the current request ``seconds`` of DynamoDB time (None or 0: unbounded). Pass the returned
    token to ``end_budget``."""
    return _budget.set(RequestBudget(seconds) if seconds else None)


def end_budget(token: Token[RequestBudget | None]) -> None:
    _budget.reset(token)


def _exceeded(budget: RequestBudget) -> RequestBudgetExceeded:
    return RequestBudgetExceeded(f"the request spent its {budget.seconds:g} s of DynamoDB time")


def _budget_before_call(**_: Any) -> None:
    budget = _budget.get()
    if budget is not None:
        if budget.remaining() <= 0:
            raise _exceeded(budget)
        budget.call_started = time.monotonic()


def _budget_before_send(request: Any = None, **_: Any) -> None:
    """Before each attempt: refuse when nothing is left, else cap its read timeout at what is left."""
    budget = _budget.get()
    if budget is None:
        return None
    left = budget.remaining()
    if left <= 0:
        raise _exceeded(budget)
    context = getattr(request, "context", None)
    if isinstance(context, dict):
        context["read_timeout"] = max(0.05, min(settings.DYNAMODB_READ_TIMEOUT, left))
    return None


def _budget_needs_retry(caught_exception: Any = None, **_: Any) -> None:
    """After a failed attempt with nothing left: stop now rather than sleep before a retry."""
    budget = _budget.get()
    if budget is not None and caught_exception is not None and budget.remaining() <= 0:
        raise _exceeded(budget)
    return None


def _budget_after_call(**_: Any) -> None:
    budget = _budget.get()
    if budget is not None and budget.call_started is not None:
        budget.spent += time.monotonic() - budget.call_started
        budget.call_started = None


def _register_budget_hooks(events: Any) -> None:
    events.register("before-call.dynamodb", _budget_before_call)
    events.register("before-send.dynamodb", _budget_before_send)
    events.register("needs-retry.dynamodb", _budget_needs_retry)
    events.register("after-call.dynamodb", _budget_after_call)
    events.register("after-call-error.dynamodb", _budget_after_call)


def _options() -> dict[str, Any]:
    """The DynamoDB client's settings, for the one AWS client factory (``duelarena.aws``)."""
    return {
        "region": settings.AWS_REGION,
        "endpoint_url": settings.DYNAMODB_ENDPOINT_URL or None,
        "max_attempts": settings.DYNAMODB_MAX_ATTEMPTS,
        "connect_timeout": settings.DYNAMODB_CONNECT_TIMEOUT,
        "read_timeout": settings.DYNAMODB_READ_TIMEOUT,
    }


def client() -> Any:
    """The shared low-level DynamoDB client, built on first use by ``duelarena.aws`` (thread-safe).

    A client, not a boto3 resource: building a resource costs ~0.2 s more at cold start.
    """
    global _client
    if _client is None:
        _client = aws.client("dynamodb", prepare=_instrument, **_options())
    return _client


def table_name() -> str:
    return settings.DYNAMODB_TABLE


def reset() -> None:
    """Forget the client in use: the next call asks the factory again, with the settings of that moment
    (tests switch between moto and DynamoDB Local and change endpoints and retries). The factory keeps
    one client per distinct set of options (``duelarena.aws``), so switching back reuses the client
    already built: building one costs ~0.14 s, most of a moto-backed test's set-up when every test
    built its own. ``aws.reset("dynamodb")`` drops them all."""
    global _client
    with _lock:
        _client = None
