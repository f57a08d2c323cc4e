"""`/api/games` and `/api/me/games`: parse -> service/selectors -> schema. No rules, no storage here.

Writes and `/me` need a bearer token. Public reads (lists, one game, its moves, PGN; also the leaderboard
and the models) need none; a token, when sent, must be valid on every one of them (a bad or expired token
is a 401, so a client that sent one learns it is bad) and lets its user see their hidden games and their
own pending choices. Service modules are imported inside the views so that loading the API does not load
the rule engines (cold start).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from accounts.auth import AuthedRequest, bearer
from accounts.users import User
from duelarena.api_docs import errors
from duelarena.errors import Unauthorized
from games.schemas import CREATE_GAME_EXAMPLE, CreateGameIn, GameListOut, GameOut, MoveIn, MovesAfterOut
from games.vocabulary import GameStatus, GameType

router = Router(tags=["games"])
me_router = Router(tags=["games"])

MAX_CURSOR = 2048
NOT_FOUND = {404: ("not_found",)}
BAD_CURSOR = {400: ("invalid_cursor", "unknown_game_type")}
DRIVE = {403: ("forbidden",), 404: ("not_found",), 409: ("game_over", "conflict")}


def optional_user(request: HttpRequest) -> User | None:
    """The bearer user if an Authorization header is present (invalid or expired -> 401), else None."""
    header = request.headers.get("Authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'", code="invalid_token")
    return bearer.authenticate(request, token.strip())


def _view(game_id: str, user: User | None) -> dict[str, Any]:
    from games import selectors

    return selectors.get_game(game_id, user)


_create_errors, _create_extra = errors(
    {400: ("unknown_player", "invalid_options"), 429: ("rate_limited", "budget_exceeded")}, token=True
)


@router.post(
    "",
    response={201: GameOut, **_create_errors},
    auth=bearer,
    summary="Create a game",
    operation_id="createGame",
    openapi_extra={
        **_create_extra,
        "requestBody": {"content": {"application/json": {"example": CREATE_GAME_EXAMPLE}}},
    },
)
def create_game(request: AuthedRequest, body: CreateGameIn) -> Status:
    from games import selectors, service

    game = service.create_game(
        request.auth,
        game_type=body.game_type,
        white=body.white_model,
        black=body.black_model,
        options=body.options_dict(),
    )
    return Status(201, selectors.game_view(game, [], request.auth))


_list_errors, _list_extra = errors(BAD_CURSOR, optional_token=True)


@router.get(
    "",
    response={200: GameListOut, **_list_errors},
    summary="Recent public games, newest first",
    operation_id="listGames",
    openapi_extra=_list_extra,
)
def list_games(
    request: HttpRequest,
    game_type: GameType | None = None,
    status: GameStatus | None = None,
    cursor: str | None = Query(None, max_length=MAX_CURSOR),
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    from games import selectors

    optional_user(request)  # a token, when sent, must be valid (as on every public read)
    return selectors.list_public(game_type=game_type, status=status, cursor=cursor, limit=limit)


_get_errors, _get_extra = errors(NOT_FOUND, optional_token=True)


@router.get(
    "/{game_id}",
    response={200: GameOut, 304: None, **_get_errors},
    summary="A game with its state, players, totals, legal moves and moves",
    description=(
        "Sends a weak `ETag` (the game's version, its autoplay/hidden switches and the viewer's seats). "
        "With `If-None-Match` an unchanged game answers 304 after one eventually consistent read of the "
        "game item (never its moves): poll this way, or follow the moves with `GET .../moves?after=`."
    ),
    operation_id="getGame",
    openapi_extra=_get_extra,
)
def get_game(request: HttpRequest, game_id: str, response: HttpResponse) -> Any:
    from games import selectors

    user = optional_user(request)
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tag = selectors.current_etag(game_id, user)
        if selectors.etag_matches(if_none_match, tag):
            unchanged = HttpResponse(status=304)
            unchanged["ETag"] = tag
            unchanged["Vary"] = "Authorization"
            return unchanged
    view = _view(game_id, user)
    response["ETag"] = view.pop("etag")
    response["Vary"] = "Authorization"
    return view


@router.get(
    "/{game_id}/moves",
    response={200: MovesAfterOut, **_get_errors},
    summary="The moves after a ply, with the game's version, ply and status",
    description=(
        "One read of the game item and one Query that starts after `after` (it reads only newer moves). "
        "Pass the `ply` of the last move you hold; `moves` may briefly lag the game's `ply`."
    ),
    operation_id="getGameMoves",
    openapi_extra=_get_extra,
)
def game_moves(request: HttpRequest, game_id: str, after: int = Query(-1, ge=-1, le=1_000_000)) -> dict[str, Any]:
    from games import selectors

    return selectors.moves_after(game_id, optional_user(request), after)


_move_errors, _move_extra = errors(
    {
        400: ("illegal_move", "unreadable_move"),
        403: ("not_a_player",),
        404: ("not_found",),
        409: ("stale_ply", "not_your_turn", "game_over", "conflict"),
    },
    token=True,
)


@router.post(
    "/{game_id}/moves",
    response={200: GameOut, **_move_errors},
    auth=bearer,
    summary="A human seat's move",
    operation_id="playMove",
    openapi_extra=_move_extra,
)
def play_move(request: AuthedRequest, game_id: str, body: MoveIn) -> dict[str, Any]:
    from games import selectors, service

    game, moves = service.play_move(
        game_id, request.auth, text=body.move, expected_ply=body.expected_ply, seat=body.seat
    )
    return selectors.game_view(game, moves, request.auth)


_step_errors, _step_extra = errors(
    {
        **DRIVE,
        409: ("game_over", "waiting_for_human", "conflict"),
        429: ("rate_limited", "budget_exceeded"),
        503: ("player_unavailable", "owner_unavailable"),
    },
    token=True,
)


@router.post(
    "/{game_id}/step",
    response={200: GameOut, 202: GameOut, **_step_errors},
    auth=bearer,
    summary="Play one AI turn",
    description=(
        "200 with the game when a built-in bot's turn was played at once; 202 with the game (its turn "
        "pending) when a model's or the judge's turn was queued: follow it by polling the game."
    ),
    operation_id="stepGame",
    openapi_extra=_step_extra,
)
def step(request: AuthedRequest, game_id: str) -> Status[dict[str, Any]]:
    from games import service

    game = service.step(game_id, request.auth)
    return Status(202 if game.step_requested else 200, _view(game_id, request.auth))


_autoplay_errors, _autoplay_extra = errors(
    {**DRIVE, 400: ("no_ai_player",), 429: ("rate_limited", "budget_exceeded")}, token=True
)


@router.post(
    "/{game_id}/autoplay",
    response={200: GameOut, **_autoplay_errors},
    auth=bearer,
    summary="Play AI turns in the background",
    operation_id="startAutoplay",
    openapi_extra=_autoplay_extra,
)
def start_autoplay(request: AuthedRequest, game_id: str) -> dict[str, Any]:
    from games import service

    service.start_autoplay(game_id, request.auth)
    return _view(game_id, request.auth)


_drive_errors, _drive_extra = errors(DRIVE, token=True)


@router.delete(
    "/{game_id}/autoplay",
    response={200: GameOut, **_drive_errors},
    auth=bearer,
    summary="Stop background play",
    operation_id="stopAutoplay",
    openapi_extra=_drive_extra,
)
def stop_autoplay(request: AuthedRequest, game_id: str) -> dict[str, Any]:
    from games import service

    service.stop_autoplay(game_id, request.auth)
    return _view(game_id, request.auth)


_resign_errors, _resign_extra = errors({**DRIVE, 403: ("not_a_player",)}, token=True)


@router.post(
    "/{game_id}/resign",
    response={200: GameOut, **_resign_errors},
    auth=bearer,
    summary="The caller's seat resigns",
    operation_id="resignGame",
    openapi_extra=_resign_extra,
)
def resign(request: AuthedRequest, game_id: str) -> dict[str, Any]:
    from games import service

    service.resign(game_id, request.auth)
    return _view(game_id, request.auth)


_pgn_errors, _pgn_extra = errors({**NOT_FOUND, 400: ("not_chess",)}, optional_token=True)
_pgn_extra["responses"][200] = {
    "description": "PGN with the players, date, result and termination (readable by python-chess)",
    "content": {"application/x-chess-pgn": {"schema": {"type": "string"}}},
}


@router.get(
    "/{game_id}/pgn",
    response=_pgn_errors,
    summary="PGN of a chess game",
    operation_id="getGamePgn",
    openapi_extra=_pgn_extra,
)
def pgn(request: HttpRequest, game_id: str) -> HttpResponse:
    from games import selectors

    text = selectors.pgn(game_id, optional_user(request))
    response = HttpResponse(text, content_type="application/x-chess-pgn; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="duelarena-{game_id}.pgn"'
    return response


_mine_errors, _mine_extra = errors({400: ("invalid_cursor",)}, token=True)


@me_router.get(
    "/games",
    response={200: GameListOut, **_mine_errors},
    auth=bearer,
    summary="The caller's games, newest first",
    operation_id="listMyGames",
    openapi_extra=_mine_extra,
)
def my_games(
    request: AuthedRequest,
    cursor: str | None = Query(None, max_length=MAX_CURSOR),
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    from games import selectors

    return selectors.list_mine(request.auth, cursor=cursor, limit=limit)
