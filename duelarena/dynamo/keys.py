"""Key builders: the only place that knows how item keys are spelled."""

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


def game_pk(game_id: str) -> str:
    return f"GAME#{game_id}"


GAME_META_SK = "META"
# A chess game's move list in SAN (appended by every turn, read with the game for a model's prompt):
# sorts just before META, so one Query from HISTORY to META reads both.
GAME_HISTORY_SK = "HISTORY"


def move_sk(ply: int) -> str:
    # Zero-padded so that moves sort by ply after META ("MOVE#..." > "META").
    return f"MOVE#{ply:05d}"


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
