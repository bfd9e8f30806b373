//! The ranking: suppliers per million residents by jurisdiction, highest first, as horizontal
//! bars drawn with plotters. Zero-supplier states stay in the ranking at zero with a label; the
//! national rate is a dashed line. Jurisdictions without a population figure cannot be ranked and
//! are named in a note under the chart instead.

use std::fmt::Write as _;

use plotters::prelude::*;

use super::growth::{font, nice_ceil, plot_err};
use super::style;
use super::svg::{Frame, count, px, rate, text, text_halo, text_width, wrap_plotters};
use super::{Chart, ChartError};
use crate::metrics::{Metrics, StateRow};
use crate::model::Provenance;

const ROW_H: f64 = 15.0;

pub(crate) fn per_million(metrics: &Metrics, prov: &Provenance) -> Result<Chart, ChartError> {
    let id = "ranking-per-million";
    let mut ranked: Vec<&StateRow> = metrics.states.iter().filter(|r| r.per_million.is_some()).collect();
    ranked.sort_by(|a, b| {
        b.per_million.unwrap_or(0.0).total_cmp(&a.per_million.unwrap_or(0.0)).then(a.name.cmp(&b.name))
    });
    let unranked: Vec<&StateRow> = metrics.states.iter().filter(|r| r.per_million.is_none()).collect();
    let zero: Vec<&StateRow> = ranked.iter().copied().filter(|r| r.suppliers == 0).collect();

    let title = "Suppliers per million residents, ranked".to_string();
    let subtitle = format!(
        "Medicare-enrolled HIT suppliers by practice-location state per million residents ({}), CMS release {}.",
        prov.population_label, prov.release_date
    );
    let mut alt = String::new();
    if let (Some(top), Some(bottom)) = (ranked.first(), ranked.iter().rfind(|r| r.suppliers > 0)) {
        let _ = write!(
            alt,
            "{} ranks first with {} suppliers per million residents; the lowest non-zero rate is {} in {}. ",
            top.name,
            rate(top.per_million.unwrap_or(0.0), 1),
            rate(bottom.per_million.unwrap_or(0.0), 1),
            bottom.name
        );
    }
    if !zero.is_empty() {
        let names: Vec<&str> = zero.iter().map(|r| r.name.as_str()).collect();
        let _ = write!(alt, "{} have no supplier: {}. ", plural_states(zero.len()), names.join(", "));
    }
    if let Some(nat) = metrics.national.per_million {
        let above = ranked.iter().filter(|r| r.per_million.unwrap_or(0.0) > nat).count();
        let _ = write!(alt, "The national rate is {}; {} of {} are above it.", rate(nat, 1), above, ranked.len());
    }
    let alt = alt.trim_end().to_string();

    let mut notes = Vec::new();
    if ranked.iter().any(|r| r.small_count) {
        notes.push("* Rate rests on 1–2 suppliers; treat with caution.".to_string());
    }
    if !unranked.is_empty() {
        let list: Vec<String> = unranked
            .iter()
            .map(|r| format!("{} ({}; {})", r.name, r.display.label(), supplier_words(r.suppliers)))
            .collect();
        notes.push(format!("Not ranked, no population figure: {}.", list.join(", ")));
    }
    let w = 800u32;
    let frame = Frame { id, width: f64::from(w), title: &title, subtitle: &subtitle, notes, prov, scale: 1.0 };
    let (_, head) = frame.header();
    let foot = frame.footer_height();
    let n = ranked.len().max(1);
    let h = (head + 34.0 + ROW_H * n as f64 + 30.0 + foot).ceil() as u32;

    let vmax =
        ranked.first().and_then(|r| r.per_million).unwrap_or(0.0).max(metrics.national.per_million.unwrap_or(0.0));
    let xmax = nice_ceil(vmax * 1.08);
    let mut buf = String::new();
    let mut overlay = String::new();
    let mut underlay = String::new();
    {
        let err = plot_err(id);
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        let area = root.margin((head + 20.0) as i32, (foot + 4.0) as i32, 150, 60);
        let mut chart =
            ChartBuilder::on(&area).x_label_area_size(28).build_cartesian_2d(0.0..xmax, 0.0..n as f64).map_err(&err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(6)
            .bold_line_style(RGBColor(style::GRID.0, style::GRID.1, style::GRID.2).stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(RGBColor(style::AXIS.0, style::AXIS.1, style::AXIS.2))
            .set_all_tick_mark_size(4)
            .x_label_formatter(&|v| rate(*v, if xmax < 5.0 { 1 } else { 0 }))
            .label_style(font(style::SMALL_PX, (89, 89, 89)))
            .draw()
            .map_err(&err)?;
        let (lr, lg, lb) = style::LINE_RGB;
        let yc = |i: usize| n as f64 - i as f64 - 0.5;
        chart
            .draw_series(ranked.iter().enumerate().filter(|(_, r)| r.suppliers > 0).map(|(i, r)| {
                let colour = if r.small_count { RGBColor(158, 202, 225) } else { RGBColor(lr, lg, lb) };
                Rectangle::new([(0.0, yc(i) - 0.34), (r.per_million.unwrap_or(0.0), yc(i) + 0.34)], colour.filled())
            }))
            .map_err(&err)?;

        let at = |x: f64, y: f64| {
            let (a, b) = chart.backend_coord(&(x, y));
            (f64::from(a), f64::from(b))
        };
        // Pixel x-ranges of the value labels, per row, so the national line can leave gaps there.
        let mut label_spans: Vec<(f64, f64, f64)> = Vec::new();
        for (i, r) in ranked.iter().enumerate() {
            let v = r.per_million.unwrap_or(0.0);
            let (x, y) = at(v, yc(i));
            let (x0, _) = at(0.0, yc(i));
            let zero = r.suppliers == 0;
            let ink = if zero { style::ZERO_INK } else { style::INK };
            overlay.push_str(&text(x0 - 8.0, y + 4.0, style::SMALL_PX, ink, zero, "end", &r.name));
            let label = if zero {
                "0 — no supplier".to_string()
            } else {
                format!("{}{}", rate(v, 1), if r.small_count { "*" } else { "" })
            };
            overlay.push_str(&text_halo(x + 5.0, y + 4.0, style::SMALL_PX, ink, zero, "start", &label));
            label_spans.push((y, x + 3.0, x + 7.0 + text_width(&label, style::SMALL_PX, zero)));
            if zero {
                let _ = write!(
                    overlay,
                    "<rect x=\"{}\" y=\"{}\" width=\"3\" height=\"{}\" fill=\"{}\"/>",
                    px(x0),
                    px(y - 5.0),
                    px(10.0),
                    style::ZERO_INK
                );
            }
        }
        if let Some(nat) = metrics.national.per_million {
            let (x, ytop) = at(nat, n as f64);
            let (_, ybot) = at(nat, 0.0);
            // The dashed line is broken where it would cross a row's value label.
            let half_row = (ybot - ytop) / (2.0 * n.max(1) as f64);
            let mut cuts: Vec<(f64, f64)> = label_spans
                .iter()
                .filter(|(_, a, b)| *a <= x && x <= *b)
                .map(|(y, _, _)| (y - half_row, y + half_row))
                .collect();
            cuts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut segments = String::new();
            let mut from = ytop - 3.0;
            for (c0, c1) in cuts.iter().chain(std::iter::once(&(ybot, ybot))) {
                if *c0 > from {
                    let _ = write!(
                        segments,
                        "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.2\" \
                         stroke-dasharray=\"4 3\"/>",
                        px(from),
                        px(*c0),
                        style::INK,
                        x = px(x)
                    );
                }
                from = from.max(*c1);
            }
            let _ = write!(
                underlay,
                "<g class=\"national-rate\">{segments}{}</g>",
                text(
                    x,
                    ytop - 8.0,
                    style::SMALL_PX,
                    style::INK,
                    true,
                    "middle",
                    &format!("National rate {}", rate(nat, 1))
                ),
            );
        }
        root.present().map_err(&err)?;
    }
    let svg = wrap_plotters(&buf, &frame, f64::from(w), f64::from(h), &alt, &underlay, &overlay);
    Ok(Chart { id: id.into(), title, alt, svg })
}

fn plural_states(n: usize) -> String {
    if n == 1 { "1 jurisdiction".into() } else { format!("{n} jurisdictions") }
}

fn supplier_words(n: u32) -> String {
    format!("{} supplier{}", count(n.into()), if n == 1 { "" } else { "s" })
}
