"""``manage.py issuetoken --email dev@example.com [--lifetime 2h] [--refresh]``: local use without Google.

Creates the user if needed and prints an access token for ``Authorization: Bearer ...``. ``--lifetime``
sets the access token's lifetime (seconds, or a number with s/m/h/d; 1 minute to 7 days; default
``JWT_ACCESS_TTL_SECONDS``). ``--refresh`` prints ``{"access", "refresh", "expires_in"}`` as JSON instead,
the same pair ``POST /api/auth/token`` gives (the refresh token works with ``POST /api/auth/refresh``).
Refused in production.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

MIN_LIFETIME = 60
MAX_LIFETIME = 7 * 24 * 3600
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_lifetime(text: str) -> int:
    """``900``, ``15m``, ``2h``, ``7d`` -> seconds, within MIN_LIFETIME..MAX_LIFETIME."""
    match = re.fullmatch(r"\s*(\d{1,7})\s*([smhd]?)\s*", text.lower())
    if not match:
        raise CommandError(f"--lifetime {text!r}: give seconds or a number with s, m, h or d (e.g. 900, 15m, 2h)")
    seconds = int(match.group(1)) * UNITS[match.group(2)]
    if not MIN_LIFETIME <= seconds <= MAX_LIFETIME:
        raise CommandError(f"--lifetime must be between 1 minute and 7 days (got {seconds} s)")
    return seconds


class Command(BaseCommand):
    help = "Print an API access token (or, with --refresh, a token pair) for a user, created if missing. Local only."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--lifetime",
            help="access token lifetime: seconds or a number with s/m/h/d, 1m..7d (default JWT_ACCESS_TTL_SECONDS)",
        )
        parser.add_argument("--refresh", action="store_true", help='print {"access", "refresh", "expires_in"} as JSON')

    def handle(self, *args: Any, email: str, lifetime: str | None, refresh: bool, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("issuetoken is for local development; sign in with Google in production")
        seconds = parse_lifetime(lifetime) if lifetime is not None else None
        from accounts import tokens, users

        try:
            user, _ = users.create(email)
        except users.UserError as exc:
            raise CommandError(str(exc)) from exc
        if not user.is_active:
            raise CommandError(f"{user.email} is banned")
        if refresh:
            pair = tokens.issue_pair(user, seconds)
            answer = {"access": pair.access, "refresh": pair.refresh, "expires_in": pair.expires_in}
            self.stdout.write(json.dumps(answer))
        else:
            self.stdout.write(tokens.issue_access(user, seconds))
