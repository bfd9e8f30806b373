//! Bytes → a raw table of text cells, for the two shapes releases come in.
//!
//! CSV as downloaded from data.cms.gov (UTF-8 with or without BOM; quoted fields may hold
//! commas, quotes and newlines) and JSON as the data API returns it (an array of objects whose
//! values are strings). Strict UTF-8: a file that is not UTF-8 is an error naming the line, never
//! a lossy replacement. Records whose field count differs from the header are kept as
//! `RawRecord::Malformed` so normalize can quarantine them with their line.

use serde_json::Value;
use thiserror::Error;

/// Upper bound on one cell's length; longer cells make the row malformed (resource limit).
pub const MAX_CELL_BYTES: usize = 64 * 1024;

/// A parsed input table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawTable {
    pub headers: Vec<String>,
    pub records: Vec<RawRecord>,
}

/// One data record with the 1-based line where it starts (CSV) or its 1-based position (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawRecord {
    Row { line: u64, cells: Vec<String> },
    Malformed { line: u64, message: String },
}

/// Why a whole file cannot be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RawError {
    #[error("line {line}: not valid UTF-8 (save the file as UTF-8; hit-atlas never guesses an encoding)")]
    Encoding { line: u64 },
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("the file is empty: no header row")]
    Empty,
    #[error("not a JSON array of objects: {0}")]
    JsonShape(String),
    #[error("line {line}, column {column}: invalid JSON: {message}")]
    Json { line: usize, column: usize, message: String },
}

/// Parses CSV bytes.
pub fn parse_csv(bytes: &[u8]) -> Result<RawTable, RawError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = rdr.byte_records();
    let header = match records.next() {
        None => return Err(RawError::Empty),
        Some(r) => r.map_err(|e| csv_err(bytes, e))?,
    };
    let headers = to_strings(&header, 1)?;
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(RawError::Empty);
    }
    let mut out = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| csv_err(bytes, e))?;
        let line = rec.position().map(|p| human_line(bytes, p)).unwrap_or(0);
        if rec.iter().all(|c| c.is_empty()) && rec.len() <= 1 {
            continue; // a blank line, e.g. a trailing newline pair
        }
        let cells = to_strings(&rec, line)?;
        out.push(check_record(line, cells, headers.len()));
    }
    Ok(RawTable { headers, records: out })
}

fn check_record(line: u64, cells: Vec<String>, width: usize) -> RawRecord {
    if cells.len() != width {
        return RawRecord::Malformed { line, message: format!("{} fields, header has {width}", cells.len()) };
    }
    if let Some(i) = cells.iter().position(|c| c.len() > MAX_CELL_BYTES) {
        return RawRecord::Malformed {
            line,
            message: format!("field {} is longer than {MAX_CELL_BYTES} bytes", i + 1),
        };
    }
    RawRecord::Row { line, cells }
}

fn csv_err(bytes: &[u8], e: csv::Error) -> RawError {
    let line = e.position().map(|p| human_line(bytes, p)).unwrap_or(0);
    RawError::Csv { line, message: e.to_string() }
}

/// The 1-based line where a record starts. After a CRLF terminator csv-core reports the
/// position of the `\n` (its line counter not yet advanced), so step over it.
fn human_line(bytes: &[u8], p: &csv::Position) -> u64 {
    p.line() + u64::from(bytes.get(p.byte() as usize) == Some(&b'\n'))
}

fn to_strings(rec: &csv::ByteRecord, line: u64) -> Result<Vec<String>, RawError> {
    rec.iter().map(|c| String::from_utf8(c.to_vec()).map_err(|_| RawError::Encoding { line })).collect()
}

/// Parses the data API's JSON: an array of objects. Headers are the keys in first-seen order;
/// numbers and booleans become their text, `null` an empty cell; nested values make the record
/// malformed.
pub fn parse_json(bytes: &[u8]) -> Result<RawTable, RawError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| RawError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let Value::Array(items) = value else {
        return Err(RawError::JsonShape(format!("top level is {}", kind(&value))));
    };
    let mut headers: Vec<String> = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for item in &items {
        if let Value::Object(map) = item {
            for k in map.keys() {
                if !seen.contains_key(k) {
                    seen.insert(k.clone(), headers.len());
                    headers.push(k.clone());
                }
            }
        }
    }
    let mut records = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let line = i as u64 + 1;
        let Value::Object(map) = item else {
            records.push(RawRecord::Malformed { line, message: format!("record is {}, not an object", kind(&item)) });
            continue;
        };
        let mut cells = vec![String::new(); headers.len()];
        let mut bad = None;
        for (k, v) in map {
            let Some(&col) = seen.get(&k) else { continue };
            cells[col] = match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => {
                    bad = Some(format!("field {k:?} is {}, not text", kind(&other)));
                    String::new()
                }
            };
        }
        records.push(match bad {
            Some(message) => RawRecord::Malformed { line, message },
            None => check_record(line, cells, headers.len()),
        });
    }
    Ok(RawTable { headers, records })
}

/// "a string", "an array"… for error messages about JSON values.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &RawTable) -> Vec<(u64, Vec<String>)> {
        t.records
            .iter()
            .filter_map(|r| match r {
                RawRecord::Row { line, cells } => Some((*line, cells.clone())),
                RawRecord::Malformed { .. } => None,
            })
            .collect()
    }

    #[test]
    fn csv_bom_quotes_and_embedded_newlines() {
        let data = "\u{feff}Enrollment ID,Legal Business Name,State\r\n\
                    O1,\"Smith, Jones & \"\"Co\"\"\",TX\r\n\
                    O2,\"Two\nLines\",ca\r\n\
                    O3,Plain,NY\r\n";
        let t = parse_csv(data.as_bytes()).expect("csv");
        assert_eq!(t.headers, ["Enrollment ID", "Legal Business Name", "State"]);
        let r = rows(&t);
        assert_eq!(r[0].1[1], "Smith, Jones & \"Co\"");
        assert_eq!(r[1].1[1], "Two\nLines");
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), [2, 3, 5], "line numbers count the embedded newline");
    }

    #[test]
    fn csv_wrong_width_is_malformed_not_dropped() {
        let t = parse_csv(b"a,b\n1,2\n1,2,3\n\n4,5\n").expect("csv");
        assert_eq!(t.records.len(), 3);
        assert!(matches!(&t.records[1], RawRecord::Malformed { line: 3, .. }));
    }

    #[test]
    fn csv_rejects_latin1_with_line() {
        let mut bytes = b"a,b\n1,2\n".to_vec();
        bytes.extend_from_slice(b"Do\xf1a,3\n");
        assert_eq!(parse_csv(&bytes), Err(RawError::Encoding { line: 3 }));
        assert_eq!(parse_csv(b""), Err(RawError::Empty));
    }

    #[test]
    fn json_array_of_objects() {
        let t = parse_json(br#"[{"Enrollment ID":"O1","State":"TX"},{"State":"ca","Enrollment ID":"O2","X":null},{"Enrollment ID":7,"State":"NY"},"oops",{"Enrollment ID":{"a":1},"State":"TX"}]"#).expect("json");
        assert_eq!(t.headers, ["Enrollment ID", "State", "X"]);
        let r = rows(&t);
        assert_eq!(r[0].1, ["O1", "TX", ""]);
        assert_eq!(r[1].1, ["O2", "ca", ""]);
        assert_eq!(r[2].1, ["7", "NY", ""]);
        assert!(matches!(&t.records[3], RawRecord::Malformed { line: 4, .. }));
        assert!(matches!(&t.records[4], RawRecord::Malformed { line: 5, .. }));
    }

    #[test]
    fn json_errors_name_line_and_column() {
        assert!(matches!(parse_json(b"[{\"a\":\"1\"},"), Err(RawError::Json { line: 1, .. })));
        assert!(matches!(parse_json(b"{\"a\":1}"), Err(RawError::JsonShape(_))));
    }
}
