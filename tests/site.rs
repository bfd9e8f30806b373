//! Site harness: builds fixture projects and checks the published site the way a reader, a
//! link checker and an attacker would.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use support::*;

const HOSTILE: &str = "<script>alert(1)</script> \"Q\" & <img src=x onerror=alert(2)>";
const FORMULA: &str = "=HYPERLINK(\"http://x.invalid\",\"y\")";

/// A fixture project: one release file with hostile names, a territory and dirty rows.
fn fixture(dir: &Path) {
    let rows = [
        cms_row("O100", HOSTILE, "TX", "75001", "TX", "Dallas"),
        cms_row("O100", HOSTILE, "TX", "75001", "OK", "Tulsa"),
        cms_row("O200", FORMULA, "CA", "90001", "CA", "Los Angeles"),
        cms_row("O300", "Bayamón Infusión", "PR", "00961", "PR", "Bayamón"),
        cms_row("O300", "Bayamón Infusión", "PR", "00961", "VI", "St. Thomas"),
        cms_row("O400", "Guam Care", "GU", "96910", "GU", "Hagåtña"),
        cms_row("O500", "Nowhere", "ZZ", "00000", "TX", "Dallas"),
    ];
    write(dir, "Home Infusion Therapy 1.6.2025.csv", &format!("{CMS_HEADER}\n{}\n", rows.join("\n")));
}

fn build(dir: &Path) -> std::path::PathBuf {
    fixture(dir);
    ok(run(dir, &["build", "--data", "Home Infusion Therapy 1.6.2025.csv", "--out", "site"]));
    dir.join("site")
}

/// Values of `attr="…"` in `html`.
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&pat) {
        rest = &rest[i + pat.len()..];
        if let Some(end) = rest.find('"') {
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// Every raw tag (`<` … `>`) in `html`; escaped text never contains a raw `<`.
fn tags(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices('<').filter_map(move |(i, _)| html[i..].find('>').map(|e| &html[i..=i + e]))
}

fn ids(html: &str) -> BTreeSet<String> {
    attrs(html, "id").into_iter().map(str::to_string).collect()
}

#[test]
fn every_internal_link_and_image_resolves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = build(dir.path());
    let files = snapshot(&site);
    let mut checked = 0;
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).expect("utf8 page");
        let base = Path::new(path).parent().unwrap_or(Path::new(""));
        for url in attrs(&html, "href").into_iter().chain(attrs(&html, "src")) {
            if url.starts_with("https://") || url.starts_with("http://") || url.starts_with("mailto:") {
                continue;
            }
            assert!(!url.starts_with('/'), "{path}: absolute link {url} breaks under a sub-path");
            let (file, frag) = url.split_once('#').unwrap_or((url, ""));
            let target = if file.is_empty() { path.clone() } else { normalize(&base.join(file)) };
            assert!(files.contains_key(&target), "{path}: link {url} → {target} missing");
            if !frag.is_empty() && target.ends_with(".html") {
                let t = String::from_utf8(files[&target].clone()).expect("utf8");
                assert!(ids(&t).contains(frag), "{path}: fragment #{frag} missing in {target}");
            }
            checked += 1;
        }
    }
    assert!(checked > 500, "only {checked} links checked");
}

fn normalize(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[test]
fn every_state_dc_pr_and_present_territory_has_a_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = build(dir.path());
    let pages: BTreeSet<String> = std::fs::read_dir(site.join("states"))
        .expect("states dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pages.len(), 52 + 2, "50 states, DC, PR + GU and VI (named in the data): {pages:?}");
    for p in ["WY.html", "DC.html", "PR.html", "GU.html", "VI.html"] {
        assert!(pages.contains(p), "{p}");
    }
    assert!(!pages.contains("AS.html"), "AS is not in the data");
    let wy = std::fs::read_to_string(site.join("states/WY.html")).expect("WY page");
    assert!(
        wy.contains("No supplier&#39;s practice location is in Wyoming")
            || wy.contains("No supplier's practice location is in Wyoming"),
        "zero stated in words"
    );
    let gu = std::fs::read_to_string(site.join("states/GU.html")).expect("GU page");
    assert!(gu.contains("no population figure, so no rate"));
}

#[test]
fn hostile_names_are_escaped_everywhere() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = build(dir.path());
    for (path, bytes) in snapshot(&site) {
        let text = String::from_utf8_lossy(&bytes);
        if path.ends_with(".html") || path.ends_with(".svg") || path.ends_with(".json") {
            assert!(!text.contains("<script>alert"), "{path} has an unescaped script tag");
            assert!(!text.contains("<img src=x"), "{path} has an injected tag");
        }
        if path.ends_with(".json") {
            assert!(!text.contains('<'), "{path}: JSON must escape < as \\u003c");
        }
        if path.ends_with(".html") {
            // The only scripts are our own external file.
            let scripts = text.matches("<script").count();
            assert!(scripts <= 1, "{path}: {scripts} script tags");
            if scripts == 1 {
                assert!(text.contains("<script src=\"") && text.contains("assets/sort.js\" defer></script>"), "{path}");
            }
            for tag in tags(&text) {
                let lower = tag.to_ascii_lowercase();
                assert!(!lower.contains(" onerror=") && !lower.contains(" onload="), "{path}: event handler in {tag}");
                assert!(!lower.contains("javascript:"), "{path}: javascript: URL in {tag}");
            }
        }
    }
    let tx = std::fs::read_to_string(site.join("states/TX.html")).expect("TX");
    assert!(tx.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "escaped name is shown as text");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.join("data/suppliers.json")).expect("json")).expect("valid");
    assert!(json.as_array().expect("array").iter().any(|s| s["name"] == HOSTILE), "JSON round-trips the name");
}

#[test]
fn formula_names_are_neutralised_in_csv_but_numbers_are_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = build(dir.path());
    let rows = csv_rows(&site.join("data/suppliers.csv"));
    let ca = rows.iter().find(|r| r[0] == "O200").expect("CA supplier");
    assert_eq!(ca[1], format!("'{FORMULA}"));
    let metrics = csv_rows(&site.join("data/state-metrics.csv"));
    for r in metrics.iter().skip(1) {
        for cell in &r[2..] {
            assert!(!cell.starts_with('\''), "numeric cell {cell:?} altered");
        }
    }
}

#[test]
fn unknown_placeholder_fails_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    fixture(dir.path());
    write(dir.path(), "content/caveats.md", "# Caveats\n\nAll good.\nThere are {{ supplier_count_typo }} suppliers.\n");
    let o = run(dir.path(), &["build", "--data", "Home Infusion Therapy 1.6.2025.csv"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("content/caveats.md:4: unknown placeholder {{ supplier_count_typo }}"), "{err}");
    assert!(err.contains("suppliers_total"), "lists the known placeholders: {err}");
    assert!(!dir.path().join("site").exists());
}

#[test]
fn every_page_has_banner_footer_csp_and_landmarks() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("site");
    ok(run(repo, &["build", "--out", out.to_str().expect("utf8")]));
    for (path, bytes) in snapshot(&out).iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8(bytes.clone()).expect("utf8");
        for needle in [
            "<html lang=\"en\">",
            "Content-Security-Policy",
            "Synthetic sample, not CMS data.",
            "class=\"skip\" href=\"#main\"",
            "<main id=\"main\">",
            "<footer class=\"provenance\">",
            "Input checksum (sha256)",
            "Census Bureau Vintage 2024",
            "og:title",
        ] {
            assert!(html.contains(needle), "{path} lacks {needle:?}");
        }
        assert_eq!(html.matches("<h1").count(), 1, "{path}: one h1");
        for url in attrs(&html, "src") {
            assert!(!url.contains("//"), "{path}: {url} would leave the site");
        }
        for tag in tags(&html).filter(|t| t.starts_with("<link")) {
            assert!(!tag.contains("//"), "{path}: {tag} would leave the site");
        }
    }
}

/// The whole-site snapshot of the fixture build: every file's sha256, plus the full text of the
/// machine-readable contracts. Regenerate with `UPDATE_SNAPSHOTS=1 cargo test --test site`.
#[test]
fn whole_site_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = build(dir.path());
    let files = snapshot(&site);
    let mut text = String::new();
    for (path, bytes) in &files {
        let hash = sha256(bytes);
        text.push_str(&format!("{hash}  {path}\n"));
    }
    for contract in ["data/state-metrics.csv", "data/releases.csv", "data/quarantine.csv"] {
        text.push_str(&format!("\n--- {contract}\n{}", String::from_utf8_lossy(&files[contract])));
    }
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/fixture-site.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(snap.parent().expect("parent")).expect("mkdir");
        std::fs::write(&snap, &text).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(&snap).expect("snapshot exists; run with UPDATE_SNAPSHOTS=1 to create it");
    if expected != text {
        let diff: Vec<String> = expected
            .lines()
            .zip(text.lines())
            .filter(|(a, b)| a != b)
            .take(10)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "site differs from tests/snapshots/fixture-site.txt (UPDATE_SNAPSHOTS=1 to accept):\n{}",
            diff.join("\n")
        );
    }
}

fn sha256(bytes: &[u8]) -> String {
    hit_atlas::store::sha256_hex(bytes)
}
