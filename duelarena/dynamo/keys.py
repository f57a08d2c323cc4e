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
