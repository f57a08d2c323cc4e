"""``manage.py issuetoken --email dev@example.com``: local use without Google. Creates the user if
needed and prints an access token for ``Authorization: Bearer ...``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import tokens, users


class Command(BaseCommand):
    help = "Print an API access token for a user (created if missing). For local development."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("issuetoken is for local development; sign in with Google in production")
        try:
            user, _ = users.create(email)
        except users.UserError as exc:
            raise CommandError(str(exc)) from exc
        if not user.is_active:
            raise CommandError(f"{user.email} is banned")
        self.stdout.write(tokens.issue_access(user))
