"""The admin login form, throttled (``accounts/throttle.py``): per typed email and per client address."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from accounts import throttle


class _WrongPassword(Exception):
    """A failed password check, as the throttle counts it."""


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """Refuses every attempt while the account or the address is locked (right password or not), with a
    message saying how long to wait; a wrong password counts a failure."""

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        found = throttle.subjects(self.request, username) if self.request else []
        try:
            with throttle.attempt(found, _WrongPassword):
                try:
                    return super().clean()
                except ValidationError as exc:
                    if any(error.code == "invalid_login" for error in exc.error_list):
                        raise _WrongPassword from exc
                    raise
        except throttle.Throttled as exc:
            raise ValidationError(
                "Too many failed sign-ins. Try again in %(seconds)s seconds.",
                code="throttled",
                params={"seconds": exc.retry_after},
            ) from None
        except _WrongPassword:
            raise self.get_invalid_login_error() from None
