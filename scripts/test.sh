#!/usr/bin/env bash
# The README's test command: install, start what the tests need, run them, stop it all.
# PYTHON: the interpreter to install into and run with (`make test` passes its virtual
# environment's); every tool runs as `$PYTHON -m …`, so nothing depends on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

"$PYTHON" -m pip install -q -e '.[test]'

# Headless Chromium for the browser tests (Debian packages; root on CI machines).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "chromium/chromedriver missing: browser tests will be skipped" >&2
  fi
fi

"$PYTHON" -m ruff check .

# A private local graph server for this run: its own state folder and port, stopped on exit.
# A state folder made here (it holds the server's password file) is removed on exit too; one
# given in CONSTELLATION_TEST_HOME is kept.
made_home=
if [ -n "${CONSTELLATION_TEST_HOME:-}" ]; then
  export CONSTELLATION_HOME=$CONSTELLATION_TEST_HOME
else
  made_home=$(mktemp -d /tmp/constellation-test.XXXXXX)
  export CONSTELLATION_HOME=$made_home
fi
export CONSTELLATION_BOLT_PORT=${CONSTELLATION_BOLT_PORT:-17687}
export CONSTELLATION_HTTP_PORT=${CONSTELLATION_HTTP_PORT:-12480}
unset NEO4J_URI NEO4J_USER NEO4J_PASSWORD NEO4J_DATABASE NEO4J_READ_USER NEO4J_READ_PASSWORD
cleanup() {
  "$PYTHON" -m constellation.cli db stop >/dev/null 2>&1 || true
  if [ -n "$made_home" ]; then rm -rf -- "$made_home"; fi
}
trap cleanup EXIT
"$PYTHON" -m constellation.cli db start

"$PYTHON" -m pytest "$@"
