"""``builtin:perfect``: tic-tac-toe minimax; never loses, wins as fast as it can, picks at random among
equally good moves so its games vary with the seed."""

from __future__ import annotations

import random
from functools import cache

from games.rules.base import Rules, Seat
from games.rules.tictactoe import MARKS, winner_mark


@cache
def _score(board: tuple[str, ...]) -> int:
    """Value for the player to move: +(free cells + 1) for a win, negative for a loss, 0 for a draw."""
    if winner_mark(list(board)):
        return -(board.count("") + 1)  # the previous mover made a line
    if all(board):
        return 0
    mark = "X" if board.count("X") == board.count("O") else "O"
    return max(-_score((*board[:i], mark, *board[i + 1 :])) for i, cell in enumerate(board) if not cell)


def choose_perfect(rules: Rules, state: dict, seat: Seat, rng: random.Random) -> str:
    board = tuple(state["board"])
    mark = MARKS[seat]
    scored = {
        move: -_score((*board[: int(move) - 1], mark, *board[int(move) :])) for move in rules.legal_moves(state, seat)
    }
    best = max(scored.values())
    return rng.choice(sorted(m for m, v in scored.items() if v == best))
