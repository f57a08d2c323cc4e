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
DEFAULT_JWT_SIGNING_KEY = "insecure-local-jwt-key-change-me-0123456789"  # refused in production
# Every key that is (or was) published in this repository: the local defaults above, the build-only keys
# the Dockerfile once used for collectstatic, and the examples in the tests and the container check.
# Anyone can read them, so anyone could sign a session or mint an access token for any user id with
# them: production refuses to start with one of them, and `check --deploy` reports them
# (duelarena/checks.py). Long is not random: a key's length says nothing about whether it is public.
KNOWN_PUBLIC_KEYS = frozenset(
    {
        DEFAULT_SECRET_KEY,
        DEFAULT_JWT_SIGNING_KEY,
        "build-only-key-not-used-at-runtime-0123456789abcdefghij",
        "build-only-jwt-key-not-used-at-runtime-0123456789",
        "smoke-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "smoke-test-jwt-key-0123456789-abcdefghijkl",
        "change-me",
        "changeme",
        "secret",
    }
)


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

# --- CORS (django-cors-headers): browsers on these origins may call /api/ ------------------------
# Comma-separated origins (scheme://host[:port]). Locally a dev server on port 5173 (Vite's default);
# in production none unless set (template.yaml passes the same value to API Gateway's CORS).
LOCAL_FRONTEND_ORIGINS = "http://localhost:5173,http://127.0.0.1:5173"
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "" if PRODUCTION else LOCAL_FRONTEND_ORIGINS)
CORS_URLS_REGEX = r"^/api/.*$"  # the JSON API only: the admin, sign-in and /events stay same-origin
CORS_ALLOW_HEADERS = ("authorization", "content-type", "if-none-match", "x-request-id")
CORS_EXPOSE_HEADERS = ("Retry-After", "ETag", "X-Request-Id")
CORS_ALLOW_CREDENTIALS = False  # bearer tokens, no cookies
CORS_PREFLIGHT_MAX_AGE = 600

if PRODUCTION:
    problems = []
    if DEBUG:
        problems.append("DJANGO_DEBUG must be off")
    if SECRET_KEY in KNOWN_PUBLIC_KEYS or len(SECRET_KEY) < 50:
        problems.append("DJANGO_SECRET_KEY must be set to a random value of 50+ characters (not a published one)")
    if not ALLOWED_HOSTS:
        problems.append("DJANGO_ALLOWED_HOSTS must name the served hosts")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))

INSTALLED_APPS = [
    # The admin without autodiscovery at start-up: its model admins are loaded with its URLs, on the
    # first /admin/ request (duelarena/admin_urls.py), not at every cold start.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # "social_django" is not an app either: its app loads its ORM models, which import social-core's
    # storage, requests, urllib3, openid and cryptography while Django starts (~0.1 s of every cold
    # start). Sign-in goes through its views (duelarena/urls.py, imported on the first /auth/ request)
    # and our DynamoDB storage (accounts/social_storage.py); its templates are found through DIRS below.
    "corsheaders",
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
    # Preflights are answered here, before anything that could refuse or redirect them: the https
    # redirect (SecurityMiddleware), host checks and APPEND_SLASH (CommonMiddleware), CSRF, and the
    # lazy /api/ URL tree (whose routes would answer OPTIONS with 405).
    "corsheaders.middleware.CorsMiddleware",
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
SOCIAL_DJANGO_DIR = _package_dir("social_django")

ROOT_URLCONF = "duelarena.urls"
WSGI_APPLICATION = "duelarena.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", NINJA_DIR / "templates", SOCIAL_DJANGO_DIR / "templates"],
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
# Locally the default is the DynamoDB Local of `make run`, on DYNAMODB_LOCAL_PORT (8001) like it, so
# manage.py commands in another shell reach it on any port. Set DYNAMODB_ENDPOINT_URL= (empty) for AWS.
DYNAMODB_LOCAL_PORT = env("DYNAMODB_LOCAL_PORT", "8001").strip()
if not DYNAMODB_LOCAL_PORT.isdigit() or not 0 < int(DYNAMODB_LOCAL_PORT) < 65536:
    raise ImproperlyConfigured(f"DYNAMODB_LOCAL_PORT must be a port number, not {DYNAMODB_LOCAL_PORT!r}")
DYNAMODB_ENDPOINT_URL = (
    env("DYNAMODB_ENDPOINT_URL", "" if PRODUCTION else f"http://127.0.0.1:{DYNAMODB_LOCAL_PORT}") or None
)
AWS_REGION = env("AWS_REGION", env("AWS_DEFAULT_REGION", "us-east-1"))
DYNAMODB_CONNECT_TIMEOUT = float(env("DYNAMODB_CONNECT_TIMEOUT", "2"))
DYNAMODB_READ_TIMEOUT = float(env("DYNAMODB_READ_TIMEOUT", "5"))
DYNAMODB_MAX_ATTEMPTS = env_int("DYNAMODB_MAX_ATTEMPTS", 4)
# The DynamoDB time one request may spend in all (retries and back-off included): past it the request
# answers 503 with Retry-After instead of waiting through every attempt (duelarena/dynamo/connection.py).
# 0 switches it off. /events (queued turn batches, retried by SQS) has no budget.
DYNAMODB_REQUEST_BUDGET_SECONDS = float(env("DYNAMODB_REQUEST_BUDGET_SECONDS", "3"))
DYNAMODB_BUDGET_EXEMPT_PATHS = ["/events"]
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
JWT_SIGNING_KEY = env("JWT_SIGNING_KEY", "" if PRODUCTION else DEFAULT_JWT_SIGNING_KEY)
if PRODUCTION and (len(JWT_SIGNING_KEY) < 32 or JWT_SIGNING_KEY in KNOWN_PUBLIC_KEYS):
    raise ImproperlyConfigured(
        "Refusing to start in production: JWT_SIGNING_KEY must be set to a random value (32+ characters, "
        "not a published one)"
    )
JWT_ALGORITHM = "HS256"
JWT_ISSUER = env("JWT_ISSUER", "duelarena")
JWT_AUDIENCE = env("JWT_AUDIENCE", "duelarena-api")
JWT_ACCESS_TTL_SECONDS = env_int("JWT_ACCESS_TTL_SECONDS", 15 * 60)
REFRESH_TTL_SECONDS = env_int("REFRESH_TTL_SECONDS", 30 * 24 * 3600)
LOGIN_CODE_TTL_SECONDS = env_int("LOGIN_CODE_TTL_SECONDS", 120)
FRONTEND_URL = env("FRONTEND_URL", "http://localhost:5173/auth/callback")

# Sign-in throttling (accounts/throttle.py): admin password login, POST /api/auth/token and /refresh.
THROTTLE_ACCOUNT_FAILURES = env_int("THROTTLE_ACCOUNT_FAILURES", 5)  # free failures per account
THROTTLE_ADDRESS_FAILURES = env_int("THROTTLE_ADDRESS_FAILURES", 20)  # free failures per client address
THROTTLE_LOCK_SECONDS = env_int("THROTTLE_LOCK_SECONDS", 30)  # the first lock; doubles per further failure
THROTTLE_MAX_LOCK_SECONDS = env_int("THROTTLE_MAX_LOCK_SECONDS", 900)
THROTTLE_WINDOW_SECONDS = env_int("THROTTLE_WINDOW_SECONDS", 3600)  # failures are forgotten after this
# Connections from these addresses may name the client in X-Forwarded-For (its rightmost hop): loopback,
# where the Lambda Web Adapter connects from. Set it empty when clients reach gunicorn directly.
THROTTLE_TRUSTED_PROXIES = env_list("THROTTLE_TRUSTED_PROXIES", "127.0.0.1,::1")

# Spend and rate limits on endpoints that call models (micro-dollars: 1_000_000 = $1).
DAILY_BUDGET_MICROS = env_int("DAILY_BUDGET_MICROS", 2_000_000)
MODEL_CALLS_PER_MINUTE = env_int("MODEL_CALLS_PER_MINUTE", 30)

# --- Identity: admin shim user, Google sign-in through social-auth over DynamoDB --------------------
AUTH_USER_MODEL = "accounts.ArenaUser"
AUTHENTICATION_BACKENDS = [
    "accounts.google.GoogleOAuth2",  # social-core's backend, which also sets its default strategy
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
SOCIAL_AUTH_FIELDS_STORED_IN_SESSION: list[str] = []
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


# Per-model limits (llm/limits.py): call timeout, turn deadline, max output tokens and reasoning effort
# come from the model's family (reasoning: 600 s / 840 s / 32000 / medium; standard: 120 s / 300 s / 8192),
# overridden by LLM_MODEL_LIMITS, JSON mapping a player name or glob to fields, the most specific winning:
# {"openai:o*": {"reasoning_effort": "high"}, "ollama:*": {"call_timeout": 30, "turn_deadline": 120}}.
LLM_MODEL_LIMITS = _json_env("LLM_MODEL_LIMITS", {})
# Provider-error retries per turn and their backoff: the defaults of every model (overridable per model).
LLM_MAX_PROVIDER_RETRIES = env_int("LLM_MAX_PROVIDER_RETRIES", 3)
LLM_RETRY_BASE_SECONDS = float(env("LLM_RETRY_BASE_SECONDS", "1.0"))
LLM_RETRY_MAX_SECONDS = float(env("LLM_RETRY_MAX_SECONDS", "30.0"))
# The time one turn worker may run (the Lambda turn consumer's timeout; gunicorn's worker timeout). Every
# model's turn deadline must fit in it with 60 s to spare, and its call timeout in the turn deadline:
# a setting that breaks this chain stops the process here, not a game later.
TURN_WORKER_SECONDS = float(env("TURN_WORKER_SECONDS", "900"))
from llm.limits import check_settings as _check_model_limits  # noqa: E402  (pure: no I/O, no SDK)

LLM_MODEL_LIMITS = _check_model_limits(
    LLM_MODEL_LIMITS,
    TURN_WORKER_SECONDS,
    {
        "max_provider_retries": LLM_MAX_PROVIDER_RETRIES,
        "retry_base": LLM_RETRY_BASE_SECONDS,
        "retry_max": LLM_RETRY_MAX_SECONDS,
    },
)
OLLAMA_BASE_URL = env("OLLAMA_BASE_URL", "http://127.0.0.1:11434/v1")
OLLAMA_MODELS = env_list("OLLAMA_MODELS")
LLM_ENDPOINTS = _json_env("LLM_ENDPOINTS", {})
BEDROCK_REGION = env("BEDROCK_REGION") or AWS_REGION
BEDROCK_MODELS = env_list("BEDROCK_MODELS")
LLM_PRICES = _json_env("LLM_PRICES", {})
# SSM Parameter Store path of the app's secrets (set on AWS; duelarena/parameters.py): provider keys are
# re-read from it after the TTL. The container entrypoint loads the same path into the environment.
APP_SECRETS_PATH = env("APP_SECRETS_PATH")
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
# Engine work (a finished chess game's move analysis, a builtin:stockfish-<elo> seat's turn) on its own
# queue and function (template.yaml EngineQueue/EngineFunction), so that the turn function, which mostly
# waits for models, needs no memory for Stockfish. Empty (the default, and locally): everything runs
# where the turn runs. Set: the app sends engine work it can recognise to ENGINE_QUEUE_URL, and a turn
# worker that receives engine work from the sweeper forwards it there instead of playing it, unless
# ENGINE_WORKER is on (the engine function: it plays whatever it receives). See games/tasks.py.
ENGINE_QUEUE_URL = env("ENGINE_QUEUE_URL")
ENGINE_WORKER = env_bool("ENGINE_WORKER", False)
# Empty means real AWS (the region is AWS_REGION); tests point it at a local SQS stand-in.
SQS_ENDPOINT_URL = env("SQS_ENDPOINT_URL") or None
# The timeout chain (README "Turns"; deploy/tests/test_timeout_chain.py checks it against template.yaml):
#   a model's call timeout < its turn deadline < TURN_WORKER_SECONDS (the time one turn worker may run:
#   the turn function's timeout on Lambda) <= gunicorn's worker timeout in the process serving /events;
#   the turn's lease (deadline + a margin) lies between the deadline and the SQS visibility timeout,
#   which is at least 6x the turn function's timeout. (TURN_WORKER_SECONDS is set above, with the model
#   limits it bounds.)
# A game whose AI turn was asked for and has not progressed for this long is enqueued again by the
# sweeper (a lost message, a queue that was down, a restart). In-process the sweeper runs every
# TURN_SWEEP_SECONDS; on AWS an EventBridge rule runs it every minute.
TURN_GRACE_SECONDS = env_int("TURN_GRACE_SECONDS", 20)
TURN_SWEEP_SECONDS = float(env("TURN_SWEEP_SECONDS", "5"))
# How long a worker holds a built-in bot's turn (bots answer in well under a second).
BOT_TURN_LEASE_SECONDS = env_int("BOT_TURN_LEASE_SECONDS", 20)
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
