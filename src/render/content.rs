//! Narrative placeholders: `{{ name }}` in `content/*.md` is replaced by a figure computed at
//! build time, so the text stays true on every release. An unknown placeholder is an error
//! naming the file and line; values are markdown-escaped so data cannot become markup.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::markdown;

/// A content file that cannot be rendered (exit code 2: the content contract).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ContentError {
    #[error("{file}:{line}: unknown placeholder {{{{ {name} }}}}. Known placeholders: {known}")]
    UnknownPlaceholder { file: String, line: usize, name: String, known: String },
    #[error("{file}:{line}: unclosed placeholder (missing `}}}}`)")]
    Unclosed { file: String, line: usize },
}

/// Replaces every `{{ name }}` in `text` with its (markdown-escaped) value.
pub fn fill(file: &str, text: &str, values: &BTreeMap<&'static str, String>) -> Result<String, ContentError> {
    let mut out = String::with_capacity(text.len() + 256);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Err(ContentError::Unclosed { file: file.to_string(), line: i + 1 });
            };
            let name = after[..end].trim();
            match values.get(name) {
                Some(v) => out.push_str(&markdown::escape_text(v)),
                None => {
                    return Err(ContentError::UnknownPlaceholder {
                        file: file.to_string(),
                        line: i + 1,
                        name: name.to_string(),
                        known: values.keys().copied().collect::<Vec<_>>().join(", "),
                    });
                }
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals() -> BTreeMap<&'static str, String> {
        BTreeMap::from([("a", "1".to_string()), ("name", "<b>x</b>".to_string())])
    }

    #[test]
    fn fills_known_and_escapes_values() {
        assert_eq!(fill("f.md", "x {{a}} y {{ a }}\n", &vals()).expect("ok"), "x 1 y 1\n");
        assert_eq!(fill("f.md", "{{ name }}", &vals()).expect("ok"), "\\<b\\>x\\</b\\>");
    }

    #[test]
    fn unknown_placeholder_names_file_and_line() {
        let err = fill("content/index.md", "ok\nok\nthe {{ nope }} here\n", &vals()).expect_err("unknown");
        assert_eq!(err.to_string().split(". Known").next(), Some("content/index.md:3: unknown placeholder {{ nope }}"));
        assert!(matches!(fill("f.md", "a\n{{ a", &vals()), Err(ContentError::Unclosed { line: 2, .. })));
    }
}
