"""Checks that the Python way's counts agree with hit-atlas's, file by file (stdlib only).

    python check_counts.py HIT_ATLAS_SITE PYTHON_SITE

Compares data/state-metrics.csv (suppliers, population, per_million, served_by for every
jurisdiction either side lists) and data/releases.csv (suppliers, new, dropped per release).
Exit 0 when they agree, 1 with every difference listed otherwise. `rank` is not compared: the
two break ties differently and neither is wrong.
"""

import csv
import sys
from pathlib import Path


def rows(path: Path, key: str) -> dict:
    with path.open(newline="", encoding="utf-8") as f:
        return {r[key]: r for r in csv.DictReader(f)}


def main() -> int:
    rs, py = Path(sys.argv[1]) / "data", Path(sys.argv[2]) / "data"
    diffs = []
    a, b = rows(rs / "state-metrics.csv", "state"), rows(py / "state-metrics.csv", "state")
    for code in sorted(set(a) | set(b)):
        if code not in a or code not in b:
            diffs.append(f"state {code}: only in {'hit-atlas' if code in a else 'python'}")
            continue
        for col in ("suppliers", "population", "served_by"):
            if a[code][col] != b[code][col]:
                diffs.append(f"state {code} {col}: hit-atlas {a[code][col]!r} python {b[code][col]!r}")
        x, y = a[code]["per_million"], b[code]["per_million"]
        if (x == "") != (y == "") or (x and abs(float(x) - float(y)) > 0.0051):
            diffs.append(f"state {code} per_million: hit-atlas {x!r} python {y!r}")
    ra, rb = rows(rs / "releases.csv", "release_date"), rows(py / "releases.csv", "release_date")
    if set(ra) != set(rb):
        diffs.append(f"releases differ: {sorted(set(ra) ^ set(rb))}")
    for d in sorted(set(ra) & set(rb)):
        for col in ("suppliers", "new", "dropped"):
            if ra[d][col] != rb[d][col]:
                diffs.append(f"release {d} {col}: hit-atlas {ra[d][col]!r} python {rb[d][col]!r}")
    total = sum(int(r["suppliers"]) for r in a.values())
    if diffs:
        print(f"counts DISAGREE ({len(diffs)} differences):")
        for d in diffs:
            print(f"  {d}")
        return 1
    print(f"counts agree: {len(a)} jurisdictions ({total} suppliers), {len(ra)} releases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
