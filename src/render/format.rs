//! Number and date formatting for people (the only place numbers become display strings).

use chrono::NaiveDate;

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A per-million rate with one decimal, or the words for a missing one.
pub fn rate(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:.1}"),
        None => "no data".into(),
    }
}

/// 2025-01-07 → "January 7, 2025".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%B %-d, %Y").to_string()
}

/// A signed change: "+3", "−2" (minus sign), "0".
pub fn signed(n: i64) -> String {
    match n {
        0 => "0".into(),
        n if n > 0 => format!("+{}", thousands(n as u64)),
        n => format!("\u{2212}{}", thousands(n.unsigned_abs())),
    }
}

/// Joins names as prose: "A", "A and B", "A, B and C".
pub fn prose_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(340_110_988), "340,110,988");
        assert_eq!(rate(Some(1.25)), "1.2");
        assert_eq!(rate(None), "no data");
        assert_eq!(long_date("2025-01-07".parse().expect("d")), "January 7, 2025");
        assert_eq!(signed(-1200), "\u{2212}1,200");
        assert_eq!(signed(5), "+5");
        assert_eq!(prose_list(&["A".into(), "B".into(), "C".into()]), "A, B and C");
        assert_eq!(prose_list(&["A".into()]), "A");
    }
}
