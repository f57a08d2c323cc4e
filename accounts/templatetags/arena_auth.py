"""Template helpers of the sign-in pages."""

from __future__ import annotations

from django import template

from accounts.views import google_configured as _google_configured

register = template.Library()


@register.simple_tag
def google_configured() -> bool:
    """True when the Google OAuth client id and secret are both set (the button can work)."""
    return _google_configured()
