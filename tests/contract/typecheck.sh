#!/bin/sh
# Generate TypeScript types from an OpenAPI file with openapi-typescript and type-check client_check.ts
# against them with tsc. The npm packages are installed once into $DUELARENA_CACHE/ts-client (pinned).
# Usage: typecheck.sh <openapi.json> <work dir>
set -eu
SPEC="$1"; WORK="$2"
HERE="$(cd "$(dirname "$0")" && pwd)"
CACHE="${DUELARENA_CACHE:-$HOME/.cache/duelarena}/ts-client"
OPENAPI_TYPESCRIPT=7.13.0
TYPESCRIPT=5.9.3
STAMP="$CACHE/.installed-$OPENAPI_TYPESCRIPT-$TYPESCRIPT"
if [ ! -f "$STAMP" ]; then
  mkdir -p "$CACHE"
  npm install --prefix "$CACHE" --no-audit --no-fund --silent \
    "openapi-typescript@$OPENAPI_TYPESCRIPT" "typescript@$TYPESCRIPT"
  touch "$STAMP"
fi
"$CACHE/node_modules/.bin/openapi-typescript" "$SPEC" -o "$WORK/api.ts" --silent
cp "$HERE/client_check.ts" "$WORK/client_check.ts"
"$CACHE/node_modules/.bin/tsc" --noEmit --strict --target es2022 --module esnext --moduleResolution bundler \
  "$WORK/client_check.ts"
