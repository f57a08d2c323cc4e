"""Turn overhead: what the arena itself costs per turn, apart from the model.

(a) The harness's own time per turn, provider excluded: ``llm.harness.play_turn`` for every game type
    with an in-process Provider that answers instantly (``MOVE: <a legal move>``), over the states of
    whole games; median and p95 microseconds per turn. Baseline, same run, same moves: the bare rules
    (``rules.parse_move`` + ``rules.apply``). The ratio is what prompts, parsing, pricing, the attempt
    record and its log line add. The harness's log line is formatted as in production and written to
    /dev/null.
(b) Autoplay throughput between built-in bots on DynamoDB Local (started here, as bench/cold_start.py
    does), in plies per second: tic-tac-toe games (builtin:random vs builtin:random) and racing games
    (builtin:racer vs builtin:random), each turn through ``games.service.autoplay_turn`` (what an autoplay
    worker or a queued turn runs: read the game, play the seats, one version-checked write), one game
    after another, and then all at once through the in-process worker pool (``games.autoplay``).
    Baseline, same run: the same games (same seeds, so the same moves) played in memory through
    ``games.turns.play_turn`` and the rules, no storage; the difference is the storage's share.

    .venv/bin/python bench/turn_overhead.py [--turns 3000] [--tictactoe 20] [--racing 5]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from deploy import dynamodb_local  # noqa: E402

GAME_OPTIONS = {
    "chess": {"max_plies": 120},
    "tictactoe": {},
    "rps": {"rounds": 15},
    "racing": {"track_length": 80},
    "words": {"rounds": 30},
}
PLAYER = "bench:instant"  # not priced: the harness looks the price up and finds none, like any unknown model


def setup_django(endpoint: str, table: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="duelarena.settings",
        DUELARENA_ENV="local",
        DYNAMODB_ENDPOINT_URL=endpoint,
        DYNAMODB_TABLE=table,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - DynamoDB Local accepts anything
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        TASK_BACKEND="inprocess",
        AUTOPLAY_TURN_DELAY_SECONDS="0",
    )
    import django

    django.setup()
    devnull = open(os.devnull, "w")  # kept open for the whole run
    for handler in logging.getLogger().handlers:  # log lines are formatted as in production, not printed
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ----------------------------------------------------------------------------------- (a) the harness


class InstantProvider:
    """A Provider that answers at once with the move it was told to play (no network, no sleep)."""

    name = "bench"

    def __init__(self) -> None:
        self.move = ""

    def complete(self, model, messages, *, max_tokens, timeout, reasoning_effort=None):
        from llm.providers import Completion

        return Completion(
            text=f"Thinking briefly about it.\nMOVE: {self.move}",
            reasoning=None,
            input_tokens=700,
            output_tokens=20,
            latency_ms=0,
        )


def game_turns(game_type: str, seed: int) -> list[tuple[dict, str, str]]:
    """(state, seat, move) for every turn of a game of random legal moves (simultaneous seats one by one)."""
    from games.rules import get_rules

    rules = get_rules(game_type)
    state = rules.initial_state(rules.validate_options(GAME_OPTIONS[game_type]), seed)
    rng = random.Random(seed)
    turns = []
    while rules.outcome(state) is None:
        seat = rules.to_move(state)[0]
        move = rng.choice(rules.legal_moves(state, seat))
        turns.append((state, seat, move))
        state = rules.apply(state, seat, rules.parse_move(state, seat, move))
    return turns


def harness_overhead(turns_per_game: int) -> None:
    from games.rules import get_rules
    from llm.harness import play_turn
    from llm.limits import limits_for

    limits = limits_for(PLAYER)
    provider = InstantProvider()
    print(f"(a) harness time per turn, provider excluded ({turns_per_game} turns per game type)")
    print("  harness: play_turn (prompt, provider call, parse, rules.parse_move, pricing, attempt, log line)")
    print("  rules: parse_move + apply of the same move (the service applies it after the harness)")
    print(
        f"{'game':10} {'harness median':>15} {'p95':>8} {'rules median':>13} {'p95':>8} {'ratio':>6}"
        f" {'parse_move alone':>17}"
    )
    for game_type in GAME_OPTIONS:
        rules = get_rules(game_type)
        turns: list[tuple[dict, str, str]] = []
        seed = 1
        while len(turns) < turns_per_game:
            turns += game_turns(game_type, seed)
            seed += 1
        turns = turns[:turns_per_game]
        for state, seat, move in turns[:50]:  # warm-up (imports, caches)
            provider.move = move
            play_turn(rules, state, seat, PLAYER, provider=provider, limits=limits)
        harness: list[float] = []
        bare: list[float] = []
        parse_only: list[float] = []
        clock = time.perf_counter_ns
        for state, seat, move in turns:
            provider.move = move
            started = clock()
            result = play_turn(rules, state, seat, PLAYER, provider=provider, limits=limits)
            harness.append((clock() - started) / 1000)
            assert result.move is not None, result.error
            started = clock()
            rules.apply(state, seat, rules.parse_move(state, seat, move))
            bare.append((clock() - started) / 1000)
            started = clock()
            rules.parse_move(state, seat, move)
            parse_only.append((clock() - started) / 1000)
        h_med, b_med = statistics.median(harness), statistics.median(bare)
        print(
            f"{game_type:10} {h_med:13.0f}us {percentile(harness, 0.95):6.0f}us "
            f"{b_med:11.0f}us {percentile(bare, 0.95):6.0f}us {h_med / b_med:5.1f}x "
            f"{statistics.median(parse_only):15.0f}us"
        )


# ---------------------------------------------------------------------------- (b) autoplay throughput


def plan_games(n_tictactoe: int, n_racing: int) -> list[tuple[str, str, str, dict, int]]:
    games = [("tictactoe", "builtin:random", "builtin:random", {}, 1000 + i) for i in range(n_tictactoe)]
    games += [("racing", "builtin:racer", "builtin:random", {"track_length": 50}, 2000 + i) for i in range(n_racing)]
    return games


def in_memory(game_type: str, white: str, black: str, options: dict, seed: int) -> tuple[int, str]:
    """The game played through the bots and the rules as the service plays it, without storage."""
    from games.rules import get_rules
    from games.turns import play_turn

    rules = get_rules(game_type)
    state = rules.initial_state(rules.validate_options(options), seed)
    players = {"white": white, "black": black}
    while rules.outcome(state) is None:
        seats = rules.to_move(state)
        played = [play_turn(rules, state, seat, players[seat], seed) for seat in seats]
        for turn in played:  # simultaneous seats chose from the same state; applied in seat order
            state = rules.apply(state, turn.seat, turn.move) if len(played) > 1 else turn.state
    return rules.ply(state), rules.outcome(state).result


def create_games(owner, plan) -> list[str]:
    from games import service

    ids = []
    for game_type, white, black, options, seed in plan:
        game = service.create_game(
            owner, game_type=game_type, white=white, black=black, options={**options, "seed": seed}
        )
        ids.append(game.id)
    return ids


def sequential(ids: list[str]) -> None:
    """Each game driven to its end by the autoplay turn function, one game after another."""
    from games import service, store

    for game_id in ids:
        store.set_autoplay(game_id, True)
        while service.autoplay_turn(game_id) != "idle":
            pass


def pooled(owner, ids: list[str]) -> None:
    """All games started at once through the API's service call; the in-process workers drive them."""
    from games import autoplay, service

    for game_id in ids:
        service.start_autoplay(game_id, owner)
    if not autoplay.wait_idle(600):
        raise RuntimeError("autoplay did not finish")


def timed(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def check_same_games(ids: list[str], expected: list[tuple[int, str]]) -> int:
    from games import store

    plies = 0
    for game_id, (ply, result) in zip(ids, expected, strict=True):
        game = store.get(game_id)
        assert game is not None and game.status == "finished", game
        assert (game.ply, game.result) == (ply, result), (game_id, game.ply, game.result, ply, result)
        plies += game.ply
    return plies


def autoplay_throughput(n_tictactoe: int, n_racing: int) -> None:
    from django.conf import settings

    from accounts import users
    from duelarena.dynamo import tables

    workers = settings.AUTOPLAY_WORKERS
    tables.create_table()
    owner, _ = users.create(f"bench-{uuid.uuid4().hex[:8]}@example.com")
    print()
    print(
        f"(b) autoplay between built-ins on DynamoDB Local ({n_tictactoe} tic-tac-toe random vs random, "
        f"{n_racing} racing racer vs random)"
    )
    print(f"{'game':11} {'played':28} {'plies':>6} {'seconds':>8} {'plies/s':>8} {'ms/ply':>7}")
    for label, plan in (("tictactoe", plan_games(n_tictactoe, 0)), ("racing", plan_games(0, n_racing))):
        started = time.perf_counter()
        expected = [in_memory(*game) for game in plan]
        memory = time.perf_counter() - started
        plies = sum(ply for ply, _ in expected)
        ids = create_games(owner, plan)
        stored = timed(lambda ids=ids: sequential(ids))
        assert check_same_games(ids, expected) == plies
        ids = create_games(owner, plan)
        pool = timed(lambda ids=ids: pooled(owner, ids))
        assert check_same_games(ids, expected) == plies
        for name, seconds in (
            ("in memory (rules + bots)", memory),
            ("DynamoDB, one game at a time", stored),
            (f"DynamoDB, {workers} autoplay workers", pool),
        ):
            per_ply = 1000 * seconds / plies
            print(f"{label:11} {name:28} {plies:6d} {seconds:8.2f} {plies / seconds:8.0f} {per_ply:7.2f}")
        print(f"{label:11} storage's share of a ply played one game at a time: {100 * (1 - memory / stored):.0f}%")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=3000, help="harness turns per game type")
    parser.add_argument("--tictactoe", type=int, default=20, help="tic-tac-toe games for the throughput")
    parser.add_argument("--racing", type=int, default=5, help="racing games for the throughput")
    args = parser.parse_args()

    port = dynamodb_local.free_port()
    ddb = dynamodb_local.start(port, None)
    try:
        setup_django(dynamodb_local.endpoint(port), f"bench-turns-{uuid.uuid4().hex[:6]}")
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        harness_overhead(args.turns)
        autoplay_throughput(args.tictactoe, args.racing)
    finally:
        dynamodb_local.stop_process(ddb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
