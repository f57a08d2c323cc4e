"""Throttling of sign-in attempts: admin password login, ``POST /api/auth/token`` and ``/refresh``.

Failed attempts are counted per *subject* - an account (the email typed into the admin login, the
refresh family of a refresh token) and a client address - in atomic DynamoDB counters that expire:

- ``THROTTLE#<scope>#<sha256 of the subject>`` / ``COUNTER``: ``failures`` (``ADD 1``, conditioned on
  the subject not being locked, like ``accounts/limits.py``), ``locked_until`` (epoch seconds) and the
  TTL attribute, pushed ``THROTTLE_WINDOW_SECONDS`` past the last failure.
- Past a scope's free failures (``THROTTLE_ACCOUNT_FAILURES``, ``THROTTLE_ADDRESS_FAILURES``) each
  further failure locks the subject for a growing time: ``THROTTLE_LOCK_SECONDS`` doubled per extra
  failure, at most ``THROTTLE_MAX_LOCK_SECONDS``. While locked every attempt is refused before the
  credential is even looked at, right or wrong (429 with ``Retry-After`` in the API; a message on the
  admin login form). The start of a lock writes an audit entry (``signin_locked``).
- A successful sign-in clears the account's counter (not the address's: one good password must not
  wipe the count of an address trying many accounts).

The client address is ``REMOTE_ADDR``; only when the connection comes from a trusted proxy
(``THROTTLE_TRUSTED_PROXIES``, loopback by default: behind the Lambda Web Adapter every request comes
from 127.0.0.1) is it the rightmost ``X-Forwarded-For`` hop, the address the proxy in front (API
Gateway) saw. Hops further left are written by the client and never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from duelarena import audit
from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed
from duelarena.dynamo.schema import TTL_ATTRIBUTE
from duelarena.errors import TooManyRequests

logger = logging.getLogger("duelarena.throttle")

ACCOUNT, ADDRESS = "account", "address"  # the scopes
AUDIT_KIND = "signin"  # audit entries: AUDIT#signin#<scope>:<subject>
LOCKED_ACTION = "signin_locked"


@dataclass(frozen=True)
class System:
    """The actor of audit entries nobody signed in wrote."""

    id: str = "system"
    email: str = "sign-in throttle"


class Throttled(TooManyRequests):
    """429 ``too_many_attempts`` with Retry-After: the subject is locked for ``retry_after`` seconds."""

    def __init__(self, retry_after: int, scope: str):
        super().__init__(
            f"too many failed attempts; try again in {retry_after} seconds",
            code="too_many_attempts",
            retry_after=max(1, retry_after),
            details={"scope": scope},
        )


@dataclass(frozen=True)
class Subject:
    scope: str
    value: str

    @property
    def pk(self) -> str:
        return keys.throttle_pk(self.scope, hashlib.sha256(self.value.encode()).hexdigest()[:40])

    @property
    def free_failures(self) -> int:
        return settings.THROTTLE_ACCOUNT_FAILURES if self.scope == ACCOUNT else settings.THROTTLE_ADDRESS_FAILURES


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if remote in settings.THROTTLE_TRUSTED_PROXIES:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    return remote[:64] or "unknown"


def subjects(request: HttpRequest, account: str | None = None) -> list[Subject]:
    found = [Subject(ADDRESS, client_address(request))]
    if account:
        found.append(Subject(ACCOUNT, account.strip().lower()[:256]))
    return found


def lock_seconds(failures: int, free: int) -> int:
    """The lock after the ``failures``-th failure: none up to ``free``, then doubling, capped."""
    if failures <= free:
        return 0
    return int(min(settings.THROTTLE_MAX_LOCK_SECONDS, settings.THROTTLE_LOCK_SECONDS * 2 ** (failures - free - 1)))


def check(found: list[Subject], now: float | None = None) -> set[Subject]:
    """Raise Throttled when a subject is locked. Returns the subjects that have failures on record."""
    now = time.time() if now is None else now
    with_failures = set()
    for subject in found:
        item = items.get(subject.pk, keys.COUNTER_SK)
        if not item:
            continue
        if int(item.get("locked_until", 0)) > now:
            raise Throttled(int(item["locked_until"] - now) + 1, subject.scope)
        if int(item.get("failures", 0)):
            with_failures.add(subject)
    return with_failures


def failed(found: list[Subject], now: float | None = None) -> int:
    """Count a failure for each subject; lock those past their free failures. Returns the longest lock
    started (0: none)."""
    now = time.time() if now is None else now
    longest = 0
    for subject in found:
        try:
            item = items.update(
                subject.pk,
                keys.COUNTER_SK,
                add_values={"failures": 1},
                set_values={TTL_ATTRIBUTE: int(now) + settings.THROTTLE_WINDOW_SECONDS},
                condition="attribute_not_exists(#l) OR #l <= :now",
                condition_names={"#l": "locked_until"},
                condition_values={":now": int(now)},
                must_exist=False,
            )
        except ConditionFailed:  # locked meanwhile (a racing attempt): nothing more to count
            continue
        seconds = lock_seconds(int(item["failures"]), subject.free_failures)
        if seconds:
            _lock(subject, int(item["failures"]), seconds, now)
            longest = max(longest, seconds)
    return longest


def _lock(subject: Subject, failures: int, seconds: int, now: float) -> None:
    until = int(now) + seconds
    items.update(
        subject.pk,
        keys.COUNTER_SK,
        set_values={"locked_until": until, TTL_ATTRIBUTE: until + settings.THROTTLE_WINDOW_SECONDS},
        must_exist=False,
    )
    logger.warning("sign-in locked", extra={"scope": subject.scope, "failures": failures, "seconds": seconds})
    audit.record(
        audit.new(
            System(),
            LOCKED_ACTION,
            AUDIT_KIND,
            f"{subject.scope}:{subject.value}",
            after={"failures": failures, "locked_seconds": seconds, "locked_until": until},
        )
    )


def succeeded(found: list[Subject], with_failures: set[Subject]) -> None:
    """Forget the account's failures after a successful sign-in (no write when there were none)."""
    for subject in found:
        if subject.scope == ACCOUNT and subject in with_failures:
            items.delete(subject.pk, keys.COUNTER_SK)


@contextmanager
def attempt(found: list[Subject], *failures: type[BaseException]) -> Iterator[None]:
    """Guard one sign-in attempt: refuse it while locked (Throttled), count it when the block raises one
    of ``failures`` (re-raised; or Throttled when this failure started a lock), clear on success."""
    with_failures = check(found)
    try:
        yield
    except failures:
        locked = failed(found)
        if locked:
            raise Throttled(locked, ACCOUNT if any(s.scope == ACCOUNT for s in found) else ADDRESS) from None
        raise
    succeeded(found, with_failures)
