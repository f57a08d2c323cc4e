"""The Django admin over DynamoDB: a ModelAdmin base for unmanaged shim models (see ``options``)."""

from duelarena.dynadmin.options import (
    ChoiceFilter,
    Column,
    DynamoModelAdmin,
    Page,
    RecordAction,
    admin_url_for,
    boolean_icon,
    micro_dollars,
    record_action,
)

__all__ = [
    "ChoiceFilter",
    "Column",
    "DynamoModelAdmin",
    "Page",
    "RecordAction",
    "admin_url_for",
    "boolean_icon",
    "micro_dollars",
    "record_action",
]
