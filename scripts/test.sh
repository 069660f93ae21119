#!/usr/bin/env bash
# Set up the environment and run the whole test suite. Fails if any test fails or if no test
# ran at all (pytest exit status 5).
#
# The dashboard's real-browser tests drive Debian's Chromium (/usr/bin/chromium; Playwright
# cannot download a browser here). Where it is missing, it is installed with apt-get when this
# user can (root, or passwordless sudo); otherwise the script stops with one line saying how
# to install it — the browser tests are never skipped silently.
source "$(dirname "$0")/bootstrap.sh"
CHROMIUM="${PARTNERSIM_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  can_install=0
  SUDO=()
  if [ "$(id -u)" = 0 ]; then
    can_install=1
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    can_install=1
    SUDO=(sudo -n)
  fi
  if [ "$can_install" = 1 ] && [ "$CHROMIUM" = /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/test.sh: installing Debian's Chromium for the browser tests (apt-get)" >&2
    "${SUDO[@]}" apt-get update -qq >/dev/null \
      && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq chromium >/dev/null \
      || true
  fi
  if [ ! -x "$CHROMIUM" ]; then
    echo "scripts/test.sh: the browser tests need Chromium at $CHROMIUM; install it with: sudo apt-get install chromium  (Debian/Ubuntu), then rerun" >&2
    exit 1
  fi
fi
set +e
uv run --frozen pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "scripts/test.sh: no tests were collected — failing" >&2
  exit 1
fi
exit "$status"
