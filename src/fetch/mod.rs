//! `fetch`: fills the snapshot store from data.cms.gov and the Census API.
//!
//! One run, in order, with nothing written until every step has succeeded:
//! 1. check options and the Census key (before any request), take `STORE/store.lock`;
//! 2. read `{cms-url}/data.json` and resolve the series and its dated releases ([`resolve_catalog`]);
//! 3. pick releases (`latest`, `all`, or the newest N) and skip those already stored with the
//!    same release UUID, or stored without one (a CSV someone put there); a stored date with a
//!    different UUID was re-issued by CMS, so it is re-fetched and replaced;
//! 4. page each remaining release completely into memory (see `cms` for the rules);
//! 5. guard: the newest release's distinct suppliers must not fall more than 20% below the
//!    release before it (or to zero) unless `allow_drop`;
//! 6. fetch Census population unless `skip_census`;
//! 7. only then write: each release atomically (data file, then `meta.json`), the population
//!    file, and `store.json` if the store had none.
//!
//! So a failed run leaves the store byte-identical (apart from creating an empty `store.lock` in
//! a store that had none). Errors carry the URL, offset and status, say what to do, and map to
//! the CLI's exit codes via [`FetchError::exit_code`]. It stops at the store: parsing rows into
//! the model is `load`/`normalize`'s job.

mod catalog;
mod census;
mod cms;
mod http;

use std::collections::BTreeMap;
use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use thiserror::Error;

use crate::store::{self, ReleaseMeta, STORE_FORMAT, StoreError, StoreIndex, StoreInfo, StoreLock};

pub use catalog::{CatalogRelease, DEFAULT_SERIES_ID, DEFAULT_SERIES_TITLE, Series};
pub use cms::PAGE_SIZE;

use cms::FetchedRelease;
use http::{Http, Redirects};

/// Default `--cms-url`.
pub const DEFAULT_CMS_URL: &str = "https://data.cms.gov";
/// Default `--census-url`.
pub const DEFAULT_CENSUS_URL: &str = "https://api.census.gov";
/// Default ACS 5-year vintage.
pub const DEFAULT_CENSUS_YEAR: u16 = 2023;
/// The newest release may lose at most this share of the previous release's suppliers.
pub const MAX_SUPPLIER_DROP_PERCENT: u64 = 20;

/// Which catalog releases a run wants in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseSelection {
    Latest,
    All,
    /// The newest N (N ≥ 1).
    Count(u32),
}

impl FromStr for ReleaseSelection {
    type Err = String;

    /// `latest`, `all` or a positive whole number.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "latest" => Ok(ReleaseSelection::Latest),
            "all" => Ok(ReleaseSelection::All),
            n => match n.parse::<u32>() {
                Ok(n) if n >= 1 => Ok(ReleaseSelection::Count(n)),
                _ => Err(format!("--releases takes latest, all or a number ≥ 1, not {s:?}")),
            },
        }
    }
}

/// Timeouts and the retry policy. Defaults follow notes/reliability.md C9; tests shrink them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPolicy {
    pub connect_timeout: Duration,
    /// Whole-request timeout (connect to last body byte); blocking reqwest has no separate read
    /// timeout. Each attempt's timeout is also clipped to what is left of `budget`.
    pub request_timeout: Duration,
    /// Attempts per request, first one included.
    pub max_attempts: u32,
    /// Wall-clock budget per request, all attempts and waits included.
    pub budget: Duration,
    /// First backoff; doubles per attempt, with jitter in [half, full].
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A `Retry-After` longer than this fails the request at once instead of sleeping.
    pub retry_after_cap: Duration,
}

impl Default for HttpPolicy {
    fn default() -> Self {
        HttpPolicy {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            max_attempts: 5,
            budget: Duration::from_secs(300),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(120),
        }
    }
}

/// Everything a fetch run needs; built once from the validated config.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub store: PathBuf,
    /// Base serving `/data.json` and `/data-api/...`.
    pub cms_url: String,
    /// Base of the Census API.
    pub census_url: String,
    pub releases: ReleaseSelection,
    pub allow_drop: bool,
    pub quiet: bool,
    pub census_year: u16,
    /// `CENSUS_API_KEY`; never printed, logged or stored.
    pub census_key: Option<String>,
    pub series_id: String,
    pub series_title: String,
    pub http: HttpPolicy,
    pub skip_census: bool,
}

impl FetchOptions {
    /// Defaults for everything but the store folder (no Census key).
    pub fn new(store: PathBuf) -> FetchOptions {
        FetchOptions {
            store,
            cms_url: DEFAULT_CMS_URL.into(),
            census_url: DEFAULT_CENSUS_URL.into(),
            releases: ReleaseSelection::Latest,
            allow_drop: false,
            quiet: false,
            census_year: DEFAULT_CENSUS_YEAR,
            census_key: None,
            series_id: DEFAULT_SERIES_ID.into(),
            series_title: DEFAULT_SERIES_TITLE.into(),
            http: HttpPolicy::default(),
            skip_census: false,
        }
    }
}

/// What a successful run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FetchSummary {
    pub series_uuid: String,
    /// Newest release in the catalog.
    pub latest: Option<NaiveDate>,
    /// Releases written by this run, oldest first (replacements included).
    pub new_releases: Vec<NaiveDate>,
    /// Of `new_releases`, those that replaced a stored release of the same date but another UUID.
    pub replaced: Vec<NaiveDate>,
    /// Selected releases already in the store.
    pub skipped: Vec<NaiveDate>,
    /// Rows in the new releases.
    pub rows: u64,
    /// HTTP retries over the whole run.
    pub retries: u32,
    pub population_written: bool,
    /// Catalog oddities and other notes the user should see.
    pub warnings: Vec<String>,
}

impl fmt::Display for FetchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fetch: {} new release(s), {} already stored, {} rows, {} retr{}",
            self.new_releases.len(),
            self.skipped.len(),
            self.rows,
            self.retries,
            if self.retries == 1 { "y" } else { "ies" }
        )?;
        if !self.replaced.is_empty() {
            write!(f, ", {} replaced", self.replaced.len())?;
        }
        write!(f, "; population {}", if self.population_written { "written" } else { "not fetched" })
    }
}

/// Why a run failed. Every variant names what failed and what to do; URLs never hold the key.
#[derive(Debug, Error)]
pub enum FetchError {
    // --- configuration and credentials: exit 5 ---
    #[error("{flag} {url:?}: {reason}")]
    BadBaseUrl { flag: &'static str, url: String, reason: String },
    #[error("{0}")]
    BadOption(String),
    #[error(
        "CENSUS_API_KEY is not set. Get a key at https://api.census.gov/data/key_signup.html and export it, or \
         skip population with --skip-census (the build then uses the bundled Vintage 2024 figures)"
    )]
    MissingCensusKey,
    #[error("Census API credentials: {reason} ({url}). Check CENSUS_API_KEY; nothing was written")]
    CensusAuth { url: String, reason: String },
    #[error("{path}: {reason}")]
    StoreConflict { path: PathBuf, reason: String },

    // --- upstream failures: exit 3 ---
    #[error(
        "{url}: gave up after {attempts} attempt(s) in {elapsed_ms} ms; last: {last}. The server may be down or rate-limiting; try again later (nothing was written)"
    )]
    GaveUp { url: String, attempts: u32, elapsed_ms: u64, last: String },
    #[error(
        "{url}: server asks to wait {wait_secs} s (Retry-After), more than the {cap_secs} s cap; try again later (nothing was written)"
    )]
    RetryAfterTooLong { url: String, wait_secs: u64, cap_secs: u64 },
    #[error("{url}: status {status}{}", if excerpt.is_empty() { String::new() } else { format!(": {excerpt}") })]
    Status { url: String, status: u16, excerpt: String },
    #[error("{url}: expected JSON, got content type {content_type:?}")]
    NotJson { url: String, content_type: String },
    #[error("{url}: not a usable URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "{url}: no dataset with identifier {series_id} or title {title:?}; the series may be retired or renamed — check the catalog and pass --series-id"
    )]
    SeriesNotFound { url: String, series_id: String, title: String },
    #[error("{url}: series {series:?} lists no dated API release")]
    NoReleases { url: String, series: String },
    #[error(
        "{url}: status 204, the Census API has no data for this year yet; pick an earlier --census-year (the bundled figures stay in use)"
    )]
    CensusNoContent { url: String },

    // --- data contract, count and guard failures: exit 2 ---
    #[error("{url}: catalog: {reason}")]
    Catalog { url: String, reason: String },
    #[error("{url}: unexpected reply{}: {reason}", offset.map(|o| format!(" at offset {o}")).unwrap_or_default())]
    Shape { url: String, offset: Option<u64>, reason: String },
    #[error("{url}: page at offset {offset} has {len} rows, more than the {size} asked for")]
    PageTooLong { url: String, offset: u64, len: usize, size: usize },
    #[error(
        "{url}: empty page at offset {offset} after {fetched} of the {expected} rows /stats announced; the release is incomplete (nothing was written)"
    )]
    EmptyPage { url: String, offset: u64, fetched: u64, expected: u64 },
    #[error(
        "{url}: {count} row(s) at offset {offset} repeat rows of earlier pages (offset drift); nothing was written"
    )]
    DuplicateRows { url: String, offset: u64, count: usize },
    #[error("{url}: /stats announced {expected} rows but the server has at least {fetched}; nothing was written")]
    CountMismatch { url: String, expected: u64, fetched: u64 },
    #[error("{url}: row count changed from {before} to {after} while paging; the release moved — try again later")]
    StatsChanged { url: String, before: u64, after: u64 },
    #[error("{url}: no {column:?} column (found {found:?}); the data contract changed")]
    MissingColumn { url: String, column: &'static str, found: Vec<String> },
    #[error(
        "release {latest} has {now} distinct suppliers, {previous_date} had {before}: a fall of more than {MAX_SUPPLIER_DROP_PERCENT}% (or to zero) looks like a broken release. Nothing was written; rerun with --allow-drop if it is real"
    )]
    SupplierDrop { latest: NaiveDate, now: usize, previous_date: NaiveDate, before: usize },
    #[error("{url}: Census reply: {reason}")]
    Census { url: String, reason: String },
    #[error("{path}: stored release unreadable: {reason}")]
    StoredData { path: PathBuf, reason: String },

    // --- store and internal: exit 1 ---
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

impl FetchError {
    /// The CLI exit code: 2 data contract / count / guard, 3 upstream, 5 configuration or
    /// credentials, 1 store I/O (including a held lock) and internal errors.
    pub fn exit_code(&self) -> i32 {
        use FetchError::*;
        match self {
            BadBaseUrl { .. } | BadOption(_) | MissingCensusKey | CensusAuth { .. } | StoreConflict { .. } => 5,
            GaveUp { .. }
            | RetryAfterTooLong { .. }
            | Status { .. }
            | NotJson { .. }
            | BadUrl { .. }
            | SeriesNotFound { .. }
            | NoReleases { .. }
            | CensusNoContent { .. } => 3,
            Catalog { .. }
            | Shape { .. }
            | PageTooLong { .. }
            | EmptyPage { .. }
            | DuplicateRows { .. }
            | CountMismatch { .. }
            | StatsChanged { .. }
            | MissingColumn { .. }
            | SupplierDrop { .. }
            | Census { .. }
            | StoredData { .. } => 2,
            Store(StoreError::Locked { .. }) => 4,
            Store(_) | Internal { .. } => 1,
        }
    }
}

/// A validated base URL: https anywhere, or plain http on a loopback host (test servers).
#[derive(Debug, Clone)]
pub(crate) struct Base {
    /// The base without a trailing slash; paths are appended to it.
    pub root: String,
    pub url: reqwest::Url,
    /// Host is 127.0.0.1, ::1 or localhost.
    pub loopback: bool,
}

impl Base {
    pub fn parse(flag: &'static str, s: &str) -> Result<Base, FetchError> {
        let bad = |reason: &str| FetchError::BadBaseUrl { flag, url: s.to_string(), reason: reason.to_string() };
        let url = reqwest::Url::parse(s.trim()).map_err(|e| bad(&format!("not a URL ({e})")))?;
        let host = url.host_str().unwrap_or_default();
        let loopback = host == "localhost"
            || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => return Err(bad("must be an https URL (plain http only on 127.0.0.1/localhost)")),
        }
        if url.host().is_none() || url.query().is_some() || url.fragment().is_some() {
            return Err(bad("must be a plain base URL: a host, an optional path, no query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not carry credentials"));
        }
        Ok(Base { root: s.trim().trim_end_matches('/').to_string(), url, loopback })
    }
}

/// Reads `{cms-url}/data.json` and returns the series with its releases, oldest first — what a
/// `status` command compares against the store. Uses `cms_url`, `series_id`, `series_title` and
/// `http` from `opts`; touches no file.
pub fn resolve_catalog(opts: &FetchOptions) -> Result<Series, FetchError> {
    let base = Base::parse("--cms-url", &opts.cms_url)?;
    check_policy(&opts.http)?;
    let http = Http::new(&opts.http, Redirects::SameOrigin, base.loopback)?;
    catalog::fetch(&http, &base, &opts.series_id, &opts.series_title)
}

/// Resolves the series in an already-read catalog document (e.g. the bundled excerpt), as if it
/// had been served at `https://data.cms.gov/data.json`. No network.
pub fn parse_catalog(json: &str, series_id: &str, series_title: &str) -> Result<Series, FetchError> {
    let url = format!("{DEFAULT_CMS_URL}/data.json");
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| FetchError::Catalog { url: url.clone(), reason: e.to_string() })?;
    let base = Base::parse("--cms-url", DEFAULT_CMS_URL)?;
    catalog::parse(&value, &url, &base, series_id, series_title)
}

fn check_policy(p: &HttpPolicy) -> Result<(), FetchError> {
    if p.max_attempts == 0 || p.budget.is_zero() || p.request_timeout.is_zero() {
        return Err(FetchError::BadOption(
            "HTTP policy needs at least 1 attempt and a non-zero budget and timeout".into(),
        ));
    }
    Ok(())
}

/// Plain lines through the caller's sink, or a progress bar on a terminal; nothing when quiet.
struct Reporter<'a> {
    quiet: bool,
    sink: &'a mut dyn FnMut(&str),
    bar: Option<ProgressBar>,
}

impl Reporter<'_> {
    fn line(&mut self, s: &str) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.suspend(|| (self.sink)(s)),
            None => (self.sink)(s),
        }
    }
}

fn now_rfc3339() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Runs a fetch. `progress` receives human-readable lines (never the Census key).
pub fn run(opts: &FetchOptions, progress: &mut dyn FnMut(&str)) -> Result<FetchSummary, FetchError> {
    let cms_base = Base::parse("--cms-url", &opts.cms_url)?;
    let census_base = Base::parse("--census-url", &opts.census_url)?;
    check_policy(&opts.http)?;
    let census_key = if opts.skip_census { None } else { Some(census::check_key(opts.census_key.as_deref())?) };

    let _lock = StoreLock::acquire(&opts.store)?;
    let index = store::read_index(&opts.store)?;
    if index.info.as_ref().is_some_and(|i| i.synthetic) {
        return Err(FetchError::StoreConflict {
            path: opts.store.join("store.json"),
            reason: "this store holds the synthetic sample; fetch into an empty folder instead".into(),
        });
    }
    let mut out = Reporter { quiet: opts.quiet, sink: progress, bar: None };

    let http = Http::new(&opts.http, Redirects::SameOrigin, cms_base.loopback)?;
    out.line(&format!("reading catalog {}/data.json", cms_base.root));
    let series = catalog::fetch(&http, &cms_base, &opts.series_id, &opts.series_title)?;
    check_store_info(&index, &series, &opts.store)?;
    let mut summary = FetchSummary {
        series_uuid: series.uuid.clone(),
        latest: series.latest().map(|r| r.date),
        warnings: series.warnings.clone(),
        ..FetchSummary::default()
    };
    for w in &series.warnings {
        out.line(&format!("warning: {w}"));
    }

    let wanted: &[CatalogRelease] = match opts.releases {
        ReleaseSelection::All => &series.releases,
        ReleaseSelection::Latest => &series.releases[series.releases.len().saturating_sub(1)..],
        ReleaseSelection::Count(n) => &series.releases[series.releases.len().saturating_sub(n as usize)..],
    };
    let stored: BTreeMap<NaiveDate, &store::StoredRelease> =
        index.releases.iter().map(|r| (r.meta.release_date, r)).collect();
    let mut todo: Vec<&CatalogRelease> = Vec::new();
    for r in wanted {
        match stored.get(&r.date).map(|s| s.meta.release_uuid.as_deref()) {
            Some(None) => summary.skipped.push(r.date),
            Some(Some(uuid)) if uuid.eq_ignore_ascii_case(&r.release_uuid) => summary.skipped.push(r.date),
            Some(Some(uuid)) => {
                out.line(&format!(
                    "{}: stored release {uuid} is superseded by {}; re-fetching",
                    r.date, r.release_uuid
                ));
                summary.replaced.push(r.date);
                todo.push(r);
            }
            None => todo.push(r),
        }
    }
    out.line(&format!(
        "{} release(s) selected: {} to fetch, {} already stored",
        wanted.len(),
        todo.len(),
        summary.skipped.len()
    ));

    if !opts.quiet && todo.len() > 1 && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(todo.len() as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} releases {msg}") {
            bar.set_style(style);
        }
        out.bar = Some(bar);
    }
    let fetched = fetch_all(&http, &todo, &mut out);
    if let Some(b) = out.bar.take() {
        b.finish_and_clear();
    }
    let fetched = fetched?;

    if !opts.allow_drop {
        guard_supplier_drop(&index, &fetched)?;
    }

    let fetched_at = now_rfc3339();
    let population = match &census_key {
        None => None,
        Some(key) => {
            let census_http = Http::new(&opts.http, Redirects::Never, census_base.loopback)?;
            out.line(&format!("reading Census ACS 5-year {} population", opts.census_year));
            let pop = census::fetch(&census_http, &census_base, opts.census_year, key, &fetched_at);
            summary.retries += census_http.retries();
            Some(pop?)
        }
    };

    // Everything succeeded: write.
    if index.info.is_none() {
        store::write_info(
            &opts.store,
            &StoreInfo {
                format: STORE_FORMAT.into(),
                series_id: series.identifier.clone(),
                series_title: series.title.clone(),
                synthetic: false,
            },
        )?;
    }
    for f in &fetched {
        let meta = ReleaseMeta {
            release_date: f.release.date,
            file: String::new(),
            rows: f.rows,
            sha256: String::new(),
            series_uuid: Some(series.uuid.clone()),
            release_uuid: Some(f.release.release_uuid.clone()),
            title: f.release.title.clone(),
            temporal: f.release.temporal.clone(),
            modified: f.release.modified.clone(),
            source_url: Some(f.release.access_url.clone()),
            fetched_at: Some(fetched_at.clone()),
        };
        store::write_release(&opts.store, meta, "json", &f.bytes)?;
        summary.new_releases.push(f.release.date);
        summary.rows += f.rows;
    }
    if let Some(pop) = &population {
        store::write_population(&opts.store, pop)?;
        summary.population_written = true;
    }
    summary.retries += http.retries();
    out.line(&summary.to_string());
    Ok(summary)
}

/// Pages every release in `todo` into memory; the first failure fails them all.
fn fetch_all(http: &Http, todo: &[&CatalogRelease], out: &mut Reporter) -> Result<Vec<FetchedRelease>, FetchError> {
    let mut fetched = Vec::with_capacity(todo.len());
    for r in todo {
        let bar = out.bar.clone();
        let date = r.date;
        let mut on_page = |n: u64, of: u64| {
            if let Some(b) = &bar {
                b.set_message(format!("{date}: {n}/{of} rows"));
            }
        };
        let f = cms::fetch_release(http, r, &mut on_page)?;
        out.line(&format!("{} ({}): {} rows, {} suppliers", r.date, r.release_uuid, f.rows, f.suppliers));
        if let Some(b) = &out.bar {
            b.inc(1);
        }
        fetched.push(f);
    }
    Ok(fetched)
}

/// A store made for another series must not receive this one's releases.
fn check_store_info(index: &StoreIndex, series: &Series, root: &Path) -> Result<(), FetchError> {
    let Some(info) = &index.info else { return Ok(()) };
    let path = root.join("store.json");
    let same = match catalog::find_uuid(&info.series_id) {
        Some(u) => u == series.uuid,
        None => info.series_id == series.identifier,
    };
    if !same {
        return Err(FetchError::StoreConflict {
            path,
            reason: format!(
                "store holds series {} but the catalog series is {}; use another --data folder",
                info.series_id, series.identifier
            ),
        });
    }
    Ok(())
}

/// Fails when the newest release (if this run fetched it) has more than 20% fewer distinct
/// suppliers than the release before it (stored or fetched), or none at all.
fn guard_supplier_drop(index: &StoreIndex, fetched: &[FetchedRelease]) -> Result<(), FetchError> {
    enum Known<'a> {
        Fetched(usize),
        Stored(&'a store::StoredRelease),
    }
    let mut all: BTreeMap<NaiveDate, Known> =
        index.releases.iter().map(|r| (r.meta.release_date, Known::Stored(r))).collect();
    for f in fetched {
        all.insert(f.release.date, Known::Fetched(f.suppliers));
    }
    let mut newest_first = all.iter().rev();
    let Some((&latest, Known::Fetched(now))) = newest_first.next() else { return Ok(()) };
    let previous = match newest_first.next() {
        None => None,
        Some((&d, Known::Fetched(n))) => Some((d, *n)),
        Some((&d, Known::Stored(s))) => Some((d, stored_suppliers(s)?)),
    };
    let (previous_date, before) = previous.unwrap_or((latest, 0));
    let dropped = *now == 0 || (*now as u64) * 100 < (before as u64) * (100 - MAX_SUPPLIER_DROP_PERCENT);
    if dropped {
        return Err(FetchError::SupplierDrop { latest, now: *now, previous_date, before });
    }
    Ok(())
}

/// Distinct suppliers in a stored release file (`data.json` rows or a `data.csv`).
fn stored_suppliers(r: &store::StoredRelease) -> Result<usize, FetchError> {
    let path = &r.data_path;
    let bytes =
        std::fs::read(path).map_err(|e| FetchError::StoredData { path: path.clone(), reason: e.to_string() })?;
    count_suppliers(&bytes, r.meta.file.ends_with(".json"), &path.display().to_string())
}

/// Distinct suppliers counted exactly as `build` counts them (normalize's rules: valid state,
/// non-empty enrollment ID, active status), so the drop guard and the report agree.
pub(crate) fn count_suppliers(bytes: &[u8], json: bool, label: &str) -> Result<usize, FetchError> {
    use crate::normalize::{self, NormalizeError, NormalizeOptions, raw};
    let table = if json { raw::parse_json(bytes) } else { raw::parse_csv(bytes) }.map_err(|e| FetchError::Shape {
        url: label.to_string(),
        offset: None,
        reason: e.to_string(),
    })?;
    let format = if json { "json" } else { "csv" };
    let source = crate::model::ReleaseSource::new(NaiveDate::default(), label, "", format);
    match normalize::normalize(&table, source, &NormalizeOptions::default()) {
        Ok(r) => Ok(r.suppliers.len()),
        Err(NormalizeError::MissingColumns { missing, found, .. }) => Err(FetchError::MissingColumn {
            url: label.to_string(),
            column: missing.first().map(|f| f.aliases()[0]).unwrap_or("Enrollment ID"),
            found,
        }),
        Err(e) => Err(FetchError::Shape { url: label.to_string(), offset: None, reason: e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_selection_parses() {
        assert_eq!("latest".parse(), Ok(ReleaseSelection::Latest));
        assert_eq!(" ALL ".parse(), Ok(ReleaseSelection::All));
        assert_eq!("12".parse(), Ok(ReleaseSelection::Count(12)));
        assert!("0".parse::<ReleaseSelection>().is_err());
        assert!("-3".parse::<ReleaseSelection>().is_err());
    }

    #[test]
    fn base_urls_https_or_loopback_http_only() {
        assert_eq!(Base::parse("--cms-url", "https://data.cms.gov/").expect("ok").root, "https://data.cms.gov");
        assert!(Base::parse("--cms-url", "http://127.0.0.1:8080/x").is_ok());
        assert!(Base::parse("--cms-url", "http://localhost:1").is_ok());
        for bad in ["http://data.cms.gov", "ftp://x", "https://u:p@x.gov", "https://x.gov/?a=1", "nope"] {
            let e = Base::parse("--cms-url", bad).expect_err(bad);
            assert_eq!(e.exit_code(), 5);
        }
    }

    #[test]
    fn exit_codes_by_family() {
        let url = String::from("u");
        assert_eq!(FetchError::EmptyPage { url: url.clone(), offset: 5, fetched: 5, expected: 9 }.exit_code(), 2);
        assert_eq!(
            FetchError::GaveUp { url: url.clone(), attempts: 5, elapsed_ms: 1, last: "x".into() }.exit_code(),
            3
        );
        assert_eq!(FetchError::CensusAuth { url, reason: "x".into() }.exit_code(), 5);
        // A second concurrent run is a publish-gate refusal (reliability.md P5), not a bug.
        assert_eq!(FetchError::Store(StoreError::Locked { path: "x".into() }).exit_code(), 4);
        assert_eq!(FetchError::Internal { reason: "x".into() }.exit_code(), 1);
    }

    #[test]
    fn stored_csv_suppliers_are_counted_with_a_bom() {
        let dir = tempfile::tempdir().expect("tempdir");
        let meta = ReleaseMeta {
            release_date: "2024-12-23".parse().expect("date"),
            file: String::new(),
            rows: 3,
            sha256: String::new(),
            series_uuid: None,
            release_uuid: None,
            title: None,
            temporal: None,
            modified: None,
            source_url: None,
            fetched_at: None,
        };
        let csv = "\u{feff}Enrollment ID,State\nO1,AL\nO1,CA\n O2 ,NY\n,TX\n";
        let stored = store::write_release(dir.path(), meta, "csv", csv.as_bytes()).expect("write");
        assert_eq!(stored_suppliers(&stored).expect("count"), 2);
    }

    #[test]
    fn summary_reads_well() {
        let s = FetchSummary {
            new_releases: vec!["2025-01-07".parse().expect("date")],
            rows: 10,
            retries: 1,
            population_written: true,
            ..FetchSummary::default()
        };
        assert_eq!(s.to_string(), "fetch: 1 new release(s), 0 already stored, 10 rows, 1 retry; population written");
    }
}
