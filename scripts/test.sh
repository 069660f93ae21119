#!/usr/bin/env bash
# Set up the environment and run the whole test suite. Fails if any test fails or if no test
# ran at all (pytest exit status 5).
source "$(dirname "$0")/bootstrap.sh"
set +e
uv run --frozen pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "scripts/test.sh: no tests were collected — failing" >&2
  exit 1
fi
exit "$status"
