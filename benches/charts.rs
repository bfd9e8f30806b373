//! Chart timings on a realistic input: all 52 jurisdictions, 24 releases, ~1,600 suppliers.
//! Targets (release build): the per-million map under 50 ms; every chart plus its 2x PNG
//! under 300 ms.

use std::collections::BTreeMap;

use criterion::{Criterion, criterion_group, criterion_main};
use hit_atlas::chart::{self, ChartOptions};
use hit_atlas::geo::{self, JURISDICTIONS};
use hit_atlas::metrics::{self, Metrics};
use hit_atlas::model::{Population, PopulationSource, Provenance, Release, ReleaseSource, ServiceArea, Supplier};

fn supplier(id: String, state: &str, areas: &[&str]) -> Supplier {
    Supplier {
        enrollment_id: id,
        name: "Bench Infusion LLC".into(),
        address: String::new(),
        city: "Town".into(),
        state: state.into(),
        zip: "00000".into(),
        phone: String::new(),
        specialty: "Home Infusion Therapy Supplier".into(),
        status: None,
        service_areas: areas
            .iter()
            .map(|s| ServiceArea {
                state: Some(s.to_string()),
                kind: "State".into(),
                county: String::new(),
                city: String::new(),
                zip: String::new(),
            })
            .collect(),
        first_line: 2,
    }
}

fn input() -> (Metrics, Provenance) {
    let csv = include_str!("../data/population/NST-EST2024-ALLDATA.csv");
    let total: BTreeMap<String, u64> = csv
        .lines()
        .filter(|l| l.starts_with("040,"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((f.get(3)?.to_string(), f.get(10)?.parse().ok()?))
        })
        .collect();
    let pop = Population {
        source: PopulationSource { label: "bench".into(), year: 2024, path: String::new(), sha256: String::new() },
        total,
        age65: BTreeMap::new(),
    };
    let start: chrono::NaiveDate = "2020-07-06".parse().expect("date");
    let reported: Vec<_> = JURISDICTIONS.iter().filter(|j| j.always_reported()).collect();
    let releases: Vec<Release> = (0..24i64)
        .map(|i| {
            let mut suppliers = BTreeMap::new();
            for (pos, j) in reported.iter().enumerate() {
                if ["AK", "WY", "ND", "VT", "DC", "SD"].contains(&j.usps) {
                    continue;
                }
                let p = pop.total.get(j.fips).copied().unwrap_or(1_000_000) as f64;
                let rate = 1.0 + ((pos as u64 * 37) % 11) as f64 * 0.9;
                let n = ((p / 1e6 * rate).max(1.0) * (0.55 + 0.45 * i as f64 / 23.0)).round() as usize;
                let next = reported[(pos + 1) % reported.len()].usps;
                for k in 0..n {
                    let id = format!("{}{k:04}", j.usps);
                    let areas: &[&str] = if k % 3 == 0 { &[j.usps, next] } else { &[j.usps] };
                    suppliers.insert(id.clone(), supplier(id, j.usps, areas));
                }
            }
            suppliers.insert("GU0001".into(), supplier("GU0001".into(), "GU", &["GU", "MP"]));
            Release {
                source: ReleaseSource {
                    date: start + chrono::Duration::days(i * 61),
                    path: String::new(),
                    sha256: String::new(),
                    format: "csv".into(),
                    release_uuid: None,
                    title: None,
                    temporal: None,
                    source_url: None,
                },
                rows_read: suppliers.len() as u64,
                rows_kept: suppliers.len() as u64,
                suppliers,
                quarantine: Vec::new(),
                notes: Vec::new(),
                has_service_areas: true,
                status_filtered: false,
            }
        })
        .collect();
    let m = metrics::compute(&releases, &pop).expect("metrics");
    let prov = Provenance {
        dataset_title: "Home Infusion Therapy Providers".into(),
        dataset_url: "https://data.cms.gov/".into(),
        release_date: m.latest,
        population_label: "Census Vintage 2024".into(),
        population_year: 2024,
        synthetic: true,
        version: "bench".into(),
        input_sha256: String::new(),
    };
    (m, prov)
}

fn charts(c: &mut Criterion) {
    let (m, prov) = input();
    let shapes = geo::parse_states("us-states.geojson", geo::BUNDLED_STATES_GEOJSON).expect("shapes");
    let opts = ChartOptions::default();
    let all = chart::render_all(&m, &prov, &shapes, &opts).expect("charts");
    let map = all[0].svg.clone();

    c.bench_function("map_per_million_svg", |b| b.iter(|| chart::per_million_map(&m, &prov, &shapes, &opts)));
    c.bench_function("map_per_million_png_2x", |b| b.iter(|| chart::to_png(&map, 2.0)));
    c.bench_function("render_all_svg", |b| b.iter(|| chart::render_all(&m, &prov, &shapes, &opts)));
    c.bench_function("render_all_plus_png_2x", |b| {
        b.iter(|| {
            let charts = chart::render_all(&m, &prov, &shapes, &opts).expect("charts");
            charts.iter().map(|c| chart::to_png(&c.svg, 2.0).map(|p| p.len())).collect::<Result<Vec<_>, _>>()
        })
    });
}

criterion_group!(benches, charts);
criterion_main!(benches);
