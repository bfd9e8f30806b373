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
    /// A stage whose work overlapped with normalizing on worker threads: its wall time, then the
    /// normalize workers' CPU time (which ran inside that wall time).
    fn split(&mut self, stage: &str, normalize_cpu: std::time::Duration) {
        if self.verbose {
            eprintln!(
                "  {stage:<10} {:>8.1} ms (wall, reading overlapped with normalize)",
                self.start.elapsed().as_secs_f64() * 1e3
            );
            eprintln!(
                "  {:<10} {:>8.1} ms (CPU, parse + normalize on worker threads)",
                "normalize",
                normalize_cpu.as_secs_f64() * 1e3
            );
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

/// The releases normalized so far; every one but the newest is compacted (only the latest needs
/// its rows), so memory grows with suppliers × releases, not rows × releases.
#[derive(Default)]
struct Normalized {
    releases: Vec<Release>,
    /// Index of the one release kept whole: the newest so far.
    full: Option<usize>,
    busy: std::time::Duration,
}

impl Normalized {
    fn add(&mut self, mut r: Release) {
        match self.full {
            Some(i) if self.releases[i].source.date < r.source.date => {
                self.releases[i].compact();
                self.full = Some(self.releases.len());
            }
            Some(_) => r.compact(),
            None => self.full = Some(self.releases.len()),
        }
        self.releases.push(r);
    }
}

/// Reads and checksums the input files on this thread while worker threads parse and normalize
/// each release as soon as it is read (releases are independent), so reading overlaps the work
/// and one raw table per worker is in memory at a time. Returns the releases sorted by date, and the CPU time spent
/// normalizing.
fn read_and_normalize(cfg: &BuildConfig) -> Result<(load::Inputs<()>, Vec<Release>, std::time::Duration)> {
    use std::sync::mpsc::sync_channel;
    use std::sync::{Arc, Mutex};
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let (tx, rx) = sync_channel::<load::RawFile>(1);
    let rx = Arc::new(Mutex::new(rx));
    let done = Mutex::new(Normalized::default());
    let failed: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let inputs = std::thread::scope(|s| {
        for _ in 0..workers {
            let (rx, done, failed) = (Arc::clone(&rx), &done, &failed);
            s.spawn(move || {
                loop {
                    // The lock is held only while taking the next release off the channel.
                    let next = rx.lock().map_err(|_| ()).and_then(|r| r.recv().map_err(|_| ()));
                    let Ok(file) = next else { break };
                    let start = Instant::now();
                    let result =
                        file.parse().map_err(|e| anyhow::Error::new(e).context("reading the inputs")).and_then(|l| {
                            normalize::normalize(&l.table, l.source, &cfg.normalize)
                                .map_err(|e| anyhow::Error::new(e).context("checking the release files"))
                        });
                    let spent = start.elapsed();
                    match result {
                        Ok(r) => {
                            if let Ok(mut d) = done.lock() {
                                d.add(r);
                                d.busy += spent;
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = failed.lock() {
                                f.get_or_insert(e);
                            }
                        }
                    }
                }
            });
        }
        let read = load::load_inputs_with(&cfg.data, cfg.release_date, |l| -> Result<()> {
            if failed.lock().map(|f| f.is_some()).unwrap_or(true) {
                anyhow::bail!("stopped reading after a release failed its checks");
            }
            tx.send(l).map_err(|_| anyhow::anyhow!("normalize workers stopped"))
        });
        drop(tx); // workers finish the queue, then exit
        read
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    let inputs = inputs.context("reading the inputs")?;
    let done = done.into_inner().map_err(|_| anyhow::anyhow!("a normalize worker panicked"))?;
    let mut releases = done.releases;
    releases.sort_by(|a, b| (a.source.date, &a.source.path).cmp(&(b.source.date, &b.source.path)));
    Ok((inputs, releases, done.busy))
}

/// `hit-atlas build`.
pub fn run_build(cfg: &BuildConfig) -> Result<BuildSummary> {
    let mut t = Timer { verbose: cfg.verbose, start: Instant::now() };
    let (inputs, releases, normalizing) = read_and_normalize(cfg)?;
    t.split("load", normalizing);
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
    write::check_not_older(&cfg.out, m.latest, cfg.allow_older)?;
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
