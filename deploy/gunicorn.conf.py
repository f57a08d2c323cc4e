"""gunicorn settings shared by `make run`, the e2e tests and the container image.

Sync workers on purpose: on Lambda, LWA keeps a pool of connections to gunicorn and a worker that
keeps connections alive can race with a frozen/thawed sandbox; sync workers close after each request.
"""

import os

_on_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "sync"
# One worker per Lambda sandbox (it gets one request at a time); a few locally.
workers = 1 if _on_lambda else int(os.environ.get("WEB_CONCURRENCY", "2"))
# The worker timeout bounds one request. API requests never call a model (a model's turn runs on a turn
# worker), so 60 s is plenty; a process that serves /events with the sqs backend plays turns inside the
# request, so there it defaults to TURN_WORKER_SECONDS (the timeout chain: README, "Turns").
_serves_turns = os.environ.get("TASK_BACKEND", "inprocess").strip().lower() == "sqs"
timeout = int(
    os.environ.get("GUNICORN_TIMEOUT") or (os.environ.get("TURN_WORKER_SECONDS", "900") if _serves_turns else "60")
)
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10"))
keepalive = 0
# LWA (and docker's port proxy) connect from loopback; only they may set X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Our middleware writes one JSON log line per request; gunicorn's access log would duplicate it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
wsgi_app = "duelarena.wsgi:application"
# Limit header abuse before Django sees it. gunicorn answers these (and a bad Content-Length) itself
# with its own small HTML page, the only answers outside the API's error shape (README, "Security").
limit_request_line = 8190
limit_request_fields = 100
# gunicorn 25.1+ opens a control socket (for gunicornc) by default, at one shared path under $HOME
# ($HOME/.gunicorn/gunicorn.ctl) or $XDG_RUNTIME_DIR: nothing here uses it, and a socket that
# manages the server is one more thing to protect. Older gunicorn versions ignore unknown settings.
control_socket_disable = True


def post_worker_init(worker):
    """Start the in-process turn runner (workers and sweeper) once Django is loaded in this worker: its
    first sweep brings back the games a previous process left due. Off with TURN_RUNNER=0."""
    from django.conf import settings

    if settings.TASK_BACKEND == "inprocess" and os.environ.get("TURN_RUNNER", "1") != "0":
        from games import autoplay, tasks

        autoplay.start(tasks.sweep)


def worker_exit(server, worker):
    """Let running turns finish their write before the worker goes (a cut-off turn stays due)."""
    try:
        from django.conf import settings

        if settings.TASK_BACKEND == "inprocess":
            from games import autoplay

            autoplay.stop_all(timeout=max(1, graceful_timeout - 2))
    except Exception:  # noqa: S110 - shutting down: nothing to report to
        pass
