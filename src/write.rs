//! Writes the built site atomically.
//!
//! The whole site is built in memory by `render` as (relative path, bytes) pairs. Here it is
//! written into a fresh temporary folder beside `OUT`, then swapped in with renames: `OUT` →
//! `OUT.prev`, temp → `OUT`, then `OUT.prev` is removed. A build that fails before the swap leaves
//! the previous site untouched, byte for byte; leftovers of a killed run (`OUT.tmp-*`) are
//! removed by the next one.

use std::fs;
use std::path::{Component, Path, PathBuf};

use thiserror::Error;

/// One output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    /// Relative path with `/` separators, e.g. `data/state-metrics.csv`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A write failure (exit code 4: publish gate).
#[derive(Debug, Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("refusing to write {0:?}: output paths must be relative, without `..`, and unique")]
    UnsafePath(String),
    #[error(
        "{out} holds a site built from the release of {published}, newer than this build's {building}; \
         publishing must not go backwards (an older run finishing last). Pass --allow-older if this is intended"
    )]
    OlderRelease { out: PathBuf, published: chrono::NaiveDate, building: chrono::NaiveDate },
}

/// The latest release of the site already in `out`, from its `data/manifest.json` (`None` when
/// there is no readable manifest).
pub fn published_release(out: &Path) -> Option<chrono::NaiveDate> {
    let bytes = fs::read(out.join("data/manifest.json")).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("latest_release")?.as_str()?.parse().ok()
}

/// Refuses to replace a site built from a newer release than `building` (reliability notes P4).
pub fn check_not_older(out: &Path, building: chrono::NaiveDate, allow_older: bool) -> Result<(), WriteError> {
    match published_release(out) {
        Some(published) if published > building && !allow_older => {
            Err(WriteError::OlderRelease { out: out.to_path_buf(), published, building })
        }
        _ => Ok(()),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io { path: path.to_path_buf(), source }
}

/// True when `rel` is a plain relative path that stays under the output root. Every `/`-separated
/// segment must be a plain name: `Path::components` would hide `a/./b`, `a//b` and `a/.`, which
/// name the same file as another spelling and slip past the duplicate check.
pub fn is_safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && Path::new(rel).components().all(|c| matches!(c, Component::Normal(_)))
}

/// Writes `files` as the new content of `out`, atomically replacing what was there.
pub fn write_site(out: &Path, files: &[SiteFile]) -> Result<(), WriteError> {
    let mut seen = std::collections::BTreeSet::new();
    for f in files {
        if !is_safe_relative(&f.path) || !seen.insert(f.path.to_ascii_lowercase()) {
            return Err(WriteError::UnsafePath(f.path.clone()));
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let base = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    clean_leftovers(&parent, &base);
    let tmp = tempfile::Builder::new().prefix(&format!("{base}.tmp-")).tempdir_in(&parent).map_err(io(&parent))?;
    for f in files {
        let p = tmp.path().join(&f.path);
        if let Some(dir) = p.parent() {
            fs::create_dir_all(dir).map_err(io(dir))?;
        }
        fs::write(&p, &f.bytes).map_err(io(&p))?;
    }
    let tmp_path = tmp.keep();
    let prev = parent.join(format!("{base}.prev"));
    if prev.exists() {
        fs::remove_dir_all(&prev).map_err(io(&prev))?;
    }
    if out.exists() {
        fs::rename(out, &prev).map_err(io(out))?;
    }
    if let Err(e) = fs::rename(&tmp_path, out) {
        // Put the old site back before reporting.
        let _ = fs::rename(&prev, out);
        let _ = fs::remove_dir_all(&tmp_path);
        return Err(WriteError::Io { path: out.to_path_buf(), source: e });
    }
    if prev.exists() {
        fs::remove_dir_all(&prev).map_err(io(&prev))?;
    }
    Ok(())
}

fn clean_leftovers(parent: &Path, base: &str) {
    let prefix = format!("{base}.tmp-");
    if let Ok(entries) = fs::read_dir(parent) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str, b: &str) -> SiteFile {
        SiteFile { path: p.into(), bytes: b.as_bytes().to_vec() }
    }

    #[test]
    fn replaces_old_site_and_cleans_leftovers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        write_site(&out, &[file("index.html", "one"), file("old.html", "x")]).expect("first");
        fs::create_dir_all(dir.path().join("site.tmp-killed")).expect("leftover");
        write_site(&out, &[file("index.html", "two"), file("data/a.csv", "a")]).expect("second");
        assert_eq!(fs::read_to_string(out.join("index.html")).expect("read"), "two");
        assert!(!out.join("old.html").exists(), "stale pages do not survive");
        assert!(!dir.path().join("site.tmp-killed").exists());
        assert!(!dir.path().join("site.prev").exists());
    }

    #[test]
    fn unsafe_paths_are_refused_before_touching_disk() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        write_site(&out, &[file("index.html", "keep")]).expect("first");
        // a/./b, a//b and a/. name the same file as another spelling (found by tests/props.rs).
        for bad in ["../x", "/etc/x", "a/../../x", "", "a\\b", "State/TX.html\0", "a/./b", "a//b", "a/.", "./a", "a/"] {
            assert!(matches!(write_site(&out, &[file(bad, "x")]), Err(WriteError::UnsafePath(_))), "{bad:?}");
        }
        assert!(matches!(
            write_site(&out, &[file("states/TX.html", "a"), file("states/tx.html", "b")]),
            Err(WriteError::UnsafePath(_))
        ));
        assert_eq!(fs::read_to_string(out.join("index.html")).expect("read"), "keep");
    }
}
