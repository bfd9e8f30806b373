//! Site rendering: metrics, charts and provenance → the site's files as bytes, in memory.
//!
//! View models are flat structs of preformatted strings; templates (askama, auto-escaping on)
//! only loop and branch. `|safe` is used only for SVG and HTML this program produced itself
//! (charts, and markdown from the repository's own `content/`). Every link is relative (pages
//! carry a `root` prefix), so the site works under any sub-path and from `file://`. Writing to
//! disk is `write`'s job.

pub mod content;
pub mod csv;
pub mod format;
pub mod json;
mod pages;

use std::collections::BTreeMap;

use thiserror::Error;

use crate::metrics::Metrics;
use crate::model::{Population, Provenance, Release};
use crate::write::SiteFile;

pub use pages::NAV;

/// A page that could not be rendered.
#[derive(Debug, Error)]
pub enum RenderError {
    #[error("rendering {page}: {source}")]
    Template { page: String, source: askama::Error },
    #[error(transparent)]
    Content(#[from] content::ContentError),
}

/// A chart ready for the site: its SVG (inline and as a file) and 2x PNG.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFile {
    /// Slug used in file names and ids, e.g. `map-per-million`.
    pub id: String,
    pub title: String,
    /// Alt text stating the finding.
    pub alt: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// One narrative file from `content/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentFile {
    /// File name, e.g. `index.md`.
    pub name: String,
    /// Path shown in errors, e.g. `content/index.md`.
    pub path: String,
    pub text: String,
}

/// Report-level settings that change the pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSettings {
    pub title: String,
    pub subtitle: String,
    pub publisher: Option<(String, String)>,
    /// Absolute URL of the published site (for canonical links and social cards), ending in `/`.
    pub site_url: Option<String>,
    pub pages: OptionalPages,
}

/// Pages a report may leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionalPages {
    pub charts: bool,
    pub changes: bool,
    pub quality: bool,
}

impl OptionalPages {
    /// False when `page` (a top-level file name) is switched off.
    pub fn enabled(&self, page: &str) -> bool {
        match page {
            "charts.html" => self.charts,
            "changes.html" => self.changes,
            "quality.html" => self.quality,
            _ => true,
        }
    }
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            title: "Where Medicare patients can get home infusion therapy".into(),
            subtitle: "Suppliers enrolled in Medicare's home infusion therapy benefit, by state, on every CMS release"
                .into(),
            publisher: None,
            site_url: None,
            pages: OptionalPages { charts: true, changes: true, quality: true },
        }
    }
}

/// What the render stage reads.
pub struct SiteInput<'a> {
    pub metrics: &'a Metrics,
    /// Oldest first; the last is the latest.
    pub releases: &'a [Release],
    pub population: &'a Population,
    pub provenance: &'a Provenance,
    /// Site charts (maps, growth, ranking); the first map is the social-card image.
    pub charts: &'a [ChartFile],
    /// Per-jurisdiction sparkline SVGs keyed by USPS code.
    pub sparklines: &'a BTreeMap<String, String>,
    pub content: &'a [ContentFile],
    pub settings: &'a SiteSettings,
}

/// The bundled narrative, used for any file missing from the project's `content/`.
pub const DEFAULT_CONTENT: [(&str, &str); 4] = [
    ("index.md", include_str!("../../content/index.md")),
    ("about-the-benefit.md", include_str!("../../content/about-the-benefit.md")),
    ("caveats.md", include_str!("../../content/caveats.md")),
    ("methodology.md", include_str!("../../content/methodology.md")),
];

/// Renders every file of the site.
pub fn render_site(input: &SiteInput<'_>) -> Result<Vec<SiteFile>, RenderError> {
    pages::render(input)
}
