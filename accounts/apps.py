from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_revoke_on_logout, dispatch_uid="accounts.revoke_on_logout")


def _revoke_on_logout(sender, request, user, **kwargs) -> None:
    """Signed-cookie sessions cannot be deleted server-side: bump the epoch so a copy of the cookie
    taken before logout stops working."""
    record = getattr(user, "record", None)
    if record is not None:
        from accounts import users

        users.revoke_sessions(record)
