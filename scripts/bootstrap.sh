# Sourced by the other scripts: make sure uv exists and the project's environment is in sync
# with uv.lock (Python 3.12 from .python-version; nothing is downloaded at run time after this).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! python3 -m uv --version >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
uv() { python3 -m uv "$@"; }
# Precompile bytecode: where PYTHONDONTWRITEBYTECODE is set (as on this project's CI
# machines) Python would otherwise recompile every module on every start, tripling start-up.
uv sync --frozen --quiet --compile-bytecode
.venv/bin/python -m compileall -q src >/dev/null || true
# The dashboard's front-end files, so that it works with no internet access (fetched once, here,
# from the npm registry; never at run time).
if ! .venv/bin/python -c "from partnersim.cli import missing_assets; raise SystemExit(bool(missing_assets()))"; then
  bash scripts/install_solara_assets.sh .venv >/dev/null
fi
