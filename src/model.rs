//! Domain types every stage after `normalize` speaks.
//!
//! Raw inputs (CSV records, API JSON objects) never leave `load`/`normalize`; from here on a
//! release is a set of distinct suppliers keyed by enrollment ID, each with the service areas it
//! lists, plus the rows that were set aside and why. Codes, ZIPs and IDs are `String`s so leading
//! zeros survive every stage.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

/// Where one release came from; everything a provenance footer or manifest needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseSource {
    /// The CMS release date (the date in the distribution title / download file name).
    pub date: NaiveDate,
    /// The file the rows were read from, as given (store-relative for a store).
    pub path: String,
    /// sha256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// `csv` or `json`.
    pub format: String,
    /// The data.cms.gov release UUID, when known (from the store metadata).
    pub release_uuid: Option<String>,
    /// The distribution title, when known.
    pub title: Option<String>,
    /// The reporting window (`temporal`), when known.
    pub temporal: Option<String>,
    /// Where the rows were fetched from, when known.
    pub source_url: Option<String>,
}

impl ReleaseSource {
    /// A source known only by its file: no catalog metadata (release UUID, title, window, URL).
    pub fn new(date: NaiveDate, path: impl Into<String>, sha256: impl Into<String>, format: &str) -> Self {
        ReleaseSource {
            date,
            path: path.into(),
            sha256: sha256.into(),
            format: format.to_string(),
            release_uuid: None,
            title: None,
            temporal: None,
            source_url: None,
        }
    }
}

/// One area a supplier says it serves (one input row).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ServiceArea {
    /// USPS code of the area's state, validated; `None` when the row names no area state.
    pub state: Option<String>,
    /// e.g. `County`, `City`, `ZIP Code`, `State` (CMS "Geographic Location Type Description").
    pub kind: String,
    pub county: String,
    pub city: String,
    pub zip: String,
}

/// One distinct supplier (enrollment ID) in one release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supplier {
    pub enrollment_id: String,
    pub name: String,
    pub address: String,
    pub city: String,
    /// Practice-location state (validated USPS code).
    pub state: String,
    /// ZIP as text: 5 digits, or ZIP+4 as `12345-6789`, or as given when neither.
    pub zip: String,
    pub phone: String,
    pub specialty: String,
    /// Enrollment status when the file has such a column.
    pub status: Option<String>,
    /// Sorted, de-duplicated.
    pub service_areas: Vec<ServiceArea>,
    /// 1-based source line of the first row that named this supplier.
    pub first_line: u64,
}

impl Supplier {
    /// Distinct area states this supplier lists, sorted.
    pub fn area_states(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.service_areas.iter().filter_map(|a| a.state.as_deref()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Why a row was set aside.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineReason {
    MissingEnrollmentId,
    MissingState,
    InvalidState(String),
    InvalidServiceAreaState(String),
    /// An exact copy of an earlier row (counted once).
    Duplicate {
        first_line: u64,
    },
    /// Enrollment status not active/approved (excluded by default).
    InactiveStatus(String),
    /// The record has a different number of fields from the header, or cannot be read.
    Malformed(String),
}

impl QuarantineReason {
    /// A short stable code for CSV and grouping.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingEnrollmentId => "missing_enrollment_id",
            Self::MissingState => "missing_state",
            Self::InvalidState(_) => "invalid_state",
            Self::InvalidServiceAreaState(_) => "invalid_service_area_state",
            Self::Duplicate { .. } => "duplicate_row",
            Self::InactiveStatus(_) => "inactive_status",
            Self::Malformed(_) => "malformed_row",
        }
    }
}

impl std::fmt::Display for QuarantineReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingEnrollmentId => write!(f, "enrollment ID is empty"),
            Self::MissingState => write!(f, "practice state is empty"),
            Self::InvalidState(s) => write!(f, "practice state {s:?} is not a U.S. state, DC or territory code"),
            Self::InvalidServiceAreaState(s) => {
                write!(f, "service-area state {s:?} is not a U.S. state, DC or territory code")
            }
            Self::Duplicate { first_line } => write!(f, "exact duplicate of line {first_line} (counted once)"),
            Self::InactiveStatus(s) => {
                write!(f, "enrollment status {s:?} is not active (counted only with --all-statuses)")
            }
            Self::Malformed(m) => write!(f, "unreadable row: {m}"),
        }
    }
}

/// A row set aside, with enough to find it in the source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantinedRow {
    pub release: NaiveDate,
    pub path: String,
    /// 1-based line of the record's start in the source (record index + 1 for JSON).
    pub line: u64,
    pub enrollment_id: String,
    pub name: String,
    pub state: String,
    pub reason: QuarantineReason,
}

/// A non-fatal note about the input as a whole (unknown columns, alias used, …).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputNote {
    pub release: NaiveDate,
    pub path: String,
    pub message: String,
}

/// One normalized release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    pub source: ReleaseSource,
    /// Keyed by enrollment ID.
    pub suppliers: BTreeMap<String, Supplier>,
    /// Data rows read from the file (excluding the header).
    pub rows_read: u64,
    /// Rows counted (not quarantined).
    pub rows_kept: u64,
    pub quarantine: Vec<QuarantinedRow>,
    pub notes: Vec<InputNote>,
    /// False when the file has no service-area columns (the simplified schema): `served_by`
    /// is then unknown rather than zero.
    pub has_service_areas: bool,
    /// True when an enrollment-status column exists and non-active rows were excluded.
    pub status_filtered: bool,
}

impl Release {
    /// Drops what only the latest release needs (service areas, addresses, phones), keeping
    /// what history needs: enrollment IDs with name, city and practice state (for changes and
    /// per-state series), counts, quarantine and notes. `build` compacts every release but the
    /// newest as it reads them, so memory grows with suppliers × releases, not rows × releases.
    pub fn compact(&mut self) {
        for s in self.suppliers.values_mut() {
            s.service_areas = Vec::new();
            s.address = String::new();
            s.phone = String::new();
            s.specialty = String::new();
            s.zip = String::new();
        }
    }
}

/// Where the population figures came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PopulationSource {
    /// e.g. "Census Bureau Population Estimates, Vintage 2024 (July 1, 2024)".
    pub label: String,
    /// The year printed beside every per-capita figure.
    pub year: u16,
    pub path: String,
    pub sha256: String,
}

/// Resident population by state FIPS, with the 65+ figures where known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Population {
    pub source: PopulationSource,
    /// Total resident population keyed by 2-digit FIPS.
    pub total: BTreeMap<String, u64>,
    /// Residents aged 65+ keyed by 2-digit FIPS (no Puerto Rico in Vintage 2024).
    pub age65: BTreeMap<String, u64>,
}

/// What every page, chart and download says about its inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// "Home Infusion Therapy Providers" (the data.cms.gov series title).
    pub dataset_title: String,
    pub dataset_url: String,
    /// The latest release's date.
    pub release_date: NaiveDate,
    /// e.g. "Census Vintage 2024".
    pub population_label: String,
    pub population_year: u16,
    /// True when built from the bundled synthetic sample: every output must say so.
    pub synthetic: bool,
    /// hit-atlas version that built the output.
    pub version: String,
    /// sha256 over all input files' hashes (sorted), lower-case hex.
    pub input_sha256: String,
}

impl Provenance {
    /// The one-line source credit put inside every chart and under every table.
    pub fn source_line(&self) -> String {
        let sample = if self.synthetic { "SYNTHETIC SAMPLE, not CMS data. " } else { "" };
        format!(
            "{sample}Source: CMS, {} (release {}); population: {}. hit-atlas {}",
            self.dataset_title, self.release_date, self.population_label, self.version
        )
    }
}
