"""Budgets that hold under concurrency, on DynamoDB Local: every model call reserves its worst case with
one conditional write first and settles to its recorded cost after (``accounts.limits.OwnerBudget``).

The model is the real OpenAI SDK against mocked HTTP (respx), as in test_llm_turns.py.
"""

from __future__ import annotations

import functools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import respx

from accounts import limits, users
from games import autoplay, service, store
from games.records import PAUSE_BUDGET
from games.rules import get_rules
from games.tests.conftest import make_player
from games.tests.test_llm_turns import MINI, MINI_CALL, all_charged, answering
from llm import harness
from llm.budget import worst_case_micros
from llm.limits import limits_for
from llm.prompts import build_messages
from llm.providers import registry
from llm.providers.openai_compat import OpenAICompatProvider
from llm.tests.test_providers import bridged

pytestmark = pytest.mark.integration


@pytest.fixture
def openai_local(monkeypatch, settings, ddb_local):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-testkey-0123456789abcdef")
    settings.APP_SECRETS_PATH = ""
    settings.LLM_RETRY_BASE_SECONDS = 0.001
    settings.LLM_RETRY_MAX_SECONDS = 0.002
    settings.MODEL_CALLS_PER_MINUTE = 1000
    with respx.mock(base_url="https://api.openai.com/v1", assert_all_called=False) as router:
        bridged_openai = functools.partial(OpenAICompatProvider, http_client=bridged(router))
        monkeypatch.setattr(registry, "OpenAICompatProvider", bridged_openai)
        yield router


def first_call_worst_case() -> int:
    rules = get_rules("tictactoe")
    messages = build_messages(rules, rules.initial_state({}, 3), "white")
    return worst_case_micros(MINI, messages, limits_for(MINI).max_output_tokens)


def test_twenty_concurrent_turns_of_one_owner_never_spend_more_than_the_budget(openai_local):
    answering(openai_local, lambda body: "Centre.\nMOVE: 5")
    owner = make_player("spender@example.com").user
    budget = 3 * first_call_worst_case()  # the worst cases of three calls at once
    owner = users.update(owner, daily_budget_micros=budget)
    rules = get_rules("tictactoe")

    def play(_):
        return harness.play_turn(rules, rules.initial_state({}, 3), "white", MINI, budget=limits.OwnerBudget(owner))

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(play, range(20)))
    played = [r for r in results if r.move]
    spent = limits.spent_today(owner)
    assert 1 <= len(played) and spent == MINI_CALL * len(played) <= budget  # settled to the exact cost
    assert all(r.move or r.paused_for_budget for r in results)


def test_ten_concurrent_autoplays_of_a_priced_model_never_spend_more_than_the_budget(
    openai_local, settings, monkeypatch
):
    """Before reservations (a read before the turn, an unconditional add after it) this spent 5x.

    Each answer costs nearly its worst case (8,000 of at most 8,192 output tokens), so the ten games need
    far more than the budget of four worst cases however the calls interleave: some game must pause for
    the budget. (With cheap answers the pause depended on how many reservations happened to overlap.)
    No turn reserves before all ten autoplays have started: otherwise the first games could use the budget
    up while the loop still starts the others, and a later start is refused (429, as it should be: a run
    on a busy machine did that) instead of racing.
    """
    settings.AUTOPLAY_WORKERS = 10
    all_started = threading.Event()
    reserve = limits.OwnerBudget.reserve

    def reserve_once_all_started(self, micros):
        assert all_started.wait(30)
        return reserve(self, micros)

    monkeypatch.setattr(limits.OwnerBudget, "reserve", reserve_once_all_started)
    answering(openai_local, lambda body: "Taking a free cell.\nMOVE: " + _free_cell(body), tokens=(1000, 8000))
    owner = make_player("autoplayer@example.com").user
    budget = 4 * first_call_worst_case()
    owner = users.update(owner, daily_budget_micros=budget)
    games = [
        service.create_game(owner, game_type="tictactoe", white=MINI, black="builtin:random", options={"seed": i})
        for i in range(10)
    ]
    for game in games:
        service.start_autoplay(game.id, owner)
    all_started.set()
    assert autoplay.wait_idle(120)
    spent = limits.spent_today(owner)
    assert spent <= budget
    assert spent == sum(all_charged(g.id) for g in games)  # every call made is charged, exactly once
    stored = [store.get(g.id) for g in games]
    assert any(g.is_paused and g.pause_reason == PAUSE_BUDGET for g in stored)
    assert all(g.status in ("finished", "paused") for g in stored)


def _free_cell(body: dict) -> str:
    """The first free cell of the board in the prompt (free cells show their number)."""
    import re

    prompt = "\n".join(m["content"] for m in body["messages"])
    rows = re.findall(r"^(\S) \| (\S) \| (\S)$", prompt, re.M)[-3:]
    return next(c for row in rows for c in row if c.isdigit())
