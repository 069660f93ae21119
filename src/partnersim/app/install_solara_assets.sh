#!/usr/bin/env bash
# Put every front-end asset that the installed Solara asks for through its CDN proxy
# (/_solara/cdn/<pkg>@<version>/...) into <venv>/share/solara/cdn/, so that Solara pages
# render with no internet access.
#
# Usage: partnersim install-assets [--dry-run] [PKG@VERSION ...]   (runs this file for the
#        environment partnersim is installed in; it ships inside the package, so a wheel
#        installs the same pinned versions as a clone's scripts/bootstrap.sh)
#    or: bash install_solara_assets.sh VENV [--dry-run] [PKG@VERSION ...]
#   VENV          the virtual environment that has solara installed
#   --dry-run     only list what is required and what is missing
#   PKG@VERSION   extra npm packages to place as well (e.g. for a third-party widget)
#
# How: the versions are read from the installed solara's own source (server template,
# .vue files, settings), with hard-coded fallbacks for solara 1.64.x. Each missing package
# is fetched with `npm pack PKG@EXACT` into a temporary folder, its tarball checked against
# the pinned npm integrity hash (below), and its `package/` folder moved (atomically, via a
# rename) to <cache>/<PKG>@<VERSION>/ — the folder name the page requests. Present packages
# at their pinned version are left alone, so the script is idempotent and, once it has run,
# works offline; a folder holding another version than the pin is replaced. A referenced
# `*.min.js` / `*.min.css` that the npm tarball lacks (the public CDN minifies on the fly,
# e.g. requirejs@2.3.6/require.min.js) is made by copying the unminified file.
#
# Reproducible: solara asks for some packages by a floating version (vega@5, vega-lite@5,
# vega-embed@6 — the public CDN answers with the newest 5.x / 6.x). Every package this script
# fetches is pinned in PIN to an exact release and its tarball's sha512, so a fresh clone gets
# byte-identical files whenever it runs. A floating request without a pin is an error (add
# the pin); an exact version without a pinned hash is fetched with a warning.
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

# The requested name (the folder the page asks for) -> "exact-npm-spec integrity". The floating
# ones are pinned to the releases this project was developed and tested with; the exact ones
# need no version pin but get a hash. solara-assets (a Python dependency, locked in uv.lock)
# ships the rest. Update with: npm view PKG@VERSION version dist.integrity
declare -A PIN=(
    ["vega@5"]="vega@5.33.1 sha512-1fArfVDUqVbb5z8n+/nVQb+VNBzx8svY6CrsyTK4Ujm4yrd9I1auoKxBAPXLCavY1LcrbHUskQbGUP8gXOzyQw=="
    ["vega-lite@5"]="vega-lite@5.23.0 sha512-l4J6+AWE3DIjvovEoHl2LdtCUkfm4zs8Xxx7INwZEAv+XVb6kR6vIN1gt3t2gN2gs/y4DYTs/RPoTeYAuEg6mA=="
    ["vega-embed@6"]="vega-embed@6.29.0 sha512-PmlshTLtLFLgWtF/b23T1OwX53AugJ9RZ3qPE2c01VFAbgt3/GSNI/etzA/GzdrkceXFma+FDHNXUppKuM0U6Q=="
    ["katex@0.16.9"]="katex@0.16.9 sha512-fsSYjWS0EEOwvy81j3vRA8TEAhQhKiqO+FQaKWp0m39qwOzHVBgAUBIXWj1pB+O2W3fIpNa6Y9KSKCVbfPhyAQ=="
    ["@widgetti/solara-vuetify3-app@5.2.0"]="@widgetti/solara-vuetify3-app@5.2.0 sha512-9UMyjf9KASR9PucZ7848upx1gqOqlUnG5Hh5or5CTaN/Um+AxAHQGwv8x4fFJzco/OaccsWdtsqb3bmYAnBo+Q=="
)

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
is_exact() {  # the version of pkg@version is a full x.y.z release (npm versions are immutable)
    [[ "${1##*@}" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]
}
pinned_spec() { local p=${PIN[$1]:-}; [ -n "$p" ] && echo "${p%% *}" || echo "$1"; }
pinned_hash() { local p=${PIN[$1]:-}; [ -n "$p" ] && echo "${p#* }" || true; }
installed_version() {  # version in <cache>/<spec>/package.json, empty if absent
    [ -f "$CACHE/$1/package.json" ] || return 0
    "$PY" -c 'import json, sys; print(json.load(open(sys.argv[1], encoding="utf-8")).get("version", ""))' \
        "$CACHE/$1/package.json"
}
is_installed() {  # present, and at the pinned version if there is a pin
    local want
    [ -f "$CACHE/$1/package.json" ] || return 1
    want=$(pinned_spec "$1"); want=${want##*@}
    [ "$(installed_version "$1")" = "$want" ]
}

# Refuse floating requests that have no pin: they would install whatever is newest today.
for spec in "${PKGS[@]}"; do
    is_exact "$(pinned_spec "$spec")" \
        || die "$spec is a floating version with no exact pin; add it to PIN in $0"
done

install_pkg() {  # $1 = pkg@version as requested (the folder name)
    local spec=$1 exact hash got tmp tgz dest parent
    exact=$(pinned_spec "$spec")
    hash=$(pinned_hash "$spec")
    dest="$CACHE/$spec"
    parent=$(dirname "$dest")
    command -v npm >/dev/null || die "npm is needed to fetch $exact"
    tmp=$(mktemp -d "$WORK/pack.XXXXXX")   # removed with $WORK on exit
    (cd "$tmp" && npm pack "$exact" --silent >/dev/null) || die "npm pack $exact failed"
    tgz=$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n1)
    [ -n "$tgz" ] || die "npm pack $exact produced no tarball"
    got=$("$PY" -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tgz")
    if [ -n "$hash" ]; then
        [ "$got" = "$hash" ] || die "$exact: tarball hash $got is not the pinned $hash"
    else
        echo "  warning: $exact has no pinned hash (add to PIN: [\"$spec\"]=\"$exact $got\")" >&2
    fi
    mkdir -p "$tmp/x"
    tar -xzf "$tgz" -C "$tmp/x" --no-same-owner
    [ -f "$tmp/x/package/package.json" ] || die "tarball of $spec has no package/package.json"
    mkdir -p "$parent"
    # stage next to the destination, then rename: a half-extracted folder is never visible
    local stage="$parent/.$(basename "$dest").partial.$$"
    rm -rf "$stage"
    mv "$tmp/x/package" "$stage"
    chmod -R a+rX "$stage"
    rm -rf "$dest"   # a leftover without package.json, or another version than the pin
    mv "$stage" "$dest"
    if [ "$exact" = "$spec" ]; then
        echo "  installed $spec -> $dest"
    else
        echo "  installed $exact -> $dest"
    fi
}

MISSING=0
for spec in "${PKGS[@]}"; do
    exact=$(pinned_spec "$spec")
    label=$spec; [ "$exact" = "$spec" ] || label="$spec (pinned: $exact)"
    if is_installed "$spec"; then
        echo "  present   $label"
    else
        MISSING=$((MISSING + 1))
        have=$(installed_version "$spec")
        if [ $DRY_RUN -eq 1 ]; then
            if [ -n "$have" ]; then
                echo "  STALE     $label: $have is installed"
            else
                echo "  MISSING   $label"
            fi
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
    echo "dry run: $MISSING package(s) missing or not at their pinned version"
    [ "$MISSING" -eq 0 ]
    exit
fi
echo "done: ${#PKGS[@]} package(s) checked, $MISSING fetched, $BAD referenced file(s) unresolved"
[ "$BAD" -eq 0 ]
