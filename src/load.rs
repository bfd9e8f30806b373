//! Reads the build's inputs from disk: release files or a snapshot store, and population.
//!
//! This is the only stage of `build` that reads files. It returns bytes parsed into raw tables
//! with their provenance (path, sha256, release date); it does not interpret rows. Population
//! comes from the store when `fetch` saved Census figures there, otherwise from the Census
//! Vintage 2024 files bundled in the binary (`data/population/`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use thiserror::Error;

use crate::model::{Population, PopulationSource, ReleaseSource};
use crate::normalize::raw::{self, RawError, RawTable};
use crate::store::{self, StoreError};

/// The series title used when no store says otherwise.
pub const SERIES_TITLE: &str = crate::fetch::DEFAULT_SERIES_TITLE;
/// The data.cms.gov landing page of the series.
pub const SERIES_URL: &str = "https://data.cms.gov/provider-characteristics/medicare-provider-supplier-enrollment/home-infusion-therapy-providers";

/// One release file, read and parsed into text cells.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRelease {
    pub source: ReleaseSource,
    pub table: RawTable,
}

/// Everything `build` reads (`R`: each release as read, or as `load_inputs_with` mapped it).
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs<R = LoadedRelease> {
    pub releases: Vec<R>,
    pub population: Population,
    /// True when any input store is marked synthetic (the bundled sample).
    pub synthetic: bool,
    pub series_title: String,
}

/// Why inputs could not be read.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("{path}: no such file or folder. Pass a snapshot store folder or release files (.csv / .json)")]
    NotFound { path: PathBuf },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error(
        "{path}: a folder but not a snapshot store (no store.json or releases/). Pass the store \
         folder that `hit-atlas fetch` wrote, or the release files themselves"
    )]
    NotAStore { path: PathBuf },
    #[error("{path}: store has no complete release; run `hit-atlas fetch --data {path}` first")]
    EmptyStore { path: PathBuf },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{path}: sha256 is {actual} but meta.json records {expected}; the store was modified or \
         damaged. Delete that release folder and fetch it again"
    )]
    Checksum { path: PathBuf, expected: String, actual: String },
    #[error("{path}: {source}")]
    Parse { path: PathBuf, source: RawError },
    #[error(
        "{path}: cannot tell which release this is. Name the file as CMS does (e.g. \
         \"Home Infusion Therapy 1.6.2025.csv\" or \"…2025-01-07…\") or pass --release-date YYYY-MM-DD"
    )]
    UnknownDate { path: PathBuf },
    #[error("--release-date applies to a single release file, but {count} inputs were given")]
    DateFlagAmbiguous { count: usize },
    #[error("{path}: extension must be .csv or .json")]
    UnknownFormat { path: PathBuf },
    #[error("{path}: population file is invalid: {message}")]
    Population { path: String, message: String },
}

impl LoadError {
    /// True for mistakes in how hit-atlas was called (exit 5) rather than in the data (exit 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, LoadError::NotFound { .. } | LoadError::NotAStore { .. } | LoadError::DateFlagAmbiguous { .. })
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io { path: path.to_path_buf(), source }
}

/// Reads every input. `release_date` names the release of a single loose file.
pub fn load_inputs(paths: &[PathBuf], release_date: Option<NaiveDate>) -> Result<Inputs, LoadError> {
    load_inputs_with(paths, release_date, RawFile::parse)
}

/// One release file read from disk and checksummed, not yet parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct RawFile {
    pub source: ReleaseSource,
    /// The file's path as given (for error messages).
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl RawFile {
    /// Parses the bytes into text cells (pure; `build` does this on worker threads).
    pub fn parse(self) -> Result<LoadedRelease, LoadError> {
        let table = match self.source.format.as_str() {
            "json" => raw::parse_json(&self.bytes),
            _ => raw::parse_csv(&self.bytes),
        }
        .map_err(|source| LoadError::Parse { path: self.path.clone(), source })?;
        Ok(LoadedRelease { source: self.source, table })
    }
}

/// Like [`load_inputs`], but hands each release file to `each` as soon as it is read and
/// checksummed, unparsed, and keeps what `each` returns, so `build` can parse and normalize on
/// worker threads while this thread reads on (at 100x the sample, holding every raw table first
/// tripled peak memory).
pub fn load_inputs_with<R, E: From<LoadError>>(
    paths: &[PathBuf],
    release_date: Option<NaiveDate>,
    mut each: impl FnMut(RawFile) -> Result<R, E>,
) -> Result<Inputs<R>, E> {
    let loose = paths.iter().filter(|p| p.is_file()).count();
    if release_date.is_some() && (loose != 1 || paths.len() != 1) {
        return Err(LoadError::DateFlagAmbiguous { count: paths.len() }.into());
    }
    let mut releases = Vec::new();
    let mut synthetic = false;
    let mut series_title = SERIES_TITLE.to_string();
    let mut population = None;
    for path in paths {
        if path.is_dir() {
            if !store::is_store(path) {
                return Err(LoadError::NotAStore { path: path.clone() }.into());
            }
            let idx = store::read_index(path).map_err(LoadError::from)?;
            if idx.releases.is_empty() {
                return Err(LoadError::EmptyStore { path: path.clone() }.into());
            }
            if let Some(info) = &idx.info {
                synthetic |= info.synthetic;
                series_title = info.series_title.clone();
            }
            if let (None, Some(p)) = (&population, &idx.population) {
                population = Some(read_population_file(p)?);
            }
            for r in idx.releases {
                let bytes = fs::read(&r.data_path).map_err(io(&r.data_path))?;
                let actual = store::sha256_hex(&bytes);
                if actual != r.meta.sha256 {
                    return Err(LoadError::Checksum { path: r.data_path, expected: r.meta.sha256, actual }.into());
                }
                let rel = r.data_path.strip_prefix(path).unwrap_or(&r.data_path);
                let source = ReleaseSource {
                    date: r.meta.release_date,
                    path: rel.to_string_lossy().replace('\\', "/"),
                    sha256: actual,
                    format: ext_of(&r.data_path).unwrap_or("csv").to_string(),
                    release_uuid: r.meta.release_uuid.clone(),
                    title: r.meta.title.clone(),
                    temporal: r.meta.temporal.clone(),
                    source_url: r.meta.source_url.clone(),
                };
                releases.push(each(RawFile { source, path: r.data_path.clone(), bytes })?);
            }
        } else if path.is_file() {
            let bytes = fs::read(path).map_err(io(path))?;
            let date = match release_date.or_else(|| date_from_name(path)) {
                Some(d) => d,
                None => return Err(LoadError::UnknownDate { path: path.clone() }.into()),
            };
            let format = ext_of(path).ok_or_else(|| LoadError::UnknownFormat { path: path.clone() })?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let source = ReleaseSource::new(date, name, store::sha256_hex(&bytes), format);
            releases.push(each(RawFile { source, path: path.clone(), bytes })?);
        } else {
            return Err(LoadError::NotFound { path: path.clone() }.into());
        }
    }
    let population = match population {
        Some(p) => p,
        None => bundled_population()?,
    };
    Ok(Inputs { releases, population, synthetic, series_title })
}

fn ext_of(path: &Path) -> Option<&'static str> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("csv") => Some("csv"),
        Some("json") => Some("json"),
        _ => None,
    }
}

/// The release date in a file name as CMS names downloads: `Home Infusion Therapy 1.6.2025.csv`
/// (month.day.year), `…05.25.2023…`, or an ISO date `…2025-01-07…`. `%20` counts as a space.
pub fn date_from_name(path: &Path) -> Option<NaiveDate> {
    let stem = path.file_stem()?.to_str()?.replace("%20", " ");
    let tokens = stem.split(|c: char| c.is_whitespace() || c == '_' || c == '(' || c == ')');
    for tok in tokens {
        let tok = tok.trim_matches(|c: char| !c.is_ascii_digit());
        if let Ok(d) = NaiveDate::parse_from_str(tok, "%Y-%m-%d") {
            return Some(d);
        }
        let parts: Vec<&str> = tok.split(['.', '-']).collect();
        if let [m, d, y] = parts.as_slice()
            && y.len() == 4
            && let (Ok(m), Ok(d), Ok(y)) = (m.parse::<u32>(), d.parse::<u32>(), y.parse::<i32>())
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            return Some(date);
        }
    }
    None
}

const NST_NAME: &str = "data/population/NST-EST2024-ALLDATA.csv";
const NST: &str = include_str!("../data/population/NST-EST2024-ALLDATA.csv");
const AGE65_NAME: &str = "data/population/state-age65plus.csv";
const AGE65: &str = include_str!("../data/population/state-age65plus.csv");

/// The bundled Census Vintage 2024 state estimates (July 1, 2024), checked on load.
pub fn bundled_population() -> Result<Population, LoadError> {
    let bad = |path: &str, message: String| LoadError::Population { path: path.to_string(), message };
    let total = parse_nst(NST).map_err(|m| bad(NST_NAME, m))?;
    let age65 = parse_age65(AGE65).map_err(|m| bad(AGE65_NAME, m))?;
    Ok(Population {
        source: PopulationSource {
            label: "Census Bureau Vintage 2024 population estimates (July 1, 2024)".into(),
            year: 2024,
            path: NST_NAME.into(),
            sha256: store::sha256_hex(NST.as_bytes()),
        },
        total,
        age65,
    })
}

fn csv_rows(text: &str) -> Result<(csv::StringRecord, Vec<csv::StringRecord>), String> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = rdr.headers().map_err(|e| e.to_string())?.clone();
    let rows = rdr.records().collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    Ok((header, rows))
}

fn column(header: &csv::StringRecord, name: &str) -> Result<usize, String> {
    header.iter().position(|h| h == name).ok_or_else(|| format!("no {name} column"))
}

/// State totals (SUMLEV 040) keyed by FIPS, with the U.S. row (010) as a check: the 50 states and
/// DC must add up to it exactly (Puerto Rico is outside the U.S. total).
pub fn parse_nst(text: &str) -> Result<BTreeMap<String, u64>, String> {
    let (h, rows) = csv_rows(text)?;
    let (sumlev, state, pop) = (column(&h, "SUMLEV")?, column(&h, "STATE")?, column(&h, "POPESTIMATE2024")?);
    let mut out = BTreeMap::new();
    let mut us = None;
    for (i, r) in rows.iter().enumerate() {
        let n = |c: usize| -> Result<u64, String> {
            r.get(c).unwrap_or("").parse::<u64>().map_err(|_| format!("line {}: POPESTIMATE2024 is not a count", i + 2))
        };
        match r.get(sumlev) {
            Some("010") => us = Some(n(pop)?),
            Some("040") => {
                let fips = r.get(state).unwrap_or("").to_string();
                if fips.len() != 2 {
                    return Err(format!("line {}: STATE {fips:?} is not a 2-digit FIPS code", i + 2));
                }
                out.insert(fips, n(pop)?);
            }
            _ => {}
        }
    }
    let us = us.ok_or("no SUMLEV 010 (United States) row")?;
    // Checked: a hostile file must not overflow (a panic in debug, a wrapped sum that could
    // pass the check in release).
    let sum = out
        .iter()
        .filter(|(f, _)| f.as_str() != "72")
        .try_fold(0u64, |acc, (_, v)| acc.checked_add(*v))
        .ok_or("the state figures add up to more than any population")?;
    if sum != us {
        return Err(format!("the 50 states and DC add up to {sum}, but the U.S. row says {us}"));
    }
    Ok(out)
}

fn parse_age65(text: &str) -> Result<BTreeMap<String, u64>, String> {
    let (h, rows) = csv_rows(text)?;
    let (state, age) = (column(&h, "STATE")?, column(&h, "AGE65PLUS_TOT")?);
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let v =
                r.get(age).unwrap_or("").parse::<u64>().map_err(|_| format!("line {}: bad AGE65PLUS_TOT", i + 2))?;
            Ok((r.get(state).unwrap_or("").to_string(), v))
        })
        .collect()
}

/// Reads the narrative `*.md` files of `dir` (sorted by name). A missing folder is not an error:
/// render falls back to the bundled narrative for every file it lacks.
pub fn load_content(dir: &Path) -> Result<Vec<crate::render::ContentFile>, LoadError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).max_depth(1).sort_by_file_name() {
        let entry = entry.map_err(|e| LoadError::Io {
            path: dir.to_path_buf(),
            source: e.into_io_error().unwrap_or_else(|| std::io::Error::other("unreadable entry")),
        })?;
        let path = entry.path();
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "md") {
            let text = fs::read_to_string(path).map_err(io(path))?;
            out.push(crate::render::ContentFile {
                name: entry.file_name().to_string_lossy().into_owned(),
                path: path.display().to_string(),
                text,
            });
        }
    }
    Ok(out)
}

/// Reads `population/population.json` written by `fetch`; 65+ figures still come from the
/// bundled file.
fn read_population_file(path: &Path) -> Result<Population, LoadError> {
    let bytes = fs::read(path).map_err(io(path))?;
    let file: store::PopulationFile = serde_json::from_slice(&bytes).map_err(|e| LoadError::Population {
        path: path.display().to_string(),
        message: format!("{e}; delete it to fall back to the bundled Census figures"),
    })?;
    let bundled = bundled_population()?;
    Ok(Population {
        source: PopulationSource {
            label: file.label,
            year: file.year,
            path: path.display().to_string(),
            sha256: store::sha256_hex(&bytes),
        },
        total: file.total,
        age65: bundled.age65,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        s.parse().ok()
    }

    #[test]
    fn dates_from_cms_download_names() {
        assert_eq!(date_from_name(Path::new("Home Infusion Therapy 1.6.2025.csv")), d("2025-01-06"));
        assert_eq!(date_from_name(Path::new("Home%20Infusion%20Therapy%2005.25.2023.csv")), d("2023-05-25"));
        assert_eq!(date_from_name(Path::new("hit_2024-12-23.json")), d("2024-12-23"));
        assert_eq!(date_from_name(Path::new("providers.csv")), None);
        assert_eq!(date_from_name(Path::new("x 13.40.2025.csv")), None);
    }

    #[test]
    fn bundled_population_is_vintage_2024_with_invariants() {
        let p = bundled_population().expect("bundled");
        assert_eq!(p.total.len(), 52);
        assert_eq!(p.total["01"], 5_157_699);
        assert_eq!(p.total["72"], 3_203_295);
        assert_eq!(p.age65["01"], 955_901);
        assert!(!p.age65.contains_key("72"), "no PR 65+ figure in Vintage 2024");
        let us: u64 = p.total.iter().filter(|(f, _)| f.as_str() != "72").map(|(_, v)| v).sum();
        assert_eq!(us, 340_110_988);
    }

    #[test]
    fn nst_check_catches_a_bad_total() {
        let text = "SUMLEV,STATE,POPESTIMATE2024\n010,00,10\n040,01,4\n040,02,5\n040,72,100\n";
        assert!(parse_nst(text).expect_err("sum mismatch").contains("add up to 9"));
        let ok = "SUMLEV,STATE,POPESTIMATE2024\n010,00,9\n040,01,4\n040,02,5\n040,72,100\n";
        assert_eq!(parse_nst(ok).expect("ok")["01"], 4, "leading zero kept in the key");
    }

    #[test]
    fn nst_figures_that_overflow_are_an_error_not_a_panic() {
        // Found by tests/props.rs: the sum overflowed (a panic in debug, a wrapped sum in release).
        let text = "SUMLEV,STATE,POPESTIMATE2024\n010,00,1\n040,01,18446744073709551615\n040,02,2\n";
        assert!(parse_nst(text).expect_err("overflow").contains("more than any population"));
    }
}
