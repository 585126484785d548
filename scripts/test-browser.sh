#!/usr/bin/env bash
# The browser suite (test/browser, headless Chromium driven by playwright-core).
# Installs Debian's chromium when it is missing, then runs jest inside a new network namespace that
# holds only loopback: WebRTC gathers candidates on every interface, and no packet of these tests may
# leave the machine. Extra arguments go to jest (e.g. -t 'data-only').
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-browser: $CHROMIUM_PATH is missing; install it with: sudo apt-get install chromium" >&2
    exit 1
  fi
  echo "test-browser: installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
export CHROMIUM_PATH

# Root (here and in CI) makes the namespace directly; anyone else through a user namespace.
if [ "$(id -u)" -eq 0 ]; then
  namespace=(unshare --net)
else
  namespace=(unshare --user --map-root-user --net)
fi
exec "${namespace[@]}" sh -c 'ip link set lo up && exec node_modules/.bin/jest -c jest.browser.config.js "$@"' test-browser "$@"
