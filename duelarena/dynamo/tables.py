"""Creating and describing the table (management command, tests, readiness check)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from duelarena.dynamo import connection
from duelarena.dynamo.items import _translate_errors
from duelarena.dynamo.schema import TTL_ATTRIBUTE, table_definition


def create_table(table_name: str | None = None) -> bool:
    """Create the table if it is missing and wait until it is active. Returns True if created.

    Idempotent. An existing table gains the indexes of the code's definition that it lacks (a local
    table made by an earlier version: DynamoDB adds one index per UpdateTable call and backfills it);
    any other mismatch is reported by ``describe``/``differences``, not silently "fixed".
    """
    client = connection.client()
    name = table_name or settings.DYNAMODB_TABLE
    created = False
    try:
        client.create_table(**table_definition(name))
        created = True
    except client.exceptions.ResourceInUseException:
        pass
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    if not created:
        _add_missing_indexes(client, name)
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") in (None, "DISABLED"):
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )
    return created


def _add_missing_indexes(client: Any, name: str) -> None:
    import time

    want = table_definition(name)
    attributes = {a["AttributeName"]: a for a in want["AttributeDefinitions"]}
    for index in want["GlobalSecondaryIndexes"]:
        table = client.describe_table(TableName=name)["Table"]
        if index["IndexName"] in {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}:
            continue
        used = [attributes[k["AttributeName"]] for k in index["KeySchema"]]
        client.update_table(
            TableName=name,
            AttributeDefinitions=used,
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        for _ in range(120):  # one index at a time: wait until it is usable
            table = client.describe_table(TableName=name)["Table"]
            states = {i["IndexName"]: i.get("IndexStatus") for i in table.get("GlobalSecondaryIndexes", [])}
            if states.get(index["IndexName"]) == "ACTIVE":
                break
            time.sleep(0.5)


def delete_table(table_name: str) -> None:
    client = connection.client()
    try:
        client.delete_table(TableName=table_name)
    except client.exceptions.ResourceNotFoundException:
        pass


def describe(table_name: str | None = None) -> dict[str, Any]:
    name = table_name or settings.DYNAMODB_TABLE
    client = connection.client()
    with _translate_errors():
        table = client.describe_table(TableName=name)["Table"]
        ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    return {
        "name": table["TableName"],
        "status": table["TableStatus"],
        "items": table.get("ItemCount", 0),
        "bytes": table.get("TableSizeBytes", 0),
        "billing": table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
        "keys": {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]},
        "indexes": sorted(i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])),
        "ttl": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else None,
        "differences": differences(table),
    }


def differences(described: dict[str, Any]) -> list[str]:
    """What differs between a described table and the code's definition (empty when equal)."""
    want = table_definition(described["TableName"])
    problems = []
    if described["KeySchema"] != want["KeySchema"]:
        problems.append("key schema differs")
    have_gsi = {i["IndexName"]: i["KeySchema"] for i in described.get("GlobalSecondaryIndexes", [])}
    want_gsi = {i["IndexName"]: i["KeySchema"] for i in want["GlobalSecondaryIndexes"]}
    for name in sorted(set(want_gsi) | set(have_gsi)):
        if name not in have_gsi:
            problems.append(f"index {name} is missing")
        elif name not in want_gsi:
            problems.append(f"index {name} is not in the code's definition")
        elif have_gsi[name] != want_gsi[name]:
            problems.append(f"index {name} has different keys")
    return problems


def is_ready() -> bool:
    """True when DynamoDB answers and the table is ACTIVE (one DescribeTable call)."""
    from duelarena.dynamo.errors import StoreError

    try:
        with _translate_errors():
            status = connection.client().describe_table(TableName=settings.DYNAMODB_TABLE)["Table"]["TableStatus"]
    except StoreError:
        return False
    return status == "ACTIVE"
