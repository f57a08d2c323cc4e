"""Container entrypoint: load secrets into the environment once, then exec gunicorn.

On AWS, ``APP_SECRETS_ARNS`` names Secrets Manager secrets holding JSON objects (DJANGO_SECRET_KEY,
JWT_SIGNING_KEY, GOOGLE_OAUTH2_CLIENT_SECRET, provider keys...). They are fetched here, before
gunicorn starts, so that settings never do I/O at import time and secrets never sit in the Lambda
configuration. Variables already set in the environment win; empty values are skipped. Nothing is
printed about the values.
"""

from __future__ import annotations

import json
import os
import sys


def load_secrets(environ: dict[str, str]) -> list[str]:
    arns = [a.strip() for a in environ.get("APP_SECRETS_ARNS", "").split(",") if a.strip()]
    if not arns:
        return []
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the app's root
    from duelarena import aws  # Django-free: settings are not loaded yet

    client = aws.client("secretsmanager", region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION"))
    loaded = []
    for arn in arns:
        values = json.loads(client.get_secret_value(SecretId=arn)["SecretString"])
        for key, value in values.items():
            if isinstance(value, str) and value and not environ.get(key):
                environ[key] = value
                loaded.append(key)
    return loaded


def main() -> None:
    loaded = load_secrets(os.environ)
    if loaded:
        print(json.dumps({"message": "secrets loaded", "keys": sorted(loaded)}), flush=True)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(gunicorn, [gunicorn, "-c", "deploy/gunicorn.conf.py"])  # noqa: S606 - fixed argv


if __name__ == "__main__":
    main()
