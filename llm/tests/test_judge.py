"""The word-association judge: reading rulings, retries, costs; one call through the real SDK (respx)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import respx

from games.rules import get_rules
from games.turns import play_turn as play_seat
from llm import judge
from llm.limits import FAMILY_DEFAULTS, STANDARD
from llm.providers import Completion, ProviderError
from llm.providers.openai_compat import OpenAICompatProvider
from llm.tests.test_providers import bridged, chat_json, error_json

NANO = "openai:gpt-4.1-nano"  # $0.10 / $0.40 per Mtok
FAST = replace(FAMILY_DEFAULTS[STANDARD], retry_base=0.001, retry_max=0.002, max_provider_retries=2)


class Scripted:
    name = "scripted"

    def __init__(self, *script):
        self.script = list(script)
        self.calls: list = []

    def complete(self, model, messages, *, max_tokens, timeout, reasoning_effort=None):
        self.calls.append((model, list(messages), max_tokens))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return Completion(step, None, 300, 30, latency_ms=40)


@pytest.mark.parametrize(
    ("text", "ruling"),
    [
        ("They are both found at the beach.\nVERDICT: yes", True),
        ("VERDICT: No", False),
        ("**Verdict:** yes", True),  # tolerant of markdown around the label
        ("Verdict: *yes*", True),
        ("verdict = NO.", False),
        ("VERDICT: no\nOn reflection...\nVERDICT: yes", True),  # the last line counts
        ("Yes.", True),
        ("no", False),
        ("I cannot decide.", None),
        ("", None),
    ],
)
def test_reading_the_verdict(text, ruling):
    assert judge.read_verdict(text)[0] is ruling


def test_reason_is_what_comes_before_the_verdict():
    assert judge.read_verdict("Sand and sea go together.\nVERDICT: yes") == (True, "Sand and sea go together.")


def test_a_ruling_with_its_cost():
    provider = Scripted("Both relate to water.\nVERDICT: yes")
    verdict = judge.ask(NANO, "ocean", "river", provider=provider, limits=FAST)
    assert verdict.associated is True and verdict.error is None and verdict.reason == "Both relate to water."
    assert (verdict.tokens_in, verdict.tokens_out, verdict.calls, verdict.latency_ms) == (300, 30, 1, 40)
    assert verdict.cost_micros == 300 * 0.10 + 30 * 0.40 == 42 and verdict.priced
    model, messages, max_tokens = provider.calls[0]
    assert model == "gpt-4.1-nano" and max_tokens == judge.JUDGE_MAX_TOKENS
    assert messages[0].content == judge.SYSTEM and "Previous word: ocean" in messages[1].content
    assert "Answer: river" in verdict.prompt
    assert verdict.record_fields()["associated"] is True


def test_provider_errors_are_retried_then_give_no_ruling():
    sleeps: list[float] = []
    busy = ProviderError("server_error", "busy", True)
    provider = Scripted(busy, "VERDICT: no")
    verdict = judge.ask(NANO, "ocean", "piano", provider=provider, limits=FAST, sleep=sleeps.append)
    assert verdict.associated is False and verdict.calls == 2 and len(sleeps) == 1
    assert verdict.cost_micros == 42  # the failed call costs nothing

    provider = Scripted(busy, busy, busy)
    verdict = judge.ask(NANO, "ocean", "piano", provider=provider, limits=FAST, sleep=sleeps.append)
    assert verdict.associated is None and verdict.error.startswith("provider_server_error") and verdict.calls == 3

    provider = Scripted(ProviderError("auth", "bad key", False))
    verdict = judge.ask(NANO, "ocean", "piano", provider=provider, limits=FAST, sleep=sleeps.append)
    assert verdict.associated is None and verdict.error.startswith("provider_auth") and verdict.calls == 1


def test_an_unreadable_ruling_is_no_ruling_but_is_paid_for():
    verdict = judge.ask(NANO, "ocean", "piano", provider=Scripted("Hmm, hard to say."), limits=FAST)
    assert verdict.associated is None and verdict.error.startswith("unreadable_verdict") and verdict.cost_micros == 42


def test_an_unpriced_judge_is_marked():
    verdict = judge.ask("openai:some-new-model", "a", "b", provider=Scripted("VERDICT: yes"), limits=FAST)
    assert verdict.associated is True and verdict.cost_micros == 0 and verdict.priced is False


def test_an_unknown_provider_gives_no_ruling():
    verdict = judge.ask("nowhere:model", "ocean", "sea", limits=FAST)
    assert verdict.associated is None and verdict.error.startswith("provider_unavailable") and verdict.calls == 0


def test_through_the_openai_sdk(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-testkey-0123456789abcdef")
    with respx.mock(base_url="https://api.openai.com/v1") as router:
        route = router.post("/chat/completions")
        route.side_effect = [
            respx.MockResponse(429, json=error_json("slow down", "requests"), headers={"retry-after-ms": "1"}),
            respx.MockResponse(200, json=chat_json("Salt water.\nVERDICT: yes", prompt=120, completion=9)),
        ]
        provider = OpenAICompatProvider("openai", http_client=bridged(router))
        verdict = judge.ask(NANO, "ocean", "sea", provider=provider, limits=FAST, sleep=lambda _: None)
    assert verdict.associated is True and verdict.calls == 2 and (verdict.tokens_in, verdict.tokens_out) == (120, 9)
    body = json.loads(route.calls.last.request.content)
    assert body["model"] == "gpt-4.1-nano" and body["messages"][0]["role"] == "system"


def test_a_bot_answer_refused_by_the_judge_is_an_illegal_attempt(monkeypatch):
    """games.turns: the judge's "no" is a failed attempt of the seat; 3 of them forfeit."""
    rules = get_rules("words")
    state = rules.initial_state({"judge_model": NANO}, 5)
    monkeypatch.setattr(judge, "ask", lambda model, prev, word, **_: judge.Verdict(model, False, reason="unrelated"))
    turn = play_seat(rules, state, "white", "builtin:wordsmith", 5, options=state["options"])
    assert turn.forfeit == "forfeit_illegal_moves" and turn.move is None and len(turn.attempts) == 3
    assert all(a.error.startswith("not_associated") and a.judge["associated"] is False for a in turn.attempts)
    assert turn.state == state

    monkeypatch.setattr(judge, "ask", lambda model, previous, word, **_: judge.Verdict(model, True, cost_micros=7))
    turn = play_seat(rules, state, "white", "builtin:wordsmith", 5, options=state["options"])
    assert turn.move and turn.charged_micros == 7
    entry = {"seat": "white", "word": turn.move, "judged": True, "associated": True, "judge": NANO}
    assert turn.state["words"][0] == entry
