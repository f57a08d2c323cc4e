# One image for gunicorn anywhere and for AWS Lambda behind the Lambda Web Adapter (LWA).
# PYTHON_BASE: a slim Python 3.12 by default; the container smoke test passes a locally built Debian base.
ARG PYTHON_BASE=python:3.12-slim-bookworm
# LWA at a pinned tag; outside Lambda the extension never runs.
ARG LWA_IMAGE=public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1

FROM ${LWA_IMAGE} AS lwa

FROM ${PYTHON_BASE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
RUN python3 -m venv /opt/venv
COPY pyproject.toml requirements.lock ./
COPY deploy/runtime_requirements.py deploy/
RUN python3 deploy/runtime_requirements.py > /tmp/runtime.txt \
 && /opt/venv/bin/pip install -c requirements.lock -r /tmp/runtime.txt
COPY manage.py ./
COPY duelarena duelarena
COPY accounts accounts
COPY games games
COPY llm llm
# Static files are collected at build time. Production settings need keys: throwaway random ones, made
# here and never stored (a key written in this file would be public, and production refuses those).
RUN DUELARENA_ENV=production DJANGO_ALLOWED_HOSTS=build DJANGO_DEBUG=0 \
    DJANGO_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    JWT_SIGNING_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')" \
    /opt/venv/bin/python manage.py collectstatic --noinput \
 && /opt/venv/bin/python -m compileall -q duelarena accounts games llm

FROM ${PYTHON_BASE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DUELARENA_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    AWS_LWA_PORT=8080 \
    AWS_LWA_READINESS_CHECK_PATH=/health \
    AWS_LWA_PASS_THROUGH_PATH=/events \
    HOME=/tmp
# HOME=/tmp: the non-root user has no home of its own (/app is read-only to it) and on Lambda only /tmp
# is writable; anything that writes under $HOME (a library cache) then works instead of failing.
# Stockfish (Debian package, /usr/games/stockfish) for the builtin:stockfish-<elo> players and analysis.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends stockfish \
 && rm -rf /var/lib/apt/lists/*
ENV STOCKFISH_PATH=/usr/games/stockfish
RUN useradd --system --uid 10001 --no-create-home --home-dir /app arena
COPY --from=lwa /lambda-adapter /opt/extensions/lambda-adapter
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /app /app
COPY deploy/gunicorn.conf.py deploy/entrypoint.py deploy/__init__.py deploy/
USER arena
EXPOSE 8080
CMD ["/opt/venv/bin/python", "deploy/entrypoint.py"]
