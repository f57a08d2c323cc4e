"""Key builders: how every item key and index key value of the one table is spelled.

Every ``pk``/``sk`` and ``gsi<n>pk``/``gsi<n>sk`` value prefix is written here and nowhere else; modules
that store items build their keys with these functions (the access-pattern table is in ``schema.py``).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

_ID = re.compile(r"^[0-9a-f]{32}$")


def new_id() -> str:
    return uuid.uuid4().hex


def is_id(value: str) -> bool:
    return bool(_ID.match(value or ""))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def timeline_key(created_at: str, item_id: str) -> str:
    """Sort key for newest-first lists: ISO time sorts lexically; the id breaks ties."""
    return f"{created_at}#{item_id}"


_GAME = "GAME#"


def game_pk(game_id: str) -> str:
    return f"{_GAME}{game_id}"


def game_id_of(pk: str) -> str:
    """The game id in a game's partition key (``game_pk``'s inverse)."""
    return pk.removeprefix(_GAME)


GAME_META_SK = "META"
# A chess game's move list in SAN (appended by every turn, read with the game for a model's prompt):
# sorts just before META, so one Query from HISTORY to META reads both.
GAME_HISTORY_SK = "HISTORY"
MOVE_SK_PREFIX = "MOVE#"
# The game feeds' partition keys: gsi2 every public game, gsi3 the public games of one type, gsi4 every
# game (admin and maintenance).
FEED = "FEED"
ALL_GAMES = "GAMES"


def type_feed(game_type: str) -> str:
    return f"{FEED}#{game_type}"


def move_sk(ply: int) -> str:
    # Zero-padded so that moves sort by ply after META ("MOVE#..." > "META").
    return f"{MOVE_SK_PREFIX}{ply:05d}"


# A finished game's move analysis, every ply's in one item (``games.store.record_analysis``). It sorts
# after every ``move_sk`` ("~" > any digit), so the Queries that read a game's moves (the whole
# partition, or ``MOVE#<ply>`` up to this key) read it in the same call.
MOVES_ANALYSIS_SK = f"{MOVE_SK_PREFIX}~analysis"


def is_move_sk(sk: str) -> bool:
    """Whether ``sk`` is one move's sort key (not the moves' analysis item)."""
    return sk.startswith(MOVE_SK_PREFIX) and sk != MOVES_ANALYSIS_SK


# The leaderboard: one result item per ended game under its type, one board item per type.
def results_pk(game_type: str) -> str:
    return f"RESULTS#{game_type}"


def result_sk(game_id: str) -> str:
    return game_pk(game_id)


def leaderboard_pk(game_type: str) -> str:
    return f"LEADERBOARD#{game_type}"


LEADERBOARD_SK = "CURRENT"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


USER_PROFILE_SK = "PROFILE"


def owner_feed(user_id: str) -> str:
    return f"OWNER#{user_id}"


def email_key(email: str) -> str:
    return f"EMAIL#{email.strip().lower()}"


# The due-turn index (gsi5): games whose next turn an AI seat plays, sharded so that no single index
# partition takes every turn's write. The sort key is the epoch second after which the sweeper should
# look at the game again (zero-padded, so a key condition ``<= now`` finds the overdue ones).
DUE_SHARDS = 4


def due_partition(game_id: str) -> str:
    return f"DUE#{int(game_id[:8], 16) % DUE_SHARDS}"


def due_partitions() -> list[str]:
    return [f"DUE#{shard}" for shard in range(DUE_SHARDS)]


def due_sort_key(due_at: int, game_id: str) -> str:
    return f"{due_at:010d}#{game_id}"


# Counters (spend per user and day, model calls per user and minute, sign-in throttling) share one sk.
COUNTER_SK = "COUNTER"


def spend_pk(user_id: str, day: str) -> str:
    return f"SPEND#{user_id}#{day}"


def rate_pk(user_id: str, minute: int) -> str:
    return f"RATE#{user_id}#{minute}"


def throttle_pk(scope: str, digest: str) -> str:
    return f"THROTTLE#{scope}#{digest}"


# Refresh-token families and their tokens; one-time login codes.
REFRESH_FAMILY_SK = "FAMILY"
LOGIN_CODE_SK = "CODE"


def refresh_family_pk(family: str) -> str:
    return f"REFRESH#{family}"


def refresh_token_sk(token_id: str) -> str:
    return f"TOKEN#{token_id}"


def login_code_pk(code_digest: str) -> str:
    return f"LOGINCODE#{code_digest}"


# social-auth storage: associations and one-time OAuth nonces.
SOCIAL_SK = "ASSOC"
NONCE_SK = "NONCE"


def social_pk(provider: str, uid: str) -> str:
    return f"SOCIAL#{provider}#{uid}"


def nonce_pk(server_url: str, salt: str) -> str:
    return f"NONCE#{server_url}#{salt}"
