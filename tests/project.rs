//! Report projects a user owns: `init`, the config file, the shipped workflows, `serve`.

mod support;

use std::path::Path;

use support::*;
use yaml_rust2::{Yaml, YamlLoader};

fn sample() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample").display().to_string()
}

#[test]
fn init_then_edit_title_then_build_shows_title_on_every_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = ok(run(dir.path(), &["init", "report"]));
    assert!(out.contains("hit-atlas.toml"), "{out}");
    let proj = dir.path().join("report");
    for f in ["hit-atlas.toml", "content/index.md", "content/caveats.md", ".github/workflows/publish.yml", ".gitignore"]
    {
        assert!(proj.join(f).is_file(), "{f} scaffolded");
    }
    let cfg = std::fs::read_to_string(proj.join("hit-atlas.toml")).expect("config");
    let cfg = cfg.replace(
        "title = \"Where Medicare patients can get home infusion therapy\"",
        "title = \"Home infusion access in the Mountain West & beyond\"",
    );
    std::fs::write(proj.join("hit-atlas.toml"), cfg).expect("edit");
    std::fs::write(proj.join("content/caveats.md"), "## Our caveats\n\n{{ zero_count }} jurisdictions have none.\n")
        .expect("edit content");
    ok(run(&proj, &["build", "--data", &sample()]));
    let site = proj.join("site");
    let pages: Vec<_> = snapshot(&site).into_iter().filter(|(p, _)| p.ends_with(".html")).collect();
    assert!(pages.len() > 55);
    for (path, bytes) in pages {
        let html = String::from_utf8(bytes).expect("utf8");
        assert!(html.contains("Home infusion access in the Mountain West &#38; beyond"), "{path} lacks the new title");
    }
    let caveats = std::fs::read_to_string(site.join("caveats.html")).expect("caveats");
    assert!(caveats.contains("Our caveats") && caveats.contains("jurisdictions have none"), "edited content used");
    let o = run(dir.path(), &["init", "report"]);
    assert_eq!(o.status.code(), Some(5), "init refuses to overwrite");
}

#[test]
fn unknown_config_key_is_an_error_naming_key_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "hit-atlas.toml", "[report]\ntitle = \"x\"\ncolour = \"red\"\n");
    let o = run(dir.path(), &["build", "--data", &sample()]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("hit-atlas.toml:3:1: unknown field `colour`"), "{err}");
    let o = run(dir.path(), &["--config", "missing.toml", "build", "--data", &sample()]);
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("missing.toml"));
}

#[test]
fn config_pages_and_denominator_change_the_site() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "hit-atlas.toml",
        "[pages]\nchanges = false\n[population]\ndenominator = \"residents-65plus\"\n[data]\nout = \"public\"\n",
    );
    ok(run(dir.path(), &["build", "--data", &sample()]));
    let site = dir.path().join("public");
    assert!(!site.join("changes.html").exists());
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(!index.contains("changes.html"), "nav drops the page");
    assert!(index.contains("residents aged 65 and over"), "denominator named");
    let pr = state_row(&site, "PR");
    assert_eq!(pr[3], "", "no 65+ figure for Puerto Rico: no data, not zero");
}

fn pinned(uses: &str) -> bool {
    uses.split_once('@').is_some_and(|(_, r)| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn check_workflow(path: &Path) {
    let text = std::fs::read_to_string(path).expect("workflow");
    let docs = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: invalid YAML: {e}", path.display()));
    let w = &docs[0];
    assert_eq!(w["permissions"]["contents"].as_str(), Some("read"), "{}: least privilege", path.display());
    let jobs = w["jobs"].as_hash().expect("jobs");
    for (name, job) in jobs {
        let name = name.as_str().unwrap_or("");
        let steps = job["steps"].as_vec().expect("steps");
        for step in steps {
            if let Some(uses) = step["uses"].as_str() {
                assert!(pinned(uses), "{}: job {name}: {uses} is not pinned to a commit SHA", path.display());
            }
        }
        if let Yaml::Hash(perms) = &job["permissions"] {
            for (k, v) in perms {
                let k = k.as_str().unwrap_or("");
                if v.as_str() == Some("write") {
                    assert!(
                        name == "deploy" && (k == "pages" || k == "id-token"),
                        "{}: {name} asks {k}: write",
                        path.display()
                    );
                }
            }
        }
    }
    if text.contains("deploy-pages") {
        assert_eq!(w["concurrency"]["cancel-in-progress"].as_bool(), Some(false), "{}", path.display());
        assert!(!w["on"]["schedule"].is_badvalue(), "scheduled");
        assert!(!w["on"]["workflow_dispatch"].is_badvalue(), "runs by hand");
        assert_eq!(w["jobs"]["deploy"]["permissions"]["pages"].as_str(), Some("write"));
    }
}

#[test]
fn shipped_workflows_parse_and_follow_the_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    check_workflow(&root.join("templates/init/publish.yml"));
    for e in std::fs::read_dir(root.join(".github/workflows")).expect("workflows") {
        check_workflow(&e.expect("entry").path());
    }
}

#[test]
fn serve_answers_on_loopback_and_refuses_traversal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hit-atlas"))
        .args(["serve", "--port", "0", "--no-watch", "--data", &sample(), "--out", "site"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line).expect("url line");
    let url = line.trim().strip_prefix("serving ").and_then(|s| s.split(' ').next()).expect("serving URL").to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let get = |path: &str| -> String {
        let addr = url.trim_start_matches("http://").trim_end_matches('/');
        let mut s = std::net::TcpStream::connect(addr).expect("connect");
        use std::io::{Read, Write};
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").expect("send");
        let mut buf = String::new();
        s.read_to_string(&mut buf).expect("read");
        buf
    };
    let index = get("/");
    assert!(index.starts_with("HTTP/1.1 200") && index.contains("text/html"), "{}", &index[..200.min(index.len())]);
    assert!(get("/states/TX.html").contains("Texas"));
    assert!(get("/../../etc/passwd").starts_with("HTTP/1.1 404"));
    let _ = child.kill();
    let _ = child.wait();
}
