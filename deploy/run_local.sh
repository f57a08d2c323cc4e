#!/usr/bin/env bash
# `make run`: DynamoDB Local (data kept in .data/dynamodb), the table, demo data, then gunicorn in
# the foreground with the image's gunicorn config. Ctrl-C stops gunicorn and DynamoDB Local.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DDB_PORT="${DYNAMODB_LOCAL_PORT:-8001}"

export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
export DYNAMODB_ENDPOINT_URL="${DYNAMODB_ENDPOINT_URL:-http://127.0.0.1:${DDB_PORT}}"
export DYNAMODB_TABLE="${DYNAMODB_TABLE:-duelarena-local}"
# DynamoDB Local accepts any credentials; real ones are never needed locally.
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
export AWS_REGION="${AWS_REGION:-us-east-1}"

started_ddb=0
cleanup() {
  if [ "$started_ddb" = 1 ]; then $PY deploy/dynamodb_local.py stop --port "$DDB_PORT" || true; fi
}
trap cleanup EXIT INT TERM

if [ -f .data/dynamodb-started-by-make ]; then  # `make run` started it while pip installed: ours to stop
  rm -f .data/dynamodb-started-by-make
  started_ddb=1
elif ! $PY deploy/dynamodb_local.py status --port "$DDB_PORT" >/dev/null; then
  $PY deploy/dynamodb_local.py start --port "$DDB_PORT"
  started_ddb=1
fi
# Refresh the app's bytecode (only edited modules are compiled): gunicorn's worker then reads .pyc files
# even under PYTHONDONTWRITEBYTECODE=1 (cold start; the venv's were compiled by `make venv`/`make run`).
$PY -m compileall -q duelarena accounts games llm deploy >/dev/null
$PY manage.py dynamodb create-table
$PY manage.py seed_demo
echo "Duel Arena on http://${HOST:-127.0.0.1}:${PORT:-8000}  (API docs: /api/docs, admin: /admin/)"
.venv/bin/gunicorn -c deploy/gunicorn.conf.py
