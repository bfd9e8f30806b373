//! State population from the Census API: ACS 5-year `B01003_001E` for the 50 states, DC and PR.
//!
//! `GET {census-url}/data/{year}/acs/acs5?get=NAME,B01003_001E&for=state:*&key=KEY`.
//! The Census API answers a missing or bad key with a redirect to an HTML page, an HTML page
//! with status 200, or an `X-DataWebAPI-KeyError` header; all of these are credential errors
//! (exit 5) and are never retried. Redirects are not followed. 204 means the year is not
//! published. The body must be an array of equal-width string arrays whose first row is the
//! header; rows are joined on the `state` FIPS column (never by position), every value must be a
//! non-negative integer (the API's negative annotation sentinels such as -666666666 are errors),
//! and exactly the 52 jurisdictions must be present.
//!
//! The key is a secret: it is checked before any request, sent only in the query string, and
//! scrubbed by [`Redactor`] from every URL and body excerpt that reaches an error or the store.

use std::collections::BTreeMap;

use serde_json::Value;

use super::http::{Http, Reply, Verdict};
use super::{Base, FetchError};
use crate::geo;
use crate::store::PopulationFile;

/// The variable fetched: total population.
pub const VARIABLE: &str = "B01003_001E";

/// Replaces a secret in any text, both as a `key=` query value and verbatim.
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    secret: String,
}

impl Redactor {
    pub fn new(secret: &str) -> Redactor {
        Redactor { secret: secret.to_string() }
    }

    pub fn scrub(&self, text: &str) -> String {
        let mut out = redact_key_param(text);
        if !self.secret.is_empty() {
            out = out.replace(&self.secret, "REDACTED");
        }
        out
    }
}

/// Replaces the value of every `key=` query parameter with `REDACTED`.
pub(crate) fn redact_key_param(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(i) = rest.find("key=") {
        let at_param = i > 0 && matches!(rest.as_bytes()[i - 1], b'?' | b'&');
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        if at_param {
            let end = rest.find(['&', '#', ' ', '"', '\'', ')']).unwrap_or(rest.len());
            out.push_str("REDACTED");
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The key from the environment, checked before any request: present, and only the characters
/// Census keys are made of (so it cannot break the query string).
pub(crate) fn check_key(key: Option<&str>) -> Result<String, FetchError> {
    let key = key.map(str::trim).unwrap_or_default();
    if key.is_empty() {
        return Err(FetchError::MissingCensusKey);
    }
    if !key.chars().all(|c| c.is_ascii_alphanumeric()) || key.len() > 128 {
        return Err(FetchError::CensusAuth {
            url: "environment".into(),
            reason: "CENSUS_API_KEY holds characters a Census key never has (expected letters and digits only)".into(),
        });
    }
    Ok(key.to_string())
}

/// Fetches and checks the population table.
pub(crate) fn fetch(
    http: &Http,
    base: &Base,
    year: u16,
    key: &str,
    fetched_at: &str,
) -> Result<PopulationFile, FetchError> {
    let red = Redactor::new(key);
    let url = format!("{}/data/{year}/acs/acs5?get=NAME,{VARIABLE}&for=state:*&key={key}", base.root);
    let shown = red.scrub(&url);
    let value = http.get(&url, &shown, |r| judge(r, &shown, &red))?;
    let total = parse(&value, &shown)?;
    Ok(PopulationFile {
        label: format!("ACS 5-year estimates {}-{year}, {VARIABLE} (total population)", year.saturating_sub(4)),
        year,
        source_url: shown,
        fetched_at: fetched_at.to_string(),
        total,
    })
}

fn judge(r: Reply, shown: &str, red: &Redactor) -> Verdict<Value> {
    let auth = |reason: String| Verdict::Fail(FetchError::CensusAuth { url: shown.to_string(), reason });
    if let Some(flag) = r.header("x-datawebapi-keyerror") {
        return auth(format!("the API rejected the key (X-DataWebAPI-KeyError: {})", red.scrub(&flag)));
    }
    if (300..400).contains(&r.status) {
        let to = r.header("location").map(|l| red.scrub(&l)).unwrap_or_else(|| "nowhere".into());
        return auth(format!(
            "status {} redirecting to {to}; the Census API redirects requests with a missing or invalid key",
            r.status
        ));
    }
    if r.status == 204 {
        return Verdict::Fail(FetchError::CensusNoContent { url: shown.to_string() });
    }
    if r.status != 200 {
        return Verdict::Fail(FetchError::Status {
            url: shown.to_string(),
            status: r.status,
            excerpt: red.scrub(&r.excerpt()),
        });
    }
    if r.is_html() {
        let text = r.excerpt();
        let lower = text.to_lowercase();
        if lower.contains("maintenance") || lower.contains("is busy") {
            return Verdict::Retry(format!("the API answered with a maintenance page: {}", red.scrub(&text)));
        }
        return auth(format!(
            "status 200 with an HTML page instead of JSON, which is how the API reports an invalid key: {}",
            red.scrub(&text)
        ));
    }
    match serde_json::from_slice(&r.body) {
        Ok(v) => Verdict::Done(v),
        Err(e) => Verdict::Retry(format!("body is not complete JSON ({e}); truncated?")),
    }
}

/// Joins the array-of-arrays reply on the `state` column into population by FIPS.
pub(crate) fn parse(value: &Value, shown: &str) -> Result<BTreeMap<String, u64>, FetchError> {
    let err = |reason: String| FetchError::Census { url: shown.to_string(), reason };
    let rows = value.as_array().ok_or_else(|| err("expected an array of arrays".into()))?;
    let (header, data) = rows.split_first().ok_or_else(|| err("empty reply, not even a header row".into()))?;
    let header: Vec<&str> = header
        .as_array()
        .and_then(|h| h.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| err(format!("the header row is not a list of names: {header}")))?;
    let col = |name: &str| {
        header.iter().position(|h| *h == name).ok_or_else(|| err(format!("no {name:?} column in header {header:?}")))
    };
    let (state_col, value_col) = (col("state")?, col(VARIABLE)?);
    let mut total = BTreeMap::new();
    for (i, row) in data.iter().enumerate() {
        let cells = row.as_array().ok_or_else(|| err(format!("row {} is not an array", i + 1)))?;
        if cells.len() != header.len() {
            return Err(err(format!("row {} has {} cells, the header {}", i + 1, cells.len(), header.len())));
        }
        let text = |c: usize| match &cells[c] {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let fips = text(state_col).ok_or_else(|| err(format!("row {}: no state code", i + 1)))?;
        if geo::by_fips(&fips).is_none_or(|j| !j.always_reported()) {
            return Err(err(format!("row {}: state code {fips:?} is not one of the 50 states, DC or PR", i + 1)));
        }
        let raw = text(value_col).ok_or_else(|| err(format!("state {fips}: {VARIABLE} is null")))?;
        let n: i64 = raw.parse().map_err(|_| err(format!("state {fips}: {VARIABLE} {raw:?} is not a whole number")))?;
        if n < 0 {
            return Err(err(format!(
                "state {fips}: {VARIABLE} is {n}, a Census annotation sentinel (estimate not available), not a count"
            )));
        }
        if total.insert(fips.clone(), n as u64).is_some() {
            return Err(err(format!("state {fips} appears twice")));
        }
    }
    let missing: Vec<&str> = geo::JURISDICTIONS
        .iter()
        .filter(|j| j.always_reported() && !total.contains_key(j.fips))
        .map(|j| j.fips)
        .collect();
    if !missing.is_empty() {
        return Err(err(format!("no figures for state FIPS {missing:?}")));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(rows: &[(&str, &str)]) -> Value {
        let mut v = vec![serde_json::json!(["NAME", VARIABLE, "state"])];
        for (fips, n) in rows {
            v.push(serde_json::json!([format!("Place {fips}"), n, fips]));
        }
        Value::Array(v)
    }

    fn all_52() -> Vec<(String, String)> {
        geo::JURISDICTIONS
            .iter()
            .filter(|j| j.always_reported())
            .map(|j| (j.fips.to_string(), format!("{}", 1000 + j.fips.parse::<u64>().unwrap_or(0))))
            .collect()
    }

    #[test]
    fn joins_on_fips_whatever_the_order() {
        let mut rows = all_52();
        rows.reverse();
        let borrowed: Vec<(&str, &str)> = rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let t = parse(&reply(&borrowed), "u").expect("parses");
        assert_eq!(t.len(), 52);
        assert_eq!(t.get("01"), Some(&1001));
        assert_eq!(t.get("72"), Some(&1072));
        // Column order does not matter either.
        let swapped = serde_json::json!([["state", "NAME", VARIABLE], ["06", "California", "39000000"]]);
        assert!(
            matches!(parse(&swapped, "u"), Err(FetchError::Census { reason, .. }) if reason.contains("no figures"))
        );
    }

    #[test]
    fn sentinels_width_and_unknown_states_are_errors() {
        let mut rows = all_52();
        rows[3].1 = "-666666666".into();
        let borrowed: Vec<(&str, &str)> = rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let e = parse(&reply(&borrowed), "u").expect_err("sentinel");
        assert!(e.to_string().contains("sentinel"), "{e}");
        assert_eq!(e.exit_code(), 2);
        let ragged = serde_json::json!([["NAME", VARIABLE, "state"], ["x", "1"]]);
        assert!(parse(&ragged, "u").expect_err("ragged").to_string().contains("cells"));
        let guam = serde_json::json!([["NAME", VARIABLE, "state"], ["Guam", "1", "66"]]);
        assert!(parse(&guam, "u").is_err());
        assert!(parse(&serde_json::json!({"error": "x"}), "u").is_err());
    }

    #[test]
    fn key_is_redacted_everywhere() {
        let r = Redactor::new("abc123SECRET");
        assert_eq!(
            r.scrub("https://api.census.gov/data?get=NAME&key=abc123SECRET&for=state:*"),
            "https://api.census.gov/data?get=NAME&key=REDACTED&for=state:*"
        );
        assert_eq!(r.scrub("<p>invalid key abc123SECRET</p>"), "<p>invalid key REDACTED</p>");
        assert_eq!(redact_key_param("https://x/y?key=zzz"), "https://x/y?key=REDACTED");
        assert_eq!(redact_key_param("https://x/monkey=1"), "https://x/monkey=1");
    }

    #[test]
    fn key_is_checked_before_any_request() {
        assert!(matches!(check_key(None), Err(FetchError::MissingCensusKey)));
        assert!(matches!(check_key(Some("  ")), Err(FetchError::MissingCensusKey)));
        assert!(matches!(check_key(Some("abc&for=x")), Err(FetchError::CensusAuth { .. })));
        assert_eq!(check_key(Some(" abc123 ")).expect("ok"), "abc123");
        assert_eq!(FetchError::MissingCensusKey.exit_code(), 5);
    }
}
