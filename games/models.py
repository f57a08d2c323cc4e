"""The admin's view of a game: an unmanaged shim model, never saved through the ORM.

Django's admin registers models: ``Game`` gives it ``_meta`` (names, app, permissions codenames such
as ``games.flag_game``) while the data stays in DynamoDB (``games.store``). A shim is built from a
``games.records.Game`` and carries it as ``record``; writes go through ``games.moderation``.
Django imports this module at start-up: it must not import the rule engines (cold start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:  # games.records loads the rule engines (chess): not at Django's start-up
    from games import records


class Game(models.Model):
    id = models.CharField(primary_key=True, max_length=32)
    game_type = models.CharField(max_length=32)
    white = models.CharField(max_length=200)
    black = models.CharField(max_length=200)
    status = models.CharField(max_length=16)

    class Meta:
        managed = False
        db_table = "games_game_shim"
        verbose_name = "game"
        default_permissions = ()

    record: records.Game

    def __str__(self) -> str:
        from games.moderation import describe

        return describe(self.record)

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("Game is a shim over DynamoDB; change games through games.moderation")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Game is a shim over DynamoDB; change games through games.moderation")

    @classmethod
    def from_record(cls, game: records.Game) -> Game:
        shim = cls(id=game.id, game_type=game.game_type, white=game.white, black=game.black, status=game.status)
        shim.record = game
        return shim
