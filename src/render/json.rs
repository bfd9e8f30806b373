//! JSON downloads, escaped so they are safe even if someone inlines them in a page:
//! `<`, `>`, `&`, U+2028 and U+2029 become `\uXXXX` (the `json_script` rule; serde_json does not
//! do this by itself).

use serde::Serialize;

/// Serializes `value` as pretty JSON with HTML-significant characters escaped.
pub fn safe_json<T: Serialize>(value: &T) -> Vec<u8> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('\n');
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_round_trips() {
        let v = serde_json::json!({"name": "</script><b>&\u{2028}"});
        let bytes = safe_json(&v);
        let text = String::from_utf8(bytes.clone()).expect("utf8");
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        let back: serde_json::Value = serde_json::from_slice(&bytes).expect("valid json");
        assert_eq!(back, v);
    }
}
