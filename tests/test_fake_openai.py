"""The fake OpenAI-compatible server (tests/fakes/openai_server.py) against the real prompts and the real
``openai`` SDK, so that the end-to-end tests built on it test the app, not the fake."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import replace

import pytest

from games.rules import RULES, get_rules
from games.vocabulary import Termination
from llm.harness import play_turn
from llm.limits import FAMILY_DEFAULTS, STANDARD
from llm.prompts import build_messages
from llm.providers import Message, ProviderError
from llm.providers.openai_compat import OpenAICompatProvider
from tests.fakes.openai_server import FakeOpenAI, Step, game_type_in, legal_moves_in

KEY = "fake-unit-key-0123456789"
OPTIONS = {"chess": {}, "tictactoe": {}, "rps": {"rounds": 3}, "racing": {"track_length": 20}, "words": {"rounds": 3}}
FAST = replace(FAMILY_DEFAULTS[STANDARD], max_provider_retries=2, retry_base=0.001, retry_max=0.005, call_timeout=5)


@pytest.fixture(scope="module")
def fake():
    with FakeOpenAI(api_key=KEY, seed=1) as server:
        yield server


@pytest.fixture
def provider(fake, monkeypatch, settings):
    fake.reset()
    monkeypatch.setenv("FAKE_UNIT_KEY", KEY)
    settings.APP_SECRETS_PATH = ""
    return OpenAICompatProvider("fake", base_url=fake.base_url, key_name="FAKE_UNIT_KEY")


def start(game_type: str) -> tuple:
    rules = get_rules(game_type)
    options = rules.validate_options({**OPTIONS[game_type], "legal_moves_hint": True})
    return rules, rules.initial_state(options, 7)


def as_dicts(messages: list[Message]) -> list[dict]:
    return [{"role": m.role, "content": m.content} for m in messages]


@pytest.mark.parametrize("game_type", sorted(RULES))
def test_reads_the_legal_moves_and_the_game_from_real_prompts(game_type):
    rules, state = start(game_type)
    messages = as_dicts(build_messages(rules, state, "white"))
    found = legal_moves_in(messages)
    assert found and found == rules.legal_moves(state, "white")
    assert game_type_in(messages) == game_type
    without = as_dicts(build_messages(rules, state, "white", legal_moves_hint=False))
    assert legal_moves_in(without) == []


def test_the_latest_list_counts_and_feedback_is_not_a_list():
    messages = [
        {"role": "system", "content": "You are playing a game of tic-tac-toe against another player."},
        {"role": "user", "content": "State\n\nLegal moves: 1, 2, 3."},
        {"role": "assistant", "content": "MOVE: 9"},
        {"role": "user", "content": "That answer was not accepted: cell 9 is taken. MOVE: <move>"},
    ]
    assert legal_moves_in(messages) == ["1", "2", "3"]
    messages[1]["content"] = "**Legal moves (UCI):** `e2e4`, `g1f3`"
    assert legal_moves_in(messages) == ["e2e4", "g1f3"]


@pytest.mark.parametrize("game_type", sorted(RULES))
def test_plays_a_legal_move_through_the_sdk_and_the_harness(provider, fake, game_type):
    rules, state = start(game_type)
    result = play_turn(rules, state, "white", "fake:alpha", provider=provider, limits=FAST, legal_moves_hint=True)
    assert result.move in rules.legal_moves(state, "white") and result.forfeit is None
    [attempt] = result.attempts
    [served] = fake.served("alpha")
    assert attempt.answer == served.content and served.content.endswith(f"MOVE: {result.move}")
    assert (attempt.input_tokens, attempt.output_tokens) == (served.prompt_tokens, served.completion_tokens)
    assert served.prompt_tokens > 100 and served.completion_tokens > 5


def test_scripted_errors_are_what_the_sdk_and_the_provider_see(provider, fake):
    fake.script("alpha", ["server_error", Step("rate_limited", retry_after="7"), "overloaded"])
    messages = [Message("system", "You are playing a game of chess against X."), Message("user", "Legal moves: e2e4.")]
    seen = []
    for _ in range(3):
        with pytest.raises(ProviderError) as caught:
            provider.complete("alpha", messages, max_tokens=100, timeout=5)
        seen.append((caught.value.kind, caught.value.retryable, caught.value.retry_after))
    assert seen == [("server_error", True, None), ("rate_limited", True, 7.0), ("server_error", True, None)]
    assert provider.complete("alpha", messages, max_tokens=100, timeout=5).text.endswith("MOVE: e2e4")
    assert [s.status for s in fake.served()] == [500, 429, 503, 200]


def test_a_wrong_key_is_refused_like_openai_does(fake, monkeypatch, settings):
    monkeypatch.setenv("FAKE_UNIT_KEY", "not-the-key-000")
    settings.APP_SECRETS_PATH = ""
    wrong = OpenAICompatProvider("fake", base_url=fake.base_url, key_name="FAKE_UNIT_KEY")
    with pytest.raises(ProviderError) as caught:
        wrong.complete("alpha", [Message("user", "hi")], max_tokens=10, timeout=5)
    assert caught.value.kind == "auth" and not caught.value.retryable


def test_scripted_failures_drive_the_harness_to_a_forfeit(provider, fake):
    rules, state = start("tictactoe")
    fake.script("stubborn", ["illegal", "empty", "unreadable"])
    result = play_turn(rules, state, "white", "fake:stubborn", provider=provider, limits=FAST, legal_moves_hint=True)
    assert result.forfeit == Termination.FORFEIT_ILLEGAL_MOVES and len(result.attempts) == 3
    assert [s.kind for s in fake.served("stubborn")] == ["illegal", "empty", "unreadable"]


def test_unknown_paths_and_bad_bodies_get_openai_style_errors(fake):
    def post(path: str, data: bytes) -> tuple[int, dict]:
        request = urllib.request.Request(fake.base_url.removesuffix("/v1") + path, data=data, method="POST")
        request.add_header("Authorization", f"Bearer {KEY}")
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    assert post("/v1/embeddings", b"{}")[0] == 404
    status, body = post("/v1/chat/completions", b"{not json")
    assert status == 400 and body["error"]["type"] == "invalid_request_error"
    status, body = post("/v1/chat/completions", json.dumps({"model": "alpha", "messages": []}).encode())
    assert status == 400 and "messages" in body["error"]["message"]


def test_reasoning_models_get_their_limits_and_a_cut_off_answer_forfeits_truncated(provider, fake):
    # openai-named models behind a compatible server still send max_completion_tokens (o3 refuses max_tokens)
    rules, state = start("chess")
    fake.script("o3", ["truncated", "truncated", "truncated"])
    result = play_turn(rules, state, "white", "fake:o3", provider=provider, legal_moves_hint=True)
    served = fake.served("o3")
    assert [(s.max_tokens, s.reasoning_effort, s.finish_reason) for s in served] == [(32000, "medium", "length")] * 3
    assert result.forfeit == Termination.FORFEIT_TRUNCATED
    assert result.truncated_attempts == 3 and result.illegal_attempts == 0
    assert all(a.truncated and a.finish_reason == "length" and a.output_tokens == 32000 for a in result.attempts)
    assert "Answer shorter" in served[1].messages[-1]["content"]


def test_reasoning_tokens_are_read_from_the_usage_details(provider, fake):
    rules, state = start("tictactoe")
    fake.script("gpt-5", [Step("move", reasoning_tokens=12000)])
    result = play_turn(rules, state, "white", "fake:gpt-5", provider=provider, legal_moves_hint=True)
    attempt = result.attempts[0]
    assert result.move is not None and attempt.reasoning_tokens == 12000 and attempt.output_tokens > 12000
    assert attempt.finish_reason == "stop" and not attempt.truncated and attempt.ttft_ms is None


def test_the_fake_refuses_what_openai_refuses(fake):
    import openai

    client = openai.OpenAI(api_key=KEY, base_url=fake.base_url, max_retries=0)
    messages = [{"role": "user", "content": "Legal moves: 1, 2.\nMOVE?"}]
    with pytest.raises(openai.BadRequestError, match="max_completion_tokens"):
        client.chat.completions.create(model="o3", messages=messages, max_tokens=100)
    with pytest.raises(openai.BadRequestError, match="reasoning_effort"):
        client.chat.completions.create(model="o3", messages=messages, reasoning_effort="extreme")
    done = client.chat.completions.create(model="llama", messages=messages, max_tokens=100)
    assert done.choices[0].finish_reason == "stop"
