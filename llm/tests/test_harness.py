"""The harness with a scripted provider: prompts, feedback and retries, forfeits, costs, budget, threads."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from games.rules import IllegalMove, get_rules
from games.vocabulary import Termination
from llm.budget import Reservation, worst_case_micros
from llm.harness import (
    TurnResult,
    backoff_seconds,
    play_turn,
)
from llm.limits import FAMILY_DEFAULTS, STANDARD
from llm.prompts import build_messages, seat_label
from llm.providers import Completion, FinishReason, Message, ProviderError

MINI = "openai:gpt-4.1-mini"  # $0.40 / $1.60 per Mtok


class ScriptedProvider:
    """Answers from a script: a str (answer text), a Completion, or a ProviderError to raise."""

    name = "scripted"

    def __init__(self, *script: str | Completion | ProviderError, tokens: tuple[int, int] = (1000, 100)) -> None:
        self.script = list(script)
        self.tokens = tokens
        self.calls: list[list[Message]] = []
        self.timeouts: list[float] = []
        self.asked: list[tuple[int, str | None]] = []  # (max_tokens, reasoning_effort) per call

    def complete(self, model, messages, *, max_tokens, timeout, reasoning_effort=None):
        self.calls.append(list(messages))
        self.timeouts.append(timeout)
        self.asked.append((max_tokens, reasoning_effort))
        step = self.script.pop(0)
        if isinstance(step, ProviderError):
            raise step
        if isinstance(step, Completion):
            return step
        return Completion(step, None, self.tokens[0], self.tokens[1], latency_ms=250)


def turn(
    game: str, *script, seat="white", state=None, player=MINI, options=None, **kwargs
) -> tuple[TurnResult, ScriptedProvider]:
    rules = get_rules(game)
    state = state or rules.initial_state(options or {}, 7)
    provider = kwargs.pop("provider", None) or ScriptedProvider(*script)
    kwargs.setdefault("sleep", lambda _: None)
    return play_turn(rules, state, seat, player, provider=provider, **kwargs), provider


def after(game: str, moves: list[tuple[str, str]], seed: int = 7, options: dict | None = None) -> dict:
    rules = get_rules(game)
    state = rules.initial_state(options or {}, seed)
    for seat, move in moves:
        state = rules.apply(state, seat, rules.parse_move(state, seat, move))
    return state


# ---------------------------------------------------------------------------------------- prompts


def test_chess_prompt_has_fen_moves_format_and_no_legal_moves():
    rules = get_rules("chess")
    state = after("chess", [("white", "e4"), ("black", "e5"), ("white", "Nf3"), ("black", "Nc6")])
    system, user = build_messages(rules, state, "white")
    assert system.role == "system" and "MOVE: <move>" in system.content and "SAN" in system.content
    assert state["fen"] in user.content and "2. Nf3 Nc6" in user.content
    assert "You play white" in user.content
    assert "Legal moves" not in user.content and "f1c4" not in user.content
    hinted = build_messages(rules, state, "white", legal_moves_hint=True)[1].content
    assert "Legal moves (UCI):" in hinted and "f1c4" in hinted


def test_legal_moves_hint_follows_the_game_option():
    rules = get_rules("tictactoe")
    state = rules.initial_state({"legal_moves_hint": True}, 1)
    assert "Legal moves: 1, 2, 3, 4, 5, 6, 7, 8, 9." in build_messages(rules, state, "white")[1].content
    words = get_rules("words")
    hint = build_messages(words, words.initial_state({"legal_moves_hint": True}, 1), "white")[1].content
    assert "a sample, not the full list" in hint


@pytest.mark.parametrize(
    ("game", "white", "black"),
    [
        ("chess", "white", "black"),
        ("tictactoe", "X", "O"),
        ("rps", "player1", "player2"),
        ("racing", "player1", "player2"),
        ("words", "player1", "player2"),
    ],
)
def test_every_game_prompt_names_the_seat_and_the_format(game, white, black):
    rules = get_rules(game)
    state = rules.initial_state({}, 3)
    assert (seat_label(game, "white"), seat_label(game, "black")) == (white, black)
    system, user = build_messages(rules, state, "black" if game in ("rps", "racing") else "white")
    label = black if game in ("rps", "racing") else white
    assert f"You play {label}." in user.content and f"Your move as {label}." in user.content
    assert user.content.rstrip().endswith("MOVE: <move>")
    assert "Rules:" in system.content and "after 3 failed tries" in system.content
    assert rules.render(state, "black" if game in ("rps", "racing") else "white") in user.content


def test_simultaneous_prompt_hides_the_opponents_pending_choice():
    rules = get_rules("rps")
    state = rules.apply(rules.initial_state({}, 1), "white", "rock")
    user = build_messages(rules, state, "black")[1].content.replace("Rock-paper-scissors", "")
    assert "rock" not in user.lower() and "at the same time" in user
    assert "The opponent has already chosen (hidden)." in user


def test_history_is_in_the_prompt():
    ttt = get_rules("tictactoe")
    state = after("tictactoe", [("white", "5"), ("black", "1")])
    assert "Moves so far, in order: X 5, O 1." in build_messages(ttt, state, "white")[1].content
    racing = get_rules("racing")
    state = racing.initial_state({}, 2)
    for _ in range(12):
        state = racing.apply(racing.apply(state, "white", "coast"), "black", "brake")
    user = build_messages(racing, state, "black")[1].content
    assert "1: you brake, opponent coast" in user and "12: you brake, opponent coast" in user


# ------------------------------------------------------------------------------- answers and retries


def test_illegal_then_legal_answer_records_two_attempts_with_feedback():
    state = after("tictactoe", [("white", "5"), ("black", "1")])
    result, provider = turn("tictactoe", "I like the centre.\nMOVE: 5", "Oops.\nMOVE: 9", state=state)
    assert result.move == "9" and result.forfeit is None and len(result.attempts) == 2
    first, second = result.attempts
    assert first.parsed_move == "5" and first.move is None and first.error.startswith("illegal_move:")
    assert first.reasoning == "I like the centre."
    assert second.move == "9" and second.error is None and second.number == 2
    retry = provider.calls[1]
    assert [m.role for m in retry] == ["system", "user", "assistant", "user"]
    assert retry[2].content == "I like the centre.\nMOVE: 5"
    assert "cell 5 is already taken by X" in retry[3].content and "2 more tries" in retry[3].content
    assert "cell 5 is already taken" in second.prompt and "[assistant]" in second.prompt


def test_three_illegal_answers_forfeit():
    state = after("tictactoe", [("white", "5")])
    result, provider = turn("tictactoe", "MOVE: 5", "no idea", "MOVE: 10", state=state, seat="black")
    assert result.forfeit == Termination.FORFEIT_ILLEGAL_MOVES and result.move is None
    assert [a.number for a in result.attempts] == [1, 2, 3] and result.illegal_attempts == 3
    assert result.attempts[1].error.startswith("no_move_line:") and result.attempts[2].error.startswith(
        "unreadable_move:"
    )
    assert "MOVE: <move>" in provider.calls[2][-1].content and "1 more try" in provider.calls[2][-1].content
    assert result.error == result.attempts[2].error


def cut_off(text: str = "Let me analyse every line, starting with", tokens: int = 8192) -> Completion:
    """An answer that hit the output limit."""
    return Completion(text, None, 10, tokens, 900, finish_reason=FinishReason.LENGTH, reasoning_tokens=tokens - 40)


def test_truncated_answer_gets_its_own_feedback_and_is_not_illegal():
    result, provider = turn("rps", cut_off(), "MOVE: paper")
    assert result.move == "paper" and result.forfeit is None
    cut, played = result.attempts
    assert cut.truncated and cut.finish_reason == "length" and cut.reasoning_tokens == 8152 and cut.ttft_ms is None
    assert cut.error.startswith("truncated:") and "cut off at the output limit" in cut.error
    assert not cut.illegal and result.illegal_attempts == 0 and result.truncated_attempts == 1
    assert not played.truncated and played.finish_reason == "stop" and played.error is None
    retry = provider.calls[1][-1].content
    assert "cut off at the output limit (after 8192 output tokens) before a readable MOVE line" in retry
    assert "Answer shorter" in retry and "2 more tries" in retry and "MOVE: <move>" in retry
    stored = result.to_dict()
    assert stored["truncated_attempts"] == 1 and stored["attempts"][0]["finish_reason"] == "length"


def test_an_illegal_answer_does_not_get_the_truncation_feedback():
    result, provider = turn("rps", "MOVE: lizard", "MOVE: rock")
    assert "Answer shorter" not in provider.calls[1][-1].content and "not accepted" in provider.calls[1][-1].content
    assert result.attempts[0].illegal and not result.attempts[0].truncated


def test_a_move_line_cut_mid_move_counts_as_truncated_not_illegal():
    state = after("chess", [])
    result, _ = turn("chess", cut_off("Best is the knight.\nMOVE: N"), "MOVE: Nf3", state=state)
    assert result.move == "g1f3"
    first = result.attempts[0]
    assert first.truncated and first.parsed_move == "N" and first.error.startswith("truncated:")
    assert "the last MOVE line read" in first.error and not first.illegal


def test_a_truncated_answer_with_a_legal_move_line_is_played_and_recorded_as_truncated():
    result, _ = turn("rps", cut_off("Rock it is.\nMOVE: rock"))
    assert result.move == "rock" and len(result.attempts) == 1
    only = result.attempts[0]
    assert only.truncated and only.error is None and result.truncated_attempts == 0 and not only.illegal


def test_three_truncated_answers_forfeit_truncated_and_mixed_failures_forfeit_illegal():
    result, _ = turn("rps", cut_off(), cut_off(), cut_off())
    assert result.forfeit == Termination.FORFEIT_TRUNCATED and result.move is None
    assert result.truncated_attempts == 3 and result.illegal_attempts == 0
    mixed, _ = turn("rps", cut_off(), "MOVE: lizard", cut_off())
    assert mixed.forfeit == Termination.FORFEIT_ILLEGAL_MOVES
    assert (mixed.truncated_attempts, mixed.illegal_attempts) == (2, 1)


def test_the_stored_attempt_keeps_finish_reason_truncation_and_reasoning_tokens():
    from games.records import Attempt as StoredAttempt

    result, _ = turn("rps", cut_off(), "MOVE: rock")
    cut, played = (StoredAttempt(**a.record_fields()) for a in result.attempts)
    assert (cut.finish_reason, cut.truncated, cut.reasoning_tokens, cut.ttft_ms) == ("length", True, 8152, None)
    assert cut.truncated_failure and not cut.illegal
    assert (played.finish_reason, played.truncated, played.reasoning_tokens) == ("stop", False, None)
    # a move stored before these fields existed still loads
    old = StoredAttempt.from_dict({"attempt": 1, "answer": "MOVE: rock", "error": "illegal_move: x"})
    assert old.finish_reason is None and not old.truncated and old.illegal


# ----------------------------------------------------------------------------------- per-model limits


def test_the_turn_uses_the_players_own_limits():
    _, reasoning = turn("rps", "MOVE: rock", player="openai:o3")
    assert reasoning.asked == [(32000, "medium")] and reasoning.timeouts == [600]
    _, standard = turn("rps", "MOVE: rock", player=MINI)
    assert standard.asked == [(8192, None)] and standard.timeouts == [120]


class ReasoningModel:
    """A slow reasoning model on a fake clock, shaped like Kaggle Game Arena's recorded o3 chess calls:
    each call takes ``seconds`` and writes ``tokens`` output tokens (a provider timeout when the call
    would outlast its timeout, an answer cut off when it would outgrow max_tokens)."""

    name = "replay"

    def __init__(self, calls: list[tuple[float, int, str]]) -> None:
        self.script = list(calls)
        self.now = 0.0
        self.asked: list[tuple[int, float, str | None]] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def complete(self, model, messages, *, max_tokens, timeout, reasoning_effort=None):
        self.asked.append((max_tokens, timeout, reasoning_effort))
        seconds, tokens, text = self.script[0] if len(self.script) == 1 else self.script.pop(0)
        if seconds > timeout:
            self.now += timeout
            raise ProviderError("timeout", "replay did not answer in time", True)
        self.now += seconds
        if tokens > max_tokens:
            return Completion(
                text[: len(text) // 3],
                None,
                900,
                max_tokens,
                int(seconds * 1000),
                finish_reason=FinishReason.LENGTH,
                reasoning_tokens=max_tokens,
            )
        return Completion(text, None, 900, tokens, int(seconds * 1000), reasoning_tokens=tokens - 300)


# (seconds, output tokens, answer): an illegal first answer, then the move; within 200-500 s and
# 10,000-20,000 tokens per call, like most of o3's recorded calls.
O3_CALLS = [(430.0, 17500, "Long analysis.\nMOVE: e5"), (380.0, 12000, "Long analysis.\nMOVE: e4")]
OLD_GLOBAL_LIMITS = replace(FAMILY_DEFAULTS[STANDARD], call_timeout=60, turn_deadline=300, max_output_tokens=4096)


def test_replayed_reasoning_model_plays_under_its_defaults_and_forfeited_under_the_old_limit():
    model = ReasoningModel(O3_CALLS)
    result, _ = turn("chess", provider=model, player="openai:o3", clock=model.clock, sleep=model.sleep)
    assert result.move == "e2e4" and result.forfeit is None
    assert [a.output_tokens for a in result.attempts] == [17500, 12000]
    assert not any(a.truncated for a in result.attempts) and result.attempts[1].reasoning_tokens == 11700
    assert model.asked[0] == (32000, 600, "medium") and model.now == 810.0
    # the second call's timeout is what is left of the 840 s turn
    assert model.asked[1][1] == 840 - 430

    old = ReasoningModel(O3_CALLS)
    result, _ = turn(
        "chess", provider=old, player="openai:o3", clock=old.clock, sleep=old.sleep, limits=OLD_GLOBAL_LIMITS
    )
    assert result.forfeit == Termination.FORFEIT_TIMEOUT and result.move is None
    assert all(a.error.startswith("provider_timeout") for a in result.attempts)
    assert {timeout for _, timeout, _ in old.asked} == {60}


def test_under_the_old_token_limit_a_reasoning_answer_is_cut_off_and_forfeits_truncated():
    # given the time, 4,096 output tokens still cut every 10,000+ token answer before its MOVE line
    model = ReasoningModel([(100.0, 15000, "Long analysis.\nMOVE: e4")])
    limits = replace(OLD_GLOBAL_LIMITS, call_timeout=600, turn_deadline=840)
    result, _ = turn("chess", provider=model, player="openai:o3", clock=model.clock, sleep=model.sleep, limits=limits)
    assert result.forfeit == Termination.FORFEIT_TRUNCATED
    assert result.truncated_attempts == 3 and result.illegal_attempts == 0


@pytest.mark.parametrize(
    ("game", "answer", "move", "state_moves"),
    [
        ("chess", "Developing.\n**MOVE:** Nf3", "g1f3", []),
        ("chess", "MOVE: d4\nOn second thought...\nmove: `e7e5`.", "e7e5", [("white", "e4")]),
        (
            "chess",
            "Castle!\n\nMOVE:\n```\nO-O\n```",
            "e1g1",
            [
                ("white", "e4"),
                ("black", "e5"),
                ("white", "Nf3"),
                ("black", "Nc6"),
                ("white", "Bc4"),
                ("black", "Bc5"),
            ],
        ),
        ("tictactoe", "### Move: **b2**", "5", []),
        ("tictactoe", "- MOVE: cell 9.", "9", [("white", "5")]),
        ("rps", "<think>MOVE: rock</think>Going with paper.\nMOVE: PAPER!", "paper", []),
        ("racing", "Speed up.\n> Move = 'Accelerate'", "accelerate", []),
        ("racing", "MOVE: boo", "boost", []),
        ("words", "Final move: \u201cOcean\u201d", "ocean", []),
    ],
)
def test_move_lines_in_every_game(game, answer, move, state_moves):
    state = after(game, state_moves)
    seat = get_rules(game).to_move(state)[0]
    result, _ = turn(game, answer, state=state, seat=seat)
    assert result.move == move and len(result.attempts) == 1


def test_words_answers_are_checked_by_the_rules():
    state = after("words", [])
    start = state["start_word"]
    result, _ = turn("words", f"MOVE: {start}", "MOVE: two words", "MOVE: zzzzqx", state=state)
    assert result.forfeit == Termination.FORFEIT_ILLEGAL_MOVES
    errors = [a.error for a in result.attempts]
    assert "previous word" in errors[0] and "more than one word" in errors[1] and "word list" in errors[2]


def test_seat_that_cannot_move_is_a_caller_error():
    with pytest.raises(IllegalMove):
        turn("tictactoe", "MOVE: 1", seat="black")


# ------------------------------------------------------------------------------- provider failures


def test_provider_errors_are_retried_with_backoff_then_forfeit():
    error = ProviderError("server_error", "HTTP 502", True)
    sleeps: list[float] = []
    limits = replace(FAMILY_DEFAULTS[STANDARD], max_provider_retries=3)
    result, _ = turn("rps", error, error, error, error, sleep=sleeps.append, limits=limits)
    assert result.forfeit == Termination.FORFEIT_PROVIDER_ERROR and len(result.attempts) == 4 and len(sleeps) == 3
    assert all(a.input_tokens == 0 and a.cost_micros == 0 and a.answer == "" for a in result.attempts)
    assert all(a.prompt for a in result.attempts)  # the prompt that was sent is kept for failed calls too


def test_provider_timeouts_forfeit_timeout_and_unretryable_errors_stop_at_once():
    timeout = ProviderError("timeout", "slow", True)
    result, _ = turn("rps", timeout, timeout, limits=replace(FAMILY_DEFAULTS[STANDARD], max_provider_retries=1))
    assert result.forfeit == Termination.FORFEIT_TIMEOUT and len(result.attempts) == 2
    result, _ = turn("rps", ProviderError("bad_request", "HTTP 400", False), "MOVE: rock")
    assert result.forfeit == Termination.FORFEIT_PROVIDER_ERROR and len(result.attempts) == 1
    assert result.error == "provider_bad_request: HTTP 400"


def test_a_refused_key_is_our_configuration_not_the_models_forfeit():
    result, _ = turn("rps", ProviderError("auth", "HTTP 401", False), "MOVE: rock")
    assert result.unavailable and result.forfeit is None and result.move is None and len(result.attempts) == 1
    assert result.error == "provider_auth: HTTP 401"


def test_provider_errors_and_illegal_answers_count_separately():
    flaky = ProviderError("rate_limited", "429", True)
    result, _ = turn("rps", flaky, "MOVE: lizard", flaky, "MOVE: spock", "MOVE: rock")
    assert result.move == "rock" and len(result.attempts) == 5 and result.illegal_attempts == 2


def test_an_unknown_provider_is_unavailable_with_a_recorded_attempt():
    rules = get_rules("rps")
    result = play_turn(rules, rules.initial_state({}, 1), "white", "nope:model", sleep=lambda _: None)
    assert result.unavailable and result.forfeit is None and len(result.attempts) == 1
    assert result.attempts[0].error.startswith("provider_unavailable")


def test_turn_deadline_forfeits_timeout_and_bounds_call_timeouts():
    now = [0.0]
    provider = ScriptedProvider("MOVE: lizard", "MOVE: lizard", "MOVE: rock")
    original = provider.complete

    def slow(*args, **kwargs):
        now[0] += 70
        return original(*args, **kwargs)

    provider.complete = slow
    limits = replace(FAMILY_DEFAULTS[STANDARD], call_timeout=60, turn_deadline=100)
    result, _ = turn("rps", provider=provider, clock=lambda: now[0], limits=limits)
    assert result.forfeit == Termination.FORFEIT_TIMEOUT and len(result.attempts) == 2
    assert provider.timeouts == [60, 30]


def test_backoff_grows_with_jitter_honours_retry_after_and_is_capped():
    limits = replace(FAMILY_DEFAULTS[STANDARD], retry_base=1.0, retry_max=10.0)
    rng = random.Random(5)
    for failures, (lo, hi) in {1: (0.5, 1), 2: (1, 2), 3: (2, 4), 6: (5, 10)}.items():
        assert lo <= backoff_seconds(failures, None, limits, rng) <= hi
    assert backoff_seconds(1, 7.0, limits, rng) == 7.0
    assert backoff_seconds(1, 60.0, limits, rng) == 10.0


# ------------------------------------------------------------------------------------ costs, budget


def test_costs_are_exact_sums_of_attempts():
    state = after("tictactoe", [("white", "5")])
    answers = [Completion("MOVE: 5", None, 1234, 567, 10), Completion("MOVE: 1", None, 1500, 33, 20)]
    result, _ = turn("tictactoe", *answers, state=state, seat="black")
    # 1234 * 0.40 + 567 * 1.60 = 1400.8 -> 1401 µ$; 1500 * 0.40 + 33 * 1.60 = 652.8 -> 653 µ$
    assert [a.cost_micros for a in result.attempts] == [1401, 653]
    assert (result.cost_micros, result.input_tokens, result.output_tokens) == (2054, 2734, 600)
    assert result.latency_ms == 30 and result.priced
    data = result.to_dict()
    assert data["cost_micros"] == 2054 and data["attempts"][0]["cost_micros"] == 1401


def test_unknown_prices_are_none_not_zero():
    result, _ = turn("rps", "MOVE: rock", player="openai:some-future-model")
    assert result.attempts[0].cost_micros is None and not result.priced and result.cost_micros == 0


class MemoryBudget:
    """The spending port in memory (the DynamoDB one is tested in games/tests/test_budget_ddb_local.py)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.spent, self.lock = limit, 0, threading.Lock()
        self.held: list[int] = []

    def reserve(self, micros: int):
        with self.lock:
            if self.spent + micros > self.limit:
                return None
            self.spent += micros
            self.held.append(micros)
            return Reservation(micros, "today")

    def settle(self, reservation, actual: int) -> None:
        with self.lock:
            self.spent += actual - reservation.micros


def test_each_call_reserves_its_worst_case_and_settles_to_its_cost():
    rules = get_rules("rps")
    first_prompt = build_messages(rules, rules.initial_state({}, 7), "white")
    worst = worst_case_micros(MINI, first_prompt, FAMILY_DEFAULTS[STANDARD].max_output_tokens)
    # 8,192 output tokens at $1.60/Mtok alone are 13,108 µ$; a call really costs 560 µ$ here.
    assert worst > 13_108
    budget = MemoryBudget(limit=worst + 560 - 1)  # room for the first call's worst case, not a second one
    result, provider = turn("rps", "MOVE: lizard", "MOVE: rock", budget=budget)
    assert result.paused_for_budget and result.move is None and result.forfeit is None
    assert len(provider.calls) == 1 and budget.held == [worst] and budget.spent == 560  # settled exactly
    assert result.error.startswith("budget:")
    roomy = MemoryBudget(limit=10 * worst)
    done, _ = turn("rps", "MOVE: lizard", "MOVE: rock", budget=roomy)
    assert done.move == "rock" and not done.paused_for_budget and roomy.spent == 2 * 560


def test_a_failed_call_settles_to_nothing():
    budget = MemoryBudget(limit=10**9)
    error = ProviderError("server_error", "boom", retryable=True)
    result, _ = turn("rps", error, "MOVE: rock", budget=budget)
    assert result.move == "rock" and budget.spent == 560 and len(budget.held) == 2


def test_twenty_concurrent_turns_never_spend_more_than_the_budget():
    rules = get_rules("rps")
    worst = worst_case_micros(MINI, build_messages(rules, rules.initial_state({}, 7), "white"), 8192)
    budget = MemoryBudget(limit=5 * worst)  # room for five calls' worst cases at once

    def play(_):
        return turn("rps", "MOVE: rock", budget=budget)[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(play, range(20)))
    played = [r for r in results if r.move]
    assert budget.spent == 560 * len(played) <= budget.limit
    assert all(r.move or r.paused_for_budget for r in results)


def test_attempts_fit_the_stored_move_record():
    from games.records import Attempt as StoredAttempt

    state = after("tictactoe", [("white", "5")])
    thinking = Completion("Corner.\nMOVE: 1", "deep thoughts", 10, 5, 7)
    result, _ = turn("tictactoe", "MOVE: 5", thinking, state=state, seat="black")
    stored = [StoredAttempt(**a.record_fields()) for a in result.attempts]
    assert stored[1].parsed == "1" and stored[1].reasoning == "deep thoughts\n\nCorner."
    assert stored[0].error.startswith("illegal_move") and stored[0].parsed == "5"


# --------------------------------------------------------------------------------------- threads


def test_both_seats_of_a_simultaneous_game_can_play_at_once():
    rules = get_rules("racing")
    state = rules.initial_state({}, 4)
    barrier = threading.Barrier(2)

    class Waiting(ScriptedProvider):
        def complete(self, *args, **kwargs):
            if not self.calls:
                barrier.wait(timeout=5)  # both seats' first calls are in flight together
            return super().complete(*args, **kwargs)

    def play(seat: str, answers: list[str]) -> TurnResult:
        return play_turn(rules, state, seat, MINI, provider=Waiting(*answers), sleep=lambda _: None)

    with ThreadPoolExecutor(2) as pool:
        white = pool.submit(play, "white", ["MOVE: warp", "MOVE: accelerate"])
        black = pool.submit(play, "black", ["MOVE: boost"])
        white_result, black_result = white.result(timeout=10), black.result(timeout=10)
    assert (white_result.move, len(white_result.attempts)) == ("accelerate", 2)
    assert (black_result.move, len(black_result.attempts)) == ("boost", 1)
    assert white_result.seat == "white" and black_result.seat == "black"
