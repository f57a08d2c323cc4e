"""The one factory for AWS clients: region, endpoint, retries and timeouts are set here and nowhere else.

Every AWS caller goes through ``client()`` (or ``resource()``): the DynamoDB adapter
(``duelarena.dynamo.connection``), the SQS turn queue (``games.tasks``), SSM Parameter
Store (``duelarena.parameters``: the container entrypoint and ``llm.secrets``) and Bedrock (``llm.providers.bedrock``).

- Lazy: botocore is imported by the first call, never at import time (cold start).
- Cached per process: each distinct client (service, region, endpoint, retries, timeouts) is built once
  and reused (the clients are thread-safe), under one lock.
- Clients are botocore's, which is what ``boto3.client`` returns too, but built without importing boto3
  (its session, resource factory and s3transfer with multiprocessing: ~21 ms of the first API request's
  cold start). They share one botocore session, as boto3's default session did: a session loads
  botocore's endpoint and partition data once, so a second client (the turn queue's beside DynamoDB's)
  costs ~7 ms instead of ~70 ms. A session takes botocore's built-in event handlers when it is made
  (moto registers its stubber there when imported: the tests import moto first, see conftest.py).
  Its model loader skips botocore's scan of every service directory (``duelarena.aws_models``, ~18 ms).
  Resources (dynamorm's view of DynamoDB) are boto3's and import it on first use.
- Local endpoints (DynamoDB Local, a local queue) get placeholder credentials when none are configured.
- Built with the cyclic garbage collector paused, then frozen: importing botocore and building a client
  makes tens of thousands of objects that live as long as the process. The collector otherwise ran ~40
  times while the first client was built, rescanning them (~25 ms of the first API request's cold start,
  bench/cold_start.py); ``duelarena/wsgi.py`` and ``duelarena/api_urls.py`` do the same.
- Django-free: callers pass what their settings say, so the entrypoint can use it before Django starts.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ClientSpec:
    """What makes two clients different (the cache key)."""

    service: str
    region: str | None = None
    endpoint_url: str | None = None
    # botocore's standard retry mode: ``max_attempts`` retries after the first call (None: botocore's
    # default); ``total_max_attempts`` counts the first call too (1: no retry, the caller owns retries).
    max_attempts: int | None = None
    total_max_attempts: int | None = None
    connect_timeout: float | None = None
    read_timeout: float | None = None
    kind: str = "client"  # or "resource" (dynamorm's view of DynamoDB)


_lock = threading.Lock()
_made: dict[ClientSpec, Any] = {}
_session: Any = None  # the process's botocore session, made with the first client


def _config(spec: ClientSpec) -> Any:
    from botocore.config import Config

    options: dict[str, Any] = {}
    if spec.region:
        options["region_name"] = spec.region
    if spec.total_max_attempts is not None:
        options["retries"] = {"mode": "standard", "total_max_attempts": spec.total_max_attempts}
    elif spec.max_attempts is not None:
        options["retries"] = {"mode": "standard", "max_attempts": spec.max_attempts}
    if spec.connect_timeout is not None:
        options["connect_timeout"] = spec.connect_timeout
    if spec.read_timeout is not None:
        options["read_timeout"] = spec.read_timeout
    return Config(**options)


def _endpoint(spec: ClientSpec) -> dict[str, Any]:
    if not spec.endpoint_url:
        return {}
    kwargs: dict[str, Any] = {"endpoint_url": spec.endpoint_url}
    # Emulators accept any credentials; don't make developers configure fake ones.
    has_credentials = os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")
    if urlsplit(spec.endpoint_url).hostname in _LOOPBACK and not has_credentials:
        kwargs.update(aws_access_key_id="local", aws_secret_access_key="local")  # noqa: S106
    return kwargs


def _get(spec: ClientSpec, prepare: Callable[[Any], None] | None) -> Any:
    found = _made.get(spec)
    if found is not None:
        return found
    with _lock:
        found = _made.get(spec)
        if found is None:
            collecting = gc.isenabled()
            gc.disable()
            try:
                found = _build(spec)
            finally:
                if collecting:
                    gc.enable()
            gc.freeze()
            if prepare is not None:
                prepare(found)
            _made[spec] = found
    return found


def _build(spec: ClientSpec) -> Any:
    if spec.kind == "resource":
        import boto3

        return boto3.resource(spec.service, config=_config(spec), **_endpoint(spec))
    global _session
    if _session is None:
        import botocore.session

        from duelarena.aws_models import loader_for

        _session = botocore.session.get_session()
        _session.register_component("data_loader", loader_for(_session))
    return _session.create_client(spec.service, config=_config(spec), **_endpoint(spec))


def client(service: str, *, prepare: Callable[[Any], None] | None = None, **options: Any) -> Any:
    """The process's client (botocore's) for ``service`` with these options (``ClientSpec`` fields), built on
    first use. ``prepare`` runs once on a newly built client (the adapter registers its event hooks)."""
    return _get(ClientSpec(service, **options), prepare)


def resource(service: str, *, prepare: Callable[[Any], None] | None = None, **options: Any) -> Any:
    """Like ``client``, for a boto3 resource (dynamorm models use the DynamoDB resource)."""
    return _get(ClientSpec(service, kind="resource", **options), prepare)


def reset(service: str | None = None) -> None:
    """Forget the built clients (of one service; all of them and the session when None): tests switch
    between moto, stubs and emulators."""
    global _session
    with _lock:
        for spec in [s for s in _made if service is None or s.service == service]:
            del _made[spec]
        if service is None:
            _session = None
