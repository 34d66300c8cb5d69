#!/usr/bin/env bash
# Serves the web app with gunicorn as the image does (no docker needed) on a
# free loopback port, then checks it over HTTP. Usage: integration_tests.sh [junit.xml]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=sfnc-env.sh
. "$here/sfnc-env.sh"

report="${1:-reports/integration/junit.xml}"
port="${INTEGRATION_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
log="$(mktemp)"

(
  cd "$here/../../webapp"
  HOST=127.0.0.1 PORT="$port" APP_VERSION="$IMAGE_TAG" WEB_CONCURRENCY=2 \
    exec python3 -m gunicorn 'flaskapp:create_app()'
) >"$log" 2>&1 &
server=$!

finish() {
  local status=$?
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    echo "--- gunicorn log ---" >&2
    cat "$log" >&2
  fi
  rm -f "$log"
}
trap finish EXIT

python3 "$here/http_checks.py" \
  --base-url "http://127.0.0.1:$port" \
  --expect-version "$IMAGE_TAG" \
  --wait 30 \
  --junit "$report"
