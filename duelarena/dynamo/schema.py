"""The table definition, in one place. template.yaml declares the same keys and indexes (a test
compares them) and ``manage.py dynamodb create-table`` creates it locally.

Access patterns (every API and admin read is one GetItem or Query, never a Scan):

| pattern                                   | operation | key / index                                   |
|-------------------------------------------|-----------|-----------------------------------------------|
| a game with all its moves                 | Query     | pk = GAME#<id>                                 |
| a game's metadata only                    | GetItem   | pk = GAME#<id>, sk = META                      |
| a user's games, newest first              | Query     | gsi1: gsi1pk = OWNER#<user_id>, desc          |
| all users, newest first (admin)           | Query     | gsi1: gsi1pk = USERS, desc                    |
| public games, newest first                | Query     | gsi2: gsi2pk = FEED, desc                     |
| a user by email                           | Query     | gsi2: gsi2pk = EMAIL#<email>                  |
| public games of one type, newest first    | Query     | gsi3: gsi3pk = FEED#<game_type>, desc         |
| all games incl. hidden (admin)            | Query     | gsi4: gsi4pk = GAMES, desc (status: filter)   |
| a user by id                              | GetItem   | pk = USER#<id>, sk = PROFILE                   |
| one-off items (nonces, codes, counters)   | GetItem   | pk = <KIND>#<id>; expire through the TTL attr |

Sort keys of the list indexes are ``<created ISO-8601>#<id>`` so that Query with
ScanIndexForward=False is newest first and ties are stable.
"""

from __future__ import annotations

from typing import Any

TTL_ATTRIBUTE = "expires_at"

KEY_ATTRIBUTES = ("pk", "sk")
GSI_NAMES = ("gsi1", "gsi2", "gsi3", "gsi4")


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
                "Projection": {"ProjectionType": "ALL"},
            }
            for g in GSI_NAMES
        ],
    }
