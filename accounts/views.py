"""Browser entry points of Google sign-in.

social-auth-app-django 8 only starts sign-in with a CSRF-protected POST. ``start`` is the page a
frontend (or the admin login page) links to: it renders a form that POSTs to the begin view with a
CSRF token, and submits itself.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET


def google_configured() -> bool:
    """Google sign-in can work: both the OAuth client id and its secret are set."""
    return bool(settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY and settings.SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET)


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    next_url = request.GET.get("next", "")
    if next_url and not next_url.startswith("/admin/"):
        next_url = ""  # only the admin may ask to come back somewhere; everything else gets a code
    return render(
        request,
        "accounts/google_start.html",
        {"action": reverse("social:begin", args=["google-oauth2"]), "next": next_url},
    )
