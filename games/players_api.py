"""`/api/llm/models`: the players this deployment can seat (no authentication needed).

The player catalog is a games concept (``games.catalog``), so the router lives here; its URL stays
``/api/llm/models`` (mounted by ``duelarena.api``).

Only names that ``POST /api/games`` would accept are listed: ``human``, the built-in bots with the games
they play, and the models of the providers that are really configured (a key, a region, an endpoint),
with their prices in USD per million tokens (null when unknown). Provider keys themselves never appear.
"""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from duelarena.api_docs import errors
from games.vocabulary import GameType, PlayerKind

router = Router(tags=["llm"])


class SeatablePlayerOut(Schema):
    name: str = Field(..., description="what to pass as white_model/black_model, e.g. openai:gpt-4.1-mini")
    kind: PlayerKind
    games: list[GameType] = Field(..., description="the game types this player can play")
    provider: str | None = Field(None, description="models only: openai, anthropic, bedrock, ollama, or an endpoint")
    model: str | None = Field(None, description="models only: the provider's model id")
    price_in: float | None = Field(None, description="USD per million input tokens; null when unknown or not a model")
    price_out: float | None = Field(None, description="USD per million output tokens; null when unknown or not a model")


class SeatablePlayersOut(Schema):
    players: list[SeatablePlayerOut]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


_errors, _extra = errors({}, optional_token=True)


@router.get(
    "/models",
    response={200: SeatablePlayersOut, **_errors},
    summary="The players this deployment can seat",
    operation_id="listModels",
    openapi_extra=_extra,
)
def models(request: HttpRequest) -> dict[str, Any]:
    from games.api import optional_user
    from games.catalog import available_players

    optional_user(request)  # a token, when sent, must be valid (as on every public read)
    return {
        "players": [
            {
                "name": p.name,
                "kind": p.kind,
                "games": sorted(p.games),
                "provider": p.provider,
                "model": p.model,
                "price_in": _number(p.price_in),
                "price_out": _number(p.price_out),
            }
            for p in available_players()
        ]
    }
