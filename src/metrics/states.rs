//! Suppliers per jurisdiction, per million residents, rank and display class.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::geo::{JURISDICTIONS, JurisdictionKind};
use crate::model::{Population, Release};

/// Rates built on this many suppliers or fewer are flagged as unstable.
pub const SMALL_COUNT_MAX: u32 = 2;

/// The four ways a jurisdiction can appear on a map or in a table; kept distinct end to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Display {
    /// At least one supplier and a known population: a per-million rate.
    Rate,
    /// No supplier, population known: a true zero, the most important class.
    Zero,
    /// Named in the data but no population figure: a count without a rate.
    NoPopulation,
    /// Not named in the data and no population: nothing is known.
    NotInFile,
}

impl Display {
    /// Words used in legends, tooltips, tables and alt text.
    pub fn label(self) -> &'static str {
        match self {
            Display::Rate => "suppliers per million residents",
            Display::Zero => "0 suppliers",
            Display::NoPopulation => "no population figure",
            Display::NotInFile => "not in the file",
        }
    }
}

/// One jurisdiction in the latest release (the `state-metrics.csv` contract, plus extras).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateRow {
    pub usps: String,
    pub fips: String,
    pub name: String,
    pub kind: JurisdictionKind,
    pub always_reported: bool,
    /// Distinct suppliers whose practice location is here.
    pub suppliers: u32,
    /// Distinct suppliers listing a service area here; `None` when the file has no service areas.
    pub served_by: Option<u32>,
    /// Service-area rows naming this state (coverage detail).
    pub service_area_rows: u64,
    pub population: Option<u64>,
    pub population_65: Option<u64>,
    pub per_million: Option<f64>,
    /// Suppliers per million residents aged 65+.
    pub per_million_65: Option<f64>,
    /// Served-by suppliers per million residents.
    pub served_per_million: Option<f64>,
    /// 1 = most suppliers per million; ties share a rank. `None` without a population.
    pub rank: Option<u32>,
    /// Named anywhere in the release (as practice or service-area state).
    pub in_data: bool,
    /// Rate rests on 1–[`SMALL_COUNT_MAX`] suppliers.
    pub small_count: bool,
    pub display: Display,
}

/// Suppliers per million, `None` without a (non-zero) population.
pub fn per_million(count: u32, population: Option<u64>) -> Option<f64> {
    population.filter(|&p| p > 0).map(|p| f64::from(count) * 1_000_000.0 / p as f64)
}

/// One row per jurisdiction: always the 50 states, DC and PR; territories when named in the data.
/// Sorted by name.
pub fn state_rows(release: &Release, population: &Population) -> Vec<StateRow> {
    let mut practice: BTreeMap<&str, u32> = BTreeMap::new();
    let mut served: BTreeMap<&str, u32> = BTreeMap::new();
    let mut area_rows: BTreeMap<&str, u64> = BTreeMap::new();
    let mut named: BTreeSet<&str> = BTreeSet::new();
    for s in release.suppliers.values() {
        *practice.entry(s.state.as_str()).or_default() += 1;
        named.insert(s.state.as_str());
        for st in s.area_states() {
            *served.entry(st).or_default() += 1;
            named.insert(st);
        }
        for a in &s.service_areas {
            if let Some(st) = a.state.as_deref() {
                *area_rows.entry(st).or_default() += 1;
            }
        }
    }

    let mut rows: Vec<StateRow> = JURISDICTIONS
        .iter()
        .filter(|j| j.always_reported() || named.contains(j.usps))
        .map(|j| {
            let suppliers = practice.get(j.usps).copied().unwrap_or(0);
            let served_by = release.has_service_areas.then(|| served.get(j.usps).copied().unwrap_or(0));
            let pop = population.total.get(j.fips).copied();
            let pop65 = population.age65.get(j.fips).copied();
            let in_data = named.contains(j.usps);
            let display = match (pop.is_some(), suppliers > 0, in_data) {
                (true, true, _) => Display::Rate,
                (true, false, _) => Display::Zero,
                (false, _, true) => Display::NoPopulation,
                (false, _, false) => Display::NotInFile,
            };
            StateRow {
                usps: j.usps.to_string(),
                fips: j.fips.to_string(),
                name: j.name.to_string(),
                kind: j.kind,
                always_reported: j.always_reported() || j.kind != JurisdictionKind::Territory,
                suppliers,
                served_by,
                service_area_rows: area_rows.get(j.usps).copied().unwrap_or(0),
                population: pop,
                population_65: pop65,
                per_million: per_million(suppliers, pop),
                per_million_65: per_million(suppliers, pop65),
                served_per_million: served_by.and_then(|n| per_million(n, pop)),
                rank: None,
                in_data,
                small_count: (1..=SMALL_COUNT_MAX).contains(&suppliers) && pop.is_some(),
                display,
            }
        })
        .collect();

    // Standard competition ranking (1, 2, 2, 4) on the rate, highest first. Rates are compared
    // after rounding to 1e-9 so float noise never splits a tie.
    let key = |r: &StateRow| r.per_million.map(|v| (v * 1e9).round() as i64);
    let mut ranked: Vec<(i64, usize)> = rows.iter().enumerate().filter_map(|(i, r)| key(r).map(|k| (k, i))).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut prev: Option<(i64, u32)> = None;
    for (pos, (k, idx)) in ranked.iter().enumerate() {
        let rank = match prev {
            Some((pk, pr)) if pk == *k => pr,
            _ => pos as u32 + 1,
        };
        rows[*idx].rank = Some(rank);
        prev = Some((*k, rank));
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn row<'a>(rows: &'a [StateRow], usps: &str) -> &'a StateRow {
        rows.iter().find(|r| r.usps == usps).expect("row present")
    }

    #[test]
    fn every_state_dc_pr_present_with_zero() {
        let r = release("2024-01-02", vec![supplier("A", "TX", &["TX"])]);
        let rows = state_rows(&r, &population(&[]));
        assert_eq!(rows.len(), 52, "50 states + DC + PR, no territory named");
        let wy = row(&rows, "WY");
        assert_eq!((wy.suppliers, wy.served_by, wy.display), (0, Some(0), Display::Zero));
        assert_eq!(wy.per_million, Some(0.0));
        assert!(rows.iter().all(|r| r.usps != "GU"));
    }

    #[test]
    fn per_million_arithmetic() {
        assert_eq!(per_million(3, Some(1_500_000)), Some(2.0));
        assert_eq!(per_million(1, Some(578_803)).map(|v| (v * 100.0).round() / 100.0), Some(1.73));
        assert_eq!(per_million(5, None), None);
        assert_eq!(per_million(5, Some(0)), None);
    }

    #[test]
    fn served_by_counts_distinct_suppliers_not_rows() {
        let mut s = supplier("A", "TX", &["OK", "OK", "TX"]);
        s.service_areas[1].county = "Tulsa".into();
        let r = release("2024-01-02", vec![s, supplier("B", "TX", &["OK"])]);
        let rows = state_rows(&r, &population(&[]));
        let ok = row(&rows, "OK");
        assert_eq!((ok.suppliers, ok.served_by, ok.service_area_rows), (0, Some(2), 3));
        assert_eq!(row(&rows, "TX").suppliers, 2);
    }

    #[test]
    fn territories_four_display_states() {
        let r = release("2024-01-02", vec![supplier("A", "GU", &["GU"]), supplier("B", "PR", &["PR", "VI"])]);
        let rows = state_rows(&r, &population(&[]));
        assert_eq!(row(&rows, "GU").display, Display::NoPopulation);
        assert_eq!(row(&rows, "GU").per_million, None);
        assert_eq!(row(&rows, "GU").rank, None);
        assert_eq!(row(&rows, "VI").display, Display::NoPopulation);
        assert_eq!(row(&rows, "VI").suppliers, 0);
        assert_eq!(row(&rows, "PR").display, Display::Rate);
        assert!(rows.iter().all(|r| r.usps != "AS"), "AS is not named, so not listed");
        let mut no_areas = release("2024-01-02", vec![supplier("A", "TX", &[])]);
        no_areas.has_service_areas = false;
        assert_eq!(row(&state_rows(&no_areas, &population(&[])), "TX").served_by, None);
    }

    #[test]
    fn ranks_share_ties_and_skip() {
        let r = release(
            "2024-01-02",
            vec![
                supplier("A", "TX", &[]),
                supplier("B", "CA", &[]),
                supplier("C", "NY", &[]),
                supplier("D", "NY", &[]),
            ],
        );
        let rows = state_rows(&r, &population(&[]));
        assert_eq!(row(&rows, "NY").rank, Some(1));
        assert_eq!(row(&rows, "TX").rank, Some(2));
        assert_eq!(row(&rows, "CA").rank, Some(2));
        assert_eq!(row(&rows, "WY").rank, Some(4));
        assert!(row(&rows, "TX").small_count);
    }
}
