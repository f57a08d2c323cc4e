"""The game service and store below the API (moto)."""

from __future__ import annotations

import pytest

from duelarena.domain import DomainError, ErrorKind
from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed
from games import selectors, service, store, turns
from games.bots import ALL_GAMES, BOTS, Bot
from games.records import Attempt, Move
from games.rules import get_rules
from games.tests.helpers import seat_two_humans


def _moves(game_id: str) -> list[str]:
    found = store.load(game_id)
    assert found is not None
    return [m.move for m in found[1]]


@pytest.mark.parametrize(
    ("game_type", "white", "black"),
    [
        ("tictactoe", "builtin:random", "builtin:random"),
        ("rps", "builtin:pattern", "builtin:random"),
        ("racing", "builtin:racer", "builtin:random"),
        ("words", "builtin:wordsmith", "builtin:random"),
        ("chess", "builtin:random", "builtin:random"),
    ],
)
def test_a_finished_game_replays_exactly_from_its_seed_secret_and_moves(alice, game_type, white, black):
    options = {
        "seed": 99,
        **({"max_plies": 30} if game_type == "chess" else {}),
        **({"rounds": 4} if game_type == "words" else {}),
    }
    game = service.create_game(alice.user, game_type=game_type, white=white, black=black, options=options)
    finished = service.play_until_over(game.id)
    assert finished.status == "finished"
    view = selectors.get_game(game.id, alice.user)
    assert view["seed"] == 99 and view["bot_secret"] == finished.bot_secret is not None  # revealed once over
    # Every bot choice is what the bot draws again from (seed, secret, ply), and the moves give the state.
    rules = get_rules(game_type)
    state = rules.initial_state(finished.options, view["seed"])
    moves = store.load(game.id)[1]
    round_start = state
    for move in moves:
        if not state.get("pending"):
            round_start = state  # seats choosing at once are both asked from the round's start
        before = round_start if rules.simultaneous else state
        again = turns.play_turn(
            rules, before, move.seat, finished.player(move.seat), view["seed"], bot_secret=view["bot_secret"]
        )
        assert again.move == move.move
        state = rules.apply(state, move.seat, move.move)
    assert state == finished.state


def test_a_creator_who_picks_the_seed_cannot_compute_the_bots_hidden_choices(alice):
    """The bot's randomness comes from a per-game secret: two games with the same public seed draw
    different hidden choices, and the secret stays out of the view until the game is over."""
    options = {"seed": 7, "rounds": 15}
    games = [
        service.create_game(
            alice.user, game_type="rps", white="builtin:random", black="builtin:random", options=options
        )
        for _ in range(2)
    ]
    live = selectors.get_game(games[0].id, alice.user)
    assert live["bot_secret"] is None and live["seed"] is None
    assert games[0].bot_secret != games[1].bot_secret
    for g in games:
        service.play_until_over(g.id)
    assert _moves(games[0].id) != _moves(games[1].id)  # 30 choices each: equal by chance ~ 3^-30


def test_game_item_layout_and_indexes(alice):
    game = service.create_game(
        alice.user, game_type="racing", white="human", black="builtin:racer", options={"seed": 5, "track_length": 30}
    )
    item = items.get(keys.game_pk(game.id), "META")
    assert item["gsi1pk"] == f"OWNER#{alice.user.id}" and item["gsi1sk"] == f"{game.created_at}#{game.id}"
    assert (item["gsi2pk"], item["gsi3pk"], item["gsi4pk"]) == ("FEED", "FEED#racing", "GAMES")
    assert item["status"] == "live" and item["version"] == 1 and item["seed"] == 5 and item["ply"] == 0
    assert isinstance(item["state"], str) and isinstance(item["options"], str)
    assert item["white_user_id"] == alice.user.id and item["black_user_id"] is None
    assert item["rated"] is False and item["hidden"] is False and item["flagged"] is False
    assert item["totals"] == "{}"  # JSON text of the non-zero totals (store._totals_text)
    assert store.get(game.id).totals["white"] == {
        "tokens_in": 0,
        "tokens_out": 0,
        "cost_micros": 0,
        "latency_ms": 0,
        "moves": 0,
        "illegal_attempts": 0,
        "truncated_attempts": 0,
    }
    assert store.get(game.id) == game
    hidden = store.moderate(game, hidden=True, flagged=True)
    item = items.get(keys.game_pk(game.id), "META")
    assert hidden.hidden and hidden.flagged and not {"gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"} & set(item)
    assert item["gsi4pk"] == "GAMES" and [g.id for g in store.list_all().games] == [game.id]
    assert store.list_public().games == []


def test_rated_only_without_humans_and_hints(alice):
    def rated(white: str, **options: object) -> bool:
        return service.create_game(
            alice.user, game_type="tictactoe", white=white, black="builtin:random", options=options
        ).rated

    assert rated("builtin:perfect") is True
    assert rated("human") is False
    assert rated("builtin:perfect", legal_moves_hint=True) is False


def test_a_retried_turn_write_never_doubles_the_move(alice):
    game = service.create_game(alice.user, game_type="tictactoe", white="human", black="human")
    rules = get_rules("tictactoe")
    after = game.copy()
    after.state = rules.apply(game.state, "white", "5")
    after.ply, after.version, after.moves_count = 1, 2, 1
    move = Move(game.id, 0, "white", "5", "5", [Attempt(1, answer="5", parsed="5")], keys.now_iso())
    store.record_turn(game, after, [move])
    with pytest.raises(ConditionFailed):
        store.record_turn(game, after, [move])  # the same write again (a retry, a redelivery)
    other = Move(game.id, 0, "white", "1", "1", [], keys.now_iso())
    with pytest.raises(ConditionFailed):
        store.record_turn(game, after, [other])  # a different writer that read the same version
    loaded, moves = store.load(game.id)
    assert [m.move for m in moves] == ["5"] and loaded.version == 2 and loaded.ply == 1


def test_a_bot_that_keeps_answering_nonsense_forfeits(alice, monkeypatch):
    monkeypatch.setitem(BOTS, "random", Bot("random", ALL_GAMES, lambda rules, state, seat, rng: "banana"))
    game = service.create_game(alice.user, game_type="chess", white="builtin:random", black="builtin:searcher")
    after = service.step(game.id, alice.user)
    assert (after.status, after.result, after.winner, after.termination) == (
        "finished",
        "second",
        "black",
        "forfeit_illegal_moves",
    )
    assert after.totals["white"]["illegal_attempts"] == 3 and after.totals["white"]["moves"] == 0
    loaded, moves = store.load(game.id)
    assert len(moves) == 1 and moves[0].move == "" and [a.attempt for a in moves[0].attempts] == [1, 2, 3]
    assert all(a.error and a.error.startswith("unreadable_move") for a in moves[0].attempts)
    view = selectors.game_view(loaded, moves, None)
    assert view["moves"][0]["move"] is None and view["moves"][0]["raw"] == "banana"


def test_model_players_need_a_configured_provider(alice, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(DomainError) as refused:
        service.create_game(alice.user, game_type="chess", white="openai:gpt-4.1-mini", black="human")
    assert refused.value.code == "unknown_player"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-0123456789")
    game = service.create_game(alice.user, game_type="chess", white="openai:gpt-4.1-mini", black="human")
    assert game.white == "openai:gpt-4.1-mini" and store.get(game.id).ply == 0
    # games/tests/test_llm_turns.py plays such games against mocked providers


def test_abort_is_for_moderators(alice, bob, moderator):
    game = service.create_game(alice.user, game_type="chess", white="human", black="builtin:random")
    for who in (alice, bob):
        with pytest.raises(DomainError) as refused:
            service.abort(game.id, who.user)
        assert refused.value.kind == ErrorKind.NOT_ALLOWED
    aborted = service.abort(game.id, moderator.user)
    assert (aborted.status, aborted.result, aborted.winner, aborted.termination) == (
        "aborted",
        None,
        None,
        "aborted_by_moderator",
    )
    assert aborted.version == 2
    with pytest.raises(DomainError) as over:
        service.abort(game.id, moderator.user)
    assert over.value.code == "game_over"
    assert "aborted_by_moderator" in selectors.pgn(game.id, None) and '[Result "*"]' in selectors.pgn(game.id, None)


def test_resigning_with_a_pending_choice(alice, bob):
    game = seat_two_humans("rps", alice.user.id, bob.user.id)
    service.play_move(game.id, bob.user, text="rock", expected_ply=0)
    resigned = service.resign(game.id, bob.user)
    assert (resigned.result, resigned.winner, resigned.termination) == ("first", "white", "resignation")


def test_abort_and_resign_retry_after_a_lost_race(alice, moderator, monkeypatch):
    game = service.create_game(alice.user, game_type="tictactoe", white="human", black="builtin:random")
    real = store.end_without_move
    calls = {"n": 0}

    def racing_once(before, after):
        calls["n"] += 1
        if calls["n"] == 1:
            service.play_move(game.id, alice.user, text="5", expected_ply=0)  # someone moved meanwhile
        return real(before, after)

    monkeypatch.setattr(store, "end_without_move", racing_once)
    resigned = service.resign(game.id, alice.user)
    assert calls["n"] == 2 and resigned.termination == "resignation" and resigned.ply == 1 and resigned.version == 3
