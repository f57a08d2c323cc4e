"""dynamorm models of the single-item entities, all on the one shared table.

Where they live: here, in the adapter, one module for all five. An entity's item shape is storage, and
keeping every dynamorm (and schematics) import inside ``duelarena/dynamo`` is what lets the mapper be
swapped without touching the apps (both libraries are unmaintained since 2020-21). The modules that own
the entities use these models for every read and write that needs no transaction:

| model              | items                                         | owner                        | indexes        |
|--------------------|-----------------------------------------------|------------------------------|----------------|
| ``UserProfile``    | ``USER#<id> / PROFILE``                       | ``accounts.users``           | gsi6 (USERS),  |
|                    |                                               |                              | gsi7 (EMAIL#)  |
| ``LeaderboardItem``| ``LEADERBOARD#<type> / CURRENT``              | ``games.leaderboard``        | none           |
| ``Tournament``     | ``TOURNAMENT#<id> / META``                    | ``games...commands.tournament`` | none        |
| ``ImportLedger``   | ``IMPORT#<source> / USER#<id>`` or ``GAME#..`` | ``games.legacy_import``      | none           |
| ``AuditEntry``     | ``AUDIT#<kind>#<id> / <at>#<entry id>``       | ``duelarena.audit``          | gsi6 (AUDIT)   |

The table itself (keys, indexes, projections) is defined once in ``duelarena.dynamo.schema``; the
indexes here only name which of its GSIs a model is queried on (a test checks they agree).

What stays on the raw client (``duelarena.dynamo.items``), and why:

- Transactions: dynamorm has none. A user created with its email guard, a moderation change with its
  audit entry. Their items are still built by the models (``item()`` validates them with the schema).
- The one-Query read of a game with its moves, and every game/move/result item: many item shapes under
  one partition, versioned transactional writes.
- ``REMOVE``: dynamorm's ``update_item`` only writes ``SET`` expressions, so an update that removes an
  attribute (a user's daily budget back to the default, the logout list emptied) is an ``items.update``.

How dynamorm reaches DynamoDB: its inner ``Table`` normally builds a boto3 *resource* (and a new boto3
session) per model. Here ``get_table`` hands it a ``ClientTable``: the small part of the boto3 Table
interface dynamorm calls (get/put/update/query/delete and ``batch_writer``), implemented over the
adapter's one shared low-level client. So a model's call is counted, capacity-reported and budgeted
like every other call (``connection``), its errors are the adapter's (``ConditionFailed``,
``StoreUnavailable``), numbers come back as ``int``, and no resource is built (about 0.18 s at cold start).

dynamorm picks its schema backend from ``sys.modules`` (marshmallow first). We use schematics: its
marshmallow backend is broken on marshmallow 3+, so importing this module with marshmallow loaded is
refused. schematics warns (DeprecationWarning) on every validate; that noise is filtered here. Numbers
are ``IntType`` only: schematics' DecimalType is stored as a string and floats are refused by boto3.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from typing import Any

import schematics  # noqa: F401 - must be in sys.modules before dynamorm builds a model

if "marshmallow" in sys.modules:  # pragma: no cover - a guard, see the module docstring
    raise ImportError("marshmallow is loaded: dynamorm would pick its broken marshmallow backend")

warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"schematics(\..*)?$")
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"dynamorm(\..*)?$")
try:
    from schematics.deprecated import SchematicsDeprecationWarning

    warnings.filterwarnings("ignore", category=SchematicsDeprecationWarning)
except ImportError:  # pragma: no cover
    pass

from dynamorm import DynaModel, GlobalIndex, ProjectAll  # noqa: E402
from schematics import types  # noqa: E402
from schematics.models import Model as SchematicsModel  # noqa: E402

from duelarena.dynamo import connection  # noqa: E402
from duelarena.dynamo.cursors import decode_cursor, encode_cursor  # noqa: E402
from duelarena.dynamo.items import MAX_PAGE_SIZE, _translate_errors, deserialize, page_fingerprint, serialize  # noqa: E402

# --------------------------------------------------------------------------- dynamorm's view of the table

_CONDITIONS = ("KeyConditionExpression", "FilterExpression", "ConditionExpression")
_SERIALIZED = ("Key", "Item", "ExclusiveStartKey", "ExpressionAttributeValues")
_DESERIALIZED = ("Item", "Attributes", "LastEvaluatedKey")


class ClientTable:
    """The part of boto3's ``Table`` that dynamorm calls, over the adapter's shared client.

    Like boto3's high-level Table it takes plain Python values and boto3 condition objects
    (``Key``/``Attr``) and returns plain values; unlike it, it builds no resource, and errors and
    numbers are the adapter's (``ConditionFailed``/``StoreUnavailable``; ``int``, never ``Decimal``)."""

    @property
    def name(self) -> str:
        return connection.table_name()

    def _call(self, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        from boto3.dynamodb.conditions import ConditionBase, ConditionExpressionBuilder

        request = dict(kwargs, TableName=connection.table_name())
        builder = ConditionExpressionBuilder()  # one per call: its placeholders stay unique
        for field in _CONDITIONS:
            condition = request.get(field)
            if isinstance(condition, ConditionBase):
                built = builder.build_expression(condition, is_key_condition=field == "KeyConditionExpression")
                request[field] = built.condition_expression
                request["ExpressionAttributeNames"] = {
                    **request.get("ExpressionAttributeNames", {}),
                    **built.attribute_name_placeholders,
                }
                if built.attribute_value_placeholders:
                    request["ExpressionAttributeValues"] = {
                        **request.get("ExpressionAttributeValues", {}),
                        **built.attribute_value_placeholders,
                    }
        for field in _SERIALIZED:
            if field in request:
                request[field] = serialize(request[field])
        with _translate_errors():
            response = getattr(connection.client(), operation)(**request)
        for field in _DESERIALIZED:
            if field in response:
                response[field] = deserialize(response[field])
        if "Items" in response:
            response["Items"] = [deserialize(i) for i in response["Items"]]
        return response

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("get_item", kwargs)

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("put_item", kwargs)

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("update_item", kwargs)

    def delete_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("delete_item", kwargs)

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("query", kwargs)

    def batch_writer(self, **_: Any) -> _BatchWriter:
        return _BatchWriter()


class _BatchWriter:
    """``Model.put_batch``: collects the puts and writes them with ``items.batch_put`` (chunks of 25,
    unprocessed items retried with back-off) when the block ends."""

    def __init__(self) -> None:
        self.pending: list[dict[str, Any]] = []

    def __enter__(self) -> _BatchWriter:
        return self

    def put_item(self, Item: dict[str, Any]) -> None:
        self.pending.append(Item)

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None and self.pending:
            from duelarena.dynamo import items

            items.batch_put(self.pending)


_CLIENT_TABLE = ClientTable()


class SharedTable:
    """The inner ``Table`` of every model: the shared table's keys, and our ``ClientTable``.

    ``name`` is only a label for dynamorm (which requires one when the class is built): the real name
    is read from ``DYNAMODB_TABLE`` at each call, so tests and settings may switch tables."""

    name = "duelarena-shared-table"
    hash_key = "pk"
    range_key = "sk"

    @classmethod
    def get_table(cls, name: str | None = None) -> ClientTable:
        return _CLIENT_TABLE

    @classmethod
    def get_resource(cls, **kwargs: Any) -> Any:  # pragma: no cover - dynamorm's table admin only
        raise NotImplementedError("the table is created by duelarena.dynamo.tables, not by dynamorm")


class _StringKeys:
    """Mixed into every model: its keys are plain strings, so dynamorm's per-call "normalization" of
    the key arguments (one schema validation for each of pk and sk on every get/update/query, ~0.7 ms
    together) is skipped. Items are still validated."""

    @classmethod
    def _normalize_keys_in_kwargs(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        return kwargs


class _ItemSchema(SchematicsModel):
    """The fields every item of the shared table has: its keys and ``kind``. Each model's ``Schema``
    extends it (dynamorm builds ``<Model>Schema`` from dynamorm's schematics base and a Schema that is
    already a schematics model, keeping its fields)."""

    pk = types.StringType(required=True)
    sk = types.StringType(required=True)
    kind = types.StringType()


# ---------------------------------------------------------------------------------------------- models
# An index class must subclass ``GlobalIndex`` directly (dynamorm reads the index type from the first
# base class).


class UserProfile(_StringKeys, DynaModel):
    """``USER#<id> / PROFILE``: a user (``accounts.users.User``). gsi6 = ``USERS`` (the admin's list,
    newest first), gsi7 = ``EMAIL#<email>`` (sign-in by email)."""

    Table = SharedTable

    class Schema(_ItemSchema):
        gsi6pk = types.StringType()
        gsi6sk = types.StringType()
        gsi7pk = types.StringType()
        gsi7sk = types.StringType()
        id = types.StringType(required=True)
        email = types.StringType(required=True)
        name = types.StringType()
        picture = types.StringType()
        roles = types.ListType(types.StringType())
        status = types.StringType()
        created_at = types.StringType()
        last_login_at = types.StringType()
        session_epoch = types.IntType()
        password_hash = types.StringType()
        daily_budget_micros = types.IntType()
        revoked_families = types.DictType(types.IntType())

    class ByCreated(GlobalIndex):
        name = "gsi6"
        hash_key = "gsi6pk"
        range_key = "gsi6sk"
        projection = ProjectAll()

    class ByEmail(GlobalIndex):
        name = "gsi7"
        hash_key = "gsi7pk"
        range_key = "gsi7sk"
        projection = ProjectAll()


class LeaderboardItem(_StringKeys, DynaModel):
    """``LEADERBOARD#<game_type> / CURRENT``: one game type's board, its ranked models as JSON text."""

    Table = SharedTable

    class Schema(_ItemSchema):
        game_type = types.StringType(required=True)
        read_at = types.StringType()
        computed_at = types.StringType()
        source_results = types.IntType()
        rated_games = types.IntType()
        excluded_games = types.IntType()
        body = types.StringType(required=True)


class Tournament(_StringKeys, DynaModel):
    """``TOURNAMENT#<id> / META``: a tournament's arguments and schedule (JSON text)."""

    Table = SharedTable

    class Schema(_ItemSchema):
        id = types.StringType(required=True)
        spec = types.StringType(required=True)
        schedule = types.StringType(required=True)
        created_at = types.StringType()


class ImportLedger(_StringKeys, DynaModel):
    """``IMPORT#<source> / <USER|GAME>#<legacy id>``: one imported legacy row and what it became."""

    Table = SharedTable

    class Schema(_ItemSchema):
        target = types.StringType()
        imported_at = types.StringType()


class AuditEntry(_StringKeys, DynaModel):
    """``AUDIT#<kind>#<id> / <at>#<entry id>``: one change of one object; gsi6 = ``AUDIT`` (the feed)."""

    Table = SharedTable

    class Schema(_ItemSchema):
        gsi6pk = types.StringType()
        gsi6sk = types.StringType()
        id = types.StringType(required=True)
        at = types.StringType(required=True)
        actor_id = types.StringType(required=True)
        actor_email = types.StringType()
        action = types.StringType(required=True)
        object_kind = types.StringType(required=True)
        object_id = types.StringType(required=True)
        object_repr = types.StringType()
        before = types.StringType()
        after = types.StringType()

    class Feed(GlobalIndex):
        name = "gsi6"
        hash_key = "gsi6pk"
        range_key = "gsi6sk"
        projection = ProjectAll()


MODELS: tuple[type[DynaModel], ...] = (UserProfile, LeaderboardItem, Tournament, ImportLedger, AuditEntry)


def model_indexes() -> dict[str, list[str]]:
    """Each model's indexes by the table's GSI names (a test checks them against ``schema``)."""
    return {m.__name__: sorted(m.Table.indexes) for m in MODELS}


# --------------------------------------------------------------------------------------------- helpers


def item(model: type[DynaModel], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` validated by the model's schema, as the item to store (absent fields dropped): for a
    Put inside a transaction, which dynamorm cannot write."""
    validated = model.Schema.dynamorm_validate(values)
    return {k: v for k, v in validated.items() if v is not None}


def values(instance: DynaModel) -> dict[str, Any]:
    """A loaded model's fields that the item holds (absent ones left out)."""
    return {
        name: value
        for name in instance.Schema.dynamorm_fields()
        if (value := getattr(instance, name, None)) is not None
    }


def page(
    query: Any, *, partition: str, index: str | None, newest_first: bool, limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    """One page of a model's ``query`` (one Query call), with the adapter's signed cursors (the same
    cursors as ``items.query`` for that partition and index)."""
    fingerprint = page_fingerprint(partition, index=index, newest_first=newest_first)
    query.limit(max(1, min(limit, MAX_PAGE_SIZE)))
    if newest_first:
        query.reverse()
    start = decode_cursor(cursor, fingerprint)
    if start:
        query.start(start)
    found = list(_one_page(query))
    return found, encode_cursor(query.last, fingerprint)


def _one_page(query: Any) -> Iterator[Any]:
    yield from query  # with a Limit, dynamorm's iterator never asks for a second page


__all__ = [
    "MODELS",
    "AuditEntry",
    "ClientTable",
    "ImportLedger",
    "LeaderboardItem",
    "SharedTable",
    "Tournament",
    "UserProfile",
    "item",
    "page",
    "values",
]
