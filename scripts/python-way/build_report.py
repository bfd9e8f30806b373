"""The same report built the way an analyst would today: pandas + geopandas + matplotlib + jinja2.

Reads the same snapshot store as `hit-atlas build --data STORE` (releases/*/data.csv), the same
Census file (data/population/NST-EST2024-ALLDATA.csv) and the same shapes (geo/us-states.geojson);
applies the same counting rules (a supplier is a distinct enrollment ID; state codes trimmed and
upper-cased; rows with no ID, an invalid practice state or an invalid service-area state are set
aside; a supplier's state is the one on its first counted row); writes an HTML report (an index
with a choropleth map, a growth chart and a ranking chart, plus one page per state) and the
machine-readable `data/state-metrics.csv` and `data/releases.csv`, which
scripts/python-way/compare.sh checks against hit-atlas's.

    python build_report.py --data data/sample --out /tmp/py-site [--no-charts]
"""

from __future__ import annotations

import argparse
import html
import json
import time
from pathlib import Path

import geopandas as gpd
import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# USPS codes by FIPS: the 50 states, DC and the five territories.
USPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE",
    "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA",
    "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN",
    "28": "MS", "29": "MO", "30": "MT", "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM",
    "36": "NY", "37": "NC", "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI",
    "45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA",
    "54": "WV", "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
}
VALID = set(USPS.values())
ALWAYS = VALID - {"AS", "GU", "MP", "VI"}  # the 50 states, DC and PR appear even with no data

ID, NAME, STATE, AREA_STATE = "Enrollment ID", "Legal Business Name", "State", "Geographic Location State Code"

PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1>
{% if images %}{% for src, alt in images %}<figure><img src="{{ src }}" alt="{{ alt }}"></figure>{% endfor %}{% endif %}
{% if intro %}<p>{{ intro }}</p>{% endif %}
<table><thead><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</tbody></table>
</body></html>
"""
)


def read_release(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    df[ID] = df[ID].str.strip()
    df[STATE] = df[STATE].str.strip().str.upper()
    area = df[AREA_STATE].str.strip().str.upper()
    ok = (df[ID] != "") & df[STATE].isin(VALID) & ((area == "") | area.isin(VALID))
    df = df[ok].copy()
    df["area_state"] = area[ok]
    return df


def population(path: Path) -> pd.Series:
    nst = pd.read_csv(path, dtype={"SUMLEV": str, "STATE": str})
    states = nst[nst["SUMLEV"] == "040"]
    return pd.Series(states["POPESTIMATE2024"].values, index=states["STATE"].map(USPS)).dropna()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "data/sample")
    ap.add_argument("--population", type=Path, default=ROOT / "data/population/NST-EST2024-ALLDATA.csv")
    ap.add_argument("--geo", type=Path, default=ROOT / "geo/us-states.geojson")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--no-charts", action="store_true", help="skip the matplotlib charts")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    t0 = last = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal last
        if a.verbose:
            print(f"  {stage:<10} {(time.perf_counter() - last) * 1e3:8.1f} ms")
        last = time.perf_counter()

    out = a.out
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "states").mkdir(exist_ok=True)
    (out / "charts").mkdir(exist_ok=True)

    files = sorted((a.data / "releases").glob("*/data.csv"))
    releases = {p.parent.name: read_release(p) for p in files}
    lap("load")

    # Per release: distinct suppliers, new and dropped.
    hist, prev = [], None
    for date, df in releases.items():
        ids = set(df[ID])
        hist.append(
            {
                "release_date": date,
                "suppliers": len(ids),
                "new": "" if prev is None else len(ids - prev),
                "dropped": "" if prev is None else len(prev - ids),
            }
        )
        prev = ids
    latest_date, latest = list(releases.items())[-1]
    suppliers = latest.drop_duplicates(ID, keep="first")  # a supplier's state: its first counted row
    counts = suppliers.groupby(STATE)[ID].nunique()
    served = latest[latest["area_state"] != ""].groupby("area_state")[ID].nunique()
    pop = population(a.population)
    present = set(latest[STATE]) | set(latest["area_state"]) - {""}
    codes = sorted(ALWAYS | (present & VALID))
    geo = gpd.read_file(a.geo)
    names = dict(zip(geo["fips"].map(USPS), geo["name"]))
    m = pd.DataFrame({"state": codes})
    m["state_name"] = m["state"].map(names)
    m["suppliers"] = m["state"].map(counts).fillna(0).astype(int)
    m["population"] = m["state"].map(pop).astype("Int64")
    m["per_million"] = (m["suppliers"] / m["population"].astype(float) * 1e6).round(2)
    m["served_by"] = m["state"].map(served).fillna(0).astype(int)
    m["rank"] = m["per_million"].rank(ascending=False, method="min").astype("Int64")
    lap("metrics")

    images = []
    if not a.no_charts:
        lower48 = geo[~geo["fips"].isin(["02", "15", "60", "66", "69", "72", "78"])].to_crs(5070)
        lower48 = lower48.merge(m, left_on=lower48["fips"].map(USPS), right_on="state")
        fig, ax = plt.subplots(figsize=(10, 6))
        lower48.plot(column="per_million", cmap="Blues", linewidth=0.4, edgecolor="white", legend=True, ax=ax)
        ax.set_axis_off()
        ax.set_title(f"Home infusion therapy suppliers per million residents, {latest_date}")
        for ext in ("svg", "png"):
            fig.savefig(out / f"charts/map-per-million.{ext}", dpi=144)
        plt.close(fig)
        h = pd.DataFrame(hist)
        fig, ax = plt.subplots(figsize=(10, 4))
        ax.plot(pd.to_datetime(h["release_date"]), h["suppliers"], marker="o")
        ax.set_title("Distinct suppliers per release")
        for ext in ("svg", "png"):
            fig.savefig(out / f"charts/growth.{ext}", dpi=144)
        plt.close(fig)
        top = m.dropna(subset=["per_million"]).sort_values("per_million")
        fig, ax = plt.subplots(figsize=(8, 12))
        ax.barh(top["state_name"], top["per_million"])
        ax.set_title("Suppliers per million residents")
        for ext in ("svg", "png"):
            fig.savefig(out / f"charts/ranking.{ext}", dpi=144)
        plt.close(fig)
        images = [("charts/map-per-million.svg", "Map"), ("charts/growth.svg", "Growth"), ("charts/ranking.svg", "Ranking")]
    lap("charts")

    table = [
        (r.state, r.state_name, r.suppliers, "no data" if pd.isna(r.population) else f"{r.population:,}",
         "no data" if pd.isna(r.per_million) else f"{r.per_million:.2f}", r.served_by)
        for r in m.itertuples()
    ]
    header = ["State", "Name", "Suppliers", "Population (2024)", "Per million", "Served by"]
    (out / "index.html").write_text(
        PAGE.render(title="Where Medicare patients can get home infusion therapy", images=images,
                    intro=f"Release of {latest_date}: {len(suppliers)} suppliers.", header=header, rows=table)
    )
    for code in codes:
        here = suppliers[suppliers[STATE] == code]
        rows = [(r[ID], r[NAME], r["City"], r["ZIP Code"]) for _, r in here.iterrows()]
        (out / f"states/{code}.html").write_text(
            PAGE.render(title=f"{names.get(code, code)}: home infusion therapy suppliers", images=[],
                        intro=f"{len(rows)} suppliers practise here.", header=["ID", "Name", "City", "ZIP"], rows=rows)
        )
    m["per_million"] = m["per_million"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    m[["state", "state_name", "suppliers", "population", "per_million", "rank", "served_by"]].to_csv(
        out / "data/state-metrics.csv", index=False
    )
    pd.DataFrame(hist).to_csv(out / "data/releases.csv", index=False)
    (out / "data/summary.json").write_text(json.dumps({"latest": latest_date, "suppliers": len(suppliers)}))
    lap("render")
    print(f"python way: {len(codes) + 1} pages in {html.escape(str(out))}, {len(suppliers)} suppliers, "
          f"{len(files)} releases, {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
