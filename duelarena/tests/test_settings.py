"""Settings: production refuses unsafe configuration; no SQL database; deploy checks are clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

REPO = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x" * 20 + "-production-secret-that-is-long-enough-0123456789"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUELARENA_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**base, "DJANGO_SETTINGS_MODULE": "duelarena.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_orm_query_fails_loudly():
    with pytest.raises(ImproperlyConfigured):
        list(Group.objects.all())


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": GOOD_SECRET, "DJANGO_ALLOWED_HOSTS": "a.example"}, "DEBUG"),
        ({"DJANGO_ALLOWED_HOSTS": "a.example"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": GOOD_SECRET}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_SECRET_KEY": GOOD_SECRET, "DJANGO_ALLOWED_HOSTS": "a.example"}, "JWT_SIGNING_KEY"),
    ],
)
def test_production_refuses_unsafe_settings(env, complaint):
    result = run_manage("check", DUELARENA_ENV="production", **env)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert complaint in result.stderr


def test_check_deploy_is_clean_in_production():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DUELARENA_ENV="production",
        DJANGO_SECRET_KEY=GOOD_SECRET,
        DJANGO_ALLOWED_HOSTS="arena.example.com",
        JWT_SIGNING_KEY="j" * 40,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# Finding 2 of the security audit: published keys are no secrets.
DEFAULT_JWT = "insecure-local-jwt-key-change-me-0123456789"


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"JWT_SIGNING_KEY": DEFAULT_JWT}, "JWT_SIGNING_KEY"),  # long enough, but it is in this repository
        ({"JWT_SIGNING_KEY": "build-only-jwt-key-not-used-at-runtime-0123456789"}, "JWT_SIGNING_KEY"),
        (
            {
                "JWT_SIGNING_KEY": "j" * 40,
                "DJANGO_SECRET_KEY": "build-only-key-not-used-at-runtime-0123456789abcdefghij",
            },
            "DJANGO_SECRET_KEY",
        ),
    ],
)
def test_production_refuses_published_keys(env, complaint):
    full = {"DJANGO_SECRET_KEY": GOOD_SECRET, "DJANGO_ALLOWED_HOSTS": "a.example", **env}
    result = run_manage("check", DUELARENA_ENV="production", **full)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr and complaint in result.stderr


def test_deploy_check_reports_published_keys():
    result = run_manage("check", "--deploy", DUELARENA_ENV="local")  # the local defaults
    assert result.returncode != 0
    assert "duelarena.E001" in result.stderr and "duelarena.E002" in result.stderr


def test_published_keys_check_passes_random_keys(settings):
    from duelarena.checks import published_keys

    settings.SECRET_KEY, settings.JWT_SIGNING_KEY = GOOD_SECRET, "k" * 40
    assert published_keys() == []
    settings.JWT_SIGNING_KEY = DEFAULT_JWT
    assert [e.id for e in published_keys()] == ["duelarena.E002"]
