"""Provider API keys: from the SSM Parameter Store path ``APP_SECRETS_PATH`` when it is set (on AWS:
``/duelarena/<environment>``, one SecureString parameter per key, ``duelarena.parameters``), else (and as a
fallback for names the path lacks) from the environment.

The path's values are cached for ``LLM_SECRETS_TTL_SECONDS`` so a rotated key is picked up without a
restart (a re-read is one free GetParametersByPath call and a KMS Decrypt per value), and ``invalidate()``
(called after an auth error) forces the next read to fetch them again. The container entrypoint's read of
the same path at start counts as the first read (``APP_SECRETS_LOADED_AT``): until its TTL runs out the
keys come from the environment it filled. Values are never
logged, never part of a repr or an exception message; ``redact()`` scrubs them (and key-shaped strings)
from any text that may have echoed one, such as a provider's error body.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# The names the built-in providers read; named endpoints add their own ``api_key_env``.
KEY_NAMES: tuple[str, ...] = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY")
REDACTED = "[redacted]"
# Set by the container entrypoint (deploy/entrypoint.py) when it has loaded APP_SECRETS_PATH at start.
LOADED_AT_VARIABLE = "APP_SECRETS_LOADED_AT"
# Key-shaped strings (OpenAI sk-/sk-proj-, Anthropic sk-ant-, bearer tokens): redacted even when unknown,
# because a server may echo a key we never loaded (e.g. one from a stale client).
_KEY_SHAPES = re.compile(r"(?:(?<![A-Za-z0-9])sk-[A-Za-z0-9_\-*.]{8,}|Bearer\s+[A-Za-z0-9_\-.=]{8,})")
_MIN_SECRET_LEN = 6  # shorter values would redact ordinary words


class SecretsUnavailable(Exception):
    """The configured secrets could not be read. The message never contains secret material."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class SecretStore:
    """Reads keys; thread-safe; caches the parameters under ``APP_SECRETS_PATH`` with a TTL.

    ``client`` (a boto3 ``ssm`` client) is injectable for tests; by default the AWS client factory's is
    used, built lazily so importing this module never imports botocore.
    """

    def __init__(self, *, client: Any = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._clock = clock
        self._lock = threading.Lock()
        self._path: str | None = None
        self._loaded_at: float | None = None  # None: not loaded (or invalidated)
        self._values: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"SecretStore(cached_names={sorted(self._values)})"

    def get(self, name: str) -> str | None:
        path = getattr(settings, "APP_SECRETS_PATH", "") or ""
        if path:
            value = self._secret_values(path).get(name)
            if value:
                return value
        return os.environ.get(name) or None

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = None

    def known_values(self) -> list[str]:
        with self._lock:
            return list(self._values.values())

    def _secret_values(self, path: str) -> dict[str, str]:
        ttl = float(getattr(settings, "LLM_SECRETS_TTL_SECONDS", 300))
        with self._lock:
            if self._path is None:
                self._adopt_start_read(path, ttl)
            fresh = self._path == path and self._loaded_at is not None and self._clock() - self._loaded_at < ttl
            if not fresh:
                self._values = self._fetch(path)
                self._path, self._loaded_at = path, self._clock()
            return self._values

    def _adopt_start_read(self, path: str, ttl: float) -> None:
        """The container entrypoint read ``path`` at start and put its values in the environment
        (``LOADED_AT_VARIABLE``, the epoch second of that read): it counts as this store's first read, so a
        new sandbox's first model turn does not read the path again. The environment serves the keys until
        the TTL runs out from that read (or an auth error invalidates them)."""
        try:
            age = time.time() - float(os.environ.get(LOADED_AT_VARIABLE, ""))
        except ValueError:
            return
        if 0 <= age < ttl:
            self._path, self._values, self._loaded_at = path, {}, self._clock() - age

    def _fetch(self, path: str) -> dict[str, str]:
        from duelarena import parameters

        if self._client is None:
            self._client = parameters.ssm_client(getattr(settings, "AWS_REGION", None))
        try:
            values = parameters.read_path(path, self._client)
        except parameters.ParametersUnavailable as exc:
            raise SecretsUnavailable(str(exc), exc.retryable) from None
        logger.info("provider secrets loaded", extra={"secret_names": sorted(values)})
        return values


_store = SecretStore()


def get_secret(name: str) -> str | None:
    """The value of ``name`` (e.g. ``OPENAI_API_KEY``), or None when it is not configured."""
    return _store.get(name)


def invalidate() -> None:
    _store.invalidate()


def use_store(store: SecretStore) -> SecretStore:
    """Swap the process-wide store (tests); returns the previous one."""
    global _store
    previous, _store = _store, store
    return previous


def _names_to_scrub() -> set[str]:
    names = set(KEY_NAMES)
    endpoints = getattr(settings, "LLM_ENDPOINTS", None) or {}
    if isinstance(endpoints, dict):
        for spec in endpoints.values():
            if isinstance(spec, dict) and isinstance(spec.get("api_key_env"), str):
                names.add(spec["api_key_env"])
    return names


def redact(text: str) -> str:
    """``text`` with every known key value and every key-shaped string replaced by ``[redacted]``."""
    if not text:
        return text
    values = set(_store.known_values())
    values.update(v for n in _names_to_scrub() if (v := os.environ.get(n)))
    for value in sorted(values, key=len, reverse=True):  # longest first: a key may contain a shorter one
        if len(value) >= _MIN_SECRET_LEN:
            text = text.replace(value, REDACTED)
    return _KEY_SHAPES.sub(REDACTED, text)
