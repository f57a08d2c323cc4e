#!/usr/bin/env bash
# Container smoke test (`make container-test`): build the image with buildah from a Debian base made
# locally with debootstrap, run it with `buildah run --isolation chroot` against DynamoDB Local, and
# check /health, /api/docs, an authenticated flow and the admin login page through the image's own
# gunicorn (started by its CMD, deploy/entrypoint.py).
#
# No Docker engine and no registry pulls here: the Python base is debootstrapped (Debian bookworm,
# python3 3.11) and the LWA stage is a stand-in image holding a placeholder /lambda-adapter (the
# real one is copied from public.ecr.aws at the pinned tag in a normal build; outside Lambda the
# extension never runs, so the smoke test loses nothing by it).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
WORK="${CONTAINER_TEST_DIR:-/tmp/duelarena-container-test}"
IMAGE=localhost/duelarena:smoke
BASE=localhost/duelarena-base:bookworm
LWA=localhost/lwa-standin:test
export BUILDAH_ISOLATION=chroot STORAGE_DRIVER="${STORAGE_DRIVER:-vfs}"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need buildah || ! need debootstrap; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
  else
    echo "container test needs buildah and debootstrap (apt-get install buildah debootstrap, as root)" >&2
    exit 2
  fi
fi
mkdir -p "$WORK"

if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  echo "== debootstrap a Debian base with python3"
  rm -rf "$WORK/rootfs"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates,passwd \
    bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1
  ctr=$(buildah from scratch)
  mnt=$(buildah mount "$ctr")
  cp -a "$WORK/rootfs/." "$mnt/"
  buildah umount "$ctr" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  buildah commit -q "$ctr" "$BASE" >/dev/null
  buildah rm "$ctr" >/dev/null
fi

if ! buildah inspect --type image "$LWA" >/dev/null 2>&1; then
  ctr=$(buildah from scratch)
  printf '#!/bin/sh\n# stand-in for the Lambda Web Adapter extension (never runs outside Lambda)\nexit 0\n' >"$WORK/lambda-adapter"
  chmod +x "$WORK/lambda-adapter"
  buildah copy -q "$ctr" "$WORK/lambda-adapter" /lambda-adapter >/dev/null
  buildah commit -q "$ctr" "$LWA" >/dev/null
  buildah rm "$ctr" >/dev/null
fi

echo "== build the image"
started=$(date +%s)
buildah bud -q --isolation chroot --layers=false \
  --build-arg PYTHON_BASE="$BASE" --build-arg LWA_IMAGE="$LWA" \
  --volume /etc/ssl/certs:/etc/ssl/certs:ro \
  -t "$IMAGE" . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; exit 1; }
echo "   built in $(( $(date +%s) - started ))s"

exec .venv/bin/python deploy/container_check.py --image "$IMAGE"
