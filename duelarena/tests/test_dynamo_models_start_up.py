"""The dynamorm models cost nothing at start-up: dynamorm, schematics (and boto3 with them) are loaded
by the first request that reads a user, an audit entry or a leaderboard, never by Django's set-up."""

from __future__ import annotations

from duelarena.tests.fresh_process import loaded_after


def test_start_up_loads_no_mapper():
    heavy = ("dynamorm", "schematics", "boto3", "duelarena.dynamo.models")
    assert loaded_after("duelarena.wsgi, accounts.users, duelarena.audit, games.leaderboard", heavy) == []
