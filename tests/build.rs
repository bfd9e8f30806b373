//! The build harness: fixture projects in temp dirs, the real binary, assertions on files.

mod support;

use std::fs;

use support::*;

#[test]
fn csv_with_bom_quoted_newlines_counts_distinct_suppliers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = [
        cms_row("O1", "Acme \"Home\" Infusion, LLC", "MA", "02134", "MA", "Suffolk"),
        cms_row("O1", "Acme \"Home\" Infusion, LLC", "MA", "02134", "NH", "Hillsborough"),
        cms_row("O1", "Acme \"Home\" Infusion, LLC", "MA", "02134", "RI", "Providence"),
        cms_row("O2", "Two\nLine Name", "tx ", "787011234", "TX", "Travis"),
        cms_row("O3", "Bad State", "XX", "00000", "TX", "Travis"),
    ];
    let body = format!("\u{feff}{CMS_HEADER}\r\n{}\r\n", rows.join("\r\n"));
    write(dir.path(), "Home Infusion Therapy 1.6.2025.csv", &body);
    let out = ok(run(dir.path(), &["build", "--data", "Home Infusion Therapy 1.6.2025.csv", "--out", "site"]));
    assert!(out.contains("2 suppliers"), "{out}");
    assert!(!out.contains("SYNTHETIC"), "real-looking input is not labelled synthetic: {out}");
    let site = dir.path().join("site");
    assert_eq!(state_row(&site, "MA")[2..4], ["1".to_string(), "7136171".to_string()]);
    assert_eq!(state_row(&site, "TX")[2], "1", "padded lower-case state cleaned");
    assert_eq!(state_row(&site, "NH")[2], "0");
    assert_eq!(state_row(&site, "NH")[6], "1", "served_by counts the MA supplier's NH area");
    let wy = state_row(&site, "WY");
    assert_eq!(wy, ["WY", "Wyoming", "0", "587618", "0.00", wy[5].as_str(), "0"]);
    let metrics = csv_rows(&site.join("data/state-metrics.csv"));
    assert_eq!(metrics.len(), 53, "header + 50 states + DC + PR, zeros included");
    let sup = csv_rows(&site.join("data/suppliers.csv"));
    assert_eq!(sup.len(), 3);
    assert_eq!(sup[1][5], "02134", "leading zero kept");
    assert_eq!(sup[2][5], "78701-1234", "ZIP+4");
    assert_eq!(sup[2][1], "Two\nLine Name");
    let q = csv_rows(&site.join("data/quarantine.csv"));
    assert_eq!(q.len(), 2);
    assert_eq!((q[1][2].as_str(), q[1][3].as_str()), ("7", "invalid_state"), "line 7: the quoted newline counts");
    assert_eq!(q[1][1], "Home Infusion Therapy 1.6.2025.csv");
}

#[test]
fn api_json_with_snake_case_headers_and_two_releases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let obj = |id: &str, st: &str| {
        format!(
            r#"{{"enrollment_id":"{id}","legal_business_name":"N {id}","state":"{st}","zip_code":"01001","geographic_location_state_code":"{st}"}}"#
        )
    };
    write(dir.path(), "hit-2024-12-23.json", &format!("[{},{}]", obj("A", "CA"), obj("B", "CA")));
    write(dir.path(), "hit-2025-01-07.json", &format!("[{},{},{}]", obj("B", "CA"), obj("C", "NY"), obj("D", "PR")));
    ok(run(dir.path(), &["build", "--data", "hit-2024-12-23.json", "--data", "hit-2025-01-07.json"]));
    let rel = csv_rows(&dir.path().join("site/data/releases.csv"));
    assert_eq!(rel[0], ["release_date", "suppliers", "rows", "new", "dropped"]);
    assert_eq!(rel[1], ["2024-12-23", "2", "2", "", ""]);
    assert_eq!(rel[2], ["2025-01-07", "3", "3", "2", "1"]);
    assert_eq!(state_row(&dir.path().join("site"), "PR")[2], "1");
}

#[test]
fn missing_required_column_exits_2_naming_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "Home Infusion Therapy 1.6.2025.csv", "Legal Business Name,City,ZIP Code\nAcme,Boston,02134\n");
    let o = run(dir.path(), &["build", "--data", "Home Infusion Therapy 1.6.2025.csv"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    for needle in ["Enrollment ID", "enrollment_id", "State", "Headers found: Legal Business Name, City, ZIP Code"] {
        assert!(err.contains(needle), "{needle:?} missing from: {err}");
    }
    assert!(err.contains("Home Infusion Therapy 1.6.2025.csv"), "{err}");
    assert!(!dir.path().join("site").exists(), "nothing written");
}

#[test]
fn unknown_release_date_and_missing_input_are_clear() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "providers.csv", &format!("{CMS_HEADER}\n{}\n", cms_row("O1", "A", "TX", "1", "TX", "")));
    let o = run(dir.path(), &["build", "--data", "providers.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--release-date"), "{}", stderr(&o));
    ok(run(dir.path(), &["build", "--data", "providers.csv", "--release-date", "2025-01-07"]));
    let o = run(dir.path(), &["build", "--data", "nope.csv"]);
    assert_eq!(o.status.code(), Some(5), "a path that does not exist is a usage error");
    assert!(stderr(&o).contains("nope.csv"));
    let o = run(dir.path(), &["build", "--data", "providers.csv", "--release-date", "January"]);
    assert_eq!(o.status.code(), Some(5));
}

#[test]
fn latin1_input_is_refused_not_garbled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = format!("{CMS_HEADER}\n").into_bytes();
    bytes.extend_from_slice(b"O1,Do\xf1a Ana Infusion,,,Las Cruces,NM,88001,,,,,NM,,\n");
    fs::write(dir.path().join("Home Infusion Therapy 1.6.2025.csv"), bytes).expect("write");
    let o = run(dir.path(), &["build", "--data", "Home Infusion Therapy 1.6.2025.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 2: not valid UTF-8"), "{}", stderr(&o));
}

#[test]
fn failed_build_leaves_previous_site_byte_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a 2025-01-07.csv", &format!("{CMS_HEADER}\n{}\n", cms_row("O1", "A", "TX", "1", "TX", "")));
    ok(run(dir.path(), &["build", "--data", "a 2025-01-07.csv"]));
    let before = snapshot(&dir.path().join("site"));
    write(dir.path(), "b 2025-01-21.csv", "Legal Business Name\nA\n");
    let o = run(dir.path(), &["build", "--data", "a 2025-01-07.csv", "--data", "b 2025-01-21.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(before, snapshot(&dir.path().join("site")));
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("ls")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("site."))
        .collect();
    assert!(leftovers.is_empty(), "no temp or prev folders left behind");
}

#[test]
fn default_build_uses_the_synthetic_sample_and_is_deterministic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = env!("CARGO_MANIFEST_DIR");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let out = ok(run(std::path::Path::new(repo), &["build", "--out", a.to_str().expect("utf8")]));
    assert!(out.contains("SYNTHETIC SAMPLE"), "{out}");
    ok(run(std::path::Path::new(repo), &["build", "--out", b.to_str().expect("utf8")]));
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert_eq!(sa.keys().collect::<Vec<_>>(), sb.keys().collect::<Vec<_>>());
    for (k, v) in &sa {
        assert!(v == &sb[k], "{k} differs between two builds");
    }
    let index = String::from_utf8(sa["index.html"].clone()).expect("utf8");
    assert!(index.contains("Synthetic sample, not CMS data"));
    let manifest: serde_json::Value = serde_json::from_slice(&sa["data/manifest.json"]).expect("json");
    assert_eq!(manifest["synthetic"], true);
    assert_eq!(manifest["inputs"].as_array().map(Vec::len), Some(24));
}

#[test]
fn committed_sample_equals_the_generator() {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(run(dir.path(), &["sample", "--out", "fresh"]));
    let fresh = snapshot(&dir.path().join("fresh"));
    let committed = snapshot(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample"));
    assert_eq!(fresh.keys().collect::<Vec<_>>(), committed.keys().collect::<Vec<_>>());
    for (k, v) in &fresh {
        assert!(v == &committed[k], "data/sample/{k} is stale: run `cargo run -- sample`");
    }
}

#[test]
fn publishing_never_goes_backwards_without_allow_older() {
    let dir = tempfile::tempdir().expect("tempdir");
    let row = cms_row("O1", "A", "TX", "1", "TX", "");
    write(dir.path(), "a 2025-01-07.csv", &format!("{CMS_HEADER}\n{row}\n"));
    write(dir.path(), "b 2024-12-23.csv", &format!("{CMS_HEADER}\n{row}\n"));
    ok(run(dir.path(), &["build", "--data", "a 2025-01-07.csv"]));
    let before = snapshot(&dir.path().join("site"));
    let o = run(dir.path(), &["build", "--data", "b 2024-12-23.csv"]);
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(stderr(&o).contains("2025-01-07") && stderr(&o).contains("--allow-older"), "{}", stderr(&o));
    assert_eq!(before, snapshot(&dir.path().join("site")), "refused build leaves the site untouched");
    ok(run(dir.path(), &["build", "--data", "b 2024-12-23.csv", "--allow-older"]));
    ok(run(dir.path(), &["build", "--data", "a 2025-01-07.csv"]));
}
