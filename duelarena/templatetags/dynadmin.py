"""Template helpers for the DynamoDB admin: the audit feed as "Recent actions", money in micro-dollars."""

from __future__ import annotations

import json
from typing import Any

from django import template

from duelarena import audit
from duelarena.dynadmin import admin_url_for, micro_dollars

register = template.Library()

_ACTION_CLASSES = {"delete": "deletelink", "add": "addlink"}


@register.simple_tag
def recent_audit_entries(limit: int = 10) -> list[dict[str, Any]]:
    """The newest audit entries (one Query on gsi6 ``AUDIT``) with links to their objects."""
    return [
        {
            "entry": entry,
            "url": None if entry.action == "delete" else admin_url_for(entry.object_kind, entry.object_id),
            "css_class": _ACTION_CLASSES.get(entry.action, "changelink"),
        }
        for entry in audit.recent(limit=limit).entries
    ]


register.filter("micro_dollars", micro_dollars)


@register.filter
def humanize_action(value: str) -> str:
    return str(value).replace("_", " ")


@register.filter
def as_json(value: Any) -> str:
    """An audit entry's before/after as compact JSON ("-" for nothing)."""
    if value is None:
        return "-"
    return json.dumps(value, sort_keys=True, default=str)
