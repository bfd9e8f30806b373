//! Whole-chart tests: every SVG is parsed as XML and checked for what the report promises.

use std::collections::{BTreeMap, BTreeSet};

use resvg::usvg::roxmltree;

use super::*;
use crate::metrics::testutil::{population, release, supplier};
use crate::metrics::{Display, compute};
use crate::model::{Population, Release};

fn prov(synthetic: bool) -> Provenance {
    Provenance {
        dataset_title: "Home Infusion Therapy Providers".into(),
        dataset_url: "https://data.cms.gov/".into(),
        release_date: "2024-06-03".parse().expect("date"),
        population_label: "Census Vintage 2024".into(),
        population_year: 2024,
        synthetic,
        version: "0.1.0".into(),
        input_sha256: "0".repeat(64),
    }
}

fn shapes() -> BTreeMap<String, geo::Shape> {
    geo::parse_states("us-states.geojson", geo::BUNDLED_STATES_GEOJSON).expect("bundled shapes")
}

/// States with no supplier in the small fixture.
const FIXTURE_ZERO: [&str; 5] = ["AK", "WY", "VT", "ND", "DC"];

/// Every state, DC and PR except FIXTURE_ZERO has suppliers (TX many, SD one); Guam has a
/// supplier but no population; VI is only named as a service area; Puerto Rico is not named and
/// its population is missing, so it is "not in the file".
fn fixture() -> Metrics {
    let mut sup = Vec::new();
    for j in geo::JURISDICTIONS.iter().filter(|j| j.always_reported()) {
        if FIXTURE_ZERO.contains(&j.usps) || j.usps == "PR" {
            continue;
        }
        let n = match j.usps {
            "TX" => 9,
            "CA" => 7,
            "SD" => 1,
            _ => 2 + (j.fips.parse::<usize>().unwrap_or(0) % 4),
        };
        for i in 0..n {
            sup.push(supplier(&format!("{}{i}", j.usps), j.usps, &[j.usps]));
        }
    }
    sup.push(supplier("G1", "GU", &["GU", "VI"]));
    let early = release("2020-10-05", sup.iter().take(sup.len() / 2).cloned().collect());
    let mid = release("2021-06-07", sup.iter().take(sup.len() * 3 / 4).cloned().collect());
    let late = release("2024-06-03", sup);
    let mut pop = population(&[("48", 31_290_831), ("06", 39_431_263), ("46", 924_669)]);
    pop.total.remove("72");
    compute(&[early, mid, late], &pop).expect("metrics")
}

/// Realistic: all 52 jurisdictions with Census 2024 populations, 24 releases, ~1,500 suppliers.
pub(super) fn realistic() -> Metrics {
    let csv = include_str!("../../data/population/NST-EST2024-ALLDATA.csv");
    let mut pop: Population = population(&[]);
    for line in csv.lines().filter(|l| l.starts_with("040,")) {
        let f: Vec<&str> = line.split(',').collect();
        if let (Some(fips), Some(p)) = (f.get(3), f.get(10).and_then(|p| p.parse::<u64>().ok())) {
            pop.total.insert(fips.to_string(), p);
        }
    }
    let zero = ["AK", "WY", "ND", "VT", "DC", "SD"];
    let start: chrono::NaiveDate = "2020-07-06".parse().expect("date");
    let releases: Vec<Release> = (0..24)
        .map(|i| {
            let mut sup = Vec::new();
            for j in geo::JURISDICTIONS.iter().filter(|j| j.always_reported() && !zero.contains(&j.usps)) {
                let p = pop.total.get(j.fips).copied().unwrap_or(1_000_000) as f64;
                let f = j.fips.parse::<u64>().unwrap_or(1);
                let rate = 1.0 + ((f * 37) % 11) as f64 * 0.9;
                let target = (p / 1e6 * rate).round().max(1.0);
                let n = (target * (0.55 + 0.45 * i as f64 / 23.0)).round() as usize;
                let next = geo::JURISDICTIONS
                    [(geo::JURISDICTIONS.iter().position(|x| x.fips == j.fips).unwrap_or(0) + 1) % 52]
                    .usps;
                for k in 0..n {
                    let areas: &[&str] = if k % 3 == 0 { &[j.usps, next] } else { &[j.usps] };
                    sup.push(supplier(&format!("{}{k:04}", j.usps), j.usps, areas));
                }
            }
            sup.push(supplier("GU0001", "GU", &["GU"]));
            sup.push(supplier("GU0002", "GU", &["GU", "MP"]));
            let date = start + chrono::Duration::days(i * 61);
            release(&date.to_string(), sup)
        })
        .collect();
    compute(&releases, &pop).expect("metrics")
}

fn doc(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("SVG does not parse: {e}\n{svg}"))
}

fn has_class(n: &roxmltree::Node<'_, '_>, c: &str) -> bool {
    n.attribute("class").is_some_and(|v| v.split_whitespace().any(|x| x == c))
}

fn title_of(n: &roxmltree::Node<'_, '_>) -> String {
    n.children().find(|c| c.has_tag_name("title")).and_then(|t| t.text()).unwrap_or("").to_string()
}

fn all(metrics: &Metrics, p: &Provenance) -> Vec<Chart> {
    render_all(metrics, p, &shapes(), &ChartOptions::default()).expect("charts")
}

fn chart<'a>(charts: &'a [Chart], id: &str) -> &'a Chart {
    charts.iter().find(|c| c.id == id).expect("chart present")
}

/// Bounding box of one path's `d` as written by map.rs (M absolute, then relative pairs).
fn bbox(d: &str) -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for sub in d.split('M').filter(|s| !s.is_empty()) {
        let sub = sub.trim_end_matches('z');
        let (start, rel) = sub.split_once('l').unwrap_or((sub, ""));
        let nums = |s: &str| -> Vec<f64> {
            let s = s.replace('-', " -");
            s.split_whitespace().map(|t| t.parse::<f64>().expect("number")).collect()
        };
        let st = nums(start);
        let (mut x, mut y) = (st[0], st[1]);
        let mut grow = |x: f64, y: f64| b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        grow(x, y);
        for pair in nums(rel).chunks(2) {
            x += pair[0];
            y += pair[1];
            grow(x, y);
        }
    }
    b
}

#[test]
fn map_has_one_titled_shape_per_jurisdiction() {
    let m = fixture();
    let charts = all(&m, &prov(false));
    for id in ["map-per-million", "map-suppliers", "map-served-by"] {
        let c = chart(&charts, id);
        let d = doc(&c.svg);
        let paths: Vec<_> = d.descendants().filter(|n| n.has_tag_name("path") && has_class(n, "state")).collect();
        assert_eq!(paths.len(), m.states.len(), "{id}");
        let usps: BTreeSet<&str> = paths.iter().filter_map(|p| p.attribute("data-usps")).collect();
        assert_eq!(usps.len(), m.states.len());
        for p in &paths {
            let u = p.attribute("data-usps").expect("usps");
            let row = m.states.iter().find(|r| r.usps == u).expect("row");
            assert!(title_of(p).starts_with(&row.name), "{id} {u}: {}", title_of(p));
            assert_eq!(p.attribute("id"), Some(format!("{id}-st-{}", row.fips).as_str()));
            assert_eq!(p.attribute("fill-rule").or(p.parent().and_then(|g| g.attribute("fill-rule"))), Some("evenodd"));
        }
        assert!(c.svg.len() < 150_000, "{id} is {} bytes", c.svg.len());
        // Coordinates are rounded to 0.1 px.
        for p in &paths {
            let d = p.attribute("d").expect("d");
            for num in d.split(|ch: char| ch.is_ascii_alphabetic() || ch == ' ' || ch == '-') {
                assert!(num.split_once('.').is_none_or(|(_, f)| f.len() <= 1), "{id}: {num} in {d}");
            }
        }
    }
}

#[test]
fn every_classification_renders() {
    let m = realistic();
    for method in ["quantile", "equal-interval", "jenks"] {
        let opts = ChartOptions { classification: method.parse().expect("method"), ..Default::default() };
        let charts = render_all(&m, &prov(false), &shapes(), &opts).expect("charts");
        let classes = classify(&m, &opts);
        assert_eq!(classes.colors.len(), 5, "{method}: five value classes on realistic data");
        let d = doc(&charts[0].svg);
        for i in 0..classes.colors.len() {
            let css = format!("c{i}");
            assert!(d.descendants().any(|n| n.has_tag_name("path") && has_class(&n, &css)), "{method}: {css} unused");
        }
    }
}

#[test]
fn zero_class_is_in_the_legend_and_only_on_zero_states() {
    let m = fixture();
    let charts = all(&m, &prov(false));
    for id in ["map-per-million", "map-suppliers"] {
        let d = doc(&chart(&charts, id).svg);
        let legend = d
            .descendants()
            .find(|n| has_class(n, "legend-item") && has_class(n, "zero"))
            .unwrap_or_else(|| panic!("{id}: no zero legend item"));
        let label: String = legend.descendants().filter_map(|n| n.text()).collect();
        assert!(label.starts_with("0 suppliers"), "{label}");
        let zero: BTreeSet<&str> = d
            .descendants()
            .filter(|n| n.has_tag_name("path") && has_class(n, "zero"))
            .filter_map(|n| n.attribute("data-usps"))
            .collect();
        let mut expected: BTreeSet<&str> = FIXTURE_ZERO.into_iter().collect();
        if id == "map-suppliers" {
            expected.insert("VI"); // named only as a service area: zero practising suppliers
        }
        assert_eq!(zero, expected, "{id}");
    }
    let classes = classify(&m, &ChartOptions::default());
    let zero: BTreeSet<&str> =
        classes.by_usps.iter().filter(|(_, c)| **c == Class::Zero).map(|(u, _)| u.as_str()).collect();
    assert_eq!(zero, FIXTURE_ZERO.into_iter().collect());
    assert_eq!(classes.labels.len(), classes.colors.len());
}

#[test]
fn territories_without_population_are_no_data_or_not_in_file() {
    let m = fixture();
    let row = |u: &str| m.states.iter().find(|r| r.usps == u).expect("row");
    assert_eq!(row("GU").display, Display::NoPopulation);
    assert_eq!(row("PR").display, Display::NotInFile);
    let charts = all(&m, &prov(false));
    let d = doc(&chart(&charts, "map-per-million").svg);
    let path = |u: &str| {
        d.descendants().find(|n| n.has_tag_name("path") && n.attribute("data-usps") == Some(u)).expect("path")
    };
    assert!(has_class(&path("GU"), "no-data"));
    assert!(title_of(&path("GU")).contains("no population figure"));
    assert!(has_class(&path("VI"), "no-data"));
    assert!(has_class(&path("PR"), "not-in-file"));
    assert!(title_of(&path("PR")).contains("not in the file"));
    assert!(!title_of(&path("GU")).contains(": 0"), "no data is never shown as 0");
    for c in ["no-data", "not-in-file"] {
        assert!(d.descendants().any(|n| has_class(&n, "legend-item") && has_class(&n, c)), "legend lacks {c}");
    }
    let alt = &chart(&charts, "map-per-million").alt;
    assert!(alt.contains("Guam") && alt.contains("Puerto Rico"), "{alt}");
}

#[test]
fn insets_are_inside_the_canvas_and_clear_of_the_lower_48() {
    let m = realistic();
    let charts = all(&m, &prov(true));
    let c = chart(&charts, "map-per-million");
    let d = doc(&c.svg);
    let root = d.root_element();
    let w: f64 = root.attribute("width").and_then(|v| v.parse().ok()).expect("width");
    let h: f64 = root.attribute("height").and_then(|v| v.parse().ok()).expect("height");
    let mut lower48 = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut insets = BTreeMap::new();
    for p in d.descendants().filter(|n| n.has_tag_name("path") && has_class(n, "state")) {
        let u = p.attribute("data-usps").expect("usps");
        let b = bbox(p.attribute("d").expect("d"));
        assert!(b.0 >= 0.0 && b.1 >= 0.0 && b.2 <= w && b.3 <= h, "{u} {b:?} outside {w}x{h}");
        if matches!(u, "AK" | "HI" | "PR" | "GU" | "MP" | "VI" | "AS") {
            insets.insert(u.to_string(), b);
        } else {
            lower48 = (lower48.0.min(b.0), lower48.1.min(b.1), lower48.2.max(b.2), lower48.3.max(b.3));
        }
    }
    assert!(insets.contains_key("AK") && insets.contains_key("HI") && insets.contains_key("PR"));
    assert!(insets.contains_key("GU") && insets.contains_key("MP"), "territories in the data get boxes");
    let overlap = |a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    for (u, b) in &insets {
        assert!(!overlap(*b, lower48), "{u} {b:?} overlaps the lower 48 {lower48:?}");
        for (v, c) in &insets {
            assert!(u == v || !overlap(*b, *c), "{u} overlaps {v}");
        }
    }
    // Alaska and Hawaii lower left, Puerto Rico lower right.
    assert!(insets["AK"].2 < w / 2.0 && insets["HI"].2 < w / 2.0 && insets["PR"].0 > w / 2.0);
    // DC findable: a marker and a key square, besides its (tiny) shape.
    assert!(d.descendants().any(|n| n.attribute("id") == Some("map-per-million-dot-11")));
    assert!(d.descendants().any(|n| n.attribute("id") == Some("map-per-million-key-11")));
    assert!(c.svg.len() < 150_000, "map is {} bytes", c.svg.len());
}

#[test]
fn alt_text_names_the_zero_states_and_the_top_rate() {
    let m = fixture();
    let charts = all(&m, &prov(false));
    let alt = &chart(&charts, "map-per-million").alt;
    for name in ["Alaska", "District of Columbia", "North Dakota", "Vermont", "Wyoming"] {
        assert!(alt.contains(name), "{alt}");
    }
    assert!(alt.starts_with("5 of "), "{alt}");
    assert!(alt.contains("highest rate"), "{alt}");
    let rank = &chart(&charts, "ranking-per-million");
    assert!(rank.alt.contains("Wyoming") && rank.alt.contains("national rate"), "{}", rank.alt);
    for c in &charts {
        assert!(!c.alt.is_empty() && !c.title.is_empty(), "{}", c.id);
        assert!(c.svg.contains(&roxmltree_escape(&c.alt)), "{}: desc is the alt text", c.id);
    }
}

fn roxmltree_escape(s: &str) -> String {
    svg::esc(s)
}

#[test]
fn hostile_strings_are_escaped_everywhere() {
    let mut m = fixture();
    let evil = "<script>alert('x')</script> & \"Co\"";
    for r in m.states.iter_mut().filter(|r| r.usps == "TX" || r.usps == "WY" || r.usps == "GU") {
        r.name = format!("{evil} {}", r.usps);
    }
    let mut p = prov(true);
    p.dataset_title = evil.into();
    let mut charts = all(&m, &p);
    let dates: Vec<chrono::NaiveDate> = m.releases.iter().map(|r| r.date).collect();
    charts.push(sparkline("<b>TX</b>", &m.state_series["TX"], &dates, &p).expect("sparkline"));
    for c in &charts {
        assert!(!c.svg.contains("<script"), "{}: raw markup", c.id);
        let d = doc(&c.svg);
        // Wrapped lines are re-joined with spaces, as a reader would.
        let texts: Vec<&str> = d.descendants().filter_map(|n| n.text()).map(str::trim).collect();
        let texts = texts.join(" ");
        assert!(texts.contains(evil), "{}: the hostile string survives as text", c.id);
        assert!(c.id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-'), "{}", c.id);
    }
}

#[test]
fn svgs_are_accessible_with_unique_prefixed_ids() {
    let m = fixture();
    let p = prov(true);
    let mut charts = all(&m, &p);
    let dates: Vec<chrono::NaiveDate> = m.releases.iter().map(|r| r.date).collect();
    charts.push(sparkline("TX", &m.state_series["TX"], &dates, &p).expect("sparkline"));
    let mut every_id = BTreeSet::new();
    for c in &charts {
        let d = doc(&c.svg);
        let root = d.root_element();
        assert_eq!(root.attribute("role"), Some("img"), "{}", c.id);
        let labelled = root.attribute("aria-labelledby").expect("aria-labelledby");
        for r in labelled.split_whitespace() {
            assert!(d.descendants().any(|n| n.attribute("id") == Some(r)), "{}: {r} missing", c.id);
        }
        let t = d.descendants().find(|n| n.has_tag_name("title") && n.parent() == Some(root)).expect("title");
        assert_eq!(t.text(), Some(c.title.as_str()));
        assert!(root.children().any(|n| n.has_tag_name("desc")));
        for n in d.descendants().filter_map(|n| n.attribute("id")) {
            assert!(n.starts_with(&c.id), "{}: id {n} is not prefixed", c.id);
            assert!(every_id.insert(n.to_string()), "{}: id {n} is not unique across charts", c.id);
        }
        let texts: Vec<&str> = d.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
        assert!(texts.iter().any(|t| t.contains("SYNTHETIC SAMPLE — not CMS data")), "{}: notice", c.id);
        assert!(texts.iter().any(|t| t.contains("Source: CMS")), "{}: source line", c.id);
        assert!(texts.iter().any(|t| t.contains(&c.title) || c.title.starts_with(t)), "{}: title text", c.id);
    }
    for c in all(&m, &prov(false)) {
        assert!(!c.svg.contains("SYNTHETIC"), "{}: no notice on real data", c.id);
    }
}

#[test]
fn small_counts_are_flagged_in_the_tooltip() {
    let m = fixture();
    let charts = all(&m, &prov(false));
    let d = doc(&chart(&charts, "map-per-million").svg);
    let sd = d.descendants().find(|n| n.has_tag_name("path") && n.attribute("data-usps") == Some("SD")).expect("SD");
    assert!(has_class(&sd, "small-count"));
    assert!(title_of(&sd).contains("rate rests on 1 supplier; treat with caution"), "{}", title_of(&sd));
}

#[test]
fn growth_and_ranking_charts() {
    let m = fixture();
    let charts = all(&m, &prov(false));
    let national = chart(&charts, "growth-national");
    assert!(national.svg.contains("Permanent benefit begins"), "2021-01-01 is inside 2020-10..2024-06");
    assert!(national.svg.matches("<circle").count() >= m.releases.len(), "a point per release");
    let rank = chart(&charts, "ranking-per-million");
    assert_eq!(rank.svg.matches("0 — no supplier").count(), FIXTURE_ZERO.len());
    assert!(rank.svg.contains("National rate"));
    assert!(rank.svg.contains("Not ranked, no population figure: Guam"), "territories are noted");
    let states = chart(&charts, "growth-states");
    assert!(states.alt.starts_with("Suppliers per release in the 9 jurisdictions"), "{}", states.alt);
    assert!(states.svg.contains(">Texas<"));

    // A later window has no benefit marker.
    let mut later = m.clone();
    later.releases.retain(|r| r.date.to_string().as_str() > "2021-01-01");
    for s in later.state_series.values_mut() {
        s.drain(..1);
    }
    let n = growth::national(&later, &prov(false)).expect("chart");
    assert!(!n.svg.contains("Permanent benefit begins"));
}

#[test]
fn sparkline_checks_its_inputs() {
    let d: chrono::NaiveDate = "2024-01-02".parse().expect("date");
    let p = prov(false);
    assert!(matches!(sparkline("TX", &[1, 2], &[d], &p), Err(ChartError::SeriesLength { .. })));
    assert!(matches!(sparkline("TX", &[], &[], &p), Err(ChartError::NoData { .. })));
    let one = sparkline("TX", &[3], &[d], &p).expect("one point");
    assert_eq!(one.id, "spark-tx");
    assert!(one.alt.contains("Texas had 3 suppliers"), "{}", one.alt);
}

#[test]
fn fixed_breaks_hold_across_releases() {
    let m = fixture();
    let opts = ChartOptions {
        classification: Classification::Fixed,
        classes: 5,
        fixed_breaks: Some(vec![1.0, 2.0, 3.0, 4.0]),
    };
    let c = classify(&m, &opts);
    assert_eq!(c.breaks, [1.0, 2.0, 3.0, 4.0]);
    assert_eq!(c.labels, ["≤ 1", "1–2", "2–3", "3–4", "> 4"]);
    let tx = m.states.iter().find(|r| r.usps == "TX").and_then(|r| r.per_million).expect("rate");
    assert!(tx < 1.0);
    assert_eq!(c.class_of("TX"), Some(Class::Value(0)));
    let bad = ChartOptions { fixed_breaks: None, ..opts };
    assert!(matches!(render_all(&m, &prov(false), &shapes(), &bad), Err(ChartError::InvalidBreaks(_))));
    for method in [Classification::Quantile, Classification::EqualInterval, Classification::Jenks] {
        let c = classify(&m, &ChartOptions { classification: method, ..Default::default() });
        assert!(!c.breaks.is_empty() && c.breaks.windows(2).all(|w| w[0] < w[1]), "{method:?}");
        assert_eq!(c.labels.len(), c.breaks.len() + 1);
    }
}

#[test]
fn renders_are_byte_identical() {
    let m = fixture();
    let a = all(&m, &prov(true));
    let b = all(&m, &prov(true));
    assert_eq!(a, b);
    assert_eq!(to_png(&a[0].svg, 1.0).expect("png"), to_png(&b[0].svg, 1.0).expect("png"));
}

fn ihdr(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    (be(16), be(20))
}

#[test]
fn png_is_twice_the_viewbox_and_has_text() {
    let m = fixture();
    let charts = all(&m, &prov(true));
    for c in [&charts[0], chart(&charts, "growth-national")] {
        let d = doc(&c.svg);
        let vb: Vec<f64> = d
            .root_element()
            .attribute("viewBox")
            .expect("viewBox")
            .split_whitespace()
            .map(|v| v.parse().expect("number"))
            .collect();
        let png = to_png(&c.svg, 2.0).expect("png");
        let mut reader = ::png::Decoder::new(std::io::Cursor::new(&png)).read_info().expect("PNG header decodes");
        let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
        let frame = reader.next_frame(&mut pixels).expect("PNG pixels decode");
        assert!(pixels[..frame.buffer_size()].iter().any(|b| *b < 128), "{}: something dark was drawn", c.id);
        assert_eq!(ihdr(&png), ((vb[2] * 2.0).ceil() as u32, (vb[3] * 2.0).ceil() as u32), "{}", c.id);
    }
    // Text really is drawn: a text-only SVG must not come out blank.
    let only_text = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"20\" viewBox=\"0 0 60 20\">\
                     <text x=\"2\" y=\"15\" font-family=\"sans-serif\" font-size=\"14\">Hello</text></svg>";
    let png = to_png(only_text, 1.0).expect("png");
    let blank = to_png("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"60\" height=\"20\"/>", 1.0).expect("png");
    assert_ne!(png, blank, "resvg found no font");
    assert!(to_png("not svg", 2.0).is_err());
    assert!(to_png(only_text, 0.0).is_err());
}

/// Writes every chart as SVG and PNG to /tmp/charts for a look by eye:
/// `cargo test --lib chart::tests::dump -- --ignored`.
#[test]
#[ignore]
fn dump() {
    let dir = std::path::Path::new("/tmp/charts");
    std::fs::create_dir_all(dir).expect("dir");
    let m = realistic();
    let p = prov(true);
    let mut charts = all(&m, &p);
    let dates: Vec<chrono::NaiveDate> = m.releases.iter().map(|r| r.date).collect();
    charts.push(sparkline("CA", &m.state_series["CA"], &dates, &p).expect("sparkline"));
    charts.extend(all(&fixture(), &prov(false)).into_iter().map(|mut c| {
        c.id = format!("fixture-{}", c.id);
        c
    }));
    for c in &charts {
        std::fs::write(dir.join(format!("{}.svg", c.id)), &c.svg).expect("svg");
        std::fs::write(dir.join(format!("{}.png", c.id)), to_png(&c.svg, 2.0).expect("png")).expect("png");
        println!("{} {} bytes\n  alt: {}", c.id, c.svg.len(), c.alt);
    }
    // Close-ups of the busy corners of the per-million map.
    let map = &charts[0].svg;
    let head_end = map.find('>').expect("svg tag");
    for (name, vb) in [("ne", "700 180 300 260"), ("insets", "0 640 1000 230"), ("legend", "0 90 700 90")] {
        let (w, h) =
            vb.split_once(' ').and_then(|(_, r)| r.split_once(' ')).and_then(|(_, r)| r.split_once(' ')).expect("vb");
        let tag = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"{vb}\">");
        let crop = format!("{tag}{}", &map[head_end + 1..]);
        std::fs::write(dir.join(format!("zoom-{name}.png")), to_png(&crop, 3.0).expect("png")).expect("png");
    }
}

#[test]
fn service_area_map_without_service_areas_says_so() {
    let mut m = fixture();
    for r in &mut m.states {
        r.served_by = None;
        r.served_per_million = None;
    }
    let charts = all(&m, &prov(false));
    let c = chart(&charts, "map-served-by");
    assert!(c.alt.starts_with("This release lists no service areas"), "{}", c.alt);
    let d = doc(&c.svg);
    for p in d.descendants().filter(|n| n.has_tag_name("path") && has_class(n, "state")) {
        let u = p.attribute("data-usps").unwrap_or("");
        if u == "PR" {
            assert!(has_class(&p, "no-data"), "unknown service areas are no data, even where not in the file");
        }
        assert!(has_class(&p, "no-data"), "{u}");
        assert!(title_of(&p).ends_with("no service-area data"), "{}", title_of(&p));
        assert!(!has_class(&p, "zero"));
    }
    assert!(d.descendants().any(|n| has_class(&n, "legend-item") && has_class(&n, "no-data")));
}

#[test]
fn national_rate_line_breaks_around_value_labels_it_would_cross() {
    // Regression: the dashed national line used to run through the value labels of rows whose
    // bars end near the national rate (seen in the 2x PNG).
    let m = realistic();
    let charts = all(&m, &prov(true));
    let d = doc(&chart(&charts, "ranking-per-million").svg);
    let group = d.descendants().find(|n| has_class(n, "national-rate")).expect("national-rate group");
    let segments: Vec<(f64, f64)> = group
        .children()
        .filter(|n| n.has_tag_name("line"))
        .map(|l| {
            let y = |a: &str| l.attribute(a).and_then(|v| v.parse::<f64>().ok()).expect("y");
            (y("y1").min(y("y2")), y("y1").max(y("y2")))
        })
        .collect();
    assert!(!segments.is_empty());
    let x: f64 =
        group.children().find(|n| n.has_tag_name("line")).and_then(|l| l.attribute("x1")?.parse().ok()).expect("x");
    // Every value label whose box spans the line's x must sit outside every segment.
    for t in d.descendants().filter(|n| n.has_tag_name("text") && n.attribute("stroke") == Some("#ffffff")) {
        let tx: f64 = t.attribute("x").and_then(|v| v.parse().ok()).unwrap_or(0.0);
        let ty: f64 = t.attribute("y").and_then(|v| v.parse().ok()).unwrap_or(0.0);
        let label = t.text().unwrap_or("");
        let w = super::svg::text_width(label, super::style::SMALL_PX, false);
        if tx - 2.0 <= x && x <= tx + w + 2.0 {
            for (a, b) in &segments {
                assert!(!(*a < ty - 4.0 && ty - 4.0 < *b), "line crosses label {label:?} at y {ty}");
            }
        }
    }
}
