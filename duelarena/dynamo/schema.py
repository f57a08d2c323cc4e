"""The table definition, in one place. template.yaml declares the same keys and indexes (a test
compares them) and ``manage.py dynamodb create-table`` creates it locally.

Access patterns (every API and admin read is one GetItem or Query, never a Scan):

| pattern                                   | operation | key / index                                   |
|-------------------------------------------|-----------|-----------------------------------------------|
| a game with all its moves                 | Query     | pk = GAME#<id>                                 |
| a game's metadata only                    | GetItem   | pk = GAME#<id>, sk = META                      |
| a user's games, newest first              | Query     | gsi1: gsi1pk = OWNER#<user_id>, desc (list    |
|                                           |           |   rows + flags: GAME_ADMIN_ATTRIBUTES)        |
| all users, newest first (admin)           | Query     | gsi6: gsi6pk = USERS, desc                    |
| public games, newest first                | Query     | gsi2: gsi2pk = FEED, desc (list rows only:    |
|                                           |           |   GAME_LIST_ATTRIBUTES)                       |
| a user by email                           | Query     | gsi7: gsi7pk = EMAIL#<email>                  |
| public games of one type, newest first    | Query     | gsi3: gsi3pk = FEED#<game_type>, desc (list   |
|                                           |           |   rows only: GAME_LIST_ATTRIBUTES)            |
| all games incl. hidden (admin)            | Query     | gsi4: gsi4pk = GAMES, desc (status, type,     |
|                                           |           |   flagged, hidden: FilterExpression; list     |
|                                           |           |   rows + flags: GAME_ADMIN_ATTRIBUTES)        |
| a user's games incl. hidden (admin)       | Query     | gsi1: gsi1pk = OWNER#<user_id>, desc (same    |
|                                           |           |   filters)                                    |
| one object's audit history (admin)        | Query     | pk = AUDIT#<kind>#<id>, desc                  |
| recent audit entries, all objects (admin) | Query     | gsi6: gsi6pk = AUDIT, desc                    |
| a user by id                              | GetItem   | pk = USER#<id>, sk = PROFILE                   |
| one-off items (nonces, codes, counters)   | GetItem   | pk = <KIND>#<id>; expire through the TTL attr |
| the leaderboard of one game type          | GetItem   | pk = LEADERBOARD#<type>, sk = CURRENT          |
| results of ended games of one type (1)    | Query     | pk = RESULTS#<type> (sk = GAME#<game id>)      |
| a tournament's schedule (2)               | GetItem   | pk = TOURNAMENT#<id>, sk = META                |
| legacy rows already imported (2)          | Query     | pk = IMPORT#<source>, sk begins_with GAME#/USER# |
| games whose AI turn is overdue (3)        | Query     | gsi5: gsi5pk = DUE#<shard>, gsi5sk <= <now>    |

(1) Read only when a leaderboard is recomputed (after a rated game finishes), never by a request that
only reads. (2) Management commands only (``tournament``, ``import_sqlite``). These use the base table's
own keys: no GSI attributes, so they cannot collide with any index partition. (3) The turn sweeper
(``games.tasks.sweep``): one Query per shard (``keys.DUE_SHARDS``), on a sparse index that holds only
live games with an AI seat to move, projecting just the keys and ``ply``.

The single-item entities (user, leaderboard, tournament, import ledger, audit entry) are read and
written through their dynamorm models (``duelarena.dynamo.models``), which name the GSIs above they
query; everything else, and every transaction, goes through ``duelarena.dynamo.items``.

Sort keys of the list indexes are ``<created ISO-8601>#<id>`` so that Query with
ScanIndexForward=False is newest first and ties are stable.

Game items write gsi1-gsi5 only; users and audit entries write gsi6/gsi7 only, so the game indexes
can carry list rows while the user and audit lookups still get whole items from one Query (the first
five indexes' partitions: gsi1 ``OWNER#<user_id>``, gsi2 ``FEED``, gsi3 ``FEED#<game_type>``, gsi4
``GAMES``, gsi5 ``DUE#<shard>``; gsi6 holds ``USERS`` and ``AUDIT``, gsi7 ``EMAIL#<email>``: their
partition values never collide). A FilterExpression is applied after ``Limit``, so a filtered page may be short (even
empty) while its cursor still goes on: the admin's filters trade fuller pages for one Query per page.
"""

from __future__ import annotations

from typing import Any

TTL_ATTRIBUTE = "expires_at"

KEY_ATTRIBUTES = ("pk", "sk")
GSI_NAMES = ("gsi1", "gsi2", "gsi3", "gsi4", "gsi5", "gsi6", "gsi7")
# What a game's list row needs (``games.selectors.game_summary``; ``games.store.game_from_list_item``
# reads it back). ``gsi5pk`` says whether a turn is due (it is constant while the game is in the due
# index, unlike ``due_at``, which moves at every claim and would rewrite the list indexes each time).
# Nothing here changes at every turn: a game's progress (ply, moves_count, updated_at, totals) is
# projected only as ``ended_*`` copies, written once by the write that ends the game
# (``games.store.ENDED_ATTRIBUTES``), so a turn rewrites no list entry; a live game's list row leaves
# them unknown (the game view has them).
GAME_LIST_ATTRIBUTES = (
    "id",
    "game_type",
    "white",
    "black",
    "white_user_id",
    "black_user_id",
    "owner_id",
    "status",
    "pause_reason",
    "result",
    "winner",
    "termination",
    "ended_ply",
    "ended_moves_count",
    "rated",
    "autoplay",
    "step_requested",
    "last_error",
    "turn_failures",
    "hidden",
    "created_at",
    "ended_at",
    "gsi5pk",
)
# The admin's game list adds these (its columns and its FilterExpressions: type, status, flagged, hidden).
GAME_ADMIN_ATTRIBUTES = (*GAME_LIST_ATTRIBUTES, "flagged", "ended_totals")

# What each index carries besides its keys. An index entry is rewritten whenever one of its projected
# attributes changes, so the game indexes (gsi1-gsi4) carry only their list rows, whose attributes
# change with a game's status, not with its turns: a turn that leaves the status as it was rewrites
# none of them, nor does the turn's claim (lease, due time). gsi1
# (a user's games) carries the admin's columns too: the admin's owner filter pages it with the same
# FilterExpressions as gsi4. Whole items come back only from gsi6/gsi7, which game items never write.
# INCLUDE lists are capped at 100 attributes summed over all indexes (``PROJECTED_ATTRIBUTES_CAP``).
GSI_PROJECTIONS: dict[str, dict[str, Any]] = {
    "gsi1": {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(GAME_ADMIN_ATTRIBUTES)},
    "gsi2": {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(GAME_LIST_ATTRIBUTES)},
    "gsi3": {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(GAME_LIST_ATTRIBUTES)},
    "gsi4": {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(GAME_ADMIN_ATTRIBUTES)},
    "gsi5": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["ply"]},
    "gsi6": {"ProjectionType": "ALL"},
    "gsi7": {"ProjectionType": "ALL"},
}
PROJECTED_ATTRIBUTES_CAP = 100


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments (on-demand billing). The TTL attribute is set separately."""
    attributes = ["pk", "sk"] + [f"{g}{part}" for g in GSI_NAMES for part in ("pk", "sk")]
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attributes],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": g,
                "KeySchema": [
                    {"AttributeName": f"{g}pk", "KeyType": "HASH"},
                    {"AttributeName": f"{g}sk", "KeyType": "RANGE"},
                ],
                "Projection": GSI_PROJECTIONS[g],
            }
            for g in GSI_NAMES
        ],
    }
