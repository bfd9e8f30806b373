//! Page view models and the order pages are rendered in.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;

use super::{ChartFile, ContentFile, DEFAULT_CONTENT, RenderError, SiteInput, content, csv, format, json};
use crate::markdown::{self, Trust};
use crate::metrics::{Display, Metrics, StateRow};
use crate::model::{Provenance, QuarantineReason, Release, Supplier};
use crate::write::SiteFile;

/// Site navigation: (file, label).
pub const NAV: [(&str, &str); 8] = [
    ("index.html", "Overview"),
    ("states.html", "States"),
    ("charts.html", "Charts"),
    ("changes.html", "Changes"),
    ("caveats.html", "Caveats"),
    ("methodology.html", "Methodology"),
    ("data.html", "Data"),
    ("quality.html", "Data quality"),
];

pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// Page chrome: head metadata, banner, navigation and provenance footer.
pub struct Chrome {
    pub page_title: String,
    pub description: String,
    pub site_title: String,
    pub synthetic: bool,
    pub dataset_title: String,
    pub dataset_url: String,
    pub release_date: String,
    pub release_iso: String,
    pub population_label: String,
    pub version: String,
    pub input_sha256: String,
    /// `""` for top-level pages, `"../"` one level down.
    pub root: String,
    pub nav: Vec<NavItem>,
    pub canonical: String,
    pub og_image: String,
    pub publisher_name: String,
    pub publisher_url: String,
}

struct Ctx<'a> {
    input: &'a SiteInput<'a>,
    p: &'a Provenance,
}

impl Ctx<'_> {
    fn chrome(&self, path: &str, title: &str, description: &str) -> Chrome {
        let depth = path.matches('/').count();
        let root = "../".repeat(depth);
        let s = self.input.settings;
        let nav_current = if path.starts_with("states/") { "states.html" } else { path };
        let (publisher_name, publisher_url) = s.publisher.clone().unwrap_or_default();
        let map_png = self.input.charts.first().map(|c| format!("charts/{}.png", c.id));
        Chrome {
            page_title: title.to_string(),
            description: description.to_string(),
            site_title: s.title.clone(),
            synthetic: self.p.synthetic,
            dataset_title: self.p.dataset_title.clone(),
            dataset_url: self.p.dataset_url.clone(),
            release_date: format::long_date(self.p.release_date),
            release_iso: self.p.release_date.to_string(),
            population_label: self.p.population_label.clone(),
            version: self.p.version.clone(),
            input_sha256: self.p.input_sha256.clone(),
            nav: super::NAV
                .iter()
                .filter(|(href, _)| s.pages.enabled(href))
                .map(|(href, label)| NavItem { href: format!("{root}{href}"), label, current: *href == nav_current })
                .collect(),
            canonical: s.site_url.as_ref().map(|u| format!("{u}{path}")).unwrap_or_default(),
            og_image: match (&s.site_url, map_png) {
                (Some(u), Some(png)) => format!("{u}{png}"),
                _ => String::new(),
            },
            root,
            publisher_name,
            publisher_url: safe_href(publisher_url),
        }
    }
}

/// `url` if it is safe to put in an `href` (see [`markdown::safe_url`]), else empty.
fn safe_href(url: String) -> String {
    if markdown::safe_url(&url) { url } else { String::new() }
}

fn page<T: Template>(path: &str, t: &T) -> Result<SiteFile, RenderError> {
    let html = t.render().map_err(|source| RenderError::Template { page: path.to_string(), source })?;
    Ok(SiteFile { path: path.to_string(), bytes: html.into_bytes() })
}

/// One row of a state table, preformatted.
pub struct StateLine {
    pub usps: String,
    pub name: String,
    pub href: String,
    pub suppliers: String,
    pub suppliers_sort: String,
    pub served_by: String,
    pub population: String,
    pub per_million: String,
    pub rate_sort: String,
    pub rank: String,
    pub display: &'static str,
    pub class: &'static str,
    pub caution: bool,
}

fn display_class(d: Display) -> &'static str {
    match d {
        Display::Rate => "rate",
        Display::Zero => "zero",
        Display::NoPopulation => "nopop",
        Display::NotInFile => "notinfile",
    }
}

fn state_line(s: &StateRow, root: &str) -> StateLine {
    StateLine {
        usps: s.usps.clone(),
        name: s.name.clone(),
        href: format!("{root}states/{}.html", s.usps),
        suppliers: format::thousands(u64::from(s.suppliers)),
        suppliers_sort: s.suppliers.to_string(),
        served_by: s.served_by.map(|n| format::thousands(u64::from(n))).unwrap_or_else(|| "no data".into()),
        population: s.population.map(format::thousands).unwrap_or_else(|| "no data".into()),
        per_million: match s.display {
            Display::Zero => "0.0".into(),
            _ => format::rate(s.per_million),
        },
        rate_sort: s.per_million.map(|v| format!("{v:.6}")).unwrap_or_else(|| "-1".into()),
        rank: s.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
        display: s.display.label(),
        class: display_class(s.display),
        caution: s.small_count,
    }
}

pub struct ChartView {
    pub id: String,
    pub title: String,
    pub alt: String,
    pub svg: String,
    /// The moving "latest" copies.
    pub svg_href: String,
    pub png_href: String,
    /// The copies frozen for this release (`charts/<release-date>/…`).
    pub release_svg_href: String,
    pub release_png_href: String,
    pub release: String,
    pub embed: String,
    pub embed_release: String,
}

fn chart_view(c: &ChartFile, root: &str, site_url: Option<&str>, release: &str) -> ChartView {
    let base = site_url.unwrap_or("");
    let alt = c.alt.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
    let embed = |path: &str| format!(r#"<img src="{base}{path}" alt="{alt}" width="100%">"#);
    ChartView {
        id: c.id.clone(),
        title: c.title.clone(),
        alt: c.alt.clone(),
        svg: c.svg.clone(),
        svg_href: format!("{root}charts/{}.svg", c.id),
        png_href: format!("{root}charts/{}.png", c.id),
        release_svg_href: format!("{root}charts/{release}/{}.svg", c.id),
        release_png_href: format!("{root}charts/{release}/{}.png", c.id),
        release: release.to_string(),
        embed: embed(&format!("charts/{}.png", c.id)),
        embed_release: embed(&format!("charts/{release}/{}.png", c.id)),
    }
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage {
    chrome: Chrome,
    subtitle: String,
    kpis: Vec<(String, String)>,
    narrative: String,
    caveats: String,
    charts: Vec<ChartView>,
    states: Vec<StateLine>,
    population_year: String,
}

#[derive(Template)]
#[template(path = "prose.html")]
struct ProsePage {
    chrome: Chrome,
    heading: String,
    body: String,
}

#[derive(Template)]
#[template(path = "states.html")]
struct StatesPage {
    chrome: Chrome,
    states: Vec<StateLine>,
    population_year: String,
}

pub struct SupplierLine {
    pub name: String,
    pub city: String,
    pub zip: String,
    pub id: String,
    pub state: String,
    pub areas: String,
}

#[derive(Template)]
#[template(path = "state.html")]
struct StatePage {
    chrome: Chrome,
    name: String,
    usps: String,
    class: &'static str,
    headline: String,
    kpis: Vec<(String, String)>,
    caution: bool,
    sparkline: String,
    local: Vec<SupplierLine>,
    from_elsewhere: Vec<SupplierLine>,
    has_service_areas: bool,
    history: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "charts.html")]
struct ChartsPage {
    chrome: Chrome,
    charts: Vec<ChartView>,
}

pub struct Download {
    pub href: String,
    pub name: String,
    pub description: String,
    pub rows: String,
    pub sha256: String,
}

pub struct InputLine {
    pub date: String,
    pub path: String,
    pub sha256: String,
    pub rows: String,
    pub suppliers: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    chrome: Chrome,
    downloads: Vec<Download>,
    inputs: Vec<InputLine>,
    population_label: String,
    population_sha: String,
}

pub struct ChangeBlock {
    pub date: String,
    pub previous: String,
    pub new: Vec<SupplierLine>,
    pub dropped: Vec<SupplierLine>,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesPage {
    chrome: Chrome,
    releases: Vec<(String, String, String, String, String)>,
    changes: Vec<ChangeBlock>,
}

pub struct QualityRelease {
    pub date: String,
    pub rows: String,
    pub kept: String,
    pub suppliers: String,
    pub set_aside: String,
    pub by_reason: String,
}

pub struct QuarantineLine {
    pub date: String,
    pub source: String,
    pub line: String,
    pub reason: String,
    pub id: String,
    pub name: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    chrome: Chrome,
    summary: Vec<(String, String)>,
    releases: Vec<QualityRelease>,
    unmatched: Vec<(String, String)>,
    added_zeros: String,
    notes: Vec<(String, String)>,
    rows: Vec<QuarantineLine>,
    rows_shown: String,
    rows_total: String,
}

/// Rows of the quarantine table shown on the page (all are in the CSV).
const QUARANTINE_SHOWN: usize = 500;

fn content_text<'a>(files: &'a [ContentFile], name: &str) -> (String, &'a str) {
    match files.iter().find(|f| f.name == name) {
        Some(f) => (f.path.clone(), f.text.as_str()),
        None => (
            format!("content/{name} (bundled)"),
            DEFAULT_CONTENT.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).unwrap_or(""),
        ),
    }
}

fn names_of(m: &Metrics, codes: &[String]) -> Vec<String> {
    codes.iter().filter_map(|u| m.states.iter().find(|s| &s.usps == u)).map(|s| s.name.clone()).collect()
}

fn placeholders(input: &SiteInput<'_>) -> BTreeMap<&'static str, String> {
    let m = input.metrics;
    let p = input.provenance;
    let first = m.releases.first();
    let first_n = first.map(|r| r.suppliers).unwrap_or(0);
    let zero = names_of(m, &m.national.zero_states);
    let unserved = names_of(m, &m.national.unserved_states);
    let none = |v: &[String]| if v.is_empty() { "none".to_string() } else { format::prose_list(v) };
    BTreeMap::from([
        ("release_date", format::long_date(m.latest)),
        ("release_count", m.releases.len().to_string()),
        ("first_release_date", first.map(|r| format::long_date(r.date)).unwrap_or_default()),
        ("first_suppliers", format::thousands(u64::from(first_n))),
        ("suppliers_total", format::thousands(u64::from(m.national.suppliers))),
        ("growth_signed", format::signed(i64::from(m.national.suppliers) - i64::from(first_n))),
        ("per_million", format::rate(m.national.per_million)),
        ("population_year", p.population_year.to_string()),
        ("population_label", p.population_label.clone()),
        ("zero_count", zero.len().to_string()),
        ("zero_states_list", none(&zero)),
        ("unserved_count", unserved.len().to_string()),
        ("unserved_states_list", none(&unserved)),
        ("quarantined_rows", format::thousands(input.releases.iter().map(|r| r.quarantine.len() as u64).sum())),
        ("dataset_url", p.dataset_url.clone()),
        ("dataset_title", p.dataset_title.clone()),
    ])
}

fn md(input: &SiteInput<'_>, values: &BTreeMap<&'static str, String>, name: &str) -> Result<String, RenderError> {
    let (path, text) = content_text(input.content, name);
    let filled = content::fill(&path, text, values)?;
    Ok(markdown::to_html(&filled, Trust::Content))
}

fn supplier_line(s: &Supplier, only_state: Option<&str>) -> SupplierLine {
    let areas: Vec<_> =
        s.service_areas.iter().filter(|a| only_state.is_none() || a.state.as_deref() == only_state).collect();
    let states: BTreeSet<&str> = areas.iter().filter_map(|a| a.state.as_deref()).collect();
    let areas = match (areas.len(), states.len()) {
        (0, _) => "none listed".to_string(),
        (n, 0) => format!("{n} area{}", if n == 1 { "" } else { "s" }),
        (n, _) => format!(
            "{n} area{} in {}",
            if n == 1 { "" } else { "s" },
            states.into_iter().collect::<Vec<_>>().join(", ")
        ),
    };
    SupplierLine {
        name: s.name.clone(),
        city: s.city.clone(),
        zip: s.zip.clone(),
        id: s.enrollment_id.clone(),
        state: s.state.clone(),
        areas,
    }
}

/// Renders every page and download.
pub fn render(input: &SiteInput<'_>) -> Result<Vec<SiteFile>, RenderError> {
    let m = input.metrics;
    let p = input.provenance;
    let ctx = Ctx { input, p };
    let values = placeholders(input);
    let latest = input.releases.iter().max_by_key(|r| r.source.date);
    let site_url = input.settings.site_url.as_deref();
    let pop_year = p.population_year.to_string();
    let mut files = Vec::new();
    let caveats_html = md(input, &values, "caveats.md")?;
    let release = p.release_date.to_string();
    let chart_views = || input.charts.iter().map(|c| chart_view(c, "", site_url, &release)).collect::<Vec<_>>();

    // Overview.
    let headline =
        format!("{} suppliers; {} of 52 states, DC and PR have none.", values["suppliers_total"], values["zero_count"]);
    let index = IndexPage {
        chrome: ctx.chrome("index.html", &input.settings.title, &headline),
        subtitle: input.settings.subtitle.clone(),
        kpis: vec![
            (values["suppliers_total"].clone(), format!("suppliers, release of {}", values["release_date"])),
            (values["per_million"].clone(), format!("per million residents ({pop_year})")),
            (values["zero_count"].clone(), "states, DC or PR with no supplier".into()),
            (values["growth_signed"].clone(), format!("suppliers since {}", values["first_release_date"])),
        ],
        narrative: md(input, &values, "index.md")?,
        caveats: caveats_html.clone(),
        charts: chart_views(),
        states: m.states.iter().map(|s| state_line(s, "")).collect(),
        population_year: pop_year.clone(),
    };
    files.push(page("index.html", &index)?);

    // Prose pages.
    let caveats = ProsePage {
        chrome: ctx.chrome(
            "caveats.html",
            "Caveats",
            "What the CMS home infusion therapy supplier file can and cannot say.",
        ),
        heading: "Caveats".into(),
        body: caveats_html,
    };
    files.push(page("caveats.html", &caveats)?);
    let method = ProsePage {
        chrome: ctx.chrome("methodology.html", "Methodology", "Definitions, counting rules, sources and vintages."),
        heading: "Methodology".into(),
        body: format!("{}{}", md(input, &values, "about-the-benefit.md")?, md(input, &values, "methodology.md")?),
    };
    files.push(page("methodology.html", &method)?);

    // States.
    let states = StatesPage {
        chrome: ctx.chrome(
            "states.html",
            "States",
            "Home infusion therapy suppliers in every state, DC and Puerto Rico.",
        ),
        states: m.states.iter().map(|s| state_line(s, "")).collect(),
        population_year: pop_year.clone(),
    };
    files.push(page("states.html", &states)?);
    let dates: Vec<String> = m.releases.iter().map(|r| r.date.to_string()).collect();
    // Group the latest release's suppliers once (by practice state, and by the other states they
    // serve), so the state pages cost one pass over the suppliers, not one pass per state.
    let mut practising: BTreeMap<&str, Vec<&Supplier>> = BTreeMap::new();
    let mut serving: BTreeMap<&str, Vec<&Supplier>> = BTreeMap::new();
    for x in latest.iter().flat_map(|r| r.suppliers.values()) {
        practising.entry(x.state.as_str()).or_default().push(x);
        for st in x.area_states() {
            if st != x.state {
                serving.entry(st).or_default().push(x);
            }
        }
    }
    for s in &m.states {
        let path = format!("states/{}.html", s.usps);
        let here = s.usps.as_str();
        let local: Vec<SupplierLine> =
            practising.get(here).into_iter().flatten().map(|x| supplier_line(x, None)).collect();
        let elsewhere: Vec<SupplierLine> =
            serving.get(here).into_iter().flatten().map(|x| supplier_line(x, Some(here))).collect();
        let rate = match s.display {
            Display::Rate | Display::Zero => {
                format!("{} per million residents ({pop_year})", format::rate(s.per_million))
            }
            Display::NoPopulation | Display::NotInFile => "no population figure, so no rate".into(),
        };
        let headline = format!(
            "{}: {} supplier{} practising here; {}.",
            s.name,
            s.suppliers,
            if s.suppliers == 1 { "" } else { "s" },
            rate
        );
        let n_ranked = m.states.iter().filter(|x| x.rank.is_some()).count();
        let series = m.state_series.get(&s.usps).cloned().unwrap_or_default();
        let page_model = StatePage {
            chrome: ctx.chrome(&path, &s.name, &headline),
            name: s.name.clone(),
            usps: s.usps.clone(),
            class: display_class(s.display),
            headline,
            kpis: vec![
                (format::thousands(u64::from(s.suppliers)), "suppliers practising here".into()),
                (
                    s.served_by.map(|n| n.to_string()).unwrap_or_else(|| "no data".into()),
                    "suppliers listing a service area here".into(),
                ),
                (
                    match s.display {
                        Display::Zero => "0.0".into(),
                        _ => format::rate(s.per_million),
                    },
                    format!("per million residents ({pop_year})"),
                ),
                (s.rank.map(|r| format!("{r} of {n_ranked}")).unwrap_or_else(|| "—".into()), "rank by rate".into()),
                (
                    s.population.map(format::thousands).unwrap_or_else(|| "no data".into()),
                    format!("residents ({pop_year})"),
                ),
                (format::rate(s.per_million_65), "per million residents aged 65+".into()),
            ],
            caution: s.small_count,
            sparkline: input.sparklines.get(&s.usps).cloned().unwrap_or_default(),
            local,
            from_elsewhere: elsewhere,
            has_service_areas: s.served_by.is_some(),
            history: dates.iter().zip(series).rev().map(|(d, n)| (d.clone(), n.to_string())).collect(),
        };
        files.push(page(&path, &page_model)?);
    }

    // Charts.
    let charts = ChartsPage {
        chrome: ctx.chrome("charts.html", "Charts", "Every chart with SVG and PNG downloads."),
        charts: chart_views(),
    };
    if input.settings.pages.charts {
        files.push(page("charts.html", &charts)?);
    }
    for c in input.charts {
        for dir in ["charts".to_string(), format!("charts/{}", p.release_date)] {
            files.push(SiteFile { path: format!("{dir}/{}.svg", c.id), bytes: c.svg.clone().into_bytes() });
            files.push(SiteFile { path: format!("{dir}/{}.png", c.id), bytes: c.png.clone() });
        }
    }

    // Changes.
    let changes = ChangesPage {
        chrome: ctx.chrome("changes.html", "Changes", "Suppliers new and dropped at each CMS release."),
        releases: m
            .releases
            .iter()
            .rev()
            .map(|r| {
                (
                    r.date.to_string(),
                    format::thousands(u64::from(r.suppliers)),
                    format::thousands(r.rows),
                    r.new.map(|n| format!("+{n}")).unwrap_or_else(|| "—".into()),
                    r.dropped.map(|n| format!("\u{2212}{n}")).unwrap_or_else(|| "—".into()),
                )
            })
            .collect(),
        changes: m
            .changes
            .iter()
            .map(|c| {
                let line = |s: &crate::metrics::SupplierRef| SupplierLine {
                    name: s.name.clone(),
                    city: s.city.clone(),
                    zip: String::new(),
                    id: s.enrollment_id.clone(),
                    state: s.state.clone(),
                    areas: String::new(),
                };
                ChangeBlock {
                    date: c.date.to_string(),
                    previous: c.previous.to_string(),
                    summary: format!("{} new, {} dropped", c.new.len(), c.dropped.len()),
                    new: c.new.iter().map(line).collect(),
                    dropped: c.dropped.iter().map(line).collect(),
                }
            })
            .collect(),
    };
    if input.settings.pages.changes {
        files.push(page("changes.html", &changes)?);
    }

    // Quality.
    if input.settings.pages.quality {
        files.push(page("quality.html", &quality_page(&ctx, m)?)?);
    }

    // Downloads.
    let mut data: Vec<(&str, &str, Vec<u8>, usize)> = vec![
        (
            "data/state-metrics.csv",
            "One row per state, DC, PR and territory present: suppliers, population, per million, rank, served by.",
            csv::state_metrics(&m.states),
            m.states.len(),
        ),
        (
            "data/state-metrics.json",
            "The same as JSON, with every metric and display state.",
            json::safe_json(&m.states),
            m.states.len(),
        ),
        (
            "data/releases.csv",
            "One row per release: suppliers, rows, new, dropped.",
            csv::releases(m),
            m.releases.len(),
        ),
        (
            "data/quarantine.csv",
            "Every input row set aside, with release, source file, line and reason.",
            csv::quarantine(input.releases),
            input.releases.iter().map(|r| r.quarantine.len()).sum(),
        ),
    ];
    if let Some(latest) = latest {
        data.push((
            "data/suppliers.csv",
            "The latest release, one row per distinct supplier (enrollment ID).",
            csv::suppliers(latest),
            latest.suppliers.len(),
        ));
        let list: Vec<&Supplier> = latest.suppliers.values().collect();
        data.push((
            "data/suppliers.json",
            "The same as JSON, with every service area.",
            json::safe_json(&list),
            list.len(),
        ));
    }
    data.sort_by(|a, b| a.0.cmp(b.0));
    let mut outputs: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    outputs.extend(data.iter().map(|d| d.0.to_string()));
    outputs.push("data/manifest.json".into());
    outputs.push("data.html".into());
    outputs.push("assets/site.css".into());
    outputs.push("assets/sort.js".into());
    let out_refs: Vec<&str> = outputs.iter().map(String::as_str).collect();
    let manifest = json::manifest(p, input.population, input.releases, &out_refs);
    let mut downloads: Vec<Download> = data
        .iter()
        .map(|(path, desc, bytes, rows)| Download {
            href: path.to_string(),
            name: path.trim_start_matches("data/").to_string(),
            description: desc.to_string(),
            rows: format::thousands(*rows as u64),
            sha256: crate::store::sha256_hex(bytes),
        })
        .collect();
    downloads.push(Download {
        href: "data/manifest.json".into(),
        name: "manifest.json".into(),
        description: "Provenance: every input with its sha256, release ids, population source, hit-atlas version."
            .into(),
        rows: "—".into(),
        sha256: crate::store::sha256_hex(&manifest),
    });
    let data_page = DataPage {
        chrome: ctx.chrome("data.html", "Data", "Downloads and provenance of every input."),
        downloads,
        inputs: {
            let mut v: Vec<&Release> = input.releases.iter().collect();
            v.sort_by_key(|r| std::cmp::Reverse(r.source.date));
            v.iter()
                .map(|r| InputLine {
                    date: r.source.date.to_string(),
                    path: r.source.path.clone(),
                    sha256: r.source.sha256.clone(),
                    rows: format::thousands(r.rows_read),
                    suppliers: format::thousands(r.suppliers.len() as u64),
                    source: r.source.source_url.clone().map(safe_href).unwrap_or_default(),
                })
                .collect()
        },
        population_label: input.population.source.label.clone(),
        population_sha: input.population.source.sha256.clone(),
    };
    files.push(page("data.html", &data_page)?);
    files.extend(data.into_iter().map(|(path, _, bytes, _)| SiteFile { path: path.into(), bytes }));
    files.push(SiteFile { path: "data/manifest.json".into(), bytes: manifest });
    files.push(SiteFile { path: "assets/site.css".into(), bytes: include_bytes!("../../templates/site.css").to_vec() });
    files.push(SiteFile { path: "assets/sort.js".into(), bytes: include_bytes!("../../templates/sort.js").to_vec() });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

fn quality_page(ctx: &Ctx<'_>, m: &Metrics) -> Result<QualityPage, RenderError> {
    let releases = ctx.input.releases;
    let mut ordered: Vec<&Release> = releases.iter().collect();
    ordered.sort_by_key(|r| std::cmp::Reverse(r.source.date));
    let mut unmatched: BTreeMap<String, usize> = BTreeMap::new();
    let mut all_rows = Vec::new();
    for r in &ordered {
        for q in &r.quarantine {
            if let QuarantineReason::InvalidState(c) | QuarantineReason::InvalidServiceAreaState(c) = &q.reason {
                *unmatched.entry(c.clone()).or_default() += 1;
            }
            all_rows.push(q);
        }
    }
    let total_rows: u64 = releases.iter().map(|r| r.rows_read).sum();
    let total_q: usize = releases.iter().map(|r| r.quarantine.len()).sum();
    let added: Vec<String> =
        m.states.iter().filter(|s| s.always_reported && !s.in_data).map(|s| s.name.clone()).collect();
    Ok(QualityPage {
        chrome: ctx.chrome("quality.html", "Data quality", "Rows read, rows set aside and why, unmatched codes."),
        summary: vec![
            (format::thousands(total_rows), "rows read across all releases".into()),
            (format::thousands(u64::from(m.national.suppliers)), "distinct suppliers in the latest release".into()),
            (format::thousands(total_q as u64), "rows set aside (all releases)".into()),
            (unmatched.len().to_string(), "unmatched state codes".into()),
        ],
        releases: ordered
            .iter()
            .map(|r| {
                let mut by: BTreeMap<&str, usize> = BTreeMap::new();
                for q in &r.quarantine {
                    *by.entry(q.reason.code()).or_default() += 1;
                }
                QualityRelease {
                    date: r.source.date.to_string(),
                    rows: format::thousands(r.rows_read),
                    kept: format::thousands(r.rows_kept),
                    suppliers: format::thousands(r.suppliers.len() as u64),
                    set_aside: r.quarantine.len().to_string(),
                    by_reason: by.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "),
                }
            })
            .collect(),
        unmatched: unmatched.into_iter().map(|(c, n)| (c, n.to_string())).collect(),
        added_zeros: if added.is_empty() { "none".into() } else { format::prose_list(&added) },
        notes: ordered
            .iter()
            .flat_map(|r| r.notes.iter().map(|n| (n.release.to_string(), n.message.clone())))
            .collect(),
        rows_shown: all_rows.len().min(QUARANTINE_SHOWN).to_string(),
        rows_total: all_rows.len().to_string(),
        rows: all_rows
            .iter()
            .take(QUARANTINE_SHOWN)
            .map(|q| QuarantineLine {
                date: q.release.to_string(),
                source: q.path.clone(),
                line: q.line.to_string(),
                reason: q.reason.to_string(),
                id: q.enrollment_id.clone(),
                name: q.name.clone(),
                state: q.state.clone(),
            })
            .collect(),
    })
}
