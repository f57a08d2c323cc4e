"""Container entrypoint: load secrets into the environment once, then exec gunicorn.

On AWS, ``APP_SECRETS_ARNS`` names Secrets Manager secrets holding JSON objects (DJANGO_SECRET_KEY,
JWT_SIGNING_KEY, GOOGLE_OAUTH2_CLIENT_SECRET, provider keys...). They are fetched here, before
gunicorn starts, so that settings never do I/O at import time and secrets never sit in the Lambda
configuration. Variables already set in the environment win; empty values are skipped. Nothing is
printed about the values.

The template creates ONE secret (a secret costs $0.40 a month): CloudFormation generates its
``DJANGO_SECRET_KEY``; the operator fills in the others. When it holds no ``JWT_SIGNING_KEY``, one is
derived from ``DJANGO_SECRET_KEY`` (HMAC-SHA256 under a fixed label: a different key, and one that does
not reveal the Django key). Setting ``JWT_SIGNING_KEY`` in the secret rotates the JWT key alone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys

JWT_KEY_LABEL = b"duelarena/jwt-signing-key/v1"


def derived_jwt_key(django_secret_key: str) -> str:
    """The JWT signing key derived from the Django secret key (64 hex characters)."""
    return hmac.new(django_secret_key.encode(), JWT_KEY_LABEL, hashlib.sha256).hexdigest()


def load_secrets(environ: dict[str, str], client: object = None) -> list[str]:
    """Load the secrets ``APP_SECRETS_ARNS`` names into ``environ``; the names of the keys loaded.
    ``client``: a boto3 ``secretsmanager`` client (tests); one is made when None."""
    arns = [a.strip() for a in environ.get("APP_SECRETS_ARNS", "").split(",") if a.strip()]
    if not arns:
        return []
    if client is None:
        sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the app's root
        from duelarena import aws  # Django-free: settings are not loaded yet

        client = aws.client("secretsmanager", region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION"))
    loaded = []
    for arn in arns:
        values = json.loads(client.get_secret_value(SecretId=arn)["SecretString"])  # type: ignore[attr-defined]
        for key, value in values.items():
            if isinstance(value, str) and value and not environ.get(key):
                environ[key] = value
                loaded.append(key)
    if not environ.get("JWT_SIGNING_KEY") and environ.get("DJANGO_SECRET_KEY"):
        environ["JWT_SIGNING_KEY"] = derived_jwt_key(environ["DJANGO_SECRET_KEY"])
        loaded.append("JWT_SIGNING_KEY")
    return loaded


def main() -> None:
    loaded = load_secrets(os.environ)
    if loaded:
        print(json.dumps({"message": "secrets loaded", "keys": sorted(loaded)}), flush=True)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(gunicorn, [gunicorn, "-c", "deploy/gunicorn.conf.py"])  # noqa: S606 - fixed argv


if __name__ == "__main__":
    main()
