#!/usr/bin/env bash
# The README's test command: install, start what the tests need, run them, stop it all.
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

ruff check .

# A private local graph server for this run: its own state folder and port, stopped on exit.
export CONSTELLATION_HOME=${CONSTELLATION_TEST_HOME:-$(mktemp -d /tmp/constellation-test.XXXXXX)}
export CONSTELLATION_BOLT_PORT=${CONSTELLATION_BOLT_PORT:-17687}
export CONSTELLATION_HTTP_PORT=${CONSTELLATION_HTTP_PORT:-12480}
unset NEO4J_URI NEO4J_USER NEO4J_PASSWORD NEO4J_DATABASE
trap 'constellation db stop >/dev/null 2>&1 || true' EXIT
constellation db start

"$PYTHON" -m pytest "$@"
