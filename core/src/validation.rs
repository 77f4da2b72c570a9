//! What a valid request is. The device checks before saving, the ward record checks
//! again before storing: the same function on both sides.

use crate::{Bilingual, Catalogue, Contact, NewRequest, Place};

pub const TITLE_MAX_CHARS: usize = 120;
pub const DESCRIPTION_MAX_CHARS: usize = 4000;
pub const ADDRESS_MAX_CHARS: usize = 300;
pub const LANDMARK_MAX_CHARS: usize = 200;
pub const NAME_MAX_CHARS: usize = 100;
pub const PHONE_MAX_CHARS: usize = 20;
/// A phone number has at least this many digits (市外局番 included).
pub const PHONE_MIN_DIGITS: usize = 6;
pub const EMAIL_MAX_CHARS: usize = 254;
pub const RESPONSE_MAX_CHARS: usize = 4000;
pub const NOTE_MAX_CHARS: usize = 4000;
pub const STAFF_ID_MAX_CHARS: usize = 64;
/// Sections a request is shared with (連携先), at most: a ward has a few dozen sections,
/// and an unbounded list is work for every reader of the request.
pub const SHARED_WITH_MAX: usize = 30;
/// GPS accuracy beyond this (metres) is not a fix of a place.
pub const ACCURACY_MAX_M: f64 = 100_000.0;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    #[error("title is empty")]
    EmptyTitle,
    #[error("title is longer than {max} characters ({len})")]
    TitleTooLong { len: usize, max: usize },
    #[error("description is longer than {max} characters ({len})")]
    DescriptionTooLong { len: usize, max: usize },
    #[error("address is longer than {max} characters ({len})")]
    AddressTooLong { len: usize, max: usize },
    #[error("unknown category {0}")]
    UnknownCategory(String),
    #[error("latitude {0} is out of range")]
    LatitudeOutOfRange(f64),
    #[error("longitude {0} is out of range")]
    LongitudeOutOfRange(f64),
    #[error("accuracy {0} is not a usable GPS accuracy")]
    BadAccuracy(f64),
    #[error("latitude and longitude come together")]
    HalfACoordinate,
    #[error("no place given")]
    NoPlace,
    #[error("id is not a UUIDv7")]
    BadId,
    #[error("landmark is longer than {max} characters ({len})")]
    LandmarkTooLong { len: usize, max: usize },
    #[error("resident name is longer than {max} characters ({len})")]
    NameTooLong { len: usize, max: usize },
    #[error("phone number {0:?} is not a phone number")]
    BadPhone(String),
    #[error("email address {0:?} is not an email address")]
    BadEmail(String),
    #[error("response is longer than {max} characters ({len})")]
    ResponseTooLong { len: usize, max: usize },
    #[error("note is empty")]
    EmptyNote,
    #[error("note is longer than {max} characters ({len})")]
    NoteTooLong { len: usize, max: usize },
    #[error("unknown section {0}")]
    UnknownSection(String),
    #[error("staff id {0:?} is malformed")]
    BadStaffId(String),
    #[error("shared with {len} sections, more than {max}")]
    TooManySections { len: usize, max: usize },
}

impl ValidationError {
    /// A stable code for programs (and tests) to match on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyTitle => "empty_title",
            Self::TitleTooLong { .. } => "title_too_long",
            Self::DescriptionTooLong { .. } => "description_too_long",
            Self::AddressTooLong { .. } => "address_too_long",
            Self::UnknownCategory(_) => "unknown_category",
            Self::LatitudeOutOfRange(_) => "latitude_out_of_range",
            Self::LongitudeOutOfRange(_) => "longitude_out_of_range",
            Self::BadAccuracy(_) => "bad_accuracy",
            Self::HalfACoordinate => "half_a_coordinate",
            Self::NoPlace => "no_place",
            Self::BadId => "bad_id",
            Self::LandmarkTooLong { .. } => "landmark_too_long",
            Self::NameTooLong { .. } => "name_too_long",
            Self::BadPhone(_) => "bad_phone",
            Self::BadEmail(_) => "bad_email",
            Self::ResponseTooLong { .. } => "response_too_long",
            Self::EmptyNote => "empty_note",
            Self::NoteTooLong { .. } => "note_too_long",
            Self::UnknownSection(_) => "unknown_section",
            Self::BadStaffId(_) => "bad_staff_id",
            Self::TooManySections { .. } => "too_many_sections",
        }
    }

    /// What a person reads, saying what to do about it.
    pub fn message(&self) -> Bilingual {
        match self {
            Self::EmptyTitle => Bilingual::new("件名を入力してください。", "Enter a title."),
            Self::TitleTooLong { len, max } => Bilingual::new(
                format!("件名は{max}文字以内にしてください（現在{len}文字）。"),
                format!("Keep the title to {max} characters (now {len})."),
            ),
            Self::DescriptionTooLong { len, max } => Bilingual::new(
                format!("内容は{max}文字以内にしてください（現在{len}文字）。"),
                format!("Keep the description to {max} characters (now {len})."),
            ),
            Self::AddressTooLong { len, max } => Bilingual::new(
                format!("住所は{max}文字以内にしてください（現在{len}文字）。"),
                format!("Keep the address to {max} characters (now {len})."),
            ),
            Self::UnknownCategory(code) => Bilingual::new(
                format!("分類「{code}」はありません。一覧から選んでください。"),
                format!("There is no category \"{code}\". Choose one from the list."),
            ),
            Self::LatitudeOutOfRange(v) => Bilingual::new(
                format!("緯度 {v} は範囲外です（-90〜90）。位置を取り直してください。"),
                format!("Latitude {v} is out of range (-90 to 90). Take the position again."),
            ),
            Self::LongitudeOutOfRange(v) => Bilingual::new(
                format!("経度 {v} は範囲外です（-180〜180）。位置を取り直してください。"),
                format!("Longitude {v} is out of range (-180 to 180). Take the position again."),
            ),
            Self::BadAccuracy(v) => Bilingual::new(
                format!("位置の精度 {v} m は使えません。位置を取り直すか住所を入力してください。"),
                format!("A position accuracy of {v} m is not usable. Take the position again or type an address."),
            ),
            Self::HalfACoordinate => Bilingual::new(
                "緯度と経度は両方必要です。位置を取り直してください。",
                "Latitude and longitude go together. Take the position again.",
            ),
            Self::NoPlace => Bilingual::new(
                "場所がありません。位置を取得するか住所を入力してください。",
                "No place given. Take the position or type an address.",
            ),
            Self::BadId => Bilingual::new(
                "受付番号の形式が正しくありません。アプリを更新してください。",
                "The request id is malformed. Update the app.",
            ),
            Self::LandmarkTooLong { len, max } => Bilingual::new(
                format!("目印は{max}文字以内にしてください（現在{len}文字）。"),
                format!("Keep the landmark to {max} characters (now {len})."),
            ),
            Self::NameTooLong { len, max } => Bilingual::new(
                format!("お名前は{max}文字以内にしてください（現在{len}文字）。"),
                format!("Keep the resident's name to {max} characters (now {len})."),
            ),
            Self::BadPhone(v) => Bilingual::new(
                format!("電話番号「{v}」が正しくありません。数字とハイフンで入力してください（例 044-861-3111）。"),
                format!("The phone number \"{v}\" is not valid. Use digits and hyphens (e.g. 044-861-3111)."),
            ),
            Self::BadEmail(v) => Bilingual::new(
                format!("メールアドレス「{v}」が正しくありません。確かめて入力し直してください。"),
                format!("The email address \"{v}\" is not valid. Check it and type it again."),
            ),
            Self::ResponseTooLong { len, max } => Bilingual::new(
                format!("対応内容は{max}文字以内にしてください（現在{len}文字）。"),
                format!("Keep the response to {max} characters (now {len})."),
            ),
            Self::EmptyNote => Bilingual::new("メモを入力してください。", "Write the note."),
            Self::NoteTooLong { len, max } => Bilingual::new(
                format!("メモは{max}文字以内にしてください（現在{len}文字）。"),
                format!("Keep the note to {max} characters (now {len})."),
            ),
            Self::UnknownSection(code) => Bilingual::new(
                format!("課「{code}」はありません。一覧から選んでください。"),
                format!("There is no section \"{code}\". Choose one from the list."),
            ),
            Self::BadStaffId(v) => Bilingual::new(
                format!("職員ID「{v}」が正しくありません。一覧から選んでください。"),
                format!("The staff id \"{v}\" is not valid. Choose one from the list."),
            ),
            Self::TooManySections { len, max } => Bilingual::new(
                format!("連携先は{max}課までです（{len}件）。必要な課に絞ってください。"),
                format!("Share with at most {max} sections (got {len}). Keep the ones that need it."),
            ),
        }
    }
}

/// Checks a request logged on the device against the catalogue. Returns the first
/// problem, in the order the form shows its fields.
pub fn validate_new_request(
    req: &NewRequest,
    catalogue: &Catalogue,
) -> Result<(), ValidationError> {
    if req.id.get_version_num() != 7 {
        return Err(ValidationError::BadId);
    }
    if catalogue.category(&req.category).is_none() {
        return Err(ValidationError::UnknownCategory(req.category.clone()));
    }
    validate_title(&req.title)?;
    validate_description(&req.description)?;
    validate_place(&req.place)?;
    validate_contact(&req.contact)
}

/// A title: not blank, within bounds (counted after trimming).
pub fn validate_title(title: &str) -> Result<(), ValidationError> {
    let title = title.trim();
    if title.is_empty() {
        return Err(ValidationError::EmptyTitle);
    }
    check_len(title, TITLE_MAX_CHARS, |len, max| {
        ValidationError::TitleTooLong { len, max }
    })
}

/// What the resident said, within bounds.
pub fn validate_description(description: &str) -> Result<(), ValidationError> {
    check_len(description, DESCRIPTION_MAX_CHARS, |len, max| {
        ValidationError::DescriptionTooLong { len, max }
    })
}

/// Checks a place: coordinates on the globe and together, a usable accuracy, text
/// within bounds, and some place at all.
pub fn validate_place(place: &Place) -> Result<(), ValidationError> {
    check_len(&place.address, ADDRESS_MAX_CHARS, |len, max| {
        ValidationError::AddressTooLong { len, max }
    })?;
    check_len(&place.landmark, LANDMARK_MAX_CHARS, |len, max| {
        ValidationError::LandmarkTooLong { len, max }
    })?;
    match (place.lat, place.lon) {
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(ValidationError::LatitudeOutOfRange(lat));
            }
            if !(-180.0..=180.0).contains(&lon) {
                return Err(ValidationError::LongitudeOutOfRange(lon));
            }
        }
        (None, None) => {
            if place.address.trim().is_empty() && place.landmark.trim().is_empty() {
                return Err(ValidationError::NoPlace);
            }
        }
        _ => return Err(ValidationError::HalfACoordinate),
    }
    if let Some(acc) = place.accuracy_m {
        // NaN fails the range check too.
        if !(0.0..=ACCURACY_MAX_M).contains(&acc) {
            return Err(ValidationError::BadAccuracy(acc));
        }
    }
    Ok(())
}

/// Checks a resident's contact: anything left out is fine (anonymous), what is given must
/// look like what it claims to be.
pub fn validate_contact(contact: &Contact) -> Result<(), ValidationError> {
    if let Some(name) = &contact.name {
        check_len(name.trim(), NAME_MAX_CHARS, |len, max| {
            ValidationError::NameTooLong { len, max }
        })?;
    }
    if let Some(phone) = contact.phone.as_deref().map(str::trim) {
        if !phone.is_empty() && !is_phone(phone) {
            return Err(ValidationError::BadPhone(phone.to_string()));
        }
    }
    if let Some(email) = contact.email.as_deref().map(str::trim) {
        if !email.is_empty() && !is_email(email) {
            return Err(ValidationError::BadEmail(email.to_string()));
        }
    }
    Ok(())
}

/// Digits (half or full width), hyphens, spaces, parentheses and a leading +.
fn is_phone(phone: &str) -> bool {
    let digits = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .count();
    phone.chars().count() <= PHONE_MAX_CHARS
        && digits >= PHONE_MIN_DIGITS
        && phone.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit()
                || ('０'..='９').contains(&c)
                || matches!(c, '-' | 'ー' | '－' | ' ' | '(' | ')')
                || (c == '+' && i == 0)
        })
}

/// One @, something before it, a dotted domain after it, no spaces.
fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.chars().count() <= EMAIL_MAX_CHARS
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// Checks the response given to the resident (対応内容).
pub fn validate_response(response: &str) -> Result<(), ValidationError> {
    check_len(response, RESPONSE_MAX_CHARS, |len, max| {
        ValidationError::ResponseTooLong { len, max }
    })
}

/// Checks an internal note's text.
pub fn validate_note(text: &str) -> Result<(), ValidationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ValidationError::EmptyNote);
    }
    check_len(text, NOTE_MAX_CHARS, |len, max| {
        ValidationError::NoteTooLong { len, max }
    })
}

/// Checks that a section exists in the catalogue.
pub fn validate_section(code: &str, catalogue: &Catalogue) -> Result<(), ValidationError> {
    match catalogue.section(code) {
        Some(_) => Ok(()),
        None => Err(ValidationError::UnknownSection(code.to_string())),
    }
}

/// Checks a list of sections to share with (連携先): at most [`SHARED_WITH_MAX`] entries
/// (counted before repeats are dropped, so a huge list is refused before any other work),
/// each one in the catalogue.
pub fn validate_shared_with(list: &[String], catalogue: &Catalogue) -> Result<(), ValidationError> {
    if list.len() > SHARED_WITH_MAX {
        return Err(ValidationError::TooManySections {
            len: list.len(),
            max: SHARED_WITH_MAX,
        });
    }
    list.iter().try_for_each(|s| validate_section(s, catalogue))
}

/// The stored form of a 連携先 list: sorted, each section once.
pub fn normalize_shared_with(mut list: Vec<String>) -> Vec<String> {
    list.sort_unstable();
    list.dedup();
    list
}

/// Checks the shape of a staff id (whether the account exists is the ward record's to say).
pub fn validate_staff_id(id: &str) -> Result<(), ValidationError> {
    let ok = !id.is_empty()
        && id.chars().count() <= STAFF_ID_MAX_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::BadStaffId(id.to_string()))
    }
}

fn check_len(
    text: &str,
    max: usize,
    err: impl FnOnce(usize, usize) -> ValidationError,
) -> Result<(), ValidationError> {
    let len = text.chars().count();
    if len > max {
        Err(err(len, max))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::sample;
    use crate::id::request_id;
    use crate::{Place, Urgency};
    use proptest::prelude::*;

    fn pothole() -> NewRequest {
        NewRequest {
            id: request_id(1_763_700_000_000, [1; 10]),
            category: "road-pothole".into(),
            title: "歩道の段差".into(),
            description: "高齢の方がつまずいたとのこと".into(),
            place: Place {
                lat: Some(35.6),
                lon: Some(139.6),
                accuracy_m: Some(8.0),
                address: String::new(),
                landmark: String::new(),
            },
            urgency: Urgency::High,
            logged_at: 1_763_700_000_000,
            contact: Contact::default(),
        }
    }

    fn err(req: &NewRequest) -> ValidationError {
        validate_new_request(req, &sample()).unwrap_err()
    }

    #[test]
    fn a_plain_road_request_is_valid() {
        assert_eq!(validate_new_request(&pothole(), &sample()), Ok(()));
    }

    #[test]
    fn empty_or_blank_title_is_refused() {
        let mut r = pothole();
        r.title = "  　".into(); // includes an ideographic space
        assert_eq!(err(&r), ValidationError::EmptyTitle);
        assert!(err(&r).message().ja.contains("件名"));
    }

    #[test]
    fn unknown_category_is_refused_with_its_code() {
        let mut r = pothole();
        r.category = "road-dragon".into();
        assert_eq!(err(&r).code(), "unknown_category");
        assert!(err(&r).message().en.contains("road-dragon"));
    }

    #[test]
    fn out_of_range_coordinates_are_refused() {
        let mut r = pothole();
        r.place.lat = Some(91.0);
        assert_eq!(err(&r), ValidationError::LatitudeOutOfRange(91.0));
        r.place.lat = Some(35.0);
        r.place.lon = Some(-180.5);
        assert_eq!(err(&r), ValidationError::LongitudeOutOfRange(-180.5));
        r.place.lon = Some(f64::NAN);
        assert_eq!(err(&r).code(), "longitude_out_of_range");
        r.place.lon = None;
        assert_eq!(err(&r), ValidationError::HalfACoordinate);
    }

    #[test]
    fn bad_accuracy_is_refused() {
        let mut r = pothole();
        r.place.accuracy_m = Some(-1.0);
        assert_eq!(err(&r).code(), "bad_accuracy");
        r.place.accuracy_m = Some(f64::INFINITY);
        assert_eq!(err(&r).code(), "bad_accuracy");
    }

    #[test]
    fn an_address_alone_is_a_place_but_nothing_is_not() {
        let mut r = pothole();
        r.place = Place {
            address: "高津区下作延2-8".into(),
            ..Place::default()
        };
        assert_eq!(validate_new_request(&r, &sample()), Ok(()));
        r.place.address = " ".into();
        assert_eq!(err(&r), ValidationError::NoPlace);
    }

    #[test]
    fn oversized_text_is_refused_counting_characters_not_bytes() {
        let mut r = pothole();
        r.title = "穴".repeat(TITLE_MAX_CHARS); // 360 bytes, 120 characters: fine
        assert_eq!(validate_new_request(&r, &sample()), Ok(()));
        r.title.push('穴');
        assert_eq!(
            err(&r),
            ValidationError::TitleTooLong {
                len: TITLE_MAX_CHARS + 1,
                max: TITLE_MAX_CHARS
            }
        );
        let mut r = pothole();
        r.description = "あ".repeat(DESCRIPTION_MAX_CHARS + 1);
        assert_eq!(err(&r).code(), "description_too_long");
        let mut r = pothole();
        r.place.address = "a".repeat(ADDRESS_MAX_CHARS + 1);
        assert_eq!(err(&r).code(), "address_too_long");
    }

    #[test]
    fn a_landmark_alone_is_a_place() {
        let mut r = pothole();
        r.place = Place {
            landmark: "溝口駅北口のバス停前".into(),
            ..Place::default()
        };
        assert_eq!(validate_new_request(&r, &sample()), Ok(()));
        r.place.landmark = "x".repeat(LANDMARK_MAX_CHARS + 1);
        assert_eq!(err(&r).code(), "landmark_too_long");
    }

    #[test]
    fn contact_is_optional_but_checked_when_given() {
        let mut r = pothole();
        assert!(r.contact.is_anonymous());
        r.contact = Contact {
            name: Some("山田 花子".into()),
            phone: Some("044-861-3111".into()),
            email: Some("hanako@example.jp".into()),
            consent_to_contact: true,
        };
        assert_eq!(validate_new_request(&r, &sample()), Ok(()));
        for phone in [
            "+81 44 861 3111",
            "０４４－８６１－３１１１",
            "(044) 861-3111",
        ] {
            r.contact.phone = Some(phone.into());
            assert_eq!(validate_new_request(&r, &sample()), Ok(()), "{phone}");
        }
        for phone in ["123", "044-861-3111 内線", "04+4861311"] {
            r.contact.phone = Some(phone.into());
            assert_eq!(err(&r).code(), "bad_phone", "{phone}");
        }
        r.contact.phone = Some(String::new());
        for email in ["hanako", "@example.jp", "a@b", "a b@example.jp", "a@b@c.jp"] {
            r.contact.email = Some(email.into());
            assert_eq!(err(&r).code(), "bad_email", "{email}");
            assert!(err(&r).message().ja.contains("メールアドレス"));
        }
        r.contact.email = None;
        r.contact.name = Some("名".repeat(NAME_MAX_CHARS + 1));
        assert_eq!(err(&r).code(), "name_too_long");
    }

    #[test]
    fn contact_and_landmark_errors_name_the_field_in_both_languages() {
        let mut r = pothole();
        r.place.landmark = "目".repeat(LANDMARK_MAX_CHARS + 1);
        let m = err(&r).message();
        assert!(m.ja.contains("目印") && m.ja.contains("200"), "{}", m.ja);
        assert!(
            m.en.contains("landmark") && m.en.contains("200"),
            "{}",
            m.en
        );
        r.place.landmark = "目".repeat(LANDMARK_MAX_CHARS);
        assert_eq!(validate_new_request(&r, &sample()), Ok(()), "at the bound");
        r.contact.name = Some("名".repeat(NAME_MAX_CHARS + 1));
        let m = err(&r).message();
        assert!(m.ja.contains("お名前") && m.en.contains("name"), "{m:?}");
        r.contact.name = Some(format!("  {}  ", "名".repeat(NAME_MAX_CHARS)));
        assert_eq!(
            validate_new_request(&r, &sample()),
            Ok(()),
            "counted trimmed"
        );
        // Too long to be a phone number or an email address: refused, with an example.
        r.contact.phone = Some("0".repeat(PHONE_MAX_CHARS + 1));
        let m = err(&r).message();
        assert!(
            m.ja.contains("電話番号") && m.ja.contains("044-861-3111"),
            "{}",
            m.ja
        );
        assert!(m.en.contains("phone number"), "{}", m.en);
        r.contact.phone = None;
        r.contact.email = Some(format!("{}@example.jp", "a".repeat(EMAIL_MAX_CHARS)));
        let m = err(&r).message();
        assert!(
            m.ja.contains("メールアドレス") && m.en.contains("email"),
            "{m:?}"
        );
    }

    #[test]
    fn an_older_device_without_contact_or_landmark_still_parses() {
        let json = serde_json::json!({
            "id": pothole().id, "category": "road-pothole", "title": "穴",
            "place": {"lat": 35.6, "lon": 139.6, "accuracy_m": 5.0, "address": ""},
            "urgency": "high", "logged_at": 1
        });
        let r: NewRequest = serde_json::from_value(json).unwrap();
        assert!(r.contact.is_anonymous());
        assert_eq!(r.place.landmark, "");
    }

    #[test]
    fn notes_sections_and_staff_ids() {
        assert_eq!(validate_note(" 　").unwrap_err().code(), "empty_note");
        assert!(validate_note("電話で説明済み").is_ok());
        assert_eq!(
            validate_note(&"a".repeat(NOTE_MAX_CHARS + 1))
                .unwrap_err()
                .code(),
            "note_too_long"
        );
        assert!(validate_section("road", &sample()).is_ok());
        assert_eq!(
            validate_section("moon", &sample()).unwrap_err().code(),
            "unknown_section"
        );
        assert!(validate_staff_id("road01").is_ok());
        assert!(validate_staff_id("road 01").is_err());
        assert!(validate_response(&"a".repeat(RESPONSE_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn a_non_v7_id_is_refused() {
        let mut r = pothole();
        r.id = uuid::Uuid::nil();
        assert_eq!(err(&r), ValidationError::BadId);
    }

    proptest! {
        /// Whatever the coordinates, validation answers (never panics), and accepts exactly
        /// the ones on the globe.
        #[test]
        fn coordinates_accepted_iff_on_the_globe(lat in proptest::num::f64::ANY, lon in proptest::num::f64::ANY) {
            let mut r = pothole();
            r.place.lat = Some(lat);
            r.place.lon = Some(lon);
            let ok = validate_new_request(&r, &sample()).is_ok();
            prop_assert_eq!(ok, (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon));
        }

        #[test]
        fn any_title_gets_an_answer(title in ".{0,200}") {
            let mut r = pothole();
            r.title = title.clone();
            let ok = validate_new_request(&r, &sample()).is_ok();
            let t = title.trim();
            prop_assert_eq!(ok, !t.is_empty() && t.chars().count() <= TITLE_MAX_CHARS);
        }
    }
}
