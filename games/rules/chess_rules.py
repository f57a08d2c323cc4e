"""Chess through python-chess.

State (its size does not grow with the game: the game's history lives in its move items):
``fen`` is the position; ``plies`` counts the moves played; ``last``/``last_san`` are the last move (UCI,
SAN); ``window_fen`` + ``window`` (UCI) are the position right after the last irreversible move (a
capture, a pawn move, a loss of castling rights, a ceded en-passant capture: python-chess's
``is_irreversible``) and the moves played since. That is all repetition needs: python-chess's
``is_repetition`` never looks past an irreversible move, so a board replayed from ``window_fen`` judges
threefold and fivefold repetition exactly as one replayed from the start, and the window is bounded by
the fifty-move rule (the halfmove clock never resets inside it, and 100 halfmoves end the game).
``start_fen`` stays for PGN export, which replays the move items (``chess_pgn.to_pgn``).

States stored before this shape (``moves`` and ``san``: every move of the game) still load and play:
``board_from_state`` replays them from ``start_fen``, and ``apply`` returns the new shape.

Interpretation choices:
- Seat ``white`` plays the white pieces even when ``start_fen`` has black to move; ``first`` means the
  white pieces won.
- Input is SAN or UCI (also long algebraic like ``Ng1-f3``/``e2-e4``, ``0-0``, move numbers ``12. Nf3``,
  ``12...Nf6``, ``12…Nf6``, ``12. ...Nf6``, a leading ``...``, annotations ``+ # ! ?``, ``e.p.``). SAN piece
  letters in the wrong case are accepted only when that reading is unambiguous among the legal moves. A
  lower-case ``b`` is both the b-file and a bishop: ``bb6``/``bxc3`` is refused as ambiguous when the pawn
  move and the bishop move are both legal (never silently played as the pawn), and means whichever of
  the two is legal otherwise. Ambiguous SAN (two knights can reach the square) is refused, never guessed.
- A pawn move to the last rank written without a piece (``e8``, ``e7e8``) promotes to a queen.
- Automatic draw claims: after each move the arena ends the game when the threefold repetition or
  fifty-move condition *has occurred* (``is_repetition(3)``, ``halfmove_clock >= 100``), i.e. what
  ``can_claim_*`` reports for the current position; it does not end the game because the player to
  move *could* reach it with their next move, since they may prefer to avoid it.
- ``max_plies`` counts plies of this game (not the FEN's move number); reaching it draws (``move_limit``)
  unless the last move ended the game otherwise.
"""

from __future__ import annotations

import re

import chess

from games.vocabulary import GameResult, Termination

from .base import (
    IllegalMove,
    MoveChoice,
    Outcome,
    RuleError,
    Seat,
    bool_option,
    check_option_keys,
    check_seed,
    clean_text,
    fresh,
    int_option,
    require_turn,
)

_UCI = re.compile(r"[a-h][1-8][a-h][1-8][qrbn]?")
_LONG = re.compile(r"([KQRBNP])?([a-h][1-8])[-x:]?([a-h][1-8])=?([QRBN])?", re.IGNORECASE)
# "12.", "12...", "12…", "12. ...", "12. …" before the move; then any dots or ellipses left ("...Nf6").
_MOVE_NUMBER = re.compile(r"^(?:\d+\s*[.\u2026][.\u2026\s]*|[.\u2026]+\s*)")
_B_PAWN_OR_BISHOP = re.compile(r"b[1-8]?[x:]?[a-h][1-8][+#]?")  # "bb6", "bxc3", "bc3": pawn SAN or bishop
_CASTLE = re.compile(r"[O0]-?[O0](-?[O0])?")
_EP = re.compile(r"\s*e\.?\s?p\.?$", re.IGNORECASE)
_OLD_HISTORY = ("moves", "san")  # the whole game, in states stored before the repetition window


def seat_of(color: chess.Color) -> Seat:
    return "white" if color == chess.WHITE else "black"


def board_from_state(state: dict) -> chess.Board:
    """The position with the move stack repetition checks need: replayed from the start of the
    repetition window (or, for a state of the old shape, from the start of the game)."""
    if "moves" in state:  # stored before the window existed: every move
        board = chess.Board(state["start_fen"])
        moves = state["moves"]
    else:
        board = chess.Board(state["window_fen"])
        moves = state["window"]
    for uci in moves:
        board.push(chess.Move.from_uci(uci))
    return board


def replay(start_fen: str, moves: list[str]) -> chess.Board:
    """The board after ``moves`` (UCI) from ``start_fen``, full stack (PGN export, the game view)."""
    board = chess.Board(start_fen)
    for uci in moves:
        board.push(chess.Move.from_uci(uci))
    return board


def san_list(start_fen: str, moves: list[str]) -> list[str]:
    """The SAN of each of ``moves`` (UCI) played from ``start_fen``."""
    board = chess.Board(start_fen)
    sans = []
    for uci in moves:
        move = chess.Move.from_uci(uci)
        sans.append(board.san(move))
        board.push(move)
    return sans


def repetition_window(board: chess.Board) -> tuple[str, list[str]]:
    """(FEN right after the last irreversible move on ``board``'s stack, the UCI moves since)."""
    walk = board.copy(stack=True)
    since: list[chess.Move] = []
    while walk.move_stack:
        move = walk.pop()
        if walk.is_irreversible(move):
            walk.push(move)
            break
        since.append(move)
    return walk.fen(), [m.uci() for m in reversed(since)]


def board_outcome(board: chess.Board, plies: int, max_plies: int) -> Outcome | None:
    found = board.outcome(claim_draw=False)
    if found is not None:
        if found.winner is None:
            result = GameResult.DRAW
        else:
            result = GameResult.FIRST if found.winner == chess.WHITE else GameResult.SECOND
        return Outcome(result, found.termination.name.lower())
    if board.is_repetition(3):
        return Outcome(GameResult.DRAW, Termination.THREEFOLD_REPETITION)
    if board.halfmove_clock >= 100:
        return Outcome(GameResult.DRAW, Termination.FIFTY_MOVES)
    if plies >= max_plies:
        return Outcome(GameResult.DRAW, Termination.MOVE_LIMIT)
    return None


class ChessRules:
    game_type = "chess"
    simultaneous = False

    def validate_options(self, options: dict) -> dict:
        options = check_option_keys(options, {"legal_moves_hint", "max_plies", "start_fen"})
        start_fen = options.get("start_fen")
        if start_fen is not None:
            start_fen = self._check_fen(start_fen)
        return {
            "legal_moves_hint": bool_option(options, "legal_moves_hint", False),
            "max_plies": int_option(options, "max_plies", 300, 10, 1000),
            "start_fen": start_fen,
        }

    @staticmethod
    def _check_fen(fen: object) -> str:
        if not isinstance(fen, str):
            raise RuleError("invalid_options", "start_fen must be a FEN string", {"option": "start_fen"})
        try:
            board = chess.Board(fen.strip())
        except ValueError as exc:
            raise RuleError("invalid_options", f"start_fen is not valid FEN: {exc}", {"option": "start_fen"}) from None
        if not board.is_valid():
            raise RuleError(
                "invalid_options",
                f"start_fen is not a legal position ({board.status()!r})",
                {"option": "start_fen"},
            )
        if board.outcome(claim_draw=False) is not None:
            raise RuleError("invalid_options", "start_fen is already a finished game", {"option": "start_fen"})
        return board.fen()

    def initial_state(self, options: dict, seed: int) -> dict:
        options = self.validate_options(options)
        start_fen = options["start_fen"] or chess.STARTING_FEN
        return {
            "game_type": self.game_type,
            "seed": check_seed(seed),
            "options": options,
            "start_fen": start_fen,
            "fen": start_fen,
            "plies": 0,
            "last": None,
            "last_san": None,
            "window_fen": start_fen,
            "window": [],
            "outcome": None,
        }

    def to_move(self, state: dict) -> tuple[Seat, ...]:
        if state["outcome"] is not None:
            return ()
        return ("white",) if state["fen"].split()[1] == "w" else ("black",)

    def outcome(self, state: dict) -> Outcome | None:
        return Outcome.from_dict(state["outcome"])

    def ply(self, state: dict) -> int:
        return len(state["moves"]) if "moves" in state else int(state["plies"])

    def legal_moves(self, state: dict, seat: Seat) -> list[str]:
        if seat not in self.to_move(state):
            return []
        return sorted(m.uci() for m in chess.Board(state["fen"]).legal_moves)

    def move_choices(self, state: dict, seat: Seat) -> list[MoveChoice]:
        """The legal moves of ``seat`` (none when it is not to move) in UCI, each with its SAN."""
        if seat not in self.to_move(state):
            return []
        board = chess.Board(state["fen"])
        return sorted(({"move": m.uci(), "san": board.san(m)} for m in board.legal_moves), key=lambda c: c["move"])

    # ------------------------------------------------------------------------------------------ parse

    def parse_move(self, state: dict, seat: Seat, text: str) -> str:
        require_turn(self, state, seat)
        board = chess.Board(state["fen"])
        s = _MOVE_NUMBER.sub("", clean_text(text))
        s = _EP.sub("", s.rstrip("+#!?").strip()).rstrip("+#!?").strip()
        if not s:
            raise IllegalMove("unreadable_move", f"no chess move found in {text!r}")
        move = self._parse(board, s)
        return move.uci()

    def _parse(self, board: chess.Board, s: str) -> chess.Move:
        if _CASTLE.fullmatch(s.upper()):
            return self._castle(board, queenside=s.upper().replace("0", "O").count("O") == 3)
        long = _LONG.fullmatch(s)
        if long:
            return self._long(board, s, long)
        self._refuse_pawn_or_bishop(board, s)
        try:
            move = board.parse_san(s)
        except chess.AmbiguousMoveError:
            raise IllegalMove(
                "illegal_move",
                f"{s!r} is ambiguous: more than one piece can make it; add the from-file or rank",
            ) from None
        except (chess.IllegalMoveError, chess.InvalidMoveError):
            move = self._loose_san(board, s)
        if move == chess.Move.null() or move not in board.legal_moves:
            raise IllegalMove("unreadable_move", f"{s!r} is not a chess move")
        return move

    def _refuse_pawn_or_bishop(self, board: chess.Board, s: str) -> None:
        """``bb6`` / ``bxc3``: a b-pawn move in SAN, or a bishop move with the piece letter in lower case.
        When both readings are legal the answer is refused, naming both."""
        if not _B_PAWN_OR_BISHOP.fullmatch(s):
            return
        readings = []
        for text in (s, "B" + s[1:]):
            try:
                readings.append(board.parse_san(text))
            except chess.AmbiguousMoveError:  # two bishops (after a promotion): still a bishop reading
                readings.append(chess.Move.null())
            except (chess.IllegalMoveError, chess.InvalidMoveError):
                return
        pawn, bishop = readings
        if pawn == bishop or pawn == chess.Move.null() or board.piece_type_at(pawn.from_square) != chess.PAWN:
            return
        bishop_text = f"{board.san(bishop)} ({bishop.uci()})" if bishop else f"B{s[1:]}"
        raise IllegalMove(
            "illegal_move",
            f"{s!r} is ambiguous: it reads as the pawn move {board.san(pawn)} ({pawn.uci()}) or as the bishop "
            f"move {bishop_text}; write the bishop with a capital B, or the pawn move in UCI ({pawn.uci()})",
        )

    def _loose_san(self, board: chess.Board, s: str) -> chess.Move:
        """Case-insensitive and promotion-defaulting SAN; only an unambiguous match is accepted."""

        def key(text: str) -> str:
            return re.sub(r"[x:=+#\-]", "", text.lower())

        wanted = key(s[1:] if s[:1] == "P" and len(s) > 1 and s[1] in "abcdefgh" else s)
        matches = [m for m in board.legal_moves if key(board.san(m)) == wanted]
        if not matches:
            matches = [m for m in board.legal_moves if m.promotion == chess.QUEEN and key(board.san(m)) == wanted + "q"]
        if not matches and s[:1] in "kqrbn" and len(s) > 1:
            # a lower-case piece letter on SAN that needs disambiguating ("nd2" with two knights)
            try:
                board.parse_san(s[0].upper() + s[1:])
            except chess.AmbiguousMoveError:
                piece = chess.Piece.from_symbol(s[0].upper())
                target = s.rstrip("+#")[-2:]
                matches = [
                    m
                    for m in board.legal_moves
                    if board.piece_at(m.from_square) == piece and chess.square_name(m.to_square) == target
                ]
            except (chess.IllegalMoveError, chess.InvalidMoveError, ValueError):
                pass
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            options = ", ".join(sorted(board.san(m) for m in matches))
            raise IllegalMove("illegal_move", f"{s!r} is ambiguous here; did you mean one of: {options}?")
        if re.fullmatch(r"[KQRBNkqrbn]?[a-h]?[1-8]?[x:\-]?[a-h][1-8](=?[QRBNqrbn])?", s):
            raise IllegalMove("illegal_move", self._no_match(board, s))
        raise IllegalMove(
            "unreadable_move",
            f"{s!r} is not a chess move; use SAN like Nf3, exd5, O-O, e8=Q or UCI like g1f3",
        )

    def _long(self, board: chess.Board, s: str, found: re.Match) -> chess.Move:
        piece_letter, src, dst, promo = found.groups()
        move = chess.Move(
            chess.parse_square(src.lower()),
            chess.parse_square(dst.lower()),
            chess.Piece.from_symbol(promo.lower()).piece_type if promo else None,
        )
        piece = board.piece_at(move.from_square)
        if piece is None:
            raise IllegalMove("illegal_move", f"{s!r} is illegal: there is no piece on {src}")
        if piece.color != board.turn:
            raise IllegalMove("illegal_move", f"{s!r} is illegal: the piece on {src} belongs to {seat_of(piece.color)}")
        if piece_letter and piece.symbol().upper() != piece_letter.upper():
            raise IllegalMove("illegal_move", f"{s!r} is illegal: the piece on {src} is not a {piece_letter}")
        if piece.piece_type == chess.KING and board.is_castling(move):
            return self._castle(board, queenside=chess.square_file(move.to_square) < 4)
        last_rank = chess.square_rank(move.to_square) in (0, 7)
        if piece.piece_type == chess.PAWN and last_rank and move.promotion is None:
            move = chess.Move(move.from_square, move.to_square, chess.QUEEN)
        if move.promotion is not None and not (piece.piece_type == chess.PAWN and last_rank):
            raise IllegalMove("illegal_move", f"{s!r} is illegal: only a pawn reaching the last rank promotes")
        if move in board.legal_moves:
            return move
        if board.is_pseudo_legal(move):
            raise IllegalMove("illegal_move", f"{s!r} is illegal: it would leave your king in check")
        raise IllegalMove(
            "illegal_move",
            f"{s!r} is illegal: the {chess.piece_name(piece.piece_type)} on "
            f"{src} cannot move to {dst}" + self._check_note(board),
        )

    def _castle(self, board: chess.Board, *, queenside: bool) -> chess.Move:
        side = "queenside" if queenside else "kingside"
        for move in board.legal_moves:
            if board.is_queenside_castling(move) if queenside else board.is_kingside_castling(move):
                return move
        rights = board.has_queenside_castling_rights if queenside else board.has_kingside_castling_rights
        if not rights(board.turn):
            reason = "the castling right has been lost (the king or that rook has moved)"
        elif board.is_check():
            reason = "you cannot castle out of check"
        else:
            king = board.king(board.turn)
            assert king is not None
            step = -1 if queenside else 1
            rook_file = 0 if queenside else 7
            between = [
                chess.square(f, chess.square_rank(king)) for f in range(chess.square_file(king) + step, rook_file, step)
            ]
            passed = [king + step, king + 2 * step]
            if any(board.piece_at(sq) for sq in between):
                reason = "there are pieces between the king and the rook"
            elif any(board.is_attacked_by(not board.turn, sq) for sq in passed):
                reason = "the king would pass through or land on an attacked square"
            else:
                reason = "it is not possible in this position"
        raise IllegalMove("illegal_move", f"castling {side} is illegal: {reason}")

    def _no_match(self, board: chess.Board, s: str) -> str:
        who = seat_of(board.turn)
        return f"{s!r} is illegal: no legal move for {who} matches it" + self._check_note(board)

    @staticmethod
    def _check_note(board: chess.Board) -> str:
        return " (you are in check and must get out of it)" if board.is_check() else ""

    # ------------------------------------------------------------------------------------------ apply

    def apply(self, state: dict, seat: Seat, move: str) -> dict:
        require_turn(self, state, seat)
        if not isinstance(move, str) or not _UCI.fullmatch(move):
            raise IllegalMove("unreadable_move", f"{move!r} is not a canonical UCI move; use parse_move first")
        board = board_from_state(state)
        parsed = chess.Move.from_uci(move)
        if parsed not in board.legal_moves:
            raise IllegalMove("illegal_move", f"{move!r} is not legal in this position")
        san = board.san(parsed)
        board.push(parsed)
        window_fen, window = repetition_window(board)
        plies = self.ply(state) + 1
        found = board_outcome(board, plies, state["options"]["max_plies"])
        new = {key: fresh(value) for key, value in state.items() if key not in _OLD_HISTORY}
        new.update(
            fen=board.fen(),
            plies=plies,
            last=move,
            last_san=san,
            window_fen=window_fen,
            window=window,
            outcome=found.to_dict() if found else None,
        )
        return new

    # ----------------------------------------------------------------------------------------- views

    def public_view(self, state: dict, viewer: Seat | None) -> dict:
        return fresh(state)

    def render(self, state: dict, seat: Seat | None) -> str:
        board = chess.Board(state["fen"])
        who = f"You play {seat}." if seat else "Spectator view."
        lines = [f"Chess. {who}"]
        found = self.outcome(state)
        if found:
            lines.append(f"The game is over: {found.result} ({found.termination}).")
        else:
            lines.append(
                f"Side to move: {seat_of(board.turn)}. Ply {self.ply(state) + 1} of at most "
                f"{state['options']['max_plies']}."
            )
        if state["start_fen"] != chess.STARTING_FEN:
            lines.append(f"Start position (FEN): {state['start_fen']}")
        lines.append(f"Current position (FEN): {state['fen']}")
        if "moves" in state:
            lines.append(f"Moves so far (SAN): {movetext(state['start_fen'], state['san']) or '(none)'}")
        elif HISTORY_KEY in state:  # the whole move list, from the game's history item (a model's turn)
            lines.append(f"Moves so far (SAN): {movetext(state['start_fen'], state[HISTORY_KEY]) or '(none)'}")
        else:
            recent = movetext(state["window_fen"], san_list(state["window_fen"], state["window"]))
            if state["last_san"] and not state["window"]:
                recent = f"(last move: {state['last_san']})"
            lines.append(
                f"Moves since the last capture, pawn move or loss of castling rights (SAN): {recent or '(none)'}"
            )
        lines.append("Board (uppercase = white, lowercase = black, white at the bottom):")
        rows = str(board).splitlines()
        lines.extend(f"{8 - i} {row}" for i, row in enumerate(rows))
        lines.append("  a b c d e f g h")
        if board.is_check() and not found:
            lines.append(f"{seat_of(board.turn)} is in check.")
        return "\n".join(lines)


# A turn's input state may carry the game's whole move list in SAN under this key (read from the game's
# history item, never stored in the state): the prompt then shows every move, as GAMES.md asks.
HISTORY_KEY = "history_san"


def movetext(start_fen: str, sans: list[str]) -> str:
    """``1. e4 e5 2. Nf3`` numbered from the move number of ``start_fen``."""
    start = chess.Board(start_fen)
    number, white_to_move = start.fullmove_number, start.turn == chess.WHITE
    parts: list[str] = []
    for i, san in enumerate(sans):
        if white_to_move:
            parts.append(f"{number}. {san}")
        elif i == 0:
            parts.append(f"{number}... {san}")
        else:
            parts.append(san)
        if not white_to_move:
            number += 1
        white_to_move = not white_to_move
    return " ".join(parts)
