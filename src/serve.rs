//! `hit-atlas serve`: a local preview. Builds the site, serves the output folder on 127.0.0.1
//! and rebuilds when the narrative, the config or the data change (polling modification times
//! once a second, which needs no platform watcher). A failed rebuild is printed and the last good
//! site keeps being served, because `write` only swaps in a complete build.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow};

use crate::config::BuildConfig;
use crate::pipeline;

/// A running preview server.
pub struct Preview {
    pub url: String,
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Preview {
    /// Stops serving and watching.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }

    /// Blocks until the server stops (Ctrl-C ends the process).
    pub fn wait(mut self) {
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// Maps a request path to a file under `root`, refusing anything that could leave it.
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let decoded = path.replace("%20", " ");
    let rel = Path::new(decoded.trim_start_matches('/'));
    if decoded.contains('\0') || decoded.contains('%') || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut full = root.join(rel);
    if full.is_dir() {
        full = full.join("index.html");
    }
    full.is_file().then_some(full)
}

fn newest_mtime(paths: &[PathBuf]) -> Option<SystemTime> {
    paths
        .iter()
        .flat_map(|p| walkdir::WalkDir::new(p).into_iter().filter_map(Result::ok))
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .max()
}

/// Builds once, then serves `cfg.out` on 127.0.0.1:`port`; with `watch`, rebuilds on change.
pub fn start(cfg: BuildConfig, watched: Vec<PathBuf>, port: u16, watch: bool) -> Result<Preview> {
    pipeline::run_build(&cfg).context("first build")?;
    let server =
        tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    let addr = server.server_addr().to_ip().ok_or_else(|| anyhow!("no IP address"))?;
    let url = format!("http://{addr}/");
    let server = Arc::new(server);
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();

    let root = cfg.out.clone();
    let srv = Arc::clone(&server);
    threads.push(std::thread::spawn(move || {
        for req in srv.incoming_requests() {
            let response = match resolve(&root, req.url()).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
                Some((p, bytes)) => {
                    let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], content_type(&p).as_bytes());
                    let mut r = tiny_http::Response::from_data(bytes);
                    if let Ok(h) = header {
                        r = r.with_header(h);
                    }
                    r
                }
                None => tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404),
            };
            let _ = req.respond(response);
        }
    }));

    if watch {
        let stop = Arc::clone(&stop);
        threads.push(std::thread::spawn(move || {
            let mut last = newest_mtime(&watched);
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(500));
                let now = newest_mtime(&watched);
                if now != last {
                    last = now;
                    match pipeline::run_build(&cfg) {
                        Ok(s) => eprintln!("rebuilt: {} files", s.files),
                        Err(e) => eprintln!("rebuild failed (still serving the last good site): {e:#}"),
                    }
                }
            }
        }));
    }
    Ok(Preview { url, server, stop, threads })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_stays_under_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("states")).expect("mkdir");
        std::fs::write(dir.path().join("index.html"), "x").expect("write");
        std::fs::write(dir.path().join("states/TX.html"), "x").expect("write");
        assert_eq!(resolve(dir.path(), "/"), Some(dir.path().join("index.html")));
        assert_eq!(resolve(dir.path(), "/states/TX.html?x=1#a"), Some(dir.path().join("states/TX.html")));
        for bad in ["/../etc/passwd", "/states/../../x", "/%2e%2e/x", "/nope.html"] {
            assert_eq!(resolve(dir.path(), bad), None, "{bad}");
        }
    }
}
