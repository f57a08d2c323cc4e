"""``manage.py leaderboard [--game TYPE] [--rebuild]``: recompute leaderboards now (maintenance).

Boards are recomputed automatically when rated games finish; this is for after a restore, a change of
the ``LEADERBOARD_*`` settings, or (``--rebuild``) to backfill the result items of games that ended before
result items existed (walks every game through the admin index; never needed on a request path).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Recompute leaderboards (all game types, or one); --rebuild backfills result items first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--game", help="one game type (default: every game type)")
        parser.add_argument("--rebuild", action="store_true", help="backfill result items from the games first")

    def handle(self, *args: Any, **opts: Any) -> None:
        from games import leaderboard
        from games.rules import RULES

        game_types = sorted(RULES)
        if opts["game"]:
            if opts["game"] not in RULES:
                raise CommandError(f"unknown game type {opts['game']!r}; known: {', '.join(game_types)}")
            game_types = [opts["game"]]
        if opts["rebuild"]:
            written = leaderboard.rebuild(game_types)
            self.stdout.write(f"result items written: {written or 'none'}")
        for game_type in game_types:
            board = leaderboard.recompute(game_type, force=True)
            self.stdout.write(
                f"{game_type}: {board['rated_games']} rated games, {board['excluded_games']} excluded, "
                f"{len(board['models'])} models"
            )
