//! Charts and maps as self-contained, accessible SVG strings, plus 2x PNG of the same SVG.
//!
//! Input: [`Metrics`], the [`Provenance`] and the state shapes from [`geo`]. Output: [`Chart`]s
//! (id, title, alt text, SVG) that `render` inlines into pages, and PNG bytes from [`to_png`].
//! Nothing here touches the disk or the network; writing files is `write`'s job, and formatting
//! numbers for HTML tables is `render`'s (it gets the map classes from [`classify`]).
//!
//! * The maps are written by hand (`map.rs`): one `<path>` per jurisdiction with 0.1 px
//!   coordinates, `fill-rule="evenodd"` for holes, and per-state ids, classes, `data-usps` and
//!   `<title>` tooltips. plotters cannot do this: its backend API is integer pixels, a `Polygon`
//!   is a single ring (holes get filled) and it writes no id, class, `<g>` or `<title>`.
//! * The growth and ranking charts use plotters' `SVGBackend::with_string` for axes, gridlines
//!   and marks; `svg.rs` then adds the accessible wrapper, and the titles, notices and source
//!   line are our own `<text>` so they look the same in every chart.
//! * [`to_png`] renders any of these SVGs through resvg with the DejaVu faces of the `dejavu`
//!   crate, never system fonts, so the PNG has the same text as the browser shows.
//!
//! Palette, sizes and fonts live in this file only.

mod classify;
mod growth;
mod map;
mod png;
mod projection;
mod ranking;
mod svg;

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::geo;
use crate::metrics::Metrics;
use crate::model::Provenance;

pub use classify::{Class, Classes, classify};
pub use png::to_png;

/// How the value classes of a choropleth are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Classification {
    /// Equal numbers of jurisdictions per class.
    #[default]
    Quantile,
    /// Equal-width classes between the lowest and highest value.
    EqualInterval,
    /// Fisher–Jenks natural breaks (minimum within-class variance).
    Jenks,
    /// The breaks in [`ChartOptions::fixed_breaks`], so maps compare across releases.
    Fixed,
}

impl FromStr for Classification {
    type Err = ChartError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "quantile" | "quantiles" => Ok(Self::Quantile),
            "equal-interval" | "equal" | "equal-intervals" => Ok(Self::EqualInterval),
            "jenks" | "natural-breaks" | "fisher-jenks" => Ok(Self::Jenks),
            "fixed" | "fixed-breaks" => Ok(Self::Fixed),
            _ => Err(ChartError::UnknownClassification(s.to_string())),
        }
    }
}

/// Choices the configuration can make about the charts.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    pub classification: Classification,
    /// Number of value classes (1–8); the zero, no-data and not-in-file classes come on top.
    pub classes: usize,
    /// Ascending upper bounds of every value class but the last (e.g. `[2, 4, 6, 8]` gives five
    /// classes: ≤2, 2–4, 4–6, 6–8, >8). Used when `classification` is [`Classification::Fixed`],
    /// so that maps of different releases share one legend.
    pub fixed_breaks: Option<Vec<f64>>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        Self { classification: Classification::Quantile, classes: 5, fixed_breaks: None }
    }
}

/// One rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// Stable slug, also the prefix of every id inside the SVG (e.g. `map-per-million`).
    pub id: String,
    pub title: String,
    /// The finding in words, for `alt`/`aria` and for readers who cannot see the chart.
    pub alt: String,
    pub svg: String,
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("unknown classification {0:?}: use quantile, equal-interval, jenks or fixed")]
    UnknownClassification(String),
    #[error("fixed breaks: {0}")]
    InvalidBreaks(String),
    #[error("{chart}: nothing to draw: {reason}")]
    NoData { chart: String, reason: String },
    #[error("sparkline for {usps}: {series} values but {dates} dates")]
    SeriesLength { usps: String, series: usize, dates: usize },
    #[error("{chart}: plotting failed: {message}")]
    Plot { chart: String, message: String },
    #[error("PNG: the SVG could not be read: {0}")]
    SvgParse(String),
    #[error("PNG: {0}")]
    Png(String),
}

/// Every chart of the report, in page order: three maps, two growth charts, the ranking.
pub fn render_all(
    metrics: &Metrics,
    prov: &Provenance,
    shapes: &BTreeMap<String, geo::Shape>,
    opts: &ChartOptions,
) -> Result<Vec<Chart>, ChartError> {
    classify::validate(opts)?;
    let mut out = Vec::with_capacity(6);
    for kind in [map::MapKind::PerMillion, map::MapKind::Suppliers, map::MapKind::ServedBy] {
        out.push(map::render(metrics, prov, shapes, opts, kind)?);
    }
    out.push(growth::national(metrics, prov)?);
    out.push(growth::states(metrics, prov)?);
    out.push(ranking::per_million(metrics, prov)?);
    Ok(out)
}

/// The suppliers-per-million map alone (the first chart of [`render_all`]), for pages or
/// benchmarks that need only the map.
pub fn per_million_map(
    metrics: &Metrics,
    prov: &Provenance,
    shapes: &BTreeMap<String, geo::Shape>,
    opts: &ChartOptions,
) -> Result<Chart, ChartError> {
    classify::validate(opts)?;
    map::render(metrics, prov, shapes, opts, map::MapKind::PerMillion)
}

/// A small growth chart of one jurisdiction's suppliers per release, for its state page.
pub fn sparkline(usps: &str, series: &[u32], dates: &[NaiveDate], prov: &Provenance) -> Result<Chart, ChartError> {
    growth::sparkline(usps, series, dates, prov)
}

/// Fonts, colours and sizes shared by every chart.
mod style {
    /// DejaVu first so browsers and the resvg PNG (which has only DejaVu) agree.
    pub const FONT: &str = "DejaVu Sans, Arial, sans-serif";

    pub const INK: &str = "#1a1a1a";
    pub const MUTED: &str = "#595959";
    pub const GRID: (u8, u8, u8) = (226, 226, 226);
    pub const AXIS: (u8, u8, u8) = (140, 140, 140);
    pub const LINE_RGB: (u8, u8, u8) = (44, 127, 184);
    pub const NOTICE: &str = "#b30000";
    pub const NOTICE_BG: &str = "#fff0f0";
    pub const BORDER: &str = "#ffffff";

    /// Zero suppliers: orange-red diagonal hatch on pale orange. The hatch keeps it apart from
    /// every value class in greyscale print, and the warm hue from the blue-green ramp.
    pub const ZERO_BG: &str = "#fde0c5";
    pub const ZERO_INK: &str = "#c2410c";
    /// No population figure / no service-area data: grey dots on white.
    pub const NODATA_BG: &str = "#f2f2f2";
    pub const NODATA_INK: &str = "#7a7a7a";
    /// Not in the file: white with a dashed grey outline.
    pub const NOTINFILE_BG: &str = "#ffffff";
    pub const NOTINFILE_STROKE: &str = "#9a9a9a";

    /// ColorBrewer YlGnBu, the (k+1)-class scheme without its lightest step, so the lowest
    /// value class stays visible on white and apart from the "no data" swatch.
    pub fn ramp(k: usize) -> &'static [&'static str] {
        match k {
            0 | 1 => &["#41b6c4"],
            2 => &["#7fcdbb", "#2c7fb8"],
            3 => &["#a1dab4", "#41b6c4", "#225ea8"],
            4 => &["#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
            5 => &["#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
            6 => &["#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
            7 => &["#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
            _ => &["#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"],
        }
    }

    /// Whether text on this fill should be white.
    pub fn dark(fill: &str) -> bool {
        let hex = fill.trim_start_matches('#');
        let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("ff"), 16).unwrap_or(255) as f64;
        0.299 * c(0) + 0.587 * c(2) + 0.114 * c(4) < 140.0
    }

    pub const TITLE_PX: f64 = 22.0;
    pub const SUBTITLE_PX: f64 = 14.0;
    pub const BODY_PX: f64 = 12.0;
    pub const SMALL_PX: f64 = 11.0;
}

#[cfg(test)]
mod tests;
