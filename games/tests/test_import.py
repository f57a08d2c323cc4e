"""``manage.py import_sqlite``: a generated legacy database with a few thousand rows, broken ones included."""

from __future__ import annotations

import json
import random
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import users
from duelarena.dynamo import connection, items
from games import leaderboard, legacy_import, selectors, store
from games.legacy_import import ConversionError, convert_game, game_id_for, player_of, result_of, timestamp_of

LEGACY_SCHEMA = """
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, name TEXT, picture TEXT, created_at TEXT, last_login TEXT);
CREATE TABLE games (
    id TEXT PRIMARY KEY, user_id INTEGER, game_type TEXT, white_model TEXT, black_model TEXT, result TEXT,
    winner TEXT, moves_count INTEGER, is_over BOOLEAN, white_tokens INTEGER, black_tokens INTEGER,
    created_at TEXT, updated_at TEXT, game_state TEXT
);
"""
LEGACY_TYPES = ["chess", "tic_tac_toe", "rock_paper_scissors", "racing", "word_association"]
MODELS = ["gpt-4o-mini", "claude-3-5-haiku", "llama3.2", "human", "random"]


@dataclass
class Legacy:
    path: Path
    users: int = 0
    games: int = 0
    bad_users: dict[str, str] = field(default_factory=dict)  # legacy id -> reason
    bad_games: dict[str, str] = field(default_factory=dict)
    ended_by_type: Counter[str] = field(default_factory=Counter)
    anonymous: set[str] = field(default_factory=set)  # games played without an account


def make_legacy_db(path: Path, n_users: int = 120, n_games: int = 2500, seed: int = 1) -> Legacy:
    rng = random.Random(seed)
    legacy = Legacy(path)
    db = sqlite3.connect(path)
    db.executescript(LEGACY_SCHEMA)
    good_users = []
    for uid in range(1, n_users + 1):
        email = f"player{uid}@example.com"
        if uid % 40 == 0:
            email, legacy.bad_users[str(uid)] = "not-an-email", "bad_email"
        elif uid % 55 == 0:
            email = f"PLAYER{uid - 1}@Example.com "  # same person as the previous row: one account
        if str(uid) not in legacy.bad_users:
            good_users.append(uid)
        db.execute(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
            (uid, email, f"Player {uid}", "", "2024-03-01 10:00:00", "2024-06-01T08:30:00Z" if uid % 2 else None),
        )
    legacy.users = n_users
    for k in range(n_games):
        gid = f"g-{k:05d}"
        kind = LEGACY_TYPES[k % len(LEGACY_TYPES)]
        user_id: int | str | None = rng.choice(good_users)
        state: object = {"moves": []}
        white, black = rng.sample(MODELS, 2)
        over = k % 7 != 0
        winner = rng.choice(["white", "black", "draw", None])
        created = f"2024-0{1 + k % 9}-1{k % 10} 12:{k % 60:02d}:00"
        if kind == "chess":
            state = {"moves": ["e4", "e5", "Nf3", "Nc6"][: 1 + k % 4], "fen": "ignored", "termination": "Checkmate"}
        elif kind == "tic_tac_toe":
            state = {"moves": ["5", "1", "9"], "board": ["O", "", "", "", "X", "", "", "", "X"]}
        elif kind == "rock_paper_scissors":
            state = {"rounds": [{"white": "rock", "black": "paper"}]}
        text = json.dumps(state)
        reason = None
        if k % 97 == 3:
            text, reason = "{not json", "bad_json"
        elif k % 101 == 5:
            kind, reason = "checkers", "unknown_game_type"
        elif k % 89 == 7:
            user_id, reason = 9999, "missing_user"
        elif k % 83 == 11 or k % 9 == 4:
            user_id = None if k % 2 else ""  # anonymous: imported under the anonymous owner
            legacy.anonymous.add(gid)
        elif k % 211 == 13:
            created, reason = "yesterday-ish", "bad_timestamp"
        elif k % 79 == 17:
            user_id, reason = 40, "missing_user"  # the user whose email was broken
        if reason:
            legacy.bad_games[gid] = reason
        elif over:
            legacy.ended_by_type[legacy_import.game_type_of(kind)] += 1
        else:
            legacy.ended_by_type[legacy_import.game_type_of(kind)] += 1  # unfinished -> aborted, also ended
        db.execute(
            "INSERT INTO games VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                gid,
                user_id,
                kind,
                white,
                black,
                "1-0" if winner == "white" else None,
                winner,
                4,
                int(over),
                rng.randrange(5000),
                rng.randrange(5000),
                created,
                None,
                text,
            ),
        )
    legacy.games = n_games
    db.commit()
    db.close()
    return legacy


WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@contextmanager
def dynamodb_writes() -> Iterator[list[str]]:
    """The DynamoDB write operations made inside the block (proof that a run changed nothing)."""
    made: list[str] = []

    def record(model, **kwargs) -> None:
        if model.name in WRITES:
            made.append(model.name)

    events = connection.client().meta.events
    events.register("before-call.dynamodb", record, unique_id="import-test-writes")
    try:
        yield made
    finally:
        events.unregister("before-call.dynamodb", unique_id="import-test-writes")


# ------------------------------------------------------------------------------------ conversions


def test_legacy_values_are_mapped_loosely_but_exactly():
    assert player_of("gpt-4o") == "openai:gpt-4o" and player_of("claude-3-opus") == "anthropic:claude-3-opus"
    assert player_of("Human") == "human" and player_of("ollama:llama3") == "ollama:llama3"
    assert player_of("random") == "builtin:random" and player_of("my-bot") == "legacy:my-bot"
    assert result_of("1-0", None, "a", "b") == "first" and result_of(None, "black", "a", "b") == "second"
    assert result_of("1/2-1/2", None, "a", "b") == "draw" and result_of(None, "b", "x:a", "x:b") == "second"
    assert result_of(None, None, "a", "b") is None
    assert timestamp_of("2024-05-01 12:34:56") == "2024-05-01T12:34:56.000000+00:00"
    assert timestamp_of("2024-05-01T12:34:56Z") == timestamp_of(1714566896) == timestamp_of(1714566896000)
    assert timestamp_of(None) is None
    with pytest.raises(ConversionError):
        timestamp_of("soon")
    assert legacy_import.game_type_of("Tic-Tac-Toe") == "tictactoe"
    assert legacy_import.game_type_of("Rock Paper Scissors") == "rps"


def test_a_row_converts_to_a_game_item_with_the_legacy_data_kept():
    row = {
        "id": 7,
        "user_id": 3,
        "game_type": "chess",
        "white_model": "gpt-4o",
        "black_model": "human",
        "result": "0-1",
        "winner": None,
        "moves_count": 3,
        "is_over": 1,
        "white_tokens": 120,
        "black_tokens": None,
        "created_at": "2024-01-02 03:04:05",
        "updated_at": None,
        "game_state": json.dumps({"moves": ["e2e4", "e5", "Nf3"], "termination": "Resignation"}),
    }
    converted = convert_game(row, {"3": "u" * 32})
    item = converted.item
    assert item["id"] == game_id_for("7") == convert_game(row, {"3": "u" * 32}).item["id"]
    assert item["imported"] is True and item["rated"] is False and item["legacy_id"] == "7"
    assert item["status"] == "finished" and item["result"] == "second" and item["termination"] == "resignation"
    assert item["black_user_id"] == "u" * 32 and item["white"] == "openai:gpt-4o"
    assert json.loads(item["state"])["moves"] == ["e2e4", "e7e5", "g1f3"] and item["ply"] == 3
    assert item["legacy_state"] == row["game_state"] and item["legacy_tokens"] == {"white": 120, "black": 0}
    assert store.game_from_item(item).totals["white"]["tokens_out"] == 120
    unfinished = convert_game({**row, "is_over": 0, "game_state": "{}"}, {"3": "u" * 32}).item
    assert unfinished["status"] == "aborted" and unfinished["termination"] == "imported_unfinished"
    illegal = convert_game({**row, "game_state": json.dumps({"moves": ["e4", "e4"]})}, {"3": "u" * 32}).item
    assert json.loads(illegal["state"])["plies"] == 0 and illegal["ply"] == 0
    for broken, reason in (
        ({"game_state": "{oops"}, "bad_json"),
        ({"game_type": "go"}, "unknown_game_type"),
        ({"user_id": 4}, "missing_user"),
        ({"created_at": None}, "bad_timestamp"),
        ({"id": None}, "bad_row"),
    ):
        with pytest.raises(ConversionError) as raised:
            convert_game({**row, **broken}, {"3": "u" * 32})
        assert raised.value.reason == reason


# -------------------------------------------------------------------------------- DynamoDB Local


@pytest.mark.slow
@pytest.mark.integration
def test_import_reconciles_exactly_is_idempotent_and_dry_run_writes_nothing(ddb_local, tmp_path, client):
    legacy = make_legacy_db(tmp_path / "llm_duel_arena.db")
    existing, _ = users.create("player7@example.com", name="Signed up already")
    with dynamodb_writes() as writes:
        dry = legacy_import.run(legacy.path, dry_run=True, batch_size=250)
    assert writes == [] and dry.reconciles and dry.dry_run

    out = StringIO()
    with dynamodb_writes() as writes:
        call_command("import_sqlite", str(legacy.path), "--batch-size", "250", "--no-progress", stdout=out)
    assert "BatchWriteItem" in writes  # the recorder sees writes when there are some
    text = out.getvalue()
    bad_games = Counter(legacy.bad_games.values())
    duplicate_emails = sum(1 for uid in range(1, legacy.users + 1) if uid % 55 == 0 and uid % 40)
    users_imported = legacy.users - len(legacy.bad_users) - duplicate_emails - 1  # player7 had an account
    games_imported = legacy.games - len(legacy.bad_games)
    assert (
        f"users  read {legacy.users:>6} = imported {users_imported:>6} + already present "
        f"{duplicate_emails + 1:>6} + failed {len(legacy.bad_users):>6}   [ok]"
    ) in text
    assert (
        f"games  read {legacy.games:>6} = imported {games_imported:>6} + already present "
        f"{0:>6} + failed {len(legacy.bad_games):>6}   [ok]"
    ) in text
    expected_reasons = {f"games: {r}": n for r, n in bad_games.items()} | {"users: bad_email": len(legacy.bad_users)}
    assert f"rows that could not be converted ({len(legacy.bad_games) + len(legacy.bad_users)})" in text
    for reason, n in expected_reasons.items():
        assert f"{reason} {n}" in text
    assert set(bad_games) == {"bad_json", "unknown_game_type", "missing_user", "bad_timestamp"}
    # The dry run predicted exactly what the import did.
    assert (dry.users.imported, dry.games.imported, dry.games.failed) == (
        users_imported,
        games_imported,
        len(legacy.bad_games),
    )
    assert dry.anonymous_games == len(legacy.anonymous) > 250

    # Games played without an account are imported under the one anonymous owner (not "missing_user").
    anonymous = users.get(legacy_import.anonymous_owner_id())
    assert anonymous is not None and anonymous.email == legacy_import.ANONYMOUS_EMAIL
    assert anonymous.budget_micros == 0 and not anonymous.password_hash and not anonymous.is_staff
    assert anonymous.id in {i["id"] for i in users.list_page(limit=10).items}  # the admin's user list
    assert f"anonymous games imported under {legacy_import.ANONYMOUS_EMAIL}: {len(legacy.anonymous)} (owner" in text
    for gid in sorted(legacy.anonymous)[:40]:
        imported = store.get(game_id_for(gid))
        assert imported is not None and imported.owner_id == anonymous.id
        assert items.get(f"GAME#{imported.id}", "META")["legacy_anonymous"] is True

    # Spot checks: ids, owner mapping, the legacy state kept, the API, PGN, the leaderboard's exclusions.
    assert legacy.bad_games["g-00003"] == "bad_json" and store.get(game_id_for("g-00003")) is None
    game = store.get(game_id_for("g-00010"))  # k=10: chess, finished, 3 legacy moves
    assert game is not None and game.game_type == "chess" and game.rated is False and game.ply == 3
    assert game.status == "finished" and game.termination == "checkmate"
    raw = items.get(f"GAME#{game.id}", "META")
    assert raw["imported"] is True and json.loads(raw["legacy_state"])["fen"] == "ignored"
    owner = users.get(game.owner_id)
    assert owner is not None and owner.email.startswith("player")
    assert users.get_by_email("player7@example.com").id == existing.id
    assert "1. e4 e5 2. Nf3" in selectors.pgn(game.id, None)
    reply = client.get(f"/api/games/{game.id}")
    assert reply.status_code == 200 and reply.json()["rated"] is False
    for game_type in legacy.ended_by_type:  # imported games were never played here: not on the board
        assert items.query_all(leaderboard.results_pk(game_type)) == [], game_type

    # A second run finds everything already present and changes nothing at all.
    with dynamodb_writes() as writes:
        again = legacy_import.run(legacy.path, batch_size=500)
    assert writes == []
    assert again.reconciles and again.games.imported == 0 and again.users.imported == 0
    assert again.games.already_present == games_imported and again.games.failed == len(legacy.bad_games)
    assert again.users.already_present == users_imported + duplicate_emails + 1
    # ...and so does a third: it reconciles exactly, twice in a row.
    with dynamodb_writes() as writes:
        third = legacy_import.run(legacy.path, batch_size=100)
    assert writes == [] and third.reconciles
    assert (third.games.already_present, third.games.failed) == (games_imported, len(legacy.bad_games))


@pytest.mark.integration
def test_not_a_legacy_database_is_refused(ddb_local, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_sqlite", str(tmp_path / "missing.db"), "--no-progress")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(CommandError, match="no table"):
        call_command("import_sqlite", str(empty), "--no-progress")
    with pytest.raises(CommandError, match="batch-size"):
        call_command("import_sqlite", str(empty), "--batch-size", "0")
