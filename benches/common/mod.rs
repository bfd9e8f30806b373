//! The bundled sample as the benches' input: one loader for every bench, so each measures the
//! same data the default build uses.
#![allow(dead_code)]

use std::path::PathBuf;

use hit_atlas::load;
use hit_atlas::metrics::{self, Metrics};
use hit_atlas::model::{Provenance, Release};
use hit_atlas::normalize::{NormalizeOptions, normalize};

pub fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sample")
}

pub fn inputs() -> load::Inputs {
    load::load_inputs(&[sample()], None).expect("the bundled sample loads")
}

pub fn releases(inputs: &load::Inputs) -> Vec<Release> {
    let opts = NormalizeOptions::default();
    inputs.releases.iter().map(|l| normalize(&l.table, l.source.clone(), &opts).expect("normalize")).collect()
}

/// Metrics of the 24 sample releases and the provenance a build would give them.
pub fn metrics_and_provenance(inputs: &load::Inputs) -> (Vec<Release>, Metrics, Provenance) {
    let rs = releases(inputs);
    let m = metrics::compute(&rs, &inputs.population).expect("metrics");
    let provenance = Provenance {
        dataset_title: inputs.series_title.clone(),
        dataset_url: load::SERIES_URL.into(),
        release_date: m.latest,
        population_label: inputs.population.source.label.clone(),
        population_year: inputs.population.source.year,
        synthetic: inputs.synthetic,
        version: env!("CARGO_PKG_VERSION").into(),
        input_sha256: "0".repeat(64),
    };
    (rs, m, provenance)
}
