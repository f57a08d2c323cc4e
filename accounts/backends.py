"""Django authentication backend over DynamoDB users (admin password login and session users)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from accounts import users
from accounts.models import ArenaUser


class DynamoUserBackend(BaseBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> ArenaUser | None:
        email = username or kwargs.get("email")
        if not email or not password:
            return None
        user = users.get_by_email(email)
        if user is None or not user.password_hash:
            make_password(password)  # same work as a real check: no user-enumeration by timing
            return None
        if not check_password(password, user.password_hash) or not user.is_active:
            return None
        return ArenaUser.from_user(user)

    def get_user(self, user_id: Any) -> ArenaUser | None:
        user = users.get(str(user_id))
        if user is None or not user.is_active:
            return None
        return ArenaUser.from_user(user)
