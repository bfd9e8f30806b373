//! Pure metrics over normalized releases: no I/O, no formatting.
//!
//! Input: the releases (oldest first) and the population table. Output: a [`Metrics`] value with
//! one [`StateRow`] per jurisdiction for the latest release (the 50 states, DC and PR always; the
//! other territories when the data names them), one [`ReleaseRow`] per release, per-state series
//! for sparklines, and the new/dropped suppliers at each release. Formatting for people happens
//! in `render`; classing and colour in `chart`.

mod changes;
mod states;

pub use changes::{ReleaseChange, SupplierRef, release_changes};
pub use states::{Display, SMALL_COUNT_MAX, StateRow, state_rows};

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Population, Release};

/// One row per release (the `releases.csv` contract).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseRow {
    pub date: NaiveDate,
    /// Distinct enrollment IDs counted.
    pub suppliers: u32,
    /// Data rows read.
    pub rows: u64,
    /// Suppliers not in the previous release (`None` for the first release).
    pub new: Option<u32>,
    /// Suppliers of the previous release no longer listed (`None` for the first release).
    pub dropped: Option<u32>,
    pub quarantined: u32,
}

/// National totals for the latest release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct National {
    /// All distinct suppliers, territories included.
    pub suppliers: u32,
    /// Suppliers practising in the 50 states, DC and PR (the per-million numerator).
    pub suppliers_with_population: u32,
    /// Population of the 50 states, DC and PR.
    pub population: u64,
    pub per_million: Option<f64>,
    /// Jurisdictions always reported that have no supplier, by USPS code (sorted by name).
    pub zero_states: Vec<String>,
    /// Jurisdictions always reported that no supplier lists as a service area.
    pub unserved_states: Vec<String>,
    pub service_area_rows: u64,
}

/// Everything the chart and render stages need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub latest: NaiveDate,
    pub states: Vec<StateRow>,
    pub national: National,
    pub releases: Vec<ReleaseRow>,
    /// Suppliers per release for each reported jurisdiction (USPS), aligned with `releases`.
    pub state_series: BTreeMap<String, Vec<u32>>,
    /// New and dropped suppliers at each release after the first, newest first.
    pub changes: Vec<ReleaseChange>,
}

/// Errors that stop metrics (none are data problems; those were collected in normalize).
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("no release to report on: give at least one release file or a snapshot store")]
    NoReleases,
    #[error("two inputs claim the same release date {0}; pass each release once")]
    DuplicateDate(NaiveDate),
}

/// Computes every metric. `releases` may be in any order; they are sorted by date.
pub fn compute(releases: &[Release], population: &Population) -> Result<Metrics, MetricsError> {
    let mut order: Vec<&Release> = releases.iter().collect();
    order.sort_by_key(|r| r.source.date);
    for pair in order.windows(2) {
        if pair[0].source.date == pair[1].source.date {
            return Err(MetricsError::DuplicateDate(pair[0].source.date));
        }
    }
    let latest = *order.last().ok_or(MetricsError::NoReleases)?;

    let states = state_rows(latest, population);
    let national = national(latest, &states);

    let mut rows = Vec::with_capacity(order.len());
    let mut changes = Vec::new();
    for (i, r) in order.iter().enumerate() {
        let (new, dropped) = match i.checked_sub(1).map(|p| order[p]) {
            Some(prev) => {
                let c = release_changes(prev, r);
                let counts = (Some(c.new.len() as u32), Some(c.dropped.len() as u32));
                changes.push(c);
                counts
            }
            None => (None, None),
        };
        rows.push(ReleaseRow {
            date: r.source.date,
            suppliers: r.suppliers.len() as u32,
            rows: r.rows_read,
            new,
            dropped,
            quarantined: r.quarantine.len() as u32,
        });
    }
    changes.reverse();

    let mut state_series: BTreeMap<String, Vec<u32>> =
        states.iter().map(|s| (s.usps.clone(), Vec::with_capacity(order.len()))).collect();
    for r in &order {
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for s in r.suppliers.values() {
            *counts.entry(s.state.as_str()).or_default() += 1;
        }
        for (usps, series) in state_series.iter_mut() {
            series.push(counts.get(usps.as_str()).copied().unwrap_or(0));
        }
    }

    Ok(Metrics { latest: latest.source.date, states, national, releases: rows, state_series, changes })
}

fn national(latest: &Release, states: &[StateRow]) -> National {
    let with_pop: Vec<&StateRow> = states.iter().filter(|s| s.population.is_some()).collect();
    let suppliers_with_population = with_pop.iter().map(|s| s.suppliers).sum();
    let population: u64 = with_pop.iter().filter_map(|s| s.population).sum();
    let mut zero: Vec<&StateRow> = states.iter().filter(|s| s.always_reported && s.suppliers == 0).collect();
    zero.sort_by(|a, b| a.name.cmp(&b.name));
    let mut unserved: Vec<&StateRow> = states.iter().filter(|s| s.always_reported && s.served_by == Some(0)).collect();
    unserved.sort_by(|a, b| a.name.cmp(&b.name));
    National {
        suppliers: latest.suppliers.len() as u32,
        suppliers_with_population,
        population,
        per_million: states::per_million(suppliers_with_population, Some(population)),
        zero_states: zero.iter().map(|s| s.usps.clone()).collect(),
        unserved_states: unserved.iter().map(|s| s.usps.clone()).collect(),
        service_area_rows: latest.suppliers.values().map(|s| s.service_areas.len() as u64).sum(),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Small hand-built releases for metric tests.
    use super::*;
    use crate::model::{PopulationSource, ReleaseSource, ServiceArea, Supplier};

    pub fn supplier(id: &str, state: &str, areas: &[&str]) -> Supplier {
        Supplier {
            enrollment_id: id.into(),
            name: format!("Supplier {id}"),
            address: String::new(),
            city: "Town".into(),
            state: state.into(),
            zip: "02134".into(),
            phone: String::new(),
            specialty: "Home Infusion Therapy Supplier".into(),
            status: None,
            service_areas: areas
                .iter()
                .map(|s| ServiceArea {
                    state: Some(s.to_string()),
                    kind: "State".into(),
                    county: String::new(),
                    city: String::new(),
                    zip: String::new(),
                })
                .collect(),
            first_line: 2,
        }
    }

    pub fn release(date: &str, suppliers: Vec<Supplier>) -> Release {
        Release {
            source: ReleaseSource::new(date.parse().expect("test date"), format!("{date}.csv"), "0".repeat(64), "csv"),
            rows_read: suppliers.iter().map(|s| s.service_areas.len().max(1) as u64).sum(),
            rows_kept: suppliers.iter().map(|s| s.service_areas.len().max(1) as u64).sum(),
            suppliers: suppliers.into_iter().map(|s| (s.enrollment_id.clone(), s)).collect(),
            quarantine: Vec::new(),
            notes: Vec::new(),
            has_service_areas: true,
            status_filtered: false,
        }
    }

    /// Every state, DC and PR with a population of 1,000,000 except where overridden.
    pub fn population(overrides: &[(&str, u64)]) -> Population {
        let mut total: BTreeMap<String, u64> = crate::geo::JURISDICTIONS
            .iter()
            .filter(|j| j.always_reported())
            .map(|j| (j.fips.to_string(), 1_000_000))
            .collect();
        for (fips, n) in overrides {
            total.insert(fips.to_string(), *n);
        }
        Population {
            source: PopulationSource { label: "test".into(), year: 2024, path: "test".into(), sha256: String::new() },
            total,
            age65: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    #[test]
    fn release_rows_count_new_and_dropped() {
        let r1 = release("2024-01-02", vec![supplier("A", "TX", &["TX"]), supplier("B", "CA", &["CA"])]);
        let r2 = release("2024-01-16", vec![supplier("B", "CA", &["CA"]), supplier("C", "NY", &["NY", "NJ"])]);
        // Given newest first on purpose: compute sorts by date.
        let m = compute(&[r2, r1], &population(&[])).expect("metrics");
        assert_eq!(m.releases.len(), 2);
        assert_eq!(m.releases[0].new, None);
        assert_eq!((m.releases[1].new, m.releases[1].dropped), (Some(1), Some(1)));
        assert_eq!(m.latest.to_string(), "2024-01-16");
        assert_eq!(m.state_series["TX"], vec![1, 0]);
        assert_eq!(m.state_series["NY"], vec![0, 1]);
        assert_eq!(m.changes.len(), 1);
        assert_eq!(m.changes[0].new[0].enrollment_id, "C");
        assert_eq!(m.changes[0].dropped[0].enrollment_id, "A");
    }

    #[test]
    fn national_rate_and_zero_states() {
        let r = release("2024-01-02", vec![supplier("A", "TX", &["TX", "OK"]), supplier("B", "GU", &["GU"])]);
        let m = compute(&[r], &population(&[])).expect("metrics");
        assert_eq!(m.national.suppliers, 2);
        assert_eq!(m.national.suppliers_with_population, 1);
        assert_eq!(m.national.population, 52_000_000);
        let pm = m.national.per_million.expect("rate");
        assert!((pm - 1.0 / 52.0).abs() < 1e-12);
        assert_eq!(m.national.zero_states.len(), 51);
        assert!(!m.national.zero_states.contains(&"TX".to_string()));
        assert!(!m.national.unserved_states.contains(&"OK".to_string()));
    }

    #[test]
    fn compacting_history_changes_no_metric() {
        let r1 = release("2024-01-02", vec![supplier("A", "TX", &["TX", "OK"]), supplier("B", "CA", &["CA"])]);
        let r2 = release("2024-01-16", vec![supplier("B", "CA", &["CA"]), supplier("C", "NY", &["NY", "NJ"])]);
        let r3 = release("2024-01-30", vec![supplier("C", "NY", &["NY"]), supplier("D", "PR", &["PR", "VI"])]);
        let whole = compute(&[r1.clone(), r2.clone(), r3.clone()], &population(&[])).expect("metrics");
        let (mut c1, mut c2) = (r1, r2);
        c1.compact();
        c2.compact();
        assert!(c1.suppliers.values().all(|s| s.service_areas.is_empty()));
        let compacted = compute(&[c1, c2, r3], &population(&[])).expect("metrics");
        assert_eq!(whole, compacted);
    }

    #[test]
    fn empty_and_duplicate_inputs_are_errors() {
        assert!(matches!(compute(&[], &population(&[])), Err(MetricsError::NoReleases)));
        let a = release("2024-01-02", vec![]);
        let b = release("2024-01-02", vec![]);
        assert!(matches!(compute(&[a, b], &population(&[])), Err(MetricsError::DuplicateDate(_))));
    }
}
