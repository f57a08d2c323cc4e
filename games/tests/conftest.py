"""Fixtures for the game service and API tests.

``dynamo`` and ``ddb_local`` are wrapped so that background autoplay is stopped *before* their table
goes away: a worker thread must never outlive the table (or moto) it was playing against.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

import pytest

from accounts import tokens, users
from games import autoplay, scheduling, service, tasks
from games.records import Game
from games.tests.helpers import sqs_record


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


@pytest.fixture
def bot_secret(monkeypatch):
    """Fix the bot secret the next games draw (``service.create_game`` draws one per game from
    ``random.SystemRandom``): a test that asserts how a game between random bots ends would otherwise
    depend on the draw. ``bot_secret(n)`` sets it."""
    from games import service

    class Fixed:
        def __init__(self, secret: int) -> None:
            self.secret = secret

        def randint(self, low: int, high: int) -> int:
            return self.secret

    def fix(secret: int) -> int:
        monkeypatch.setattr(service.random, "SystemRandom", lambda: Fixed(secret))
        return secret

    return fix


@pytest.fixture
def no_turn_backend():
    """No turn backend wired while the test runs: the service's writes leave AI turns due in the table
    (as with a queue that is down) and nothing plays them behind the test's back."""
    saved = scheduling.get_backend()
    scheduling.set_backend(None)
    yield
    scheduling.set_backend(saved)


def start_autoplay_unqueued(game_id: str, user) -> Game:
    """Switch autoplay on through the service (authorization, budget, the due index), with no turn
    backend wired for that call: the test delivers the turns itself, exactly when it wants them."""
    saved = scheduling.get_backend()
    scheduling.set_backend(None)
    try:
        return service.start_autoplay(game_id, user)
    finally:
        scheduling.set_backend(saved)


class FakeSQS:
    """Records SendMessage calls; ``take`` hands them out as event records (each exactly once)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending: list[dict] = []
        self.sent = 0

    def send_message(self, QueueUrl: str, MessageBody: str, DelaySeconds: int = 0) -> dict:
        assert QueueUrl == "https://sqs.us-east-1.amazonaws.com/123456789012/turns"
        message_id = str(uuid.uuid4())
        with self.lock:
            self.pending.append(sqs_record(MessageBody, message_id))
            self.sent += 1
        return {"MessageId": message_id}

    def take(self) -> list[dict]:
        with self.lock:
            taken, self.pending = self.pending, []
        return taken


@pytest.fixture
def fake_sqs(ddb_local, settings, monkeypatch) -> FakeSQS:
    """The turn queue as a FakeSQS (on DynamoDB Local): what the app sends is handed back by ``take``."""
    fake = FakeSQS()
    settings.TASK_BACKEND = "sqs"
    settings.TURN_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/turns"
    monkeypatch.setattr(tasks, "_sqs", lambda: fake)
    return fake
