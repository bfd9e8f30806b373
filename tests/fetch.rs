//! `fetch` against a real HTTP server on 127.0.0.1 that each test starts: the catalog derived
//! from the real data.json excerpt, paginated `/data`, `/data/stats` and a Census endpoint, with
//! faults injected per request. Short timeouts and backoffs keep the suite fast.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use hit_atlas::fetch::{self, FetchError, FetchOptions, FetchSummary, HttpPolicy, ReleaseSelection};
use hit_atlas::store;
use serde_json::{Map, Value, json};
use support::http::{Fault, Fixture, KEY, Req, Resp, SERIES_UUID, Server, census_route, not_found, snapshot};

fn policy() -> HttpPolicy {
    HttpPolicy {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(1500),
        max_attempts: 3,
        budget: Duration::from_secs(5),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(40),
        retry_after_cap: Duration::from_secs(2),
    }
}

fn opts(store: &Path, server: &Server, releases: ReleaseSelection) -> FetchOptions {
    FetchOptions {
        cms_url: server.base.clone(),
        census_url: server.base.clone(),
        releases,
        quiet: true,
        census_key: Some(KEY.to_string()),
        http: policy(),
        ..FetchOptions::new(store.to_path_buf())
    }
}

fn run(o: &FetchOptions) -> Result<FetchSummary, FetchError> {
    fetch::run(o, &mut |_| {})
}

/// A server with normal CMS (pages capped at `cap`) and Census behaviour, except where `fault`
/// answers first.
fn server_with(fx: Fixture, cap: usize, fault: impl Fn(&Req) -> Option<Resp> + Send + Sync + 'static) -> Server {
    Server::start(move |base| {
        let cms = fx.routes(base, cap);
        move |req: &Req| fault(req).or_else(|| cms(req)).or_else(|| census_route(req, 2023)).unwrap_or_else(not_found)
    })
}

fn normal(fx: Fixture) -> Server {
    server_with(fx, 5000, |_| None)
}

fn is_page(req: &Req, uuid: &str, offset: usize) -> bool {
    req.path == format!("/data-api/v1/dataset/{uuid}/data") && req.param("offset") == Some(offset.to_string())
}

fn is_stats(req: &Req, uuid: &str) -> bool {
    req.path == format!("/data-api/v1/dataset/{uuid}/data/stats")
}

fn stored_rows(root: &Path, date: &str) -> Vec<Map<String, Value>> {
    let bytes = std::fs::read(root.join("releases").join(date).join("data.json")).expect("data.json");
    serde_json::from_slice(&bytes).expect("stored rows parse")
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

// --- the happy paths -------------------------------------------------------------------------

#[test]
fn clean_backfill_of_all_releases_matches_the_fixture() {
    let fx = Fixture::hit_big();
    let server = normal(fx.clone());
    let dir = tempdir();
    let root = dir.path().join("store");
    let s = run(&opts(&root, &server, ReleaseSelection::All)).expect("backfill");

    assert_eq!(s.new_releases.len(), 42);
    assert!(s.skipped.is_empty());
    assert_eq!(s.rows, fx.releases.iter().map(|r| r.rows.len() as u64).sum::<u64>());
    assert_eq!(s.retries, 0);
    assert!(s.population_written);
    assert_eq!(s.series_uuid, SERIES_UUID);
    assert_eq!(s.latest.map(|d| d.to_string()).as_deref(), Some("2025-01-07"));

    let index = store::read_index(&root).expect("index");
    let info = index.info.as_ref().expect("store.json");
    assert!(info.series_id.contains(SERIES_UUID) && !info.synthetic);
    assert_eq!(index.releases.len(), 42);
    for (stored, want) in index.releases.iter().zip(&fx.releases) {
        let m = &stored.meta;
        assert_eq!(m.release_date.to_string(), want.date);
        assert_eq!(m.release_uuid.as_deref(), Some(want.uuid.as_str()));
        assert_eq!(m.series_uuid.as_deref(), Some(SERIES_UUID));
        assert_eq!(m.title.as_deref(), Some(want.title.as_str()));
        assert!(m.temporal.is_some() && m.modified.is_some() && m.fetched_at.is_some());
        assert_eq!(
            m.source_url.as_deref(),
            Some(format!("{}/data-api/v1/dataset/{}/data", server.base, want.uuid).as_str())
        );
        assert_eq!(m.rows, want.rows.len() as u64);
        let bytes = std::fs::read(&stored.data_path).expect("data");
        assert_eq!(m.sha256, store::sha256_hex(&bytes));
        assert_eq!(stored_rows(&root, &want.date), want.rows, "rows of {}", want.date);
    }

    // Every page asked for size=5000; nothing was ever paged from the moving "latest" alias.
    let reqs = server.requests();
    let pages: Vec<&Req> = reqs.iter().filter(|r| r.path.ends_with("/data")).collect();
    assert!(pages.iter().all(|r| r.param("size").as_deref() == Some("5000")));
    assert!(reqs.iter().all(|r| !r.path.contains(SERIES_UUID)));
    // The newest release (5,610 rows): offsets 0 and 5000, then the probe at the count; stats twice.
    let latest = fx.latest();
    let offsets: Vec<String> =
        pages.iter().filter(|r| r.path.contains(&latest.uuid)).filter_map(|r| r.param("offset")).collect();
    assert_eq!(offsets, ["0", "5000", &latest.rows.len().to_string()]);
    assert_eq!(server.count(|r| is_stats(r, &latest.uuid)), 2);

    // Population: joined on FIPS (the server sends rows in reverse order), key never stored.
    let pop = store::read_population(&store::population_path(&root)).expect("population");
    assert_eq!(pop.year, 2023);
    assert_eq!(pop.total.len(), 52);
    for f in support::http::fips52() {
        assert_eq!(pop.total.get(f), Some(&support::http::population(f)), "FIPS {f}");
    }
    assert!(pop.source_url.contains("key=REDACTED"));
    for (path, _) in snapshot(&root) {
        let text = std::fs::read_to_string(root.join(&path)).unwrap_or_default();
        assert!(!text.contains(KEY), "{path} holds the Census key");
    }

    // Incremental: a second run fetches no release data at all.
    let before = server.requests().len();
    let again = run(&opts(&root, &server, ReleaseSelection::All)).expect("second run");
    assert!(again.new_releases.is_empty());
    assert_eq!(again.skipped.len(), 42);
    let later: Vec<Req> = server.requests().split_off(before);
    assert!(later.iter().all(|r| !r.path.starts_with("/data-api/")), "{later:?}");
}

#[test]
fn latest_then_newest_n_backfills_incrementally() {
    let fx = Fixture::hit();
    let server = normal(fx.clone());
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Latest);
    o.skip_census = true;
    let first = run(&o).expect("latest");
    assert_eq!(first.new_releases.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["2025-01-07"]);
    assert!(!first.population_written);
    o.releases = ReleaseSelection::Count(3);
    let second = run(&o).expect("newest 3");
    assert_eq!(second.new_releases.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["2024-12-10", "2024-12-23"]);
    assert_eq!(second.skipped.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["2025-01-07"]);
    assert_eq!(store::read_index(dir.path()).expect("index").releases.len(), 3);
}

#[test]
fn progress_lines_report_each_release_and_a_summary() {
    let server = normal(Fixture::hit());
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Count(2));
    o.quiet = false;
    let mut lines = Vec::new();
    fetch::run(&o, &mut |l| lines.push(l.to_string())).expect("run");
    assert!(lines.iter().any(|l| l.starts_with("2025-01-07 (") && l.contains("330 suppliers")), "{lines:?}");
    assert!(lines.last().is_some_and(|l| l.starts_with("fetch: 2 new release(s), 0 already stored")), "{lines:?}");
    assert!(lines.iter().all(|l| !l.contains(KEY)));
    o.quiet = true;
    let mut quiet = Vec::new();
    fetch::run(&o, &mut |l| quiet.push(l.to_string())).expect("run");
    assert!(quiet.is_empty());
}

#[test]
fn server_capping_pages_below_5000_still_yields_the_complete_release() {
    let fx = Fixture::hit();
    let latest = fx.latest().clone();
    let server = server_with(fx, 70, |_| None);
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Latest);
    o.skip_census = true;
    let s = run(&o).expect("capped pages");
    assert_eq!(s.rows, latest.rows.len() as u64);
    assert_eq!(stored_rows(dir.path(), &latest.date), latest.rows);
    let offsets: Vec<usize> = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/data"))
        .filter_map(|r| r.param("offset")?.parse().ok())
        .collect();
    let want: Vec<usize> = (0..=latest.rows.len()).step_by(70).chain([latest.rows.len()]).collect();
    assert_eq!(offsets, want);
}

#[test]
fn snake_case_columns_from_a_mirror_are_accepted() {
    let mut fx = Fixture::hit();
    for r in &mut fx.releases {
        r.rows = support::http::snake_case(&r.rows);
    }
    let latest = fx.latest().clone();
    let server = normal(fx);
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Count(2));
    o.quiet = false;
    let mut lines = Vec::new();
    fetch::run(&o, &mut |l| lines.push(l.to_string())).expect("snake_case rows");
    assert!(lines.iter().any(|l| l.contains(&format!("{} suppliers", latest.suppliers()))), "{lines:?}");
    let rows = stored_rows(dir.path(), &latest.date);
    assert!(rows[0].contains_key("enrollment_id") && rows[0].contains_key("geographic_location_state_code"));
}

#[test]
fn a_superseded_release_is_refetched_and_replaced() {
    let fx = Fixture::hit();
    let latest = fx.latest().clone();
    let server = normal(fx);
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Latest);
    o.skip_census = true;
    run(&o).expect("first");
    let meta_path = dir.path().join("releases").join(&latest.date).join("meta.json");
    let text = std::fs::read_to_string(&meta_path).expect("meta");
    std::fs::write(&meta_path, text.replace(&latest.uuid, "00000000-0000-0000-0000-000000000000")).expect("edit");
    let s = run(&o).expect("second");
    assert_eq!(s.replaced.len(), 1);
    assert_eq!(s.new_releases.len(), 1);
    assert!(std::fs::read_to_string(&meta_path).expect("meta").contains(&latest.uuid));
}

// --- retries -------------------------------------------------------------------------------

#[test]
fn a_503_once_is_retried_then_succeeds() {
    let fx = Fixture::hit();
    let uuid = fx.latest().uuid.clone();
    let server = server_with(fx, 5000, move |r| {
        (is_page(r, &uuid, 0) && r.seq == 1).then(|| Resp::json(503, &json!({"message": "busy"})))
    });
    let dir = tempdir();
    let s = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect("recovers");
    assert_eq!(s.retries, 1);
    assert_eq!(s.new_releases.len(), 1);
    assert_eq!(server.count(|r| r.path.ends_with("/data") && r.param("offset").as_deref() == Some("0")), 2);
}

#[test]
fn a_429_retry_after_is_honoured() {
    let fx = Fixture::hit();
    let uuid = fx.latest().uuid.clone();
    let server = server_with(fx, 5000, move |r| {
        (is_stats(r, &uuid) && r.seq == 1).then(|| Resp::json(429, &json!({})).header("Retry-After", "1"))
    });
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Latest);
    o.skip_census = true;
    let t = Instant::now();
    let s = run(&o).expect("recovers");
    assert!(t.elapsed() >= Duration::from_secs(1), "waited only {:?}", t.elapsed());
    assert_eq!(s.retries, 1);
}

#[test]
fn a_retry_after_beyond_the_cap_fails_without_waiting() {
    let server = server_with(Fixture::hit(), 5000, |r| {
        (r.path == "/data.json").then(|| Resp::json(429, &json!({})).header("Retry-After", "600"))
    });
    let dir = tempdir();
    let t = Instant::now();
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("refuses to wait");
    assert!(matches!(e, FetchError::RetryAfterTooLong { wait_secs: 600, .. }), "{e}");
    assert_eq!(e.exit_code(), 3);
    assert!(t.elapsed() < Duration::from_secs(1));
    assert_eq!(server.count(|r| r.path == "/data.json"), 1);
}

#[test]
fn a_page_that_always_fails_fails_the_run_and_leaves_the_store_unchanged() {
    let fx = Fixture::hit();
    // Stored: the two newest. Then ask for five: three to fetch, oldest first; the last of them
    // (third newest) always fails, after the other two were fetched into memory.
    let failing = fx.releases[fx.releases.len() - 3].uuid.clone();
    let server = server_with(fx, 5000, move |r| {
        is_page(r, &failing, 0).then(|| Resp::html(500, "<html>Internal Server Error</html>"))
    });
    let dir = tempdir();
    run(&opts(dir.path(), &server, ReleaseSelection::Count(2))).expect("seed the store");
    let before = snapshot(dir.path());
    assert!(before.len() > 5);

    let e = run(&opts(dir.path(), &server, ReleaseSelection::Count(5))).expect_err("must fail");
    assert_eq!(e.exit_code(), 3);
    let msg = e.to_string();
    assert!(msg.contains("offset=0") && msg.contains("status 500") && msg.contains("3 attempt"), "{msg}");
    assert_eq!(snapshot(dir.path()), before, "store changed by a failed run");
    // Exactly max_attempts tries of the failing page; the two earlier releases had been fetched.
    let fx = Fixture::hit();
    let failing = &fx.releases[fx.releases.len() - 3].uuid;
    assert_eq!(server.count(|r| is_page(r, failing, 0)), 3);
    assert_eq!(server.count(|r| is_page(r, &fx.releases[fx.releases.len() - 5].uuid, 0)), 1);
    assert_eq!(store::read_index(dir.path()).expect("index").releases.len(), 2);
}

#[test]
fn truncated_bodies_and_dropped_connections_are_retried() {
    let fx = Fixture::hit();
    let uuid = fx.latest().uuid.clone();
    let server = server_with(fx, 5000, move |r| {
        if !is_page(r, &uuid, 0) {
            return None;
        }
        match r.seq {
            // Content-Length promises more than arrives.
            1 => Some(Resp::json(200, &json!([{"Enrollment ID": "O1"}])).fault(Fault::CutBody(10))),
            // A complete response whose JSON stops mid-array.
            2 => Some(Resp::new(200, "application/json", r#"[{"Enrollment ID":"O1"},"#)),
            _ => None,
        }
    });
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Latest);
    o.skip_census = true;
    let s = run(&o).expect("third attempt succeeds");
    assert_eq!(s.retries, 2);

    let server = server_with(Fixture::hit(), 5000, |r| {
        (r.path == "/data.json" && r.seq == 1).then(|| not_found().fault(Fault::Drop))
    });
    let s = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect("reconnects");
    assert_eq!(s.retries, 1);
}

#[test]
fn truncated_json_every_time_fails_with_exit_3_and_no_write() {
    let fx = Fixture::hit();
    let uuid = fx.latest().uuid.clone();
    let server = server_with(fx, 5000, move |r| {
        is_page(r, &uuid, 0).then(|| Resp::new(200, "application/json", r#"[{"Enrollment ID":"#))
    });
    let dir = tempdir();
    let before = snapshot(dir.path());
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("fails");
    assert!(matches!(e, FetchError::GaveUp { attempts: 3, .. }), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");
    assert_eq!(e.exit_code(), 3);
    assert_eq!(
        snapshot(dir.path()).into_iter().filter(|(p, _)| p != "store.lock").collect::<Vec<_>>(),
        before.into_iter().collect::<Vec<_>>()
    );
}

#[test]
fn a_slow_server_times_out_within_the_budget() {
    let server = server_with(Fixture::hit(), 5000, |r| {
        (r.path == "/data.json").then(|| not_found().fault(Fault::Delay(Duration::from_millis(800))))
    });
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Latest);
    o.http.request_timeout = Duration::from_millis(150);
    o.http.budget = Duration::from_millis(400);
    let t = Instant::now();
    let e = run(&o).expect_err("times out");
    assert!(matches!(&e, FetchError::GaveUp { last, .. } if last.contains("timed out")), "{e}");
    assert!(t.elapsed() < Duration::from_millis(900), "{:?}", t.elapsed());
    assert_eq!(e.exit_code(), 3);
}

#[test]
fn other_4xx_fail_at_once() {
    let fx = Fixture::hit();
    let uuid = fx.latest().uuid.clone();
    let server =
        server_with(fx, 5000, move |r| is_stats(r, &uuid).then(|| Resp::json(403, &json!({"message": "forbidden"}))));
    let dir = tempdir();
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("403");
    assert!(matches!(e, FetchError::Status { status: 403, .. }), "{e}");
    assert_eq!(e.exit_code(), 3);
    assert_eq!(server.count(|r| r.path.ends_with("/stats")), 1);
}

#[test]
fn an_html_page_with_status_200_from_cms_is_an_error() {
    let server = server_with(Fixture::hit(), 5000, |r| {
        (r.path == "/data.json").then(|| Resp::html(200, "<!DOCTYPE html><title>Maintenance</title>"))
    });
    let dir = tempdir();
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("HTML");
    assert!(e.to_string().contains("HTML page instead of JSON"), "{e}");
    assert_eq!(e.exit_code(), 3);
}

#[test]
fn redirects_are_followed_only_within_the_origin() {
    let server = server_with(Fixture::hit(), 5000, |r| {
        (r.target == "/data.json").then(|| Resp::html(301, "").header("Location", "/data.json?moved=1"))
    });
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Latest);
    o.skip_census = true;
    run(&o).expect("same-origin redirect followed");
    assert_eq!(server.count(|r| r.target == "/data.json?moved=1"), 1);

    // Another origin (a second loopback server on another port) is never contacted.
    let elsewhere = normal(Fixture::hit());
    let target = format!("{}/data.json", elsewhere.base);
    let server = server_with(Fixture::hit(), 5000, move |r| {
        (r.path == "/data.json").then(|| Resp::html(302, "").header("Location", &target))
    });
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("cross-origin redirect");
    assert!(matches!(e, FetchError::Status { status: 302, .. }), "{e}");
    assert!(elsewhere.requests().is_empty());
}

#[test]
fn an_unreachable_catalog_or_a_missing_series_is_an_upstream_error() {
    let closed = normal(Fixture::hit());
    let base = closed.base.clone();
    drop(closed);
    let dir = tempdir();
    let mut o = FetchOptions {
        cms_url: base.clone(),
        census_url: base,
        ..opts(dir.path(), &normal(Fixture::hit()), ReleaseSelection::Latest)
    };
    o.skip_census = true;
    let e = run(&o).expect_err("connection refused");
    assert!(matches!(&e, FetchError::GaveUp { attempts: 3, last, .. } if last.contains("connect")), "{e}");
    assert_eq!(e.exit_code(), 3);

    let mut fx = Fixture::hit();
    fx.catalog = fx
        .catalog
        .replace(SERIES_UUID, "00000000-1111-2222-3333-444444444444")
        .replace("\"title\": \"Home Infusion Therapy Providers\"", "\"title\": \"Home Infusion Therapy Suppliers\"");
    let server = normal(fx);
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("series gone");
    assert!(matches!(e, FetchError::SeriesNotFound { .. }), "{e}");
    assert_eq!(e.exit_code(), 3);
    assert!(server.requests().iter().all(|r| !r.path.starts_with("/data-api/")), "no hard-coded fallback");
}

// --- counts and shapes -----------------------------------------------------------------------

#[test]
fn a_stats_count_that_disagrees_with_the_rows_is_a_contract_error() {
    for delta in [5i64, -5] {
        let fx = Fixture::hit();
        let latest = fx.latest().clone();
        let n = latest.rows.len() as i64 + delta;
        let server = server_with(fx, 5000, move |r| {
            is_stats(r, &latest.uuid).then(|| Resp::json(200, &json!({"found_rows": n, "total_rows": n})))
        });
        let dir = tempdir();
        let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("mismatch");
        if delta > 0 {
            assert!(matches!(e, FetchError::EmptyPage { .. }), "{e}");
        } else {
            assert!(matches!(e, FetchError::CountMismatch { .. }), "{e}");
        }
        assert_eq!(e.exit_code(), 2);
        assert!(!dir.path().join("releases").exists());
    }
}

#[test]
fn a_count_that_changes_mid_fetch_is_an_error_after_one_rewalk() {
    let fx = Fixture::hit();
    let latest = fx.latest().clone();
    let server = server_with(fx, 5000, move |r| {
        let n = latest.rows.len() + (r.seq + 1) % 2; // n, n+1, n, n+1
        is_stats(r, &latest.uuid).then(|| Resp::json(200, &json!({"found_rows": n, "total_rows": n})))
    });
    let dir = tempdir();
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("moving count");
    assert!(matches!(e, FetchError::StatsChanged { .. }), "{e}");
    assert_eq!(e.exit_code(), 2);
    assert_eq!(server.count(|r| r.path.ends_with("/stats")), 4);
}

#[test]
fn a_page_longer_than_size_is_an_error() {
    let fx = Fixture::hit_big();
    let latest = fx.latest().clone();
    let server = server_with(fx, 5000, move |r| {
        is_page(r, &latest.uuid, 0)
            .then(|| Resp::json(200, &Value::Array(latest.rows[..5001].iter().cloned().map(Value::Object).collect())))
    });
    let dir = tempdir();
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("too long");
    assert!(matches!(e, FetchError::PageTooLong { len: 5001, size: 5000, .. }), "{e}");
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn rows_repeated_across_pages_are_an_error() {
    let fx = Fixture::hit();
    let latest = fx.latest().clone();
    // Offset drift: every page after the first starts one row early.
    let server = server_with(fx, 100, move |r| {
        let o: usize = r.param("offset")?.parse().ok()?;
        if !r.path.contains(&latest.uuid) || !r.path.ends_with("/data") || o == 0 {
            return None;
        }
        let end = (o - 1 + 100).min(latest.rows.len());
        Some(Resp::json(200, &Value::Array(latest.rows[o - 1..end].iter().cloned().map(Value::Object).collect())))
    });
    let dir = tempdir();
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("duplicates");
    assert!(matches!(e, FetchError::DuplicateRows { offset: 100, count: 1, .. }), "{e}");
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn non_string_values_and_missing_enrollment_column_are_contract_errors() {
    let fx = Fixture::hit();
    let uuid = fx.latest().uuid.clone();
    let server = server_with(fx.clone(), 5000, move |r| {
        is_page(r, &uuid, 0).then(|| Resp::json(200, &json!([{"Enrollment ID": 12}])))
    });
    let dir = tempdir();
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("number");
    assert!(matches!(e, FetchError::Shape { .. }), "{e}");
    assert_eq!(e.exit_code(), 2);

    let mut fx = fx;
    for r in &mut fx.releases {
        for row in &mut r.rows {
            let id = row.remove("Enrollment ID").expect("id");
            row.insert("Supplier Key".into(), id);
        }
    }
    let server = normal(fx);
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("no id column");
    assert!(matches!(e, FetchError::MissingColumn { .. }), "{e}");
    assert_eq!(e.exit_code(), 2);
}

// --- guards ----------------------------------------------------------------------------------

#[test]
fn a_supplier_drop_over_20_percent_stops_unless_allowed() {
    let mut fx = Fixture::hit();
    let n = fx.releases.len();
    // Previous: 100 suppliers. Newest: 79 (a 21% fall) — rows are still plentiful.
    fx.releases[n - 2].rows = support::http::rows(n - 2, 100, |_| 2);
    fx.releases[n - 1].rows = support::http::rows(n - 1, 79, |_| 5);
    let server = normal(fx.clone());
    let dir = tempdir();
    let mut o = opts(dir.path(), &server, ReleaseSelection::Count(2));
    let e = run(&o).expect_err("drop");
    assert!(matches!(e, FetchError::SupplierDrop { now: 79, before: 100, .. }), "{e}");
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("--allow-drop"));
    assert!(!dir.path().join("releases").exists(), "nothing written");
    assert_eq!(server.count(|r| r.path.starts_with("/data/2023")), 0, "guard runs before Census");
    o.allow_drop = true;
    assert_eq!(run(&o).expect("allowed").new_releases.len(), 2);

    // 80 of 100 is exactly 20%: allowed. Previous release stored (snake_case), newest fetched.
    let dir = tempdir();
    let prev = &fx.releases[n - 2];
    let meta = store::ReleaseMeta {
        release_date: prev.date.parse().expect("date"),
        file: String::new(),
        rows: 0,
        sha256: String::new(),
        series_uuid: None,
        release_uuid: Some(prev.uuid.clone()),
        title: None,
        temporal: None,
        modified: None,
        source_url: None,
        fetched_at: None,
    };
    let body = serde_json::to_vec(&support::http::snake_case(&prev.rows)).expect("json");
    store::write_release(dir.path(), meta, "json", &body).expect("seed");
    fx.releases[n - 1].rows = support::http::rows(n - 1, 80, |_| 1);
    let server = normal(fx.clone());
    let o = opts(dir.path(), &server, ReleaseSelection::Latest);
    run(&o).expect("20% is within the guard");

    // To zero: always stopped.
    fx.releases[n - 1].rows.clear();
    let server = normal(fx);
    let dir = tempdir();
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("zero");
    assert!(matches!(e, FetchError::SupplierDrop { now: 0, .. }), "{e}");
}

// --- Census ----------------------------------------------------------------------------------

#[test]
fn a_missing_census_key_fails_before_any_request() {
    let server = normal(Fixture::hit());
    let dir = tempdir();
    let root = dir.path().join("store");
    let mut o = opts(&root, &server, ReleaseSelection::Latest);
    o.census_key = None;
    let e = run(&o).expect_err("no key");
    assert!(matches!(e, FetchError::MissingCensusKey));
    assert_eq!(e.exit_code(), 5);
    assert!(e.to_string().contains("--skip-census"));
    assert!(server.requests().is_empty());
    assert!(!root.exists(), "nothing created");
}

#[test]
fn census_faults_are_clear_errors_and_never_leak_the_key() {
    let html = Resp::html(200, &format!("<html><body>Invalid Key: {KEY}</body></html>"));
    let cases: Vec<(&str, Resp, i32, &str)> = vec![
        ("html-200", html, 5, "HTML page instead of JSON"),
        (
            "key-error-header",
            Resp::json(200, &json!([["NAME"]])).header("X-DataWebAPI-KeyError", "Invalid Key"),
            5,
            "X-DataWebAPI-KeyError",
        ),
        (
            "redirect",
            Resp::html(302, "").header("Location", &format!("/missing_key.html?key={KEY}")),
            5,
            "missing_key.html?key=REDACTED",
        ),
        ("no-content", Resp::new(204, "application/json", ""), 3, "204"),
        (
            "sentinel",
            Resp::json(
                200,
                &json!([["NAME", "B01003_001E", "state"], ["Alabama", "-666666666", "01"], ["Alaska", "733000", "02"]]),
            ),
            2,
            "sentinel",
        ),
        ("plain-400", Resp::new(400, "text/plain", "error: unknown variable 'B01003E'"), 3, "unknown variable"),
    ];
    for (name, resp, code, needle) in cases {
        let server =
            server_with(Fixture::hit(), 5000, move |r| r.path.starts_with("/data/2023/").then(|| resp.clone()));
        let dir = tempdir();
        let o = opts(dir.path(), &server, ReleaseSelection::Latest);
        let e = run(&o).expect_err(name);
        let msg = e.to_string();
        assert_eq!(e.exit_code(), code, "{name}: {msg}");
        assert!(msg.contains(needle), "{name}: {msg}");
        assert!(!msg.contains(KEY) && !format!("{e:?}").contains(KEY), "{name} leaks the key: {msg}");
        assert_eq!(server.count(|r| r.path.starts_with("/data/2023/")), 1, "{name}: no retry storm");
        assert_eq!(server.count(|r| r.path.contains("missing_key")), 0, "{name}: redirect followed");
        assert!(!dir.path().join("releases").exists(), "{name}: releases written despite the failure");
    }
}

// --- store ----------------------------------------------------------------------------------

#[test]
fn a_held_lock_stops_a_second_run() {
    let server = normal(Fixture::hit());
    let dir = tempdir();
    let _held = store::StoreLock::acquire(dir.path()).expect("lock");
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("locked");
    assert!(matches!(e, FetchError::Store(store::StoreError::Locked { .. })), "{e}");
    assert_eq!(e.exit_code(), 4, "a concurrent run is refused as a publish-gate failure");
    assert!(server.requests().is_empty());
}

#[test]
fn a_store_of_another_series_is_refused() {
    let server = normal(Fixture::hit());
    let dir = tempdir();
    store::write_info(
        dir.path(),
        &store::StoreInfo {
            format: store::STORE_FORMAT.into(),
            series_id: "https://data.cms.gov/data-api/v1/dataset/4bcae866-3411-439a-b762-90a6187c194b/data-viewer"
                .into(),
            series_title: "Federally Qualified Health Center Enrollments".into(),
            synthetic: false,
        },
    )
    .expect("info");
    let e = run(&opts(dir.path(), &server, ReleaseSelection::Latest)).expect_err("other series");
    assert_eq!(e.exit_code(), 5);
}

#[test]
fn catalog_resolution_for_status() {
    let server = normal(Fixture::hit());
    let dir = tempdir();
    let o = opts(dir.path(), &server, ReleaseSelection::Latest);
    let series = fetch::resolve_catalog(&o).expect("catalog");
    assert_eq!(series.releases.len(), 42);
    let latest = series.latest().expect("latest");
    assert_eq!(latest.release_uuid, "8596aa47-d4d4-4149-bc80-eb52e2d3a761");
    assert!(latest.catalog_access_url.starts_with(&server.base));
    assert!(!dir.path().join("store.lock").exists(), "resolve_catalog touches no file");
}
