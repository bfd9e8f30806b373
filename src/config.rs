//! Validated configuration: command-line flags become a [`BuildConfig`] exactly once; nothing
//! downstream sees clap types.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use thiserror::Error;

use crate::cli::BuildArgs;
use crate::normalize::NormalizeOptions;
use crate::render::SiteSettings;

/// A configuration mistake (exit code 5).
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("--release-date {0:?} is not a date; use YYYY-MM-DD")]
    BadDate(String),
    #[error(
        "no --data given and the bundled sample was not found at {0}; run from the hit-atlas \
         repository or pass --data"
    )]
    NoSample(PathBuf),
    #[error("--out {0} is not a usable output folder (it must not be empty, `.`, `/` or an input folder)")]
    BadOut(PathBuf),
}

/// Everything `build` needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildConfig {
    pub data: Vec<PathBuf>,
    pub out: PathBuf,
    pub release_date: Option<NaiveDate>,
    pub normalize: NormalizeOptions,
    pub verbose: bool,
    /// Folder of narrative markdown; bundled text is used for any file it lacks.
    pub content_dir: PathBuf,
    pub settings: SiteSettings,
}

/// The bundled sample store, looked up relative to the working directory first, then to the
/// source tree the binary was built from.
pub fn default_sample() -> Option<PathBuf> {
    let local = PathBuf::from("data/sample");
    if local.join("store.json").is_file() {
        return Some(local);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    built.join("store.json").is_file().then_some(built)
}

impl BuildConfig {
    pub fn from_args(args: &BuildArgs, verbose: bool) -> Result<Self, ConfigError> {
        let release_date = args
            .release_date
            .as_deref()
            .map(|s| s.parse::<NaiveDate>().map_err(|_| ConfigError::BadDate(s.to_string())))
            .transpose()?;
        let data = if args.data.is_empty() {
            vec![default_sample().ok_or_else(|| ConfigError::NoSample(PathBuf::from("data/sample")))?]
        } else {
            args.data.clone()
        };
        let out = args.out.clone();
        let out_str = out.to_string_lossy();
        if out_str.is_empty() || out == Path::new(".") || out == Path::new("/") || data.iter().any(|d| d == &out) {
            return Err(ConfigError::BadOut(out));
        }
        Ok(BuildConfig {
            data,
            out,
            release_date,
            normalize: NormalizeOptions { all_statuses: args.all_statuses },
            verbose,
            content_dir: PathBuf::from("content"),
            settings: SiteSettings::default(),
        })
    }
}
