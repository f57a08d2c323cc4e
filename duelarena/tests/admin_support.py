"""Helpers for the admin tests: staff users, logged-in clients with CSRF enforced, games written in bulk
shaped exactly like ``games.store`` items, and a recorder of the DynamoDB operations a request makes."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.test import Client

from accounts import users
from duelarena.dynamo import connection, items, keys
from games import store
from games.records import Attempt, Game, Move, empty_totals
from games.rules import get_rules

PASSWORD = "a-long-pass-phrase-9"
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def make_user(email: str, roles: list[str] | None = None, *, password: str | None = PASSWORD) -> users.User:
    user, _ = users.create(email, roles=roles or ["player"], password_hash=make_password(password) if password else "")
    return user


def login(email: str, password: str = PASSWORD) -> Client:
    """An admin session through the real login form, CSRF enforced."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/admin/login/")
    token = _CSRF_INPUT.search(page.content).group(1).decode()
    reply = client.post(
        "/admin/login/?next=/admin/", {"username": email, "password": password, "csrfmiddlewaretoken": token}
    )
    assert reply.status_code == 302 and reply["Location"] == "/admin/", reply.content[:300]
    return client


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    """POST a form the way the admin's pages do: with the CSRF cookie's token."""
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def next_link(content: bytes) -> str | None:
    found = re.search(rb'<a href="([^"]+)" class="next">', content)
    return html.unescape(found.group(1).decode()) if found else None


def row_ids(content: bytes) -> list[str]:
    """Ids of the changelist rows (the checkbox values, else the link targets)."""
    return [m.decode() for m in re.findall(rb'name="_selected_action" value="([^"]+)"', content)] or [
        m.decode()
        for m in re.findall(rb'<th class="field-[a-z_]+"><a href="/admin/[a-z]+/[a-z]+/([^/]+)/change/"', content)
    ]


_MESSAGE = re.compile(rb'<li class="(?:success|warning|error|info)">(.*?)</li>', re.S)


def messages_in(content: bytes) -> list[str]:
    """The texts of the admin's messages on a page."""
    return [html.unescape(m.decode()).strip() for m in _MESSAGE.findall(content)]


def game_record(
    owner: users.User | str,
    game_type: str = "chess",
    *,
    n: int = 0,
    moves: list[str] = (),
    status: str = "live",
    flagged: bool = False,
    hidden: bool = False,
    base: datetime | None = None,
    white: str = "builtin:random",
    black: str = "builtin:random",
) -> tuple[Game, list[Move]]:
    """A game (and its move records) as the service would have stored it, created ``n`` seconds after
    ``base``; ``moves`` are played through the rules so the state is real."""
    owner_id = owner if isinstance(owner, str) else owner.id
    rules = get_rules(game_type)
    options = rules.validate_options({})
    state = rules.initial_state(options, 7)
    created = ((base or datetime(2026, 1, 1, tzinfo=UTC)) + timedelta(seconds=n)).isoformat(timespec="microseconds")
    game_id = keys.new_id()
    records: list[Move] = []
    totals = empty_totals()
    for text in moves:
        seat = rules.to_move(state)[0]
        move = rules.parse_move(state, seat, text)
        attempt = Attempt(
            1,
            prompt=f"Your move as {seat}.\n{rules.render(state, seat)}",
            answer=f"MOVE: {text}",
            parsed=move,
            reasoning=f"I like {text}.",
            tokens_in=120,
            tokens_out=30,
            cost_micros=1500,
            latency_ms=400,
        )
        records.append(Move(game_id, rules.ply(state), seat, move, f"MOVE: {text}", [attempt], created))
        state = rules.apply(state, seat, move)
        for name in ("tokens_in", "tokens_out", "cost_micros", "latency_ms"):
            totals[seat][name] += getattr(attempt, name)
        totals[seat]["moves"] += 1
    game = Game(
        id=game_id,
        game_type=game_type,
        white=white,
        black=black,
        owner_id=owner_id,
        seed=7,
        options=options,
        state=state,
        created_at=created,
        updated_at=created,
        status=status,
        ply=rules.ply(state),
        flagged=flagged,
        hidden=hidden,
        totals=totals,
        moves_count=len(records),
        rated=True,
    )
    return game, records


def store_games(games: list[tuple[Game, list[Move]]]) -> None:
    """Write games with their moves in bulk (BatchWriteItem), as ``games.store`` shapes them."""
    batch = []
    for game, moves in games:
        batch.append(store.game_item(game))
        batch.extend(store.move_item(m) for m in moves)
    items.batch_put(batch)


@contextmanager
def dynamodb_operations() -> Iterator[list[str]]:
    """The names of the DynamoDB API operations this thread makes inside the block (GetItem, Query, ...).
    Only this thread's: the client is shared, and a turn worker thread an earlier test of the same
    process started (``games.autoplay``) may be calling DynamoDB meanwhile."""
    seen: list[str] = []
    caller = threading.get_ident()

    def record(model: Any = None, **_: Any) -> None:
        if threading.get_ident() == caller:
            seen.append(model.name)

    events = connection.client().meta.events
    events.register("before-call.dynamodb", record, unique_id="admin-tests-recorder")
    try:
        yield seen
    finally:
        events.unregister("before-call.dynamodb", unique_id="admin-tests-recorder")
