#!/usr/bin/env bash
# Container smoke test (`make container-test`): build the image with buildah from a Debian base made
# locally with debootstrap, run it with `buildah run --isolation chroot` against DynamoDB Local, and
# check /health, /api/docs, an authenticated flow and the admin login page through the image's own
# gunicorn (started by its CMD, deploy/entrypoint.py).
#
# No Docker engine and no registry pulls here: the Python base is made like python:3.12-slim-bookworm,
# the image's real base: Debian bookworm (debootstrapped) with the runtime libraries CPython links to,
# and a CPython 3.12 in /usr/local, copied from this machine's own 3.12 build (the one `make
# test-py312` finds: $PYTHON312, else pyenv's 3.12; its test suite, IDLE and tkinter left out). Without
# a 3.12 it falls back to bookworm's python3 (3.11) and says so. The LWA stage is a stand-in image
# holding a placeholder /lambda-adapter (the real one is copied from public.ecr.aws at the pinned tag
# in a normal build; outside Lambda the extension never runs, so the smoke test loses nothing by it).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
WORK="${CONTAINER_TEST_DIR:-/tmp/duelarena-container-test}"
IMAGE=localhost/duelarena:smoke
# CPython 3.12: the prefix of the interpreter `make test-py312` uses.
PY312=""
for c in "${PYTHON312:-}" $(ls -d "$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"/versions/3.12*/bin/python3 2>/dev/null | sort -V -r) python3.12; do
  if [ -n "$c" ] && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' >/dev/null 2>&1; then PY312="$c"; break; fi
done
if [ -n "$PY312" ]; then
  PY_PREFIX=$("$PY312" -c 'import sys; print(sys.base_prefix)')
  BASE=localhost/duelarena-base:bookworm-py$("$PY312" -c 'import platform; print(platform.python_version())')
else
  echo "Python 3.12 not found: the smoke test's base gets bookworm's python3 (3.11) instead" >&2
  BASE=localhost/duelarena-base:bookworm
fi
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

# What python:3.12-slim-bookworm installs for its own CPython build (ssl, sqlite3, ctypes, lzma, bz2,
# readline, uuid, dbm, curses, crypt).
PYTHON_RUNTIME_LIBS=ca-certificates,passwd,libssl3,libffi8,libsqlite3-0,libbz2-1.0,liblzma5,zlib1g,\
libreadline8,libncursesw6,libtinfo6,libuuid1,libexpat1,libgdbm6,libgdbm-compat4,libnsl2,libtirpc3,libcrypt1

if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  rm -rf "$WORK/rootfs"
  if [ -n "$PY312" ]; then
    echo "== debootstrap a Debian bookworm base with CPython $("$PY312" -c 'import platform; print(platform.python_version())') in /usr/local"
    debootstrap --variant=minbase --include="$PYTHON_RUNTIME_LIBS" \
      bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1
    tar -C "$PY_PREFIX" --exclude='./lib/python3.12/test' --exclude='./lib/python3.12/idlelib' \
      --exclude='./lib/python3.12/tkinter' --exclude='./lib/python3.12/turtledemo' \
      --exclude='./lib/python3.12/site-packages/*' --exclude='__pycache__' -cf - . |
      tar -C "$WORK/rootfs/usr/local" -xf -
    chroot "$WORK/rootfs" /sbin/ldconfig
    # This CPython's pip trusts its own certifi bundle; the build mounts the host's CA bundle (which
    # may hold a proxy's CA), so the stand-in base points pip at it, as Debian's pip does by itself.
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$WORK/rootfs/etc/pip.conf"
    chroot "$WORK/rootfs" /usr/local/bin/python3 -c \
      'import ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid, decimal, ensurepip, sys; assert sys.version_info[:2] == (3, 12)'
  else
    echo "== debootstrap a Debian bookworm base with its python3"
    debootstrap --variant=minbase --include="python3,python3-venv,$PYTHON_RUNTIME_LIBS" \
      bookworm "$WORK/rootfs" http://deb.debian.org/debian >"$WORK/debootstrap.log" 2>&1
  fi
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

exec .venv/bin/python deploy/container_check.py --image "$IMAGE" ${PY312:+--expect-312}
