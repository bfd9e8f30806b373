#!/usr/bin/env bash
# Whole-process benchmark of `hit-atlas build` at 1x (the bundled sample), 10x and 100x.
#
#   scripts/bench.sh                 scales 1 10 100
#   BENCH_SCALES="1 10" scripts/bench.sh
#
# Generates the scaled synthetic stores with `hit-atlas sample --scale N` into .bench/store-N
# (gitignored; kept between runs, regenerated when missing), then times the release binary's
# `build --data STORE --out .bench/site-N` with /usr/bin/time -v (wall time, peak RSS) and, for
# 1x and 10x, hyperfine (mean of repeated runs). The binary's own -v stage timings (load,
# normalize, metrics, render, write) say where the time goes. Prints a markdown table and writes
# it to .bench/results.md. Installs `time` and `hyperfine` with apt-get when missing.
# Targets (issue 6): 1x < 0.5 s; 100x < 30 s and < 1 GB peak; cost no worse than linear.
set -euo pipefail
cd "$(dirname "$0")/.."
SCALES=${BENCH_SCALES:-1 10 100}
OUT=.bench
mkdir -p "$OUT"

need() {
    command -v "$1" >/dev/null && return 0
    [ "$(id -u)" = 0 ] || { echo "bench: $1 missing (apt-get install $2)" >&2; return 1; }
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
[ -x /usr/bin/time ] || need /usr/bin/time time
need hyperfine hyperfine || true

cargo build --release --locked --quiet
BIN=target/release/hit-atlas

echo "## machine"
MACHINE="$(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr), $(rustc --version)"
echo "$MACHINE"
LOAD="load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$LOAD"

rows=()
for n in $SCALES; do
    if [ "$n" = 1 ]; then
        store=data/sample
    else
        store=$OUT/store-$n
        if [ ! -f "$store/.complete" ]; then
            rm -rf "$store"
            echo "== generating $store (scale $n)"
            /usr/bin/time -f "generated in %e s, peak %M KB" "$BIN" sample --scale "$n" --out "$store"
            touch "$store/.complete"
        fi
    fi
    stats=$(python3 - "$store" <<'EOF'
import json, pathlib, sys
root = pathlib.Path(sys.argv[1]) / "releases"
metas = [json.loads(p.read_text()) for p in sorted(root.glob("*/meta.json"))]
size = sum(f.stat().st_size for f in root.glob("*/data.*"))
latest = metas[-1]
print(len(metas), sum(m["rows"] for m in metas), latest["rows"], f"{size / 1e6:.1f}")
EOF
)
    read -r nrel total_rows latest_rows mb <<<"$stats"
    site=$OUT/site-$n
    echo "== scale ${n}x: $nrel releases, $total_rows rows in all ($latest_rows in the latest), $mb MB of CSV"
    # One run under /usr/bin/time -v with the binary's stage timings.
    /usr/bin/time -v -o "$OUT/time-$n.txt" "$BIN" -v build --data "$store" --out "$site" >"$OUT/stdout-$n.txt" 2>"$OUT/stages-$n.txt"
    cat "$OUT/stdout-$n.txt"
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/{print $2}' "$OUT/time-$n.txt" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    rss=$(awk -F': ' '/Maximum resident set size/{printf "%.0f", $2/1024}' "$OUT/time-$n.txt")
    stages=$(awk '{printf "%s %s ms, ", $1, $2}' "$OUT/stages-$n.txt" | sed 's/, $//')
    suppliers=$(sed -n 's/.* \([0-9]*\) suppliers,.*/\1/p' "$OUT/stdout-$n.txt")
    mean=$wall
    if command -v hyperfine >/dev/null && [ "$n" -le 10 ]; then
        runs=$([ "$n" = 1 ] && echo 20 || echo 5)
        hyperfine --style basic --warmup 2 --runs "$runs" --export-json "$OUT/hyperfine-$n.json" \
            "$BIN build --data $store --out $site" >/dev/null
        mean=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['mean']:.3f} ± {r['stddev']:.3f}\")" "$OUT/hyperfine-$n.json")
    fi
    per_row=$(python3 -c "print(f'{float(\"$wall\") / $total_rows * 1e6:.2f}')")
    echo "   wall ${wall} s (hyperfine mean ${mean} s), peak RSS ${rss} MB; stages: $stages"
    rows+=("| ${n}x | $suppliers | $latest_rows | $total_rows | $mb | $mean | $wall | $rss | $per_row | $stages |")
done

{
    echo "Machine: $MACHINE"
    echo "$LOAD"
    echo
    echo "| scale | suppliers (latest) | rows (latest release) | rows (24 releases) | CSV MB | wall s (hyperfine mean ± sd) | wall s (time -v, 1 run) | peak RSS MB | µs per input row | stages (-v, 1 run) |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} | tee "$OUT/results.md"

# The targets, checked on what was measured.
python3 - "$OUT" $SCALES <<'EOF'
import re, sys, pathlib
out, scales = pathlib.Path(sys.argv[1]), [int(s) for s in sys.argv[2:]]
def wall(n):
    t = (out / f"time-{n}.txt").read_text()
    e = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1).split(":")
    return sum(float(x) * 60 ** i for i, x in enumerate(reversed(e)))
def rss(n):
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", (out / f"time-{n}.txt").read_text()).group(1)) / 1024
ok = True
def check(cond, msg):
    global ok
    print(("  ok   " if cond else "  MISS ") + msg)
    ok &= cond
def typical(n):
    # The mean of hyperfine's warm runs when there are some; a single cold run is too noisy for
    # a half-second target. The single run's time is still printed in the table.
    h = out / f"hyperfine-{n}.json"
    if h.exists():
        import json
        return json.loads(h.read_text())["results"][0]["mean"], "hyperfine mean"
    return wall(n), "one run"
print("targets:")
if 1 in scales:
    t, how = typical(1)
    check(t < 0.5, f"1x build {t:.3f} s ({how}) < 0.5 s")
if 100 in scales:
    check(wall(100) < 30, f"100x build {wall(100):.2f} s < 30 s")
    check(rss(100) < 1024, f"100x peak RSS {rss(100):.0f} MB < 1024 MB")
big = [s for s in scales if s >= 10]
for a, b in zip(big, big[1:]):
    r = wall(b) / wall(a)
    check(r <= (b / a) * 1.25, f"{a}x -> {b}x: time x{r:.1f} for x{b // a} the input (linear or better, 25% slack)")
sys.exit(0 if ok else 1)
EOF
