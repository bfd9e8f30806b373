//! SVG text helpers shared by every chart: escaping, number formatting, a text-width estimate
//! for wrapping, the common frame (title, subtitle, synthetic notice, source line) and the
//! accessible wrapper put around plotters' output. No drawing of data happens here.

use std::fmt::Write as _;

use super::style::{self, FONT};
use crate::model::Provenance;

/// Escapes text for an XML attribute value or element content.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0; they would break the parse.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Keeps only `[a-z0-9-]` so a data-derived string is safe inside an `id`.
pub(crate) fn slug(s: &str) -> String {
    s.chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string()
}

/// A coordinate rounded to 0.1 px, without a trailing `.0`.
pub(crate) fn px(v: f64) -> String {
    let t = (v * 10.0).round() as i64;
    if t % 10 == 0 { format!("{}", t / 10) } else { format!("{:.1}", t as f64 / 10.0) }
}

/// Thousands separators for counts: 12,345 (one implementation, shared with the pages).
pub(crate) fn count(n: u64) -> String {
    crate::render::format::thousands(n)
}

/// A rate with the given decimals; `-0.0` prints as `0.0`.
pub(crate) fn rate(v: f64, decimals: usize) -> String {
    let v = if v.abs() < 0.5 * 10f64.powi(-(decimals as i32)) { 0.0 } else { v };
    format!("{v:.decimals$}")
}

/// Estimated advance width of `text` in DejaVu Sans at `size` px (a little generous, so
/// wrapped lines never run past the edge).
pub(crate) fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            ' ' => 0.32,
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.30,
            'f' | 't' | 'r' | '(' | ')' | '-' | '/' => 0.42,
            'm' | 'w' | 'M' | 'W' | '—' => 0.92,
            c if c.is_ascii_uppercase() || c.is_ascii_digit() => 0.68,
            _ => 0.61,
        })
        .sum();
    em * size * if bold { 1.1 } else { 1.0 }
}

/// Greedy word wrap to lines no wider than `max` px.
pub(crate) fn wrap(text: &str, size: f64, bold: bool, max: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if !line.is_empty() && text_width(&candidate, size, bold) > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Text attributes; `anchor` is `start`, `middle` or `end`.
pub(crate) fn text(x: f64, y: f64, size: f64, fill: &str, weight_bold: bool, anchor: &str, content: &str) -> String {
    let mut s = format!("<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{fill}\"", px(x), px(y), px(size));
    if weight_bold {
        s.push_str(" font-weight=\"bold\"");
    }
    if anchor != "start" {
        let _ = write!(s, " text-anchor=\"{anchor}\"");
    }
    let _ = write!(s, ">{}</text>", esc(content));
    s
}

/// Dark text with a white halo, legible over hatching, gridlines and reference lines.
pub(crate) fn text_halo(x: f64, y: f64, size: f64, fill: &str, bold: bool, anchor: &str, content: &str) -> String {
    text(x, y, size, fill, bold, anchor, content).replacen(
        "<text ",
        "<text stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\" ",
        1,
    )
}

/// The words every chart carries: title, subtitle, source credit and the synthetic notice.
pub(crate) struct Frame<'a> {
    pub id: &'a str,
    pub width: f64,
    pub title: &'a str,
    pub subtitle: &'a str,
    /// Extra footnote lines above the source line (already worded).
    pub notes: Vec<String>,
    pub prov: &'a Provenance,
    /// Font sizes scale with the chart (1.0 for full-size charts, smaller for sparklines).
    pub scale: f64,
}

pub(crate) const PAD: f64 = 20.0;
pub(crate) const SYNTHETIC_NOTICE: &str = "SYNTHETIC SAMPLE — not CMS data";

impl Frame<'_> {
    fn pad(&self) -> f64 {
        PAD * self.scale
    }

    /// The header's SVG and the y where the content below it may start.
    pub fn header(&self) -> (String, f64) {
        let (pad, k) = (self.pad(), self.scale);
        let max = self.width - 2.0 * pad;
        let mut out = String::new();
        let mut y = pad;
        let tsize = style::TITLE_PX * k;
        for line in wrap(self.title, tsize, true, max) {
            y += tsize;
            out.push_str(&text(pad, y, tsize, style::INK, true, "start", &line));
            y += 0.25 * tsize;
        }
        let ssize = style::SUBTITLE_PX * k;
        for line in wrap(self.subtitle, ssize, false, max) {
            y += ssize * 1.05;
            out.push_str(&text(pad, y, ssize, style::MUTED, false, "start", &line));
            y += 0.25 * ssize;
        }
        if self.prov.synthetic {
            let size = style::BODY_PX * k;
            let w = text_width(SYNTHETIC_NOTICE, size, true) + 2.0 * size;
            let h = size * 1.9;
            y += 0.5 * size;
            let _ = write!(
                out,
                "<g class=\"synthetic-notice\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" \
                 fill=\"{}\" stroke=\"{}\" stroke-width=\"1.5\"/>{}</g>",
                px(pad),
                px(y),
                px(w),
                px(h),
                style::NOTICE_BG,
                style::NOTICE,
                text(pad + size, y + 1.32 * size, size, style::NOTICE, true, "start", SYNTHETIC_NOTICE)
            );
            y += h;
        }
        (out, y + 0.6 * pad)
    }

    /// Height the footer needs.
    pub fn footer_height(&self) -> f64 {
        let size = style::SMALL_PX * self.scale;
        (self.footer_lines().len() as f64) * size * 1.35 + self.pad() * 0.9
    }

    fn footer_lines(&self) -> Vec<(String, bool)> {
        let size = style::SMALL_PX * self.scale;
        let max = self.width - 2.0 * self.pad();
        let mut lines = Vec::new();
        for note in &self.notes {
            lines.extend(wrap(note, size, false, max).into_iter().map(|l| (l, false)));
        }
        lines.extend(wrap(&self.prov.source_line(), size, false, max).into_iter().map(|l| (l, true)));
        lines
    }

    /// The footer's SVG, ending `pad` above `bottom`.
    pub fn footer(&self, bottom: f64) -> String {
        let size = style::SMALL_PX * self.scale;
        let lines = self.footer_lines();
        let mut y = bottom - self.pad() * 0.9 - (lines.len() as f64 - 1.0) * size * 1.35;
        let mut out = String::from("<g class=\"chart-footer\">");
        for (line, source) in lines {
            let fill = if source { style::MUTED } else { style::INK };
            out.push_str(&text(self.pad(), y, size, fill, false, "start", &line));
            y += size * 1.35;
        }
        out.push_str("</g>");
        out
    }

    /// `<svg>` open tag with the accessible name and description.
    pub fn open(&self, width: f64, height: f64, desc: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{FONT}\" id=\"{id}\">\n\
             <title id=\"{id}-title\">{t}</title>\n<desc id=\"{id}-desc\">{d}</desc>\n\
             <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
            w = px(width),
            h = px(height),
            id = self.id,
            t = esc(self.title),
            d = esc(desc),
        )
    }
}

/// Turns plotters' SVG into ours: the accessible open tag (from `frame`), the header, the
/// plot, the extra overlay and the footer. plotters always begins with exactly one
/// `<svg width=.. height=.. viewBox=.. xmlns=..>` line; everything after its first `>` is kept.
/// plotters already escapes the text it writes, so its labels are passed to it unescaped.
pub(crate) fn wrap_plotters(
    plot: &str,
    frame: &Frame<'_>,
    width: f64,
    height: f64,
    desc: &str,
    underlay: &str,
    overlay: &str,
) -> String {
    let body = plot.find('>').map(|i| &plot[i + 1..]).unwrap_or("");
    let body = body.trim_end();
    let body = body.strip_suffix("</svg>").unwrap_or(body);
    let (header, _) = frame.header();
    let mut out = frame.open(width, height, desc);
    out.push_str(&header);
    out.push_str(underlay);
    out.push_str("\n<g class=\"plot\">");
    out.push_str(&tidy(body));
    out.push_str("</g>\n");
    out.push_str(overlay);
    out.push_str(&frame.footer(height));
    out.push_str("\n</svg>\n");
    out
}

/// Drops plotters' redundant `opacity="1"` and rounds its font sizes (it writes size/1.24 with
/// fifteen decimals) to 0.1 px.
fn tidy(body: &str) -> String {
    let body = body.replace(" opacity=\"1\"", "");
    let mut out = String::with_capacity(body.len());
    let mut rest = body.as_str();
    const KEY: &str = "font-size=\"";
    while let Some(i) = rest.find(KEY) {
        out.push_str(&rest[..i + KEY.len()]);
        rest = &rest[i + KEY.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        match rest[..end].parse::<f64>() {
            Ok(v) => out.push_str(&px(v)),
            Err(_) => out.push_str(&rest[..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_all_five_and_controls() {
        assert_eq!(esc("<a href='x'>&\"\u{1}"), "&lt;a href=&apos;x&apos;&gt;&amp;&quot; ");
        assert_eq!(slug("PR<script>"), "pr-script");
    }

    #[test]
    fn numbers() {
        assert_eq!(px(12.04), "12");
        assert_eq!(px(-3.15), "-3.2");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(12), "12");
        assert_eq!(rate(-0.001, 1), "0.0");
    }

    #[test]
    fn wraps_long_lines() {
        let lines = wrap("one two three four five six seven eight nine ten", 12.0, false, 80.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| text_width(l, 12.0, false) <= 80.0 || !l.contains(' ')));
    }

    #[test]
    fn tidy_rounds_font_sizes() {
        let s = tidy("<text font-size=\"9.67741935483871\" opacity=\"1\">x</text>");
        assert_eq!(s, "<text font-size=\"9.7\">x</text>");
    }
}
