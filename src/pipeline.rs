//! The stages in order. Each `run_*` is what one subcommand does; stage timings go to stderr
//! with `--verbose`.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::config::{BuildConfig, Denominator};
use crate::load::{self, SERIES_URL};
use crate::model::{Population, PopulationSource, Provenance, Release};
use crate::{chart, geo, metrics, normalize, render, sample, store, write};
use std::collections::BTreeMap;

/// What a build did, for the summary line.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildSummary {
    pub releases: usize,
    pub latest: chrono::NaiveDate,
    pub suppliers: u32,
    pub zero_states: usize,
    pub quarantined: usize,
    pub files: usize,
    pub synthetic: bool,
}

struct Timer {
    verbose: bool,
    start: Instant,
}

impl Timer {
    /// Reports a lap that interleaved two stages: `part` of it was `second`, the rest `first`.
    fn split(&mut self, first: &str, part: std::time::Duration, second: &str) {
        if self.verbose {
            let total = self.start.elapsed();
            eprintln!("  {first:<10} {:>8.1} ms", total.saturating_sub(part).as_secs_f64() * 1e3);
            eprintln!("  {second:<10} {:>8.1} ms", part.as_secs_f64() * 1e3);
        }
        self.start = Instant::now();
    }

    fn lap(&mut self, stage: &str) {
        if self.verbose {
            eprintln!("  {stage:<10} {:>8.1} ms", self.start.elapsed().as_secs_f64() * 1e3);
        }
        self.start = Instant::now();
    }
}

/// sha256 over the sorted `path sha256` lines of every input.
fn input_checksum(releases: &[Release], population_sha: &str) -> String {
    let mut lines: Vec<String> = releases.iter().map(|r| format!("{} {}", r.source.path, r.source.sha256)).collect();
    lines.push(format!("population {population_sha}"));
    lines.sort();
    store::sha256_hex(lines.join("\n").as_bytes())
}

/// The population a per-million rate divides by.
fn denominator(p: Population, d: Denominator) -> Population {
    match d {
        Denominator::Residents => p,
        Denominator::Residents65plus => Population {
            source: PopulationSource {
                label: format!("{}, residents aged 65 and over (sum of county estimates)", p.source.label),
                ..p.source
            },
            total: p.age65.clone(),
            age65: p.age65,
        },
    }
}

/// Chart options from the report's `[maps]` section.
fn chart_options(cfg: &BuildConfig) -> Result<chart::ChartOptions> {
    Ok(chart::ChartOptions {
        classification: cfg.maps.classification.parse()?,
        classes: cfg.maps.classes,
        fixed_breaks: (!cfg.maps.fixed_breaks.is_empty()).then(|| cfg.maps.fixed_breaks.clone()),
    })
}

/// Every site chart as SVG plus a 2x PNG (rasterised on all cores), and one sparkline per
/// jurisdiction.
fn draw_charts(
    m: &metrics::Metrics,
    prov: &Provenance,
    cfg: &BuildConfig,
) -> Result<(Vec<render::ChartFile>, BTreeMap<String, String>)> {
    let shapes = geo::parse_states("geo/us-states.geojson", geo::BUNDLED_STATES_GEOJSON)?;
    let charts = chart::render_all(m, prov, &shapes, &chart_options(cfg)?)?;
    let pngs: Vec<Result<Vec<u8>, chart::ChartError>> = std::thread::scope(|s| {
        let handles: Vec<_> = charts.iter().map(|c| s.spawn(|| chart::to_png(&c.svg, 2.0))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(chart::ChartError::Png("PNG thread panicked".into()))))
            .collect()
    });
    let files = charts
        .into_iter()
        .zip(pngs)
        .map(|(c, png)| Ok(render::ChartFile { id: c.id, title: c.title, alt: c.alt, svg: c.svg, png: png? }))
        .collect::<Result<Vec<_>, chart::ChartError>>()?;
    let dates: Vec<chrono::NaiveDate> = m.releases.iter().map(|r| r.date).collect();
    let mut sparklines = BTreeMap::new();
    for (usps, series) in &m.state_series {
        sparklines.insert(usps.clone(), chart::sparkline(usps, series, &dates, prov)?.svg);
    }
    Ok((files, sparklines))
}

/// `hit-atlas build`.
pub fn run_build(cfg: &BuildConfig) -> Result<BuildSummary> {
    let mut t = Timer { verbose: cfg.verbose, start: Instant::now() };
    // Each release is normalized as soon as it is read, so one raw table at a time is in memory,
    // and every release but the newest so far is compacted (only the latest needs its rows).
    let mut normalizing = std::time::Duration::ZERO;
    let mut releases: Vec<Release> = Vec::new();
    let mut full: Option<usize> = None; // index of the one release kept whole: the newest so far
    let inputs = load::load_inputs_with(&cfg.data, cfg.release_date, |l| -> Result<()> {
        let start = Instant::now();
        let mut r = normalize::normalize(&l.table, l.source, &cfg.normalize).context("checking the release files")?;
        match full {
            Some(i) if releases[i].source.date < r.source.date => {
                releases[i].compact();
                full = Some(releases.len());
            }
            Some(_) => r.compact(),
            None => full = Some(releases.len()),
        }
        releases.push(r);
        normalizing += start.elapsed();
        Ok(())
    })
    .context("reading the inputs")?;
    t.split("load", normalizing, "normalize");
    let population = denominator(inputs.population, cfg.denominator);
    let m = metrics::compute(&releases, &population).context("computing metrics")?;
    t.lap("metrics");
    let provenance = Provenance {
        dataset_title: inputs.series_title.clone(),
        dataset_url: SERIES_URL.to_string(),
        release_date: m.latest,
        population_label: population.source.label.clone(),
        population_year: population.source.year,
        synthetic: inputs.synthetic,
        version: env!("CARGO_PKG_VERSION").to_string(),
        input_sha256: input_checksum(&releases, &population.source.sha256),
    };
    let content = load::load_content(&cfg.content_dir).context("reading the narrative")?;
    t.lap("content");
    let (charts, sparklines) = draw_charts(&m, &provenance, cfg).context("drawing the charts")?;
    t.lap("charts");
    let files = render::render_site(&render::SiteInput {
        metrics: &m,
        releases: &releases,
        population: &population,
        provenance: &provenance,
        charts: &charts,
        sparklines: &sparklines,
        content: &content,
        settings: &cfg.settings,
    })
    .context("rendering the site")?;
    t.lap("render");
    write::write_site(&cfg.out, &files).with_context(|| format!("writing the site to {}", cfg.out.display()))?;
    t.lap("write");
    Ok(BuildSummary {
        releases: releases.len(),
        latest: m.latest,
        suppliers: m.national.suppliers,
        zero_states: m.national.zero_states.len(),
        quarantined: releases.iter().map(|r| r.quarantine.len()).sum(),
        files: files.len(),
        synthetic: inputs.synthetic,
    })
}

/// `hit-atlas sample`: regenerates the synthetic sample store in `out`.
pub fn run_sample(out: &Path, seed: u64) -> Result<usize> {
    run_sample_scaled(out, seed, 1)
}

/// `hit-atlas sample --scale N`: a store N times the size of the sample (benchmarks).
pub fn run_sample_scaled(out: &Path, seed: u64, scale: u32) -> Result<usize> {
    let releases = sample::generate_scaled(sample::CATALOG_EXCERPT, seed, scale)
        .map_err(|e| anyhow::anyhow!("the bundled catalog excerpt is unusable: {e}"))?;
    store::write_info(
        out,
        &store::StoreInfo {
            format: store::STORE_FORMAT.into(),
            series_id: "https://data.cms.gov/data-api/v1/dataset/31f25ab6-2fe3-4bad-ac5a-90635ed79935/data-viewer"
                .into(),
            series_title: load::SERIES_TITLE.into(),
            synthetic: true,
        },
    )?;
    for r in &releases {
        store::write_release(out, r.meta.clone(), "csv", &r.csv)?;
    }
    Ok(releases.len())
}
