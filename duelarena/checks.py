"""Project system checks (``manage.py check``; ``--deploy`` runs the deploy-tagged ones)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def published_keys(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A signing key that is published in the repository (a local default, an example) is no secret:
    with it anyone can forge an admin session or an access token for any user id."""
    errors = []
    for name, hint_var, check_id in (
        ("SECRET_KEY", "DJANGO_SECRET_KEY", "duelarena.E001"),
        ("JWT_SIGNING_KEY", "JWT_SIGNING_KEY", "duelarena.E002"),
    ):
        if getattr(settings, name, "") in settings.KNOWN_PUBLIC_KEYS:
            errors.append(
                Error(
                    f"{name} is a key published in the repository (a default or an example).",
                    hint=f"Set {hint_var} to a random value only this deployment knows.",
                    id=check_id,
                )
            )
    return errors


@register(Tags.admin)
def model_admins(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """The model admins' own checks. They are discovered with the admin's URLs (duelarena/admin_urls.py),
    not at start-up, so Django's admin check may find the site empty: load them and check the site here
    (the order of checks is not fixed; when Django's runs after this one, an error is reported twice)."""
    from django.contrib import admin

    import duelarena.admin_urls  # noqa: F401 - discovers the model admins

    return admin.site.check(app_configs)
