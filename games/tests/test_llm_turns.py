"""Model seats through the API: the real OpenAI SDK against mocked HTTP (respx), moto for DynamoDB.

``registry.OpenAICompatProvider`` is replaced by the same class with an ``http_client`` that hands every
request to a respx router (``RespxBridge`` from the provider tests), so request building, response
parsing and error mapping are the SDK's own; only the network is fake.
"""

from __future__ import annotations

import functools
import json
import random
import threading

import httpx
import pytest
import respx

from accounts import limits, users
from games import autoplay, store
from games.records import GAME_ROW, JUDGE_ROW, TOTAL_FIELDS
from games.rules import get_rules
from games.rules.words import clash, is_word, used_words
from games.tests.helpers import assert_error, create, get, post
from llm import judge
from llm.providers import registry
from llm.providers.openai_compat import OpenAICompatProvider
from llm.tests.test_providers import bridged, chat_json, error_json

MINI = "openai:gpt-4.1-mini"  # $0.40 in / $1.60 out per Mtok
NANO = "openai:gpt-4.1-nano"  # $0.10 / $0.40
TOKENS = (1000, 100)
MINI_CALL = 560  # µ$ per call at TOKENS: 1000 * 0.40 + 100 * 1.60
NANO_CALL = 140  # 1000 * 0.10 + 100 * 0.40


@pytest.fixture
def openai_http(monkeypatch, settings, dynamo):
    """A respx router standing in for api.openai.com; fast provider retries."""
    yield from _openai_router(monkeypatch, settings)


@pytest.fixture
def concurrent_http(monkeypatch, settings, ddb_local):
    """The same on DynamoDB Local: for turns whose seats spend concurrently (moto's updates of one item
    from two threads are not atomic, DynamoDB's are)."""
    yield from _openai_router(monkeypatch, settings)


@pytest.fixture
def carol(ddb_local):
    from games.tests.conftest import make_player

    return make_player("carol@example.com")


def _openai_router(monkeypatch, settings):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-testkey-0123456789abcdef")
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    settings.APP_SECRETS_PATH = ""
    settings.LLM_RETRY_BASE_SECONDS = 0.001
    settings.LLM_RETRY_MAX_SECONDS = 0.002
    with respx.mock(base_url="https://api.openai.com/v1", assert_all_called=False) as router:
        client = bridged(router)
        bridged_openai = functools.partial(OpenAICompatProvider, http_client=client)
        monkeypatch.setattr(registry, "OpenAICompatProvider", bridged_openai)
        yield router


def answering(router: respx.Router, answer, tokens: tuple[int, int] = TOKENS) -> respx.Route:
    """Route chat completions to ``answer(body) -> str`` (the request's JSON body in, the content out)."""

    def reply(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(200, json=chat_json(answer(body), prompt=tokens[0], completion=tokens[1]))

    return router.post("/chat/completions").mock(side_effect=reply)


def free_cell(game_id: str) -> str:
    board = store.get(game_id).state["board"]
    return str(board.index("") + 1)


def spent(user) -> int:
    return limits.spent_today(user)


def attempts_of(game_id: str) -> list:
    _, moves = store.load(game_id)
    return [a for m in moves for a in m.attempts]


def all_charged(game_id: str) -> int:
    """What the stored attempts cost: moves' and interrupted attempts', player and judge calls."""
    game, moves = store.load(game_id)
    recorded = [a.charged_micros for m in moves for a in m.attempts]
    recorded += [
        a["cost_micros"] + (a.get("judge") or {}).get("cost_micros", 0)
        for entry in game.interrupted
        for a in entry["attempts"]
    ]
    return sum(recorded)


def step(client, game_id: str, player) -> dict:
    """POST .../step; a model's (or the judge's) turn answers 202 at once and a worker plays it: wait
    for it and return the game as the API shows it then (a bot's turn answers 200 with it)."""
    reply = post(client, f"/api/games/{game_id}/step", player=player)
    if reply.status_code == 202:
        assert reply.json()["step_requested"] is True and reply.json()["turn_pending"] is True
        assert autoplay.wait_idle(30)
        reply = get(client, f"/api/games/{game_id}", player=player)
    assert reply.status_code == 200, reply.content[:500]
    return reply.json()


# ------------------------------------------------------------------------------ a full game via step


def test_a_full_tictactoe_game_between_a_model_and_a_bot(client, alice, openai_http):
    script = iter(["Let me take a corner.\nMOVE: 10", "I think the centre is best.", "Centre.\nMOVE: 5"])

    def answer(body):
        return next(script, None) or f"Taking the first free cell.\nMOVE: {free_cell(game['id'])}"

    route = answering(openai_http, answer)
    game = create(client, alice, "tictactoe", MINI, "builtin:random", seed=3)
    assert game["players"]["white"]["kind"] == "llm"
    view = game
    for _ in range(9):
        if view["status"] != "live":
            break
        view = step(client, game["id"], alice)
    assert view["status"] == "finished" and view["termination"] in ("three_in_a_row", "board_full")

    first = view["moves"][0]
    assert first["seat"] == "white" and first["move"] == "5" and [a["attempt"] for a in first["attempts"]] == [1, 2, 3]
    bad, unreadable, good = first["attempts"]
    assert bad["parsed"] == "10" and bad["error"].startswith(("illegal_move", "unreadable_move"))
    assert unreadable["parsed"] is None and unreadable["error"].startswith("no_move_line")
    assert good["error"] is None and good["parsed"] == "5" and good["reasoning"] == "Centre."
    assert "You play X" in bad["prompt"] and "not accepted" in unreadable["prompt"]  # feedback in the retry
    for attempt in first["attempts"]:
        assert (attempt["tokens_in"], attempt["tokens_out"], attempt["cost_micros"]) == (1000, 100, MINI_CALL)
        assert attempt["judge"] is None

    model_attempts = [a for m in view["moves"] if m["seat"] == "white" for a in m["attempts"]]
    bot_moves = [m for m in view["moves"] if m["seat"] == "black"]
    white, black, total = view["totals"]["white"], view["totals"]["black"], view["totals"][GAME_ROW]
    assert route.call_count == len(model_attempts)
    assert white["tokens_in"] == 1000 * len(model_attempts) and white["tokens_out"] == 100 * len(model_attempts)
    assert white["cost_micros"] == MINI_CALL * len(model_attempts)
    assert white["latency_ms"] == sum(a["latency_ms"] for a in model_attempts)
    assert white["illegal_attempts"] == 2
    assert white["moves"] == len([m for m in view["moves"] if m["seat"] == "white"])
    assert black["moves"] == len(bot_moves) and black["cost_micros"] == 0 and black["tokens_in"] == 0
    assert set(total) == set(TOTAL_FIELDS)
    for name in TOTAL_FIELDS:
        assert total[name] == white[name] + black[name]
    # the owner was charged exactly what the attempts recorded
    assert spent(alice.user) == all_charged(game["id"]) == white["cost_micros"]


def test_three_illegal_answers_forfeit(client, alice, openai_http):
    route = answering(openai_http, lambda body: "MOVE: 42")
    game = create(client, alice, "tictactoe", MINI, "builtin:random")
    view = step(client, game["id"], alice)
    assert (view["status"], view["result"], view["winner"], view["termination"]) == (
        "finished",
        "second",
        "black",
        "forfeit_illegal_moves",
    )
    assert route.call_count == 3 and len(view["moves"]) == 1 and view["moves"][0]["move"] is None
    assert [a["parsed"] for a in view["moves"][0]["attempts"]] == ["42"] * 3
    assert view["totals"]["white"]["illegal_attempts"] == 3 and view["totals"]["white"]["moves"] == 0
    assert spent(alice.user) == 3 * MINI_CALL == view["totals"]["white"]["cost_micros"] == all_charged(game["id"])
    assert_error(post(client, f"/api/games/{game['id']}/step", player=alice), 409, "game_over")


def test_a_refused_key_pauses_the_game_instead_of_forfeiting_the_model(client, alice, openai_http):
    """A 401 is our configuration, not the model's play: the game pauses with a stated reason, and
    resumes once the key works again."""
    route = openai_http.post("/chat/completions").respond(401, json=error_json("Incorrect API key provided"))
    game = create(client, alice, "tictactoe", MINI, "builtin:random")
    view = step(client, game["id"], alice)
    assert (view["status"], view["pause_reason"], view["termination"], view["ply"]) == (
        "paused",
        "player_unavailable",
        None,
        0,
    )
    assert route.call_count == 1
    route.mock(side_effect=None).respond(200, json=chat_json("MOVE: 5"))
    resumed = step(client, game["id"], alice)
    assert (resumed["status"], resumed["ply"], resumed["moves"][0]["move"]) == ("live", 1, "5")


def test_a_provider_that_keeps_failing_forfeits_with_its_own_reason(client, alice, openai_http, settings):
    settings.LLM_MAX_PROVIDER_RETRIES = 2
    route = openai_http.post("/chat/completions").respond(500, json=error_json("The server had an error"))
    game = create(client, alice, "tictactoe", MINI, "builtin:random")
    view = step(client, game["id"], alice)
    assert (view["winner"], view["termination"]) == ("black", "forfeit_provider_error")
    attempts = view["moves"][0]["attempts"]
    assert route.call_count == 3 and len(attempts) == 3
    assert all(a["error"].startswith("provider_server_error") and a["cost_micros"] == 0 for a in attempts)
    assert view["totals"]["white"]["illegal_attempts"] == 0  # provider errors are not illegal moves
    assert spent(alice.user) == 0


def test_answers_cut_off_at_the_output_limit_are_counted_apart_and_forfeit_truncated(client, alice, openai_http):
    def cut(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        limit = body["max_completion_tokens"]
        answer = chat_json("Let me compare every cell, starting with the", prompt=1000, completion=limit)
        answer["choices"][0]["finish_reason"] = "length"
        answer["usage"]["completion_tokens_details"] = {"reasoning_tokens": 0}
        return httpx.Response(200, json=answer)

    route = openai_http.post("/chat/completions").mock(side_effect=cut)
    game = create(client, alice, "tictactoe", MINI, "builtin:random")
    view = step(client, game["id"], alice)
    assert (view["winner"], view["termination"]) == ("black", "forfeit_truncated")
    assert route.call_count == 3
    assert json.loads(route.calls.last.request.content)["max_completion_tokens"] == 8192  # the model's own limit
    attempts = view["moves"][0]["attempts"]
    for attempt in attempts:
        assert (attempt["finish_reason"], attempt["truncated"], attempt["reasoning_tokens"]) == ("length", True, 0)
        assert attempt["ttft_ms"] is None and attempt["error"].startswith("truncated:")
    assert "cut off at the output limit" in attempts[1]["prompt"] and "Answer shorter" in attempts[1]["prompt"]
    white = view["totals"]["white"]
    assert (white["truncated_attempts"], white["illegal_attempts"], white["moves"]) == (3, 0, 0)
    assert view["totals"][GAME_ROW]["truncated_attempts"] == 3


# ---------------------------------------------------------------------------------------- budgets


def test_an_exhausted_budget_pauses_the_game_until_it_is_raised(client, alice, openai_http):
    route = answering(openai_http, lambda body: "MOVE: 5")
    game = create(client, alice, "tictactoe", MINI, "builtin:random")
    users.update(alice.user, daily_budget_micros=0)

    refused = post(client, f"/api/games/{game['id']}/step", player=alice)
    body = assert_error(refused, 429, "budget_exceeded")
    assert int(refused["Retry-After"]) > 0 and body["error"]["details"]["limit"] == "budget"
    assert route.call_count == 0 and spent(alice.user) == 0
    paused = get(client, f"/api/games/{game['id']}", player=alice).json()
    assert (paused["status"], paused["pause_reason"], paused["ply"], paused["moves"]) == ("paused", "budget", 0, [])
    listed = get(client, "/api/games?status=paused").json()["items"]
    assert [g["id"] for g in listed] == [game["id"]] and listed[0]["pause_reason"] == "budget"
    assert_error(post(client, f"/api/games/{game['id']}/autoplay", player=alice), 429, "budget_exceeded")
    assert not store.get(game["id"]).autoplay

    users.update(alice.user, daily_budget_micros=1_000_000)  # (or: the next UTC day)
    resumed = step(client, game["id"], alice)
    assert (resumed["status"], resumed["pause_reason"], resumed["ply"]) == ("live", None, 1)
    assert resumed["moves"][0]["move"] == "5" and route.call_count == 1
    assert spent(alice.user) == MINI_CALL == all_charged(game["id"])


def test_the_turn_stops_when_the_next_calls_worst_case_does_not_fit_and_what_was_spent_is_recorded(
    client, alice, openai_http
):
    from llm.budget import worst_case_micros
    from llm.limits import limits_for
    from llm.prompts import build_messages

    answering(openai_http, lambda body: "MOVE: 42")  # illegal: the turn would retry
    game = create(client, alice, "tictactoe", MINI, "builtin:random")
    rules = get_rules("tictactoe")
    first = build_messages(rules, store.get(game["id"]).state, "white")
    worst = worst_case_micros(MINI, first, limits_for(MINI).max_output_tokens)
    users.update(alice.user, daily_budget_micros=worst + MINI_CALL - 1)  # room for one call, not two

    view = step(client, game["id"], alice)  # 202: there is budget left; the worker stops at the second call
    assert (view["status"], view["pause_reason"], view["ply"], view["moves_count"]) == ("paused", "budget", 0, 0)
    stored = store.get(game["id"])
    assert len(stored.interrupted) == 1 and stored.interrupted[0]["seat"] == "white"
    assert len(stored.interrupted[0]["attempts"]) == 1  # the second call's worst case did not fit: not made
    assert stored.totals["white"]["cost_micros"] == MINI_CALL == all_charged(game["id"])
    # what was spent is exactly what the calls cost, and never more than the budget
    assert spent(alice.user) == MINI_CALL <= worst + MINI_CALL - 1
    again = step(client, game["id"], alice)  # accepted (budget is left), paused again without a call
    assert (again["status"], again["pause_reason"]) == ("paused", "budget")
    assert spent(alice.user) == MINI_CALL == all_charged(game["id"])


def test_autoplay_stops_at_the_budget_and_a_new_autoplay_resumes(client, alice, openai_http):
    from llm.budget import worst_case_micros
    from llm.limits import limits_for
    from llm.prompts import build_messages

    answering(openai_http, lambda body: f"MOVE: {free_cell(game['id'])}")
    game = create(client, alice, "tictactoe", MINI, "builtin:random", seed=8)
    rules = get_rules("tictactoe")
    worst = worst_case_micros(
        MINI, build_messages(rules, store.get(game["id"]).state, "white"), limits_for(MINI).max_output_tokens
    )
    users.update(alice.user, daily_budget_micros=worst + MINI_CALL - 1)  # one model call's worst case today
    assert post(client, f"/api/games/{game['id']}/autoplay", player=alice).status_code == 200
    assert autoplay.wait_idle(30)
    stored = store.get(game["id"])
    assert (stored.status, stored.pause_reason, stored.ply, stored.autoplay) == ("paused", "budget", 2, True)
    assert spent(alice.user) == MINI_CALL

    users.update(alice.user, daily_budget_micros=1_000_000)
    assert post(client, f"/api/games/{game['id']}/autoplay", player=alice).status_code == 200
    assert autoplay.wait_idle(30)
    stored = store.get(game["id"])
    assert stored.status == "finished" and stored.pause_reason is None
    assert spent(alice.user) == all_charged(game["id"]) == stored.totals[GAME_ROW]["cost_micros"]


def test_charged_is_the_sum_of_the_recorded_attempts_over_a_whole_game(client, alice, openai_http):
    rng = random.Random(1)

    def answer(body):
        # a mix: garbage, wrong format, legal - and varying token counts per call
        board = store.get(game["id"]).state["board"]
        free = [str(i + 1) for i, mark in enumerate(board) if not mark]
        return rng.choice(["MOVE: 0", "no idea", f"MOVE: {rng.choice(free)}", f"MOVE: {free[0]}"])

    def reply(request):
        body = json.loads(request.content)
        prompt, completion = rng.randint(10, 5000), rng.randint(1, 900)
        return httpx.Response(200, json=chat_json(answer(body), prompt=prompt, completion=completion))

    openai_http.post("/chat/completions").mock(side_effect=reply)
    game = create(client, alice, "tictactoe", MINI, NANO)
    view = game
    while view["status"] == "live":
        view = step(client, game["id"], alice)
    attempts = attempts_of(game["id"])
    assert attempts and spent(alice.user) == sum(a.cost_micros for a in attempts) == all_charged(game["id"])
    assert view["totals"][GAME_ROW]["cost_micros"] == spent(alice.user)


# ------------------------------------------------------------------------------------- rate limits


def test_model_requests_are_rate_limited_and_bot_turns_are_not(client, alice, openai_http, settings):
    settings.MODEL_CALLS_PER_MINUTE = 1
    route = answering(openai_http, lambda body: f"MOVE: {free_cell(game['id'])}")
    game = create(client, alice, "tictactoe", MINI, "builtin:random")
    step(client, game["id"], alice)  # the model: counted
    step(client, game["id"], alice)  # the bot: not counted
    refused = post(client, f"/api/games/{game['id']}/step", player=alice)
    assert_error(refused, 429, "rate_limited")
    assert int(refused["Retry-After"]) >= 1
    assert store.get(game["id"]).ply == 2 and route.call_count == 1
    assert_error(post(client, f"/api/games/{game['id']}/autoplay", player=alice), 429, "rate_limited")
    assert not store.get(game["id"]).autoplay


# ---------------------------------------------------------------------------- simultaneous seats


@pytest.mark.integration
def test_both_model_seats_of_a_rps_round_are_asked_at_once(client, carol, concurrent_http):
    alice, openai_http = carol, concurrent_http
    together = threading.Barrier(2, timeout=10)  # breaks (and fails the turn) unless both calls overlap
    prompts: dict[str, str] = {}

    def answer(body):
        prompts[body["model"]] = body["messages"][-1]["content"]
        together.wait()
        return "Rock is solid.\nMOVE: rock" if body["model"] == "gpt-4.1-nano" else "MOVE: Paper"

    route = answering(openai_http, answer)
    game = create(client, alice, "rps", MINI, NANO, rounds=3)
    view = step(client, game["id"], alice)
    assert route.call_count == 2 and not together.broken
    assert view["state"]["rounds"] == [{"white": "paper", "black": "rock", "winner": "white"}]
    assert [(m["ply"], m["seat"], m["move"]) for m in view["moves"]] == [(0, "white", "paper"), (1, "black", "rock")]
    assert all("Both choose at once" in p for p in prompts.values())
    white, black = view["totals"]["white"], view["totals"]["black"]
    assert (white["cost_micros"], black["cost_micros"]) == (MINI_CALL, NANO_CALL)
    assert spent(alice.user) == MINI_CALL + NANO_CALL == all_charged(game["id"])
    while view["status"] == "live":
        together.reset()
        view = step(client, game["id"], alice)
    assert (view["result"], view["termination"]) == ("first", "rounds_complete") and len(view["moves"]) == 6


@pytest.mark.integration
def test_a_model_seat_never_sees_the_other_seats_pending_choice(client, carol, concurrent_http):
    alice, openai_http = carol, concurrent_http
    seen: list[str] = []

    def answer(body):
        seen.append(body["messages"][-1]["content"])
        return "MOVE: scissors"

    answering(openai_http, answer)
    game = create(client, alice, "rps", "human", MINI)
    post(client, f"/api/games/{game['id']}/moves", {"move": "rock", "expected_ply": 0}, player=alice)
    view = step(client, game["id"], alice)
    assert view["state"]["rounds"][0] == {"white": "rock", "black": "scissors", "winner": "white"}
    shown = seen[0].lower().replace("rock-paper-scissors", "")
    assert "rock" not in shown and "already chosen" not in shown and "Both choose at once." in seen[0]


# ----------------------------------------------------------------------------------------- judge


def _two_words(state: dict) -> tuple[str, str]:
    """Two valid, unrelated-to-each-other unused words for the first answers of this game."""
    used = used_words(state)
    found = [w for w in ("ocean", "water", "river", "stone", "garden", "music") if is_word(w)]
    found = [w for w in found if clash(w, used) is None]
    return found[0], found[1]


def test_the_judge_rules_on_each_answer_and_its_cost_is_charged(client, alice, openai_http):
    game = create(client, alice, "words", MINI, "builtin:wordsmith", judge_model=NANO, rounds=1)
    rejected, accepted = _two_words(store.get(game["id"]).state)
    asked: list[str] = []

    def answer(body):
        if body["messages"][0]["content"] == judge.SYSTEM:
            question = body["messages"][1]["content"]
            asked.append(question)
            return "No link at all.\nVERDICT: no" if f"Answer: {rejected}" in question else "Related.\nVERDICT: yes"
        return f"MOVE: {rejected}" if len(body["messages"]) == 2 else f"MOVE: {accepted}"

    def reply(request):
        body = json.loads(request.content)
        tokens = (200, 20) if body["model"] == "gpt-4.1-nano" else TOKENS
        return httpx.Response(200, json=chat_json(answer(body), prompt=tokens[0], completion=tokens[1]))

    openai_http.post("/chat/completions").mock(side_effect=reply)
    view = step(client, game["id"], alice)
    attempts = view["moves"][0]["attempts"]
    assert [a["parsed"] for a in attempts] == [rejected, accepted]
    assert attempts[0]["error"].startswith("not_associated") and attempts[1]["error"] is None
    assert attempts[0]["judge"]["associated"] is False and attempts[0]["judge"]["reason"] == "No link at all."
    assert attempts[1]["judge"]["associated"] is True and attempts[1]["judge"]["judge"] == NANO
    judge_call = 28  # µ$: 200 * 0.10 + 20 * 0.40
    assert all(a["judge"]["cost_micros"] == judge_call and a["judge"]["tokens_in"] == 200 for a in attempts)
    assert "not associated" in attempts[1]["prompt"]  # the model was told why its word was refused
    entry = view["state"]["words"][0]
    assert (entry["word"], entry["judged"], entry["associated"], entry["judge"]) == (accepted, True, True, NANO)

    totals = view["totals"]
    assert totals["white"]["illegal_attempts"] == 1 and totals["white"]["cost_micros"] == 2 * MINI_CALL
    assert (totals[JUDGE_ROW]["cost_micros"], totals[JUDGE_ROW]["moves"], totals[JUDGE_ROW]["illegal_attempts"]) == (
        2 * judge_call,
        2,
        1,
    )
    assert totals[GAME_ROW]["cost_micros"] == 2 * MINI_CALL + 2 * judge_call
    assert spent(alice.user) == 2 * MINI_CALL + 2 * judge_call == all_charged(game["id"])

    # the bot's answer is judged too (and charged); the judge says yes to it
    view = step(client, game["id"], alice)
    assert view["state"]["words"][1]["judged"] is True and len(asked) == 3
    assert spent(alice.user) == 2 * MINI_CALL + 3 * judge_call == all_charged(game["id"])
    assert view["status"] == "finished" and view["termination"] == "rounds_complete"


def test_a_failing_judge_leaves_the_word_unjudged(client, alice, openai_http, settings):
    settings.LLM_MAX_PROVIDER_RETRIES = 1
    openai_http.post("/chat/completions").respond(503, json=error_json("overloaded"))
    game = create(client, alice, "words", "builtin:wordsmith", "builtin:random", judge_model=NANO)
    view = step(client, game["id"], alice)
    entry = view["state"]["words"][0]
    assert (entry["judged"], entry["associated"]) == (False, None)
    verdict = view["moves"][0]["attempts"][0]["judge"]
    assert verdict["associated"] is None and verdict["error"].startswith("provider_server_error")
    assert verdict["calls"] == 2 and view["moves"][0]["move"] and spent(alice.user) == 0


def test_without_a_judge_association_is_recorded_as_not_judged(client, alice, openai_http):
    route = openai_http.post("/chat/completions").respond(500)
    game = create(client, alice, "words", "builtin:wordsmith", "builtin:random")
    view = step(client, game["id"], alice)
    assert view["state"]["words"][0]["judged"] is False and view["state"]["words"][0]["associated"] is None
    assert view["moves"][0]["attempts"][0]["judge"] is None and route.call_count == 0


def test_the_judge_must_be_a_configured_model(client, alice, openai_http):
    body = {"game_type": "words", "white_model": "builtin:wordsmith", "black_model": "builtin:random"}
    for judge_model in ("anthropic:claude-haiku-4-5", "builtin:random", "human"):
        reply = post(client, "/api/games", {**body, "options": {"judge_model": judge_model}}, player=alice)
        assert assert_error(reply, 400, "invalid_options")["error"]["details"]["option"] == "judge_model"
    reply = post(client, "/api/games", {**body, "options": {"judge_model": NANO}}, player=alice)
    assert reply.status_code == 201 and reply.json()["options"]["judge_model"] == NANO


def test_a_models_chess_prompt_gives_the_whole_move_list_from_the_games_history(client, alice, openai_http):
    """The game item keeps only the repetition window; the turn reads the history item with it (one
    Query) so the prompt still lists every move (GAMES.md), and the stored state never carries it."""
    import chess

    from games.rules import chess_rules

    def answer(body):
        board = chess.Board(store.get(game["id"]).state["fen"])
        captures = [m for m in board.legal_moves if board.is_capture(m)]  # capture early: the window resets
        return f"MOVE: {(captures or list(board.legal_moves))[0].uci()}"

    route = answering(openai_http, answer)
    game = create(client, alice, "chess", MINI, "builtin:random", seed=4)
    for _ in range(8):
        view = step(client, game["id"], alice)  # the model's turn (202, then played), or the bot's (200)
        if view["status"] != "live":
            break
    stored, moves = store.load(game["id"])
    sans = [m.san for m in moves]
    prompt = json.loads(route.calls.last.request.content)["messages"][-1]["content"]
    assert "Moves so far (SAN): 1. " + sans[0] in prompt
    last_asked = max(m.ply for m in moves if m.seat == "white")  # the prompt of the model's last turn...
    assert chess_rules.movetext(chess.STARTING_FEN, sans[:last_asked]) in prompt  # ...lists every move before it
    assert "history_san" not in stored.state
