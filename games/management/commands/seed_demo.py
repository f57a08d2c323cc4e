"""``manage.py seed_demo``: a few built-in games so a fresh `make run` has something to show.

Idempotent: the demo games have fixed ids, and a game whose id exists is left alone, so running it
again (every `make run` does) changes nothing. Everything is played by built-in bots with fixed seeds,
so the demo is the same on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand

DEMO_EMAIL = "demo@duelarena.local"


@dataclass(frozen=True)
class DemoGame:
    id: str
    game_type: str
    white: str
    black: str
    seed: int
    plies: int | None  # None: play to the end; else stop after this many plies (a live game)


DEMO_GAMES = (
    DemoGame("de000000000000000000000000000001", "tictactoe", "builtin:perfect", "builtin:random", 7, None),
    DemoGame("de000000000000000000000000000002", "rps", "builtin:pattern", "builtin:random", 11, None),
    DemoGame("de000000000000000000000000000003", "chess", "builtin:searcher", "builtin:random", 3, 6),
)


class Command(BaseCommand):
    help = "Create the demo user and a few built-in games (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        from accounts import users
        from games import service, store

        user, _ = users.create(DEMO_EMAIL, name="Demo")
        for demo in DEMO_GAMES:
            if store.get(demo.id) is not None:
                self.stdout.write(f"demo game {demo.id} ({demo.game_type}) already exists")
                continue
            service.create_game(
                user,
                game_type=demo.game_type,
                white=demo.white,
                black=demo.black,
                options={"seed": demo.seed},
                game_id=demo.id,
            )
            if demo.plies is None:
                game = service.play_until_over(demo.id)
            else:
                game = service.play_until_over(demo.id, max_turns=demo.plies)
            self.stdout.write(
                f"demo game {demo.id} ({demo.game_type}): {game.status}, ply {game.ply}"
                + (f", {game.result} by {game.termination}" if game.result else "")
            )
