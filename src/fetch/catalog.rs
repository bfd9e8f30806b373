//! The data.cms.gov DCAT-US catalog (`{cms-url}/data.json`): find the series, list its releases.
//!
//! The series is found by its identifier UUID, with the title (whitespace-normalised,
//! case-insensitive) as a fallback. Each release is an API distribution with its own UUID; the
//! `"latest"` alias (its UUID is the series UUID) is skipped because it moves when CMS publishes,
//! so paging against it could mix two releases. Release dates come from the distribution title
//! (`"Home Infusion Therapy Providers : 2025-01-07"`), else `modified`, else the end of `temporal`.
//!
//! URL policy: a distribution's `accessURL` is trusted only for its release UUID. Its host must be
//! `data.cms.gov` (https) or the host of `--cms-url`; anything else is refused as a catalog
//! error. The URL actually paged is rebuilt as `{cms-url}/data-api/v1/dataset/{uuid}/data`, so a
//! mirror or test server given as `--cms-url` serves everything, and a tampered catalog can
//! never send requests to a third host.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::http::{Http, Reply, Verdict};
use super::{Base, FetchError};

/// The Home Infusion Therapy Providers series identifier in the data.cms.gov catalog.
pub const DEFAULT_SERIES_ID: &str =
    "https://data.cms.gov/data-api/v1/dataset/31f25ab6-2fe3-4bad-ac5a-90635ed79935/data-viewer";
/// The series title, used when no dataset carries the identifier.
pub const DEFAULT_SERIES_TITLE: &str = "Home Infusion Therapy Providers";

/// The host real catalogs name in every URL.
const CMS_HOST: &str = "data.cms.gov";

/// One release of the series as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRelease {
    pub date: NaiveDate,
    pub release_uuid: String,
    pub title: Option<String>,
    pub temporal: Option<String>,
    pub modified: Option<String>,
    /// Where the rows are paged from: `{cms-url}/data-api/v1/dataset/{uuid}/data`.
    pub access_url: String,
    /// The `accessURL` exactly as the catalog gives it.
    pub catalog_access_url: String,
}

/// The series and its releases, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// The dataset's `identifier` as the catalog gives it.
    pub identifier: String,
    pub uuid: String,
    pub title: String,
    /// The catalog URL read.
    pub catalog_url: String,
    pub releases: Vec<CatalogRelease>,
    /// Oddities worth telling the user (skipped distributions, title fallback, …).
    pub warnings: Vec<String>,
}

impl Series {
    /// The newest release, pinned by its own UUID.
    pub fn latest(&self) -> Option<&CatalogRelease> {
        self.releases.last()
    }
}

#[derive(Debug, Deserialize)]
struct RawCatalog {
    dataset: Vec<Value>,
}

#[derive(Debug, Deserialize)]
struct RawDataset {
    identifier: String,
    title: String,
    #[serde(default)]
    distribution: Vec<RawDistribution>,
}

#[derive(Debug, Deserialize)]
struct RawDistribution {
    #[serde(rename = "accessURL")]
    access_url: Option<String>,
    format: Option<String>,
    description: Option<String>,
    title: Option<String>,
    temporal: Option<String>,
    modified: Option<String>,
}

/// Downloads `{base}/data.json` and resolves the series.
pub(crate) fn fetch(http: &Http, base: &Base, series_id: &str, series_title: &str) -> Result<Series, FetchError> {
    let url = format!("{}/data.json", base.root);
    let shown = url.clone();
    let value = http.get(&url, &shown, |r| json_reply(r, &shown))?;
    parse(&value, &url, base, series_id, series_title)
}

/// The CMS rule for a successful reply: status 200 and a JSON body. HTML (a maintenance or WAF
/// page) and unparseable JSON (a body cut short) are retried; any other status fails at once.
pub(crate) fn json_reply(r: Reply, shown: &str) -> Verdict<Value> {
    if r.status != 200 {
        return Verdict::Fail(FetchError::Status { url: shown.to_string(), status: r.status, excerpt: r.excerpt() });
    }
    if r.is_html() {
        return Verdict::Retry(format!("status 200 but an HTML page instead of JSON: {}", r.excerpt()));
    }
    if !r.content_type.to_ascii_lowercase().contains("json") {
        return Verdict::Fail(FetchError::NotJson { url: shown.to_string(), content_type: r.content_type.clone() });
    }
    match serde_json::from_slice(&r.body) {
        Ok(v) => Verdict::Done(v),
        Err(e) => Verdict::Retry(format!("body is not complete JSON ({e}); truncated?")),
    }
}

/// The first UUID-shaped token in `s` (lower-cased).
pub(crate) fn find_uuid(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    (0..bytes.len().saturating_sub(35)).find_map(|i| {
        let cand = s.get(i..i + 36)?;
        is_uuid(cand).then(|| cand.to_ascii_lowercase())
    })
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

/// Whitespace-normalised, case-folded text for comparing titles (the catalog has NBSPs and
/// double spaces).
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The release date in a distribution title such as `"Home Infusion Therapy Providers : 2025-01-07"`.
pub(crate) fn date_from_title(title: &str) -> Option<NaiveDate> {
    let tail = title.rsplit(':').next()?.trim();
    NaiveDate::parse_from_str(tail, "%Y-%m-%d").ok()
}

fn date_prefix(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim().get(..10)?, "%Y-%m-%d").ok()
}

fn release_date(d: &RawDistribution) -> Option<NaiveDate> {
    d.title
        .as_deref()
        .and_then(date_from_title)
        .or_else(|| d.modified.as_deref().and_then(date_prefix))
        .or_else(|| d.temporal.as_deref().and_then(|t| t.rsplit('/').next()).and_then(date_prefix))
}

/// Checks a distribution URL against the allowlist and returns the release UUID it names, or
/// `Ok(None)` when the URL is not a data-API URL at all.
fn release_uuid(access_url: &str, base: &Base, catalog_url: &str) -> Result<Option<String>, FetchError> {
    let url = reqwest::Url::parse(access_url).map_err(|e| FetchError::Catalog {
        url: catalog_url.to_string(),
        reason: format!("accessURL {access_url:?} is not a URL: {e}"),
    })?;
    let host = url.host_str().unwrap_or_default();
    let cms = url.scheme() == "https" && host == CMS_HOST;
    let same_as_base = url.origin() == base.url.origin();
    if !cms && !same_as_base {
        return Err(FetchError::Catalog {
            url: catalog_url.to_string(),
            reason: format!(
                "accessURL {access_url:?} points outside the allowed hosts (https://{CMS_HOST} or the --cms-url \
                 origin); refusing to use this catalog"
            ),
        });
    }
    let segs: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
    let n = segs.len();
    if n >= 5 && segs[n - 5..n - 2] == ["data-api", "v1", "dataset"] && segs[n - 1] == "data" && is_uuid(segs[n - 2]) {
        Ok(Some(segs[n - 2].to_ascii_lowercase()))
    } else {
        Ok(None)
    }
}

/// Resolves the series in a parsed catalog. Pure apart from its inputs; `catalog_url` only
/// labels errors.
pub(crate) fn parse(
    catalog: &Value,
    catalog_url: &str,
    base: &Base,
    series_id: &str,
    series_title: &str,
) -> Result<Series, FetchError> {
    let cat_err = |reason: String| FetchError::Catalog { url: catalog_url.to_string(), reason };
    let raw: RawCatalog = serde_json::from_value(catalog.clone())
        .map_err(|e| cat_err(format!("not a DCAT-US catalog (no \"dataset\" array): {e}")))?;
    let want_uuid = find_uuid(series_id);
    let mut warnings = Vec::new();
    let field = |d: &Value, k: &str| d.get(k).and_then(Value::as_str).map(str::to_string);
    let by_id: Vec<&Value> = raw
        .dataset
        .iter()
        .filter(|d| {
            let id = field(d, "identifier").unwrap_or_default();
            match &want_uuid {
                Some(u) => find_uuid(&id).as_ref() == Some(u),
                None => id == series_id,
            }
        })
        .collect();
    let chosen = match by_id.as_slice() {
        [one] => *one,
        [] => {
            let want = norm(series_title);
            let by_title: Vec<&Value> =
                raw.dataset.iter().filter(|d| field(d, "title").is_some_and(|t| norm(&t) == want)).collect();
            match by_title.as_slice() {
                [one] => {
                    warnings.push(format!(
                        "no dataset has identifier {series_id}; using the one titled {series_title:?} ({})",
                        field(one, "identifier").unwrap_or_default()
                    ));
                    *one
                }
                [] => {
                    return Err(FetchError::SeriesNotFound {
                        url: catalog_url.to_string(),
                        series_id: series_id.to_string(),
                        title: series_title.to_string(),
                    });
                }
                many => {
                    return Err(cat_err(format!(
                        "{} datasets are titled {series_title:?} and none has identifier {series_id}; pass the \
                         series identifier",
                        many.len()
                    )));
                }
            }
        }
        many => return Err(cat_err(format!("{} datasets have identifier {series_id}", many.len()))),
    };
    let ds: RawDataset = serde_json::from_value(chosen.clone())
        .map_err(|e| cat_err(format!("the series entry is not a DCAT dataset: {e}")))?;
    let series_uuid = find_uuid(&ds.identifier)
        .ok_or_else(|| cat_err(format!("series identifier {:?} holds no UUID", ds.identifier)))?;

    let mut releases: Vec<CatalogRelease> = Vec::new();
    let mut alias: Option<(Option<String>, Option<String>)> = None;
    for d in &ds.distribution {
        let Some(access) = d.access_url.as_deref() else { continue };
        if !d.format.as_deref().is_some_and(|f| f.trim().eq_ignore_ascii_case("api")) {
            continue;
        }
        let Some(uuid) = release_uuid(access, base, catalog_url)? else {
            warnings.push(format!("skipped API distribution {access:?}: not a data-api dataset URL"));
            continue;
        };
        let is_latest = d.description.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case("latest"));
        if is_latest || uuid == series_uuid {
            alias = Some((d.temporal.clone(), d.modified.clone()));
            continue;
        }
        let Some(date) = release_date(d) else {
            warnings.push(format!("skipped release {uuid}: no date in its title, modified or temporal"));
            continue;
        };
        if releases.iter().any(|r| r.release_uuid == uuid) {
            continue;
        }
        releases.push(CatalogRelease {
            date,
            release_uuid: uuid.clone(),
            title: d.title.clone(),
            temporal: d.temporal.clone(),
            modified: d.modified.clone(),
            access_url: format!("{}/data-api/v1/dataset/{uuid}/data", base.root),
            catalog_access_url: access.to_string(),
        });
    }
    // Two releases on one date: keep the one modified last (ties: the larger UUID), say so.
    releases.sort_by(|a, b| (a.date, &a.modified, &a.release_uuid).cmp(&(b.date, &b.modified, &b.release_uuid)));
    let mut kept: Vec<CatalogRelease> = Vec::with_capacity(releases.len());
    for r in releases {
        if let Some(prev) = kept.last_mut().filter(|p| p.date == r.date) {
            warnings
                .push(format!("two releases dated {}: using {} over {}", r.date, r.release_uuid, prev.release_uuid));
            *prev = r;
        } else {
            kept.push(r);
        }
    }
    if kept.is_empty() {
        return Err(FetchError::NoReleases { url: catalog_url.to_string(), series: ds.title });
    }
    if let (Some((temporal, modified)), Some(last)) = (&alias, kept.last())
        && (temporal != &last.temporal || modified != &last.modified)
    {
        warnings.push(format!(
            "the catalog's \"latest\" alias (temporal {temporal:?}, modified {modified:?}) does not match the newest \
             dated release {} ({}); using the dated release",
            last.date, last.release_uuid
        ));
    }
    Ok(Series {
        identifier: ds.identifier,
        uuid: series_uuid,
        title: ds.title,
        catalog_url: catalog_url.to_string(),
        releases: kept,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXCERPT: &str = include_str!("../../data/cms/data.json.excerpt.json");

    fn base(s: &str) -> Base {
        Base::parse("--cms-url", s).expect("base")
    }

    fn excerpt() -> Value {
        serde_json::from_str(EXCERPT).expect("excerpt parses")
    }

    #[test]
    fn real_excerpt_resolves_42_pinned_releases() {
        let s = parse(
            &excerpt(),
            "https://data.cms.gov/data.json",
            &base("https://data.cms.gov"),
            DEFAULT_SERIES_ID,
            DEFAULT_SERIES_TITLE,
        )
        .expect("series");
        assert_eq!(s.uuid, "31f25ab6-2fe3-4bad-ac5a-90635ed79935");
        assert_eq!(s.releases.len(), 42);
        assert!(s.releases.iter().all(|r| r.release_uuid != s.uuid), "the latest alias is never a release");
        assert!(s.releases.windows(2).all(|w| w[0].date < w[1].date));
        let latest = s.latest().expect("latest");
        assert_eq!(latest.date.to_string(), "2025-01-07");
        assert_eq!(latest.release_uuid, "8596aa47-d4d4-4149-bc80-eb52e2d3a761");
        assert_eq!(latest.temporal.as_deref(), Some("2024-12-22/2025-01-04"));
        assert_eq!(
            latest.access_url,
            "https://data.cms.gov/data-api/v1/dataset/8596aa47-d4d4-4149-bc80-eb52e2d3a761/data"
        );
        assert_eq!(s.releases[0].date.to_string(), "2023-05-25");
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn other_base_rebases_urls_and_title_fallback_works() {
        let s = parse(
            &excerpt(),
            "x",
            &base("http://127.0.0.1:9/mirror/"),
            "no-such-id",
            "home  infusion\u{a0}THERAPY providers",
        )
        .expect("series by title");
        assert_eq!(s.releases.len(), 42);
        assert!(s.releases[0].access_url.starts_with("http://127.0.0.1:9/mirror/data-api/v1/dataset/"));
        assert!(s.warnings[0].contains("no dataset has identifier"));
    }

    #[test]
    fn missing_series_and_foreign_hosts_are_errors() {
        let b = base("https://data.cms.gov");
        assert!(matches!(parse(&excerpt(), "x", &b, "nope", "Nope"), Err(FetchError::SeriesNotFound { .. })));
        let evil = EXCERPT.replace(
            "https://data.cms.gov/data-api/v1/dataset/8596aa47",
            "https://evil.example/data-api/v1/dataset/8596aa47",
        );
        let v: Value = serde_json::from_str(&evil).expect("json");
        let err = parse(&v, "x", &b, DEFAULT_SERIES_ID, DEFAULT_SERIES_TITLE).expect_err("refused");
        assert!(err.to_string().contains("evil.example"), "{err}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn release_date_sources_in_order() {
        assert_eq!(date_from_title("Home Infusion Therapy Providers : 2025-01-07"), "2025-01-07".parse().ok());
        assert_eq!(date_from_title("Home Infusion Therapy Providers"), None);
        let d = |title: Option<&str>, modified: Option<&str>, temporal: Option<&str>| RawDistribution {
            access_url: None,
            format: None,
            description: None,
            title: title.map(String::from),
            temporal: temporal.map(String::from),
            modified: modified.map(String::from),
        };
        assert_eq!(release_date(&d(Some("X : 2024-02-03"), Some("2024-09-09"), None)), "2024-02-03".parse().ok());
        assert_eq!(release_date(&d(Some("X"), Some("2024-09-09T10:00:00"), None)), "2024-09-09".parse().ok());
        assert_eq!(release_date(&d(None, None, Some("2024-01-01/2024-01-14"))), "2024-01-14".parse().ok());
        assert_eq!(release_date(&d(None, None, None)), None);
    }

    #[test]
    fn uuid_finder() {
        assert_eq!(find_uuid(DEFAULT_SERIES_ID).as_deref(), Some("31f25ab6-2fe3-4bad-ac5a-90635ed79935"));
        assert_eq!(
            find_uuid("31F25AB6-2FE3-4BAD-AC5A-90635ED79935").as_deref(),
            Some("31f25ab6-2fe3-4bad-ac5a-90635ed79935")
        );
        assert_eq!(find_uuid("not-a-uuid"), None);
    }
}
