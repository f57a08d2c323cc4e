"""Moving the earlier FastAPI + SQLite version's data in (``manage.py import_sqlite``).

The legacy database has two tables:

- ``users`` (id, email, name, picture, created_at, last_login);
- ``games`` (id, user_id, game_type, white_model, black_model, result, winner, moves_count, is_over,
  white_tokens, black_tokens, created_at, updated_at, game_state as JSON text).

How rows map
------------
- A user goes through ``accounts.users.create`` (emails are unique: a legacy user whose email already has
  an account is mapped onto that account). New accounts get an id derived from the legacy id.
- A game becomes a game item built by ``games.store.game_item`` with an id derived from the legacy id,
  ``rated=False`` and ``imported=True``; the legacy row is kept as it was: ``legacy_id``,
  ``legacy_state`` (the ``game_state`` text, verbatim), ``legacy_players``, ``legacy_result``,
  ``legacy_winner``, ``legacy_tokens``. The owner is the mapped user; human seats belong to the owner.
- ``game_type`` is matched loosely (``tic_tac_toe``, ``rock-paper-scissors``, ``word_association``...).
  Players without a provider prefix get one guessed from the name (``gpt-4o`` -> ``openai:gpt-4o``,
  ``claude-...`` -> ``anthropic:...``; unknown names -> ``legacy:<name>``).
- ``is_over`` games are ``finished`` with the result read from ``winner``/``result`` (white/black/draw,
  1-0/0-1/1/2-1/2, the seat's model name...) and the termination from the legacy state when it names
  one (else ``imported``). Unfinished legacy games cannot be resumed (the state format differs): they
  are stored as ``aborted`` with termination ``imported_unfinished``.
- The state is the current rules' initial state for the game's seed, with the legacy moves replayed
  when the legacy state lists them and every one is legal (chess: SAN or UCI; the state keeps the move
  list, as no move items are imported, so PGN export and the game view work);
  otherwise it stays the initial state and the legacy state is only in ``legacy_state``.
- Legacy token counts were per seat without an input/output split: they are recorded as the seat's
  ``tokens_out`` (and verbatim in ``legacy_tokens``).
- Imported games get no leaderboard result item: they were never played here and stay off the board.

Anonymous games: the earlier product let people play without an account (``user_id`` NULL or empty;
its own migration script kept them under an owner ``anonymous``). They are imported under one owner
that stands for those players: a user ``anonymous@legacy-import.invalid`` (fixed id, "Anonymous players
(earlier product)"), created once by the first run that meets such a game. It is an ordinary user item
(listed in the admin) with a daily budget of 0 and no way to sign in (no password, and ``.invalid``
is never a verified Google address), so it never spends nor counts against anyone's budget. Games
naming a user that is not in the users table (or could not be imported) are still reported
(``missing_user``) and skipped.

Idempotency: ids are derived from legacy ids, and an import ledger (``IMPORT#<source>``, one item per
imported legacy row, the dynamorm model ``duelarena.dynamo.models.ImportLedger``: read with one
consistent Query at the start, written with its ``put_batch``) records what is done. A row in the ledger is
"already present" and is not written again, so a second run writes nothing. Game items are written
before their ledger items: a run that dies in between leaves items the next run rewrites identically.
Rows that cannot be converted are reported with the reason and skipped; they never stop the rest.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from games.vocabulary import GameResult, Seat, Termination

SOURCE = "legacy-sqlite"
_NAMESPACE = uuid.UUID("0f1e8a52-6b1d-4c7a-8d55-3e0b6a9c2f41")
MAX_SEED = 2**53 - 1
MAX_LEGACY_STATE = 300_000  # characters; a DynamoDB item holds at most 400 KB
MAX_REPLAY_PLIES = 1000

GAME_TYPES = {
    "chess": "chess",
    "tictactoe": "tictactoe",
    "tic_tac_toe": "tictactoe",
    "ttt": "tictactoe",
    "noughts_and_crosses": "tictactoe",
    "rps": "rps",
    "rock_paper_scissors": "rps",
    "rockpaperscissors": "rps",
    "racing": "racing",
    "race": "racing",
    "words": "words",
    "word_association": "words",
    "wordassociation": "words",
    "word": "words",
}
_HUMANS = {"human", "user", "you", "player", "human_player", "person"}
_PROVIDER_GUESSES = (
    (("gpt-", "gpt4", "o1", "o3", "o4", "chatgpt", "text-davinci"), "openai"),
    (("claude",), "anthropic"),
    (("llama", "mistral", "mixtral", "qwen", "phi", "gemma", "deepseek"), "ollama"),
)
_FIRST = {"white", "first", "player1", "player_1", "p1", "x", "1-0", "white_wins", "white wins", "white_win", "1"}
_SECOND = {"black", "second", "player2", "player_2", "p2", "o", "0-1", "black_wins", "black wins", "black_win", "2"}
_DRAW = {"draw", "tie", "1/2-1/2", "½-½", "drawn", "0.5-0.5", "draw_game"}
_SLUG = re.compile(r"[^a-z0-9_]+")

# Failure reasons (the report groups rows by these).
BAD_ROW, BAD_JSON, UNKNOWN_GAME_TYPE, MISSING_USER = "bad_row", "bad_json", "unknown_game_type", "missing_user"
BAD_EMAIL, BAD_TIMESTAMP, TOO_LARGE, WRITE_FAILED = "bad_email", "bad_timestamp", "too_large", "write_failed"

# The owner of the legacy product's anonymous games (see the module docstring). ``ANONYMOUS`` is its key
# in the legacy-id -> user-id map: not a legacy id (those are never empty nor in parentheses).
ANONYMOUS = "(anonymous)"
ANONYMOUS_EMAIL = "anonymous@legacy-import.invalid"
ANONYMOUS_NAME = "Anonymous players (earlier product)"


class ConversionError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# ------------------------------------------------------------------------------- pure conversions


def legacy_key(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConversionError(BAD_ROW, "the row has no id")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def game_id_for(legacy_id: str) -> str:
    return uuid.uuid5(_NAMESPACE, f"{SOURCE}:game:{legacy_id}").hex


def user_id_for(legacy_id: str) -> str:
    return uuid.uuid5(_NAMESPACE, f"{SOURCE}:user:{legacy_id}").hex


def anonymous_owner_id() -> str:
    return uuid.uuid5(_NAMESPACE, f"{SOURCE}:anonymous-owner").hex


def seed_for(legacy_id: str) -> int:
    return uuid.uuid5(_NAMESPACE, f"{SOURCE}:seed:{legacy_id}").int % (MAX_SEED + 1)


def game_type_of(value: Any) -> str:
    key = re.sub(r"[\s-]+", "_", str(value or "").strip().lower())
    found = GAME_TYPES.get(key) or GAME_TYPES.get(key.replace("_", ""))
    if found is None:
        raise ConversionError(UNKNOWN_GAME_TYPE, f"unknown game type {value!r}")
    return found


def player_of(value: Any) -> str:
    raw = str(value or "").strip()
    if not raw:
        raise ConversionError(BAD_ROW, "a seat has no player")
    low = raw.lower()
    if low in _HUMANS:
        return "human"
    if ":" in raw:
        return raw
    if low in ("random", "random_bot", "randombot"):
        return "builtin:random"
    for prefixes, provider in _PROVIDER_GUESSES:
        if low.startswith(prefixes):
            return f"{provider}:{raw}"
    return f"legacy:{raw}"


def timestamp_of(value: Any) -> str | None:
    """An ISO-8601 UTC timestamp (microseconds, like ``keys.now_iso``) from a legacy value; None if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = float(value) / (1000.0 if value > 1e11 else 1.0)
            moment = datetime.fromtimestamp(seconds, UTC)
        else:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise ConversionError(BAD_TIMESTAMP, f"{value!r} is not a timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


_WINNERS: dict[GameResult, Seat] = {GameResult.FIRST: "white", GameResult.SECOND: "black"}


def result_of(result: Any, winner: Any, white: str, black: str) -> GameResult | None:
    """``first``/``second``/``draw`` from the legacy winner and result columns (None: not readable)."""
    for value in (winner, result):
        if value is None:
            continue
        token = str(value).strip().lower()
        if token in _FIRST:
            return GameResult.FIRST
        if token in _SECOND:
            return GameResult.SECOND
        if token in _DRAW:
            return GameResult.DRAW
    for value in (winner, result):
        text = str(value or "").strip()
        if text and text in (white, white.split(":", 1)[-1]) and text not in (black, black.split(":", 1)[-1]):
            return GameResult.FIRST
        if text and text in (black, black.split(":", 1)[-1]) and text not in (white, white.split(":", 1)[-1]):
            return GameResult.SECOND
    return None


def _termination_of(state: dict[str, Any]) -> str | None:
    for name in ("termination", "reason", "end_reason", "game_over_reason"):
        value = state.get(name)
        if isinstance(value, str) and value.strip():
            slug = _SLUG.sub("_", value.strip().lower()).strip("_")[:40]
            if slug:
                return slug
    return None


def _int(value: Any) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        return 0
    return max(number, 0)


def _legacy_moves(state: dict[str, Any]) -> list[Any] | None:
    for name in ("moves", "move_history", "history", "rounds", "san", "uci"):
        value = state.get(name)
        if isinstance(value, list) and value:
            return value
    return None


def replay(game_type: str, state: dict[str, Any], seed: int) -> dict[str, Any] | None:
    """The rules' state after the legacy moves, or None when there are none or one does not replay."""
    from games.rules import RuleError, get_rules

    moves = _legacy_moves(state)
    if not moves or len(moves) > MAX_REPLAY_PLIES:
        return None
    rules = get_rules(game_type)
    current = rules.initial_state(rules.validate_options({}), seed)
    played: list[str] = []
    try:
        for entry in moves:
            if rules.simultaneous:
                if not isinstance(entry, dict):
                    return None
                choices = {
                    "white": entry.get("white", entry.get("player1")),
                    "black": entry.get("black", entry.get("player2")),
                }
                for seat, text in choices.items():
                    if not isinstance(text, str):
                        return None
                    current = rules.apply(current, seat, rules.parse_move(current, seat, text))  # type: ignore[arg-type]
            else:
                text = entry.get("move") if isinstance(entry, dict) else entry
                if not isinstance(text, str | int) or not rules.to_move(current):
                    return None
                seat = rules.to_move(current)[0]
                played.append(rules.parse_move(current, seat, str(text)))
                current = rules.apply(current, seat, played[-1])
    except (RuleError, ValueError, KeyError, TypeError):
        return None
    if game_type == "chess":  # no move items are imported: the (finished) state keeps the whole game
        from games.rules.chess_rules import san_list

        current = {**current, "moves": played, "san": san_list(current["start_fen"], played)}
    return current


@dataclass(frozen=True)
class ConvertedGame:
    legacy_id: str
    game_type: str
    item: dict[str, Any]


def convert_game(
    row: dict[str, Any], owners: dict[str, str], failed_users: frozenset[str] | set[str] = frozenset()
) -> ConvertedGame:
    """A legacy ``games`` row as a game item. ``owners`` maps legacy user ids to user ids. Raises
    ConversionError with the reason a row cannot be converted."""
    from games import store
    from games.records import ABORTED, FINISHED, Game, empty_totals
    from games.rules import get_rules

    legacy_id = legacy_key(row.get("id"))
    game_type = game_type_of(row.get("game_type"))
    text = row.get("game_state")
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if text is not None and not isinstance(text, str):
        raise ConversionError(BAD_JSON, f"game_state is a {type(text).__name__}, not JSON text")
    if text and len(text) > MAX_LEGACY_STATE:
        raise ConversionError(TOO_LARGE, f"game_state has {len(text)} characters (at most {MAX_LEGACY_STATE})")
    try:
        parsed = json.loads(text) if text and text.strip() else {}
    except json.JSONDecodeError as exc:
        raise ConversionError(BAD_JSON, f"game_state is not valid JSON ({exc.msg} at {exc.pos})") from None
    legacy_state = parsed if isinstance(parsed, dict) else {}
    user_key = row.get("user_id")
    anonymous = user_key is None or (isinstance(user_key, str) and not user_key.strip())
    owner = owners.get(ANONYMOUS if anonymous else legacy_key(user_key))
    if owner is None and anonymous:
        raise ConversionError(MISSING_USER, "an anonymous game, and no owner for anonymous games")
    if owner is None:
        if legacy_key(user_key) in failed_users:
            raise ConversionError(MISSING_USER, f"its user {user_key!r} could not be imported (see users)")
        raise ConversionError(MISSING_USER, f"there is no user {user_key!r} in the users table")
    white, black = player_of(row.get("white_model")), player_of(row.get("black_model"))
    created = timestamp_of(row.get("created_at"))
    updated = timestamp_of(row.get("updated_at")) or created
    if created is None:
        raise ConversionError(BAD_TIMESTAMP, "created_at is empty")
    assert updated is not None

    seed = seed_for(legacy_id)
    rules = get_rules(game_type)
    options = rules.validate_options({})
    state = replay(game_type, legacy_state, seed) or rules.initial_state(options, seed)
    totals = empty_totals()
    totals["white"]["tokens_out"] = _int(row.get("white_tokens"))
    totals["black"]["tokens_out"] = _int(row.get("black_tokens"))
    if "game" in totals:
        totals["game"]["tokens_out"] = totals["white"]["tokens_out"] + totals["black"]["tokens_out"]
    over = (
        bool(_int(row.get("is_over")))
        if not isinstance(row.get("is_over"), str)
        else (row["is_over"].strip().lower() in ("1", "true", "yes", "t"))
    )
    result = result_of(row.get("result"), row.get("winner"), white, black) if over else None
    game = Game(
        id=game_id_for(legacy_id),
        game_type=game_type,
        white=white,
        black=black,
        owner_id=owner,
        seed=seed,
        options=options,
        state=state,
        created_at=created,
        updated_at=updated,
        white_user_id=owner if white == "human" else None,
        black_user_id=owner if black == "human" else None,
        status=FINISHED if over else ABORTED,
        result=result,
        winner=None if result is None else _WINNERS.get(result),
        termination=(
            (_termination_of(legacy_state) or Termination.IMPORTED) if over else Termination.IMPORTED_UNFINISHED
        ),
        ply=rules.ply(state),
        totals=totals,
        moves_count=_int(row.get("moves_count")),
        rated=False,
    )
    item = store.game_item(game)
    item.update(
        imported=True,
        import_source=SOURCE,
        legacy_id=legacy_id,
        legacy_state=text or "",
        legacy_players={"white": str(row.get("white_model") or ""), "black": str(row.get("black_model") or "")},
        legacy_result=None if row.get("result") is None else str(row.get("result")),
        legacy_winner=None if row.get("winner") is None else str(row.get("winner")),
        legacy_tokens={"white": _int(row.get("white_tokens")), "black": _int(row.get("black_tokens"))},
        legacy_user_id=None if anonymous else legacy_key(user_key),
        legacy_anonymous=anonymous,
    )
    return ConvertedGame(legacy_id, game_type, item)


# ------------------------------------------------------------------------------------- the import


@dataclass
class Tally:
    read: int = 0
    imported: int = 0
    already_present: int = 0
    failed: int = 0

    @property
    def reconciles(self) -> bool:
        return self.read == self.imported + self.already_present + self.failed


@dataclass(frozen=True)
class Failure:
    table: str
    legacy_id: str
    reason: str
    message: str


@dataclass
class Report:
    dry_run: bool
    users: Tally = field(default_factory=Tally)
    games: Tally = field(default_factory=Tally)
    failures: list[Failure] = field(default_factory=list)
    game_types: Counter[str] = field(default_factory=Counter)
    anonymous_games: int = 0  # imported (or, in a dry run, to import) under the anonymous owner
    anonymous_owner_created: bool = False

    @property
    def reconciles(self) -> bool:
        return (
            self.users.reconciles
            and self.games.reconciles
            and len(self.failures) == (self.users.failed + self.games.failed)
        )

    def failures_by_reason(self) -> dict[str, int]:
        return dict(sorted(Counter(f"{f.table}: {f.reason}" for f in self.failures).items()))


class LegacyDatabaseError(Exception):
    """The file is not a legacy database this import understands."""


Progress = Callable[[str, int], Any]  # (label, total) -> an object with update(n) and close()


class _NoProgress:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def _ledger_pk() -> str:
    return f"IMPORT#{SOURCE}"


def _open(path: str | Path) -> sqlite3.Connection:
    file = Path(path)
    if not file.is_file():
        raise LegacyDatabaseError(f"{path} does not exist")
    try:
        connection = sqlite3.connect(f"file:{file.resolve()}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise LegacyDatabaseError(f"{path} is not a SQLite database ({exc})") from None
    missing = {"games", "users"} - tables
    if missing:
        connection.close()
        raise LegacyDatabaseError(f"{path} has no table(s) {', '.join(sorted(missing))}")
    return connection


def _rows(connection: sqlite3.Connection, table: str, batch_size: int) -> Iterator[list[dict[str, Any]]]:
    cursor = connection.execute(f"SELECT * FROM {table} ORDER BY rowid")  # noqa: S608 - fixed table names
    while True:
        rows = cursor.fetchmany(batch_size)
        if not rows:
            return
        yield [dict(r) for r in rows]


def run(
    path: str | Path,
    *,
    dry_run: bool = False,
    batch_size: int = 100,
    progress: Progress | None = None,
) -> Report:
    """Import the legacy database at ``path``. See the module docstring; never raises for a bad row."""
    from duelarena.dynamo.models import ImportLedger

    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    connection = _open(path)
    report = Report(dry_run=dry_run)
    start = progress or (lambda label, total: _NoProgress())
    try:
        done = {e.sk: e.target or "" for e in ImportLedger.query(pk=_ledger_pk()).consistent().recursive()}
        owners = _import_users(connection, report, done, dry_run, batch_size, start)
        if _has_anonymous_games(connection):
            owners[ANONYMOUS] = _anonymous_owner(report, dry_run)
        _import_games(connection, report, done, owners, dry_run, batch_size, start)
    finally:
        connection.close()
    return report


def _has_anonymous_games(connection: sqlite3.Connection) -> bool:
    found = connection.execute("SELECT 1 FROM games WHERE user_id IS NULL OR TRIM(user_id) = '' LIMIT 1")
    return found.fetchone() is not None


def _anonymous_owner(report: Report, dry_run: bool) -> str:
    """The id of the anonymous games' owner, created on first need (a read only, once it exists)."""
    from accounts import users

    owner_id = anonymous_owner_id()
    if users.get(owner_id) is not None or dry_run:
        return owner_id
    user, created = users.create(ANONYMOUS_EMAIL, name=ANONYMOUS_NAME, user_id=owner_id)
    if user.id != owner_id:  # pragma: no cover - someone registered the reserved address by hand
        raise LegacyDatabaseError(f"{ANONYMOUS_EMAIL} belongs to another user ({user.id})")
    users.update(user, daily_budget_micros=0)
    report.anonymous_owner_created = created
    return owner_id


def _count(connection: sqlite3.Connection, table: str) -> int:
    return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608


def _ledger_item(kind: str, legacy_id: str, target: str) -> dict[str, Any]:
    from duelarena.dynamo import keys

    return {
        "pk": _ledger_pk(),
        "sk": f"{kind}#{legacy_id}",
        "kind": "import",
        "target": target,
        "imported_at": keys.now_iso(),
    }


def _write_ledger(entries: list[dict[str, Any]]) -> None:
    """Ledger items through ``ImportLedger.put_batch`` (validated; BatchWriteItem in chunks of 25)."""
    from duelarena.dynamo.models import ImportLedger

    ImportLedger.put_batch(*entries)


def _import_users(
    connection: sqlite3.Connection,
    report: Report,
    done: dict[str, str],
    dry_run: bool,
    batch_size: int,
    start: Progress,
) -> dict[str, str]:
    """Legacy user id -> user id, for every user that is (or, in a dry run, would be) imported."""
    from accounts import users
    from duelarena.dynamo.errors import ConditionFailed, StoreError

    owners: dict[str, str] = {}
    by_email: dict[str, str] = {}  # emails met in this run: a second legacy row with one is the same person
    ledger: list[dict[str, Any]] = []
    bar = start("users", _count(connection, "users"))
    try:
        for rows in _rows(connection, "users", batch_size):
            for row in rows:
                report.users.read += 1
                bar.update(1)
                try:
                    legacy_id = legacy_key(row.get("id"))
                    if f"USER#{legacy_id}" in done:
                        owners[legacy_id] = done[f"USER#{legacy_id}"]
                        report.users.already_present += 1
                        continue
                    try:
                        email = users.normalize_email(str(row.get("email") or ""))
                    except users.UserError:
                        raise ConversionError(BAD_EMAIL, f"{row.get('email')!r} is not a valid email") from None
                    if email in by_email:
                        owners[legacy_id] = by_email[email]
                        if not dry_run:
                            ledger.append(_ledger_item("USER", legacy_id, by_email[email]))
                        report.users.already_present += 1
                        continue
                    if dry_run:
                        existing = users.get_by_email(email)
                        by_email[email] = existing.id if existing else user_id_for(legacy_id)
                        owners[legacy_id] = existing.id if existing else user_id_for(legacy_id)
                        if existing:
                            report.users.already_present += 1
                        else:
                            report.users.imported += 1
                        continue
                    user, created = users.create(
                        email,
                        name=str(row.get("name") or ""),
                        picture=str(row.get("picture") or ""),
                        user_id=user_id_for(legacy_id),
                    )
                    if created and row.get("last_login"):
                        try:
                            last_login = timestamp_of(row.get("last_login"))
                        except ConversionError:
                            last_login = None
                        if last_login:
                            user = users.update(user, last_login_at=last_login)
                    owners[legacy_id] = by_email[email] = user.id
                    ledger.append(_ledger_item("USER", legacy_id, user.id))
                    if created:
                        report.users.imported += 1
                    else:
                        report.users.already_present += 1  # an account with this email exists
                except ConversionError as exc:
                    _fail(report, report.users, "users", row, exc.reason, exc.message)
                except (ConditionFailed, StoreError) as exc:
                    _fail(report, report.users, "users", row, WRITE_FAILED, f"could not be stored ({exc})")
            if ledger and not dry_run:
                _write_ledger(ledger)
                ledger = []
    finally:
        bar.close()
    return owners


def _import_games(
    connection: sqlite3.Connection,
    report: Report,
    done: dict[str, str],
    owners: dict[str, str],
    dry_run: bool,
    batch_size: int,
    start: Progress,
) -> None:
    from duelarena.dynamo.errors import StoreError
    from games import store

    seen: set[str] = set()
    failed_users = {f.legacy_id for f in report.failures if f.table == "users"}
    bar = start("games", _count(connection, "games"))
    try:
        for rows in _rows(connection, "games", batch_size):
            converted: list[tuple[dict[str, Any], ConvertedGame]] = []
            for row in rows:
                report.games.read += 1
                try:
                    legacy_id = legacy_key(row.get("id"))
                    if f"GAME#{legacy_id}" in done:
                        report.games.already_present += 1
                        continue
                    if legacy_id in seen:
                        raise ConversionError(BAD_ROW, f"legacy id {legacy_id} appears twice")
                    seen.add(legacy_id)
                    converted.append((row, convert_game(row, owners, failed_users)))
                except ConversionError as exc:
                    _fail(report, report.games, "games", row, exc.reason, exc.message)
            if converted and not dry_run:
                try:
                    store.put_imported([c.item for _, c in converted])
                    _write_ledger([_ledger_item("GAME", c.legacy_id, c.item["id"]) for _, c in converted])
                except StoreError as exc:
                    for row, _ in converted:
                        _fail(report, report.games, "games", row, WRITE_FAILED, f"batch not stored ({exc})")
                    converted = []
            for _, c in converted:
                report.games.imported += 1
                report.game_types[c.game_type] += 1
                report.anonymous_games += bool(c.item.get("legacy_anonymous"))
            bar.update(len(rows))
    finally:
        bar.close()


def _fail(report: Report, tally: Tally, table: str, row: dict[str, Any], reason: str, message: str) -> None:
    tally.failed += 1
    legacy_id = row.get("id")
    report.failures.append(Failure(table, "" if legacy_id is None else str(legacy_id), reason, message))
