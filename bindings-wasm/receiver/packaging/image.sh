#!/usr/bin/env bash
# The container image's build and start steps, runnable on any host with
# Node 20 and npm: the Dockerfile's RUN and ENTRYPOINT are these steps, and
# test/packaging.test.mjs runs them on the host (no image registry is
# reachable there) and checks that the Dockerfile still says the same.
#
#   image.sh build PREFIX   lays out PREFIX/pkg (the d1-tracking package) and
#                           PREFIX/receiver with its production dependencies
#   image.sh start PREFIX   runs the receiver from PREFIX in the foreground
#
# The sources are read beside this script: ../ is the receiver and ../../pkg
# the package bindings-wasm/build.sh builds (in the image's build stage, the
# same layout under /src). The receiver depends on `file:../pkg`, so the
# layout under PREFIX keeps the two side by side.
set -euo pipefail

usage() { echo "usage: $0 build PREFIX | start PREFIX" >&2; exit 2; }
[ $# -eq 2 ] || usage
step=$1
prefix=$2
receiver=$(cd "$(dirname "$0")/.." && pwd)
pkg=$(dirname "$receiver")/pkg

case "$step" in
  build)
    [ -f "$pkg/package.json" ] || { echo "image.sh: $pkg is missing: run bindings-wasm/build.sh first" >&2; exit 1; }
    # Never over a previous install: build a new prefix, then switch to it.
    [ ! -e "$prefix/receiver" ] && [ ! -e "$prefix/pkg" ] \
      || { echo "image.sh: $prefix already holds a build; build into a new prefix" >&2; exit 1; }
    mkdir -p "$prefix/receiver"
    cp -R "$pkg" "$prefix/pkg"
    cp "$receiver/package.json" "$receiver/package-lock.json" "$prefix/receiver/"
    cp -R "$receiver/src" "$receiver/migrations" "$receiver/packaging" "$prefix/receiver/"
    # Exactly the lock file's versions, without the tests' dependencies.
    (cd "$prefix/receiver" && npm ci --omit=dev --no-audit --no-fund)
    ;;
  start)
    cd "$prefix/receiver"
    # exec: the receiver's primary is this process, so SIGTERM (docker stop,
    # systemctl stop) reaches it and it stops its workers.
    exec node src/main.mjs
    ;;
  *) usage ;;
esac
