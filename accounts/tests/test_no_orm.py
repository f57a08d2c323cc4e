"""No ORM query runs on the login paths (DATABASES = {} would raise, and here we count attempts)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client

from accounts.tests.test_google_and_admin import admin_login, profile, sign_in


@pytest.fixture
def orm_calls(monkeypatch):
    calls = []
    original = SQLCompiler.execute_sql

    def record(self, *args, **kwargs):
        calls.append(str(self.query.model))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "execute_sql", record)
    return calls


def test_google_and_admin_logins_make_no_orm_query(google, orm_calls):
    pair = sign_in(Client(enforce_csrf_checks=True), google, profile())
    Client().get("/api/auth/me", HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    call_command("createadmin", "--email", "root@example.com", "--password", "a-long-pass-phrase-9", stdout=StringIO())
    client = Client(enforce_csrf_checks=True)
    admin_login(client, "root@example.com", "a-long-pass-phrase-9")
    assert client.get("/admin/").status_code == 200
    assert orm_calls == []
