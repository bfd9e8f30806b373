//! The choropleth maps, written as SVG by hand: one `<path>` per jurisdiction (all its polygons
//! and holes in one `d`, `fill-rule="evenodd"`, 0.1 px coordinates, consecutive duplicates
//! dropped), with a stable id, CSS classes, `data-usps` and a `<title>` tooltip.
//!
//! Layout: the lower 48 in Albers (29.5°/45.5°); below it a row of insets, not to scale:
//! Alaska and Hawaii on the left, Puerto Rico and labelled boxes for the other territories
//! (only those in the metrics) on the right. DC gets a ringed dot, and the small north-eastern
//! states a side strip of labelled squares. Colours come from [`super::style`], classes from
//! [`super::classify`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::classify::{Class, Classes, Measure, classify_measure};
use super::projection::{Albers, Fitted, Rect};
use super::style;
use super::svg::{Frame, count, esc, px, rate, text, text_width};
use super::{Chart, ChartError, ChartOptions};
use crate::geo::Shape;
use crate::metrics::{Metrics, StateRow};
use crate::model::Provenance;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MapKind {
    PerMillion,
    Suppliers,
    ServedBy,
}

impl MapKind {
    fn id(self) -> &'static str {
        match self {
            MapKind::PerMillion => "map-per-million",
            MapKind::Suppliers => "map-suppliers",
            MapKind::ServedBy => "map-served-by",
        }
    }
    fn measure(self) -> Measure {
        match self {
            MapKind::PerMillion => Measure::PerMillion,
            MapKind::Suppliers => Measure::Suppliers,
            MapKind::ServedBy => Measure::ServedBy,
        }
    }
}

pub(crate) const WIDTH: f64 = 1000.0;
const MAIN_W: f64 = 850.0;
const MAIN_H: f64 = 480.0;
const INSET_ROW_H: f64 = 112.0;
const LEGEND_H: f64 = 64.0;
/// Small states listed in the side strip, north to south.
const STRIP: [&str; 9] = ["VT", "NH", "MA", "RI", "CT", "NJ", "DE", "MD", "DC"];
/// Outside the lower-48 frame, by FIPS.
const INSETS: [&str; 7] = ["02", "15", "72", "78", "66", "69", "60"];

/// Where each group of shapes is drawn.
struct Layout {
    main: Rect,
    ak: Rect,
    hi: Rect,
    pr: Rect,
    /// Territory boxes in order, only for territories in the metrics.
    tiles: Vec<(String, Rect)>,
    strip: Rect,
    bottom: f64,
}

fn layout(top: f64, territories: &[&StateRow]) -> Layout {
    let main = Rect { x: 20.0, y: top, w: MAIN_W, h: MAIN_H };
    let row = main.bottom() + 16.0;
    let ak = Rect { x: 24.0, y: row, w: 175.0, h: INSET_ROW_H - 12.0 };
    let hi = Rect { x: 222.0, y: row + 26.0, w: 150.0, h: INSET_ROW_H - 38.0 };
    let pr = Rect { x: 590.0, y: row + 32.0, w: 104.0, h: 44.0 };
    let tiles = territories
        .iter()
        .enumerate()
        .map(|(i, r)| (r.fips.clone(), Rect { x: 716.0 + 68.0 * i as f64, y: row + 22.0, w: 54.0, h: 54.0 }))
        .collect();
    let strip = Rect { x: MAIN_W + 40.0, y: top + 70.0, w: WIDTH - MAIN_W - 60.0, h: 9.0 * 26.0 };
    Layout { main, ak, hi, pr, tiles, strip, bottom: row + INSET_ROW_H }
}

/// Projections for each group, fitted to its box.
fn projections(shapes: &BTreeMap<String, Shape>, l: &Layout) -> BTreeMap<String, Fitted> {
    let lower48 = Fitted::fit(Albers::new((29.5, 45.5), -96.0), points(shapes, |f| !INSETS.contains(&f)), l.main);
    let mut out: BTreeMap<String, Fitted> = shapes.keys().map(|f| (f.clone(), lower48)).collect();
    let mut put = |fips: &str, proj: Albers, rect: Rect| {
        if shapes.contains_key(fips) {
            out.insert(fips.to_string(), Fitted::fit(proj, points(shapes, |f| f == fips), rect));
        }
    };
    put("02", Albers::new((55.0, 65.0), -154.0), l.ak);
    put("15", Albers::new((8.0, 18.0), -157.0), l.hi);
    put("72", Albers::new((8.0, 18.0), -66.0), l.pr);
    for (fips, rect) in &l.tiles {
        let inner = Rect { x: rect.x + 5.0, y: rect.y + 5.0, w: rect.w - 10.0, h: rect.h - 10.0 };
        let proj = match fips.as_str() {
            "60" => Albers::new((-16.0, -12.0), -170.0),
            "66" | "69" => Albers::new((12.0, 20.0), 145.5),
            _ => Albers::new((8.0, 18.0), -65.0),
        };
        put(fips, proj, inner);
    }
    out
}

fn points<'a>(
    shapes: &'a BTreeMap<String, Shape>,
    pred: impl Fn(&str) -> bool + 'a,
) -> impl Iterator<Item = &'a (f64, f64)> + 'a {
    shapes.values().filter(move |s| pred(&s.fips)).flat_map(|s| s.polygons.iter().flatten().flatten())
}

/// The `d` of one shape and the area-weighted centroid of its largest ring.
fn path_data(shape: &Shape, f: &Fitted, d: &mut String) -> Option<(f64, f64, f64)> {
    let mut best: Option<(f64, f64, f64)> = None;
    let mut pts: Vec<(i64, i64)> = Vec::new();
    for ring in shape.polygons.iter().flatten() {
        pts.clear();
        for &(lon, lat) in ring {
            let (x, y) = f.point(lon, lat);
            let p = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
            if pts.last() != Some(&p) {
                pts.push(p);
            }
        }
        while pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        if pts.len() < 3 {
            continue;
        }
        let _ = write!(d, "M{} {}l", tenths(pts[0].0), tenths(pts[0].1));
        let mut first = true;
        for w in pts.windows(2) {
            for v in [w[1].0 - w[0].0, w[1].1 - w[0].1] {
                let s = tenths(v);
                if !first && !s.starts_with('-') {
                    d.push(' ');
                }
                d.push_str(&s);
                first = false;
            }
        }
        d.push('z');
        // Shoelace area and centroid, in px.
        let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
        for i in 0..pts.len() {
            let (x0, y0) = (pts[i].0 as f64 / 10.0, pts[i].1 as f64 / 10.0);
            let j = (i + 1) % pts.len();
            let (x1, y1) = (pts[j].0 as f64 / 10.0, pts[j].1 as f64 / 10.0);
            let cross = x0 * y1 - x1 * y0;
            a += cross;
            cx += (x0 + x1) * cross;
            cy += (y0 + y1) * cross;
        }
        if a.abs() > best.map_or(0.0, |b| b.2) {
            best = Some((cx / (3.0 * a), cy / (3.0 * a), a.abs() / 2.0));
        }
    }
    best
}

/// Tenths of a pixel as the shortest decimal: 12 → "1.2", -3 → "-.3", 20 → "2".
fn tenths(t: i64) -> String {
    let (sign, a) = if t < 0 { ("-", -t) } else { ("", t) };
    match (a / 10, a % 10) {
        (0, 0) => "0".into(),
        (0, f) => format!("{sign}.{f}"),
        (i, 0) => format!("{sign}{i}"),
        (i, f) => format!("{sign}{i}.{f}"),
    }
}

/// Fill attribute for a class.
fn fill(id: &str, classes: &Classes, class: Class) -> String {
    match class {
        Class::Value(i) => classes.colors.get(i).cloned().unwrap_or_else(|| style::NODATA_BG.into()),
        Class::Zero => format!("url(#{id}-zero)"),
        Class::NoData => format!("url(#{id}-nodata)"),
        Class::NotInFile => style::NOTINFILE_BG.into(),
    }
}

/// Extra stroke for classes that need an outline to be seen.
fn outline(class: Class) -> &'static str {
    match class {
        Class::NotInFile => " stroke=\"#9a9a9a\" stroke-dasharray=\"2 1.5\"",
        Class::NoData => " stroke=\"#9a9a9a\" stroke-width=\"0.8\"",
        _ => "",
    }
}

/// Territory shapes are a few pixels of islands: a thick outline in the class colour keeps them
/// visible inside their boxes.
fn tile_outline(classes: &Classes, class: Class) -> String {
    let ink = match class {
        Class::Value(i) => classes.colors.get(i).map(String::as_str).unwrap_or(style::NODATA_INK),
        Class::Zero => style::ZERO_INK,
        Class::NoData => style::NODATA_INK,
        Class::NotInFile => style::NOTINFILE_STROKE,
    };
    let dash = if class == Class::NotInFile { " stroke-dasharray=\"2 1.5\"" } else { "" };
    format!(" stroke=\"{ink}\" stroke-width=\"1.6\"{dash}")
}

fn label_ink(classes: &Classes, class: Class) -> &'static str {
    match class {
        Class::Value(i) if classes.colors.get(i).is_some_and(|c| style::dark(c)) => "#ffffff",
        _ => style::INK,
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// The tooltip of one jurisdiction.
fn tooltip(kind: MapKind, r: &StateRow, class: Class, year: u16) -> String {
    let name = &r.name;
    let pop = r.population.map(|p| format!("population {} in {year}", count(p)));
    match (kind, class) {
        (MapKind::PerMillion, Class::Value(_)) => {
            let mut s = format!(
                "{name}: {} suppliers per million residents ({}; {})",
                rate(r.per_million.unwrap_or(0.0), 1),
                plural(u64::from(r.suppliers), "supplier", "suppliers"),
                pop.unwrap_or_default()
            );
            if r.small_count {
                let _ = write!(
                    s,
                    "; rate rests on {}; treat with caution",
                    plural(u64::from(r.suppliers), "supplier", "suppliers")
                );
            }
            s
        }
        (MapKind::PerMillion, Class::Zero) => {
            format!("{name}: 0 suppliers{}", pop.map(|p| format!(" ({p})")).unwrap_or_default())
        }
        (MapKind::PerMillion, Class::NoData) => format!(
            "{name}: no population figure, so no rate ({})",
            plural(u64::from(r.suppliers), "supplier", "suppliers")
        ),
        (MapKind::Suppliers, Class::Value(_)) => {
            format!("{name}: {}", plural(u64::from(r.suppliers), "supplier", "suppliers"))
        }
        (MapKind::Suppliers, Class::Zero) => format!("{name}: 0 suppliers"),
        (MapKind::ServedBy, Class::Value(_)) => format!(
            "{name}: served by {} (listing a service area here)",
            plural(u64::from(r.served_by.unwrap_or(0)), "supplier", "suppliers")
        ),
        (MapKind::ServedBy, Class::Zero) => format!("{name}: 0 suppliers list a service area here"),
        (MapKind::ServedBy, Class::NoData) | (MapKind::Suppliers, Class::NoData) => {
            format!("{name}: no service-area data")
        }
        (_, Class::NotInFile) => format!("{name}: not in the file (no supplier and no population figure)"),
    }
}

fn names(rows: &[&StateRow]) -> String {
    let v: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    match v.len() {
        0 => String::new(),
        1 => v[0].to_string(),
        n => format!("{} and {}", v[..n - 1].join(", "), v[n - 1]),
    }
}

fn alt_text(kind: MapKind, metrics: &Metrics, classes: &Classes) -> String {
    let in_class = |c: Class| -> Vec<&StateRow> {
        metrics.states.iter().filter(|r| classes.class_of(&r.usps) == Some(c)).collect()
    };
    let zero = in_class(Class::Zero);
    let no_data = in_class(Class::NoData);
    let not_in_file = in_class(Class::NotInFile);
    let valued = || metrics.states.iter().filter(|r| matches!(classes.class_of(&r.usps), Some(Class::Value(_))));
    let n = metrics.states.len();
    let mut s = String::new();
    match kind {
        MapKind::PerMillion => {
            if zero.is_empty() {
                s.push_str("Every state, DC and Puerto Rico with a population figure has at least one supplier. ");
            } else {
                // Rates exist only where Census has a population: the 50 states, DC and PR.
                let with_pop = metrics.states.iter().filter(|r| r.population.is_some()).count();
                let _ = write!(
                    s,
                    "{} of the {with_pop} states, DC and Puerto Rico have no home infusion therapy supplier: {}. ",
                    zero.len(),
                    names(&zero)
                );
            }
            let top = valued().max_by(|a, b| {
                a.per_million.unwrap_or(0.0).total_cmp(&b.per_million.unwrap_or(0.0)).then(b.name.cmp(&a.name))
            });
            if let Some(t) = top {
                let _ = write!(
                    s,
                    "The highest rate is {} suppliers per million residents, in {}. ",
                    rate(t.per_million.unwrap_or(0.0), 1),
                    t.name
                );
            }
            if let Some(nat) = metrics.national.per_million {
                let _ = write!(s, "The national rate is {} per million. ", rate(nat, 1));
            }
            if !no_data.is_empty() {
                let _ = write!(s, "No population figure, so no rate: {}. ", names(&no_data));
            }
        }
        MapKind::Suppliers => {
            if zero.is_empty() {
                s.push_str("Every jurisdiction shown has at least one supplier. ");
            } else {
                let _ = write!(s, "{} of {n} jurisdictions have no supplier: {}. ", zero.len(), names(&zero));
            }
            let mut top: Vec<&StateRow> = valued().collect();
            top.sort_by(|a, b| b.suppliers.cmp(&a.suppliers).then(a.name.cmp(&b.name)));
            let top: Vec<String> =
                top.iter().take(3).map(|r| format!("{} ({})", r.name, count(r.suppliers.into()))).collect();
            if !top.is_empty() {
                let _ = write!(s, "The most suppliers practise in {}. ", top.join(", "));
            }
        }
        MapKind::ServedBy => {
            if no_data.len() == n {
                s.push_str("This release lists no service areas, so the map shows no figures. ");
            } else {
                if zero.is_empty() {
                    s.push_str("Every jurisdiction shown is listed as a service area by at least one supplier. ");
                } else {
                    let _ = write!(
                        s,
                        "{} of {n} jurisdictions are not listed as a service area by any supplier: {}. ",
                        zero.len(),
                        names(&zero)
                    );
                }
                if let Some(t) = valued().max_by(|a, b| a.served_by.cmp(&b.served_by).then(b.name.cmp(&a.name))) {
                    let _ = write!(
                        s,
                        "The most widely served is {}, with {}. ",
                        t.name,
                        plural(u64::from(t.served_by.unwrap_or(0)), "supplier", "suppliers")
                    );
                }
            }
        }
    }
    if !not_in_file.is_empty() {
        let _ = write!(s, "Not in the file: {}. ", names(&not_in_file));
    }
    s.trim_end().to_string()
}

/// Pattern definitions for the zero and no-data classes, ids prefixed by the chart id.
fn defs(id: &str) -> String {
    format!(
        "<defs><pattern id=\"{id}-zero\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" \
         ><rect width=\"6\" height=\"6\" fill=\"{zb}\"/>\
         <path d=\"M-1 1l2-2M0 6l6-6M5 7l2-2\" stroke=\"{zi}\" stroke-width=\"1.6\"/></pattern>\
         <pattern id=\"{id}-nodata\" patternUnits=\"userSpaceOnUse\" width=\"5\" height=\"5\">\
         <rect width=\"5\" height=\"5\" fill=\"{nb}\"/><circle cx=\"2.5\" cy=\"2.5\" r=\"1\" fill=\"{ni}\"/>\
         </pattern></defs>\n",
        zb = style::ZERO_BG,
        zi = style::ZERO_INK,
        nb = style::NODATA_BG,
        ni = style::NODATA_INK,
    )
}

/// The legend: a stepped bar of value classes, then the special classes present (zero always).
fn legend(id: &str, title: &str, classes: &Classes, x: f64, y: f64) -> String {
    let mut s = format!("<g class=\"legend\" id=\"{id}-legend\">");
    s.push_str(&text(x, y + 12.0, style::BODY_PX, style::INK, true, "start", title));
    let top = y + 22.0;
    let mut cx = x;
    let sw = 64.0;
    for (i, label) in classes.labels.iter().enumerate() {
        let class = Class::Value(i);
        let _ = write!(
            s,
            "<g class=\"legend-item {}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" fill=\"{}\"/>{}</g>",
            class.css(),
            px(cx),
            px(top),
            px(sw),
            fill(id, classes, class),
            text(cx + sw / 2.0, top + 29.0, style::SMALL_PX, style::INK, false, "middle", label)
        );
        cx += sw;
    }
    if !classes.labels.is_empty() {
        cx += 22.0;
    }
    for class in [Class::Zero, Class::NoData, Class::NotInFile] {
        let members = classes.members(class);
        if class != Class::Zero && members == 0 {
            continue;
        }
        let label = format!("{} ({})", classes.label(class), members);
        let bold = class == Class::Zero;
        let _ = write!(
            s,
            "<g class=\"legend-item {}\"><rect x=\"{}\" y=\"{}\" width=\"22\" height=\"14\" fill=\"{}\"{}/>{}</g>",
            class.css(),
            px(cx),
            px(top),
            fill(id, classes, class),
            if matches!(class, Class::NotInFile | Class::NoData) { outline(class) } else { "" },
            text(cx + 28.0, top + 11.5, style::SMALL_PX, style::INK, bold, "start", &label)
        );
        cx += 28.0 + text_width(&label, style::SMALL_PX, bold) + 18.0;
    }
    s.push_str("</g>\n");
    s
}

/// Renders one map.
pub(crate) fn render(
    metrics: &Metrics,
    prov: &Provenance,
    shapes: &BTreeMap<String, Shape>,
    opts: &ChartOptions,
    kind: MapKind,
) -> Result<Chart, ChartError> {
    let id = kind.id();
    let classes = classify_measure(metrics, opts, kind.measure());
    let year = prov.population_year;
    let (title, subtitle, legend_title) = match kind {
        MapKind::PerMillion => (
            "Home infusion therapy suppliers per million residents".to_string(),
            format!(
                "Medicare-enrolled HIT suppliers by practice-location state, per million residents \
                 ({}). CMS release {}.",
                prov.population_label, prov.release_date
            ),
            format!("Suppliers per million residents ({year} population)"),
        ),
        MapKind::Suppliers => (
            "Home infusion therapy suppliers by state".to_string(),
            format!(
                "Distinct Medicare-enrolled HIT suppliers by practice-location state. CMS release {}.",
                prov.release_date
            ),
            "Suppliers practising in the state".to_string(),
        ),
        MapKind::ServedBy => (
            "Home infusion therapy suppliers serving each state".to_string(),
            format!(
                "Distinct suppliers that list a service area in the state, wherever they practise. CMS release {}.",
                prov.release_date
            ),
            "Suppliers listing the state as a service area".to_string(),
        ),
    };
    let alt = alt_text(kind, metrics, &classes);
    let mut notes = vec![
        "Alaska, Hawaii, Puerto Rico and the territories are drawn in insets, not to scale. Small states are \
         repeated in the strip at right."
            .to_string(),
    ];
    if kind == MapKind::PerMillion && metrics.states.iter().any(|r| r.small_count) {
        notes.push("* Rate rests on 1–2 suppliers; treat with caution.".into());
    }
    let frame = Frame { id, width: WIDTH, title: &title, subtitle: &subtitle, notes, prov, scale: 1.0 };
    let (header, header_end) = frame.header();
    let legend_svg = legend(id, &legend_title, &classes, 20.0, header_end - 6.0);

    let by_fips: BTreeMap<&str, &StateRow> = metrics.states.iter().map(|r| (r.fips.as_str(), r)).collect();
    let mut territories: Vec<&StateRow> =
        metrics.states.iter().filter(|r| matches!(r.fips.as_str(), "78" | "66" | "69" | "60")).collect();
    territories.sort_by_key(|r| match r.usps.as_str() {
        "VI" => 0,
        "GU" => 1,
        "MP" => 2,
        _ => 3,
    });
    let l = layout(header_end + LEGEND_H, &territories);
    let fitted = projections(shapes, &l);
    let height = (l.bottom + frame.footer_height() + 8.0).ceil();

    let mut s = frame.open(WIDTH, height, &alt);
    s.push_str(&defs(id));
    s.push_str(&header);
    s.push_str(&legend_svg);

    // Inset frames and their names.
    s.push_str("<g class=\"inset-frames\" fill=\"none\" stroke=\"#d0d0d0\" stroke-width=\"1\">");
    let frames: Vec<(Rect, &str)> = [(l.ak, "02"), (l.hi, "15"), (l.pr, "72")]
        .into_iter()
        .filter(|(_, f)| by_fips.contains_key(f))
        .chain(l.tiles.iter().map(|(f, r)| (*r, f.as_str())))
        .map(|(r, f)| (Rect { x: r.x - 4.0, y: r.y - 4.0, w: r.w + 8.0, h: r.h + 8.0 }, f))
        .collect();
    for (r, _) in &frames {
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\"/>",
            px(r.x),
            px(r.y),
            px(r.w),
            px(r.h)
        );
    }
    s.push_str("</g>\n");

    // The shapes.
    let _ = writeln!(
        s,
        "<g class=\"states\" stroke=\"{}\" stroke-width=\"0.6\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">",
        style::BORDER
    );
    let mut label_at: BTreeMap<&str, (f64, f64, f64)> = BTreeMap::new();
    let mut d = String::new();
    for r in &metrics.states {
        let (Some(shape), Some(f)) = (shapes.get(&r.fips), fitted.get(&r.fips)) else { continue };
        let class = classes.class_of(&r.usps).unwrap_or(Class::NotInFile);
        d.clear();
        if let Some(c) = path_data(shape, f, &mut d) {
            label_at.insert(r.fips.as_str(), c);
        }
        let small = if r.small_count && kind == MapKind::PerMillion { " small-count" } else { "" };
        let _ = writeln!(
            s,
            "<path id=\"{id}-st-{fips}\" class=\"state {css}{small}\" data-usps=\"{usps}\" fill=\"{fill}\"{ol} d=\"{d}\">\
             <title>{tip}</title></path>",
            fips = esc(&r.fips),
            css = class.css(),
            usps = esc(&r.usps),
            fill = fill(id, &classes, class),
            ol = if matches!(r.fips.as_str(), "78" | "66" | "69" | "60") {
                tile_outline(&classes, class)
            } else {
                outline(class).to_string()
            },
            tip = esc(&tooltip(kind, r, class, year)),
        );
    }
    s.push_str("</g>\n");

    // Labels: USPS codes on shapes big enough to hold one; inset names under their frames.
    s.push_str("<g class=\"labels\" font-size=\"10\" text-anchor=\"middle\" pointer-events=\"none\">");
    for r in &metrics.states {
        let Some(&(cx, cy, area)) = label_at.get(r.fips.as_str()) else { continue };
        if STRIP.contains(&r.usps.as_str()) || INSETS.contains(&r.fips.as_str()) && r.fips != "02" && r.fips != "15" {
            continue;
        }
        if area < 260.0 && r.fips != "15" {
            continue;
        }
        let (dx, dy) = nudge(&r.usps);
        let class = classes.class_of(&r.usps).unwrap_or(Class::NotInFile);
        let star = if r.small_count && kind == MapKind::PerMillion { "*" } else { "" };
        let ink = label_ink(&classes, class);
        let halo = if ink == style::INK {
            " stroke=\"#ffffff\" stroke-width=\"2.5\" stroke-linejoin=\"round\" paint-order=\"stroke\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" fill=\"{ink}\" font-weight=\"bold\"{halo}>{}{star}</text>",
            px(cx + dx),
            px(cy + dy + 3.5),
            esc(&r.usps)
        );
    }
    for (rect, fips) in &frames {
        let Some(r) = by_fips.get(fips) else { continue };
        if matches!(*fips, "02" | "15") {
            continue;
        }
        let star = if r.small_count && kind == MapKind::PerMillion { "*" } else { "" };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" fill=\"{}\">{}{star}</text>",
            px(rect.x + rect.w / 2.0),
            px(rect.bottom() + 13.0),
            style::INK,
            esc(&r.usps)
        );
    }
    s.push_str("</g>\n");

    // DC: a ringed dot so it can be found at all.
    if let (Some(r), Some(&(cx, cy, _))) = (by_fips.get("11"), label_at.get("11")) {
        let class = classes.class_of(&r.usps).unwrap_or(Class::NotInFile);
        let _ = writeln!(
            s,
            "<circle id=\"{id}-dot-11\" class=\"state-marker {}\" data-usps=\"DC\" cx=\"{}\" cy=\"{}\" r=\"4.5\" \
             fill=\"{}\" stroke=\"{}\" stroke-width=\"1.2\"><title>{}</title></circle>",
            class.css(),
            px(cx),
            px(cy),
            fill(id, &classes, class),
            style::INK,
            esc(&tooltip(kind, r, class, year))
        );
    }

    // Side strip of small states.
    let _ = write!(s, "<g class=\"strip\">");
    s.push_str(&text(l.strip.x, l.strip.y - 10.0, style::SMALL_PX, style::MUTED, false, "start", "Small states"));
    let mut y = l.strip.y;
    for usps in STRIP {
        let Some(r) = metrics.states.iter().find(|r| r.usps == usps) else { continue };
        let class = classes.class_of(&r.usps).unwrap_or(Class::NotInFile);
        let star = if r.small_count && kind == MapKind::PerMillion { "*" } else { "" };
        let _ = write!(
            s,
            "<rect id=\"{id}-key-{fips}\" class=\"state-key {css}\" data-usps=\"{usps}\" x=\"{x}\" y=\"{y}\" \
             width=\"18\" height=\"18\" fill=\"{fill}\" stroke=\"#bdbdbd\" stroke-width=\"0.8\"><title>{tip}</title></rect>{label}",
            fips = esc(&r.fips),
            css = class.css(),
            usps = esc(&r.usps),
            x = px(l.strip.x),
            y = px(y),
            fill = fill(id, &classes, class),
            tip = esc(&tooltip(kind, r, class, year)),
            label = text(
                l.strip.x + 25.0,
                y + 13.5,
                style::SMALL_PX,
                style::INK,
                true,
                "start",
                &format!("{}{star}", r.usps)
            ),
        );
        let value = short_value(kind, r, class);
        s.push_str(&text(l.strip.x + 58.0, y + 13.5, style::SMALL_PX, style::MUTED, false, "start", &value));
        y += 26.0;
    }
    s.push_str("</g>\n");

    s.push_str(&frame.footer(height));
    s.push_str("\n</svg>\n");
    Ok(Chart { id: id.to_string(), title, alt, svg: s })
}

/// The figure printed beside a key square.
fn short_value(kind: MapKind, r: &StateRow, class: Class) -> String {
    match (class, kind) {
        (Class::Zero, _) => "0".into(),
        (Class::NoData, _) => "no data".into(),
        (Class::NotInFile, _) => "–".into(),
        (Class::Value(_), MapKind::PerMillion) => rate(r.per_million.unwrap_or(0.0), 1),
        (Class::Value(_), MapKind::Suppliers) => count(r.suppliers.into()),
        (Class::Value(_), MapKind::ServedBy) => count(r.served_by.unwrap_or(0).into()),
    }
}

/// Label offsets (px) for shapes whose centroid is a poor spot for a label.
fn nudge(usps: &str) -> (f64, f64) {
    match usps {
        "FL" => (11.0, 4.0),
        "LA" => (-7.0, 0.0),
        "MI" => (8.0, 12.0),
        "KY" => (3.0, 2.0),
        "WV" => (-2.0, 2.0),
        "VA" => (6.0, 1.0),
        "ID" => (0.0, 10.0),
        "HI" => (0.0, 0.0),
        _ => (0.0, 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_are_short() {
        assert_eq!(tenths(12), "1.2");
        assert_eq!(tenths(-3), "-.3");
        assert_eq!(tenths(20), "2");
        assert_eq!(tenths(0), "0");
        assert_eq!(tenths(-1234), "-123.4");
    }

    #[test]
    fn path_drops_duplicates_and_closes() {
        let shape = Shape {
            fips: "99".into(),
            name: "x".into(),
            polygons: vec![vec![
                vec![(0.0, 0.0), (10.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)],
                vec![(2.0, 2.0), (2.0, 2.00001), (4.0, 2.0), (4.0, 4.0), (2.0, 2.0)],
            ]],
        };
        let f = Fitted::fit(
            Albers::new((29.5, 45.5), 5.0),
            shape.polygons.iter().flatten().flatten(),
            Rect { x: 0.0, y: 0.0, w: 100.0, h: 100.0 },
        );
        let mut d = String::new();
        assert!(path_data(&shape, &f, &mut d).is_some());
        assert_eq!(d.matches('M').count(), 2, "outer ring and hole in one d: {d}");
        assert_eq!(d.matches('z').count(), 2);
        // 4 distinct corners -> 3 relative moves of 2 numbers after the M; 3 points -> 2 moves.
        let moves: Vec<usize> = d.split('M').skip(1).map(|p| p.split('l').nth(1).unwrap_or("").len()).collect();
        assert!(moves.iter().all(|&n| n > 0));
    }
}
