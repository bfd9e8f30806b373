//! Test support: a loopback HTTP/1.1 server with a request log and fault injection, and a fake
//! data.cms.gov + Census built from the real catalog excerpt.
//!
//! The server speaks just enough HTTP for reqwest: one request per connection
//! (`Connection: close`), a thread per connection so a delayed reply never blocks the next
//! attempt. Handlers see each request with `seq`, how many times that exact target has been
//! asked for (1 on the first), which makes "fail once, then succeed" a one-liner.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Map, Value, json};

/// One request as the handler and the log see it.
#[derive(Debug, Clone)]
pub struct Req {
    pub path: String,
    pub query: String,
    /// `path?query`, the key `seq` counts by.
    pub target: String,
    /// 1 for the first request of this target, 2 for the second, …
    pub seq: usize,
}

impl Req {
    pub fn param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=').map(str::to_string))
    }
}

/// A socket-level fault applied to a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Send the headers (with the full Content-Length) and only this many body bytes, then close.
    CutBody(usize),
    /// Wait before answering.
    Delay(Duration),
    /// Close the connection without answering.
    Drop,
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub fault: Fault,
}

impl Resp {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            fault: Fault::None,
        }
    }
    pub fn json(status: u16, v: &Value) -> Resp {
        Resp::new(status, "application/json", v.to_string())
    }
    pub fn html(status: u16, body: &str) -> Resp {
        Resp::new(status, "text/html; charset=utf-8", body)
    }
    pub fn header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn fault(mut self, f: Fault) -> Resp {
        self.fault = f;
        self
    }
}

type Handler = Arc<dyn Fn(&Req) -> Resp + Send + Sync>;

/// A server on 127.0.0.1 with an ephemeral port; stops when dropped.
pub struct Server {
    pub base: String,
    log: Arc<Mutex<Vec<Req>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// `make` receives the base URL (`http://127.0.0.1:PORT`) and returns the handler.
    pub fn start<H>(make: impl FnOnce(&str) -> H) -> Server
    where
        H: Fn(&Req) -> Resp + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let handler: Handler = Arc::new(make(&base));
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log2, stop2) = (log.clone(), stop.clone());
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (handler, log) = (handler.clone(), log2.clone());
                std::thread::spawn(move || serve_one(stream, &*handler, &log));
            }
        });
        Server { base, log, stop, accept: Some(accept) }
    }

    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn count(&self, pred: impl Fn(&Req) -> bool) -> usize {
        self.requests().iter().filter(|r| pred(r)).count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn serve_one(mut stream: TcpStream, handler: &(dyn Fn(&Req) -> Resp + Send + Sync), log: &Mutex<Vec<Req>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    let req = {
        let Ok(mut log) = log.lock() else { return };
        let seq = log.iter().filter(|r| r.target == target).count() + 1;
        let req = Req { path, query, target, seq };
        log.push(req.clone());
        req
    };
    let resp = handler(&req);
    match resp.fault {
        Fault::Drop => return,
        Fault::Delay(d) => std::thread::sleep(d),
        _ => {}
    }
    let mut out = format!("HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n", resp.status, resp.body.len());
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let body = match resp.fault {
        Fault::CutBody(n) => &resp.body[..n.min(resp.body.len())],
        _ => &resp.body[..],
    };
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

// ---------------------------------------------------------------------------------------------
// Fake data.cms.gov
// ---------------------------------------------------------------------------------------------

pub const SERIES_UUID: &str = "31f25ab6-2fe3-4bad-ac5a-90635ed79935";
pub const COLUMNS: [&str; 14] = hit_atlas::sample::CMS_COLUMNS;
pub const KEY: &str = "testkey0123456789abcdef";

/// One release the fake API serves.
#[derive(Debug, Clone)]
pub struct Release {
    pub date: String,
    pub uuid: String,
    pub title: String,
    pub rows: Vec<Map<String, Value>>,
}

impl Release {
    pub fn suppliers(&self) -> usize {
        let key = if self.rows.first().is_some_and(|r| r.contains_key("enrollment_id")) {
            "enrollment_id"
        } else {
            "Enrollment ID"
        };
        let mut ids: Vec<&str> = self.rows.iter().filter_map(|r| r.get(key)?.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

/// The catalog excerpt and the releases it lists (oldest first), with generated rows.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The real excerpt's text, URLs still pointing at https://data.cms.gov.
    pub catalog: String,
    pub releases: Vec<Release>,
}

pub fn excerpt() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/cms/data.json.excerpt.json");
    std::fs::read_to_string(p).expect("catalog excerpt")
}

/// Rows of one release: `suppliers` enrollments, supplier j listing `areas(j)` service areas.
pub fn rows(release_ix: usize, suppliers: usize, areas: impl Fn(usize) -> usize) -> Vec<Map<String, Value>> {
    let states = ["AL", "CA", "NY", "TX", "PR", "MA", "DC", "GU"];
    let mut out = Vec::new();
    for j in 0..suppliers {
        for a in 0..areas(j) {
            let st = states[(j + a) % states.len()];
            let vals = [
                format!("O2023{j:07}"),
                format!("Infusion Co {j} & Sons"),
                format!("{} Main St", 100 + j),
                if j % 4 == 0 { String::new() } else { format!("Suite {a}") },
                "Springfield".to_string(),
                states[j % states.len()].to_string(),
                format!("0{:04}", (j * 7 + release_ix) % 10000),
                format!("555010{:04}", j % 10000),
                "Home Infusion Therapy Supplier".to_string(),
                "County".to_string(),
                String::new(),
                st.to_string(),
                String::new(),
                format!("County {a}"),
            ];
            out.push(COLUMNS.iter().map(|c| c.to_string()).zip(vals.into_iter().map(Value::String)).collect());
        }
    }
    out
}

/// Lower snake_case column titles, as some mirrors publish them.
pub fn snake_case(rows: &[Map<String, Value>]) -> Vec<Map<String, Value>> {
    rows.iter().map(|r| r.iter().map(|(k, v)| (k.to_lowercase().replace(' ', "_"), v.clone())).collect()).collect()
}

impl Fixture {
    /// The 42 HIT releases of the real excerpt. Release i (0 = oldest) has 40 + i suppliers with
    /// 1-3 areas each; the newest has 330 suppliers with 1-3 areas (660 rows).
    pub fn hit() -> Fixture {
        Fixture::with_latest_areas(3)
    }

    /// As [`Fixture::hit`], but the newest release's suppliers list 1-33 areas (5,610 rows, so
    /// two pages of 5000).
    pub fn hit_big() -> Fixture {
        Fixture::with_latest_areas(33)
    }

    fn with_latest_areas(max_areas: usize) -> Fixture {
        let catalog = excerpt();
        let v: Value = serde_json::from_str(&catalog).expect("json");
        let hit = v["dataset"]
            .as_array()
            .expect("datasets")
            .iter()
            .find(|d| d["identifier"].as_str().is_some_and(|s| s.contains(SERIES_UUID)))
            .expect("HIT series");
        let mut releases: Vec<Release> = hit["distribution"]
            .as_array()
            .expect("distributions")
            .iter()
            .filter(|d| d["format"] == "API" && d["description"] != "latest")
            .map(|d| {
                let url = d["accessURL"].as_str().expect("accessURL");
                let uuid = url.trim_end_matches("/data").rsplit('/').next().expect("uuid").to_string();
                let title = d["title"].as_str().expect("title").to_string();
                let date = title.rsplit(": ").next().expect("date").to_string();
                Release { date, uuid, title, rows: Vec::new() }
            })
            .collect();
        releases.sort_by(|a, b| a.date.cmp(&b.date));
        let n = releases.len();
        for (i, r) in releases.iter_mut().enumerate() {
            r.rows = if i + 1 == n { rows(i, 330, |j| 1 + j % max_areas) } else { rows(i, 40 + i, |j| 1 + j % 3) };
        }
        Fixture { catalog, releases }
    }

    pub fn latest(&self) -> &Release {
        self.releases.last().expect("releases")
    }

    pub fn by_uuid(&self, uuid: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.uuid == uuid)
    }

    /// Normal data.cms.gov behaviour on `base`: catalog, stats, pages capped at `cap` rows (the
    /// real API: 5000). `None` for paths it does not serve.
    pub fn routes(self, base: &str, cap: usize) -> impl Fn(&Req) -> Option<Resp> + Send + Sync + use<> {
        let catalog = self.catalog.replace("https://data.cms.gov", base);
        move |req: &Req| {
            if req.path == "/data.json" {
                return Some(Resp::new(200, "application/json", catalog.clone()));
            }
            let rest = req.path.strip_prefix("/data-api/v1/dataset/")?;
            let (uuid, tail) = rest.split_once('/')?;
            let rel = if uuid == SERIES_UUID { Some(self.latest()) } else { self.by_uuid(uuid) };
            let Some(rel) = rel else {
                return Some(Resp::json(404, &json!({"message": "dataset not found"})));
            };
            match tail {
                "data/stats" => {
                    let n = rel.rows.len();
                    Some(Resp::json(200, &json!({"found_rows": n, "total_rows": n})))
                }
                "data" => {
                    let size: usize = req.param("size").and_then(|s| s.parse().ok()).unwrap_or(1000);
                    let offset: usize = req.param("offset").and_then(|s| s.parse().ok()).unwrap_or(0);
                    if size > 5000 {
                        return Some(Resp::json(400, &json!({"message": "size must be at most 5000"})));
                    }
                    let end = (offset + size.min(cap)).min(rel.rows.len());
                    let page = rel.rows.get(offset.min(end)..end).unwrap_or(&[]);
                    Some(Resp::json(200, &Value::Array(page.iter().cloned().map(Value::Object).collect())))
                }
                _ => None,
            }
        }
    }
}

/// The population the fake Census API serves for a FIPS code.
pub fn population(fips: &str) -> u64 {
    1_000_000 + fips.parse::<u64>().unwrap_or(0) * 1_234
}

/// FIPS codes of the 50 states, DC and PR.
pub fn fips52() -> Vec<&'static str> {
    hit_atlas::geo::JURISDICTIONS.iter().filter(|j| j.always_reported()).map(|j| j.fips).collect()
}

/// Normal Census behaviour: the ACS table for `year`, rows in reverse FIPS order (so a join by
/// position would be caught), key checked.
pub fn census_route(req: &Req, year: u16) -> Option<Resp> {
    if req.path != format!("/data/{year}/acs/acs5") {
        return None;
    }
    if req.param("key").as_deref() != Some(KEY) {
        return Some(Resp::html(200, "<html><body>Invalid Key</body></html>"));
    }
    if req.param("get").as_deref() != Some("NAME,B01003_001E") || req.param("for").as_deref() != Some("state:*") {
        return Some(Resp::new(400, "text/plain", "error: unknown variable"));
    }
    let mut rows = vec![json!(["NAME", "B01003_001E", "state"])];
    for f in fips52().into_iter().rev() {
        rows.push(json!([format!("Place {f}"), population(f).to_string(), f]));
    }
    Some(Resp::json(200, &Value::Array(rows)))
}

/// A 404 for anything unrouted.
pub fn not_found() -> Resp {
    Resp::json(404, &json!({"message": "not found"}))
}

/// sha256 of every file under `root`, by relative path (an absent root is an empty listing).
pub fn snapshot(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).map(|r| r.display().to_string()).unwrap_or_default();
            if p.is_dir() {
                out.insert(format!("{rel}/"), String::new());
                walk(root, &p, out);
            } else {
                let bytes = std::fs::read(&p).unwrap_or_default();
                out.insert(rel, hit_atlas::store::sha256_hex(&bytes));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}
