//! 重複の候補: which other requests are likely the same matter, suggested to the office
//! when it routes one. Same category group, received within the category's number of
//! days, and within its distance — or, where a fix is missing, at the same typed address.
//! The ward record pre-selects by group and dates in SQL and decides here.

use serde::{Deserialize, Serialize};

use crate::calendar::DAY_MS;
use crate::{Catalogue, Place, RequestRecord, Status};

/// Mean radius of the Earth (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The most suggestions given for one request.
pub const MAX_SUGGESTIONS: usize = 20;

/// One suggested duplicate (`GET /api/requests/{id}/duplicates`): the other request as
/// the reader may see it, how far apart the two are, and why it was suggested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateCandidate {
    pub request: RequestRecord,
    /// Metres between the two fixes; `None` when either has none.
    pub distance_m: Option<f64>,
    /// Suggested because both were typed at the same address (no usable fixes).
    #[serde(default)]
    pub same_address: bool,
}

/// Great-circle distance in metres between two (latitude, longitude) points in degrees.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let dlat = lat2 - lat1;
    let dlon = lon2 - lon1;
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

fn fix(place: Option<&Place>) -> Option<(f64, f64)> {
    let p = place?;
    match (p.lat, p.lon) {
        (Some(lat), Some(lon)) if lat.is_finite() && lon.is_finite() => Some((lat, lon)),
        _ => None,
    }
}

/// An address compared without its spacing (全角/半角 spaces, line breaks).
fn address_key(place: Option<&Place>) -> Option<String> {
    let key: String = place?
        .address
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    (!key.is_empty()).then_some(key)
}

/// The category group of a category code (`None` when the category is unknown).
pub fn group_of<'a>(catalogue: &'a Catalogue, category: &str) -> Option<&'a str> {
    catalogue.category(category).map(|c| c.group_ja.as_str())
}

/// The category codes in the same group as `category` (empty when unknown).
pub fn categories_in_group(catalogue: &Catalogue, category: &str) -> Vec<String> {
    let Some(group) = group_of(catalogue, category) else {
        return Vec::new();
    };
    catalogue
        .categories
        .iter()
        .filter(|c| c.group_ja == group)
        .map(|c| c.code.clone())
        .collect()
}

/// The window of `received_at` (ms, inclusive) in which another request may be a
/// duplicate of `this`, by its category's days; `None` when the category is unknown.
pub fn window(this: &RequestRecord, catalogue: &Catalogue) -> Option<(i64, i64)> {
    let days = i64::from(catalogue.category(&this.category)?.duplicate_days);
    let span = days.saturating_mul(DAY_MS);
    Some((
        this.received_at.saturating_sub(span),
        this.received_at.saturating_add(span),
    ))
}

/// Whether `other` is likely the same matter as `this`: another request, not itself
/// marked 重複, in the same category group, received within `this` category's days and
/// within its distance. Both need a GPS fix to be compared by distance; when either has
/// none, only the same typed address suggests it. Unknown categories suggest nothing.
/// Returns the candidate's distance when suggested.
pub fn likely_duplicate(
    this: &RequestRecord,
    other: &RequestRecord,
    catalogue: &Catalogue,
) -> Option<(Option<f64>, bool)> {
    if other.id == this.id || other.status == Status::Duplicate {
        return None;
    }
    let rule = catalogue.category(&this.category)?;
    let other_group = group_of(catalogue, &other.category)?;
    if other_group != rule.group_ja {
        return None;
    }
    let (from, to) = window(this, catalogue)?;
    if other.received_at < from || other.received_at > to {
        return None;
    }
    match (fix(this.place.as_ref()), fix(other.place.as_ref())) {
        (Some(a), Some(b)) => {
            let d = haversine_m(a, b);
            (d <= f64::from(rule.duplicate_radius_m)).then_some((Some(d), false))
        }
        _ => match (
            address_key(this.place.as_ref()),
            address_key(other.place.as_ref()),
        ) {
            (Some(a), Some(b)) if a == b => Some((None, true)),
            _ => None,
        },
    }
}

/// The likely duplicates of `this` among `others`, nearest first (those matched by
/// address after those with a distance, then the closest in time), at most
/// [`MAX_SUGGESTIONS`].
pub fn suggest(
    this: &RequestRecord,
    others: Vec<RequestRecord>,
    catalogue: &Catalogue,
) -> Vec<DuplicateCandidate> {
    let mut found: Vec<DuplicateCandidate> = others
        .into_iter()
        .filter_map(|other| {
            let (distance_m, same_address) = likely_duplicate(this, &other, catalogue)?;
            Some(DuplicateCandidate {
                request: other,
                distance_m,
                same_address,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        let da = a.distance_m.unwrap_or(f64::INFINITY);
        let db = b.distance_m.unwrap_or(f64::INFINITY);
        da.total_cmp(&db).then_with(|| {
            (a.request.received_at - this.received_at)
                .abs()
                .cmp(&(b.request.received_at - this.received_at).abs())
        })
    });
    found.truncate(MAX_SUGGESTIONS);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::sample;
    use crate::{Category, NewRequest, Urgency};

    fn catalogue() -> Catalogue {
        let mut c = sample();
        let mut light = c.categories[0].clone();
        light.code = "road-light".into();
        light.name_ja = "街路灯".into();
        light.duplicate_radius_m = 200;
        light.duplicate_days = 3;
        c.categories.push(light);
        c.categories.push(Category {
            code: "park-bench".into(),
            group_ja: "公園".into(),
            group_en: "Parks".into(),
            ..c.categories[0].clone()
        });
        c
    }

    fn at(n: u8, category: &str, lat: Option<f64>, lon: Option<f64>, day: i64) -> RequestRecord {
        let request = NewRequest {
            id: crate::id::request_id(u64::from(n), [n; 10]),
            category: category.into(),
            title: "穴".into(),
            description: String::new(),
            place: Place {
                lat,
                lon,
                accuracy_m: None,
                address: String::new(),
                landmark: String::new(),
            },
            urgency: Urgency::High,
            logged_at: 0,
            contact: Default::default(),
        };
        RequestRecord::created(
            &request,
            "road",
            "road01",
            1_780_000_000_000 + day * DAY_MS,
            i64::from(n),
        )
    }

    // About 11.1 m per 0.0001° of latitude.
    const LAT: f64 = 35.5897;
    const LON: f64 = 139.6156;

    #[test]
    fn haversine_is_a_metre_scale_distance() {
        assert_eq!(haversine_m((LAT, LON), (LAT, LON)), 0.0);
        let d = haversine_m((LAT, LON), (LAT + 0.001, LON));
        assert!((d - 111.2).abs() < 0.5, "{d}");
        // Tokyo station to Kawasaki station: about 17.5 km.
        let d = haversine_m((35.6812, 139.7671), (35.5313, 139.6969));
        assert!((17_000.0..18_500.0).contains(&d), "{d}");
    }

    #[test]
    fn same_group_within_distance_and_days_is_suggested() {
        let c = catalogue();
        let this = at(1, "road-pothole", Some(LAT), Some(LON), 10);
        // 33 m away, 5 days before, another road category.
        let near = at(2, "road-light", Some(LAT + 0.0003), Some(LON), 5);
        let (d, by_address) = likely_duplicate(&this, &near, &c).expect("suggested");
        assert!((d.unwrap() - 33.4).abs() < 0.5);
        assert!(!by_address);
        // The rule is this request's category's: 50 m and 14 days.
        let far = at(3, "road-pothole", Some(LAT + 0.0006), Some(LON), 10);
        assert_eq!(likely_duplicate(&this, &far, &c), None);
        let old = at(4, "road-pothole", Some(LAT), Some(LON), 10 - 15);
        assert_eq!(likely_duplicate(&this, &old, &c), None);
        let later = at(5, "road-pothole", Some(LAT), Some(LON), 10 + 14);
        assert!(likely_duplicate(&this, &later, &c).is_some());
        // Another group, even at the same spot, is not.
        let park = at(6, "park-bench", Some(LAT), Some(LON), 10);
        assert_eq!(likely_duplicate(&this, &park, &c), None);
        // Not itself, and not one already marked a duplicate.
        assert_eq!(likely_duplicate(&this, &this, &c), None);
        let mut marked = at(7, "road-pothole", Some(LAT), Some(LON), 10);
        marked.status = Status::Duplicate;
        assert_eq!(likely_duplicate(&this, &marked, &c), None);
    }

    #[test]
    fn the_other_category_rule_applies_from_its_side() {
        let c = catalogue();
        // road-light: 200 m, 3 days.
        let this = at(1, "road-light", Some(LAT), Some(LON), 10);
        let m150 = at(2, "road-pothole", Some(LAT + 0.00135), Some(LON), 11);
        assert!(likely_duplicate(&this, &m150, &c).is_some());
        let days4 = at(3, "road-pothole", Some(LAT), Some(LON), 14);
        assert_eq!(likely_duplicate(&this, &days4, &c), None);
    }

    #[test]
    fn missing_coordinates_are_not_suggested_by_distance() {
        let c = catalogue();
        let this = at(1, "road-pothole", Some(LAT), Some(LON), 10);
        let no_fix = at(2, "road-pothole", None, None, 10);
        assert_eq!(likely_duplicate(&this, &no_fix, &c), None);
        let half = at(3, "road-pothole", Some(LAT), None, 10);
        assert_eq!(likely_duplicate(&this, &half, &c), None);
        let nan = at(4, "road-pothole", Some(f64::NAN), Some(LON), 10);
        assert_eq!(likely_duplicate(&this, &nan, &c), None);
        // Without a fix, the same typed address (spacing aside) still suggests it.
        let mut a = at(5, "road-pothole", None, None, 10);
        a.place.as_mut().unwrap().address = "高津区下作延２－８ ".into();
        let mut b = at(6, "road-pothole", Some(LAT), Some(LON), 9);
        b.place.as_mut().unwrap().address = "高津区 下作延２－８".into();
        assert_eq!(likely_duplicate(&a, &b, &c), Some((None, true)));
        b.place.as_mut().unwrap().address = "高津区溝口1".into();
        assert_eq!(likely_duplicate(&a, &b, &c), None);
        // A redacted record (no place at all) is never suggested by place.
        let mut hidden = at(7, "road-pothole", Some(LAT), Some(LON), 10);
        hidden.place = None;
        assert_eq!(likely_duplicate(&this, &hidden, &c), None);
    }

    #[test]
    fn unknown_categories_suggest_nothing() {
        let c = catalogue();
        let this = at(1, "gone", Some(LAT), Some(LON), 10);
        let other = at(2, "road-pothole", Some(LAT), Some(LON), 10);
        assert_eq!(likely_duplicate(&this, &other, &c), None);
        assert_eq!(likely_duplicate(&other, &this, &c), None);
        assert!(categories_in_group(&c, "gone").is_empty());
        assert_eq!(
            categories_in_group(&c, "road-pothole"),
            ["road-pothole", "road-light"]
        );
    }

    #[test]
    fn suggestions_are_nearest_first_and_bounded() {
        let c = catalogue();
        let this = at(1, "road-pothole", Some(LAT), Some(LON), 10);
        let others = vec![
            at(2, "road-pothole", Some(LAT + 0.0004), Some(LON), 10),
            at(3, "road-pothole", Some(LAT + 0.0001), Some(LON), 10),
            at(4, "park-bench", Some(LAT), Some(LON), 10),
        ];
        let found = suggest(&this, others, &c);
        let ids: Vec<_> = found.iter().map(|f| f.request.version).collect();
        assert_eq!(ids, [3, 2]);
        let many = (10..60)
            .map(|n| at(n, "road-pothole", Some(LAT), Some(LON), 10))
            .collect();
        assert_eq!(suggest(&this, many, &c).len(), MAX_SUGGESTIONS);
    }
}
