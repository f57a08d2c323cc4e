"""Finding 1 of the security audit: one-time login codes raced on DynamoDB Local (which, unlike moto,
really runs concurrent deletes concurrently)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts import tokens, users
from duelarena.dynamo import items

pytestmark = pytest.mark.integration


def test_take_gives_an_item_to_exactly_one_of_racing_takers(ddb_local):
    for k in range(50):
        items.put({"pk": f"ONCE#{k}", "sk": "X", "n": k})
    with ThreadPoolExecutor(10) as pool:
        for k in range(50):
            results = list(pool.map(lambda _, k=k: items.take(f"ONCE#{k}", "X"), range(10)))
            assert [r["n"] for r in results if r] == [k]
    assert items.take("ONCE#missing", "X") is None


def test_100_codes_raced_10_wide_are_redeemed_once_each(ddb_local):
    user, _ = users.create("racer@example.com")
    codes = [tokens.issue_login_code(user) for _ in range(100)]
    families: dict[str, list[str]] = {code: [] for code in codes}
    lock = threading.Lock()
    start = threading.Barrier(10)

    def exchange(code: str) -> None:
        try:
            start.wait(5)
        except threading.BrokenBarrierError:
            pass
        try:
            winner = tokens.redeem_login_code(code)
        except tokens.TokenError:
            return
        pair = tokens.issue_pair(winner)  # what POST /api/auth/token does next
        with lock:
            families[code].append(pair.refresh.split(".")[0])

    with ThreadPoolExecutor(10) as pool:
        for code in codes:
            start.reset()
            list(pool.map(exchange, [code] * 10))
    doubles = [code for code, got in families.items() if len(got) > 1]
    assert doubles == [], f"{len(doubles)} codes gave two token pairs"
    assert all(len(got) == 1 for got in families.values())
