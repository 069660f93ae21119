# Sourced by the other scripts: make sure uv exists and the project's environment is in sync
# with uv.lock (Python 3.12 from .python-version; nothing is downloaded at run time after this).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# uv: one already on PATH, else the Python package, else installed — with pip where the
# system Python allows it (PEP 668 forbids it on e.g. Debian's), else pipx, else uv's own
# installer into ~/.local/bin.
export PATH="$HOME/.local/bin:$HOME/.cargo/bin:$PATH"
if command -v uv >/dev/null 2>&1; then
  :
elif python3 -m uv --version >/dev/null 2>&1; then
  uv() { python3 -m uv "$@"; }
else
  echo "bootstrap: installing uv" >&2
  if python3 -m pip install --quiet --disable-pip-version-check --user uv 2>/dev/null \
      || python3 -m pip install --quiet --disable-pip-version-check uv 2>/dev/null; then
    uv() { python3 -m uv "$@"; }
  elif command -v pipx >/dev/null 2>&1 && pipx install --quiet uv >/dev/null; then
    :
  elif command -v curl >/dev/null 2>&1 && curl -LsSf https://astral.sh/uv/install.sh | sh >/dev/null; then
    :
  else
    echo "bootstrap: could not install uv; install it (https://docs.astral.sh/uv/) and rerun" >&2
    exit 1
  fi
fi
# Precompile bytecode: where PYTHONDONTWRITEBYTECODE is set (as on this project's CI
# machines) Python would otherwise recompile every module on every start, tripling start-up.
uv sync --frozen --quiet --compile-bytecode
.venv/bin/python -m compileall -q src >/dev/null || true
# The dashboard's front-end files, so that it works with no internet access (fetched once, here,
# from the npm registry; never at run time).
if ! .venv/bin/python -c "from partnersim.cli.dashboard import missing_assets; raise SystemExit(bool(missing_assets()))"; then
  .venv/bin/partnersim install-assets >/dev/null
fi
