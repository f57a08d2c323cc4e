"""Opaque, signed pagination cursors bound to the query that produced them.

A cursor wraps DynamoDB's LastEvaluatedKey. It is signed (clients cannot forge keys into other
partitions) and carries a fingerprint of the query (index, partition value, filters) so a cursor
from one list cannot be replayed against another.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core import signing

from duelarena.dynamo.errors import InvalidCursor

MAX_CURSOR_LENGTH = 2048
CURSOR_MAX_AGE_SECONDS = 7 * 24 * 3600


def query_fingerprint(query: dict[str, Any]) -> str:
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(last_evaluated_key: dict[str, Any] | None, query: dict[str, Any]) -> str | None:
    if not last_evaluated_key:
        return None
    payload = {"q": query_fingerprint(query), "k": last_evaluated_key}
    return signing.dumps(payload, salt=settings.CURSOR_SIGNING_SALT, compress=True)


def decode_cursor(cursor: str | None, query: dict[str, Any]) -> dict[str, Any] | None:
    if not cursor:
        return None
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor("cursor is too long")
    try:
        payload = signing.loads(cursor, salt=settings.CURSOR_SIGNING_SALT, max_age=CURSOR_MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise InvalidCursor("cursor has expired; start from the first page") from exc
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidCursor("cursor is not valid") from exc
    if not isinstance(payload, dict) or payload.get("q") != query_fingerprint(query):
        raise InvalidCursor("cursor belongs to a different query")
    key = payload.get("k")
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise InvalidCursor("cursor is not valid")
    return key
