//! Column discovery: which input header holds which field.
//!
//! Headers are compared after folding case and dropping everything that is not a letter or
//! digit, so `Enrollment ID`, `enrollment_id` and `ENROLLMENT-ID` are the same key. Each field
//! has an explicit alias list covering (a) the data.cms.gov titles, (b) the lower snake_case
//! mirrors of the same file and (c) the simplified schema often quoted for this dataset.

use std::fmt;

/// A field hit-atlas reads from a release file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    EnrollmentId,
    Name,
    Address1,
    Address2,
    City,
    State,
    Zip,
    Phone,
    Specialty,
    AreaType,
    AreaCity,
    AreaState,
    AreaZip,
    AreaCounty,
    Status,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::EnrollmentId,
        Field::Name,
        Field::Address1,
        Field::Address2,
        Field::City,
        Field::State,
        Field::Zip,
        Field::Phone,
        Field::Specialty,
        Field::AreaType,
        Field::AreaCity,
        Field::AreaState,
        Field::AreaZip,
        Field::AreaCounty,
        Field::Status,
    ];

    /// Fields without which a release cannot be counted.
    pub const REQUIRED: [Field; 2] = [Field::EnrollmentId, Field::State];

    /// Header spellings accepted for this field, as people see them (folded before matching).
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::EnrollmentId => &["Enrollment ID", "enrollment_id", "enrlmt_id", "ENRLMT_ID"],
            Field::Name => &["Legal Business Name", "legal_business_name", "organization_name", "org_name", "lbn"],
            Field::Address1 => &["Street Address Line 1", "street_address_line_1", "address", "adr_ln_1"],
            Field::Address2 => &["Street Address Line 2", "street_address_line_2", "adr_ln_2"],
            Field::City => &["City", "city", "city_name"],
            Field::State => &["State", "state", "state_cd", "practice_state"],
            Field::Zip => &["ZIP Code", "zip_code", "zip", "zip_cd"],
            Field::Phone => &["Practice Location Phone Number", "practice_location_phone_number", "phone_number"],
            Field::Specialty => &["Specialty Name", "specialty_name", "provider_type", "provider_type_desc"],
            Field::AreaType => &["Geographic Location Type Description", "geographic_location_type_description"],
            Field::AreaCity => &["Geographic Location City Name", "geographic_location_city_name"],
            Field::AreaState => &["Geographic Location State Code", "geographic_location_state_code"],
            Field::AreaZip => &["Geographic Location ZIP Code", "geographic_location_zip_code"],
            Field::AreaCounty => &["State County Name", "state_county_name"],
            Field::Status => &["Enrollment Status", "enrollment_status"],
        }
    }

    /// True for the columns that describe a service area rather than the supplier.
    pub fn is_service_area(self) -> bool {
        matches!(self, Field::AreaType | Field::AreaCity | Field::AreaState | Field::AreaZip | Field::AreaCounty)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.aliases()[0])
    }
}

/// Columns of the simplified schema that are known but not used; they are not reported as
/// unknown.
const KNOWN_UNUSED: [&str; 5] =
    ["ccn_or_npi", "incorporation_date", "proprietary_nonprofit", "practice_location", "npi"];

/// Folds a header for comparison: lower-case letters and digits only (BOM, NBSP, spaces,
/// underscores and punctuation vanish).
pub fn fold(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The result of matching one file's header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    index: [Option<usize>; Field::ALL.len()],
    /// Headers matched to no field and not known to be unused.
    pub unknown: Vec<String>,
    /// `(field, header)` where the header matched an alias other than the CMS title.
    pub aliased: Vec<(Field, String)>,
}

/// Why a header row cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnProblem {
    Missing(Vec<Field>),
    Ambiguous { field: Field, headers: Vec<String> },
}

impl ColumnMap {
    /// Matches `headers`; fails when a required field is missing or a field matches twice.
    pub fn discover(headers: &[String]) -> Result<ColumnMap, ColumnProblem> {
        let mut index = [None; Field::ALL.len()];
        let mut unknown = Vec::new();
        let mut aliased = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            let key = fold(h);
            let hit = Field::ALL.iter().position(|f| f.aliases().iter().any(|a| fold(a) == key));
            match hit {
                Some(fi) => {
                    if let Some(prev) = index[fi] {
                        let prev: usize = prev;
                        return Err(ColumnProblem::Ambiguous {
                            field: Field::ALL[fi],
                            headers: vec![headers[prev].clone(), h.clone()],
                        });
                    }
                    index[fi] = Some(i);
                    if fold(Field::ALL[fi].aliases()[0]) != key || Field::ALL[fi].aliases()[0] != h.trim() {
                        aliased.push((Field::ALL[fi], h.clone()));
                    }
                }
                None if key.is_empty() || KNOWN_UNUSED.iter().any(|k| fold(k) == key) => {}
                None => unknown.push(h.clone()),
            }
        }
        let missing: Vec<Field> = Field::REQUIRED.iter().copied().filter(|f| index[Self::slot(*f)].is_none()).collect();
        if !missing.is_empty() {
            return Err(ColumnProblem::Missing(missing));
        }
        Ok(ColumnMap { index, unknown, aliased })
    }

    fn slot(field: Field) -> usize {
        Field::ALL.iter().position(|f| *f == field).unwrap_or(0)
    }

    /// The column index holding `field`, if the file has it.
    pub fn get(&self, field: Field) -> Option<usize> {
        self.index[Self::slot(field)]
    }

    /// True when the file has any service-area column.
    pub fn has_service_areas(&self) -> bool {
        Field::ALL.iter().any(|f| f.is_service_area() && self.get(*f).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    const CMS: [&str; 14] = crate::sample::CMS_COLUMNS;

    #[test]
    fn real_cms_titles_match_every_field_but_status() {
        let m = ColumnMap::discover(&headers(&CMS)).expect("cms headers");
        for (i, f) in Field::ALL.iter().enumerate().take(14) {
            assert_eq!(m.get(*f), Some(i), "{f}");
        }
        assert_eq!(m.get(Field::Status), None);
        assert!(m.unknown.is_empty() && m.aliased.is_empty());
        assert!(m.has_service_areas());
    }

    #[test]
    fn snake_case_mirror_matches() {
        let snake: Vec<String> = CMS.iter().map(|h| h.to_lowercase().replace(' ', "_")).collect();
        let m = ColumnMap::discover(&snake).expect("snake headers");
        assert_eq!(m.get(Field::AreaState), Some(11));
        assert_eq!(m.aliased.len(), 14);
    }

    #[test]
    fn simplified_schema_matches_with_status_and_no_areas() {
        let h = headers(&[
            "enrollment_id",
            "ccn_or_npi",
            "provider_type",
            "organization_name",
            "address",
            "city",
            "state",
            "zip_code",
            "enrollment_status",
            "incorporation_date",
            "proprietary_nonprofit",
            "practice_location",
        ]);
        let m = ColumnMap::discover(&h).expect("simplified");
        assert_eq!(m.get(Field::Name), Some(3));
        assert_eq!(m.get(Field::Status), Some(8));
        assert_eq!(m.get(Field::Specialty), Some(2));
        assert!(!m.has_service_areas());
        assert!(m.unknown.is_empty(), "known simplified columns are not unknown: {:?}", m.unknown);
    }

    #[test]
    fn case_punctuation_and_bom_fold_away() {
        let m = ColumnMap::discover(&headers(&["\u{feff}ENROLLMENT-ID", " state ", "Shoe Size"])).expect("ok");
        assert_eq!(m.get(Field::EnrollmentId), Some(0));
        assert_eq!(m.get(Field::State), Some(1));
        assert_eq!(m.unknown, ["Shoe Size"]);
    }

    #[test]
    fn missing_and_ambiguous_are_problems() {
        assert_eq!(
            ColumnMap::discover(&headers(&["Legal Business Name", "City"])),
            Err(ColumnProblem::Missing(vec![Field::EnrollmentId, Field::State]))
        );
        assert!(matches!(
            ColumnMap::discover(&headers(&["Enrollment ID", "enrollment_id", "State"])),
            Err(ColumnProblem::Ambiguous { field: Field::EnrollmentId, .. })
        ));
    }
}
