"""Django settings for Duel Arena.

Every setting comes from an environment variable with a safe *local* default; the README's
"Configuration" table lists them all. ``DUELARENA_ENV=production`` switches on the production
checks: the process refuses to start with DEBUG on, the default secret key, or no ALLOWED_HOSTS.

There is no SQL database: ``DATABASES = {}`` makes any ORM query raise ImproperlyConfigured.
All data lives in one DynamoDB table behind ``duelarena.dynamo``.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEFAULT_SECRET_KEY = "insecure-local-development-key-change-me"  # noqa: S105 - refused in production


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


ENVIRONMENT = env("DUELARENA_ENV", "local")  # "local" | "test" | "production"
PRODUCTION = ENVIRONMENT == "production"

SECRET_KEY = env("DJANGO_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DJANGO_DEBUG must be off")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        problems.append("DJANGO_SECRET_KEY must be set to a random value of 50+ characters")
    if not ALLOWED_HOSTS:
        problems.append("DJANGO_ALLOWED_HOSTS must name the served hosts")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "social_django",
    # "ninja" is deliberately not an app: listing it imports django-ninja and pydantic while Django
    # starts (~0.1 s of cold start). Its templates and static files are found through TEMPLATES DIRS
    # and STATICFILES_DIRS below, and duelarena.api renders the bundled Swagger UI (no CDN).
    "duelarena",
    "accounts",
    "games",
    "llm",
]

MIDDLEWARE = [
    "duelarena.middleware.RequestContextMiddleware",
    "duelarena.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def _package_dir(name: str) -> Path:
    """A package's folder without importing it (find_spec only reads the import path)."""
    from importlib.util import find_spec

    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(f"package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


NINJA_DIR = _package_dir("ninja")

ROOT_URLCONF = "duelarena.urls"
WSGI_APPLICATION = "duelarena.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# No SQL database, on purpose: an ORM query must fail loudly instead of falling back to SQLite.
DATABASES: dict = {}

# Admin sessions live in signed cookies (no session table).
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [NINJA_DIR / "static"]  # Swagger UI's files (ninja/...)
STORAGES = {
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Request bodies: the API's largest legitimate body is a few KB; 413 above this.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# --- DynamoDB -------------------------------------------------------------------------------------
DYNAMODB_TABLE = env("DYNAMODB_TABLE", "duelarena-local")
# Locally the default is the DynamoDB Local of `make run`; in production empty means real AWS.
DYNAMODB_ENDPOINT_URL = env("DYNAMODB_ENDPOINT_URL", "" if PRODUCTION else "http://127.0.0.1:8001") or None
AWS_REGION = env("AWS_REGION", env("AWS_DEFAULT_REGION", "us-east-1"))
DYNAMODB_CONNECT_TIMEOUT = float(env("DYNAMODB_CONNECT_TIMEOUT", "2"))
DYNAMODB_READ_TIMEOUT = float(env("DYNAMODB_READ_TIMEOUT", "5"))
DYNAMODB_MAX_ATTEMPTS = env_int("DYNAMODB_MAX_ATTEMPTS", 4)
# Signs pagination cursors; defaults to a key derived from SECRET_KEY.
CURSOR_SIGNING_SALT = "duelarena.cursor"

# --- Security ----------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind API Gateway + LWA, TLS ends at the gateway and LWA forwards X-Forwarded-Proto from loopback.
# gunicorn alone decides the scheme (forwarded_allow_ips = 127.0.0.1), so SECURE_PROXY_SSL_HEADER is
# deliberately unset: Django would trust that header from any client.
# When LWA strips an API stage prefix (AWS_LWA_REMOVE_BASE_PATH), URL_PREFIX puts it back into the
# absolute URLs Django builds (OAuth redirect URIs, admin redirects, static files).
FORCE_SCRIPT_NAME = env("URL_PREFIX") or None
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^health"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# HSTS preload is a one-way commitment for the whole domain: opt-in (SECURE_HSTS_PRELOAD=1), so its
# deploy-check warning is silenced rather than preloading by default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Logging: JSON lines to stdout, each with the request id ---------------------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "duelarena.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "duelarena.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}

# --- Accounts: JWT, sign-in, budgets ----------------------------------------------------------------
# The JWT key is separate from SECRET_KEY so either can rotate alone.
JWT_SIGNING_KEY = env("JWT_SIGNING_KEY", "" if PRODUCTION else "insecure-local-jwt-key-change-me-0123456789")
if PRODUCTION and len(JWT_SIGNING_KEY) < 32:
    raise ImproperlyConfigured("Refusing to start in production: JWT_SIGNING_KEY must be set (32+ characters)")
JWT_ALGORITHM = "HS256"
JWT_ISSUER = env("JWT_ISSUER", "duelarena")
JWT_AUDIENCE = env("JWT_AUDIENCE", "duelarena-api")
JWT_ACCESS_TTL_SECONDS = env_int("JWT_ACCESS_TTL_SECONDS", 15 * 60)
REFRESH_TTL_SECONDS = env_int("REFRESH_TTL_SECONDS", 30 * 24 * 3600)
LOGIN_CODE_TTL_SECONDS = env_int("LOGIN_CODE_TTL_SECONDS", 120)
FRONTEND_URL = env("FRONTEND_URL", "http://localhost:5173/auth/callback")

# Spend and rate limits on endpoints that call models (micro-dollars: 1_000_000 = $1).
DAILY_BUDGET_MICROS = env_int("DAILY_BUDGET_MICROS", 2_000_000)
MODEL_CALLS_PER_MINUTE = env_int("MODEL_CALLS_PER_MINUTE", 30)

# --- Identity: admin shim user, Google sign-in through social-auth over DynamoDB --------------------
AUTH_USER_MODEL = "accounts.ArenaUser"
AUTHENTICATION_BACKENDS = [
    "social_core.backends.google.GoogleOAuth2",
    "accounts.backends.DynamoUserBackend",
]
LOGIN_URL = "/admin/login/"
SOCIAL_AUTH_STORAGE = "accounts.social_storage.DynamoStorage"
SOCIAL_AUTH_USER_MODEL = AUTH_USER_MODEL
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = env("GOOGLE_OAUTH2_CLIENT_ID")
SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = env("GOOGLE_OAUTH2_CLIENT_SECRET")
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/admin/"
SOCIAL_AUTH_REDIRECT_IS_HTTPS = PRODUCTION
SOCIAL_AUTH_FIELDS_STORED_IN_SESSION = []
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.auth_allowed",
    "accounts.pipeline.require_verified_email",
    "social_core.pipeline.social_auth.social_user",
    "accounts.pipeline.find_or_create_user",
    "accounts.pipeline.refuse_banned",
    "social_core.pipeline.social_auth.associate_user",
    "accounts.pipeline.update_profile",
    "accounts.pipeline.finish",
)

# --- LLM players -----------------------------------------------------------------------------------
def _json_env(name: str, default: object) -> object:
    import json

    raw = env(name)
    if not raw:
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be JSON") from exc


LLM_MAX_TOKENS = env_int("LLM_MAX_TOKENS", 4096)
LLM_TIMEOUT_SECONDS = float(env("LLM_TIMEOUT_SECONDS", "60"))
LLM_TURN_TIMEOUT_SECONDS = float(env("LLM_TURN_TIMEOUT_SECONDS", "300"))
LLM_MAX_PROVIDER_RETRIES = env_int("LLM_MAX_PROVIDER_RETRIES", 3)
LLM_RETRY_BASE_SECONDS = float(env("LLM_RETRY_BASE_SECONDS", "1.0"))
LLM_RETRY_MAX_SECONDS = float(env("LLM_RETRY_MAX_SECONDS", "30.0"))
OLLAMA_BASE_URL = env("OLLAMA_BASE_URL", "http://127.0.0.1:11434/v1")
OLLAMA_MODELS = env_list("OLLAMA_MODELS")
LLM_ENDPOINTS = _json_env("LLM_ENDPOINTS", {})
BEDROCK_REGION = env("BEDROCK_REGION") or AWS_REGION
BEDROCK_MODELS = env_list("BEDROCK_MODELS")
LLM_PRICES = _json_env("LLM_PRICES", {})
LLM_SECRETS_ARN = env("LLM_SECRETS_ARN")
LLM_SECRETS_TTL_SECONDS = env_int("LLM_SECRETS_TTL_SECONDS", 300)

# --- Games and autoplay ------------------------------------------------------------------------------
AUTOPLAY_WORKERS = env_int("AUTOPLAY_WORKERS", 4)
AUTOPLAY_TURN_DELAY_SECONDS = float(env("AUTOPLAY_TURN_DELAY_SECONDS", "0"))
AUTOPLAY_MAX_TURNS = env_int("AUTOPLAY_MAX_TURNS", 5000)

# --- Task backend: where autoplay turns run (games/tasks.py) -----------------------------------------
# "inprocess" (default): worker threads inside each gunicorn worker (games/autoplay.py); right for
# `make run` and a server, useless on Lambda (a frozen sandbox runs no threads).
# "sqs": one SQS message per turn to TURN_QUEUE_URL; on Lambda, LWA POSTs each batch to /events
# (games/events.py), which plays the turns and enqueues the next ones. /events is off otherwise, and
# must only ever be reachable through LWA (template.yaml routes only the public paths).
TASK_BACKEND = env("TASK_BACKEND", "inprocess").strip().lower()
TURN_QUEUE_URL = env("TURN_QUEUE_URL")
# Empty means real AWS (the region is AWS_REGION); tests point it at a local SQS stand-in.
SQS_ENDPOINT_URL = env("SQS_ENDPOINT_URL") or None
# How long a worker's claim on a queued turn is honoured before another delivery may take it over.
# Longer than the slowest turn (LLM_TURN_TIMEOUT_SECONDS, the function timeout), shorter than the
# queue's visibility timeout (360 s in template.yaml) so that a redelivery finds it expired.
TURN_CLAIM_SECONDS = env_int("TURN_CLAIM_SECONDS", 300)
# Games of one /events batch played at the same time (records of one game always run in order).
TURN_BATCH_WORKERS = env_int("TURN_BATCH_WORKERS", 5)
if TASK_BACKEND not in ("inprocess", "sqs"):
    raise ImproperlyConfigured("TASK_BACKEND must be 'inprocess' or 'sqs'")
if TASK_BACKEND == "sqs" and not TURN_QUEUE_URL:
    raise ImproperlyConfigured("TASK_BACKEND=sqs needs TURN_QUEUE_URL")
# LWA POSTs queue events to 127.0.0.1:$PORT over plain HTTP: /events is answered before host
# validation and the https redirect (like /health), and has its own gate (games/events.py).
MIDDLEWARE.insert(
    MIDDLEWARE.index("duelarena.middleware.HealthCheckMiddleware") + 1, "games.events.PassThroughEventsMiddleware"
)

# --- Leaderboard ---------------------------------------------------------------------------------
LEADERBOARD_ANCHOR = env("LEADERBOARD_ANCHOR", "builtin:random")  # this player's rating is fixed
LEADERBOARD_ANCHOR_RATING = float(env("LEADERBOARD_ANCHOR_RATING", "1000"))
LEADERBOARD_BOOTSTRAP = env_int("LEADERBOARD_BOOTSTRAP", 200)  # resamples for the intervals
LEADERBOARD_CONFIDENCE = float(env("LEADERBOARD_CONFIDENCE", "0.95"))
LEADERBOARD_SEED = env_int("LEADERBOARD_SEED", 0)
LEADERBOARD_PRIOR_GAMES = float(env("LEADERBOARD_PRIOR_GAMES", "1.0"))  # virtual draws per player
# Chess: fix the builtin:stockfish-<elo> levels at their nominal Elo once any of them has played.
LEADERBOARD_ENGINE_ANCHORS = env_bool("LEADERBOARD_ENGINE_ANCHORS", True)

# --- Chess engine and move quality ---------------------------------------------------------------
# The Stockfish binary (empty: `stockfish` on PATH, else /usr/games/stockfish); without one the
# builtin:stockfish-<elo> players are not offered and chess games are not analysed.
STOCKFISH_PATH = env("STOCKFISH_PATH")
ANALYSIS_NODES = env_int("ANALYSIS_NODES", 20_000)  # Stockfish nodes per position when analysing a game
