"""Budgets and rate limits: atomic counters that refuse without charging, and expire on their own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from accounts import limits, users
from duelarena.dynamo import items


@pytest.fixture
def user(dynamo, settings):
    settings.DAILY_BUDGET_MICROS = 1_000
    return users.create("spender@example.com")[0]


NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_charges_add_up_and_refuse_past_the_budget(user):
    assert limits.charge(user, 400, NOON) == 400
    assert limits.charge(user, 600, NOON) == 1000
    with pytest.raises(limits.LimitExceeded) as info:
        limits.charge(user, 1, NOON)
    assert info.value.status == 429 and info.value.code == "budget_exceeded"
    assert info.value.retry_after == 12 * 3600 + 1  # until UTC midnight
    assert limits.spent_today(user, NOON) == 1000  # the refused charge changed nothing


def test_budget_resets_the_next_day_and_counters_expire(user):
    limits.charge(user, 1000, NOON)
    assert limits.spent_today(user, datetime(2026, 3, 2, 0, 1, tzinfo=UTC)) == 0
    counter = items.get(f"SPEND#{user.id}#2026-03-01", "COUNTER")
    assert counter["expires_at"] == int(NOON.timestamp()) + 2 * 86400


def test_ensure_budget_left(user):
    limits.ensure_budget_left(user, NOON)
    limits.charge(user, 1000, NOON)
    with pytest.raises(limits.LimitExceeded):
        limits.ensure_budget_left(user, NOON)


def test_per_user_budget_overrides_default(user):
    rich = users.update(user, daily_budget_micros=5_000)
    assert limits.charge(rich, 4_000, NOON) == 4_000


def test_negative_charge_is_a_bug(user):
    with pytest.raises(ValueError):
        limits.charge(user, -5, NOON)


def test_rate_limit_per_minute(user, settings):
    settings.MODEL_CALLS_PER_MINUTE = 3
    now = 1_000_000 * 60 + 15.0
    assert [limits.hit_rate_limit(user, now) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(limits.LimitExceeded) as info:
        limits.hit_rate_limit(user, now)
    assert info.value.code == "rate_limited" and info.value.retry_after == 45
    assert limits.hit_rate_limit(user, now + 60) == 1  # the next minute starts fresh


@pytest.mark.integration
def test_concurrent_charges_never_overspend(ddb_local, settings):
    settings.DAILY_BUDGET_MICROS = 1_000
    user = users.create("racer@example.com")[0]

    def spend(_):
        try:
            limits.charge(user, 100, NOON)
            return True
        except limits.LimitExceeded:
            return False

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(spend, range(25)))
    assert sum(results) == 10
    assert limits.spent_today(user, NOON) == 1000


def test_record_spend_is_exact_even_past_the_budget(user):
    limits.charge(user, 900, NOON)
    assert limits.record_spend(user, 300, NOON) == 1200  # the calls were made: recorded in full
    with pytest.raises(limits.LimitExceeded):
        limits.ensure_budget_left(user, NOON)
    with pytest.raises(ValueError):
        limits.record_spend(user, -1, NOON)
