"""Fixtures for the game service and API tests.

``dynamo`` and ``ddb_local`` are wrapped so that background autoplay is stopped *before* their table
goes away: a worker thread must never outlive the table (or moto) it was playing against.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from accounts import tokens, users
from games import autoplay


@pytest.fixture
def dynamo(dynamo):
    yield dynamo
    assert autoplay.stop_all(30), "autoplay workers did not stop"


@pytest.fixture
def ddb_local(ddb_local):
    yield ddb_local
    assert autoplay.stop_all(30), "autoplay workers did not stop"


@dataclass
class Player:
    user: users.User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def make_player(email: str, roles: list[str] | None = None) -> Player:
    user, _ = users.create(email, roles=roles)
    return Player(user, tokens.issue_access(user))


@pytest.fixture
def alice(dynamo) -> Player:
    return make_player("alice@example.com")


@pytest.fixture
def bob(dynamo) -> Player:
    return make_player("bob@example.com")


@pytest.fixture
def moderator(dynamo) -> Player:
    return make_player("mod@example.com", roles=["moderator"])
