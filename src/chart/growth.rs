//! Growth over releases, drawn with plotters: the national count of distinct suppliers per
//! release, a small-multiples panel of the largest states on one y-scale, and the per-state
//! sparkline for state pages. plotters draws axes, gridlines, lines and points; date ticks,
//! annotations and the frame are our own SVG laid over it (via `backend_coord`), because
//! plotters has no date axis without its `chrono` feature and no dashed-line style.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::style::{self, FONT};
use super::svg::{Frame, count, px, slug, text, wrap_plotters};
use super::{Chart, ChartError};
use crate::geo;
use crate::metrics::Metrics;
use crate::model::Provenance;

/// The day the permanent Medicare home infusion therapy benefit began.
const BENEFIT_START: (i32, u32, u32) = (2021, 1, 1);

/// A plotters text style of `size` px (plotters writes size/1.24 into the SVG).
pub(super) fn font(size: f64, rgb: (u8, u8, u8)) -> TextStyle<'static> {
    (FONT, size * 1.24).into_font().color(&RGBColor(rgb.0, rgb.1, rgb.2))
}

pub(super) fn plot_err<E: std::fmt::Debug>(chart: &str) -> impl Fn(E) -> ChartError + '_ {
    move |e| ChartError::Plot { chart: chart.to_string(), message: format!("{e:?}") }
}

/// The axes every count-over-time panel shares: horizontal grid lines with count labels, no x
/// labels (dates are drawn by hand), and a solid baseline at zero from `xs.0` to `xs.1`.
fn count_axes<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    y_labels: usize,
    tick: i32,
    label_px: f64,
    xs: (f64, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let grid = RGBColor(style::GRID.0, style::GRID.1, style::GRID.2);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(y_labels)
        .bold_line_style(grid.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(grid)
        .set_all_tick_mark_size(tick)
        .y_label_formatter(&|v| count(v.round().max(0.0) as u64))
        .label_style(font(label_px, (89, 89, 89)))
        .draw()?;
    let axis = RGBColor(style::AXIS.0, style::AXIS.1, style::AXIS.2);
    chart.draw_series(LineSeries::new([(xs.0, 0.0), (xs.1, 0.0)], axis.stroke_width(1)))?;
    Ok(())
}

/// The smallest "nice" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) at or above `v`.
pub(super) fn nice_ceil(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let m = 10f64.powf(v.log10().floor());
    [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|f| f * m)
        .find(|c| *c >= v - 1e-9)
        .unwrap_or(10.0 * m)
}

fn day(d: NaiveDate, base: NaiveDate) -> f64 {
    (d - base).num_days() as f64
}

fn change_words(first: u32, last: u32) -> String {
    let diff = i64::from(last) - i64::from(first);
    match diff.signum() {
        0 => format!("unchanged at {}", count(last.into())),
        s => {
            let pct =
                if first > 0 { format!(", {:+.0}%", diff as f64 * 100.0 / f64::from(first)) } else { String::new() };
            format!(
                "{} from {} to {} ({:+}{pct})",
                if s > 0 { "up" } else { "down" },
                count(first.into()),
                count(last.into()),
                diff
            )
        }
    }
}

/// Year ticks (Jan 1 inside the range) or, for under a year, the two end dates.
fn date_ticks(first: NaiveDate, last: NaiveDate) -> Vec<(NaiveDate, String, &'static str)> {
    let years: Vec<(NaiveDate, String, &'static str)> = (first.year()..=last.year())
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 1, 1))
        .filter(|d| *d >= first && *d <= last)
        .map(|d| (d, d.year().to_string(), "middle"))
        .collect();
    if years.len() >= 2 || (years.len() == 1 && (last - first).num_days() > 300) {
        years
    } else if first == last {
        vec![(first, first.to_string(), "middle")]
    } else {
        vec![(first, first.to_string(), "start"), (last, last.to_string(), "end")]
    }
}

pub(crate) fn national(metrics: &Metrics, prov: &Provenance) -> Result<Chart, ChartError> {
    let id = "growth-national";
    let rel = &metrics.releases;
    let (Some(first), Some(last)) = (rel.first(), rel.last()) else {
        return Err(ChartError::NoData { chart: id.into(), reason: "no release".into() });
    };
    let title = "Home infusion therapy suppliers over time".to_string();
    let subtitle = format!(
        "Distinct Medicare-enrolled HIT suppliers in each CMS release, {} to {} ({} releases).",
        first.date,
        last.date,
        rel.len()
    );
    let peak = rel.iter().max_by(|a, b| a.suppliers.cmp(&b.suppliers).then(b.date.cmp(&a.date))).unwrap_or(last);
    let mut alt = if rel.len() == 1 {
        format!("One release only: {} suppliers on {}.", count(last.suppliers.into()), last.date)
    } else {
        format!(
            "Across {} releases from {} to {}, the number of suppliers went {}.",
            rel.len(),
            first.date,
            last.date,
            change_words(first.suppliers, last.suppliers)
        )
    };
    if peak.suppliers > last.suppliers {
        let _ = write!(alt, " The peak was {} on {}.", count(peak.suppliers.into()), peak.date);
    }
    let benefit = NaiveDate::from_ymd_opt(BENEFIT_START.0, BENEFIT_START.1, BENEFIT_START.2);
    let benefit = benefit.filter(|b| *b >= first.date && *b <= last.date);
    let mut notes = Vec::new();
    if benefit.is_some() {
        notes.push("The permanent Medicare home infusion therapy benefit began on January 1, 2021.".to_string());
    }
    let (w, h) = (800u32, 470u32);
    let frame = Frame { id, width: f64::from(w), title: &title, subtitle: &subtitle, notes, prov, scale: 1.0 };
    let (_, top) = frame.header();
    let bottom = frame.footer_height() + 6.0;

    let base = first.date;
    let (x0, x1) = if first.date == last.date { (-15.0, 15.0) } else { (0.0, day(last.date, base)) };
    let pad = (x1 - x0) * 0.03;
    let ymax = nice_ceil(f64::from(peak.suppliers) * 1.12);
    let mut buf = String::new();
    let mut overlay = String::new();
    {
        let err = plot_err(id);
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        let area = root.margin(top as i32 + 10, bottom as i32, 12, 40);
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(26)
            .y_label_area_size(58)
            .build_cartesian_2d((x0 - pad)..(x1 + pad), 0.0..ymax)
            .map_err(&err)?;
        count_axes(&mut chart, 6, 6, style::BODY_PX, (x0 - pad, x1 + pad)).map_err(&err)?;
        let pts: Vec<(f64, f64)> = rel.iter().map(|r| (day(r.date, base), f64::from(r.suppliers))).collect();
        let (lr, lg, lb) = style::LINE_RGB;
        chart.draw_series(LineSeries::new(pts.iter().copied(), RGBColor(lr, lg, lb).stroke_width(2))).map_err(&err)?;
        chart.draw_series(pts.iter().map(|p| Circle::new(*p, 3, RGBColor(lr, lg, lb).filled()))).map_err(&err)?;

        let at = |x: f64, y: f64| {
            let (px_, py_) = chart.backend_coord(&(x, y));
            (f64::from(px_), f64::from(py_))
        };
        let (_, ybase) = at(x0, 0.0);
        let (_, ytop) = at(x0, ymax);
        for (d, label, anchor) in date_ticks(first.date, last.date) {
            let (x, _) = at(day(d, base), 0.0);
            let _ = write!(
                overlay,
                "<line x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" stroke=\"#8c8c8c\"/>{}",
                text(x, ybase + 20.0, style::BODY_PX, style::MUTED, false, anchor, &label),
                x = px(x),
                y0 = px(ybase),
                y1 = px(ybase + 5.0),
            );
        }
        if let Some(b) = benefit {
            let (x, _) = at(day(b, base), 0.0);
            let right = x > f64::from(w) * 0.7;
            let _ = write!(
                overlay,
                "<g class=\"annotation\"><line x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" stroke=\"#595959\" \
                 stroke-width=\"1\" stroke-dasharray=\"4 3\"/>{}</g>",
                text(
                    if right { x - 5.0 } else { x + 5.0 },
                    ytop + 12.0,
                    style::SMALL_PX,
                    style::MUTED,
                    false,
                    if right { "end" } else { "start" },
                    "Permanent benefit begins, Jan 1, 2021"
                ),
                x = px(x),
                y0 = px(ybase),
                y1 = px(ytop),
            );
        }
        // First and last values labelled at their points.
        let (fx, fy) = at(day(first.date, base), f64::from(first.suppliers));
        let (lx, ly) = at(day(last.date, base), f64::from(last.suppliers));
        overlay.push_str(&text(
            fx,
            fy - 10.0,
            style::BODY_PX,
            style::INK,
            true,
            "start",
            &count(first.suppliers.into()),
        ));
        if rel.len() > 1 {
            overlay.push_str(&text(
                lx,
                ly - 10.0,
                style::BODY_PX,
                style::INK,
                true,
                "end",
                &count(last.suppliers.into()),
            ));
        }
        root.present().map_err(&err)?;
    }
    let svg = wrap_plotters(&buf, &frame, f64::from(w), f64::from(h), &alt, "", &overlay);
    Ok(Chart { id: id.into(), title, alt, svg })
}

/// The jurisdictions with the most suppliers in the latest release, at most `n`.
fn largest(metrics: &Metrics, n: usize) -> Vec<(&str, &str, &[u32])> {
    let mut v: Vec<(&str, &str, &[u32])> = metrics
        .states
        .iter()
        .filter_map(|r| metrics.state_series.get(&r.usps).map(|s| (r.usps.as_str(), r.name.as_str(), s.as_slice())))
        .filter(|(_, _, s)| s.last().copied().unwrap_or(0) > 0)
        .collect();
    v.sort_by(|a, b| b.2.last().cmp(&a.2.last()).then(a.1.cmp(b.1)));
    v.truncate(n);
    v
}

pub(crate) fn states(metrics: &Metrics, prov: &Provenance) -> Result<Chart, ChartError> {
    let id = "growth-states";
    let rel = &metrics.releases;
    let (Some(first), Some(last)) = (rel.first(), rel.last()) else {
        return Err(ChartError::NoData { chart: id.into(), reason: "no release".into() });
    };
    let top = largest(metrics, 9);
    let title = "Suppliers over time in the largest states".to_string();
    let subtitle = format!(
        "Distinct HIT suppliers per CMS release, {} to {}, for the {} jurisdictions with the most suppliers. \
         All panels share one scale.",
        first.date,
        last.date,
        top.len()
    );
    let alt = if top.is_empty() {
        "No jurisdiction has a supplier in the latest release, so there is no state to show.".to_string()
    } else {
        let parts: Vec<String> = top
            .iter()
            .map(|(_, name, s)| {
                format!("{name} {}", change_words(s.first().copied().unwrap_or(0), s.last().copied().unwrap_or(0)))
            })
            .collect();
        format!(
            "Suppliers per release in the {} jurisdictions with the most suppliers: {}.",
            top.len(),
            parts.join("; ")
        )
    };
    let cols = 3usize;
    let rows = top.len().div_ceil(cols).max(1);
    let w = 800u32;
    let frame =
        Frame { id, width: f64::from(w), title: &title, subtitle: &subtitle, notes: Vec::new(), prov, scale: 1.0 };
    let (_, head) = frame.header();
    let foot = frame.footer_height() + 4.0;
    let panel_h = 150.0;
    let h = (head + panel_h * rows as f64 + foot).ceil() as u32;

    let base = first.date;
    let (x0, x1) = if first.date == last.date { (-15.0, 15.0) } else { (0.0, day(last.date, base)) };
    let ymax = nice_ceil(top.iter().flat_map(|t| t.2.iter()).copied().max().unwrap_or(1) as f64 * 1.08);
    let ticks = date_ticks(first.date, last.date);
    let mut buf = String::new();
    let mut overlay = String::new();
    {
        let err = plot_err(id);
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        let area = root.margin(head as i32 + 4, foot as i32, 12, 24);
        let panels: Vec<DrawingArea<SVGBackend, Shift>> = area.split_evenly((rows, cols));
        let (lr, lg, lb) = style::LINE_RGB;
        for (panel, (_, name, series)) in panels.iter().zip(top.iter()) {
            let mut chart = ChartBuilder::on(panel)
                .margin_top(32)
                .margin_right(14)
                .margin_bottom(4)
                .x_label_area_size(18)
                .y_label_area_size(40)
                .build_cartesian_2d(x0..x1.max(x0 + 1.0), 0.0..ymax)
                .map_err(&err)?;
            let xr = x1.max(x0 + 1.0);
            count_axes(&mut chart, 3, 5, 10.0, (x0, xr)).map_err(&err)?;
            let pts = rel.iter().zip(series.iter()).map(|(r, n)| (day(r.date, base), f64::from(*n)));
            chart.draw_series(LineSeries::new(pts, RGBColor(lr, lg, lb).stroke_width(2))).map_err(&err)?;
            let latest = series.last().copied().unwrap_or(0);
            let (lx, ly) = chart.backend_coord(&(day(last.date, base), f64::from(latest)));
            chart
                .plotting_area()
                .draw(&Circle::new((day(last.date, base), f64::from(latest)), 3, RGBColor(lr, lg, lb).filled()))
                .map_err(&err)?;
            let (xr, yr) = panel.get_pixel_range();
            let _ = write!(
                overlay,
                "<g class=\"panel\">{}{}",
                text(
                    f64::from(xr.start) + 6.0,
                    f64::from(yr.start) + 16.0,
                    style::BODY_PX,
                    style::INK,
                    true,
                    "start",
                    name
                ),
                text(f64::from(lx), f64::from(ly) - 7.0, 10.0, style::INK, true, "end", &count(latest.into())),
            );
            let (_, yb) = chart.backend_coord(&(x0, 0.0));
            for (d, label, anchor) in [ticks.first(), ticks.last()].into_iter().flatten() {
                let (x, _) = chart.backend_coord(&(day(*d, base), 0.0));
                overlay.push_str(&text(f64::from(x), f64::from(yb) + 14.0, 10.0, style::MUTED, false, anchor, label));
                if ticks.len() == 1 {
                    break;
                }
            }
            overlay.push_str("</g>");
        }
        root.present().map_err(&err)?;
    }
    let svg = wrap_plotters(&buf, &frame, f64::from(w), f64::from(h), &alt, "", &overlay);
    Ok(Chart { id: id.into(), title, alt, svg })
}

pub(crate) fn sparkline(
    usps: &str,
    series: &[u32],
    dates: &[NaiveDate],
    prov: &Provenance,
) -> Result<Chart, ChartError> {
    if series.len() != dates.len() {
        return Err(ChartError::SeriesLength { usps: usps.to_string(), series: series.len(), dates: dates.len() });
    }
    let id = format!("spark-{}", slug(usps));
    let (Some(&first), Some(&last), Some(&d0), Some(&d1)) =
        (series.first(), series.last(), dates.first(), dates.last())
    else {
        return Err(ChartError::NoData { chart: id, reason: "no release in the series".into() });
    };
    let name = geo::by_usps(usps).map(|j| j.name.to_string()).unwrap_or_else(|| usps.to_string());
    let title = format!("{name}: suppliers per release");
    let subtitle = format!("{d0} to {d1}");
    let peak = series.iter().copied().max().unwrap_or(0);
    let mut alt = if series.len() == 1 {
        format!("{name} had {} on {d1}.", plural(last))
    } else {
        format!("In {name} the number of HIT suppliers went {} between {d0} and {d1}.", change_words(first, last))
    };
    if peak > last {
        let _ = write!(alt, " The peak was {}.", count(peak.into()));
    }
    let (w, h) = (360u32, 200u32);
    let frame = Frame {
        id: &id,
        width: f64::from(w),
        title: &title,
        subtitle: &subtitle,
        notes: Vec::new(),
        prov,
        scale: 0.72,
    };
    let (_, top) = frame.header();
    let foot = frame.footer_height() + 2.0;
    let base = d0;
    let (x0, x1) = if d0 == d1 { (-15.0, 15.0) } else { (0.0, day(d1, base)) };
    let ymax = nice_ceil(f64::from(peak.max(1)) * 1.15);
    let mut buf = String::new();
    let mut overlay = String::new();
    {
        let err = plot_err(&id);
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        let area = root.margin(top as i32, foot as i32, 34, 48);
        let mut chart = ChartBuilder::on(&area).build_cartesian_2d(x0..x1, 0.0..ymax).map_err(&err)?;
        let (lr, lg, lb) = style::LINE_RGB;
        let pts: Vec<(f64, f64)> = dates.iter().zip(series).map(|(d, n)| (day(*d, base), f64::from(*n))).collect();
        let grey = RGBColor(style::GRID.0, style::GRID.1, style::GRID.2);
        chart.draw_series(LineSeries::new([(x0, 0.0), (x1, 0.0)], grey.stroke_width(1))).map_err(&err)?;
        chart.draw_series(LineSeries::new(pts.iter().copied(), RGBColor(lr, lg, lb).stroke_width(2))).map_err(&err)?;
        if let Some(p) = pts.last() {
            chart.plotting_area().draw(&Circle::new(*p, 3, RGBColor(lr, lg, lb).filled())).map_err(&err)?;
        }
        let (ax, ay) = chart.backend_coord(&(day(d0, base), f64::from(first)));
        let (bx, by) = chart.backend_coord(&(day(d1, base), f64::from(last)));
        let small = 9.0;
        if series.len() > 1 {
            overlay.push_str(&text(
                f64::from(ax) - 4.0,
                f64::from(ay) + 3.0,
                small,
                style::MUTED,
                false,
                "end",
                &count(first.into()),
            ));
        }
        overlay.push_str(&text(
            f64::from(bx) + 6.0,
            f64::from(by) + 3.5,
            11.0,
            style::INK,
            true,
            "start",
            &count(last.into()),
        ));
        root.present().map_err(&err)?;
    }
    let svg = wrap_plotters(&buf, &frame, f64::from(w), f64::from(h), &alt, "", &overlay);
    Ok(Chart { id, title, alt, svg })
}

fn plural(n: u32) -> String {
    format!("{} supplier{}", count(n.into()), if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceil(87.0), 100.0);
        assert_eq!(nice_ceil(10.9), 12.0);
        assert_eq!(nice_ceil(1.3), 1.5);
        assert_eq!(nice_ceil(220.0), 250.0);
        assert_eq!(nice_ceil(0.0), 1.0);
    }

    #[test]
    fn ticks_are_years_or_end_dates() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let t = date_ticks(d("2020-06-01"), d("2023-02-01"));
        assert_eq!(t.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(), ["2021", "2022", "2023"]);
        let t = date_ticks(d("2024-01-02"), d("2024-03-01"));
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].1, "2024-01-02");
    }
}
