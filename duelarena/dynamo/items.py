"""Item operations: the only module that calls boto3 for data (services call these, never boto3).

Numbers come back from boto3 as Decimal; we only store integers (tokens, micro-dollars, versions), so
``plain`` turns them back into int. Floats are refused on the way in by boto3 itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from duelarena.dynamo import connection
from duelarena.dynamo.cursors import decode_cursor, encode_cursor
from duelarena.dynamo.errors import ConditionFailed, StoreUnavailable

MAX_PAGE_SIZE = 100

_UNAVAILABLE = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "ResourceNotFoundException",
}


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, set):
        return {plain(v) for v in value}
    return value


class _translate_errors:
    """Map botocore failures onto the adapter's exceptions."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None:
            return False
        from botocore.exceptions import ClientError, ConnectionError, ConnectTimeoutError, ReadTimeoutError

        if isinstance(exc, ClientError):
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise ConditionFailed("the item changed or already exists") from exc
            if code == "TransactionCanceledException":
                reasons = [r.get("Code", "None") for r in exc.response.get("CancellationReasons", [])]
                if "ConditionalCheckFailed" in reasons or "TransactionConflict" in reasons:
                    raise ConditionFailed("a conditional write in the transaction failed", reasons) from exc
            if code in _UNAVAILABLE:
                raise StoreUnavailable(code) from exc
        if isinstance(exc, ConnectionError | ConnectTimeoutError | ReadTimeoutError):
            raise StoreUnavailable(type(exc).__name__) from exc
        return False


def get(pk: str, sk: str, *, consistent: bool = True) -> dict[str, Any] | None:
    with _translate_errors():
        response = connection.table().get_item(Key={"pk": pk, "sk": sk}, ConsistentRead=consistent)
    item = response.get("Item")
    return plain(item) if item else None


def put(item: dict[str, Any], *, must_not_exist: bool = False) -> None:
    kwargs: dict[str, Any] = {"Item": item}
    if must_not_exist:
        kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
    with _translate_errors():
        connection.table().put_item(**kwargs)


def delete(pk: str, sk: str) -> None:
    with _translate_errors():
        connection.table().delete_item(Key={"pk": pk, "sk": sk})


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def query(
    partition: str,
    *,
    index: str | None = None,
    sk_prefix: str | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    cursor: str | None = None,
    filters: dict[str, Any] | None = None,
    consistent: bool = False,
) -> Page:
    """One Query on the table or a GSI, one page at a time.

    ``filters`` are equality FilterExpressions (DynamoDB applies them after Limit, so a filtered page
    may hold fewer items than asked; the cursor still continues where the read stopped).
    """
    from boto3.dynamodb.conditions import Attr, Key

    pk_name, sk_name = (f"{index}pk", f"{index}sk") if index else ("pk", "sk")
    condition = Key(pk_name).eq(partition)
    if sk_prefix:
        condition = condition & Key(sk_name).begins_with(sk_prefix)
    fingerprint = {"i": index, "p": partition, "s": sk_prefix, "f": filters or {}, "n": newest_first}
    kwargs: dict[str, Any] = {"KeyConditionExpression": condition, "ScanIndexForward": not newest_first}
    if index:
        kwargs["IndexName"] = index
    elif consistent:
        kwargs["ConsistentRead"] = True
    if limit:
        kwargs["Limit"] = max(1, min(limit, MAX_PAGE_SIZE))
    start = decode_cursor(cursor, fingerprint)
    if start:
        kwargs["ExclusiveStartKey"] = start
    if filters:
        expression = None
        for name, value in filters.items():
            term = Attr(name).eq(value)
            expression = term if expression is None else expression & term
        kwargs["FilterExpression"] = expression
    with _translate_errors():
        response = connection.table().query(**kwargs)
    return Page(
        items=[plain(i) for i in response.get("Items", [])],
        next_cursor=encode_cursor(response.get("LastEvaluatedKey"), fingerprint),
    )


def query_all(partition: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a partition (e.g. a game with its moves): one Query unless it exceeds 1 MB."""
    items: list[dict[str, Any]] = []
    page = query(partition, consistent=True, **kwargs)
    items.extend(page.items)
    while page.next_cursor:
        page = query(partition, consistent=True, cursor=page.next_cursor, **kwargs)
        items.extend(page.items)
    return items


def transact_write(operations: list[dict[str, Any]], *, token: str | None = None) -> None:
    """TransactWriteItems with plain Python values.

    ``operations`` are dicts like ``{"Put": {"Item": {...}, "ConditionExpression": ...}}`` without
    TableName. The resource's client serializes values itself (boto3 registers its transformer on
    it). ``token`` makes a retried call idempotent for 10 minutes.
    """
    table_name = connection.table().name
    request = []
    for op in operations:
        ((kind, body),) = op.items()
        request.append({kind: dict(body, TableName=table_name)})
    kwargs: dict[str, Any] = {"TransactItems": request}
    if token:
        kwargs["ClientRequestToken"] = token
    with _translate_errors():
        connection.client().transact_write_items(**kwargs)


def update(
    pk: str,
    sk: str,
    *,
    set_values: dict[str, Any] | None = None,
    add_values: dict[str, int] | None = None,
    remove: list[str] | None = None,
    expected_version: int | None = None,
    condition: str | None = None,
    condition_values: dict[str, Any] | None = None,
    must_exist: bool = True,
) -> dict[str, Any]:
    """UpdateItem with optional optimistic versioning (``version`` must equal expected_version, and
    is incremented). Returns the new item."""
    names: dict[str, str] = {}
    values: dict[str, Any] = dict(condition_values or {})
    sets, adds = [], []
    for i, (name, value) in enumerate((set_values or {}).items()):
        names[f"#s{i}"] = name
        values[f":s{i}"] = value
        sets.append(f"#s{i} = :s{i}")
    for i, (name, value) in enumerate((add_values or {}).items()):
        names[f"#a{i}"] = name
        values[f":a{i}"] = value
        adds.append(f"#a{i} :a{i}")
    conditions = []
    if must_exist:
        conditions.append("attribute_exists(pk)")
    if expected_version is not None:
        names["#version"] = "version"
        values[":expected_version"] = expected_version
        values[":one"] = 1
        adds.append("#version :one")
        conditions.append("#version = :expected_version")
    if condition:
        conditions.append(f"({condition})")
    expression = []
    if sets:
        expression.append("SET " + ", ".join(sets))
    if adds:
        expression.append("ADD " + ", ".join(adds))
    if remove:
        for i, name in enumerate(remove):
            names[f"#r{i}"] = name
        expression.append("REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove))))
    kwargs: dict[str, Any] = {
        "Key": {"pk": pk, "sk": sk},
        "UpdateExpression": " ".join(expression),
        "ReturnValues": "ALL_NEW",
    }
    if names:
        kwargs["ExpressionAttributeNames"] = names
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if conditions:
        kwargs["ConditionExpression"] = " AND ".join(conditions)
    with _translate_errors():
        response = connection.table().update_item(**kwargs)
    return plain(response["Attributes"])


def delete_partition(pk: str) -> int:
    """Delete every item under a partition key (e.g. a game and all its moves). Returns the count."""
    keys = [{"pk": i["pk"], "sk": i["sk"]} for i in query_all(pk)]
    with _translate_errors(), connection.table().batch_writer() as batch:
        for key in keys:
            batch.delete_item(Key=key)
    return len(keys)
