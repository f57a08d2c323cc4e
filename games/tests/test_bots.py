"""Built-in bots: legal moves only, determinism, no peeking, and strength against random play."""

from __future__ import annotations

import random

import pytest

from games.bots import ALL_GAMES, BOTS, Bot
from games.rules import RULES, RuleError, Rules, get_rules


def play(game: str, white: str, black: str, seed: int, options: dict | None = None) -> dict:
    """Bot vs bot; every choice must parse to a legal canonical move."""
    rules = get_rules(game)
    state = rules.initial_state(options or {}, seed)
    rng = random.Random(seed)
    while rules.outcome(state) is None:
        for seat in rules.to_move(state):
            bot = BOTS[white if seat == "white" else black]
            text = bot.choose(rules, state, seat, rng)
            move = rules.parse_move(state, seat, text)
            if game != "words":  # words' legal_moves is only a sample
                assert move in rules.legal_moves(state, seat)
            state = rules.apply(state, seat, move)
    return state


def score(rules: Rules, state: dict, seat: str) -> str:
    outcome = rules.outcome(state)
    assert outcome is not None
    if outcome.result == "draw":
        return "draw"
    return "win" if (outcome.result == "first") == (seat == "white") else "loss"


def test_registry():
    stockfish = {f"stockfish-{elo}" for elo in (1350, 1600, 2000, 2400)}
    assert set(BOTS) == {"random", "perfect", "pattern", "racer", "searcher", "wordsmith"} | stockfish
    assert BOTS["random"].games == ALL_GAMES == frozenset(RULES)
    for name, bot in BOTS.items():
        assert isinstance(bot, Bot) and bot.name == name
        assert bot.games <= ALL_GAMES
    assert BOTS["perfect"].games == {"tictactoe"}
    assert BOTS["searcher"].games == {"chess"}


def test_bot_refuses_other_games_and_off_turn_calls():
    rules = get_rules("chess")
    with pytest.raises(RuleError) as info:
        BOTS["perfect"].choose(rules, rules.initial_state({}, 1), "white", random.Random(1))
    assert info.value.code == "unsupported_game"
    with pytest.raises(RuleError):
        BOTS["searcher"].choose(rules, rules.initial_state({}, 1), "black", random.Random(1))


LEGALITY = [
    ("chess", "random", "random", {"max_plies": 80}),
    ("chess", "searcher", "random", {"max_plies": 40}),
    ("tictactoe", "random", "perfect", {}),
    ("tictactoe", "perfect", "perfect", {}),
    ("rps", "pattern", "random", {"rounds": 9}),
    ("rps", "random", "pattern", {"rounds": 9}),
    ("racing", "racer", "random", {}),
    ("racing", "random", "racer", {"track_length": 200}),
    ("words", "wordsmith", "random", {"rounds": 6}),
    ("words", "random", "wordsmith", {"rounds": 6}),
]


@pytest.mark.parametrize(("game", "white", "black", "options"), LEGALITY)
def test_bots_only_play_legal_moves_and_are_deterministic(game, white, black, options):
    first = play(game, white, black, 5, options)
    assert first == play(game, white, black, 5, options)
    assert get_rules(game).outcome(first) is not None


def test_simultaneous_bots_do_not_peek_at_the_pending_choice():
    for game, bot, choices in (
        ("rps", "pattern", ["rock", "paper", "scissors"]),
        ("racing", "racer", ["accelerate", "brake", "coast", "boost"]),
        ("rps", "random", ["rock", "paper"]),
    ):
        rules = get_rules(game)
        base = rules.initial_state({}, 3)
        answers = {BOTS[bot].choose(rules, rules.apply(base, "white", c), "black", random.Random(9)) for c in choices}
        assert len(answers) == 1


def test_perfect_never_loses_to_random_in_200_games():
    rules = get_rules("tictactoe")
    results = {"win": 0, "draw": 0, "loss": 0}
    for seed in range(200):
        seat = "white" if seed % 2 == 0 else "black"
        white, black = ("perfect", "random") if seat == "white" else ("random", "perfect")
        results[score(rules, play("tictactoe", white, black, seed), seat)] += 1
    assert results["loss"] == 0
    assert results["win"] > 120


def test_perfect_against_itself_always_draws():
    rules = get_rules("tictactoe")
    for seed in range(10):
        assert rules.outcome(play("tictactoe", "perfect", "perfect", seed)).result == "draw"


def test_perfect_takes_a_win_and_blocks_a_loss():
    rules = get_rules("tictactoe")
    state = rules.initial_state({}, 1)
    for move in ("1", "4", "2"):  # X threatens 3; O must block
        state = rules.apply(state, rules.to_move(state)[0], move)
    assert BOTS["perfect"].choose(rules, state, "black", random.Random(1)) == "3"
    state = rules.apply(rules.apply(state, "black", "5"), "white", "9")  # X failed to block 6
    assert BOTS["perfect"].choose(rules, state, "black", random.Random(1)) == "6"


@pytest.mark.slow
def test_searcher_beats_random(monkeypatch):
    """Even at a quarter of the node budget it plays with (so the test takes a quarter of the time: the
    search is pure Python, ~45 ms a move at full budget), the searcher wins nearly every game."""
    from games.bots import searcher

    monkeypatch.setattr(searcher, "NODE_BUDGET", searcher.NODE_BUDGET // 4)
    rules = get_rules("chess")
    wins = 0
    for seed in range(10):
        seat = "white" if seed % 2 == 0 else "black"
        white, black = ("searcher", "random") if seat == "white" else ("random", "searcher")
        wins += score(rules, play("chess", white, black, seed, {"max_plies": 200}), seat) == "win"
    assert wins >= 8, wins


def test_searcher_finds_mate_in_one_and_grabs_a_free_queen():
    rules = get_rules("chess")
    mate = rules.initial_state({"start_fen": "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1"}, 1)
    assert BOTS["searcher"].choose(rules, mate, "white", random.Random(1)) == "a1a8"
    queen = rules.initial_state({"start_fen": "4k3/8/8/3q4/8/8/3R4/4K3 w - - 0 1"}, 1)
    assert BOTS["searcher"].choose(rules, queen, "white", random.Random(1)) == "d2d5"


def test_racer_beats_random_usually():
    rules = get_rules("racing")
    wins = 0
    for seed in range(20):
        seat = "white" if seed % 2 == 0 else "black"
        white, black = ("racer", "random") if seat == "white" else ("random", "racer")
        wins += score(rules, play("racing", white, black, seed), seat) == "win"
    assert wins >= 18


def test_racer_never_overshoots_a_curve():
    """It may stop dead by landing exactly on a curve (a legal hard stop), but never loses ground by
    passing one too fast."""
    for seed in range(10):
        state = play("racing", "racer", "random", seed, {"track_length": 120})
        speed = 0
        for turn in state["history"]:
            mine = turn["white"]
            step = {"accelerate": min(5, speed + 1), "brake": max(0, speed - 1)}.get(mine["action"], speed)
            intended = step + (3 if mine["action"] == "boost" else 0)
            assert mine["distance"] == intended
            speed = mine["speed"]
        assert len(state["history"]) <= 40


def _scripted(game: str, pick) -> Bot:
    return Bot(f"scripted-{game}", frozenset({game}), lambda rules, state, seat, rng: pick(state, seat))


def test_pattern_exploits_predictable_opponents():
    cycle = ["rock", "paper", "scissors"]
    opponents = {
        "constant": lambda state, seat: "rock",
        "cycle": lambda state, seat: cycle[len(state["rounds"]) % 3],
        "copy-last": lambda state, seat: state["rounds"][-1]["white"] if state["rounds"] else "paper",
    }
    rules = get_rules("rps")
    for name, pick in opponents.items():
        bot = _scripted("rps", pick)
        state = rules.initial_state({"rounds": 31}, 2)
        rng = random.Random(2)
        while rules.outcome(state) is None:
            for seat in rules.to_move(state):
                chooser = BOTS["pattern"] if seat == "white" else bot
                text = chooser.choose(rules, state, seat, rng)
                state = rules.apply(state, seat, rules.parse_move(state, seat, text))
        assert state["score"]["white"] >= 20, (name, state["score"])
        assert rules.outcome(state).result == "first"


def test_wordsmith_prefers_words_sharing_a_prefix():
    rules = get_rules("words")
    state = rules.initial_state({}, 4)
    state["start_word"] = "ocean"
    word = BOTS["wordsmith"].choose(rules, state, "white", random.Random(1))
    assert word.startswith("oce") and rules.parse_move(state, "white", word) == word


def test_searcher_is_quick_in_a_busy_middlegame():
    import time

    rules = get_rules("chess")
    fen = "r1bq1rk1/pp2bppp/2n1pn2/3p4/2PP4/2N1PN2/PP3PPP/R2QKB1R w KQ - 0 9"
    state = rules.initial_state({"start_fen": fen}, 1)
    started = time.perf_counter()
    move = BOTS["searcher"].choose(rules, state, "white", random.Random(1))
    assert time.perf_counter() - started < 1.0
    assert move in rules.legal_moves(state, "white")
