"""``manage.py seed_demo`` creates the demo once and is a no-op afterwards (moto)."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from accounts import users
from games import store
from games.management.commands.seed_demo import DEMO_EMAIL, DEMO_GAMES


def test_seed_demo_is_idempotent(dynamo):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    demo = users.get_by_email(DEMO_EMAIL)
    assert demo is not None
    games = {g.id: g for g in store.list_by_owner(demo.id).games}
    assert set(games) == {d.id for d in DEMO_GAMES}
    finished = games[DEMO_GAMES[0].id]
    assert finished.status == "finished" and finished.game_type == "tictactoe" and finished.result
    live = games[DEMO_GAMES[2].id]
    assert live.status == "live" and live.autoplay is False and not live.progress_known  # a list row
    assert store.get(live.id).ply == 6
    before = {g.id: g.version for g in games.values()}

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert again.getvalue().count("already exists") == len(DEMO_GAMES)
    assert {g.id: g.version for g in store.list_by_owner(demo.id).games} == before
