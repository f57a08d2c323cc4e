"""`/api/games` and `/api/me/games`: parse -> service/selectors -> schema. No rules, no storage here.

Writes and `/me` need a bearer token. Reading public games needs none; a token, when sent, must be
valid and lets its user see their hidden games and their own pending choices. Service modules are
imported inside the views so that loading the API does not load the rule engines (cold start).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from accounts.auth import bearer
from accounts.users import User
from duelarena.errors import Unauthorized
from games.schemas import CreateGameIn, GameListOut, GameOut, GameStatus, MoveIn

router = Router(tags=["games"])
me_router = Router(tags=["games"])

MAX_CURSOR = 2048


def optional_user(request: HttpRequest) -> User | None:
    """The bearer user if an Authorization header is present (invalid -> 401), else None."""
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


@router.post("", response={201: GameOut}, auth=bearer, summary="Create a game")
def create_game(request: HttpRequest, body: CreateGameIn) -> Status:
    from games import selectors, service

    game = service.create_game(
        request.auth, game_type=body.game_type, white=body.white_model, black=body.black_model, options=body.options
    )
    return Status(201, selectors.game_view(game, [], request.auth))


@router.get("", response=GameListOut, summary="Recent public games, newest first")
def list_games(
    request: HttpRequest,
    game_type: str | None = Query(None, max_length=32),
    status: GameStatus | None = None,
    cursor: str | None = Query(None, max_length=MAX_CURSOR),
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    from games import selectors

    return selectors.list_public(game_type=game_type or None, status=status, cursor=cursor, limit=limit)


@router.get("/{game_id}", response=GameOut, summary="A game with its state, players, totals and moves")
def get_game(request: HttpRequest, game_id: str) -> dict[str, Any]:
    return _view(game_id, optional_user(request))


@router.post("/{game_id}/moves", response=GameOut, auth=bearer, summary="A human seat's move")
def play_move(request: HttpRequest, game_id: str, body: MoveIn) -> dict[str, Any]:
    from games import selectors, service

    game, moves = service.play_move(
        game_id, request.auth, text=body.move, expected_ply=body.expected_ply, seat=body.seat
    )
    return selectors.game_view(game, moves, request.auth)


@router.post(
    "/{game_id}/step",
    response={200: GameOut, 202: GameOut},
    auth=bearer,
    summary="Play one AI turn",
    description="A built-in bot's turn is played at once (200). A model's or the judge's turn is queued "
    "and answered at once with 202 and the game (`turn_pending`): a worker plays it; watch the game.",
)
def step(request: HttpRequest, game_id: str) -> Status[dict[str, Any]]:
    from games import service

    game = service.step(game_id, request.auth)
    return Status(202 if game.step_requested else 200, _view(game_id, request.auth))


@router.post("/{game_id}/autoplay", response=GameOut, auth=bearer, summary="Play AI turns in the background")
def start_autoplay(request: HttpRequest, game_id: str) -> dict[str, Any]:
    from games import service

    service.start_autoplay(game_id, request.auth)
    return _view(game_id, request.auth)


@router.delete("/{game_id}/autoplay", response=GameOut, auth=bearer, summary="Stop background play")
def stop_autoplay(request: HttpRequest, game_id: str) -> dict[str, Any]:
    from games import service

    service.stop_autoplay(game_id, request.auth)
    return _view(game_id, request.auth)


@router.post("/{game_id}/resign", response=GameOut, auth=bearer, summary="The caller's seat resigns")
def resign(request: HttpRequest, game_id: str) -> dict[str, Any]:
    from games import service

    service.resign(game_id, request.auth)
    return _view(game_id, request.auth)


@router.get(
    "/{game_id}/pgn",
    response={200: str},
    summary="PGN of a chess game",
    openapi_extra={"responses": {200: {"content": {"application/x-chess-pgn": {"schema": {"type": "string"}}}}}},
)
def pgn(request: HttpRequest, game_id: str) -> HttpResponse:
    from games import selectors

    text = selectors.pgn(game_id, optional_user(request))
    response = HttpResponse(text, content_type="application/x-chess-pgn; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="duelarena-{game_id}.pgn"'
    return response


@me_router.get("/games", response=GameListOut, auth=bearer, summary="The caller's games, newest first")
def my_games(
    request: HttpRequest,
    cursor: str | None = Query(None, max_length=MAX_CURSOR),
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    from games import selectors

    return selectors.list_mine(request.auth, cursor=cursor, limit=limit)
