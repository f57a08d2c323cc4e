"""``builtin:searcher``: a small chess engine.

Iterative-deepening negamax with alpha-beta to depth 3 (2 when the position is busy), a captures-only
quiescence search, material + piece-square tables + mobility, and a mop-up term that drives a lone king to
the edge when far ahead. Work is bounded by a node budget rather than a clock, so the same position, game
history and rng always give the same move. Moves that repeat an earlier position score as a draw, so a
winning searcher does not walk into the arena's automatic threefold-repetition draw.
"""

from __future__ import annotations

import random

import chess

from games.rules.base import Rules, Seat
from games.rules.chess_rules import board_from_state

MATE = 100_000
NODE_BUDGET = 4_000
VALUES = {
    chess.PAWN: 100,
    chess.KNIGHT: 320,
    chess.BISHOP: 330,
    chess.ROOK: 500,
    chess.QUEEN: 900,
    chess.KING: 0,
}

# Piece-square tables from white's point of view, listed rank 8 first (as printed), so index with
# chess.square_mirror(square) for white and the square itself for black.
# One rank a line (the formatter would give each number a line of its own):
# fmt: off
_PST_ROWS = {
    chess.PAWN: [
          0,   0,   0,   0,   0,   0,   0,   0,
         50,  50,  50,  50,  50,  50,  50,  50,
         10,  10,  20,  30,  30,  20,  10,  10,
          5,   5,  10,  25,  25,  10,   5,   5,
          0,   0,   0,  20,  20,   0,   0,   0,
          5,  -5, -10,   0,   0, -10,  -5,   5,
          5,  10,  10, -20, -20,  10,  10,   5,
          0,   0,   0,   0,   0,   0,   0,   0,
    ],
    chess.KNIGHT: [
        -50, -40, -30, -30, -30, -30, -40, -50,
        -40, -20,   0,   0,   0,   0, -20, -40,
        -30,   0,  10,  15,  15,  10,   0, -30,
        -30,   5,  15,  20,  20,  15,   5, -30,
        -30,   0,  15,  20,  20,  15,   0, -30,
        -30,   5,  10,  15,  15,  10,   5, -30,
        -40, -20,   0,   5,   5,   0, -20, -40,
        -50, -40, -30, -30, -30, -30, -40, -50,
    ],
    chess.BISHOP: [
        -20, -10, -10, -10, -10, -10, -10, -20,
        -10,   0,   0,   0,   0,   0,   0, -10,
        -10,   0,   5,  10,  10,   5,   0, -10,
        -10,   5,   5,  10,  10,   5,   5, -10,
        -10,   0,  10,  10,  10,  10,   0, -10,
        -10,  10,  10,  10,  10,  10,  10, -10,
        -10,   5,   0,   0,   0,   0,   5, -10,
        -20, -10, -10, -10, -10, -10, -10, -20,
    ],
    chess.ROOK: [
          0,   0,   0,   0,   0,   0,   0,   0,
          5,  10,  10,  10,  10,  10,  10,   5,
         -5,   0,   0,   0,   0,   0,   0,  -5,
         -5,   0,   0,   0,   0,   0,   0,  -5,
         -5,   0,   0,   0,   0,   0,   0,  -5,
         -5,   0,   0,   0,   0,   0,   0,  -5,
         -5,   0,   0,   0,   0,   0,   0,  -5,
          0,   0,   0,   5,   5,   0,   0,   0,
    ],
    chess.QUEEN: [
        -20, -10, -10,  -5,  -5, -10, -10, -20,
        -10,   0,   0,   0,   0,   0,   0, -10,
        -10,   0,   5,   5,   5,   5,   0, -10,
         -5,   0,   5,   5,   5,   5,   0,  -5,
          0,   0,   5,   5,   5,   5,   0,  -5,
        -10,   5,   5,   5,   5,   5,   0, -10,
        -10,   0,   5,   0,   0,   0,   0, -10,
        -20, -10, -10,  -5,  -5, -10, -10, -20,
    ],
    chess.KING: [
        -30, -40, -40, -50, -50, -40, -40, -30,
        -30, -40, -40, -50, -50, -40, -40, -30,
        -30, -40, -40, -50, -50, -40, -40, -30,
        -30, -40, -40, -50, -50, -40, -40, -30,
        -20, -30, -30, -40, -40, -30, -30, -20,
        -10, -20, -20, -20, -20, -20, -20, -10,
         20,  20,   0,   0,   0,   0,  20,  20,
         20,  30,  10,   0,   0,  10,  30,  20,
    ],
}
# fmt: on
PIECE_TYPES = (chess.PAWN, chess.KNIGHT, chess.BISHOP, chess.ROOK, chess.QUEEN, chess.KING)


def _center_distance(square: int) -> int:
    file, rank = chess.square_file(square), chess.square_rank(square)
    return max(3 - file, file - 4) + max(3 - rank, rank - 4)


# (value + piece-square bonus) per square, indexed by python-chess square, for each color and piece type.
_SQUARE_VALUE = {
    (color, piece_type): [
        VALUES[piece_type] + _PST_ROWS[piece_type][chess.square_mirror(sq) if color == chess.WHITE else sq]
        for sq in chess.SQUARES
    ]
    for color in (chess.WHITE, chess.BLACK)
    for piece_type in PIECE_TYPES
}
_MOBILE = (chess.KNIGHT, chess.BISHOP, chess.ROOK, chess.QUEEN)


def evaluate(board: chess.Board) -> int:
    """Score in centipawns for the side to move."""
    totals = [0, 0]  # black, white (indexed by chess.Color)
    material = [0, 0]
    for color in (chess.BLACK, chess.WHITE):
        own = board.occupied_co[color]
        total = 0
        for piece_type in PIECE_TYPES:
            table = _SQUARE_VALUE[(color, piece_type)]
            mask = board.pieces_mask(piece_type, color)
            material[color] += VALUES[piece_type] * chess.popcount(mask)
            mobile = piece_type in _MOBILE
            for square in chess.scan_forward(mask):
                total += table[square]
                if mobile:
                    total += 3 * chess.popcount(board.attacks_mask(square) & ~own)
        totals[color] = total
    score = totals[chess.WHITE] - totals[chess.BLACK]
    lead = material[chess.WHITE] - material[chess.BLACK]
    if abs(lead) >= 300:  # mop-up: corner the weaker king, bring ours closer
        strong = chess.WHITE if lead > 0 else chess.BLACK
        weak_king, strong_king = board.king(not strong), board.king(strong)
        if weak_king is not None and strong_king is not None:
            closeness = 14 - chess.square_manhattan_distance(weak_king, strong_king)
            bonus = 10 * _center_distance(weak_king) + 4 * closeness
            score += bonus if strong == chess.WHITE else -bonus
    return score if board.turn == chess.WHITE else -score


class _Budget(Exception):
    pass


class Searcher:
    def __init__(self, board: chess.Board, rng: random.Random) -> None:
        self.board = board
        self.rng = rng
        self.nodes = 0
        self.limit = NODE_BUDGET
        self.seen = self._history_keys()

    def _history_keys(self) -> set[str]:
        board = self.board.copy()
        keys = {self._key(board)}
        while board.move_stack:
            board.pop()
            keys.add(self._key(board))
        return keys

    @staticmethod
    def _key(board: chess.Board) -> str:
        return board.fen(en_passant="legal").rsplit(" ", 2)[0]

    def _ordered(self, moves: list[chess.Move]) -> list[chess.Move]:
        board = self.board

        def rank(move: chess.Move) -> int:
            score = 0
            if move.promotion:
                score += VALUES[move.promotion]
            victim = board.piece_type_at(move.to_square)
            if victim:
                attacker = board.piece_type_at(move.from_square) or chess.PAWN
                score += 10 * VALUES[victim] - VALUES[attacker] // 10 + 1
            elif board.is_en_passant(move):
                score += 10 * VALUES[chess.PAWN]
            return -score

        return sorted(moves, key=rank)

    def _tick(self) -> None:
        self.nodes += 1
        if self.nodes > self.limit:
            raise _Budget

    def quiesce(self, alpha: int, beta: int, depth: int) -> int:
        self._tick()
        stand = evaluate(self.board)
        if stand >= beta or depth == 0:
            return stand
        alpha = max(alpha, stand)
        captures = [m for m in self.board.generate_legal_captures()]
        for move in self._ordered(captures):
            self.board.push(move)
            score = -self.quiesce(-beta, -alpha, depth - 1)
            self.board.pop()
            if score >= beta:
                return score
            alpha = max(alpha, score)
        return alpha

    def negamax(self, depth: int, alpha: int, beta: int, ply: int) -> int:
        self._tick()
        board = self.board
        moves = list(board.legal_moves)
        if not moves:
            return -(MATE - ply) if board.is_check() else 0
        if board.is_insufficient_material() or board.halfmove_clock >= 100:
            return 0
        if depth == 0:
            return self.quiesce(alpha, beta, 4)
        best = -MATE - 1
        for move in self._ordered(moves):
            board.push(move)
            score = -self.negamax(depth - 1, -beta, -alpha, ply + 1)
            board.pop()
            if score > best:
                best = score
            if score > alpha:
                alpha = score
            if alpha >= beta:
                break
        return best

    def root(self, depth: int, moves: list[chess.Move]) -> tuple[chess.Move, int]:
        board = self.board
        alpha, best_move = -MATE - 1, moves[0]
        for move in moves:
            board.push(move)
            if board.is_checkmate():
                score = MATE - 1
            elif self._key(board) in self.seen or board.halfmove_clock >= 100:
                score = 0  # repeating gives the opponent (or the arena) a draw
            else:
                score = -self.negamax(depth - 1, -MATE - 1, -alpha, 1)
            board.pop()
            if score > alpha:
                alpha, best_move = score, move
        return best_move, alpha

    def best_move(self) -> chess.Move:
        moves = list(self.board.legal_moves)
        self.rng.shuffle(moves)
        best = self._ordered(moves)[0]
        max_depth = 3 if len(moves) <= 40 else 2
        for depth in range(1, max_depth + 1):
            try:
                move, score = self.root(depth, self._ordered_root(moves, best))
            except _Budget:
                break
            best = move
            if score >= MATE - 10:
                break
        return best

    def _ordered_root(self, moves: list[chess.Move], first: chess.Move) -> list[chess.Move]:
        ordered = self._ordered(moves)
        ordered.remove(first)
        return [first, *ordered]


def choose_searcher(rules: Rules, state: dict, seat: Seat, rng: random.Random) -> str:
    board = board_from_state(state)
    return Searcher(board, rng).best_move().uci()
