//! Choropleth classes: which class each jurisdiction falls in, the breaks between value classes,
//! their labels and colours. Breaks are computed over value-bearing jurisdictions only; zero,
//! "no data" and "not in the file" are classes of their own and never enter the arithmetic.
//! HTML tables call [`classify`] so they show the same classes as the map.

use std::collections::BTreeMap;

use super::style;
use super::svg::{count, rate};
use super::{ChartError, ChartOptions, Classification};
use crate::metrics::{Display, Metrics, StateRow};

/// The class of one jurisdiction on a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A value class, 0 = lowest.
    Value(usize),
    /// No supplier (the most important class).
    Zero,
    /// No figure to show: no population (per-million map) or no service-area data.
    NoData,
    /// The jurisdiction is not named in the file and has no population.
    NotInFile,
}

impl Class {
    /// CSS class used on map shapes and legend items: `c0`…, `zero`, `no-data`, `not-in-file`.
    pub fn css(self) -> String {
        match self {
            Class::Value(i) => format!("c{i}"),
            Class::Zero => "zero".into(),
            Class::NoData => "no-data".into(),
            Class::NotInFile => "not-in-file".into(),
        }
    }
}

/// Classes of the per-million map (or, inside this module, of another measure).
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    /// The method actually used.
    pub method: Classification,
    /// Ascending upper bounds of every value class but the last; class `i` holds values in
    /// `(breaks[i-1], breaks[i]]`, the first class everything up to `breaks[0]`.
    pub breaks: Vec<f64>,
    /// One legend label per value class, e.g. `≤ 2.0`, `2.0–4.0`, `> 8.0`.
    pub labels: Vec<String>,
    /// One fill colour (`#rrggbb`) per value class.
    pub colors: Vec<String>,
    /// The class of every jurisdiction in `metrics.states`, by USPS code.
    pub by_usps: BTreeMap<String, Class>,
    /// Labels of the three special classes, as worded for this measure.
    pub zero_label: String,
    pub no_data_label: String,
    pub not_in_file_label: String,
}

impl Classes {
    pub fn class_of(&self, usps: &str) -> Option<Class> {
        self.by_usps.get(usps).copied()
    }

    /// Legend label of a class.
    pub fn label(&self, class: Class) -> &str {
        match class {
            Class::Value(i) => self.labels.get(i).map(String::as_str).unwrap_or(""),
            Class::Zero => &self.zero_label,
            Class::NoData => &self.no_data_label,
            Class::NotInFile => &self.not_in_file_label,
        }
    }

    /// A solid colour for the class (tables; the map uses hatch and dot patterns on top).
    pub fn color(&self, class: Class) -> &str {
        match class {
            Class::Value(i) => self.colors.get(i).map(String::as_str).unwrap_or(style::NODATA_BG),
            Class::Zero => style::ZERO_BG,
            Class::NoData => style::NODATA_BG,
            Class::NotInFile => style::NOTINFILE_BG,
        }
    }

    /// How many jurisdictions fall in `class`.
    pub fn members(&self, class: Class) -> usize {
        self.by_usps.values().filter(|c| **c == class).count()
    }
}

/// What a map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    PerMillion,
    Suppliers,
    ServedBy,
}

impl Measure {
    /// The value class input of one row, or its special class.
    pub fn of(self, r: &StateRow) -> Result<f64, Class> {
        match self {
            Measure::PerMillion => match r.display {
                Display::Rate => r.per_million.ok_or(Class::NoData),
                Display::Zero => Err(Class::Zero),
                Display::NoPopulation => Err(Class::NoData),
                Display::NotInFile => Err(Class::NotInFile),
            },
            Measure::Suppliers => match (r.suppliers, r.display) {
                (n, _) if n > 0 => Ok(f64::from(n)),
                (_, Display::NotInFile) => Err(Class::NotInFile),
                _ => Err(Class::Zero),
            },
            Measure::ServedBy => match (r.served_by, r.display) {
                (None, _) => Err(Class::NoData),
                (Some(n), _) if n > 0 => Ok(f64::from(n)),
                (Some(_), Display::NotInFile) => Err(Class::NotInFile),
                (Some(_), _) => Err(Class::Zero),
            },
        }
    }

    fn integer(self) -> bool {
        !matches!(self, Measure::PerMillion)
    }

    fn special_labels(self) -> [&'static str; 3] {
        match self {
            Measure::PerMillion => [Display::Zero.label(), Display::NoPopulation.label(), Display::NotInFile.label()],
            Measure::Suppliers => ["0 suppliers", "no data", Display::NotInFile.label()],
            Measure::ServedBy => ["0 suppliers serve it", "no service-area data", Display::NotInFile.label()],
        }
    }
}

/// Classes of the suppliers-per-million map, as the map draws them.
pub fn classify(metrics: &Metrics, opts: &ChartOptions) -> Classes {
    classify_measure(metrics, opts, Measure::PerMillion)
}

/// Checks options that [`classify`] would otherwise have to repair silently.
pub(crate) fn validate(opts: &ChartOptions) -> Result<(), ChartError> {
    if opts.classification != Classification::Fixed {
        return Ok(());
    }
    let b = opts.fixed_breaks.as_deref().unwrap_or(&[]);
    if b.is_empty() {
        return Err(ChartError::InvalidBreaks("classification is \"fixed\" but no breaks were given".into()));
    }
    if b.iter().any(|v| !v.is_finite() || *v <= 0.0) {
        return Err(ChartError::InvalidBreaks(format!("every break must be a positive number, got {b:?}")));
    }
    if b.windows(2).any(|w| w[0] >= w[1]) {
        return Err(ChartError::InvalidBreaks(format!("breaks must be strictly ascending, got {b:?}")));
    }
    Ok(())
}

pub(crate) fn classify_measure(metrics: &Metrics, opts: &ChartOptions, measure: Measure) -> Classes {
    let mut values: Vec<f64> =
        metrics.states.iter().filter_map(|r| measure.of(r).ok()).filter(|v| v.is_finite()).collect();
    values.sort_by(f64::total_cmp);
    let k = opts.classes.clamp(1, 8);

    // Fixed breaks are in per-million units, so the count maps use quantiles instead.
    let method = match opts.classification {
        Classification::Fixed if measure != Measure::PerMillion => Classification::Quantile,
        m => m,
    };
    let fixed: Vec<f64> = {
        let mut b: Vec<f64> =
            opts.fixed_breaks.iter().flatten().copied().filter(|v| v.is_finite() && *v > 0.0).collect();
        b.sort_by(f64::total_cmp);
        b.dedup();
        b
    };
    let method = if method == Classification::Fixed && fixed.is_empty() { Classification::Quantile } else { method };

    let (breaks, decimals) = match (method, values.first(), values.last()) {
        (Classification::Fixed, _, _) => {
            let d = (0..=2).find(|d| fixed.iter().all(|b| is_multiple(*b, 10f64.powi(-*d)))).unwrap_or(2) as usize;
            (fixed, d)
        }
        (_, Some(&lo), Some(&hi)) => {
            let raw = match method {
                Classification::EqualInterval => (1..k).map(|i| lo + (hi - lo) * i as f64 / k as f64).collect(),
                Classification::Jenks => jenks(&values, k),
                _ => quantile(&values, k),
            };
            let unit = nice_unit(lo, hi, measure.integer());
            let mut b: Vec<f64> = raw.into_iter().map(|v| (v / unit).round() * unit).collect();
            b.dedup_by(|a, b| (*a - *b).abs() < unit / 2.0);
            b.retain(|t| *t >= lo && *t < hi);
            let d = (-unit.log10().floor()).clamp(0.0, 2.0) as usize;
            (b, if measure.integer() { 0 } else { d })
        }
        _ => (Vec::new(), 1),
    };

    let n = if values.is_empty() { 0 } else { breaks.len() + 1 };
    let colors: Vec<String> = style::ramp(n).iter().take(n).map(|c| c.to_string()).collect();
    let labels = labels(&breaks, n, values.first().copied(), values.last().copied(), decimals, measure.integer());
    let by_usps = metrics
        .states
        .iter()
        .map(|r| {
            let class = match measure.of(r) {
                Ok(v) => Class::Value(breaks.iter().position(|b| v <= *b + 1e-9).unwrap_or(breaks.len())),
                Err(c) => c,
            };
            (r.usps.clone(), class)
        })
        .collect();
    let [zero, no_data, not_in_file] = measure.special_labels();
    Classes {
        method,
        breaks,
        labels,
        colors,
        by_usps,
        zero_label: zero.into(),
        no_data_label: no_data.into(),
        not_in_file_label: not_in_file.into(),
    }
}

fn is_multiple(v: f64, unit: f64) -> bool {
    ((v / unit).round() * unit - v).abs() < 1e-9
}

/// A round step for breaks: a tenth of the range's order of magnitude (1 for counts at least).
fn nice_unit(lo: f64, hi: f64, integer: bool) -> f64 {
    let span = if hi > lo { hi - lo } else { hi.abs().max(1e-6) };
    let unit = 10f64.powf(span.log10().floor() - 1.0);
    let unit = unit.max(0.01);
    if integer { unit.max(1.0) } else { unit }
}

fn fmt_break(v: f64, decimals: usize, integer: bool) -> String {
    if integer { count(v.round().max(0.0) as u64) } else { rate(v, decimals) }
}

fn labels(breaks: &[f64], n: usize, lo: Option<f64>, hi: Option<f64>, d: usize, integer: bool) -> Vec<String> {
    let f = |v: f64| fmt_break(v, d, integer);
    match (n, lo, hi) {
        (0, ..) => Vec::new(),
        (1, Some(lo), Some(hi)) if lo == hi => vec![f(lo)],
        (1, Some(lo), Some(hi)) => vec![format!("{}–{}", f(lo), f(hi))],
        _ => (0..n)
            .map(|i| {
                if integer {
                    let from = if i == 0 { 1.0 } else { breaks[i - 1] + 1.0 };
                    match breaks.get(i) {
                        Some(&to) if to <= from => f(to),
                        Some(&to) => format!("{}–{}", f(from), f(to)),
                        None => format!("{}+", f(from)),
                    }
                } else if i == 0 {
                    format!("≤ {}", f(breaks[0]))
                } else if i == n - 1 {
                    format!("> {}", f(breaks[i - 1]))
                } else {
                    format!("{}–{}", f(breaks[i - 1]), f(breaks[i]))
                }
            })
            .collect(),
    }
}

/// Upper bounds of the first k−1 classes holding ~n/k sorted values each.
fn quantile(sorted: &[f64], k: usize) -> Vec<f64> {
    let n = sorted.len();
    (1..k).filter_map(|i| sorted.get(((i * n).div_ceil(k)).saturating_sub(1)).copied()).collect()
}

/// Fisher–Jenks: the k-class partition of sorted values with the least total within-class
/// squared deviation, by dynamic programming (n is at most 56 here).
fn jenks(sorted: &[f64], k: usize) -> Vec<f64> {
    let n = sorted.len();
    let k = k.min(n);
    if k < 2 {
        return Vec::new();
    }
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for (i, v) in sorted.iter().enumerate() {
        s1[i + 1] = s1[i] + v;
        s2[i + 1] = s2[i] + v * v;
    }
    // Squared deviation of sorted[i..j].
    let sse = |i: usize, j: usize| {
        let m = (j - i) as f64;
        let s = s1[j] - s1[i];
        (s2[j] - s2[i] - s * s / m).max(0.0)
    };
    // cost[c][j]: best cost of splitting the first j values into c+1 classes; from[c][j]: start
    // of the last class.
    let mut cost = vec![vec![f64::INFINITY; n + 1]; k];
    let mut from = vec![vec![0usize; n + 1]; k];
    for (j, c) in cost[0].iter_mut().enumerate().skip(1) {
        *c = sse(0, j);
    }
    for c in 1..k {
        for j in (c + 1)..=n {
            for i in c..j {
                let v = cost[c - 1][i] + sse(i, j);
                if v < cost[c][j] {
                    cost[c][j] = v;
                    from[c][j] = i;
                }
            }
        }
    }
    let mut bounds = Vec::with_capacity(k - 1);
    let mut j = n;
    for c in (1..k).rev() {
        let i = from[c][j];
        bounds.push(sorted[i - 1]);
        j = i;
    }
    bounds.reverse();
    bounds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jenks_finds_obvious_groups() {
        let v = [1.0, 1.1, 1.2, 5.0, 5.1, 5.2, 9.0, 9.5];
        assert_eq!(jenks(&v, 3), vec![1.2, 5.2]);
        assert!(jenks(&[3.0], 5).is_empty());
    }

    #[test]
    fn quantile_splits_evenly() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile(&v, 5), vec![2.0, 4.0, 6.0, 8.0]);
    }

    #[test]
    fn labels_for_rates_and_counts() {
        assert_eq!(labels(&[2.0, 4.0], 3, Some(0.5), Some(9.0), 1, false), ["≤ 2.0", "2.0–4.0", "> 4.0"]);
        assert_eq!(labels(&[10.0, 20.0], 3, Some(1.0), Some(90.0), 0, true), ["1–10", "11–20", "21+"]);
    }

    #[test]
    fn parses_method_names() {
        assert_eq!("Equal_Interval".parse::<Classification>().ok(), Some(Classification::EqualInterval));
        assert_eq!("jenks".parse::<Classification>().ok(), Some(Classification::Jenks));
        assert!("median".parse::<Classification>().is_err());
    }

    #[test]
    fn fixed_breaks_are_validated() {
        let mut o = ChartOptions { classification: Classification::Fixed, ..Default::default() };
        assert!(validate(&o).is_err());
        o.fixed_breaks = Some(vec![4.0, 2.0]);
        assert!(validate(&o).is_err());
        o.fixed_breaks = Some(vec![2.0, 4.0]);
        assert!(validate(&o).is_ok());
    }
}
