//! JSON downloads and `manifest.json`. Downloads are escaped so they are safe even if someone
//! inlines them in a page: `<`, `>`, `&`, U+2028 and U+2029 become `\uXXXX` (the `json_script`
//! rule; serde_json does not do this by itself).

use serde::Serialize;

use crate::model::{Population, Provenance, Release};

/// Serializes `value` as pretty JSON with HTML-significant characters escaped.
pub fn safe_json<T: Serialize>(value: &T) -> Vec<u8> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('\n');
    out.into_bytes()
}

#[derive(Serialize)]
struct ManifestInput<'a> {
    release_date: String,
    path: &'a str,
    format: &'a str,
    sha256: &'a str,
    release_uuid: &'a Option<String>,
    title: &'a Option<String>,
    temporal: &'a Option<String>,
    source_url: &'a Option<String>,
    rows_read: u64,
    rows_kept: u64,
    suppliers: usize,
    quarantined: usize,
    status_filtered: bool,
    notes: Vec<&'a str>,
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    version: &'a str,
    synthetic: bool,
    dataset_title: &'a str,
    dataset_url: &'a str,
    latest_release: String,
    input_sha256: &'a str,
    population: &'a crate::model::PopulationSource,
    inputs: Vec<ManifestInput<'a>>,
    outputs: Vec<&'a str>,
}

/// `manifest.json`: provenance of every input, deterministic (no wall-clock time).
pub fn manifest(prov: &Provenance, population: &Population, releases: &[Release], outputs: &[&str]) -> Vec<u8> {
    let mut inputs: Vec<ManifestInput<'_>> = releases
        .iter()
        .map(|r| ManifestInput {
            release_date: r.source.date.to_string(),
            path: &r.source.path,
            format: &r.source.format,
            sha256: &r.source.sha256,
            release_uuid: &r.source.release_uuid,
            title: &r.source.title,
            temporal: &r.source.temporal,
            source_url: &r.source.source_url,
            rows_read: r.rows_read,
            rows_kept: r.rows_kept,
            suppliers: r.suppliers.len(),
            quarantined: r.quarantine.len(),
            status_filtered: r.status_filtered,
            notes: r.notes.iter().map(|n| n.message.as_str()).collect(),
        })
        .collect();
    inputs.sort_by(|a, b| a.release_date.cmp(&b.release_date));
    let mut outputs = outputs.to_vec();
    outputs.sort_unstable();
    let m = Manifest {
        tool: "hit-atlas",
        version: &prov.version,
        synthetic: prov.synthetic,
        dataset_title: &prov.dataset_title,
        dataset_url: &prov.dataset_url,
        latest_release: prov.release_date.to_string(),
        input_sha256: &prov.input_sha256,
        population: &population.source,
        inputs,
        outputs,
    };
    crate::store::to_json_bytes(&m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_round_trips() {
        let v = serde_json::json!({"name": "</script><b>&\u{2028}"});
        let bytes = safe_json(&v);
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        let back: serde_json::Value = serde_json::from_slice(&bytes).expect("valid json");
        assert_eq!(back, v);
    }
}
