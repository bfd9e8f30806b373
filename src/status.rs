//! `hit-atlas status`: what the catalog has that the store lacks. The comparison is pure; the
//! catalog read is `fetch`'s. Exit codes a workflow can branch on: 0 the store is up to date,
//! 10 the catalog lists release(s) the store lacks (or holds under another release UUID),
//! otherwise the fetch error's code (3 upstream, 2 catalog contract, 5 configuration).

use chrono::NaiveDate;
use serde::Serialize;

use crate::fetch::Series;
use crate::store::StoreIndex;

/// Exit code when new releases are waiting.
pub const EXIT_NEW: u8 = 10;

/// The comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    pub series_title: String,
    pub series_uuid: String,
    pub catalog_releases: usize,
    pub catalog_latest: Option<NaiveDate>,
    pub stored_releases: usize,
    pub stored_latest: Option<NaiveDate>,
    /// Catalog releases not in the store, or stored under a different release UUID; oldest first.
    pub new_releases: Vec<NaiveDate>,
    pub up_to_date: bool,
}

/// Compares a resolved catalog series with a store index.
pub fn compare(series: &Series, index: &StoreIndex) -> StatusReport {
    let new_releases: Vec<NaiveDate> = series
        .releases
        .iter()
        .filter(|c| {
            !index.releases.iter().any(|s| {
                s.meta.release_date == c.date
                    && s.meta.release_uuid.as_deref().is_none_or(|u| u.eq_ignore_ascii_case(&c.release_uuid))
            })
        })
        .map(|c| c.date)
        .collect();
    StatusReport {
        series_title: series.title.clone(),
        series_uuid: series.uuid.clone(),
        catalog_releases: series.releases.len(),
        catalog_latest: series.latest().map(|r| r.date),
        stored_releases: index.releases.len(),
        stored_latest: index.releases.last().map(|r| r.meta.release_date),
        up_to_date: new_releases.is_empty(),
        new_releases,
    }
}

impl std::fmt::Display for StatusReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = |x: Option<NaiveDate>| x.map(|d| d.to_string()).unwrap_or_else(|| "none".into());
        writeln!(f, "{} ({})", self.series_title, self.series_uuid)?;
        writeln!(f, "catalog: {} releases, latest {}", self.catalog_releases, d(self.catalog_latest))?;
        writeln!(f, "store:   {} releases, latest {}", self.stored_releases, d(self.stored_latest))?;
        if self.up_to_date {
            write!(f, "up to date")
        } else {
            let list: Vec<String> = self.new_releases.iter().map(|d| d.to_string()).collect();
            write!(f, "{} new: {} (run `hit-atlas fetch --releases all`)", list.len(), list.join(", "))
        }
    }
}
