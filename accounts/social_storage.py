"""social-auth storage over DynamoDB (``SOCIAL_AUTH_STORAGE = "accounts.social_storage.DynamoStorage"``).

Items:
- ``SOCIAL#<provider>#<uid>`` / ``ASSOC``: a social association (Google's ``sub`` is the uid), made
  with a conditional put so two racing first sign-ins create one association.
- ``NONCE#<scope>#<salt>`` / ``NONCE``: OAuth2 ``state`` nonces. social-core 7 makes state one-time:
  ``use`` creates it (conditional put), ``consume`` removes it with a conditional delete that must
  match the timestamp, so a replayed or forged state fails. Expire via TTL.
- ``PARTIAL#<token>`` / ``PARTIAL``: partial pipelines (not used by our pipeline, but supported).
- ``EMAILCODE#<code>`` / ``CODE``: email validation codes (unused here; supported for completeness).
Google access/refresh tokens are never stored (``load_extra_data`` is not in our pipeline).
"""

from __future__ import annotations

import time
from typing import Any

from social_core.storage import (
    AssociationMixin,
    BaseStorage,
    CodeMixin,
    NonceMixin,
    PartialMixin,
    UserMixin,
)

from accounts import users
from accounts.models import ArenaUser
from duelarena.dynamo import items, keys
from duelarena.dynamo.errors import ConditionFailed
from duelarena.dynamo.schema import TTL_ATTRIBUTE

NONCE_TTL_SECONDS = 3600


class SocialIntegrityError(Exception):
    """A conditional write lost a race (social-core then re-reads the winner)."""


class DynamoUserSocialAuth(UserMixin):
    def __init__(self, provider: str, uid: str, user_id: str, extra_data: dict | None = None, id_key: str = ""):
        self.provider = provider
        self.uid = uid
        self.user_id = user_id
        self.extra_data = extra_data or {}
        self.id_key = id_key
        self.id = f"{provider}#{uid}"
        self._user: ArenaUser | None = None

    @property
    def user(self) -> ArenaUser | None:  # type: ignore[override]  # social-core types it as a writable UserProtocol
        if self._user is None:
            record = users.get(self.user_id)
            self._user = ArenaUser.from_user(record) if record else None
        return self._user

    def save(self) -> None:
        items.update(
            keys.social_pk(self.provider, self.uid), keys.SOCIAL_SK, set_values={"extra_data": self.extra_data or {}}
        )

    # --- user side -------------------------------------------------------------------------------

    @classmethod
    def user_model(cls) -> type[ArenaUser]:  # type: ignore[override]  # social-core's UserProtocol wants an int id and a username; ours: string id, email
        return ArenaUser

    @classmethod
    def username_max_length(cls) -> int:
        return 254

    @classmethod
    def changed(cls, user: ArenaUser) -> None:  # type: ignore[override]  # social-core's UserProtocol wants an int id and a username; ours: string id, email
        """user_details changed attributes on the shim: write them through to DynamoDB."""
        users.update(user.record, name=user.name)

    @classmethod
    def get_username(cls, user: ArenaUser) -> str:  # type: ignore[override]  # social-core's UserProtocol wants an int id and a username; ours: string id, email
        return user.email

    @classmethod
    def user_exists(cls, *args: Any, **kwargs: Any) -> bool:
        email = kwargs.get("email") or kwargs.get("username")
        if not email:
            return False
        return users.get_by_email(email) is not None

    @classmethod
    def create_user(cls, *args: Any, **kwargs: Any) -> ArenaUser:
        user, _ = users.create(kwargs.get("email") or "", name=kwargs.get("fullname") or "")
        return ArenaUser.from_user(user)

    @classmethod
    def get_user(cls, pk: Any) -> ArenaUser | None:
        record = users.get(str(pk))
        return ArenaUser.from_user(record) if record else None

    @classmethod
    def get_users_by_email(cls, email: str) -> list[ArenaUser]:
        record = users.get_by_email(email)
        return [ArenaUser.from_user(record)] if record else []

    @classmethod
    def allowed_to_disconnect(cls, user: Any, backend_name: str, association_id: Any = None) -> bool:
        return False  # Google is the only way in; disconnecting would lock the user out

    @classmethod
    def disconnect(cls, entry: Any) -> None:
        raise NotImplementedError("disconnecting Google is not supported")

    # --- associations ------------------------------------------------------------------------------

    @classmethod
    def _from_item(cls, item: dict[str, Any]) -> DynamoUserSocialAuth:
        return cls(item["provider"], item["uid"], item["user_id"], item.get("extra_data"), item.get("id_key", ""))

    @classmethod
    def get_social_auth(cls, provider: str, uid: str, id_key: str | None = None) -> DynamoUserSocialAuth | None:
        item = items.get(keys.social_pk(provider, uid), keys.SOCIAL_SK)
        if item is None or (id_key is not None and item.get("id_key", "") != id_key):
            return None
        return cls._from_item(item)

    @classmethod
    def get_social_auth_by_extra_data(cls, provider: str, key: str, value: Any, id_key: str = "") -> None:
        return None  # no legacy (pre-sub) associations exist in this deployment

    @classmethod
    def get_social_auth_for_user(cls, user: Any, provider: str | None = None, id: Any = None) -> list:
        return []

    @classmethod
    def create_social_auth(  # type: ignore[override]  # social-core's UserProtocol wants an int id and a username; ours: string id, email
        cls, user: ArenaUser, uid: str, provider: str, id_key: str = ""
    ) -> DynamoUserSocialAuth:
        item = {
            "pk": keys.social_pk(provider, uid),
            "sk": keys.SOCIAL_SK,
            "provider": provider,
            "uid": str(uid),
            "user_id": user.id,
            "id_key": id_key or "",
            "extra_data": {},
        }
        try:
            items.put(item, must_not_exist=True)
        except ConditionFailed as exc:
            raise SocialIntegrityError("association exists") from exc
        social = cls._from_item(item)
        social._user = user
        return social

    @classmethod
    def migrate_social_auth(cls, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("no legacy associations to migrate")


class DynamoNonce(NonceMixin):
    def __init__(self, server_url: str, timestamp: int, salt: str):
        self.server_url, self.timestamp, self.salt = server_url, timestamp, salt

    @staticmethod
    def _key(server_url: str, salt: str) -> str:
        return keys.nonce_pk(server_url, salt)

    @classmethod
    def use(cls, server_url: str, timestamp: Any, salt: str) -> bool:
        try:
            items.put(
                {
                    "pk": cls._key(server_url, salt),
                    "sk": keys.NONCE_SK,
                    "timestamp": int(timestamp),
                    TTL_ATTRIBUTE: int(time.time()) + NONCE_TTL_SECONDS,
                },
                must_not_exist=True,
            )
        except ConditionFailed:
            return False
        return True

    @classmethod
    def get(cls, server_url: str, salt: str) -> DynamoNonce | None:
        item = items.get(cls._key(server_url, salt), keys.NONCE_SK)
        return cls(server_url, item["timestamp"], salt) if item else None

    @classmethod
    def delete(cls, nonce: DynamoNonce) -> None:
        items.delete(cls._key(nonce.server_url, nonce.salt), keys.NONCE_SK)

    @classmethod
    def consume(cls, server_url: str, timestamp: int, salt: str) -> bool:
        item = items.take(cls._key(server_url, salt), keys.NONCE_SK)  # atomic: one consumer wins
        return item is not None and item.get("timestamp") == int(timestamp)


class DynamoAssociation(AssociationMixin):
    """OpenID associations: not used by Google OAuth2; stored for completeness of the interface."""

    @classmethod
    def store(cls, server_url: str, association: Any) -> None:
        raise NotImplementedError("OpenID is not supported")

    @classmethod
    def get(cls, server_url: str | None = None, handle: str | None = None) -> list:
        return []

    @classmethod
    def remove(cls, ids_to_delete: Any) -> None:
        return None


class DynamoCode(CodeMixin):
    @classmethod
    def get_code(cls, code: str) -> None:
        return None  # email validation is not part of our pipeline


class DynamoPartial(PartialMixin):
    @classmethod
    def load(cls, token: str) -> None:
        return None  # our pipeline never pauses

    @classmethod
    def destroy(cls, token: str) -> None:
        return None


class DynamoStorage(BaseStorage):
    # Annotated as social-core's base types: the class objects' constructors differ from the mixins'.
    user: type[UserMixin] = DynamoUserSocialAuth
    nonce: type[NonceMixin] = DynamoNonce
    association = DynamoAssociation
    code = DynamoCode
    partial = DynamoPartial

    @classmethod
    def is_integrity_error(cls, exception: Exception) -> bool:
        return isinstance(exception, SocialIntegrityError)
