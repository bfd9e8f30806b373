//! End to end against a loopback data.cms.gov + Census: `fetch` fills a store, `build` reads it,
//! `status` compares the catalog with it. The real binary, real HTTP on 127.0.0.1.

mod support;

use support::http::{Fixture, KEY, Req, Resp, Server, census_route, not_found};
use support::*;

fn server() -> Server {
    let fx = Fixture::hit();
    Server::start(move |base| {
        let cms = fx.routes(base, 5000);
        move |req: &Req| -> Resp { cms(req).or_else(|| census_route(req, 2023)).unwrap_or_else(not_found) }
    })
}

fn hit(cwd: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_hit-atlas"))
        .args(args)
        .current_dir(cwd)
        .env("CENSUS_API_KEY", KEY)
        .output()
        .expect("binary runs")
}

#[test]
fn fetch_then_build_then_status() {
    let server = server();
    let dir = tempfile::tempdir().expect("tempdir");
    let base = server.base.clone();
    let args = ["--data", "store", "--cms-url", base.as_str(), "--census-url", base.as_str()];

    let o = hit(dir.path(), &[&["fetch", "--releases", "3", "--quiet"][..], &args[..]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let all = [&["status"][..], &args[..4]].concat();
    let o = hit(dir.path(), &[&all[..], &["--json"][..]].concat());
    assert_eq!(o.status.code(), Some(10), "39 releases are new: {}", stderr(&o));
    let st: serde_json::Value = serde_json::from_slice(&o.stdout).expect("status JSON");
    assert_eq!(st["new_releases"].as_array().map(Vec::len), Some(39));
    assert_eq!(st["stored_latest"], "2025-01-07");

    let o = hit(dir.path(), &["build", "--data", "store", "--out", "site"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("3 releases, latest 2025-01-07, 330 suppliers"), "{out}");
    assert!(!out.contains("SYNTHETIC"), "{out}");
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).expect("index");
    assert!(index.contains("ACS"), "fetched Census population is used and named");
    assert!(!index.contains(KEY), "the key never reaches the site");
    let manifest = std::fs::read_to_string(dir.path().join("site/data/manifest.json")).expect("manifest");
    assert!(!manifest.contains(KEY));
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("manifest JSON");
    let inputs = manifest["inputs"].as_array().expect("inputs");
    assert_eq!(inputs.len(), 3);
    assert!(inputs.iter().all(|i| i["release_uuid"].as_str().is_some_and(|u| u.len() == 36)), "pinned release UUIDs");

    let o = hit(dir.path(), &[&["fetch", "--releases", "all", "--quiet"][..], &args[..]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = hit(dir.path(), &all);
    assert_eq!(o.status.code(), Some(0), "up to date: {}", stdout(&o));
    assert!(stdout(&o).contains("up to date"));
}

#[test]
fn fetch_without_key_and_status_without_server_fail_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hit-atlas"))
        .args(["fetch", "--data", "store", "--cms-url", "http://127.0.0.1:9", "--census-url", "http://127.0.0.1:9"])
        .current_dir(dir.path())
        .env_remove("CENSUS_API_KEY")
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("CENSUS_API_KEY"));
    let o = run(dir.path(), &["status", "--data", "store", "--cms-url", "http://127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(3), "unreachable catalog is an upstream failure: {}", stderr(&o));
}
