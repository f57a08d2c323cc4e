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
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
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
