//! Property tests (reliability notes T-F, issue 6 item 4) on stable Rust: the parsers never panic
//! on any input, and the escaping laws hold for any string the data could carry.
//!
//! cargo-fuzz needs a nightly toolchain, and this project builds on stable 1.95 only, so the
//! same targets run here under proptest: arbitrary bytes for "no panic", and structured
//! generators for the laws. `PROPTEST_CASES=N` raises the case count for a longer local run.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use hit_atlas::markdown::{Trust, escape_text, to_html};
use hit_atlas::model::{Provenance, ReleaseSource};
use hit_atlas::normalize::raw::{MAX_CELL_BYTES, RawRecord, RawTable, parse_csv, parse_json};
use hit_atlas::normalize::{NormalizeOptions, clean_state, normalize};
use hit_atlas::render::csv::defang;
use hit_atlas::render::json::safe_json;
use hit_atlas::write::{SiteFile, is_safe_relative, write_site};
use hit_atlas::{load, metrics, render, sample};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// The real CMS column titles (the sample's layout).
const COLUMNS: [&str; 14] = sample::CMS_COLUMNS;

/// Strings that stress every escaper: markup, quotes, formula prefixes, bidi, NUL, NBSP, U+2028.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        // Formula prefixes (CSV injection) often enough that every case list meets each one.
        "[=+\\-@\t\r][^\n]{0,12}",
        "[<>\"'&=+@\\-\t\r\n a-zA-Z0-9/;:!#*_`\\[\\]()\u{a0}\u{2028}\u{2029}\u{202e}\u{0}é]{0,40}",
        Just("<script>alert(1)</script>".to_string()),
        Just("\"><img src=x onerror=alert(1)>".to_string()),
        Just("</title><script>x</script>".to_string()),
        Just("=HYPERLINK(\"http://x?\"&A1)".to_string()),
        Just("&amp;lt;".to_string()),
    ]
}

fn source(day: u32) -> ReleaseSource {
    let date = NaiveDate::from_ymd_opt(2025, 1, day.clamp(1, 28)).expect("valid date");
    ReleaseSource::new(date, format!("r{day}.csv"), "0".repeat(64), "csv")
}

fn csv_bytes(headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    w.write_record(headers).expect("write header");
    for r in rows {
        w.write_record(r).expect("write row");
    }
    w.into_inner().expect("flush")
}

/// A lexical check, independent of `is_safe_relative`: joined to `root`, does `rel` stay under it?
fn stays_under(root: &Path, rel: &str) -> bool {
    let mut p = root.to_path_buf();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(s) => p.push(s),
            Component::CurDir => {}
            Component::ParentDir => {
                if !p.pop() {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    p.starts_with(root) && p != root
}

/// Attribute names inside every raw tag of `html`. Escaped text never contains a raw `<`, so
/// every tag found is one the templates wrote.
fn tags_and_attrs(html: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        rest = &rest[end..];
        let close = usize::from(tag.starts_with('/'));
        let name: String = tag[close..].chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
        let name = if close == 1 { format!("/{name}") } else { name };
        let mut attrs = Vec::new();
        let mut s = tag[name.len()..].trim_start();
        while !s.is_empty() {
            let n: String = s.chars().take_while(|c| !c.is_whitespace() && !matches!(c, '=' | '>' | '/')).collect();
            s = s[n.len()..].trim_start();
            if let Some(v) = s.strip_prefix('=') {
                let v = v.trim_start();
                s = match v.chars().next() {
                    Some(q @ ('"' | '\'')) => v[1..].find(q).map(|e| &v[e + 2..]).unwrap_or(""),
                    _ => v.find(char::is_whitespace).map(|e| &v[e..]).unwrap_or(""),
                };
            } else if n.is_empty() {
                s = &s[s.chars().next().map(char::len_utf8).unwrap_or(0)..];
            }
            if !n.is_empty() {
                attrs.push(n.to_ascii_lowercase());
            }
            s = s.trim_start();
        }
        out.push((name.to_ascii_lowercase(), attrs));
    }
    out
}

/// `cases` per property, or `PROPTEST_CASES` when set (for a longer run). Failures are saved to
/// `tests/props.proptest-regressions` and replayed first on the next run; commit that file.
fn config(cases: u32) -> ProptestConfig {
    let d = ProptestConfig::default();
    ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() { d.cases } else { cases },
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("tests/props.proptest-regressions"))),
        ..d
    }
}

proptest! {
    #![proptest_config(config(256))]

    // ---- the CSV/JSON release parser ------------------------------------------------------

    #[test]
    fn parse_csv_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_csv(&bytes);
    }

    #[test]
    fn parse_csv_never_panics_on_csv_shaped_bytes(
        text in "(\u{feff})?([a-zA-Z ,\"\r\n]|\"\"|\u{e9}){0,300}",
        cut in any::<prop::sample::Index>(),
    ) {
        // Also cut inside a multi-byte character: the parser must report, not panic.
        let bytes = text.as_bytes();
        let _ = parse_csv(bytes);
        let _ = parse_csv(&bytes[..cut.index(bytes.len() + 1)]);
    }

    #[test]
    fn parse_csv_round_trips_what_a_csv_writer_wrote(
        headers in proptest::collection::vec("[A-Za-z][A-Za-z _]{0,12}", 1..6),
        rows in proptest::collection::vec(proptest::collection::vec("[^\u{feff}]{0,16}", 0..6), 0..12),
        bom in any::<bool>(),
    ) {
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend(csv_bytes(&headers, &rows));
        let t = parse_csv(&bytes).expect("a CSV writer's output parses");
        prop_assert_eq!(&t.headers, &headers);
        // A record that is one empty cell (or none) reads as a blank line and is skipped, on purpose.
        let data: Vec<&Vec<String>> = rows.iter().filter(|r| !(r.len() <= 1 && r.iter().all(String::is_empty))).collect();
        prop_assert_eq!(t.records.len(), data.len());
        for (rec, row) in t.records.iter().zip(data) {
            match rec {
                RawRecord::Row { cells, .. } => {
                    prop_assert_eq!(row.len(), headers.len(), "a row of the wrong width was accepted");
                    prop_assert_eq!(cells, row);
                }
                RawRecord::Malformed { .. } => prop_assert!(row.len() != headers.len()
                    || row.iter().any(|c| c.len() > MAX_CELL_BYTES)),
            }
        }
    }

    #[test]
    fn parse_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_json(&bytes);
    }

    #[test]
    fn parse_json_never_panics_on_json_shaped_text(text in "[\\[\\]{}\",:0-9a-z \\\\nul-]{0,200}") {
        let _ = parse_json(text.as_bytes());
    }

    #[test]
    fn parse_json_reads_arrays_of_string_objects(
        objs in proptest::collection::vec(proptest::collection::btree_map("[a-z_]{1,8}", any::<String>(), 0..5), 0..8),
    ) {
        let text = serde_json::to_string(&objs).expect("serialize");
        let t = parse_json(text.as_bytes()).expect("an array of string objects parses");
        prop_assert_eq!(t.records.len(), objs.len());
        for (rec, obj) in t.records.iter().zip(&objs) {
            let RawRecord::Row { cells, .. } = rec else { return Err(TestCaseError::fail("object read as malformed")) };
            for (k, v) in obj {
                let col = t.headers.iter().position(|h| h == k).expect("every key is a header");
                prop_assert_eq!(&cells[col], v);
            }
        }
    }

    // ---- normalize: counting rules hold for any table -------------------------------------

    #[test]
    fn normalize_counts_distinct_valid_ids_and_sets_every_other_row_aside(
        rows in proptest::collection::vec(
            (
                prop_oneof![Just(String::new()), "O[0-9]{1}", hostile()],
                prop_oneof!["[a-zA-Z]{2}", " ?(tx|TX|pr|Gu|dc) ?", Just(String::new()), hostile()],
                prop_oneof![Just("TX".to_string()), Just(String::new()), "[A-Z]{2}"],
                hostile(),
            ),
            0..40,
        ),
        malformed in proptest::collection::vec(0u64..100, 0..3),
    ) {
        let headers: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
        let mut records: Vec<RawRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, (id, st, area, name))| {
                let mut cells = vec![String::new(); COLUMNS.len()];
                cells[0] = id.clone();
                cells[1] = name.clone();
                cells[5] = st.clone();
                cells[11] = area.clone();
                RawRecord::Row { line: i as u64 + 2, cells }
            })
            .collect();
        records.extend(malformed.iter().map(|l| RawRecord::Malformed { line: *l, message: "bad".into() }));
        let table = RawTable { headers, records };
        let r = normalize(&table, source(7), &NormalizeOptions::default()).expect("all required columns present");
        // No row is silently dropped: every row is kept (counted) or set aside with a reason.
        prop_assert_eq!(r.rows_kept + r.quarantine.len() as u64, table.records.len() as u64);
        for (key, s) in &r.suppliers {
            prop_assert_eq!(key, &s.enrollment_id);
            prop_assert!(!s.enrollment_id.trim().is_empty());
            prop_assert_eq!(clean_state(&s.state), Some(s.state.as_str()), "counted state is valid and canonical");
        }
        // A supplier is a distinct enrollment ID: the count is the number of distinct trimmed
        // IDs among rows with a valid state and a valid (or empty) service-area state.
        let expected: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter(|(id, st, area, _)| {
                !id.trim().is_empty() && clean_state(st).is_some() && (area.trim().is_empty() || clean_state(area).is_some())
            })
            .map(|(id, ..)| id.trim())
            .collect();
        prop_assert_eq!(r.suppliers.len(), expected.len());
    }

    #[test]
    fn normalize_never_panics_on_any_headers(
        headers in proptest::collection::vec(prop_oneof![hostile(), prop::sample::select(COLUMNS.to_vec()).prop_map(String::from)], 0..16),
        cells in proptest::collection::vec(proptest::collection::vec(hostile(), 0..18), 0..6),
    ) {
        let table = RawTable {
            headers,
            records: cells.into_iter().enumerate().map(|(i, c)| RawRecord::Row { line: i as u64 + 2, cells: c }).collect(),
        };
        let _ = normalize(&table, source(7), &NormalizeOptions::default());
    }

    // ---- CSV formula neutralizing -----------------------------------------------------------

    #[test]
    fn defang_leaves_no_formula_prefix_and_is_idempotent(s in hostile()) {
        let d = defang(&s);
        prop_assert!(!d.starts_with(['=', '+', '-', '@', '\t', '\r']), "{:?} -> {:?}", s, d);
        let again = defang(&d).into_owned();
        prop_assert_eq!(again.as_str(), d.as_ref(), "idempotent");
        // Only a prefix is added; the text itself is kept.
        prop_assert!(d.ends_with(s.as_str()));
        prop_assert!(d.len() <= s.len() + 1);
    }

    #[test]
    fn published_supplier_csv_has_no_formula_in_any_text_cell(names in proptest::collection::vec(hostile(), 1..6)) {
        let headers: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
        let records = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut cells = vec![String::new(); COLUMNS.len()];
                cells[0] = format!("O{i}");
                cells[1] = n.clone();
                cells[2] = format!("-{i} {n}");
                cells[4] = format!("@{n}");
                cells[5] = "TX".into();
                cells[7] = "+15550000".into();
                RawRecord::Row { line: i as u64 + 2, cells }
            })
            .collect();
        let r = normalize(&RawTable { headers, records }, source(7), &NormalizeOptions::default()).expect("normalize");
        let bytes = render::csv::suppliers(&r);
        let mut rdr = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        let mut rows = 0;
        for rec in rdr.records() {
            let rec = rec.expect("the published CSV parses");
            for cell in rec.iter() {
                prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "formula survived: {:?}", cell);
            }
            rows += 1;
        }
        prop_assert_eq!(rows, names.len());
    }

    // ---- JSON downloads ---------------------------------------------------------------------

    #[test]
    fn safe_json_has_no_markup_characters_and_round_trips(v in proptest::collection::btree_map(hostile(), hostile(), 0..6)) {
        let bytes = safe_json(&v);
        let text = std::str::from_utf8(&bytes).expect("utf8");
        prop_assert!(!text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']), "{}", text);
        let back: BTreeMap<String, String> = serde_json::from_slice(&bytes).expect("valid JSON");
        prop_assert_eq!(back, v);
    }

    // ---- output paths -----------------------------------------------------------------------

    #[test]
    fn safe_relative_paths_stay_under_the_root(
        rel in prop_oneof![
            any::<String>(),
            proptest::collection::vec(prop_oneof![
                Just("..".to_string()), Just(".".to_string()), Just("".to_string()), Just("/".to_string()),
                Just("\\".to_string()), Just("\0".to_string()), Just("C:".to_string()), "[a-zA-Z0-9._-]{1,8}",
            ], 1..6).prop_map(|parts| parts.join("/")),
        ],
    ) {
        let root = PathBuf::from("/out/site");
        if is_safe_relative(&rel) {
            prop_assert!(stays_under(&root, &rel), "{:?} accepted but leaves the root", rel);
            prop_assert!(!rel.contains('\0') && !rel.starts_with('/'));
        }
    }

    // ---- markdown: data text never becomes markup or a live link ------------------------------

    #[test]
    fn data_markdown_never_emits_tags_from_the_input(s in hostile(), tag in "[a-z]{1,6}") {
        let input = format!("{s}<zq{tag} onzq=1>{s}</zq{tag}>");
        let h = to_html(&input, Trust::Data);
        for (name, attrs) in tags_and_attrs(&h) {
            prop_assert!(!name.contains("zq"), "tag <{}> from the input survived: {}", name, h);
            prop_assert!(attrs.iter().all(|a| !a.contains("zq")), "attribute from the input survived: {}", h);
            prop_assert!(!name.contains("script") && !name.contains("img"), "{}", h);
        }
    }

    #[test]
    fn markdown_links_never_get_a_dangerous_scheme(
        scheme in "(?i)(javascript|vbscript|data|file|JaVaScRiPt)",
        pad in "[ \t]{0,2}",
        trust in prop_oneof![Just(Trust::Content), Just(Trust::Data)],
    ) {
        let h = to_html(&format!("[x]({pad}{scheme}:alert(1)) ![y]({scheme}:z)"), trust);
        let lower = h.to_ascii_lowercase();
        prop_assert!(!lower.contains(&format!("=\"{}:", scheme.to_ascii_lowercase())), "{}", h);
    }

    #[test]
    fn escaped_values_render_as_text_in_trusted_markdown(v in "[^\r\n]{0,60}") {
        // Placeholder values are escaped with escape_text and spliced into the repository's own
        // markdown; whatever the value, it adds no tag, link or emphasis of its own. Single-line
        // only: escape_text leaves newlines, so "x\n===" still makes a heading (block structure,
        // never markup or a link; placeholder values are one-line build figures today).
        let h = to_html(&format!("Value: {}", escape_text(&v)), Trust::Content);
        let tags: Vec<String> = tags_and_attrs(&h).into_iter().map(|(n, _)| n).collect();
        prop_assert!(tags.iter().all(|t| t == "p" || t == "/p"), "{:?} -> {}", v, h);
    }

    // ---- Census population parser -----------------------------------------------------------

    #[test]
    fn parse_nst_never_panics(text in "(SUMLEV,STATE,POPESTIMATE2024\n)?([0-9,\"\n]|010|040|18446744073709551615){0,200}") {
        let _ = load::parse_nst(&text);
    }

    #[test]
    fn parse_nst_reads_consistent_files_and_rejects_inconsistent_ones(
        pops in proptest::collection::btree_map("[0-9]{2}", any::<u64>(), 0..8),
        skew in 0u64..3,
    ) {
        let sum = pops.iter().filter(|(f, _)| f.as_str() != "72").try_fold(0u64, |a, (_, v)| a.checked_add(*v));
        let us = sum.map(|s| s.wrapping_add(skew)).unwrap_or(0);
        let mut text = format!("SUMLEV,REGION,STATE,NAME,POPESTIMATE2024\n010,0,00,United States,{us}\n");
        for (fips, p) in &pops {
            text.push_str(&format!("040,X,{fips},\"Name, {fips}\",{p}\n"));
        }
        match load::parse_nst(&text) {
            Ok(map) => {
                prop_assert_eq!(skew, 0);
                prop_assert_eq!(map, pops);
            }
            Err(e) => prop_assert!(skew != 0 || sum.is_none(), "consistent file rejected: {}", e),
        }
    }

    // ---- the catalog (data.json) reader -------------------------------------------------------

    #[test]
    fn catalog_releases_never_panics(text in any::<String>(), n in 0usize..30) {
        let _ = sample::catalog_releases(&text, n);
    }

    #[test]
    fn catalog_releases_returns_the_newest_n_api_releases_sorted(
        days in proptest::collection::btree_set(0i64..4000, 0..20),
        csv_twins in any::<bool>(),
        temporal in hostile(),
        n in 0usize..30,
    ) {
        // A DCAT entry shaped like data.cms.gov's: one API distribution per release (its own
        // UUID), optionally its CSV twin, plus the moving "latest" alias, which must be ignored.
        let start = NaiveDate::from_ymd_opt(2016, 1, 1).expect("date");
        let dates: Vec<NaiveDate> = days.iter().map(|d| start + chrono::Duration::days(*d)).collect();
        let series = "31f25ab6-2fe3-4bad-ac5a-90635ed79935";
        let mut distribution = Vec::new();
        for (i, date) in dates.iter().enumerate() {
            let title = format!("{} : {date}", load::SERIES_TITLE);
            distribution.push(serde_json::json!({
                "format": "API", "title": title, "temporal": temporal, "modified": date.to_string(),
                "accessURL": format!("https://data.cms.gov/data-api/v1/dataset/00000000-0000-4000-8000-{i:012}/data"),
            }));
            if csv_twins {
                distribution.push(serde_json::json!({
                    "mediaType": "text/csv", "title": title,
                    "downloadURL": format!("https://data.cms.gov/sites/default/files/x/{i}.csv"),
                }));
            }
        }
        if let Some(last) = dates.last() {
            distribution.push(serde_json::json!({
                "format": "API", "description": "latest", "title": format!("{} : {last}", load::SERIES_TITLE),
                "accessURL": format!("https://data.cms.gov/data-api/v1/dataset/{series}/data"),
            }));
        }
        let catalog = serde_json::json!({"dataset": [
            {"title": "Something else", "identifier": "x", "distribution": []},
            {"title": load::SERIES_TITLE,
             "identifier": format!("https://data.cms.gov/data-api/v1/dataset/{series}/data-viewer"),
             "distribution": distribution},
        ]});
        match sample::catalog_releases(&catalog.to_string(), n) {
            Ok(got) => {
                prop_assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "sorted, no duplicates");
                let want: Vec<NaiveDate> = dates.iter().rev().take(n).rev().copied().collect();
                prop_assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), want);
            }
            // A series with no dated release is a clear error, never a panic or an empty success.
            Err(e) => prop_assert!(dates.is_empty(), "{e}"),
        }
    }

    #[test]
    fn release_dates_from_any_file_name_never_panic(name in any::<String>()) {
        let _ = load::date_from_name(Path::new(&name));
    }
}

// ---- HTML escaping through the real templates ------------------------------------------------

proptest! {
    // Each case renders the whole site (about 60 pages); fewer cases, same law.
    #![proptest_config(config(24))]

    #[test]
    fn no_markup_from_the_data_survives_into_any_page(
        names in proptest::collection::vec((hostile(), "[a-z]{1,5}"), 1..4),
        county in hostile(),
    ) {
        let headers: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
        let mut records = Vec::new();
        for (i, (n, tag)) in names.iter().enumerate() {
            // Every name carries a tag and an attribute the templates never write.
            let name = format!("{n}<zq{tag} onzq=1>\"' onzq2='x' {n}");
            for (j, st) in ["TX", "PR", "GU"].iter().enumerate() {
                let mut cells = vec![String::new(); COLUMNS.len()];
                cells[0] = format!("O{i}");
                cells[1] = name.clone();
                cells[4] = format!("<zqcity>{county}");
                cells[5] = (*st).into();
                cells[9] = "County".into();
                cells[11] = (*st).into();
                cells[13] = format!("{county}<zqcounty onzq=2>");
                records.push(RawRecord::Row { line: (i * 3 + j) as u64 + 2, cells });
            }
        }
        // One row set aside, so the quarantine table shows hostile text too.
        let mut bad = vec![String::new(); COLUMNS.len()];
        bad[0] = "O9".into();
        bad[1] = "<zqbad onzq=3>".into();
        bad[5] = format!("<zqstate>{county}");
        records.push(RawRecord::Row { line: 99, cells: bad });
        let release = normalize(&RawTable { headers, records }, source(7), &NormalizeOptions::default()).expect("normalize");
        let releases = vec![release];
        let population = load::bundled_population().expect("bundled population");
        let m = metrics::compute(&releases, &population).expect("metrics");
        let provenance = Provenance {
            dataset_title: load::SERIES_TITLE.into(),
            dataset_url: load::SERIES_URL.into(),
            release_date: m.latest,
            population_label: population.source.label.clone(),
            population_year: population.source.year,
            synthetic: true,
            version: "test".into(),
            input_sha256: "0".repeat(64),
        };
        let files = render::render_site(&render::SiteInput {
            metrics: &m,
            releases: &releases,
            population: &population,
            provenance: &provenance,
            charts: &[],
            sparklines: &BTreeMap::new(),
            content: &[],
            settings: &render::SiteSettings::default(),
        })
        .expect("render");
        let mut pages = 0;
        for f in files.iter().filter(|f| f.path.ends_with(".html") || f.path.ends_with(".svg")) {
            let html = std::str::from_utf8(&f.bytes).expect("utf8 page");
            for (tag, attrs) in tags_and_attrs(html) {
                prop_assert!(!tag.contains("zq"), "{}: tag <{}> from the data survived", f.path, tag);
                prop_assert!(attrs.iter().all(|a| !a.contains("zq")), "{}: attribute {:?} from the data in <{}>", f.path, attrs, tag);
            }
            pages += 1;
        }
        prop_assert!(pages > 50);
        // The names are shown, escaped, on the Texas page.
        let tx = files.iter().find(|f| f.path == "states/TX.html").expect("TX page");
        let tx = std::str::from_utf8(&tx.bytes).expect("utf8");
        prop_assert!(tx.contains("&#60;zq") || tx.contains("&lt;zq"), "escaped name not shown");
        // And every published CSV and JSON file keeps the law of its own format.
        for f in files.iter().filter(|f| f.path.ends_with(".json")) {
            prop_assert!(!f.bytes.contains(&b'<'), "{}: raw < in JSON", f.path);
        }
    }

    #[test]
    fn write_site_keeps_every_file_under_the_output_root(
        paths in proptest::collection::btree_set("[a-z]{1,3}(/[a-z.]{1,3}){0,2}", 1..8),
        evil in prop_oneof![Just("../x"), Just("/abs"), Just("a/../../b"), Just("a\\b"), Just("")],
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("site");
        // Paths that are a prefix-directory of another (a and a/b) cannot both be files.
        let paths: Vec<String> = paths.iter().filter(|p| !paths.iter().any(|q| q.starts_with(&format!("{p}/")))).cloned().collect();
        let files: Vec<SiteFile> = paths.iter().map(|p| SiteFile { path: p.clone(), bytes: p.as_bytes().to_vec() }).collect();
        match write_site(&out, &files) {
            Ok(()) => {
                for p in &paths {
                    prop_assert_eq!(std::fs::read(out.join(p)).expect("written"), p.as_bytes());
                }
            }
            // Case-insensitive collisions and odd components are refused; that is allowed.
            Err(e) => prop_assert!(e.to_string().contains("refusing"), "{}", e),
        }
        let mut with_evil = files.clone();
        with_evil.push(SiteFile { path: evil.to_string(), bytes: b"x".to_vec() });
        prop_assert!(write_site(&out, &with_evil).is_err(), "{:?} accepted", evil);
        // Nothing escaped the temp dir's site folder.
        for e in walkdir::WalkDir::new(dir.path()).into_iter().filter_map(Result::ok) {
            prop_assert!(e.path() == dir.path() || e.path().starts_with(&out) || e.file_name().to_string_lossy().starts_with("site"),
                "{} written outside site/", e.path().display());
        }
    }
}
