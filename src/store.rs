//! The snapshot store: the on-disk layout `fetch` writes and `build --data DIR` reads.
//!
//! ```text
//! STORE/
//!   store.json                    StoreInfo: format tag, series id/title, synthetic flag
//!   store.lock                    held (OS file lock) while a fetch writes
//!   releases/
//!     2025-01-07/                 one folder per release, named by its ISO release date
//!       meta.json                 ReleaseMeta: uuids, title, temporal, source URL, rows, sha256
//!       data.json | data.csv      the rows exactly as the API / download returned them
//!   population/
//!     population.json             optional: PopulationFile, Census figures fetched by `fetch`
//! ```
//! `store.lock` is an empty file that stays in place; the lock is the OS lock on it
//! ([`StoreLock`]), released when the process exits however it exits, so a crashed run never
//! leaves a stale lock behind.
//! Every file is written to a temporary file in the same folder and renamed into place, so a
//! killed run leaves either the old file or the new one, never half of one. A release folder is
//! complete only once its `meta.json` exists (written last), and `meta.json` carries the data
//! file's sha256, which `load` checks.

use std::collections::BTreeMap;
use std::fs::{self, File, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Value of `StoreInfo::format` this version reads and writes.
pub const STORE_FORMAT: &str = "hit-atlas-store/1";

/// `store.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreInfo {
    pub format: String,
    /// The data.cms.gov series identifier (the `data-viewer` URL or its UUID).
    pub series_id: String,
    pub series_title: String,
    /// True for the bundled synthetic sample.
    #[serde(default)]
    pub synthetic: bool,
}

/// `releases/<date>/meta.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseMeta {
    pub release_date: NaiveDate,
    /// `data.json` or `data.csv`.
    pub file: String,
    /// Data rows in the file.
    pub rows: u64,
    /// sha256 of the data file, lower-case hex.
    pub sha256: String,
    #[serde(default)]
    pub series_uuid: Option<String>,
    #[serde(default)]
    pub release_uuid: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub temporal: Option<String>,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub source_url: Option<String>,
    /// RFC 3339 time of the fetch; never shown on pages (determinism).
    #[serde(default)]
    pub fetched_at: Option<String>,
}

/// `population/population.json`: one Census population table fetched by `fetch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationFile {
    /// Human label of the figures, e.g. `ACS 5-year estimates 2019-2023, B01003_001E`.
    pub label: String,
    /// The vintage / end year of the estimates.
    pub year: u16,
    /// The request URL with the API key redacted.
    pub source_url: String,
    /// RFC 3339 time of the fetch.
    pub fetched_at: String,
    /// Total population by 2-digit state FIPS code (50 states, DC, PR).
    pub total: BTreeMap<String, u64>,
}

/// A release found in a store, ready for `load`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRelease {
    pub meta: ReleaseMeta,
    pub dir: PathBuf,
    pub data_path: PathBuf,
}

/// What a store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreIndex {
    pub root: PathBuf,
    pub info: Option<StoreInfo>,
    /// Oldest first.
    pub releases: Vec<StoredRelease>,
    /// `population/population.json` when present.
    pub population: Option<PathBuf>,
}

/// Errors reading or writing the store; each names the path.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: not valid store metadata: {source}. Delete the folder and fetch again.")]
    Meta { path: PathBuf, source: serde_json::Error },
    #[error("{path}: store format {found:?}, this hit-atlas reads {STORE_FORMAT:?}")]
    Format { path: PathBuf, found: String },
    #[error("{path}: release folder name is not an ISO date (YYYY-MM-DD)")]
    BadReleaseDir { path: PathBuf },
    #[error("{path}: meta.json says release {meta} but the folder is named {dir}")]
    DateMismatch { path: PathBuf, meta: NaiveDate, dir: String },
    #[error("{path}: data file name {file:?} must be data.csv or data.json")]
    BadFileName { path: PathBuf, file: String },
    #[error("another hit-atlas run holds the store lock {path}; wait for it to finish")]
    Locked { path: PathBuf },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

/// True when `dir` looks like a store (has `store.json` or `releases/`).
pub fn is_store(dir: &Path) -> bool {
    dir.join("store.json").is_file() || dir.join("releases").is_dir()
}

/// Lists a store's complete releases (folders with `meta.json`), oldest first.
/// Folders without `meta.json` (an interrupted write) and temporary files are ignored.
pub fn read_index(root: &Path) -> Result<StoreIndex, StoreError> {
    let info_path = root.join("store.json");
    let info = if info_path.is_file() {
        let text = fs::read_to_string(&info_path).map_err(io_err(&info_path))?;
        let info: StoreInfo =
            serde_json::from_str(&text).map_err(|source| StoreError::Meta { path: info_path.clone(), source })?;
        if info.format != STORE_FORMAT {
            return Err(StoreError::Format { path: info_path, found: info.format });
        }
        Some(info)
    } else {
        None
    };
    let rel_root = root.join("releases");
    let mut releases = Vec::new();
    if rel_root.is_dir() {
        let mut dirs: Vec<PathBuf> = fs::read_dir(&rel_root)
            .map_err(io_err(&rel_root))?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if name.starts_with('.') {
                continue;
            }
            let meta_path = dir.join("meta.json");
            if !meta_path.is_file() {
                continue;
            }
            let date: NaiveDate = name.parse().map_err(|_| StoreError::BadReleaseDir { path: dir.clone() })?;
            let text = fs::read_to_string(&meta_path).map_err(io_err(&meta_path))?;
            let meta: ReleaseMeta =
                serde_json::from_str(&text).map_err(|source| StoreError::Meta { path: meta_path.clone(), source })?;
            if meta.release_date != date {
                return Err(StoreError::DateMismatch { path: meta_path, meta: meta.release_date, dir: name });
            }
            if meta.file != "data.csv" && meta.file != "data.json" {
                return Err(StoreError::BadFileName { path: meta_path, file: meta.file });
            }
            let data_path = dir.join(&meta.file);
            releases.push(StoredRelease { meta, dir, data_path });
        }
    }
    let pop = population_path(root);
    Ok(StoreIndex { root: root.to_path_buf(), info, releases, population: pop.is_file().then_some(pop) })
}

/// sha256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, synced, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir).map_err(io_err(dir))?;
    tmp.write_all(bytes).map_err(io_err(path))?;
    tmp.as_file().sync_all().map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| StoreError::Io { path: path.to_path_buf(), source: e.error })?;
    Ok(())
}

/// Serializes `value` as pretty JSON with a trailing newline (stable key order from the struct).
pub fn to_json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(value).unwrap_or_default();
    v.push(b'\n');
    v
}

/// Writes one release: the data file first, `meta.json` last, each atomically. `meta.sha256`
/// and `meta.file` are filled in from `data` and `ext` (`csv` or `json`).
pub fn write_release(root: &Path, mut meta: ReleaseMeta, ext: &str, data: &[u8]) -> Result<StoredRelease, StoreError> {
    let dir = root.join("releases").join(meta.release_date.to_string());
    meta.file = format!("data.{ext}");
    meta.sha256 = sha256_hex(data);
    let data_path = dir.join(&meta.file);
    write_atomic(&data_path, data)?;
    write_atomic(&dir.join("meta.json"), &to_json_bytes(&meta))?;
    Ok(StoredRelease { meta, dir, data_path })
}

/// Writes `store.json`.
pub fn write_info(root: &Path, info: &StoreInfo) -> Result<(), StoreError> {
    write_atomic(&root.join("store.json"), &to_json_bytes(info))
}

/// Path of `population/population.json` under `root`.
pub fn population_path(root: &Path) -> PathBuf {
    root.join("population").join("population.json")
}

/// Writes `population/population.json` atomically.
pub fn write_population(root: &Path, pop: &PopulationFile) -> Result<(), StoreError> {
    write_atomic(&population_path(root), &to_json_bytes(pop))
}

/// Reads `population/population.json`.
pub fn read_population(path: &Path) -> Result<PopulationFile, StoreError> {
    let text = fs::read_to_string(path).map_err(io_err(path))?;
    serde_json::from_str(&text).map_err(|source| StoreError::Meta { path: path.to_path_buf(), source })
}

/// An exclusive OS lock on `STORE/store.lock`, held while a run reads and writes the store.
///
/// Dropping it (or the process ending) releases the lock. The file itself is never deleted:
/// deleting a lock file races with a second process that has just opened it.
#[derive(Debug)]
pub struct StoreLock {
    path: PathBuf,
    _file: File,
}

impl StoreLock {
    /// Takes the lock without waiting, creating `root` and `store.lock` if needed.
    /// Another holder (in this or another process) gives [`StoreError::Locked`].
    pub fn acquire(root: &Path) -> Result<StoreLock, StoreError> {
        fs::create_dir_all(root).map_err(io_err(root))?;
        let path = root.join("store.lock");
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(StoreLock { path, _file: file }),
            Err(TryLockError::WouldBlock) => Err(StoreError::Locked { path }),
            Err(TryLockError::Error(source)) => Err(StoreError::Io { path, source }),
        }
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(date: &str) -> ReleaseMeta {
        ReleaseMeta {
            release_date: date.parse().expect("date"),
            file: String::new(),
            rows: 1,
            sha256: String::new(),
            series_uuid: None,
            release_uuid: Some("abc".into()),
            title: None,
            temporal: None,
            modified: None,
            source_url: None,
            fetched_at: None,
        }
    }

    #[test]
    fn write_then_read_round_trips_sorted() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_info(
            dir.path(),
            &StoreInfo {
                format: STORE_FORMAT.into(),
                series_id: "x".into(),
                series_title: "t".into(),
                synthetic: true,
            },
        )
        .expect("info");
        write_release(dir.path(), meta("2025-01-07"), "csv", b"a,b\n1,2\n").expect("write");
        write_release(dir.path(), meta("2024-12-23"), "json", b"[]").expect("write");
        // An interrupted write: folder without meta.json is not a release.
        fs::create_dir_all(dir.path().join("releases/2025-02-01")).expect("mkdir");
        let idx = read_index(dir.path()).expect("index");
        let dates: Vec<String> = idx.releases.iter().map(|r| r.meta.release_date.to_string()).collect();
        assert_eq!(dates, ["2024-12-23", "2025-01-07"]);
        assert_eq!(idx.releases[1].meta.sha256, sha256_hex(b"a,b\n1,2\n"));
        assert!(idx.info.expect("info").synthetic);
        assert!(is_store(dir.path()));
    }

    #[test]
    fn mismatched_date_and_format_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut m = meta("2025-01-07");
        m.file = "data.csv".into();
        let d = dir.path().join("releases/2025-01-08");
        fs::create_dir_all(&d).expect("mkdir");
        fs::write(d.join("meta.json"), to_json_bytes(&m)).expect("write");
        assert!(matches!(read_index(dir.path()), Err(StoreError::DateMismatch { .. })));
        let dir2 = tempfile::tempdir().expect("tempdir");
        fs::write(dir2.path().join("store.json"), r#"{"format":"other","series_id":"","series_title":""}"#)
            .expect("write");
        assert!(matches!(read_index(dir2.path()), Err(StoreError::Format { .. })));
    }

    #[test]
    fn lock_is_exclusive_until_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = StoreLock::acquire(dir.path()).expect("first lock");
        assert!(matches!(StoreLock::acquire(dir.path()), Err(StoreError::Locked { .. })));
        drop(first);
        let again = StoreLock::acquire(dir.path()).expect("lock after release");
        assert!(again.path().ends_with("store.lock"));
    }

    #[test]
    fn population_round_trips_and_rejects_unknown_fields() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pop = PopulationFile {
            label: "ACS".into(),
            year: 2023,
            source_url: "https://api.census.gov/x?key=REDACTED".into(),
            fetched_at: "2025-01-01T00:00:00Z".into(),
            total: BTreeMap::from([("01".to_string(), 5_000_000u64)]),
        };
        write_population(dir.path(), &pop).expect("write");
        assert_eq!(read_population(&population_path(dir.path())).expect("read"), pop);
        assert!(read_index(dir.path()).expect("index").population.is_some());
        fs::write(
            population_path(dir.path()),
            r#"{"label":"","year":1,"source_url":"","fetched_at":"","total":{},"x":1}"#,
        )
        .expect("write");
        assert!(matches!(read_population(&population_path(dir.path())), Err(StoreError::Meta { .. })));
    }

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
