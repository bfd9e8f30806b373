//! The only place that configures pulldown-cmark.
//!
//! The report's narrative comes from the repository's own `content/*.md`, so raw HTML in it is
//! allowed (`Trust::Content`). Anything derived from data must use `Trust::Data`, which turns raw
//! HTML into escaped text. In both modes link and image URLs must be relative or use `https`,
//! `http` or `mailto`; anything else (`javascript:`, `data:`, …) is replaced by `#`.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Where the markdown came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The repository's own content files: raw HTML passes through.
    Content,
    /// Text that includes data: raw HTML is shown as text.
    Data,
}

/// True for URLs a page may link to.
pub fn safe_url(url: &str) -> bool {
    let u = url.trim_start().to_ascii_lowercase();
    match u.find(':') {
        // A colon before any `/`, `?` or `#` means a scheme.
        Some(i) if !u[..i].contains(['/', '?', '#']) => {
            matches!(&u[..i], "https" | "http" | "mailto")
        }
        _ => !u.starts_with("//") || u.starts_with("///"),
    }
}

/// Renders markdown to HTML.
pub fn to_html(md: &str, trust: Trust) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(md, opts).map(|ev| match ev {
        Event::Html(h) | Event::InlineHtml(h) if trust == Trust::Data => Event::Text(h),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) if !safe_url(&dest_url) => {
            Event::Start(Tag::Link { link_type, dest_url: CowStr::Borrowed("#"), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) if !safe_url(&dest_url) => {
            Event::Start(Tag::Image { link_type, dest_url: CowStr::Borrowed("#"), title, id })
        }
        other => other,
    });
    let mut out = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// Escapes text so markdown shows it literally (used for values put into placeholders). Line
/// breaks become spaces, so a value can never start a heading, list or code block.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
            out.push(' ');
            continue;
        }
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '&' | '~') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_footnotes_render() {
        let h = to_html("| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1].\n\n[^1]: Note.", Trust::Content);
        assert!(h.contains("<table>") && h.contains("<td>1</td>"), "{h}");
        assert!(h.contains("footnote"), "{h}");
    }

    #[test]
    fn raw_html_only_from_content() {
        let md = "Hi <script>alert(1)</script>\n\n<div>x</div>";
        assert!(to_html(md, Trust::Content).contains("<div>x</div>"));
        let d = to_html(md, Trust::Data);
        assert!(!d.contains("<script>") && !d.contains("<div>"), "{d}");
        assert!(d.contains("&lt;script&gt;"), "{d}");
    }

    #[test]
    fn dangerous_link_schemes_are_neutralised() {
        for bad in ["javascript:alert(1)", "JavaScript:x", " data:text/html,x", "vbscript:x", "//evil.example/x"] {
            let h = to_html(&format!("[x]({bad})"), Trust::Content);
            assert!(h.contains("href=\"#\""), "{bad}: {h}");
        }
        for good in ["https://data.cms.gov/x", "states/TX.html", "#top", "mailto:a@b.c", "../index.html"] {
            assert!(safe_url(good), "{good}");
        }
    }

    #[test]
    fn escaped_values_stay_on_one_line() {
        let h = to_html(&format!("Name: {}", escape_text("x\n===\n- item\n    code")), Trust::Content);
        assert!(!h.contains("<h1>") && !h.contains("<li>") && !h.contains("<pre>"), "{h}");
    }

    #[test]
    fn escaped_values_render_literally() {
        let v = escape_text("<b>*Acme*</b> & [x](javascript:y)");
        let h = to_html(&format!("Name: {v}"), Trust::Content);
        assert!(h.contains("&lt;b&gt;*Acme*&lt;/b&gt; &amp; [x](javascript:y)"), "{h}");
    }
}
