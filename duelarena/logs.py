"""JSON log lines on stdout, each carrying the id of the request that produced it.

No credential reaches a log line: ``JsonFormatter`` redacts the values of credential-like query
parameters (``access_token``, ``token``, ``code``, ``refresh``, ``state``, ``password``, ``*_key``,
``*secret*``, signatures...) in the message and in every text field, and logs a request object
(Django's ``django.request`` logger passes one, whose repr is the full URL) as its method and redacted
path only. Clients should send tokens in the Authorization header; this covers the ones that do not.
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# Attributes every LogRecord has; anything else was passed with `extra=` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


REDACTED = "[redacted]"
# A query parameter (after ? or &, or ; ) whose name says it carries a credential, and its value.
_CREDENTIAL_PARAM = re.compile(
    r"(?i)([?&;](?:[\w.\-]*(?:token|secret|passw(?:or)?d|signature|session|api_?key|credential|jwt)[\w.\-]*"
    r"|code|state|refresh|key|sig|auth|authorization|x-amz-[\w\-]+)=)([^&#;\s'\"<>]*)"
)


def redact_url(text: str) -> str:
    """``text`` with the values of credential-like query parameters replaced by ``[redacted]``."""
    return _CREDENTIAL_PARAM.sub(lambda m: m.group(1) + (REDACTED if m.group(2) else ""), text)


def _safe(value: object) -> object:
    if isinstance(value, str):
        return redact_url(value)
    if hasattr(value, "get_full_path") and hasattr(value, "method"):  # an HttpRequest (its repr has the URL)
        return f"{value.method} {redact_url(value.get_full_path())}"
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    return redact_url(str(value)) if not isinstance(value, int | float | bool | type(None)) else value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_url(record.getMessage()),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = _safe(value)
        if record.exc_info:
            line["exc"] = redact_url(self.formatException(record.exc_info))
        return json.dumps(line, default=str)
