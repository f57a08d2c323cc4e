"""The DynamoDB adapter: items, versioning, transactions, cursors, call counting.

Each behaviour runs twice: on moto (fast) and on DynamoDB Local (validates like the service).
"""

from __future__ import annotations

import pytest
from boto3.dynamodb.conditions import Key  # noqa: F401 - keeps boto3 import errors obvious

from duelarena.dynamo import connection, cursors, items, keys, tables
from duelarena.dynamo.errors import ConditionFailed, InvalidCursor


@pytest.fixture(params=["moto", pytest.param("local", marks=pytest.mark.integration)])
def store(request):
    return request.getfixturevalue("dynamo" if request.param == "moto" else "ddb_local")


def _game(n: int) -> dict:
    gid = f"{n:032x}"
    created = f"2026-01-01T00:00:{n:02d}.000000+00:00"
    return {
        "pk": keys.game_pk(gid),
        "sk": keys.GAME_META_SK,
        "gsi2pk": "FEED",
        "gsi2sk": keys.timeline_key(created, gid),
        "version": 0,
        "ended_ply": n,  # projected into gsi2 (a list-row attribute)
    }


def test_put_get_roundtrip_keeps_integers(store):
    items.put({"pk": "X#1", "sk": "A", "tokens": 12345678901, "nested": {"cost": [1, 2]}})
    got = items.get("X#1", "A")
    assert got == {"pk": "X#1", "sk": "A", "tokens": 12345678901, "nested": {"cost": [1, 2]}}
    assert type(got["tokens"]) is int


def test_put_must_not_exist_refuses_overwrite(store):
    items.put({"pk": "X#1", "sk": "A", "v": 1}, must_not_exist=True)
    with pytest.raises(ConditionFailed):
        items.put({"pk": "X#1", "sk": "A", "v": 2}, must_not_exist=True)
    assert items.get("X#1", "A")["v"] == 1


def test_versioned_update_rejects_stale_version(store):
    items.put({"pk": "X#1", "sk": "A", "version": 0, "state": "a"})
    new = items.update("X#1", "A", set_values={"state": "b"}, expected_version=0)
    assert new["version"] == 1 and new["state"] == "b"
    with pytest.raises(ConditionFailed):
        items.update("X#1", "A", set_values={"state": "c"}, expected_version=0)
    assert items.get("X#1", "A")["state"] == "b"


def test_update_of_missing_item_fails(store):
    with pytest.raises(ConditionFailed):
        items.update("X#404", "A", set_values={"state": "b"})
    assert items.get("X#404", "A") is None


def test_transaction_is_all_or_nothing(store):
    items.put({"pk": "G#1", "sk": "META", "version": 3})
    ops = [
        {"Put": {"Item": {"pk": "G#1", "sk": "MOVE#00001"}, "ConditionExpression": "attribute_not_exists(pk)"}},
        {
            "Update": {
                "Key": {"pk": "G#1", "sk": "META"},
                "UpdateExpression": "SET version = :new",
                "ConditionExpression": "version = :old",
                "ExpressionAttributeValues": {":new": 4, ":old": 2},  # stale
            }
        },
    ]
    with pytest.raises(ConditionFailed) as info:
        items.transact_write(ops)
    assert "ConditionalCheckFailed" in info.value.reasons
    assert items.get("G#1", "MOVE#00001") is None
    ops[1]["Update"]["ExpressionAttributeValues"][":old"] = 3
    items.transact_write(ops)
    assert items.get("G#1", "META")["version"] == 4
    assert items.get("G#1", "MOVE#00001") is not None


def test_query_pages_newest_first_with_cursor(store):
    for n in range(7):
        items.put(_game(n))
    first = items.query("FEED", index="gsi2", newest_first=True, limit=3)
    assert [i["ended_ply"] for i in first.items] == [6, 5, 4]
    second = items.query("FEED", index="gsi2", newest_first=True, limit=3, cursor=first.next_cursor)
    assert [i["ended_ply"] for i in second.items] == [3, 2, 1]
    third = items.query("FEED", index="gsi2", newest_first=True, limit=3, cursor=second.next_cursor)
    assert [i["ended_ply"] for i in third.items] == [0]


def test_cursor_is_bound_to_its_query(store):
    for n in range(3):
        items.put(_game(n))
    page = items.query("FEED", index="gsi2", newest_first=True, limit=1)
    assert page.next_cursor
    with pytest.raises(InvalidCursor):
        items.query("OWNER#someone", index="gsi1", newest_first=True, limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidCursor):
        items.query("FEED", index="gsi2", newest_first=True, limit=1, cursor=page.next_cursor[:-2] + "xx")


def test_delete_partition_removes_every_item(store):
    items.put({"pk": "G#9", "sk": "META"})
    for ply in range(1, 6):
        items.put({"pk": "G#9", "sk": keys.move_sk(ply)})
    items.put({"pk": "G#10", "sk": "META"})
    assert items.delete_partition("G#9") == 6
    assert items.query_all("G#9") == []
    assert items.get("G#10", "META") is not None


def test_calls_are_counted(store):
    counter = connection.start_counting()
    items.get("X#1", "A")
    items.put({"pk": "X#1", "sk": "A"})
    items.query("X#1")
    assert counter.calls == 3 == connection.call_count()


def test_create_table_is_idempotent_and_matches_definition(store, settings):
    assert tables.create_table() is False
    described = tables.describe()
    assert described["differences"] == []
    assert described["indexes"] == ["gsi1", "gsi2", "gsi3", "gsi4", "gsi5", "gsi6", "gsi7"]
    assert described["keys"] == {"HASH": "pk", "RANGE": "sk"}
    assert described["ttl"] == "expires_at"
    assert described["billing"] == "PAY_PER_REQUEST"


def test_tampered_cursor_never_reaches_dynamodb():
    with pytest.raises(InvalidCursor):
        cursors.decode_cursor("not-a-cursor", {"a": 1})
    with pytest.raises(InvalidCursor):
        cursors.decode_cursor("x" * 5000, {"a": 1})


@pytest.mark.integration
def test_dynamodb_local_enforces_what_moto_accepts(dynamo, ddb_local_endpoint, settings):
    """Proof that integration tests talk to DynamoDB Local: a GSI key of the wrong type is rejected
    by DynamoDB (and DynamoDB Local) but accepted by moto."""
    from botocore.exceptions import ClientError

    wrong_type = {"pk": "X#1", "sk": "A", "gsi1pk": 7, "gsi1sk": "s"}
    items.put(wrong_type)  # moto: accepted
    settings.DYNAMODB_ENDPOINT_URL = ddb_local_endpoint
    connection.reset()
    tables.create_table()
    try:
        with pytest.raises(ClientError, match="ValidationException"):
            items.put(wrong_type)
    finally:
        tables.delete_table(settings.DYNAMODB_TABLE)
        connection.reset()
