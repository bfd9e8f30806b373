//! Release-over-release churn: which enrollment IDs appeared and which disappeared.

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::{Release, Supplier};

/// A supplier named in a change list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierRef {
    pub enrollment_id: String,
    pub name: String,
    pub city: String,
    pub state: String,
}

impl From<&Supplier> for SupplierRef {
    fn from(s: &Supplier) -> Self {
        Self {
            enrollment_id: s.enrollment_id.clone(),
            name: s.name.clone(),
            city: s.city.clone(),
            state: s.state.clone(),
        }
    }
}

/// New and dropped suppliers between two consecutive releases, sorted by enrollment ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseChange {
    pub date: NaiveDate,
    pub previous: NaiveDate,
    pub new: Vec<SupplierRef>,
    pub dropped: Vec<SupplierRef>,
}

/// Compares the enrollment-ID sets of `prev` and `next`.
pub fn release_changes(prev: &Release, next: &Release) -> ReleaseChange {
    let new = next.suppliers.iter().filter(|(id, _)| !prev.suppliers.contains_key(*id)).map(|(_, s)| s.into());
    let dropped = prev.suppliers.iter().filter(|(id, _)| !next.suppliers.contains_key(*id)).map(|(_, s)| s.into());
    ReleaseChange { date: next.source.date, previous: prev.source.date, new: new.collect(), dropped: dropped.collect() }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn new_and_dropped_are_set_differences() {
        let a = release("2024-01-02", vec![supplier("1", "TX", &[]), supplier("2", "TX", &[])]);
        let b =
            release("2024-01-16", vec![supplier("2", "TX", &[]), supplier("3", "CA", &[]), supplier("4", "CA", &[])]);
        let c = release_changes(&a, &b);
        let ids = |v: &[SupplierRef]| v.iter().map(|s| s.enrollment_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&c.new), ["3", "4"]);
        assert_eq!(ids(&c.dropped), ["1"]);
        assert_eq!(c.previous.to_string(), "2024-01-02");
        let same = release_changes(&b, &b);
        assert!(same.new.is_empty() && same.dropped.is_empty());
    }
}
