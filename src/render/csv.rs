//! Downloadable CSV files (published machine-readable contracts; the manifest is in `json`).
//!
//! Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, TAB or
//! CR) get a leading `'` (OWASP's rule); numeric columns are written by this code from numbers
//! and never altered. The data page documents the `'` prefix.

use std::borrow::Cow;

use crate::metrics::{Metrics, StateRow};
use crate::model::Release;

/// Neutralises a text cell for spreadsheets.
pub fn defang(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// A CSV under construction: header fixed, text cells defanged, numbers as given.
struct Table {
    w: csv::Writer<Vec<u8>>,
}

enum Cell<'a> {
    Text(&'a str),
    Num(String),
}

impl Table {
    fn new(header: &[&str]) -> Self {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        // Writing to a Vec cannot fail.
        let _ = w.write_record(header);
        Table { w }
    }
    fn row(&mut self, cells: &[Cell<'_>]) {
        let rec: Vec<Cow<'_, str>> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(t) => defang(t),
                Cell::Num(n) => Cow::Borrowed(n.as_str()),
            })
            .collect();
        let _ = self.w.write_record(rec.iter().map(|c| c.as_ref()));
    }
    fn finish(self) -> Vec<u8> {
        self.w.into_inner().unwrap_or_default()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// A rate with two decimals (`per_million` contract: at least 2 decimals, empty when unknown).
pub fn rate2(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}

/// `state-metrics.csv`, one row per jurisdiction, ordered by USPS code.
pub fn state_metrics(states: &[StateRow]) -> Vec<u8> {
    let mut t = Table::new(&["state", "state_name", "suppliers", "population", "per_million", "rank", "served_by"]);
    let mut rows: Vec<&StateRow> = states.iter().collect();
    rows.sort_by(|a, b| a.usps.cmp(&b.usps));
    for s in rows {
        t.row(&[
            Cell::Text(&s.usps),
            Cell::Text(&s.name),
            Cell::Num(s.suppliers.to_string()),
            Cell::Num(opt(s.population)),
            Cell::Num(rate2(s.per_million)),
            Cell::Num(opt(s.rank)),
            Cell::Num(opt(s.served_by)),
        ]);
    }
    t.finish()
}

/// `releases.csv`, one row per release, oldest first.
pub fn releases(m: &Metrics) -> Vec<u8> {
    let mut t = Table::new(&["release_date", "suppliers", "rows", "new", "dropped"]);
    for r in &m.releases {
        t.row(&[
            Cell::Num(r.date.to_string()),
            Cell::Num(r.suppliers.to_string()),
            Cell::Num(r.rows.to_string()),
            Cell::Num(opt(r.new)),
            Cell::Num(opt(r.dropped)),
        ]);
    }
    t.finish()
}

/// `suppliers.csv`: the latest release, one row per distinct supplier.
pub fn suppliers(latest: &Release) -> Vec<u8> {
    let mut t = Table::new(&[
        "enrollment_id",
        "legal_business_name",
        "address",
        "city",
        "state",
        "zip",
        "phone",
        "specialty",
        "enrollment_status",
        "service_area_states",
        "service_areas",
    ]);
    for s in latest.suppliers.values() {
        let states = s.area_states().join(" ");
        t.row(&[
            Cell::Text(&s.enrollment_id),
            Cell::Text(&s.name),
            Cell::Text(&s.address),
            Cell::Text(&s.city),
            Cell::Text(&s.state),
            Cell::Text(&s.zip),
            Cell::Text(&s.phone),
            Cell::Text(&s.specialty),
            Cell::Text(s.status.as_deref().unwrap_or("")),
            Cell::Text(&states),
            Cell::Num(s.service_areas.len().to_string()),
        ]);
    }
    t.finish()
}

/// `quarantine.csv`: every row set aside in every release, with source line and reason.
pub fn quarantine(releases: &[Release]) -> Vec<u8> {
    let mut t =
        Table::new(&["release_date", "source", "line", "reason_code", "reason", "enrollment_id", "name", "state"]);
    let mut all: Vec<_> = releases.iter().flat_map(|r| r.quarantine.iter()).collect();
    all.sort_by(|a, b| (a.release, &a.path, a.line).cmp(&(b.release, &b.path, b.line)));
    for q in all {
        let reason = q.reason.to_string();
        t.row(&[
            Cell::Num(q.release.to_string()),
            Cell::Text(&q.path),
            Cell::Num(q.line.to_string()),
            Cell::Text(q.reason.code()),
            Cell::Text(&reason),
            Cell::Text(&q.enrollment_id),
            Cell::Text(&q.name),
            Cell::Text(&q.state),
        ]);
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::testutil::{population, release, supplier};

    #[test]
    fn defang_prefixes_formulas_only() {
        assert_eq!(defang("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(defang("+1"), "'+1");
        assert_eq!(defang("-2*3"), "'-2*3");
        assert_eq!(defang("@x"), "'@x");
        assert_eq!(defang("\tx"), "'\tx");
        assert_eq!(defang("Acme"), "Acme");
        assert_eq!(defang(""), "");
    }

    #[test]
    fn state_metrics_contract() {
        let mut s = supplier("O1", "TX", &["TX"]);
        s.name = "=HYPERLINK(\"x\")".into();
        let r = release("2025-01-07", vec![s]);
        let m = crate::metrics::compute(std::slice::from_ref(&r), &population(&[("48", 3_000_000)])).expect("m");
        let text = String::from_utf8(state_metrics(&m.states)).expect("utf8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "state,state_name,suppliers,population,per_million,rank,served_by");
        assert_eq!(lines.len(), 53);
        assert!(lines.contains(&"TX,Texas,1,3000000,0.33,1,1"), "{text}");
        assert!(lines.contains(&"WY,Wyoming,0,1000000,0.00,2,0"), "{text}");
        let sup = String::from_utf8(suppliers(&r)).expect("utf8");
        assert!(sup.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{sup}");
        assert!(sup.contains(",02134,"), "ZIP keeps its leading zero: {sup}");
    }
}
