#!/usr/bin/env bash
# Put every front-end asset that the installed Solara asks for through its CDN proxy
# (/_solara/cdn/<pkg>@<version>/...) into <venv>/share/solara/cdn/, so that Solara pages
# render with no internet access.
#
# Usage: scripts/install_solara_assets.sh VENV [--dry-run] [PKG@VERSION ...]
#   VENV          the virtual environment that has solara installed
#   --dry-run     only list what is required and what is missing
#   PKG@VERSION   extra npm packages to place as well (e.g. for a third-party widget)
#
# How: the versions are read from the installed solara's own source (server template,
# .vue files, settings), with hard-coded fallbacks for solara 1.64.x. Each missing package
# is fetched with `npm pack PKG@VERSION` into a temporary folder and its `package/` folder
# is moved (atomically, via a rename) to <cache>/<PKG>@<VERSION>/. Present packages are left
# alone, so the script is idempotent. A referenced `*.min.js` / `*.min.css` that the npm
# tarball lacks (the public CDN minifies on the fly, e.g. requirejs@2.3.6/require.min.js) is
# made by copying the unminified file.
#
# Needs: npm (only when something is missing), tar, the venv's python.
set -euo pipefail

die() { echo "install_solara_assets: $*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: $0 VENV [--dry-run] [PKG@VERSION ...]"
VENV=$1; shift
DRY_RUN=0
EXTRA=()
for a in "$@"; do
    case "$a" in
        --dry-run) DRY_RUN=1 ;;
        -*) die "unknown option $a" ;;
        *@*) EXTRA+=("$a") ;;
        *) die "not PKG@VERSION: $a" ;;
    esac
done

PY="$VENV/bin/python"
[ -x "$PY" ] || die "no python at $PY"

# Hard-coded fallbacks (what solara 1.64.1 references); used only if the scan finds nothing.
FALLBACK_PKGS=(
    "@widgetti/solara-vuetify3-app@5.2.0"
    "@widgetti/solara-vuetify-app@10.1.1"
    "requirejs@2.3.6"
    "font-awesome@4.5.0"
    "katex@0.16.9"
    "mermaid@10.8.0"
    "vega@5"
    "vega-lite@5"
    "vega-embed@6"
    "@widgetti/vue-grid-layout@2.3.13-alpha.2"
    "@widgetti/solara-milkdown@6.3.0"
    "codemirror@5.65.3"
    "echarts@5.4.0"
)

# --- 1. ask the venv where the cache is and which assets its solara references ----------
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SCAN_OUT="$WORK/scan.tsv"
"$PY" - >"$SCAN_OUT" <<'PYEOF'
import importlib.util, os, re, sys
from pathlib import Path

spec = importlib.util.find_spec("solara")
if spec is None or not spec.submodule_search_locations:
    sys.exit("solara is not installed in this venv")
root = Path(list(spec.submodule_search_locations)[0])

# cache dir: the authoritative value is solara.server.settings.assets.proxy_cache_dir
cache = None
try:
    import solara.server.settings as ss  # honours SOLARA_ASSETS_PROXY_CACHE_DIR / .env
    cache = Path(ss.assets.proxy_cache_dir)
except Exception as e:  # pragma: no cover - fall back to solara's default rule
    print(f"# could not import solara.server.settings ({e}); using sys.prefix", file=sys.stderr)
    cache = Path(sys.prefix) / "share" / "solara" / "cdn"
print(f"CACHE\t{cache}")
try:
    import solara
    print(f"SOLARA\t{solara.__version__}")
except Exception:
    print("SOLARA\t?")

# a url built from the cdn base: {{cdn}}/x, ${this.getCdn()}/x, ${cdn}/x, ... up to a quote
ref = re.compile(r"""(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\}|\$\{cdn\}|solara\.cdn\}|solara_cdn\})(/[^"'`\s<>)]+)""")
const = re.compile(r"""(?:const|let|var)\s+(\w+)\s*=\s*["']([0-9][\w.+-]*)["']""")
pkgver = re.compile(r"^/((?:@[\w.-]+/)?[\w.-]+)@([0-9][\w.+-]*)(/.*)?$")
found = {}  # (pkg, ver) -> set(files)
for path in root.rglob("*"):
    if path.suffix not in {".py", ".j2", ".html", ".vue", ".js"} or not path.is_file():
        continue
    rel = path.relative_to(root).parts
    if rel[0] in {"website", "template"}:  # solara.dev docs site / project template: not served to apps
        continue
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        continue
    consts = dict(const.findall(text))
    urls = [m.group(1) for m in ref.finditer(text)]
    # settings.py: fontawesome_path: str = "/font-awesome@4.5.0/css/font-awesome.min.css"
    urls += re.findall(r"""fontawesome_path[^=]*=\s*["'](/[^"']+)["']""", text)
    for url in urls:
        url = re.sub(r"\$\{(\w+)\}", lambda m: consts.get(m.group(1), m.group(0)), url)
        variants = [url]
        if "{{" in url:  # {{ipywidget_major_version}}: the template serves 7 or 8
            variants = [re.sub(r"\{\{[^}]*\}\}", v, url) for v in ("7", "8")]
        for u in variants:
            m = pkgver.match(u)
            if not m:
                print(f"# unresolved reference {u} in {path.relative_to(root)}", file=sys.stderr)
                continue
            pkg, ver, file = m.group(1), m.group(2), m.group(3) or ""
            files = found.setdefault((pkg, ver), set())
            if file and "${" not in file and "{{" not in file:
                files.add(file.lstrip("/"))
for (pkg, ver), files in sorted(found.items()):
    print(f"PKG\t{pkg}@{ver}\t{' '.join(sorted(files))}")
PYEOF

CACHE=$(awk -F'\t' '$1=="CACHE"{print $2}' "$SCAN_OUT")
SOLARA_VERSION=$(awk -F'\t' '$1=="SOLARA"{print $2}' "$SCAN_OUT")
[ -n "$CACHE" ] || die "could not determine the solara cdn cache dir"
echo "solara $SOLARA_VERSION; cdn cache: $CACHE"

declare -A FILES=()
PKGS=()
while IFS=$'\t' read -r kind spec files; do
    [ "$kind" = PKG ] || continue
    PKGS+=("$spec"); FILES[$spec]="${files:-}"
done <"$SCAN_OUT"
if [ ${#PKGS[@]} -eq 0 ]; then
    echo "warning: found no asset references in solara's source; using the hard-coded list" >&2
    PKGS=("${FALLBACK_PKGS[@]}")
fi
for e in "${EXTRA[@]+"${EXTRA[@]}"}"; do PKGS+=("$e"); FILES[$e]="${FILES[$e]:-}"; done

# --- 2. place every missing package ------------------------------------------------------
is_installed() { [ -f "$CACHE/$1/package.json" ]; }

install_pkg() {  # $1 = pkg@version
    local spec=$1 tmp tgz dest parent
    dest="$CACHE/$spec"
    parent=$(dirname "$dest")
    command -v npm >/dev/null || die "npm is needed to fetch $spec"
    tmp=$(mktemp -d "$WORK/pack.XXXXXX")   # removed with $WORK on exit
    (cd "$tmp" && npm pack "$spec" --silent >/dev/null) || die "npm pack $spec failed"
    tgz=$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n1)
    [ -n "$tgz" ] || die "npm pack $spec produced no tarball"
    mkdir -p "$tmp/x"
    tar -xzf "$tgz" -C "$tmp/x" --no-same-owner
    [ -f "$tmp/x/package/package.json" ] || die "tarball of $spec has no package/package.json"
    mkdir -p "$parent"
    # stage next to the destination, then rename: a half-extracted folder is never visible
    local stage="$parent/.$(basename "$dest").partial.$$"
    rm -rf "$stage"
    mv "$tmp/x/package" "$stage"
    chmod -R a+rX "$stage"
    rm -rf "$dest"   # a leftover without package.json (e.g. an interrupted manual copy)
    mv "$stage" "$dest"
    echo "  installed $spec -> $dest"
}

MISSING=0
for spec in "${PKGS[@]}"; do
    if is_installed "$spec"; then
        echo "  present   $spec"
    else
        MISSING=$((MISSING + 1))
        if [ $DRY_RUN -eq 1 ]; then
            echo "  MISSING   $spec"
        else
            install_pkg "$spec"
        fi
    fi
done

# --- 3. check each referenced file; make *.min.js / *.min.css from the plain file --------
BAD=0
for spec in "${PKGS[@]}"; do
    is_installed "$spec" || continue
    for f in ${FILES[$spec]}; do
        p="$CACHE/$spec/$f"
        [ -f "$p" ] && continue
        plain="${p/.min./.}"
        if [ "$plain" != "$p" ] && [ -f "$plain" ]; then
            if [ $DRY_RUN -eq 1 ]; then
                echo "  would copy $(basename "$plain") -> $spec/$f"
            else
                cp "$plain" "$p"; chmod a+r "$p"
                echo "  copied    $spec/$f from the unminified file"
            fi
        else
            echo "  warning: $spec/$f is referenced by solara but not in the npm package" >&2
            BAD=$((BAD + 1))
        fi
    done
done

if [ $DRY_RUN -eq 1 ]; then
    echo "dry run: $MISSING package(s) missing"
    [ "$MISSING" -eq 0 ]
    exit
fi
echo "done: ${#PKGS[@]} package(s) checked, $MISSING fetched, $BAD referenced file(s) unresolved"
[ "$BAD" -eq 0 ]
