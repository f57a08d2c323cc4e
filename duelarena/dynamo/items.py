"""Item operations over the shared low-level client (services call these or the dynamorm models in
``duelarena.dynamo.models``, never boto3; the models reach the same client through ``ClientTable``).

Values go in and come out as plain Python (``duelarena.dynamo.attributes``, boto3's rules): numbers are
integers only (tokens, micro-dollars, versions) - floats are refused - and come back as int, not Decimal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from duelarena.dynamo import connection
from duelarena.dynamo.attributes import from_attribute, to_attribute
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


def serialize(values: dict[str, Any]) -> dict[str, Any]:
    """An item (or key, or expression values) in DynamoDB's attribute-value format."""
    return {k: to_attribute(v) for k, v in values.items()}


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as plain Python (``duelarena.dynamo.attributes``: numbers as int, binary as bytes)."""
    return {k: from_attribute(v) for k, v in item.items()}


class _translate_errors:
    """Map botocore failures onto the adapter's exceptions."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> Literal[False]:
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


def get(pk: str, sk: str, *, consistent: bool = True, attributes: Sequence[str] | None = None) -> dict[str, Any] | None:
    """One GetItem. ``attributes``: return only these (a projection; DynamoDB still charges for the
    whole item: 0.5 read unit per 4 KB eventually consistent, 1 strongly consistent)."""
    kwargs: dict[str, Any] = {
        "TableName": connection.table_name(),
        "Key": serialize({"pk": pk, "sk": sk}),
        "ConsistentRead": consistent,
    }
    if attributes:
        names = {f"#a{i}": name for i, name in enumerate(attributes)}
        kwargs["ProjectionExpression"] = ", ".join(names)
        kwargs["ExpressionAttributeNames"] = names
    with _translate_errors():
        response = connection.client().get_item(**kwargs)
    item = response.get("Item")
    return deserialize(item) if item else None


def put(item: dict[str, Any], *, must_not_exist: bool = False) -> None:
    kwargs: dict[str, Any] = {"TableName": connection.table_name(), "Item": serialize(item)}
    if must_not_exist:
        kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
    with _translate_errors():
        connection.client().put_item(**kwargs)


def delete(pk: str, sk: str, *, must_exist: bool = False) -> None:
    kwargs: dict[str, Any] = {"TableName": connection.table_name(), "Key": serialize({"pk": pk, "sk": sk})}
    if must_exist:
        kwargs["ConditionExpression"] = "attribute_exists(pk)"
    with _translate_errors():
        connection.client().delete_item(**kwargs)


def take(pk: str, sk: str) -> dict[str, Any] | None:
    """Delete an item and return what it held, in one call: of racing takers exactly one gets the
    item (one-time codes, OAuth state nonces); the others get None.

    The condition is what makes it exclusive: an unconditional DeleteItem with ``ALL_OLD`` hands the
    old item to several concurrent deleters (seen on DynamoDB Local); ``attribute_exists(pk)`` lets
    exactly one delete succeed and fails the rest."""
    try:
        with _translate_errors():
            response = connection.client().delete_item(
                TableName=connection.table_name(),
                Key=serialize({"pk": pk, "sk": sk}),
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_OLD",
            )
    except ConditionFailed:
        return None
    old = response.get("Attributes")
    return deserialize(old) if old else None


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def page_fingerprint(
    partition: str,
    *,
    index: str | None = None,
    sk_prefix: str | None = None,
    sk_between: tuple[str, str] | None = None,
    filters: dict[str, Any] | None = None,
    newest_first: bool = False,
) -> dict[str, Any]:
    """What a page's cursor is bound to (``cursors``): the same for ``query`` and a model's pages."""
    fingerprint: dict[str, Any] = {"i": index, "p": partition, "s": sk_prefix, "f": filters or {}, "n": newest_first}
    if sk_between:
        fingerprint["b"] = list(sk_between)
    return fingerprint


def query(
    partition: str,
    *,
    index: str | None = None,
    sk_prefix: str | None = None,
    sk_between: tuple[str, str] | None = None,
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
    pk_name, sk_name = (f"{index}pk", f"{index}sk") if index else ("pk", "sk")
    names = {"#pk": pk_name}
    values: dict[str, Any] = {":pk": partition}
    condition = "#pk = :pk"
    if sk_prefix:
        names["#sk"] = sk_name
        values[":sk"] = sk_prefix
        condition += " AND begins_with(#sk, :sk)"
    elif sk_between:
        names["#sk"] = sk_name
        values[":lo"], values[":hi"] = sk_between
        condition += " AND #sk BETWEEN :lo AND :hi"
    fingerprint = page_fingerprint(
        partition, index=index, sk_prefix=sk_prefix, sk_between=sk_between, filters=filters, newest_first=newest_first
    )
    kwargs: dict[str, Any] = {
        "TableName": connection.table_name(),
        "KeyConditionExpression": condition,
        "ScanIndexForward": not newest_first,
    }
    if filters:
        terms = []
        for i, (name, value) in enumerate(sorted(filters.items())):
            names[f"#f{i}"] = name
            values[f":f{i}"] = value
            terms.append(f"#f{i} = :f{i}")
        kwargs["FilterExpression"] = " AND ".join(terms)
    kwargs["ExpressionAttributeNames"] = names
    kwargs["ExpressionAttributeValues"] = serialize(values)
    if index:
        kwargs["IndexName"] = index
    elif consistent:
        kwargs["ConsistentRead"] = True
    if limit:
        kwargs["Limit"] = max(1, min(limit, MAX_PAGE_SIZE))
    start = decode_cursor(cursor, fingerprint)
    if start:
        kwargs["ExclusiveStartKey"] = serialize(start)
    with _translate_errors():
        response = connection.client().query(**kwargs)
    last = response.get("LastEvaluatedKey")
    return Page(
        items=[deserialize(i) for i in response.get("Items", [])],
        next_cursor=encode_cursor(deserialize(last) if last else None, fingerprint),
    )


def query_between(partition: str, first_sk: str, last_sk: str) -> list[dict[str, Any]]:
    """One consistent Query on the table: the items of ``partition`` whose sort key lies between the two
    (inclusive), e.g. a game's HISTORY and META items."""
    with _translate_errors():
        response = connection.client().query(
            TableName=connection.table_name(),
            KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
            ExpressionAttributeValues=serialize({":pk": partition, ":first": first_sk, ":last": last_sk}),
            ConsistentRead=True,
        )
    return [deserialize(i) for i in response.get("Items", [])]


def query_range(partition: str, *, index: str, sk_at_most: str, limit: int = 100) -> list[dict[str, Any]]:
    """One Query on a GSI: the items of ``partition`` whose sort key is at most ``sk_at_most``, in
    sort order, at most ``limit`` (the due-turn sweep: the oldest first; the rest next time)."""
    with _translate_errors():
        response = connection.client().query(
            TableName=connection.table_name(),
            IndexName=index,
            KeyConditionExpression="#pk = :pk AND #sk <= :sk",
            ExpressionAttributeNames={"#pk": f"{index}pk", "#sk": f"{index}sk"},
            ExpressionAttributeValues=serialize({":pk": partition, ":sk": sk_at_most}),
            Limit=max(1, min(limit, MAX_PAGE_SIZE)),
        )
    return [deserialize(i) for i in response.get("Items", [])]


def query_all(partition: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a partition (e.g. a game with its moves): one Query unless it exceeds 1 MB."""
    items: list[dict[str, Any]] = []
    page = query(partition, consistent=True, **kwargs)
    items.extend(page.items)
    while page.next_cursor:
        page = query(partition, consistent=True, cursor=page.next_cursor, **kwargs)
        items.extend(page.items)
    return items


def scan(*, kinds: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Every item of the table whose ``kind`` is one of ``kinds``, a page at a time. A Scan reads (and
    is charged for) the whole table: for maintenance commands, never on a request's path."""
    names = {"#kind": "kind"}
    values = {f":k{i}": kind for i, kind in enumerate(kinds)}
    kwargs: dict[str, Any] = {
        "TableName": connection.table_name(),
        "FilterExpression": f"#kind IN ({', '.join(values)})",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": serialize(values),
    }
    while True:
        with _translate_errors():
            response = connection.client().scan(**kwargs)
        yield from (deserialize(i) for i in response.get("Items", []))
        if not response.get("LastEvaluatedKey"):
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def transact_write(operations: list[dict[str, Any]], *, token: str | None = None) -> None:
    """TransactWriteItems with plain Python values.

    ``operations`` are dicts like ``{"Put": {"Item": {...}, "ConditionExpression": ...}}`` without
    TableName; values are serialized here. ``token`` makes a retried call idempotent for 10 minutes.
    """
    request = []
    for op in operations:
        ((kind, body),) = op.items()
        body = dict(body, TableName=connection.table_name())
        for field in ("Item", "Key", "ExpressionAttributeValues"):
            if field in body:
                body[field] = serialize(body[field])
        request.append({kind: body})
    kwargs: dict[str, Any] = {"TransactItems": request}
    if token:
        kwargs["ClientRequestToken"] = token
    with _translate_errors():
        connection.client().transact_write_items(**kwargs)


def update_operation(
    pk: str,
    sk: str,
    *,
    set_values: dict[str, Any] | None = None,
    add_values: dict[str, int] | None = None,
    remove: list[str] | None = None,
    expected_version: int | None = None,
    expected_values: dict[str, Any] | None = None,
    condition: str | None = None,
    condition_values: dict[str, Any] | None = None,
    condition_names: dict[str, str] | None = None,
    must_exist: bool = True,
) -> dict[str, Any]:
    """An UpdateItem as plain data: run it with ``update`` or put it in ``transact_write`` as
    ``{"Update": ...}``. ``expected_version``: optimistic versioning (``version`` must equal it and is
    incremented). ``expected_values``: attributes that must still hold these values (None: absent)."""
    names: dict[str, str] = dict(condition_names or {})
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
    for i, (name, was) in enumerate((expected_values or {}).items()):
        names[f"#e{i}"] = name
        if was is None:
            conditions.append(f"attribute_not_exists(#e{i})")
        else:
            values[f":e{i}"] = was
            conditions.append(f"#e{i} = :e{i}")
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
    operation: dict[str, Any] = {"Key": {"pk": pk, "sk": sk}, "UpdateExpression": " ".join(expression)}
    if names:
        operation["ExpressionAttributeNames"] = names
    if values:
        operation["ExpressionAttributeValues"] = values
    if conditions:
        operation["ConditionExpression"] = " AND ".join(conditions)
    return operation


def update(pk: str, sk: str, **kwargs: Any) -> dict[str, Any]:
    """Run an ``update_operation`` (same arguments) as one UpdateItem. Returns the new item."""
    operation = update_operation(pk, sk, **kwargs)
    operation["Key"] = serialize(operation["Key"])
    if "ExpressionAttributeValues" in operation:
        operation["ExpressionAttributeValues"] = serialize(operation["ExpressionAttributeValues"])
    with _translate_errors():
        response = connection.client().update_item(
            TableName=connection.table_name(), ReturnValues="ALL_NEW", **operation
        )
    return deserialize(response["Attributes"])


def batch_put(items_to_write: list[dict[str, Any]]) -> None:
    """BatchWriteItem in chunks of 25, retrying unprocessed items with backoff."""
    _batch_write([{"PutRequest": {"Item": serialize(i)}} for i in items_to_write])


def _batch_write(requests: list[dict[str, Any]], attempts: int = 8) -> None:
    import time

    for start in range(0, len(requests), 25):
        pending = requests[start : start + 25]
        for attempt in range(attempts):
            with _translate_errors():
                response = connection.client().batch_write_item(RequestItems={connection.table_name(): pending})
            pending = response.get("UnprocessedItems", {}).get(connection.table_name(), [])
            if not pending:
                break
            time.sleep(min(2.0, 0.05 * 2**attempt))
        else:
            raise StoreUnavailable(f"{len(pending)} items stayed unprocessed after {attempts} attempts")


def delete_partition(pk: str) -> int:
    """Delete every item under a partition key (e.g. a game and all its moves). Returns the count."""
    keys = [{"pk": i["pk"], "sk": i["sk"]} for i in query_all(pk)]
    _batch_write([{"DeleteRequest": {"Key": serialize(k)}} for k in keys])
    return len(keys)
