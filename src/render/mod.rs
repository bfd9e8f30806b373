//! Site rendering: metrics and provenance → the site's files as bytes, in memory.
//!
//! View models are flat structs of preformatted strings; templates (askama, auto-escaping on)
//! only loop and branch. `|safe` is used only for SVG and HTML this program produced itself.
//! Writing to disk is `write`'s job.

pub mod csv;
pub mod format;

use askama::Template;
use thiserror::Error;

use crate::metrics::{Display, Metrics};
use crate::model::{Population, Provenance, Release};
use crate::write::SiteFile;

/// A template failed to render (a bug, exit 1).
#[derive(Debug, Error)]
pub enum RenderError {
    #[error("rendering {page}: {source}")]
    Template { page: String, source: askama::Error },
}

/// What the render stage reads.
pub struct SiteInput<'a> {
    pub metrics: &'a Metrics,
    /// Oldest first; the last is the latest.
    pub releases: &'a [Release],
    pub population: &'a Population,
    pub provenance: &'a Provenance,
}

/// Provenance footer and banner, shared by every page.
pub struct Chrome {
    pub synthetic: bool,
    pub dataset_title: String,
    pub dataset_url: String,
    pub release_date: String,
    pub population_label: String,
    pub version: String,
    pub input_sha256: String,
    /// `""` for top-level pages, `"../"` one level down: keeps every link relative.
    pub root: String,
}

impl Chrome {
    fn new(p: &Provenance, root: &str) -> Self {
        Chrome {
            synthetic: p.synthetic,
            dataset_title: p.dataset_title.clone(),
            dataset_url: p.dataset_url.clone(),
            release_date: format::long_date(p.release_date),
            population_label: p.population_label.clone(),
            version: p.version.clone(),
            input_sha256: p.input_sha256.clone(),
            root: root.to_string(),
        }
    }
}

/// One row of a state table, preformatted.
pub struct StateLine {
    pub usps: String,
    pub name: String,
    pub suppliers: String,
    pub served_by: String,
    pub population: String,
    pub per_million: String,
    pub rank: String,
    pub display: &'static str,
    pub class: &'static str,
    pub caution: bool,
}

fn state_lines(m: &Metrics) -> Vec<StateLine> {
    m.states
        .iter()
        .map(|s| StateLine {
            usps: s.usps.clone(),
            name: s.name.clone(),
            suppliers: format::thousands(u64::from(s.suppliers)),
            served_by: s.served_by.map(|n| format::thousands(u64::from(n))).unwrap_or_else(|| "no data".into()),
            population: s.population.map(format::thousands).unwrap_or_else(|| "no data".into()),
            per_million: format::rate(s.per_million),
            rank: s.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
            display: s.display.label(),
            class: match s.display {
                Display::Rate => "rate",
                Display::Zero => "zero",
                Display::NoPopulation => "nopop",
                Display::NotInFile => "notinfile",
            },
            caution: s.small_count,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    chrome: Chrome,
    title: String,
    suppliers_total: String,
    per_million: String,
    population_year: String,
    zero_count: String,
    zero_list: String,
    release_count: String,
    states: Vec<StateLine>,
}

fn page<T: Template>(path: &str, t: &T) -> Result<SiteFile, RenderError> {
    let html = t.render().map_err(|source| RenderError::Template { page: path.to_string(), source })?;
    Ok(SiteFile { path: path.to_string(), bytes: html.into_bytes() })
}

/// Renders every file of the site.
pub fn render_site(input: &SiteInput<'_>) -> Result<Vec<SiteFile>, RenderError> {
    let m = input.metrics;
    let p = input.provenance;
    let zero_names: Vec<String> = m
        .national
        .zero_states
        .iter()
        .filter_map(|u| m.states.iter().find(|s| &s.usps == u))
        .map(|s| s.name.clone())
        .collect();
    let index = IndexPage {
        chrome: Chrome::new(p, ""),
        title: "Where Medicare patients can get home infusion therapy".into(),
        suppliers_total: format::thousands(u64::from(m.national.suppliers)),
        per_million: format::rate(m.national.per_million),
        population_year: p.population_year.to_string(),
        zero_count: zero_names.len().to_string(),
        zero_list: format::prose_list(&zero_names),
        release_count: m.releases.len().to_string(),
        states: state_lines(m),
    };
    let mut files = vec![page("index.html", &index)?];
    files.push(SiteFile { path: "assets/site.css".into(), bytes: include_bytes!("../../templates/site.css").to_vec() });

    let latest = input.releases.iter().max_by_key(|r| r.source.date);
    let mut data = vec![
        ("data/state-metrics.csv", csv::state_metrics(&m.states)),
        ("data/releases.csv", csv::releases(m)),
        ("data/quarantine.csv", csv::quarantine(input.releases)),
    ];
    if let Some(latest) = latest {
        data.push(("data/suppliers.csv", csv::suppliers(latest)));
    }
    let mut outputs: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    outputs.extend(data.iter().map(|(p, _)| *p));
    outputs.push("data/manifest.json");
    let manifest = csv::manifest(p, input.population, input.releases, &outputs);
    files.extend(data.into_iter().map(|(path, bytes)| SiteFile { path: path.into(), bytes }));
    files.push(SiteFile { path: "data/manifest.json".into(), bytes: manifest });
    Ok(files)
}
