//! Jurisdictions and their shapes.
//!
//! The jurisdiction table (FIPS, USPS code, display name) is the one list every stage agrees on:
//! the 50 states, DC and Puerto Rico are always reported, and the four other territories appear
//! when the data or the map needs them. [`parse_states`] turns the bundled us-atlas GeoJSON into
//! typed rings in longitude/latitude; projecting them is the chart stage's job.

use std::collections::BTreeMap;

use thiserror::Error;

/// What kind of place a jurisdiction is; it decides whether it must appear in every table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JurisdictionKind {
    State,
    District,
    /// Puerto Rico: has Census population and is always reported.
    Commonwealth,
    /// AS, GU, MP, VI: no Census population in the state estimates; reported when present.
    Territory,
}

/// One row of the jurisdiction table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Jurisdiction {
    pub fips: &'static str,
    pub usps: &'static str,
    pub name: &'static str,
    pub kind: JurisdictionKind,
}

impl Jurisdiction {
    /// The 50 states, DC and PR are reported in every table, zero or not.
    pub fn always_reported(&self) -> bool {
        !matches!(self.kind, JurisdictionKind::Territory)
    }
}

use JurisdictionKind::{Commonwealth, District, State, Territory};

const fn j(fips: &'static str, usps: &'static str, name: &'static str, kind: JurisdictionKind) -> Jurisdiction {
    Jurisdiction { fips, usps, name, kind }
}

/// Every jurisdiction a valid state code can name, sorted by FIPS code.
pub const JURISDICTIONS: [Jurisdiction; 56] = [
    j("01", "AL", "Alabama", State),
    j("02", "AK", "Alaska", State),
    j("04", "AZ", "Arizona", State),
    j("05", "AR", "Arkansas", State),
    j("06", "CA", "California", State),
    j("08", "CO", "Colorado", State),
    j("09", "CT", "Connecticut", State),
    j("10", "DE", "Delaware", State),
    j("11", "DC", "District of Columbia", District),
    j("12", "FL", "Florida", State),
    j("13", "GA", "Georgia", State),
    j("15", "HI", "Hawaii", State),
    j("16", "ID", "Idaho", State),
    j("17", "IL", "Illinois", State),
    j("18", "IN", "Indiana", State),
    j("19", "IA", "Iowa", State),
    j("20", "KS", "Kansas", State),
    j("21", "KY", "Kentucky", State),
    j("22", "LA", "Louisiana", State),
    j("23", "ME", "Maine", State),
    j("24", "MD", "Maryland", State),
    j("25", "MA", "Massachusetts", State),
    j("26", "MI", "Michigan", State),
    j("27", "MN", "Minnesota", State),
    j("28", "MS", "Mississippi", State),
    j("29", "MO", "Missouri", State),
    j("30", "MT", "Montana", State),
    j("31", "NE", "Nebraska", State),
    j("32", "NV", "Nevada", State),
    j("33", "NH", "New Hampshire", State),
    j("34", "NJ", "New Jersey", State),
    j("35", "NM", "New Mexico", State),
    j("36", "NY", "New York", State),
    j("37", "NC", "North Carolina", State),
    j("38", "ND", "North Dakota", State),
    j("39", "OH", "Ohio", State),
    j("40", "OK", "Oklahoma", State),
    j("41", "OR", "Oregon", State),
    j("42", "PA", "Pennsylvania", State),
    j("44", "RI", "Rhode Island", State),
    j("45", "SC", "South Carolina", State),
    j("46", "SD", "South Dakota", State),
    j("47", "TN", "Tennessee", State),
    j("48", "TX", "Texas", State),
    j("49", "UT", "Utah", State),
    j("50", "VT", "Vermont", State),
    j("51", "VA", "Virginia", State),
    j("53", "WA", "Washington", State),
    j("54", "WV", "West Virginia", State),
    j("55", "WI", "Wisconsin", State),
    j("56", "WY", "Wyoming", State),
    j("60", "AS", "American Samoa", Territory),
    j("66", "GU", "Guam", Territory),
    j("69", "MP", "Northern Mariana Islands", Territory),
    j("72", "PR", "Puerto Rico", Commonwealth),
    j("78", "VI", "U.S. Virgin Islands", Territory),
];

/// Looks a jurisdiction up by its USPS code (already trimmed and upper-cased).
pub fn by_usps(code: &str) -> Option<&'static Jurisdiction> {
    JURISDICTIONS.iter().find(|j| j.usps == code)
}

/// Looks a jurisdiction up by its two-digit FIPS code.
pub fn by_fips(fips: &str) -> Option<&'static Jurisdiction> {
    JURISDICTIONS.iter().find(|j| j.fips == fips)
}

/// A ring of (longitude, latitude) points, closed or not.
pub type Ring = Vec<(f64, f64)>;

/// One polygon: the outer ring first, then its holes.
pub type Polygon = Vec<Ring>;

/// The geometry of one jurisdiction, unprojected.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub fips: String,
    pub name: String,
    pub polygons: Vec<Polygon>,
}

/// A problem with a GeoJSON boundary file.
#[derive(Debug, Error)]
pub enum GeoError {
    #[error("{source_name}: not valid GeoJSON: {message}")]
    Parse { source_name: String, message: String },
    #[error("{source_name}: feature #{index} has no 2-digit FIPS code in `id` or `properties.fips`")]
    MissingFips { source_name: String, index: usize },
    #[error("{source_name}: feature {fips} has a {kind} geometry; only Polygon and MultiPolygon are drawn")]
    UnsupportedGeometry { source_name: String, fips: String, kind: String },
}

/// Parses a FeatureCollection of state shapes (us-atlas layout) keyed by FIPS.
pub fn parse_states(source_name: &str, text: &str) -> Result<BTreeMap<String, Shape>, GeoError> {
    use geojson::{GeoJson, GeometryValue};
    let parse_err = |message: String| GeoError::Parse { source_name: source_name.to_string(), message };
    let gj: GeoJson = text.parse().map_err(|e: geojson::Error| parse_err(e.to_string()))?;
    let GeoJson::FeatureCollection(fc) = gj else {
        return Err(parse_err("expected a FeatureCollection".into()));
    };
    let mut out = BTreeMap::new();
    for (index, feature) in fc.features.iter().enumerate() {
        let fips = feature
            .property("fips")
            .and_then(|v| v.as_str().map(str::to_string))
            .or_else(|| match &feature.id {
                Some(geojson::feature::Id::String(s)) => Some(s.clone()),
                _ => None,
            })
            .filter(|f| f.len() == 2 && f.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| GeoError::MissingFips { source_name: source_name.to_string(), index })?;
        let name = feature.property("name").and_then(|v| v.as_str()).unwrap_or("").to_string();
        let ring = |r: &Vec<geojson::Position>| -> Ring { r.iter().map(|p| (p[0], p[1])).collect() };
        let polygons = match feature.geometry.as_ref().map(|g| &g.value) {
            Some(GeometryValue::Polygon { coordinates }) => vec![coordinates.iter().map(ring).collect()],
            Some(GeometryValue::MultiPolygon { coordinates }) => {
                coordinates.iter().map(|p| p.iter().map(ring).collect()).collect()
            }
            None => Vec::new(),
            Some(other) => {
                return Err(GeoError::UnsupportedGeometry {
                    source_name: source_name.to_string(),
                    fips,
                    kind: other.type_name().to_string(),
                });
            }
        };
        out.insert(fips.clone(), Shape { fips, name, polygons });
    }
    Ok(out)
}

/// The bundled state boundaries (us-atlas 3.0.1, Census cartographic boundaries 1:10m).
pub const BUNDLED_STATES_GEOJSON: &str = include_str!("../geo/us-states.geojson");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_complete() {
        let fips: Vec<_> = JURISDICTIONS.iter().map(|j| j.fips).collect();
        let mut sorted = fips.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(fips, sorted);
        assert_eq!(JURISDICTIONS.iter().filter(|j| j.always_reported()).count(), 52);
        assert_eq!(by_usps("PR").map(|j| j.fips), Some("72"));
        assert_eq!(by_fips("11").map(|j| j.usps), Some("DC"));
        assert!(by_usps("XX").is_none());
    }

    #[test]
    fn bundled_geojson_has_every_jurisdiction() {
        let shapes = parse_states("us-states.geojson", BUNDLED_STATES_GEOJSON).expect("bundled file parses");
        assert_eq!(shapes.len(), 56);
        for j in &JURISDICTIONS {
            let s = &shapes[j.fips];
            assert!(!s.polygons.is_empty(), "{} has no polygons", j.usps);
        }
        assert!(shapes["02"].polygons.len() > 10, "Alaska is a MultiPolygon with many islands");
    }

    #[test]
    fn rejects_non_collections_and_missing_fips() {
        assert!(matches!(parse_states("x", "{\"type\":\"Point\",\"coordinates\":[0,0]}"), Err(GeoError::Parse { .. })));
        let no_fips = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#;
        assert!(matches!(parse_states("x", no_fips), Err(GeoError::MissingFips { index: 0, .. })));
    }
}
