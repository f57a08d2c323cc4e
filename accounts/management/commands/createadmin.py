"""``manage.py createadmin --email a@b.c [--password P]``: create or promote an admin with a password
for the first admin login (prompted when --password is not given)."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import users


class Command(BaseCommand):
    help = "Create or promote an admin user with a password (stored as a Django password hash)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help="prompted for when omitted")
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, email: str, password: str | None, name: str, **options: Any) -> None:
        try:
            email = users.normalize_email(email)
        except users.UserError as exc:
            raise CommandError(str(exc)) from exc
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("passwords do not match")
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user, created = users.create(email, name=name, roles=["admin", "player"], password_hash=make_password(password))
        if not created:
            user = users.update(
                user, roles=sorted(set(user.roles) | {"admin"}), password_hash=make_password(password), status="active"
            )
        self.stdout.write(f"{'created' if created else 'promoted'} admin {user.email} (id {user.id})")
