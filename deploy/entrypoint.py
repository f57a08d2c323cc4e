"""Container entrypoint: load secrets into the environment once, then exec gunicorn.

On AWS, ``APP_SECRETS_PATH`` (``/duelarena/<environment>``) names an SSM Parameter Store path whose
parameters are the app's secrets, each named after the variable it fills (DJANGO_SECRET_KEY,
JWT_SIGNING_KEY, GOOGLE_OAUTH2_CLIENT_ID/SECRET, provider keys: ``duelarena.parameters.SECRET_NAMES``).
They are read here with GetParametersByPath (one call per 10 parameters; standard parameters and
throughput cost nothing), before gunicorn starts, so that settings never do I/O at import time and
secrets never sit in the Lambda configuration. Variables already set in the environment win; empty
values are skipped. Only the names loaded are printed, never a value. Without ``APP_SECRETS_PATH``
(local runs) nothing is read: the environment is used as it is.

A path without ``DJANGO_SECRET_KEY`` (and no such variable) stops the start with a message naming what is
missing. When no ``JWT_SIGNING_KEY`` is set, one is derived from ``DJANGO_SECRET_KEY`` (HMAC-SHA256 under
a fixed label: a different key, and one that does not reveal the Django key); putting a
``JWT_SIGNING_KEY`` parameter rotates the JWT key alone. ``APP_SECRETS_LOADED_AT`` (the epoch second of
the read) tells ``llm.secrets`` that the provider keys in the environment are a fresh read of the path.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import MutableMapping

JWT_KEY_LABEL = b"duelarena/jwt-signing-key/v1"
LOADED_AT_VARIABLE = "APP_SECRETS_LOADED_AT"  # llm.secrets.LOADED_AT_VARIABLE (this module stays Django-free)


class MissingSecrets(Exception):
    """Required secrets are neither under the path nor in the environment (the message names them)."""


def derived_jwt_key(django_secret_key: str) -> str:
    """The JWT signing key derived from the Django secret key (64 hex characters)."""
    return hmac.new(django_secret_key.encode(), JWT_KEY_LABEL, hashlib.sha256).hexdigest()


def _app_root_on_path() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:
        sys.path.insert(0, root)


def load_secrets(environ: MutableMapping[str, str], client: object = None) -> list[str]:
    """Load the parameters under ``APP_SECRETS_PATH`` into ``environ``; the names of the keys loaded.
    ``client``: a boto3 ``ssm`` client (tests); the factory's is used when None."""
    path = environ.get("APP_SECRETS_PATH", "").strip()
    if not path:
        return []
    _app_root_on_path()
    from duelarena import parameters  # Django-free: settings are not loaded yet

    if client is None:
        client = parameters.ssm_client(environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION"))
    found = {key: value for key, value in parameters.read_path(path, client).items() if not environ.get(key)}
    missing = [name for name in parameters.REQUIRED_NAMES if not (environ.get(name) or found.get(name))]
    if missing:  # checked before anything is set: a failed start leaves the environment as it was
        raise MissingSecrets(
            f"missing under {parameters.normalized_path(path)}: {', '.join(missing)} "
            "(README, 'Deploying to AWS': aws ssm put-parameter --type SecureString)"
        )
    environ.update(found)
    loaded = list(found)
    if not environ.get("JWT_SIGNING_KEY"):
        environ["JWT_SIGNING_KEY"] = derived_jwt_key(environ["DJANGO_SECRET_KEY"])
        loaded.append("JWT_SIGNING_KEY")
    # When the path was read: llm.secrets counts this read as its first one (it re-reads after its TTL).
    environ[LOADED_AT_VARIABLE] = str(int(time.time()))
    return loaded


def main() -> None:
    _app_root_on_path()
    from duelarena.parameters import ParametersUnavailable

    try:
        loaded = load_secrets(os.environ)
    except (MissingSecrets, ParametersUnavailable) as exc:
        print(json.dumps({"message": "secrets not loaded", "error": str(exc)}), file=sys.stderr, flush=True)
        sys.exit(1)
    if loaded:
        print(json.dumps({"message": "secrets loaded", "keys": sorted(loaded)}), flush=True)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(gunicorn, [gunicorn, "-c", "deploy/gunicorn.conf.py"])  # noqa: S606 - fixed argv


if __name__ == "__main__":
    main()
