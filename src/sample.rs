//! The bundled synthetic sample: a deterministic generator of release files in the REAL
//! data.cms.gov column layout, on the real release dates of the series.
//!
//! The rows are invented (names, IDs, addresses, service areas); only the column layout and the
//! release calendar are real. The generated store is marked `synthetic`, and everything built
//! from it says so. The same seed always gives the same bytes, and a test checks that the
//! committed `data/sample/` equals a fresh generation.
//!
//! What the sample deliberately contains, so every code path is exercised by the default build:
//! growth and churn across releases; states with no supplier (some served from neighbours, some
//! not at all); suppliers in Puerto Rico and Guam, a Virgin Islands service area; names with
//! `&`, quotes, accents, markup and spreadsheet-formula prefixes; ZIPs with leading zeros and
//! ZIP+4; and dirty rows (lower-case / padded state codes, exact duplicates, an invalid state, a
//! missing enrollment ID).

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::store::ReleaseMeta;

/// Seed of the committed sample.
pub const SEED: u64 = 20_250_107;
/// Number of releases in the sample (the newest ones in the catalog excerpt).
pub const RELEASES: usize = 24;

/// The real column titles of the data.cms.gov file, in order.
pub const CMS_COLUMNS: [&str; 14] = [
    "Enrollment ID",
    "Legal Business Name",
    "Street Address Line 1",
    "Street Address Line 2",
    "City",
    "State",
    "ZIP Code",
    "Practice Location Phone Number",
    "Specialty Name",
    "Geographic Location Type Description",
    "Geographic Location City Name",
    "Geographic Location State Code",
    "Geographic Location ZIP Code",
    "State County Name",
];

/// States with no supplier practising there in the sample (the report's key finding).
pub const ZERO_STATES: [&str; 6] = ["AK", "MT", "ND", "SD", "VT", "WY"];

/// (USPS, relative weight, 3-digit ZIP prefix). Weights roughly follow population; the
/// zero-supplier states have weight 0.
const STATES: [(&str, u32, &str); 53] = [
    ("AL", 5, "350"),
    ("AK", 0, "995"),
    ("AZ", 7, "850"),
    ("AR", 3, "716"),
    ("CA", 39, "900"),
    ("CO", 6, "800"),
    ("CT", 4, "060"),
    ("DE", 1, "197"),
    ("DC", 1, "200"),
    ("FL", 22, "320"),
    ("GA", 11, "300"),
    ("HI", 1, "967"),
    ("ID", 2, "832"),
    ("IL", 12, "600"),
    ("IN", 7, "460"),
    ("IA", 3, "500"),
    ("KS", 3, "660"),
    ("KY", 4, "400"),
    ("LA", 5, "700"),
    ("ME", 1, "039"),
    ("MD", 6, "206"),
    ("MA", 7, "021"),
    ("MI", 10, "480"),
    ("MN", 6, "550"),
    ("MS", 3, "386"),
    ("MO", 6, "630"),
    ("MT", 0, "590"),
    ("NE", 2, "680"),
    ("NV", 3, "889"),
    ("NH", 1, "030"),
    ("NJ", 9, "070"),
    ("NM", 2, "870"),
    ("NY", 19, "100"),
    ("NC", 10, "270"),
    ("ND", 0, "580"),
    ("OH", 11, "430"),
    ("OK", 4, "730"),
    ("OR", 4, "970"),
    ("PA", 13, "150"),
    ("RI", 1, "028"),
    ("SC", 5, "290"),
    ("SD", 0, "570"),
    ("TN", 7, "370"),
    ("TX", 30, "750"),
    ("UT", 3, "840"),
    ("VT", 0, "050"),
    ("VA", 8, "220"),
    ("WA", 7, "980"),
    ("WV", 2, "247"),
    ("WI", 6, "530"),
    ("WY", 0, "820"),
    ("PR", 0, "006"),
    ("GU", 0, "969"),
];

/// Neighbours a supplier may also serve (zero states included, so some are served from outside).
const NEIGHBOURS: [(&str, &[&str]); 14] = [
    ("ID", &["MT", "WY", "WA", "OR"]),
    ("WA", &["OR", "ID", "AK"]),
    ("MN", &["ND", "SD", "WI", "IA"]),
    ("NH", &["VT", "ME", "MA"]),
    ("MA", &["NH", "RI", "CT", "VT"]),
    ("NY", &["NJ", "CT", "PA"]),
    ("CO", &["WY", "NE", "KS", "NM", "UT"]),
    ("TX", &["OK", "NM", "LA", "AR"]),
    ("CA", &["NV", "AZ", "OR"]),
    ("VA", &["DC", "MD", "WV", "NC"]),
    ("MD", &["DC", "DE", "VA", "PA"]),
    ("FL", &["GA", "AL"]),
    ("PR", &["VI"]),
    ("NE", &["SD", "IA", "KS"]),
];

const COUNTIES: [&str; 16] = [
    "Washington",
    "Jefferson",
    "Franklin",
    "Jackson",
    "Lincoln",
    "Madison",
    "Monroe",
    "Marion",
    "Clay",
    "Union",
    "Greene",
    "Warren",
    "Wayne",
    "Lake",
    "Polk",
    "Montgomery",
];
const CITIES: [&str; 12] = [
    "Springfield",
    "Riverside",
    "Fairview",
    "Georgetown",
    "Salem",
    "Clinton",
    "Madison",
    "Arlington",
    "Ashland",
    "Dover",
    "Oxford",
    "Milton",
];
const PREFIX: [&str; 16] = [
    "Bluewater",
    "Summit",
    "Cornerstone",
    "Harbor",
    "Evergreen",
    "Keystone",
    "Lakeside",
    "Pioneer",
    "Meridian",
    "Northstar",
    "Prairie",
    "Riverbend",
    "Sagebrush",
    "Tidewater",
    "Unity",
    "Valley",
];
const MIDDLE: [&str; 6] = [
    "Home Infusion",
    "Infusion Pharmacy",
    "Infusion Services",
    "Specialty Infusion",
    "IV Care",
    "Home Health Infusion",
];
const SUFFIX: [&str; 6] = ["LLC", "Inc.", "Corp", "LP", "Holdings LLC", "Co."];

/// Names that stress escaping downstream. They are data, passed through unchanged by
/// normalize; every writer must neutralise them.
const TRICKY_NAMES: [(&str, &str); 10] = [
    ("Smith & Sons Infusion, Inc.", "NY"),
    ("O'Brien \"Care\" Partners LLC", "MA"),
    ("Añasco Infusión Services", "PR"),
    ("Bayamón Home Infusion Corp", "PR"),
    ("<b>Bold</b> Infusion <script>alert(1)</script>", "TX"),
    ("=HYPERLINK(\"http://example.invalid\",\"click\") Infusion", "CA"),
    ("+1 Infusion Group", "FL"),
    ("Zoë & Zaïd Pharmacy Services", "IL"),
    ("Guam Island Infusion", "GU"),
    ("Caribe Infusion Partners", "PR"),
];

/// One generated release: its metadata (sha256 filled by the store writer) and CSV bytes.
pub struct SampleRelease {
    pub meta: ReleaseMeta,
    pub csv: Vec<u8>,
}

struct Pool {
    id: String,
    name: String,
    address: String,
    city: String,
    state: &'static str,
    zip: String,
    phone: String,
    /// (type, city, state, zip, county)
    areas: Vec<[String; 5]>,
    start: usize,
    end: usize,
}

impl Pool {
    /// The CSV record of this supplier for one of its service areas.
    fn record<'a>(&'a self, a: &'a [String; 5]) -> [&'a str; 14] {
        [
            &self.id,
            &self.name,
            &self.address,
            "",
            &self.city,
            self.state,
            &self.zip,
            &self.phone,
            "Home Infusion Therapy Supplier",
            &a[0],
            &a[1],
            &a[2],
            &a[3],
            &a[4],
        ]
    }
}

/// The release dates and reporting windows of the newest `n` releases in the catalog excerpt,
/// oldest first (resolved by the same catalog parser `fetch` uses).
pub fn catalog_releases(catalog_json: &str, n: usize) -> Result<Vec<(NaiveDate, String)>, String> {
    let series = crate::fetch::parse_catalog(catalog_json, crate::config::SERIES_ID, crate::load::SERIES_TITLE)
        .map_err(|e| e.to_string())?;
    let mut out: Vec<(NaiveDate, String)> =
        series.releases.iter().map(|r| (r.date, r.temporal.clone().unwrap_or_default())).collect();
    out.sort();
    let skip = out.len().saturating_sub(n);
    Ok(out.split_off(skip))
}

fn pick<'a, R: Rng>(rng: &mut R, items: &[&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn zip<R: Rng>(rng: &mut R, prefix: &str) -> String {
    if rng.random_bool(0.1) {
        format!("{prefix}{:02}{:04}", rng.random_range(0..100), rng.random_range(0..10_000))
    } else {
        format!("{prefix}{:02}", rng.random_range(0..100))
    }
}

fn pool<R: Rng>(rng: &mut R, releases: usize, total: usize) -> Vec<Pool> {
    let weighted: Vec<(&'static str, &'static str)> =
        STATES.iter().flat_map(|(s, w, z)| std::iter::repeat_n((*s, *z), *w as usize)).collect();
    let prefix_of = |st: &str| STATES.iter().find(|s| s.0 == st).map(|s| s.2).unwrap_or("000");
    let mut out = Vec::with_capacity(total);
    for i in 0..total {
        let (state, zp) = match TRICKY_NAMES.get(i) {
            Some((_, st)) => (*STATES.iter().find(|s| s.0 == *st).map(|s| &s.0).unwrap_or(&"TX"), prefix_of(st)),
            None => weighted[rng.random_range(0..weighted.len())],
        };
        let name = match TRICKY_NAMES.get(i) {
            Some((n, _)) => n.to_string(),
            None => format!("{} {} {}", pick(rng, &PREFIX), pick(rng, &MIDDLE), pick(rng, &SUFFIX)),
        };
        let city = pick(rng, &CITIES).to_string();
        let mut area_states = vec![state];
        if let Some((_, n)) = NEIGHBOURS.iter().find(|(s, _)| *s == state) {
            for nb in n.iter() {
                if rng.random_bool(0.35) {
                    area_states.push(nb);
                }
            }
        }
        let mut areas = Vec::new();
        for st in area_states {
            let n_areas = rng.random_range(1..=3);
            for _ in 0..n_areas {
                let kind = if rng.random_bool(0.8) { "County" } else { "ZIP Code" };
                let county = format!("{} {st}", pick(rng, &COUNTIES));
                let z = if kind == "ZIP Code" { zip(rng, prefix_of(st)) } else { String::new() };
                areas.push([kind.to_string(), String::new(), st.to_string(), z, county]);
            }
        }
        areas.sort();
        areas.dedup();
        // ~55% present from the first release; the rest join over time; some leave.
        let start = if i < 10 || rng.random_bool(0.55) { 0 } else { rng.random_range(1..releases) };
        let end = if i >= 10 && rng.random_bool(0.12) { rng.random_range(start + 1..=releases) } else { releases };
        out.push(Pool {
            id: format!(
                "O{}{:02}{:02}{:06}",
                rng.random_range(2016..=2024),
                rng.random_range(1..=12),
                rng.random_range(1..=28),
                (i * 7919) % 1_000_000
            ),
            name,
            address: format!("{} {} St", rng.random_range(1..9_999), pick(rng, &COUNTIES)),
            city,
            state,
            zip: zip(rng, zp),
            phone: format!("555{:07}", rng.random_range(0..10_000_000)),
            areas,
            start,
            end,
        });
    }
    out
}

/// Suppliers in the pool of the 1x sample (about 380 active in any one release).
pub const POOL: usize = 420;

/// Generates the sample releases from the catalog excerpt.
pub fn generate(catalog_json: &str, seed: u64) -> Result<Vec<SampleRelease>, String> {
    generate_scaled(catalog_json, seed, 1)
}

/// Generates a sample `scale` times the size of the committed one (same releases, `scale` x the
/// suppliers and rows), for benchmarks. `scale` 1 gives exactly the bytes of [`generate`]; 0 is
/// treated as 1.
pub fn generate_scaled(catalog_json: &str, seed: u64, scale: u32) -> Result<Vec<SampleRelease>, String> {
    let dates = catalog_releases(catalog_json, RELEASES)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let pool = pool(&mut rng, dates.len(), POOL * scale.max(1) as usize);
    let mut out = Vec::with_capacity(dates.len());
    for (r, (date, temporal)) in dates.iter().enumerate() {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        let werr = |e: csv::Error| e.to_string();
        w.write_record(CMS_COLUMNS).map_err(werr)?;
        let mut rows = 0u64;
        for s in pool.iter().filter(|s| s.start <= r && r < s.end) {
            for a in &s.areas {
                let rec = s.record(a);
                w.write_record(rec).map_err(werr)?;
                rows += 1;
            }
        }
        // Dirty rows, different in each release so quarantine has history.
        let s = &pool[10 + r % 50];
        let padded = format!(" {} ", s.state.to_lowercase());
        let dirty: [[&str; 14]; 3] = [
            // padded lower-case state: valid after cleaning, counted
            [
                &s.id,
                &s.name,
                &s.address,
                "",
                &s.city,
                &padded,
                &s.zip,
                &s.phone,
                "Home Infusion Therapy Supplier",
                "State",
                "",
                s.state,
                "",
                "",
            ],
            // invalid state code
            [
                "O20990101999999",
                "Nowhere Infusion LLC",
                "1 Main St",
                "",
                "Springfield",
                "XX",
                "00000",
                "",
                "Home Infusion Therapy Supplier",
                "County",
                "",
                "XX",
                "",
                "Lincoln XX",
            ],
            // missing enrollment ID
            [
                "",
                "Unknown Infusion Co.",
                "2 Main St",
                "",
                "Dover",
                "DE",
                "19901",
                "",
                "Home Infusion Therapy Supplier",
                "County",
                "",
                "DE",
                "",
                "Kent DE",
            ],
        ];
        for rec in dirty {
            w.write_record(rec).map_err(werr)?;
            rows += 1;
        }
        // An exact duplicate of the first pool row present in this release.
        if let Some(s) = pool.iter().find(|s| s.start <= r && r < s.end) {
            let a = &s.areas[0];
            w.write_record(s.record(a)).map_err(werr)?;
            rows += 1;
        }
        let csv = w.into_inner().map_err(|e| e.to_string())?;
        out.push(SampleRelease {
            meta: ReleaseMeta {
                release_date: *date,
                file: "data.csv".into(),
                rows,
                sha256: String::new(),
                series_uuid: None,
                release_uuid: None,
                title: Some(format!("SYNTHETIC SAMPLE in the layout of Home Infusion Therapy Providers : {date}")),
                temporal: Some(temporal.clone()),
                modified: None,
                source_url: None,
                fetched_at: None,
            },
            csv,
        });
    }
    Ok(out)
}

/// The catalog excerpt bundled in the repository (real data.cms.gov entries, January 2025).
pub const CATALOG_EXCERPT: &str = include_str!("../data/cms/data.json.excerpt.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_come_from_the_real_catalog() {
        let r = catalog_releases(CATALOG_EXCERPT, RELEASES).expect("catalog");
        assert_eq!(r.len(), 24);
        assert_eq!(r[23].0.to_string(), "2025-01-07");
        assert_eq!(r[23].1, "2024-12-22/2025-01-04");
        assert_eq!(r[0].0.to_string(), "2024-02-26");
    }

    #[test]
    fn generation_is_deterministic() {
        let a = generate(CATALOG_EXCERPT, SEED).expect("gen");
        let b = generate(CATALOG_EXCERPT, SEED).expect("gen");
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| x.csv == y.csv && x.meta == y.meta));
        let c = generate(CATALOG_EXCERPT, SEED + 1).expect("gen");
        assert_ne!(a[0].csv, c[0].csv);
    }

    #[test]
    fn scale_one_is_the_committed_sample_and_ids_stay_distinct_when_scaled() {
        let a = generate(CATALOG_EXCERPT, SEED).expect("gen");
        let one = generate_scaled(CATALOG_EXCERPT, SEED, 1).expect("gen");
        assert!(a.iter().zip(&one).all(|(x, y)| x.csv == y.csv && x.meta == y.meta));
        let three = generate_scaled(CATALOG_EXCERPT, SEED, 3).expect("gen");
        let latest = &three[three.len() - 1];
        assert!(latest.meta.rows > 3 * a[a.len() - 1].meta.rows * 9 / 10, "about 3x the rows");
        let mut rd = csv::Reader::from_reader(latest.csv.as_slice());
        let mut by_id: std::collections::BTreeMap<String, String> = Default::default();
        for rec in rd.records() {
            let rec = rec.expect("csv");
            let (id, name) = (rec[0].to_string(), rec[1].to_string());
            if id.is_empty() || id == "O20990101999999" {
                continue;
            }
            let prev = by_id.entry(id.clone()).or_insert_with(|| name.clone());
            assert_eq!(*prev, name, "enrollment ID {id} reused by two suppliers");
        }
        assert!(by_id.len() > 3 * 300);
    }
}
