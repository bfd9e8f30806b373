//! Validated configuration. The report file (`hit-atlas.toml`) and command-line flags become a
//! [`BuildConfig`] or fetch settings exactly once; nothing downstream sees clap or TOML types.
//!
//! Flags win over the file; paths in the file are relative to the file's folder. Unknown keys are
//! errors naming the key, the file and the line.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;
use thiserror::Error;

use crate::cli::BuildArgs;
use crate::normalize::NormalizeOptions;
use crate::render::SiteSettings;

/// The file name `build`, `fetch`, `status` and `serve` look for in the working folder.
pub const CONFIG_FILE: &str = "hit-atlas.toml";

/// A configuration mistake (exit code 5).
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("--release-date {0:?} is not a date; use YYYY-MM-DD")]
    BadDate(String),
    #[error(
        "no --data given and the bundled sample was not found at {0}; run from the hit-atlas \
         repository or pass --data"
    )]
    NoSample(PathBuf),
    #[error("--out {0} is not a usable output folder (it must not be empty, `.`, `/` or an input folder)")]
    BadOut(PathBuf),
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("no snapshot store given: pass --data DIR or set store in the [data] section of hit-atlas.toml")]
    NoStore,
    #[error("--releases: {0}")]
    Releases(String),
    #[error("{path}:{line}:{column}: {message}")]
    Toml { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{path}: {key} = {value:?}: {expected}")]
    Invalid { path: PathBuf, key: &'static str, value: String, expected: String },
}

/// `[report]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSection {
    pub title: String,
    pub subtitle: String,
    /// Absolute URL where the site is published (canonical links, social cards). Empty: none.
    pub site_url: String,
}

impl Default for ReportSection {
    fn default() -> Self {
        let s = SiteSettings::default();
        ReportSection { title: s.title, subtitle: s.subtitle, site_url: String::new() }
    }
}

/// `[publisher]`
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublisherSection {
    pub name: String,
    pub url: String,
}

/// `[data]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataSection {
    /// Snapshot store that `fetch` fills and `build` reads. Empty: the bundled sample.
    pub store: String,
    /// data.cms.gov series identifier of the dataset.
    pub series_id: String,
    /// Series title, used when the identifier is not found in the catalog.
    pub series_title: String,
    /// Count every enrollment status, not only active/approved ones.
    pub all_statuses: bool,
    /// Output folder of `build`.
    pub out: String,
}

/// The data.cms.gov identifier of the Home Infusion Therapy Providers series.
pub const SERIES_ID: &str = crate::fetch::DEFAULT_SERIES_ID;

impl Default for DataSection {
    fn default() -> Self {
        DataSection {
            store: String::new(),
            series_id: SERIES_ID.into(),
            series_title: crate::load::SERIES_TITLE.into(),
            all_statuses: false,
            out: "site".into(),
        }
    }
}

/// Which residents a per-million rate divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Denominator {
    /// All residents (Census total population).
    #[default]
    Residents,
    /// Residents aged 65 and over (closer to the Medicare population; no PR figure).
    #[serde(rename = "residents-65plus")]
    Residents65plus,
}

/// `[population]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PopulationSection {
    pub denominator: Denominator,
    /// ACS 5-year vintage `fetch` asks the Census API for.
    pub census_year: u16,
}

impl Default for PopulationSection {
    fn default() -> Self {
        PopulationSection { denominator: Denominator::Residents, census_year: 2023 }
    }
}

/// `[maps]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MapsSection {
    /// `quantile`, `equal-interval`, `jenks` or `fixed`.
    pub classification: String,
    pub classes: usize,
    /// Class breaks held fixed across releases (used with `fixed`, or to compare releases).
    pub fixed_breaks: Vec<f64>,
}

impl Default for MapsSection {
    fn default() -> Self {
        MapsSection { classification: "quantile".into(), classes: 5, fixed_breaks: Vec::new() }
    }
}

/// `[pages]`: optional pages (the overview, states, methodology, caveats and data pages are
/// always built).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PagesSection {
    pub charts: bool,
    pub changes: bool,
    pub quality: bool,
}

impl Default for PagesSection {
    fn default() -> Self {
        PagesSection { charts: true, changes: true, quality: true }
    }
}

/// The whole `hit-atlas.toml`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportFile {
    pub report: ReportSection,
    pub publisher: PublisherSection,
    pub data: DataSection,
    pub population: PopulationSection,
    pub maps: MapsSection,
    pub pages: PagesSection,
}

/// A report file with the folder its relative paths start from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub file: ReportFile,
    /// Folder of the config file (or the working folder when there is none).
    pub base: PathBuf,
    pub path: Option<PathBuf>,
}

impl Report {
    /// Resolves a path from the file against its folder.
    pub fn resolve(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() || self.base == Path::new(".") { p.to_path_buf() } else { self.base.join(p) }
    }
}

/// Parses `text` (the contents of `path`).
pub fn parse_report(path: &Path, text: &str) -> Result<ReportFile, ConfigError> {
    let file: ReportFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        ConfigError::Toml { path: path.to_path_buf(), line, column, message: e.message().to_string() }
    })?;
    validate(path, &file)?;
    Ok(file)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map(|i| offset - i).unwrap_or(offset + 1);
    (line, column)
}

fn validate(path: &Path, f: &ReportFile) -> Result<(), ConfigError> {
    let invalid = |key: &'static str, value: String, expected: &str| ConfigError::Invalid {
        path: path.to_path_buf(),
        key,
        value,
        expected: expected.to_string(),
    };
    if !["quantile", "equal-interval", "jenks", "fixed"].contains(&f.maps.classification.as_str()) {
        return Err(invalid(
            "maps.classification",
            f.maps.classification.clone(),
            "use quantile, equal-interval, jenks or fixed",
        ));
    }
    if !(2..=9).contains(&f.maps.classes) {
        return Err(invalid("maps.classes", f.maps.classes.to_string(), "use 2 to 9 classes"));
    }
    let b = &f.maps.fixed_breaks;
    if b.windows(2).any(|w| w[0] >= w[1]) || b.iter().any(|x| !x.is_finite() || *x <= 0.0) {
        return Err(invalid("maps.fixed_breaks", format!("{b:?}"), "breaks must be positive and increasing"));
    }
    if f.maps.classification == "fixed" && b.is_empty() {
        return Err(invalid("maps.fixed_breaks", "[]".into(), "classification = \"fixed\" needs breaks"));
    }
    let url = &f.report.site_url;
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        return Err(invalid("report.site_url", url.clone(), "an absolute http(s) URL, or empty"));
    }
    if !f.publisher.url.is_empty() && !crate::markdown::safe_url(&f.publisher.url) {
        return Err(invalid("publisher.url", f.publisher.url.clone(), "an https URL"));
    }
    Ok(())
}

/// Reads the report file: `explicit` if given (it must exist), else `hit-atlas.toml` in the
/// working folder if present, else defaults.
pub fn find_report(explicit: Option<&Path>) -> Result<Report, ConfigError> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from(CONFIG_FILE)).filter(|p| p.is_file()),
    };
    let Some(path) = path else {
        return Ok(Report { file: ReportFile::default(), base: PathBuf::from("."), path: None });
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
    let file = parse_report(&path, &text)?;
    let base = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(Report { file, base, path: Some(path) })
}

/// Everything `build` needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildConfig {
    pub data: Vec<PathBuf>,
    pub out: PathBuf,
    pub release_date: Option<NaiveDate>,
    pub normalize: NormalizeOptions,
    pub verbose: bool,
    /// Folder of narrative markdown; bundled text is used for any file it lacks.
    pub content_dir: PathBuf,
    pub settings: SiteSettings,
    pub denominator: Denominator,
    pub maps: MapsSection,
    pub pages: PagesSection,
    /// Allow replacing a site built from a newer release (publishing must not go backwards).
    pub allow_older: bool,
}

/// The bundled sample store, looked up relative to the working directory first, then to the
/// source tree the binary was built from.
pub fn default_sample() -> Option<PathBuf> {
    let local = PathBuf::from("data/sample");
    if local.join("store.json").is_file() {
        return Some(local);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    built.join("store.json").is_file().then_some(built)
}

impl BuildConfig {
    /// Flags over the report file over defaults.
    pub fn new(args: &BuildArgs, report: &Report, verbose: bool) -> Result<Self, ConfigError> {
        let f = &report.file;
        let release_date = args
            .release_date
            .as_deref()
            .map(|s| s.parse::<NaiveDate>().map_err(|_| ConfigError::BadDate(s.to_string())))
            .transpose()?;
        let data = if !args.data.is_empty() {
            args.data.clone()
        } else if !f.data.store.is_empty() {
            vec![report.resolve(&f.data.store)]
        } else {
            vec![default_sample().ok_or_else(|| ConfigError::NoSample(PathBuf::from("data/sample")))?]
        };
        let out = args.out.clone().unwrap_or_else(|| report.resolve(&f.data.out));
        let out_str = out.to_string_lossy();
        if out_str.is_empty() || out == Path::new(".") || out == Path::new("/") || data.iter().any(|d| d == &out) {
            return Err(ConfigError::BadOut(out));
        }
        let mut site_url = f.report.site_url.clone();
        if !site_url.is_empty() && !site_url.ends_with('/') {
            site_url.push('/');
        }
        Ok(BuildConfig {
            data,
            out,
            release_date,
            normalize: NormalizeOptions { all_statuses: args.all_statuses || f.data.all_statuses },
            verbose,
            content_dir: report.resolve("content"),
            settings: SiteSettings {
                title: f.report.title.clone(),
                subtitle: f.report.subtitle.clone(),
                publisher: (!f.publisher.name.is_empty()).then(|| (f.publisher.name.clone(), f.publisher.url.clone())),
                site_url: (!site_url.is_empty()).then_some(site_url),
                pages: crate::render::OptionalPages {
                    charts: f.pages.charts,
                    changes: f.pages.changes,
                    quality: f.pages.quality,
                },
            },
            denominator: f.population.denominator,
            maps: f.maps.clone(),
            pages: f.pages,
            allow_older: args.allow_older,
        })
    }
}

/// The store folder of `fetch`/`status`: the `--data` flag, else `data.store` from the config.
pub fn store_dir(flag: Option<&Path>, report: &Report) -> Result<PathBuf, ConfigError> {
    match flag {
        Some(p) => Ok(p.to_path_buf()),
        None if !report.file.data.store.is_empty() => Ok(report.resolve(&report.file.data.store)),
        None => Err(ConfigError::NoStore),
    }
}

/// `fetch` flags over the report file; the Census key comes from `CENSUS_API_KEY` only.
pub fn fetch_options(args: &crate::cli::FetchArgs, report: &Report) -> Result<crate::fetch::FetchOptions, ConfigError> {
    let mut o = crate::fetch::FetchOptions::new(store_dir(args.data.as_deref(), report)?);
    o.cms_url = args.cms_url.clone();
    o.census_url = args.census_url.clone();
    o.releases = args.releases.parse().map_err(ConfigError::Releases)?;
    o.allow_drop = args.allow_drop;
    o.quiet = args.quiet;
    o.census_year = args.census_year.unwrap_or(report.file.population.census_year);
    o.census_key = std::env::var("CENSUS_API_KEY").ok().filter(|k| !k.trim().is_empty());
    o.series_id = report.file.data.series_id.clone();
    o.series_title = report.file.data.series_title.clone();
    o.skip_census = args.skip_census;
    Ok(o)
}

/// The commented `hit-atlas.toml` that `init` writes; parsing it gives the defaults.
pub const CONFIG_TEMPLATE: &str = include_str!("../templates/init/hit-atlas.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses_to_defaults_but_store() {
        let f = parse_report(Path::new(CONFIG_FILE), CONFIG_TEMPLATE).expect("template is valid");
        assert_eq!(f.report, ReportSection::default());
        assert_eq!(f.maps, MapsSection::default());
        assert_eq!(f.data.store, "store");
        assert_eq!(f.data.series_id, SERIES_ID);
    }

    #[test]
    fn unknown_key_names_key_file_and_line() {
        let text = "[report]\ntitle = \"x\"\n\n[maps]\nclases = 5\n";
        let err = parse_report(Path::new("r/hit-atlas.toml"), text).expect_err("unknown key");
        let msg = err.to_string();
        assert!(msg.starts_with("r/hit-atlas.toml:5:1: unknown field `clases`"), "{msg}");
        assert!(msg.contains("classes"), "lists the expected keys: {msg}");
    }

    #[test]
    fn invalid_values_are_rejected() {
        for (text, key) in [
            ("[maps]\nclassification = \"natural\"\n", "maps.classification"),
            ("[maps]\nfixed_breaks = [2.0, 1.0]\n", "maps.fixed_breaks"),
            ("[maps]\nclassification = \"fixed\"\n", "maps.fixed_breaks"),
            ("[report]\nsite_url = \"javascript:x\"\n", "report.site_url"),
            ("[publisher]\nurl = \"javascript:alert(1)\"\n", "publisher.url"),
        ] {
            let err = parse_report(Path::new("c.toml"), text).expect_err(text);
            assert!(err.to_string().contains(key), "{err}");
        }
        let f = parse_report(Path::new("c.toml"), "[population]\ndenominator = \"residents-65plus\"\n").expect("ok");
        assert_eq!(f.population.denominator, Denominator::Residents65plus);
    }
}
