//! Raw rows → the model: column discovery, validation, distinct suppliers.
//!
//! One input row is one (supplier, service area) pair. Rows are validated one by one; a row with
//! no enrollment ID, an invalid state code, an inactive enrollment status (when the file has a
//! status column) or the wrong number of fields is set aside in the release's quarantine with its
//! line and reason, never silently dropped. Exact duplicate rows count once (and are listed).
//! Text is trimmed but otherwise passed through unchanged, markup and formula prefixes included:
//! escaping is the writers' job. Stops at a [`Release`]; counting is `metrics`' job.

pub mod columns;
pub mod raw;

use thiserror::Error;

use crate::geo;
use crate::model::{InputNote, QuarantineReason, QuarantinedRow, Release, ReleaseSource, ServiceArea, Supplier};
use columns::{ColumnMap, ColumnProblem, Field};
use raw::{RawRecord, RawTable};

/// Choices that change what is counted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormalizeOptions {
    /// Count every enrollment status, not only active/approved ones.
    pub all_statuses: bool,
}

/// A release file that cannot be counted at all.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum NormalizeError {
    #[error(
        "{path}: missing required column(s): {}. Accepted names: {}. Headers found: {}",
        missing.iter().map(|f| f.to_string()).collect::<Vec<_>>().join(", "),
        missing.iter().map(|f| f.aliases().join(" / ")).collect::<Vec<_>>().join("; "),
        found.join(", ")
    )]
    MissingColumns { path: String, missing: Vec<Field>, found: Vec<String> },
    #[error("{path}: both {:?} and {:?} look like the {field} column; rename or remove one", headers[0], headers[1])]
    AmbiguousColumn { path: String, field: Field, headers: Vec<String> },
}

/// Statuses counted by default (compared case-insensitively after trimming).
const ACTIVE_STATUSES: [&str; 4] = ["approved", "active", "enrolled", "a"];

fn is_active(status: &str) -> bool {
    let s = status.trim().to_lowercase();
    ACTIVE_STATUSES.iter().any(|a| s == *a || (a.len() > 1 && s.starts_with(a)))
}

/// Trims and upper-cases a state code; `Some` only for a code in the jurisdiction table.
pub fn clean_state(raw: &str) -> Option<&'static str> {
    let code = raw.trim().to_ascii_uppercase();
    geo::by_usps(&code).map(|j| j.usps)
}

/// ZIP codes stay text: 9 digits become ZIP+4 (`12345-6789`); anything else is kept as given.
pub fn clean_zip(raw: &str) -> String {
    let t = raw.trim();
    if t.len() == 9 && t.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}", &t[..5], &t[5..])
    } else {
        t.to_string()
    }
}

/// Normalizes one parsed file into a release.
pub fn normalize(table: &RawTable, source: ReleaseSource, opts: &NormalizeOptions) -> Result<Release, NormalizeError> {
    let path = source.path.clone();
    let cols = ColumnMap::discover(&table.headers).map_err(|p| match p {
        ColumnProblem::Missing(missing) => {
            NormalizeError::MissingColumns { path: path.clone(), missing, found: table.headers.clone() }
        }
        ColumnProblem::Ambiguous { field, headers } => {
            NormalizeError::AmbiguousColumn { path: path.clone(), field, headers }
        }
    })?;
    let date = source.date;
    let mut notes = Vec::new();
    let mut note = |message: String| notes.push(InputNote { release: date, path: path.clone(), message });
    if !cols.unknown.is_empty() {
        note(format!("extra column(s) not used: {}", cols.unknown.join(", ")));
    }
    if !cols.aliased.is_empty() {
        let list: Vec<String> =
            cols.aliased.iter().map(|(f, h)| format!("{h:?} read as {f:?}", f = f.to_string())).collect();
        note(format!("header alias(es) used: {}", list.join(", ")));
    }
    let status_filtered = cols.get(Field::Status).is_some() && !opts.all_statuses;
    if status_filtered {
        note("enrollment status column present: only active/approved enrollments are counted".into());
    }
    let has_service_areas = cols.has_service_areas();

    let mut suppliers: std::collections::BTreeMap<String, Supplier> = std::collections::BTreeMap::new();
    let mut quarantine = Vec::new();
    // Exact-duplicate detection hashes every whole row; FxHash is several times faster than the
    // default SipHash here. It is not collision-resistant: a file crafted to collide could only
    // slow down its own build, never change a count (equal hashes are compared in full).
    let mut seen: rustc_hash::FxHashMap<&[String], u64> = rustc_hash::FxHashMap::default();
    let mut rows_kept = 0u64;
    let mut empty_status = 0u64;

    for rec in &table.records {
        let (line, cells) = match rec {
            RawRecord::Row { line, cells } => (*line, cells),
            RawRecord::Malformed { line, message } => {
                quarantine.push(QuarantinedRow {
                    release: date,
                    path: path.clone(),
                    line: *line,
                    enrollment_id: String::new(),
                    name: String::new(),
                    state: String::new(),
                    reason: QuarantineReason::Malformed(message.clone()),
                });
                continue;
            }
        };
        let get = |f: Field| cols.get(f).and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or("");
        let id = get(Field::EnrollmentId);
        let raw_state = get(Field::State);
        let mut set_aside = |reason: QuarantineReason| {
            quarantine.push(QuarantinedRow {
                release: date,
                path: path.clone(),
                line,
                enrollment_id: id.to_string(),
                name: get(Field::Name).to_string(),
                state: raw_state.to_string(),
                reason,
            })
        };
        if let Some(&first_line) = seen.get(cells.as_slice()) {
            set_aside(QuarantineReason::Duplicate { first_line });
            continue;
        }
        seen.insert(cells.as_slice(), line);
        if id.is_empty() {
            set_aside(QuarantineReason::MissingEnrollmentId);
            continue;
        }
        let state = match clean_state(raw_state) {
            Some(s) => s,
            None if raw_state.is_empty() => {
                set_aside(QuarantineReason::MissingState);
                continue;
            }
            None => {
                set_aside(QuarantineReason::InvalidState(raw_state.to_string()));
                continue;
            }
        };
        let raw_area_state = get(Field::AreaState);
        let area_state = match clean_state(raw_area_state) {
            Some(s) => Some(s.to_string()),
            None if raw_area_state.is_empty() => None,
            None => {
                set_aside(QuarantineReason::InvalidServiceAreaState(raw_area_state.to_string()));
                continue;
            }
        };
        let status = cols.get(Field::Status).map(|_| get(Field::Status).to_string());
        if let Some(st) = status.as_deref().filter(|_| status_filtered) {
            if st.is_empty() {
                empty_status += 1;
            } else if !is_active(st) {
                set_aside(QuarantineReason::InactiveStatus(st.to_string()));
                continue;
            }
        }
        rows_kept += 1;
        let area = has_service_areas.then(|| ServiceArea {
            state: area_state,
            kind: get(Field::AreaType).to_string(),
            county: get(Field::AreaCounty).to_string(),
            city: get(Field::AreaCity).to_string(),
            zip: clean_zip(get(Field::AreaZip)),
        });
        // Most rows repeat a supplier already seen: find it without allocating a key.
        match suppliers.get_mut(id) {
            Some(supplier) => supplier.service_areas.extend(area),
            None => {
                let address = [get(Field::Address1), get(Field::Address2)]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ");
                let supplier = Supplier {
                    enrollment_id: id.to_string(),
                    name: get(Field::Name).to_string(),
                    address,
                    city: get(Field::City).to_string(),
                    state: state.to_string(),
                    zip: clean_zip(get(Field::Zip)),
                    phone: get(Field::Phone).to_string(),
                    specialty: get(Field::Specialty).to_string(),
                    status,
                    service_areas: area.into_iter().collect(),
                    first_line: line,
                };
                suppliers.insert(id.to_string(), supplier);
            }
        }
    }
    for s in suppliers.values_mut() {
        s.service_areas.sort();
        s.service_areas.dedup();
    }
    if empty_status > 0 {
        notes.push(InputNote {
            release: date,
            path: path.clone(),
            message: format!("{empty_status} row(s) have an empty enrollment status and were counted"),
        });
    }
    notes.sort();
    Ok(Release {
        source,
        suppliers,
        rows_read: table.records.len() as u64,
        rows_kept,
        quarantine,
        notes,
        has_service_areas,
        status_filtered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> ReleaseSource {
        ReleaseSource::new("2025-01-07".parse().expect("date"), "Home Infusion Therapy 1.6.2025.csv", "", "csv")
    }

    const HEAD: &str = "Enrollment ID,Legal Business Name,Street Address Line 1,Street Address Line 2,City,State,ZIP Code,Practice Location Phone Number,Specialty Name,Geographic Location Type Description,Geographic Location City Name,Geographic Location State Code,Geographic Location ZIP Code,State County Name\n";

    fn run(body: &str) -> Release {
        let t = raw::parse_csv(format!("{HEAD}{body}").as_bytes()).expect("csv");
        normalize(&t, src(), &NormalizeOptions::default()).expect("normalize")
    }

    #[test]
    fn a_supplier_on_many_rows_counts_once() {
        let r = run("O1,Acme,1 Main,,Boston,MA,02134,555,HIT,County,,MA,,Suffolk\n\
                     O1,Acme,1 Main,,Boston,MA,02134,555,HIT,County,,NH,,Hillsborough\n\
                     O1,Acme,1 Main,,Boston,MA,02134,555,HIT,County,,RI,,Providence\n");
        assert_eq!(r.suppliers.len(), 1);
        let s = &r.suppliers["O1"];
        assert_eq!(s.service_areas.len(), 3);
        assert_eq!(s.area_states(), ["MA", "NH", "RI"]);
        assert_eq!(s.zip, "02134", "leading zero kept");
        assert_eq!((r.rows_read, r.rows_kept), (3, 3));
    }

    #[test]
    fn invalid_state_is_quarantined_with_line() {
        let r = run(
            "O1,Acme,,,Austin, tx ,78701,,,,,,,\nO2,Bad,,,Nowhere,XX,00000,,,,,,,\nO3,NoState,,,Z,,1,,,,,,,\n,NoId,,,Z,TX,1,,,,,,,\n",
        );
        assert_eq!(r.suppliers.keys().collect::<Vec<_>>(), ["O1"]);
        assert_eq!(r.suppliers["O1"].state, "TX", "trimmed and upper-cased");
        let q: Vec<(u64, &str)> = r.quarantine.iter().map(|q| (q.line, q.reason.code())).collect();
        assert_eq!(q, [(3, "invalid_state"), (4, "missing_state"), (5, "missing_enrollment_id")]);
        assert!(r.quarantine[0].reason.to_string().contains("\"XX\""));
    }

    #[test]
    fn exact_duplicates_count_once_and_are_listed() {
        let row = "O1,Acme,,,Austin,TX,787011234,,,County,,TX,,Travis\n";
        let r = run(&format!("{row}{row}"));
        assert_eq!(r.suppliers.len(), 1);
        assert_eq!(r.suppliers["O1"].service_areas.len(), 1);
        assert_eq!(r.suppliers["O1"].zip, "78701-1234", "ZIP+4");
        assert_eq!(r.quarantine[0].reason, QuarantineReason::Duplicate { first_line: 2 });
    }

    #[test]
    fn invalid_service_area_state_is_quarantined() {
        let r = run("O1,Acme,,,Austin,TX,78701,,,State,,ZZ,,\nO1,Acme,,,Austin,TX,78701,,,State,,Q1,,\n");
        assert_eq!(r.quarantine.len(), 2);
        assert_eq!(r.quarantine[0].reason.code(), "invalid_service_area_state");
        assert!(r.suppliers.is_empty());
    }

    #[test]
    fn hostile_text_passes_through_unchanged() {
        let r = run("O1,\"<script>alert(1)</script> & =HYPERLINK(\"\"x\"\")\",,,Bayamón,PR,00961,,,,,,,\n");
        assert_eq!(r.suppliers["O1"].name, "<script>alert(1)</script> & =HYPERLINK(\"x\")");
        assert_eq!(r.suppliers["O1"].city, "Bayamón");
    }

    #[test]
    fn status_column_filters_by_default_and_flag_keeps_all() {
        let csv = "enrollment_id,organization_name,state,zip_code,enrollment_status\n\
                   A,One,TX,1,Approved\nB,Two,TX,1,Revoked\nC,Three,TX,1,\n";
        let t = raw::parse_csv(csv.as_bytes()).expect("csv");
        let r = normalize(&t, src(), &NormalizeOptions::default()).expect("n");
        assert_eq!(r.suppliers.keys().collect::<Vec<_>>(), ["A", "C"]);
        assert_eq!(r.quarantine[0].reason, QuarantineReason::InactiveStatus("Revoked".into()));
        assert!(r.status_filtered && !r.has_service_areas);
        let all = normalize(&t, src(), &NormalizeOptions { all_statuses: true }).expect("n");
        assert_eq!(all.suppliers.len(), 3);
        assert!(all.quarantine.is_empty());
    }

    #[test]
    fn missing_required_column_names_expected_and_found() {
        let t = raw::parse_csv(b"Legal Business Name,City\nAcme,Austin\n").expect("csv");
        let err = normalize(&t, src(), &NormalizeOptions::default()).expect_err("must fail");
        let msg = err.to_string();
        assert!(msg.contains("Enrollment ID") && msg.contains("enrollment_id"), "{msg}");
        assert!(msg.contains("Headers found: Legal Business Name, City"), "{msg}");
        assert!(msg.starts_with("Home Infusion Therapy 1.6.2025.csv"), "{msg}");
    }

    #[test]
    fn malformed_rows_are_quarantined() {
        let r = run("O1,Acme\n");
        assert_eq!(r.quarantine[0].reason.code(), "malformed_row");
        assert_eq!(r.rows_read, 1);
    }
}
