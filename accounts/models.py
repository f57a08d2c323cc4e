"""The admin's view of a DynamoDB user: an unmanaged shim model, never saved through the ORM.

Django's admin and auth machinery need ``request.user`` with ``_meta`` and ``pk``. ``ArenaUser`` is
built from ``accounts.users.User`` by ``accounts.backends.DynamoUserBackend``. It has no
``last_login`` field on purpose: Django connects its ``update_last_login`` (an ORM save) only to user
models that have one. The session auth hash mixes in the user's session epoch, so logout, bans and
role changes (which bump the epoch) invalidate every signed session cookie at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from accounts.users import User

# Roles -> Django permission codenames they grant ("<app_label>.<action>_<model>").
MODERATOR_ACTIONS = {"view", "flag", "hide", "abort"}
ADMIN_ACTIONS = MODERATOR_ACTIONS | {"add", "change", "delete", "ban", "roles"}


class ArenaUser(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    is_superuser = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    is_anonymous = False
    is_authenticated = True

    class Meta:
        managed = False
        db_table = "arena_user_shim"
        verbose_name = "user"

    record: User

    def __str__(self) -> str:
        return self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("ArenaUser is a shim over DynamoDB; change users through accounts.users")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ArenaUser is a shim over DynamoDB; change users through accounts.users")

    @classmethod
    def from_user(cls, user: User) -> ArenaUser:
        shim = cls(
            id=user.id,
            email=user.email,
            name=user.name,
            is_active=user.is_active,
            is_staff=user.is_staff and user.is_active,
            is_superuser=user.is_admin and user.is_active,
        )
        shim.record = user
        return shim

    def get_username(self) -> str:
        return self.email

    def natural_key(self) -> tuple[str]:
        return (self.email,)

    @property
    def roles(self) -> list[str]:
        return self.record.roles

    def _session_value(self) -> str:
        # Epoch + password hash: logout/ban/role change or a new password end existing sessions.
        return f"{self.id}:{self.record.session_epoch}:{self.record.password_hash}:{self.record.status}"

    def get_session_auth_hash(self) -> str:
        return salted_hmac("accounts.ArenaUser.session", self._session_value(), algorithm="sha256").hexdigest()

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        """Hashes under SECRET_KEY_FALLBACKS, so rotating the secret key does not log everyone out."""
        for key in settings.SECRET_KEY_FALLBACKS:
            yield salted_hmac(
                "accounts.ArenaUser.session", self._session_value(), secret=key, algorithm="sha256"
            ).hexdigest()

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if not (self.is_active and self.is_staff):
            return False
        action = perm.split(".", 1)[-1].split("_", 1)[0]
        return action in (ADMIN_ACTIONS if self.is_superuser else MODERATOR_ACTIONS)

    def has_perms(self, perms: Any, obj: Any = None) -> bool:
        return all(self.has_perm(p, obj) for p in perms)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_active and self.is_staff

    def get_all_permissions(self, obj: Any = None) -> set[str]:
        return set()


class AdminRequest(HttpRequest):
    """The request of an admin view: the admin site lets in only signed-in staff, so ``user`` is the
    shim (``ArenaUser``, with its DynamoDB ``record``), never ``AnonymousUser``. Only an annotation."""

    user: ArenaUser
