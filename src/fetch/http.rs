//! One blocking HTTP GET with the retry policy every upstream call shares.
//!
//! [`Http::get`] owns the loop: per-attempt timeout, bounded attempts, a time budget per call,
//! exponential backoff with jitter, and `Retry-After`. It retries transport failures (connect,
//! timeout, reset, a body cut short) and 429/500/502/503/504 by itself; every other response
//! goes to the caller's `judge`, which decides between done, retry (e.g. a truncated JSON body)
//! and fail. It stops at HTTP: what a body must look like is the caller's business.

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime};

use reqwest::blocking::Client;
use reqwest::header::HeaderMap;

use super::{FetchError, HttpPolicy};

/// How a client treats 3xx responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redirects {
    /// Follow at most 5 redirects, and only to the origin of the first request.
    SameOrigin,
    /// Never follow: the caller sees the 3xx (Census sends a missing key to an HTML page).
    Never,
}

/// A response as the judge sees it: status, the few headers we act on, and the whole body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// True for an HTML page: by content type, or a body that starts like markup.
    pub fn is_html(&self) -> bool {
        let ct = self.content_type.to_ascii_lowercase();
        ct.contains("html") || self.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    /// The first 200 characters of the body on one line, for error messages.
    pub fn excerpt(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut out: String = one_line.chars().take(200).collect();
        if one_line.chars().count() > 200 {
            out.push('…');
        }
        out
    }
}

/// The judge's decision on one reply.
pub(crate) enum Verdict<T> {
    Done(T),
    /// Try again (if attempts and budget allow); `reason` ends up in the final error.
    Retry(String),
    Fail(FetchError),
}

/// A client plus its policy and a retry counter for the run summary.
pub(crate) struct Http {
    client: Client,
    policy: HttpPolicy,
    retries: Cell<u32>,
}

/// reqwest with `rustls-no-provider` panics on build unless a crypto provider is installed.
fn install_crypto_provider() {
    // Err means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Http {
    /// `direct`: bypass any proxy from the environment (for loopback bases, which a proxy
    /// could not reach and must not see).
    pub fn new(policy: &HttpPolicy, redirects: Redirects, direct: bool) -> Result<Http, FetchError> {
        install_crypto_provider();
        let redirect = match redirects {
            Redirects::Never => reqwest::redirect::Policy::none(),
            Redirects::SameOrigin => reqwest::redirect::Policy::custom(|attempt| {
                let same = attempt.previous().first().is_some_and(|first| first.origin() == attempt.url().origin());
                if attempt.previous().len() > 5 || !same { attempt.stop() } else { attempt.follow() }
            }),
        };
        let mut builder = Client::builder();
        if direct {
            builder = builder.no_proxy();
        }
        let client = builder
            .user_agent(concat!("hit-atlas/", env!("CARGO_PKG_VERSION"), " (+https://github.com/hit-atlas)"))
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.request_timeout)
            .redirect(redirect)
            .build()
            .map_err(|e| FetchError::Internal { reason: format!("cannot build the HTTP client: {}", chain(&e)) })?;
        Ok(Http { client, policy: policy.clone(), retries: Cell::new(0) })
    }

    /// Retries so far (attempts beyond the first, over all calls).
    pub fn retries(&self) -> u32 {
        self.retries.get()
    }

    /// GETs `url` until `judge` says done or fail, or attempts / budget run out.
    /// `shown` is the URL as errors may print it (the caller redacts secrets).
    pub fn get<T>(&self, url: &str, shown: &str, judge: impl Fn(Reply) -> Verdict<T>) -> Result<T, FetchError> {
        let p = &self.policy;
        let start = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let remaining = p.budget.saturating_sub(start.elapsed());
            let (verdict, retry_after) = match self.client.get(url).timeout(p.request_timeout.min(remaining)).send() {
                Err(e) if e.is_builder() => {
                    return Err(FetchError::BadUrl { url: shown.to_string(), reason: chain(&e) });
                }
                Err(e) => (Verdict::Retry(transport_reason(&e)), None),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let retry_after = headers
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, SystemTime::now()));
                    let content_type = headers
                        .get(reqwest::header::CONTENT_TYPE)
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                        .unwrap_or_default();
                    match resp.bytes() {
                        Err(e) => (Verdict::Retry(format!("status {status}, body cut short: {}", chain(&e))), None),
                        Ok(_) if matches!(status, 429 | 500 | 502 | 503 | 504) => {
                            (Verdict::Retry(format!("status {status}")), retry_after)
                        }
                        Ok(body) => (judge(Reply { status, content_type, headers, body: body.to_vec() }), None),
                    }
                }
            };
            let reason = match verdict {
                Verdict::Done(t) => return Ok(t),
                Verdict::Fail(e) => return Err(e),
                Verdict::Retry(reason) => reason,
            };
            let gave_up = |why: &str| FetchError::GaveUp {
                url: shown.to_string(),
                attempts: attempt,
                elapsed_ms: start.elapsed().as_millis() as u64,
                last: format!("{reason}{why}"),
            };
            if attempt >= p.max_attempts {
                return Err(gave_up(""));
            }
            let wait = match retry_after {
                Some(ra) if ra > p.retry_after_cap => {
                    return Err(FetchError::RetryAfterTooLong {
                        url: shown.to_string(),
                        wait_secs: ra.as_secs(),
                        cap_secs: p.retry_after_cap.as_secs(),
                    });
                }
                Some(ra) => ra,
                None => backoff(p, attempt, random_u64()),
            };
            if start.elapsed() + wait >= p.budget {
                return Err(gave_up(&format!("; the {} ms time budget would be spent", p.budget.as_millis())));
            }
            self.retries.set(self.retries.get() + 1);
            std::thread::sleep(wait);
        }
    }
}

/// Delay before attempt `attempt + 1`: `base * 2^(attempt-1)`, capped at `backoff_max`, then
/// "equal jitter" — uniformly in [half, full] — so retries from parallel runs spread out but
/// the delay still grows.
pub(crate) fn backoff(p: &HttpPolicy, attempt: u32, random: u64) -> Duration {
    let exp = p.backoff_base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let full = exp.min(p.backoff_max);
    let half = full / 2;
    let span = full.saturating_sub(half).as_nanos() as u64;
    let jitter = if span == 0 { 0 } else { random % (span + 1) };
    half + Duration::from_nanos(jitter)
}

/// A random number without a dependency: std's hasher keys are seeded from the OS.
fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0));
    h.finish()
}

/// `Retry-After` as delta-seconds or an HTTP date; a date in the past means "now".
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let now_secs = now.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs() as i64;
    Some(Duration::from_secs(when.timestamp().saturating_sub(now_secs).max(0) as u64))
}

/// A transport error in words, without the URL (it may carry a key; the caller adds its own).
fn transport_reason(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "body cut short"
    } else {
        "request failed"
    };
    format!("{kind}: {}", chain(e))
}

/// An error and its sources on one line, with reqwest's URL stripped.
pub(crate) fn chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        let text = err.to_string();
        // reqwest prints "... for url (URL)"; the URL may hold a key, so drop that part.
        let text = match text.find(" for url (") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        cur = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> HttpPolicy {
        HttpPolicy {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(1000),
            ..HttpPolicy::default()
        }
    }

    #[test]
    fn backoff_grows_within_jitter_bounds_and_caps() {
        let p = policy();
        for r in [0u64, 1, 12345, u64::MAX] {
            let d1 = backoff(&p, 1, r);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100), "{d1:?}");
            let d3 = backoff(&p, 3, r);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400), "{d3:?}");
            let d30 = backoff(&p, 30, r);
            assert!(d30 >= Duration::from_millis(500) && d30 <= Duration::from_millis(1000), "{d30:?}");
        }
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21 07:28:00 UTC
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn html_detection_by_type_or_body() {
        let r = |ct: &str, body: &str| Reply {
            status: 200,
            content_type: ct.into(),
            headers: HeaderMap::new(),
            body: body.as_bytes().to_vec(),
        };
        assert!(r("text/html; charset=utf-8", "{}").is_html());
        assert!(r("application/json", "  <!DOCTYPE html>").is_html());
        assert!(!r("application/json", "[]").is_html());
    }
}
