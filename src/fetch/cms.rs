//! Paging one release out of the data.cms.gov data API so that no row can go missing silently.
//!
//! The walk, against the release's own UUID (never the moving "latest" alias):
//! 1. `GET …/data/stats` → `found_rows` (must equal `total_rows`: we never filter).
//! 2. `GET …/data?size=5000&offset=o` from `o = 0`, advancing by the rows each page returned.
//! 3. One more page at `offset = found_rows`, which must be empty (the server has no rows the
//!    count did not announce).
//! 4. `…/data/stats` again; it must still say `found_rows`.
//!
//! **Short pages.** The API documents 5000 as the maximum page size, but a server (or a mirror)
//! may cap pages lower. A page that is shorter than `size` but not empty is therefore taken as a
//! server-side cap, not as the end: the walk continues at `offset + len`. The end is decided only
//! by the count from `/stats`. What is an error: an *empty* page before the count is reached, a
//! page longer than `size`, more rows than the count, a non-empty page past the count, a row that
//! already appeared on an earlier page (offset drift), a count that differs after paging, and a
//! body that is not an array of flat objects with one column set.
//!
//! Identical rows *within* one page are kept (the file can hold exact duplicates; the counting
//! rules collapse them later); the same row on two pages can only be offset drift.
//!
//! A moving count or a duplicate suggests the release changed under us; the whole release is
//! walked once more before giving up. Nothing here writes anything: the caller stores a release
//! only after every release of the run has succeeded.

use std::collections::{BTreeSet, HashSet};

use crate::normalize::raw::kind;
use serde_json::{Map, Value};

use super::FetchError;
use super::catalog::{CatalogRelease, json_reply};
use super::http::Http;

/// Rows asked for per page: the API maximum, always sent explicitly (the default is 1000).
pub const PAGE_SIZE: usize = 5000;

/// A release read completely and checked.
#[derive(Debug, Clone)]
pub(crate) struct FetchedRelease {
    pub release: CatalogRelease,
    /// The bytes to store as `data.json`.
    pub bytes: Vec<u8>,
    pub rows: u64,
    /// Distinct enrollment IDs.
    pub suppliers: usize,
}

/// Fetches and checks one release, calling `on_page(rows_so_far, expected)` after each page.
pub(crate) fn fetch_release(
    http: &Http,
    release: &CatalogRelease,
    on_page: &mut dyn FnMut(u64, u64),
) -> Result<FetchedRelease, FetchError> {
    match walk(http, release, on_page) {
        Err(FetchError::StatsChanged { .. } | FetchError::DuplicateRows { .. }) => walk(http, release, on_page),
        other => other,
    }
}

fn walk(
    http: &Http,
    release: &CatalogRelease,
    on_page: &mut dyn FnMut(u64, u64),
) -> Result<FetchedRelease, FetchError> {
    let data_url = &release.access_url;
    let stats_url = format!("{data_url}/stats");
    let expected = stats(http, &stats_url)?;
    let mut rows: Vec<Map<String, Value>> = Vec::with_capacity(expected as usize);
    let mut seen: HashSet<String> = HashSet::with_capacity(expected as usize);
    let mut columns: Option<BTreeSet<String>> = None;
    while (rows.len() as u64) < expected {
        let offset = rows.len() as u64;
        let page = page(http, data_url, offset, &mut columns)?;
        let page_url = page_url(data_url, offset);
        if page.is_empty() {
            return Err(FetchError::EmptyPage { url: page_url, offset, fetched: offset, expected });
        }
        let canon: Vec<String> = page.iter().map(|r| Value::Object(r.clone()).to_string()).collect();
        let dups = canon.iter().filter(|c| seen.contains(*c)).count();
        if dups > 0 {
            return Err(FetchError::DuplicateRows { url: page_url, offset, count: dups });
        }
        seen.extend(canon);
        rows.extend(page);
        if rows.len() as u64 > expected {
            return Err(FetchError::CountMismatch { url: page_url, expected, fetched: rows.len() as u64 });
        }
        on_page(rows.len() as u64, expected);
    }
    let tail = page(http, data_url, expected, &mut columns)?;
    if !tail.is_empty() {
        return Err(FetchError::CountMismatch {
            url: page_url(data_url, expected),
            expected,
            fetched: expected + tail.len() as u64,
        });
    }
    let after = stats(http, &stats_url)?;
    if after != expected {
        return Err(FetchError::StatsChanged { url: stats_url, before: expected, after });
    }
    let bytes = to_bytes(&rows);
    let suppliers = if rows.is_empty() { 0 } else { super::count_suppliers(&bytes, true, data_url)? };
    Ok(FetchedRelease { release: release.clone(), bytes, rows: rows.len() as u64, suppliers })
}

fn page_url(data_url: &str, offset: u64) -> String {
    format!("{data_url}?size={PAGE_SIZE}&offset={offset}")
}

/// `found_rows` from a stats reply, which must agree with `total_rows`.
fn stats(http: &Http, url: &str) -> Result<u64, FetchError> {
    let v = http.get(url, url, |r| json_reply(r, url))?;
    let num = |k: &str| match v.get(k) {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let shape = |reason: String| FetchError::Shape { url: url.to_string(), offset: None, reason };
    let found = num("found_rows").ok_or_else(|| shape(format!("expected {{\"found_rows\": n, …}}, got {v}")))?;
    if let Some(total) = num("total_rows")
        && total != found
    {
        return Err(shape(format!("found_rows {found} differs from total_rows {total} on an unfiltered query")));
    }
    Ok(found)
}

/// One page, checked for shape: an array (at most `PAGE_SIZE` long) of objects whose values are
/// strings (or null), all with the same columns as the first row of the release.
fn page(
    http: &Http,
    data_url: &str,
    offset: u64,
    columns: &mut Option<BTreeSet<String>>,
) -> Result<Vec<Map<String, Value>>, FetchError> {
    let url = page_url(data_url, offset);
    let v = http.get(&url, &url, |r| json_reply(r, &url))?;
    let shape = |reason: String| FetchError::Shape { url: url.clone(), offset: Some(offset), reason };
    let Value::Array(items) = v else {
        return Err(shape(format!("expected a JSON array of rows, got {}", kind(&v))));
    };
    if items.len() > PAGE_SIZE {
        return Err(FetchError::PageTooLong { url: url.clone(), offset, len: items.len(), size: PAGE_SIZE });
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(row) = item else {
            return Err(shape(format!("row {i} is {}, not an object", kind(&item))));
        };
        if let Some((k, bad)) = row.iter().find(|(_, v)| !matches!(v, Value::String(_) | Value::Null)) {
            return Err(shape(format!("row {i}, column {k:?}: expected a string, got {}", kind(bad))));
        }
        let keys: BTreeSet<String> = row.keys().cloned().collect();
        match columns {
            None => *columns = Some(keys),
            Some(cols) if *cols != keys => {
                return Err(shape(format!(
                    "row {i} has columns {:?}, earlier rows {:?}",
                    keys.iter().collect::<Vec<_>>(),
                    cols.iter().collect::<Vec<_>>()
                )));
            }
            Some(_) => {}
        }
        out.push(row);
    }
    Ok(out)
}

/// The stored form: a JSON array with one compact object per line. serde_json's map is sorted,
/// so the same rows always give the same bytes (and sha256).
pub(crate) fn to_bytes(rows: &[Map<String, Value>]) -> Vec<u8> {
    if rows.is_empty() {
        return b"[]\n".to_vec();
    }
    let mut out = b"[\n".to_vec();
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        out.extend_from_slice(Value::Object(r.clone()).to_string().as_bytes());
    }
    out.extend_from_slice(b"\n]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_bytes_are_deterministic_json() {
        let rows: Vec<Map<String, Value>> =
            serde_json::from_str(r#"[{"b":"2","a":"1"},{"a":"3","b":null}]"#).expect("rows");
        let bytes = to_bytes(&rows);
        assert_eq!(String::from_utf8_lossy(&bytes), "[\n{\"a\":\"1\",\"b\":\"2\"},\n{\"a\":\"3\",\"b\":null}\n]\n");
        let back: Vec<Map<String, Value>> = serde_json::from_slice(&bytes).expect("parses");
        assert_eq!(back, rows);
        assert_eq!(to_bytes(&[]), b"[]\n");
    }
}
