from __future__ import annotations

import pytest
import responses


@pytest.fixture
def google(settings, dynamo):
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = "client-id.apps.googleusercontent.com"
    settings.SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = "client-secret"
    settings.FRONTEND_URL = "https://frontend.example/auth/callback"
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
