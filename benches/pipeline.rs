//! Criterion benches of the pure stages on the bundled sample (24 releases, ~380 suppliers):
//! ingest (CSV bytes → raw table → normalized release, the latest release), metrics (all 24
//! releases), page rendering (the whole site in memory) and the store load (read + sha256 +
//! parse of every release). Charts have their own bench (`benches/charts.rs`). The
//! whole-process benchmark at 1x/10x/100x is `scripts/bench.sh`.
//!
//!   cargo bench --bench pipeline            (add `-- --quick` for a fast pass)

mod common;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hit_atlas::normalize::raw::parse_csv;
use hit_atlas::normalize::{NormalizeOptions, normalize};
use hit_atlas::{load, metrics, render};

fn ingest(c: &mut Criterion) {
    let inputs = common::inputs();
    let latest = inputs.releases.last().expect("a release");
    let path = common::sample().join("releases").join(latest.source.date.to_string()).join("data.csv");
    let bytes = std::fs::read(&path).expect("latest release file");
    let source = latest.source.clone();
    let opts = NormalizeOptions::default();
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("parse_csv latest release", |b| b.iter(|| parse_csv(black_box(&bytes)).expect("parse")));
    let table = parse_csv(&bytes).expect("parse");
    g.bench_function("normalize latest release", |b| {
        b.iter(|| normalize(black_box(&table), source.clone(), &opts).expect("normalize"))
    });
    g.bench_function("parse_csv + normalize latest release", |b| {
        b.iter(|| normalize(&parse_csv(black_box(&bytes)).expect("parse"), source.clone(), &opts).expect("normalize"))
    });
    g.finish();
}

fn load_store(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    g.bench_function("load_inputs sample store (24 releases, sha256 checked)", |b| b.iter(common::inputs));
    g.finish();
}

fn compute_metrics(c: &mut Criterion) {
    let inputs = common::inputs();
    let rs = common::releases(&inputs);
    c.bench_function("metrics::compute 24 releases", |b| {
        b.iter(|| metrics::compute(black_box(&rs), &inputs.population).expect("metrics"))
    });
}

fn render_pages(c: &mut Criterion) {
    let inputs = common::inputs();
    let (rs, m, provenance) = common::metrics_and_provenance(&inputs);
    let content = load::load_content(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("content")).expect("content");
    let settings = render::SiteSettings::default();
    let sparklines = BTreeMap::new();
    let input = render::SiteInput {
        metrics: &m,
        releases: &rs,
        population: &inputs.population,
        provenance: &provenance,
        charts: &[],
        sparklines: &sparklines,
        content: &content,
        settings: &settings,
    };
    let files = render::render_site(&input).expect("render").len();
    let mut g = c.benchmark_group("render");
    g.throughput(Throughput::Elements(files as u64));
    g.bench_function("render_site sample (all pages, CSV/JSON downloads)", |b| {
        b.iter(|| render::render_site(black_box(&input)).expect("render"))
    });
    g.finish();
}

criterion_group!(benches, ingest, load_store, compute_metrics, render_pages);
criterion_main!(benches);
