#!/usr/bin/env bash
# hit-atlas against the Python way (pandas + geopandas + matplotlib + jinja2), on the same input,
# in one run: times both at each scale, checks their counts agree, reports the ratio.
#
#   scripts/python-way/compare.sh                  scales 1 and 10
#   COMPARE_SCALES="1 10 100" scripts/python-way/compare.sh
#
# Needs PyPI (a virtualenv in scripts/python-way/.venv from requirements.txt, created when
# missing), so it is not part of .ci/run. Scaled stores come from `hit-atlas sample --scale N`
# into .bench/store-N (shared with scripts/bench.sh). Timing: hyperfine when present (installed
# with apt-get when missing and root), else one /usr/bin/time run each. Exit 1 when the counts
# disagree at any scale.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=scripts/python-way
SCALES=${COMPARE_SCALES:-1 10}
RUNS=${COMPARE_RUNS:-5}
OUT=.bench
mkdir -p "$OUT"

if [ ! -x "$HERE/.venv/bin/python" ] || ! cmp -s "$HERE/requirements.txt" "$HERE/.venv/.requirements"; then
    echo "== creating $HERE/.venv from requirements.txt"
    rm -rf "$HERE/.venv"
    python3 -m venv "$HERE/.venv"
    "$HERE/.venv/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
    cp "$HERE/requirements.txt" "$HERE/.venv/.requirements"
fi
PY=$HERE/.venv/bin/python
if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi
cargo build --release --locked --quiet
BIN=target/release/hit-atlas
echo "machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "python: $($PY --version), $($PY -c 'import pandas, geopandas, matplotlib, jinja2; print("pandas", pandas.__version__, "geopandas", geopandas.__version__, "matplotlib", matplotlib.__version__, "jinja2", jinja2.__version__)')"

mean_of() { # hyperfine json, index -> mean seconds
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][int(sys.argv[2])]['mean'])" "$1" "$2"
}
wall_of() { # command... -> wall seconds of one run
    local t
    t=$( { /usr/bin/time -f "%e" "$@" >/dev/null 2>/dev/null; } 2>&1 | tail -1)
    echo "$t"
}

status=0
table=()
for n in $SCALES; do
    if [ "$n" = 1 ]; then store=data/sample; else
        store=$OUT/store-$n
        if [ ! -f "$store/.complete" ]; then
            rm -rf "$store"
            "$BIN" sample --scale "$n" --out "$store" >/dev/null
            touch "$store/.complete"
        fi
    fi
    rs_site=$OUT/cmp-rs-$n py_site=$OUT/cmp-py-$n py_site_nc=$OUT/cmp-py-nocharts-$n
    rs_cmd="$BIN build --data $store --out $rs_site"
    py_cmd="$PY $HERE/build_report.py --data $store --out $py_site"
    py_nc_cmd="$PY $HERE/build_report.py --data $store --out $py_site_nc --no-charts"
    echo "== scale ${n}x ($store)"
    runs=$([ "$n" -ge 100 ] && echo 1 || echo "$RUNS")
    if command -v hyperfine >/dev/null; then
        hyperfine --style basic --warmup "$([ "$n" -ge 100 ] && echo 0 || echo 1)" --runs "$runs" --export-json "$OUT/compare-$n.json" \
            -n hit-atlas "$rs_cmd" -n "python (charts)" "$py_cmd" -n "python (no charts)" "$py_nc_cmd" | sed -n '/Summary/,$p'
        rs=$(mean_of "$OUT/compare-$n.json" 0) py=$(mean_of "$OUT/compare-$n.json" 1) pync=$(mean_of "$OUT/compare-$n.json" 2)
    else
        rs=$(wall_of $rs_cmd) py=$(wall_of $py_cmd) pync=$(wall_of $py_nc_cmd)
    fi
    if python3 "$HERE/check_counts.py" "$rs_site" "$py_site"; then agree=yes; else agree=NO; status=1; fi
    ratio=$(python3 -c "print(f'{$py / $rs:.1f}')")
    ratio_nc=$(python3 -c "print(f'{$pync / $rs:.1f}')")
    table+=("| ${n}x | $(printf %.3f "$rs") | $(printf %.3f "$py") | $(printf %.3f "$pync") | ${ratio}x | ${ratio_nc}x | $agree |")
done
{
    echo "| scale | hit-atlas s | python s (with charts) | python s (no charts) | ratio python/hit-atlas | ratio, no charts | counts agree |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${table[@]}"
} | tee "$OUT/python-way.md"
exit $status
