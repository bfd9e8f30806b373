//! Chart timings on the bundled sample: 52 jurisdictions plus the territories it names, 24
//! releases. Targets (release build): the per-million map under 50 ms; every chart plus its 2x
//! PNG under 300 ms.

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use hit_atlas::chart::{self, ChartOptions};
use hit_atlas::geo;

fn charts(c: &mut Criterion) {
    let (_, m, prov) = common::metrics_and_provenance(&common::inputs());
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
