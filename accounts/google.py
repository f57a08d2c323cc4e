"""Google sign-in's authentication backend: social-core's, given its strategy when it is built bare.

social-core builds a backend without a strategy whenever Django's auth does (``authenticate()`` walks
``AUTHENTICATION_BACKENDS`` on every admin password login; a session signed in with Google loads this
backend on each admin request) and then uses ``social_core.registry.REGISTRY.default_strategy``, which
social_django's app config sets when Django starts. social_django is not an installed app here (its
app loads social-core, requests and cryptography at every cold start: settings.INSTALLED_APPS), so the
backend loads the strategy itself, on first use, from the same place (``social_django.utils``).
"""

from __future__ import annotations

from typing import Any

from social_core.backends.google import GoogleOAuth2 as _SocialCoreGoogleOAuth2
from social_core.exceptions import AuthConfigurationError
from social_core.registry import REGISTRY


class GoogleOAuth2(_SocialCoreGoogleOAuth2):
    """social-core's ``google-oauth2`` backend (same name, settings and URLs)."""

    def __init__(self, strategy: Any = None, redirect_uri: str | None = None) -> None:
        if strategy is None:
            try:
                REGISTRY.default_strategy  # noqa: B018 - set already?
            except AuthConfigurationError:
                from social_django.utils import load_strategy

                REGISTRY.default_strategy = load_strategy()
        super().__init__(strategy, redirect_uri)
