"""Chess rules from real positions: endings, special moves, claims, parsing and errors."""

from __future__ import annotations

import copy
import io
import json

import chess
import chess.pgn
import pytest

from games.rules import IllegalMove, Outcome, RuleError, get_rules
from games.rules.chess_pgn import to_pgn

R = get_rules("chess")


def new(**options) -> dict:
    return R.initial_state(options, seed=1)


def play(state: dict, *texts: str) -> dict:
    for text in texts:
        seat = R.to_move(state)[0]
        state = R.apply(state, seat, R.parse_move(state, seat, text))
    return state


def play_moves(state: dict, *texts: str) -> tuple[dict, list[str]]:
    """The state after ``texts`` and the UCI moves played (what the game's move items hold)."""
    moves = []
    for text in texts:
        seat = R.to_move(state)[0]
        moves.append(R.parse_move(state, seat, text))
        state = R.apply(state, seat, moves[-1])
    return state, moves


def parse(state: dict, text: str) -> str:
    return R.parse_move(state, R.to_move(state)[0], text)


def error(state: dict, text: str) -> IllegalMove:
    with pytest.raises(IllegalMove) as info:
        parse(state, text)
    return info.value


# ------------------------------------------------------------------------------------------ endings


def test_fools_mate_is_checkmate_for_black():
    state = play(new(), "f3", "e5", "g4", "Qh4#")
    assert R.outcome(state) == Outcome("second", "checkmate")
    assert R.to_move(state) == ()
    assert state["last_san"] == "Qh4#" and state["last"] == "d8h4"


def test_scholars_mate_is_checkmate_for_white():
    state = play(new(), "e4", "e5", "Bc4", "Nc6", "Qh5", "Nf6", "Qxf7#")
    assert R.outcome(state) == Outcome("first", "checkmate")
    assert R.ply(state) == 7


def test_stalemate():
    state = new(start_fen="7k/8/8/6Q1/8/8/8/6K1 w - - 0 1")
    state = play(state, "Qg6")
    assert R.outcome(state) == Outcome("draw", "stalemate")


def test_insufficient_material_after_capture():
    state = play(new(start_fen="8/8/8/4k3/8/8/3r4/4K3 w - - 0 1"), "Kxd2")
    assert R.outcome(state) == Outcome("draw", "insufficient_material")


def test_threefold_repetition_is_claimed_when_it_occurs():
    shuffle = ["Nf3", "Nf6", "Ng1", "Ng8"]
    state = play(new(), *shuffle, *shuffle[:3])
    assert R.outcome(state) is None  # black could repeat, but has not yet
    state = play(state, shuffle[3])
    assert R.outcome(state) == Outcome("draw", "threefold_repetition")


def test_fifty_move_rule_is_claimed():
    state = new(start_fen="8/8/8/4k3/8/8/8/R3K3 w - - 99 80")
    assert R.outcome(state) is None
    state = play(state, "Ra2")
    assert R.outcome(state) == Outcome("draw", "fifty_moves")


def test_fifty_move_counter_resets_on_capture_and_pawn_move():
    state = play(new(start_fen="4k3/8/8/8/8/8/r6P/R3K3 w - - 99 80"), "Rxa2")
    assert R.outcome(state) is None
    state = play(new(start_fen="4k3/8/8/8/8/8/7P/R3K3 w - - 99 80"), "h3")
    assert R.outcome(state) is None


def test_seventyfive_move_rule():
    state = play(new(start_fen="8/8/8/4k3/8/8/8/R3K3 w - - 149 80"), "Ra2")
    assert R.outcome(state) == Outcome("draw", "seventyfive_moves")


def test_move_limit_draw():
    state = play(new(max_plies=10), "Nf3", "Nf6", "Nc3", "Nc6", "e3", "e6", "d3", "d6", "Be2")
    assert R.outcome(state) is None
    state = play(state, "Be7")
    assert R.outcome(state) == Outcome("draw", "move_limit")


def test_mate_on_the_last_allowed_ply_is_still_mate():
    state = play(new(max_plies=10), "a3", "a6", "a4", "a5", "h3", "h6", "f3", "e5", "g4", "Qh4")
    assert R.outcome(state) == Outcome("second", "checkmate")


def test_no_moves_after_game_over():
    state = play(new(), "f3", "e5", "g4", "Qh4#")
    for seat in ("white", "black"):
        with pytest.raises(IllegalMove) as info:
            R.parse_move(state, seat, "e4")
        assert info.value.code == "game_over"
        with pytest.raises(IllegalMove):
            R.apply(state, seat, "e2e4")
    assert R.legal_moves(state, "white") == []


# ------------------------------------------------------------------------------------ special moves


def test_en_passant_only_right_after_the_double_push():
    state = play(new(), "e4", "a6", "e5", "d5")
    assert parse(state, "exd6") == "e5d6"
    assert parse(state, "exd6 e.p.") == "e5d6"
    taken = play(state, "exd6")
    assert chess.Board(taken["fen"]).piece_at(chess.D5) is None
    late = play(state, "h3", "h6")
    assert error(late, "exd6").code == "illegal_move"
    assert error(late, "e5d6").code == "illegal_move"


def test_castling_both_sides_and_forms():
    state = new(start_fen="r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1")
    for text in ("O-O", "0-0", "o-o", "O-O+", "e1g1", "e1h1", "Ke1g1"):
        assert parse(state, text) == "e1g1"
    for text in ("O-O-O", "0-0-0", "e1c1"):
        assert parse(state, text) == "e1c1"
    after = play(state, "O-O")
    assert chess.Board(after["fen"]).piece_at(chess.F1) == chess.Piece.from_symbol("R")
    assert after["last_san"] == "O-O"


def test_castling_rights_lost_after_king_moves():
    state = play(new(start_fen="r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1"), "Ke2", "Ke7", "Ke1", "Ke8")
    err = error(state, "O-O")
    assert err.code == "illegal_move" and "right has been lost" in err.message
    assert error(state, "e1c1").code == "illegal_move"


def test_castling_rights_lost_on_one_side_after_rook_moves():
    state = play(new(start_fen="r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1"), "Rh2", "Rh7", "Rh1", "Rh8")
    assert "lost" in error(state, "O-O").message
    assert parse(state, "O-O-O") == "e1c1"


def test_castling_through_check_out_of_check_and_blocked():
    through = new(start_fen="4k3/8/8/8/8/8/5r2/R3K2R w KQ - 0 1")
    assert "attacked square" in error(through, "O-O").message
    assert parse(through, "O-O-O") == "e1c1"
    in_check = new(start_fen="4k3/8/8/8/1b6/8/8/R3K2R w KQ - 0 1")
    assert "out of check" in error(in_check, "O-O").message
    assert "pieces between" in error(new(), "O-O").message


def test_promotion_forms_and_underpromotion():
    state = new(start_fen="8/4P3/8/8/8/8/k7/6K1 w - - 0 1")
    for text in ("e8=Q", "e8Q", "e8=q", "e8=Q+", "e7e8q", "e7e8", "e8", "E7E8Q"):
        assert parse(state, text) == "e7e8q", text
    assert parse(state, "e8=N") == "e7e8n"
    assert parse(state, "e7e8r") == "e7e8r"
    assert parse(state, "e8=B") == "e7e8b"
    knighted = play(state, "e8=N")
    assert chess.Board(knighted["fen"]).piece_at(chess.E8) == chess.Piece.from_symbol("N")
    assert knighted["last_san"] == "e8=N"
    assert error(state, "e7e8k").code in ("illegal_move", "unreadable_move")


def test_promotion_piece_on_a_non_promoting_move_is_refused():
    assert "promotes" in error(new(), "e2e4q").message


# -------------------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text",
    [
        "e4",
        "e2e4",
        "E2E4",
        "e2-e4",
        " e4. ",
        "`e4`",
        "**e4**",
        "'e4'",
        '"e4"',
        "1. e4",
        "e4!",
        "e4!?",
        "MOVE: e4",
        "Pe4",
        "(e4)",
        "e4,",
    ],
)
def test_tolerant_forms_of_e4(text):
    assert parse(new(), text) == "e2e4"


@pytest.mark.parametrize("text", ["Nf3", "nf3", "g1f3", "Ng1f3", "Ng1-f3", "Nf3+", "NF3", "Ngf3"])
def test_tolerant_forms_of_nf3(text):
    assert parse(new(), text) == "g1f3"


def test_black_move_numbers_and_checks():
    state = play(new(), "e4")
    for text in ("1... e5", "1...e5", "1…e5", "1… e5", "1. ...e5", "1. ... e5", "1. …e5", "...e5", "…e5"):
        assert parse(state, text) == "e7e5", text
    state = play(state, "e5", "Qh5", "Nc6", "Bc4", "Nf6")
    assert parse(state, "Qxf7#") == "h5f7"
    assert parse(state, "Qxf7") == "h5f7"
    assert parse(state, "h5f7") == "h5f7"


def test_lower_case_b_that_reads_as_pawn_and_as_bishop_is_refused_naming_both():
    # shared/GAMES.md (the product's game rules): both the b-pawn and the bishop can take on c3,
    # so "bxc3" is ambiguous, never the pawn silently
    state = new(start_fen="4k3/8/8/B7/8/2n5/1P6/4K3 w - - 0 1")
    for text in ("bxc3", "bc3", "bxc3+"):
        err = error(state, text)
        assert err.code == "illegal_move" and "ambiguous" in err.message, text
        assert "pawn move bxc3 (b2c3)" in err.message and "bishop move Bxc3 (a5c3)" in err.message
    assert parse(state, "Bxc3") == "a5c3"
    assert parse(state, "b2c3") == parse(state, "b2xc3") == "b2c3"
    # a quiet move: b7-b6 and Bd8-b6 are both legal
    quiet = new(start_fen="3bk3/1p6/8/8/8/8/8/4K3 b - - 0 1")
    err = error(quiet, "bb6")
    assert "pawn move b6 (b7b6)" in err.message and "bishop move Bb6 (d8b6)" in err.message
    assert parse(quiet, "b6") == "b7b6" and parse(quiet, "Bb6") == "d8b6"


def test_lower_case_b_with_one_legal_reading_means_that_one():
    # without the pawn, the lower-case reading is unambiguous and means the bishop
    assert parse(new(start_fen="4k3/8/8/B7/8/2n5/8/4K3 w - - 0 1"), "bxc3") == "a5c3"
    assert parse(new(start_fen="3bk3/8/8/8/8/8/8/R3K3 b - - 0 1"), "bb6") == "d8b6"
    # without the bishop it is the pawn's SAN
    assert parse(new(start_fen="4k3/8/8/8/8/2n5/1P6/4K3 w - - 0 1"), "bxc3") == "b2c3"
    assert parse(new(start_fen="4k3/1p6/8/8/8/8/8/4K3 b - - 0 1"), "bb6") == "b7b6"


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("", "unreadable_move", "empty"),
        ("   ", "unreadable_move", "empty"),
        ("hello", "unreadable_move", "not a chess move"),
        ("--", "unreadable_move", "not a chess move"),
        ("0000", "unreadable_move", "not a chess move"),
        ("e5", "illegal_move", "no legal move"),
        ("Ke2", "illegal_move", "no legal move"),
        ("Qh5", "illegal_move", "no legal move"),
        ("e2e5", "illegal_move", "cannot move to e5"),
        ("e3e4", "illegal_move", "no piece on e3"),
        ("e7e5", "illegal_move", "belongs to black"),
        ("Nb1d2", "illegal_move", "cannot move to d2"),
        ("Bg1f3", "illegal_move", "is not a B"),
        ("z9", "unreadable_move", "not a chess move"),
        ("e4 e5", "unreadable_move", "not a chess move"),
    ],
)
def test_illegal_and_malformed_moves(text, code, fragment):
    err = error(new(), text)
    assert err.code == code
    assert fragment in err.message


def test_non_text_move_is_unreadable():
    with pytest.raises(IllegalMove) as info:
        R.parse_move(new(), "white", None)  # type: ignore[arg-type]
    assert info.value.code == "unreadable_move"


def test_pinned_piece_move_would_leave_king_in_check():
    state = new(start_fen="4k3/4r3/8/8/8/8/4N3/4K3 w - - 0 1")
    assert "leave your king in check" in error(state, "e2c3").message
    assert error(state, "Nc3").code == "illegal_move"


def test_must_answer_check():
    state = new(start_fen="4k3/8/8/8/1b6/8/8/4K2R w K - 0 1")
    assert "in check" in error(state, "Rh2").message


def test_ambiguous_san_names_the_problem():
    state = new(start_fen="4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1")
    assert "ambiguous" in error(state, "Nd2").message
    assert "ambiguous" in error(state, "nd2").message and "Nbd2, Nfd2" in error(state, "nd2").message
    assert parse(state, "Nbd2") == "b1d2"
    assert parse(state, "Nfd2") == "f1d2"


def test_moving_out_of_turn():
    state = new()
    with pytest.raises(IllegalMove) as info:
        R.parse_move(state, "black", "e5")
    assert info.value.code == "not_your_turn"
    with pytest.raises(IllegalMove) as info:
        R.apply(state, "black", "e7e5")
    assert info.value.code == "not_your_turn"
    assert R.legal_moves(state, "black") == []


def test_apply_requires_canonical_legal_uci():
    state = new()
    with pytest.raises(IllegalMove) as info:
        R.apply(state, "white", "e4")
    assert info.value.code == "unreadable_move"
    with pytest.raises(IllegalMove) as info:
        R.apply(state, "white", "e2e5")
    assert info.value.code == "illegal_move"


def test_seat_must_be_known():
    with pytest.raises(RuleError) as info:
        R.parse_move(new(), "red", "e4")  # type: ignore[arg-type]
    assert info.value.code == "invalid_seat"


def test_start_fen_with_black_to_move():
    state = new(start_fen="rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1")
    assert R.to_move(state) == ("black",)
    state = play(state, "e5")
    assert R.to_move(state) == ("white",)
    assert "(last move: e5)" in R.render(state, "white")


# ------------------------------------------------------------------------------------------- options


def test_default_options():
    assert R.validate_options({}) == {"legal_moves_hint": False, "max_plies": 300, "start_fen": None}
    assert R.validate_options({"legal_moves_hint": True, "max_plies": 10})["max_plies"] == 10


@pytest.mark.parametrize(
    "options",
    [
        {"colour": "white"},
        {"max_plies": 9},
        {"max_plies": 1001},
        {"max_plies": "300"},
        {"max_plies": 30.0},
        {"max_plies": True},
        {"legal_moves_hint": "yes"},
        {"judge_model": "x"},
        {"start_fen": "not a fen"},
        {"start_fen": 42},
        {"start_fen": "8/8/8/8/8/8/8/8 w - - 0 1"},  # no kings
        {"start_fen": "7k/8/6Q1/8/8/8/8/6K1 b - - 0 1"},  # already stalemate
        {"start_fen": "R6k/6pp/8/8/8/8/8/6K1 b - - 0 1"},  # already checkmate
        {"start_fen": "4k3/8/8/8/8/8/8/4K3 w - - 0 1"},  # already insufficient material
    ],
)
def test_invalid_options(options):
    with pytest.raises(RuleError) as info:
        R.validate_options(options)
    assert info.value.code == "invalid_options"


def test_start_fen_is_normalised_and_used():
    fen = "4k3/8/8/8/8/8/8/4K2R w K - 0 1"
    options = R.validate_options({"start_fen": "  " + fen + " "})
    assert options["start_fen"] == fen
    assert new(start_fen=fen)["fen"] == fen


# -------------------------------------------------------------------------- state, views, determinism


def test_state_is_json_and_apply_never_mutates():
    state = new()
    before = copy.deepcopy(state)
    after = play(state, "e4")
    assert state == before
    assert json.loads(json.dumps(after)) == after
    assert after["last"] == "e2e4" and after["last_san"] == "e4" and R.ply(after) == 1


def test_same_moves_same_states():
    moves = ["e4", "c5", "Nf3", "d6", "d4", "cxd4", "Nxd4", "Nf6", "Nc3", "a6"]
    assert play(new(), *moves) == play(new(), *moves)


def test_legal_moves_are_canonical_and_complete():
    legal = R.legal_moves(new(), "white")
    assert len(legal) == 20 and "e2e4" in legal and "g1f3" in legal
    assert all(parse(new(), m) == m for m in legal)


def test_render_and_public_view():
    state = play(new(), "e4", "e5", "Nf3")
    text = R.render(state, "black")
    assert state["fen"] in text
    assert "Moves since the last capture, pawn move or loss of castling rights (SAN): 2. Nf3" in text
    assert "You play black" in text
    assert R.public_view(state, None) == state
    assert "Spectator" in R.render(state, None)
    assert "over" in R.render(play(new(), "f3", "e5", "g4", "Qh4"), "white")


# ------------------------------------------------------------------------------------------------ PGN


def read(pgn: str) -> chess.pgn.Game:
    game = chess.pgn.read_game(io.StringIO(pgn))
    assert game is not None
    assert not game.errors
    return game


def test_pgn_round_trip_of_a_finished_game():
    state, moves = play_moves(new(), "e4", "e5", "Bc4", "Nc6", "Qh5", "Nf6", "Qxf7#")
    pgn = to_pgn(
        state,
        {"White": "openai:gpt-4.1-mini", "Black": "builtin:random", "Date": "2025.01.02"},
        R.outcome(state),
        None,
        moves=moves,
    )
    game = read(pgn)
    assert game.headers["White"] == "openai:gpt-4.1-mini"
    assert game.headers["Black"] == "builtin:random"
    assert game.headers["Date"] == "2025.01.02"
    assert game.headers["Result"] == "1-0"
    assert game.headers["Termination"] == "checkmate"
    assert game.headers["Event"] and game.headers["Site"]
    assert [m.uci() for m in game.mainline_moves()] == moves
    assert game.end().board().is_checkmate()


def test_pgn_with_start_fen_override_and_unfinished():
    fen = "4k3/8/8/8/8/8/8/4K2R w K - 0 1"
    state, moves = play_moves(new(start_fen=fen), "O-O", "Kd7")
    forfeit = to_pgn(
        state,
        {"White": "a", "Black": 'b "quoted"'},
        Outcome("second", "forfeit_illegal_moves"),
        "forfeit_illegal_moves",
        moves=moves,
    )
    game = read(forfeit)
    assert game.headers["FEN"] == fen
    assert game.headers["Result"] == "0-1"
    assert game.headers["Termination"] == "forfeit_illegal_moves"
    assert game.headers["Black"] == 'b "quoted"'
    assert [m.uci() for m in game.mainline_moves()] == ["e1g1", "e8d7"]
    unfinished = read(to_pgn(state, {}, None, None, moves=moves))
    assert unfinished.headers["Result"] == "*"
    drawn = read(
        to_pgn(
            *play_moves(new(max_plies=10), "Nf3", "Nf6", "Nc3", "Nc6", "e3", "e6", "d3", "d6", "Be2", "Be7")[:1],
            {},
            None,
            None,
            moves=play_moves(new(max_plies=10), "Nf3", "Nf6", "Nc3", "Nc6", "e3", "e6", "d3", "d6", "Be2", "Be7")[1],
        )
    )
    assert drawn.headers["Result"] == "1/2-1/2"
    assert drawn.headers["Termination"] == "move_limit"


# ------------------------------------------------------------------- a state that does not grow with the game


def full_outcome(start_fen: str, moves: list[str], max_plies: int) -> Outcome | None:
    """The outcome as judged from a board replayed from the start (the old state's way)."""
    from games.rules.chess_rules import board_outcome, replay

    return board_outcome(replay(start_fen, moves), len(moves), max_plies)


@pytest.mark.parametrize("seed", range(12))
def test_window_judges_repetition_and_fifty_moves_like_a_full_replay(seed):
    """Random games, most ending in a repetition, the fifty-move rule or the ply limit: after every ply,
    the state's outcome (from its window) equals the outcome of the whole game replayed from the start."""
    import random

    rng = random.Random(seed)
    state, moves = new(max_plies=400), []
    while R.outcome(state) is None:
        board = chess.Board(state["fen"])
        legal = sorted(board.legal_moves, key=lambda m: m.uci())
        quiet = [m for m in legal if not board.is_irreversible(m)]
        move = rng.choice(quiet if quiet and rng.random() < 0.9 else legal).uci()  # shuffles pieces: repeats
        state = R.apply(state, R.to_move(state)[0], move)
        moves.append(move)
        assert R.outcome(state) == full_outcome(chess.STARTING_FEN, moves, 400)
        assert len(state["window"]) <= chess.Board(state["fen"]).halfmove_clock <= 100
        assert R.ply(state) == len(moves) and state["last"] == move
    assert len(json.dumps(state)) < 1600  # at most 100 window moves: the fifty-move rule


def test_threefold_repetition_from_the_window():
    shuffle = ["Nf3", "Nf6", "Ng1", "Ng8"] * 2
    state = play(new(), "e4", "e5", *shuffle)
    assert R.outcome(state) == Outcome("draw", "threefold_repetition")
    assert state["window"] == ["g1f3", "g8f6", "f3g1", "f6g8"] * 2


def test_state_size_does_not_grow_with_the_game():
    state = play(new(), "e4", "e5")
    small = len(json.dumps(state))
    state = play(
        state,
        "Nf3",
        "Nc6",
        "Nc3",
        "Nf6",
        "d3",
        "d6",
        "Be2",
        "Be7",
        "O-O",
        "O-O",
        "a3",
        "a6",
        "h3",
        "h6",
        "b3",
        "b6",
        "g3",
        "g6",
        "Bb2",
        "Bb7",
        "Kh2",
        "Kh7",
        "Qd2",
        "Qd7",
    )
    assert len(json.dumps(state)) < small + 200
    assert "moves" not in state and "san" not in state


def test_a_state_of_the_old_shape_loads_and_plays_on():
    """Games stored before the window (every move in ``moves`` and ``san``) still load and play; the
    next move writes the new shape, and a repetition begun before it still counts."""
    moves = ["e2e4", "e7e5", "g1f3", "g8f6", "f3g1", "f6g8", "g1f3", "g8f6", "f3g1"]
    from games.rules.chess_rules import replay, san_list

    old = {
        "game_type": "chess",
        "seed": 1,
        "options": R.validate_options({}),
        "start_fen": chess.STARTING_FEN,
        "moves": moves,
        "san": san_list(chess.STARTING_FEN, moves),
        "fen": replay(chess.STARTING_FEN, moves).fen(),
        "outcome": None,
    }
    assert R.ply(old) == 9 and R.to_move(old) == ("black",)
    assert "1. e4 e5 2. Nf3 Nf6" in R.render(old, "black")
    new_state = R.apply(old, "black", "f6g8")  # the third time this position occurs
    assert "moves" not in new_state and R.ply(new_state) == 10
    assert R.outcome(new_state) == Outcome("draw", "threefold_repetition")
    assert new_state["window"] == [*moves[2:], "f6g8"]
    pgn = read(to_pgn(old, {}, None, None))  # the old shape exports its own moves
    assert [m.uci() for m in pgn.mainline_moves()] == moves
    with pytest.raises(ValueError):
        to_pgn(new_state, {}, None, None)  # the new shape needs the move items
