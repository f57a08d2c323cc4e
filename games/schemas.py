"""Request and response schemas of the games API (they validate input and document the OpenAPI spec).

Deliberately free of rules imports: the API modules are loaded by the first API request, the rule engines
(python-chess, the word list) only when a game request needs them, which keeps cold starts short. Like
every ninja schema, these build their validators on first use (``defer_build``, see duelarena/api.py).
The closed vocabularies come from ``games.vocabulary`` (the same enums the rules and records use).

Per-game types: a game's ``options`` and ``state`` depend on its ``game_type``, so the game view is a
union of one schema per game type, discriminated by ``game_type`` (``ChessGameOut``, ...), and so is the
body that creates a game. New fields go on the shared bases (``GameSummaryOut``, ``GameOutBase``,
``AttemptOut``, ``TotalsRowOut``) or on one game's schema.
"""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, StrictBool, StrictInt, create_model

from games.vocabulary import (
    GameResult,
    GameStatus,
    GameType,
    PauseReason,
    PlayerKind,
    SeatName,
    Termination,
    termination_name,
)


class MoveClass(StrEnum):
    INACCURACY = "inaccuracy"
    MISTAKE = "mistake"
    BLUNDER = "blunder"


TerminationName = Annotated[Termination, BeforeValidator(termination_name)]

MOVE_SYNTAX = {
    GameType.CHESS: "SAN (`e4`, `Nf3`, `O-O`, `exd8=Q`) or UCI (`e2e4`, `e7e8q`); long algebraic (`Ng1-f3`) "
    "and move numbers (`12...Nf6`) are accepted too. A pawn reaching the last rank without a piece promotes "
    "to a queen.",
    GameType.TICTACTOE: "a cell number `1`..`9` (row-major from the top-left) or a coordinate `a1`..`c3` "
    "(letter = column, digit = row from the top).",
    GameType.RPS: "`rock`, `paper` or `scissors` (also `r`, `p`, `s`). Both seats choose each round; a choice "
    "stays hidden from the other seat and spectators until both have chosen.",
    GameType.RACING: "`accelerate` (+1 speed, max 5), `brake` (-1, min 0), `coast`, or `boost` (move speed+3 "
    "this turn; 2 per race); an unambiguous prefix is accepted. Both seats choose each turn, hidden as in rps.",
    GameType.WORDS: "one English word (letters only, 2..24 characters) associated with the previous word, "
    "not used before in this game (a plural or singular of a used word counts as used).",
}


# ------------------------------------------------------------------------------------------- input


class _OptionsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    legal_moves_hint: StrictBool | None = Field(
        None, description="list the legal moves in model prompts (default false)"
    )
    seed: StrictInt | None = Field(None, description="fixes the game's seed (default: random)")


class ChessOptionsIn(_OptionsIn):
    max_plies: StrictInt | None = Field(None, description="10..1000, default 300: reaching it draws (`move_limit`)")
    start_fen: str | None = Field(None, description="a legal, unfinished position to start from (default: the usual)")


class TicTacToeOptionsIn(_OptionsIn):
    pass


class RpsOptionsIn(_OptionsIn):
    rounds: StrictInt | None = Field(None, description="odd, 1..99, default 5")


class RacingOptionsIn(_OptionsIn):
    track_length: StrictInt | None = Field(None, description="20..200, default 50")
    turn_limit: StrictInt | None = Field(None, description="10..500, default 100")


class WordsOptionsIn(_OptionsIn):
    rounds: StrictInt | None = Field(None, description="1..200, default 20 (a round = both seats answered once)")
    judge_model: str | None = Field(None, description="a configured model that rules on association (default none)")


class _CreateGameIn(Schema):
    model_config = ConfigDict(extra="forbid")

    white_model: str = Field(
        ..., min_length=1, max_length=200, description="the first seat's player: `human`, `builtin:...` or a model"
    )
    black_model: str = Field(..., min_length=1, max_length=200, description="the second seat's player")

    def options_dict(self) -> dict[str, Any] | None:
        options = getattr(self, "options", None)
        return None if options is None else options.model_dump(exclude_none=True)


class CreateChessGameIn(_CreateGameIn):
    game_type: Literal[GameType.CHESS]
    options: ChessOptionsIn | None = None


class CreateTicTacToeGameIn(_CreateGameIn):
    game_type: Literal[GameType.TICTACTOE]
    options: TicTacToeOptionsIn | None = None


class CreateRpsGameIn(_CreateGameIn):
    game_type: Literal[GameType.RPS]
    options: RpsOptionsIn | None = None


class CreateRacingGameIn(_CreateGameIn):
    game_type: Literal[GameType.RACING]
    options: RacingOptionsIn | None = None


class CreateWordsGameIn(_CreateGameIn):
    game_type: Literal[GameType.WORDS]
    options: WordsOptionsIn | None = None


CreateGameIn = Annotated[
    CreateChessGameIn | CreateTicTacToeGameIn | CreateRpsGameIn | CreateRacingGameIn | CreateWordsGameIn,
    Field(discriminator="game_type"),
]
CREATE_GAME_EXAMPLE = {
    "game_type": "tictactoe",
    "white_model": "human",
    "black_model": "builtin:perfect",
    "options": {"legal_moves_hint": False},
}


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    move: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="the move in its game's syntax: "
        + " ".join(f"{game}: {syntax}" for game, syntax in MOVE_SYNTAX.items()),
    )
    expected_ply: int = Field(..., ge=0, le=1_000_000, description="the game's `ply` you saw (409 when stale)")
    seat: SeatName | None = Field(None, description="only needed when you hold both seats")


# ------------------------------------------------------------------------------------------ output


class PlayerOut(Schema):
    name: str = Field(..., description="`human`, `builtin:<bot>` or `provider:model`")
    kind: PlayerKind
    user_id: str | None = Field(..., description="the seated user (human seats only)")


class PlayersOut(Schema):
    white: PlayerOut
    black: PlayerOut


class TotalsRowOut(Schema):
    tokens_in: int
    tokens_out: int
    cost_micros: int = Field(..., description="USD millionths")
    latency_ms: int
    moves: int
    illegal_attempts: int
    truncated_attempts: int = Field(0, description="answers cut off at the output limit with no playable move")


class TotalsOut(Schema):
    white: TotalsRowOut = Field(..., description="the white seat's own calls")
    black: TotalsRowOut = Field(..., description="the black seat's own calls")
    judge: TotalsRowOut = Field(..., description="the word-association judge's calls")
    game: TotalsRowOut = Field(..., description="everything the game cost: both seats plus the judge")


class GameSummaryOut(Schema):
    id: str
    game_type: GameType
    white: str
    black: str
    players: PlayersOut
    owner_id: str
    status: GameStatus
    pause_reason: PauseReason | None = Field(
        None, description="why a paused game waits (a step or a new autoplay resumes it)"
    )
    result: GameResult | None
    winner: SeatName | None
    termination: TerminationName | None
    ply: int | None = Field(
        description="plies played; null in a list row of a game that has not ended (the game view has it)"
    )
    moves_count: int | None = Field(
        description="moves recorded; null in a list row of a game that has not ended (the game view has it)"
    )
    rated: bool
    autoplay: bool
    step_requested: bool = Field(False, description="one AI turn was asked for (POST .../step) and is pending")
    turn_pending: bool = Field(
        False, description="an AI turn is due and will be played in the background (autoplay or a step)"
    )
    last_error: str | None = Field(
        None, description="why the pending turn's last try failed (it is retried with backoff), if it did"
    )
    hidden: bool
    created_at: datetime
    updated_at: datetime | None = Field(
        description="last change; null in a list row of a game that has not ended (the game view has it)"
    )


class GameListOut(Schema):
    items: list[GameSummaryOut]
    next_cursor: str | None


class JudgeOut(Schema):
    """The word-association judge's ruling on an answer (``associated`` null: no ruling, see ``error``)."""

    judge: str
    associated: bool | None
    prompt: str
    answer: str
    reason: str
    tokens_in: int
    tokens_out: int
    cost_micros: int
    latency_ms: int
    calls: int
    priced: bool
    error: str | None


class AttemptOut(Schema):
    attempt: int
    prompt: str
    answer: str
    parsed: str | None
    reasoning: str
    tokens_in: int
    tokens_out: int
    cost_micros: int
    latency_ms: int
    error: str | None
    finish_reason: str | None = Field(
        None, description="how the provider ended the answer: stop, length, content_filter, tool_calls, other"
    )
    truncated: bool = Field(False, description="cut off at the model's output limit")
    reasoning_tokens: int | None = Field(None, description="reasoning tokens within tokens_out, when reported")
    ttft_ms: int | None = Field(None, description="time to first token; null unless the call streamed")
    judge: JudgeOut | None = None


class _MoveAnalysisFields(Schema):
    model_config = {"extra": "allow"}

    cp_loss: int | None = Field(None, description="chess: centipawns lost against the best move")
    accuracy: float | None = Field(None, description="lichess's move accuracy, 0-100")
    best_uci: str | None = None
    best_san: str | None = Field(None, description="the best move (chess: SAN; tic-tac-toe: the cell)")
    eval_before: dict[str, Any] | None = None
    eval_after: dict[str, Any] | None = None


# One move's quality once the game is over (``games.analysis``): chess by Stockfish at a fixed node budget
# (centipawn loss, lichess's accuracy and classes), tic-tac-toe by the perfect player (did the move keep
# the game's value). ``class`` is a Python keyword, so the model is made with create_model.
if TYPE_CHECKING:  # what the type checker sees: the class without the keyword-named field
    MoveAnalysisOut = _MoveAnalysisFields
else:
    MoveAnalysisOut = create_model(
        "MoveAnalysisOut",
        __base__=_MoveAnalysisFields,
        **{"class": (MoveClass | None, Field(None, description="inaccuracy, mistake, blunder, or null"))},
    )


class MoveOut(Schema):
    ply: int = Field(..., description="the game's ply before this move (each ply holds at most one move)")
    seat: SeatName
    move: str | None
    raw: str | None
    attempts: list[AttemptOut]
    created_at: datetime
    hidden: bool = Field(..., description="true for another seat's choice in the current simultaneous round")
    analysis: MoveAnalysisOut | None = Field(None, description="the move's quality, once the game is analysed")


class LegalMoveOut(Schema):
    seat: SeatName
    move: str = Field(
        ..., description="what to send as `move` (chess: UCI; tic-tac-toe: the cell; rps/racing: the choice)"
    )
    san: str | None = Field(None, description="chess only: the same move in SAN")


class OutcomeOut(Schema):
    result: GameResult
    termination: TerminationName


# States: the rules' state for the viewer (another seat's pending choice removed while the game is live;
# the seed only once it is over).


class _StateBase(Schema):
    seed: int | None = Field(None, description="present once the game is over")
    outcome: OutcomeOut | None


class ChessOptionsOut(Schema):
    legal_moves_hint: bool
    max_plies: int
    start_fen: str | None


class ChessStateOut(_StateBase):
    game_type: Literal[GameType.CHESS]
    options: ChessOptionsOut
    start_fen: str
    fen: str = Field(..., description="the current position")
    moves: list[str] = Field(..., description="UCI moves from start_fen")
    san: list[str] = Field(..., description="the same moves in SAN")


class TicTacToeOptionsOut(Schema):
    legal_moves_hint: bool


class TicTacToeStateOut(_StateBase):
    game_type: Literal[GameType.TICTACTOE]
    options: TicTacToeOptionsOut
    board: list[Literal["", "X", "O"]] = Field(..., description="9 cells, row-major; X is white", min_length=9)
    moves: list[str] = Field(..., description="cells played, in order")


class RpsOptionsOut(Schema):
    legal_moves_hint: bool
    rounds: int


class RpsRoundOut(Schema):
    white: Literal["rock", "paper", "scissors"]
    black: Literal["rock", "paper", "scissors"]
    winner: SeatName | None


class ScoreOut(Schema):
    white: int
    black: int


class ChosenOut(Schema):
    white: bool
    black: bool


class RpsStateOut(_StateBase):
    game_type: Literal[GameType.RPS]
    options: RpsOptionsOut
    rounds: list[RpsRoundOut]
    pending: dict[SeatName, str] = Field(..., description="choices of the current round that this viewer may see")
    chosen: ChosenOut | None = Field(None, description="live games: which seats have chosen this round")
    score: ScoreOut


class RacingOptionsOut(Schema):
    legal_moves_hint: bool
    track_length: int
    turn_limit: int


class CurveOut(Schema):
    cell: int
    safe_speed: int


class CarOut(Schema):
    position: int
    speed: int
    boosts_left: int


class CarTurnOut(CarOut):
    action: Literal["accelerate", "brake", "coast", "boost"]
    distance: int
    spun_out: int | None = Field(..., description="the curve cell where the car spun out")


class RacingTurnOut(Schema):
    white: CarTurnOut
    black: CarTurnOut


class CarsOut(Schema):
    white: CarOut
    black: CarOut


class RacingStateOut(_StateBase):
    game_type: Literal[GameType.RACING]
    options: RacingOptionsOut
    curves: list[CurveOut]
    cars: CarsOut
    turn: int
    pending: dict[SeatName, str] = Field(..., description="choices of the current turn that this viewer may see")
    chosen: ChosenOut | None = Field(None, description="live games: which seats have chosen this turn")
    history: list[RacingTurnOut]


class WordsOptionsOut(Schema):
    legal_moves_hint: bool
    rounds: int
    judge_model: str | None


class WordOut(Schema):
    seat: SeatName
    word: str
    judged: bool
    associated: bool | None
    judge: str | None = None


class WordsStateOut(_StateBase):
    game_type: Literal[GameType.WORDS]
    options: WordsOptionsOut
    start_word: str
    words: list[WordOut]


class SeatQualityOut(Schema):
    model_config = {"extra": "allow"}

    moves: int = Field(0, description="analysed moves of the seat")
    accuracy: float | None = None
    acpl: float | None = Field(None, description="chess: average centipawn loss")
    blunders: int = 0
    mistakes: int = 0
    inaccuracies: int = 0


class GameAnalysisOut(Schema):
    model_config = {"extra": "allow"}

    engine: str = Field(..., description="what judged the moves (Stockfish's name, or the perfect player)")
    nodes: int | None = Field(None, description="chess: the node budget per position")
    seconds: float | None = Field(None, description="how long the analysis took")
    seats: dict[SeatName, SeatQualityOut | None]


class GameOutBase(GameSummaryOut):
    seed: int | None = Field(..., description="revealed when the game is over")
    bot_secret: int | None = Field(
        None, description="where built-in bots drew their randomness from; revealed when the game is over"
    )
    analysis: GameAnalysisOut | None = Field(
        None,
        description="move quality per seat, stored by the turn workers after a chess or tic-tac-toe game "
        "ends (null until then, and for the other games)",
    )
    version: int = Field(..., description="incremented by every change of the game's state (the ETag's base)")
    to_move: list[SeatName]
    viewer_seats: list[SeatName]
    legal_moves: list[LegalMoveOut] = Field(
        ...,
        description="the moves the viewer's own seat(s) to move may play (chess: UCI with SAN; tic-tac-toe: "
        "free cells; rps and racing: the choices); empty for spectators and AI seats. Empty for word "
        "association: any valid English word may be legal, so there is no list to offer.",
    )
    totals: TotalsOut
    moves: list[MoveOut]


def _game_out(game_type: GameType, options: type[Schema], state: type[Schema]) -> type[GameOutBase]:
    name = {GameType.TICTACTOE: "TicTacToe", GameType.RPS: "Rps"}.get(game_type, game_type.value.title())
    namespace = {
        "__annotations__": {"game_type": Literal[game_type], "options": options, "state": state},
        "__doc__": f"A {game_type.value} game. Move syntax: {MOVE_SYNTAX[game_type]}",
        "__module__": __name__,
    }
    return type(f"{name}GameOut", (GameOutBase,), namespace)


ChessGameOut = _game_out(GameType.CHESS, ChessOptionsOut, ChessStateOut)
TicTacToeGameOut = _game_out(GameType.TICTACTOE, TicTacToeOptionsOut, TicTacToeStateOut)
RpsGameOut = _game_out(GameType.RPS, RpsOptionsOut, RpsStateOut)
RacingGameOut = _game_out(GameType.RACING, RacingOptionsOut, RacingStateOut)
WordsGameOut = _game_out(GameType.WORDS, WordsOptionsOut, WordsStateOut)

GameOut = Annotated[
    ChessGameOut | TicTacToeGameOut | RpsGameOut | RacingGameOut | WordsGameOut,  # type: ignore[valid-type]
    Field(discriminator="game_type"),
]


class MovesAfterOut(Schema):
    id: str
    version: int
    ply: int = Field(..., description="the game's ply; `moves` may briefly lag it (poll again from the last move)")
    status: GameStatus
    etag: str = Field(..., description="the game view's current ETag (for a conditional GET of the game)")
    moves: list[MoveOut] = Field(..., description="moves with `ply` greater than `after`, in ply order")
