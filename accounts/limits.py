"""Daily spend budgets and per-minute rate limits, as atomic DynamoDB counters that expire.

- Spend: ``SPEND#<user>#<UTC date>`` / ``COUNTER``, ``ADD micros`` conditioned on the sum staying
  within the budget, so concurrent turns cannot overspend together. Expires two days later. Model calls
  go through ``OwnerBudget`` (the harness's ``llm.budget.Budget`` port): each call reserves its worst
  case with ``charge`` before it and settles to its exact cost with ``adjust`` after it.
- Rate: ``RATE#<user>#<UTC minute>`` / ``COUNTER``, ``ADD 1`` conditioned on the count staying under
  the limit. Expires after two minutes.
A refused charge changes nothing (the condition fails before any write) and raises LimitExceeded
with the seconds until the window resets (the API's ``Retry-After``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.conf import settings

from accounts.users import User
from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed
from duelarena.dynamo.schema import TTL_ATTRIBUTE
from duelarena.errors import TooManyRequests
from llm.budget import Reservation


class LimitExceeded(TooManyRequests):
    """429 with Retry-After in the API's error shape (code ``budget_exceeded`` or ``rate_limited``)."""

    def __init__(self, kind: str, message: str, retry_after: int):
        super().__init__(
            message,
            code="budget_exceeded" if kind == "budget" else "rate_limited",
            retry_after=max(1, retry_after),
            details={"limit": kind},
        )
        self.kind = kind


def _today(now: datetime) -> str:
    return now.strftime("%Y-%m-%d")


def _seconds_to_midnight(now: datetime) -> int:
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return int((midnight - now).total_seconds()) + 1


def spent_today(user: User, now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    item = items.get(keys.spend_pk(user.id, _today(now)), keys.COUNTER_SK, consistent=True)
    return int(item["micros"]) if item else 0


def ensure_budget_left(user: User, now: datetime | None = None) -> None:
    """Refuse before playing when nothing is left today (a turn's real cost is charged after)."""
    now = now or datetime.now(UTC)
    if spent_today(user, now) >= user.budget_micros:
        raise LimitExceeded("budget", "daily budget is used up", _seconds_to_midnight(now))


def charge(user: User, micros: int, now: datetime | None = None) -> int:
    """Add ``micros`` to today's spend if it stays within the budget. Returns the new total."""
    if micros < 0:
        raise ValueError("a charge cannot be negative")
    now = now or datetime.now(UTC)
    budget = user.budget_micros
    if micros > budget:
        raise LimitExceeded("budget", "this turn costs more than the daily budget", _seconds_to_midnight(now))
    try:
        item = items.update(
            keys.spend_pk(user.id, _today(now)),
            keys.COUNTER_SK,
            add_values={"micros": micros},
            set_values={TTL_ATTRIBUTE: int(now.timestamp()) + 2 * 86400},
            condition="attribute_not_exists(#m) OR #m <= :room",
            condition_names={"#m": "micros"},
            condition_values={":room": budget - micros},
            must_exist=False,
        )
    except ConditionFailed:
        raise LimitExceeded("budget", "daily budget would be exceeded", _seconds_to_midnight(now)) from None
    return int(item["micros"])


def adjust(user: User, delta: int, day: str) -> int:
    """Correct the spend of ``day`` (a ``YYYY-MM-DD`` UTC date) by ``delta`` µ$, unconditionally: a
    settled reservation (``delta`` = actual - reserved, usually negative). Returns the new total."""
    item = items.update(
        keys.spend_pk(user.id, day),
        keys.COUNTER_SK,
        add_values={"micros": delta},
        must_exist=False,
    )
    return int(item["micros"])


class OwnerBudget:
    """The daily budget of a game's owner as the harness's spending port (``llm.budget.Budget``).
    Thread-safe: seats playing at once reserve against the same counter, each with its own write."""

    def __init__(self, user: User) -> None:
        self.user = user

    def reserve(self, micros: int) -> Reservation | None:
        now = datetime.now(UTC)
        try:
            charge(self.user, micros, now)
        except LimitExceeded:
            return None
        return Reservation(micros, _today(now))  # settled against the day it was made

    def settle(self, reservation: Reservation, actual: int) -> None:
        if actual != reservation.micros:
            adjust(self.user, actual - reservation.micros, reservation.day)


def record_spend(user: User, micros: int, now: datetime | None = None) -> int:
    """Record money already spent (provider calls that were made), even past the budget.

    ``charge`` guards a spend before it happens; a model turn's real cost is only known after the
    calls, and hiding part of it would make the counter lie. The budget then stops the next turn
    (``ensure_budget_left``). Returns the new total."""
    if micros < 0:
        raise ValueError("spend cannot be negative")
    now = now or datetime.now(UTC)
    item = items.update(
        keys.spend_pk(user.id, _today(now)),
        keys.COUNTER_SK,
        add_values={"micros": micros},
        set_values={TTL_ATTRIBUTE: int(now.timestamp()) + 2 * 86400},
        must_exist=False,
    )
    return int(item["micros"])


def hit_rate_limit(user: User, now: float | None = None) -> int:
    """Count one model-calling request in the current minute; refuse over the limit."""
    now = time.time() if now is None else now
    minute = int(now // 60)
    limit = settings.MODEL_CALLS_PER_MINUTE
    try:
        item = items.update(
            keys.rate_pk(user.id, minute),
            keys.COUNTER_SK,
            add_values={"count": 1},
            set_values={TTL_ATTRIBUTE: (minute + 2) * 60},
            condition="attribute_not_exists(#c) OR #c < :limit",
            condition_names={"#c": "count"},
            condition_values={":limit": limit},
            must_exist=False,
        )
    except ConditionFailed:
        raise LimitExceeded("rate", f"at most {limit} model calls per minute", (minute + 1) * 60 - int(now)) from None
    return int(item["count"])
