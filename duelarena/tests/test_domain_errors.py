"""Services raise domain errors; the API edge alone turns them into statuses and the one error shape."""

from __future__ import annotations

import json

from duelarena.api import DOMAIN_STATUS, on_domain_error
from duelarena.domain import ErrorKind, InvalidMove, NotAllowed, StaleGame, Unavailable


def test_every_kind_has_a_status():
    assert set(DOMAIN_STATUS) == set(ErrorKind)


def test_the_edge_renders_a_domain_error_in_the_one_shape():
    response = on_domain_error(None, StaleGame("stale", details={"ply": 3}))  # type: ignore[arg-type]
    body = json.loads(response.content)
    assert response.status_code == 409
    assert body["error"] == {"code": "stale_ply", "message": "stale", "details": {"ply": 3}}
    assert "request_id" in body
    assert on_domain_error(None, InvalidMove("no")).status_code == 400  # type: ignore[arg-type]
    assert on_domain_error(None, NotAllowed("no")).status_code == 403  # type: ignore[arg-type]
    late = on_domain_error(None, Unavailable("later", code="queue_unavailable", retry_after=5))  # type: ignore[arg-type]
    assert (late.status_code, late["Retry-After"]) == (503, "5")
