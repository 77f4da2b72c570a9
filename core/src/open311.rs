//! Open311 GeoReport v2, read-only: what the ward publishes to anyone, without signing in.
//!
//! What is published, and why (the rule lives here once, the ward record only serves it):
//! - **Never a 要配慮 request nor a sensitive category.** A welfare consultation does not
//!   exist in Open311: not in `services`, not in `requests`, not by id. A request whose
//!   category is unknown to the catalogue, or that is now routed to a welfare section, is
//!   treated the same way (fail closed).
//! - **No one's personal data.** No contact, no staff ids, no landmark (目印, often "in
//!   front of Mr. Yamada's house"), no internal notes, no photos (faces, number plates).
//!   `description` is the request's short title, never the resident's own words (the
//!   description often names people); `status_notes` is the status in words, never the
//!   response written to the resident.
//! - The place of the issue (address, latitude, longitude) is published: it is where the
//!   pothole or the broken light is, which is what GeoReport is for.

use serde::{Deserialize, Serialize};

use crate::calendar::{civil_from_days, jst_day, DAY_MS, JST_OFFSET_MS};
use crate::{Catalogue, Category, RequestRecord, Status, Viewer};

/// The most requests one `GET requests` answers (the spec's limit).
pub const MAX_REQUESTS: usize = 1000;
/// Without dates or ids, `GET requests` covers this many days back from now.
pub const DEFAULT_DAYS: i64 = 90;

/// GeoReport's two statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenStatus {
    Open,
    Closed,
}

impl OpenStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    /// The Koe statuses that read as this one.
    pub fn statuses(self) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|s| open_status(*s) == self)
            .collect()
    }
}

/// Koe's status as GeoReport's: the office is still working on it (受付, 担当決定, 対応中)
/// or it is done with it (対応済, 完了, 他機関へ回付, 重複).
pub fn open_status(status: Status) -> OpenStatus {
    match status {
        Status::New | Status::Routed | Status::InProgress => OpenStatus::Open,
        Status::Resolved | Status::Closed | Status::Referred | Status::Duplicate => {
            OpenStatus::Closed
        }
    }
}

/// Whether a category is a public service (not sensitive, not routed to a welfare section).
pub fn is_public_category(category: &Category, catalogue: &Catalogue) -> bool {
    !category.sensitive
        && catalogue
            .section(&category.default_section)
            .is_some_and(|s| !s.welfare)
}

/// Whether a request may appear in Open311 at all.
pub fn is_public(record: &RequestRecord, catalogue: &Catalogue) -> bool {
    !Viewer::is_sensitive(record, catalogue)
        && catalogue
            .category(&record.category)
            .is_some_and(|c| is_public_category(c, catalogue))
        && catalogue
            .section(&record.section)
            .is_some_and(|s| !s.welfare)
}

/// The category codes that may appear in Open311.
pub fn public_category_codes(catalogue: &Catalogue) -> Vec<String> {
    catalogue
        .categories
        .iter()
        .filter(|c| is_public_category(c, catalogue))
        .map(|c| c.code.clone())
        .collect()
}

/// One entry of `GET services`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    /// No extra attributes are asked: always false.
    pub metadata: bool,
    /// `realtime`: a request gets its id at once.
    #[serde(rename = "type")]
    pub kind: String,
    pub keywords: String,
    pub group: String,
}

/// `GET services/{code}`: the service definition (Koe asks no extra attributes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDefinition {
    pub service_code: String,
    pub attributes: Vec<serde_json::Value>,
}

/// One entry of `GET requests`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    pub status: OpenStatus,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: String,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: String,
}

/// The published services: every public category, in catalogue order.
pub fn services(catalogue: &Catalogue) -> Vec<Service> {
    catalogue
        .categories
        .iter()
        .filter(|c| is_public_category(c, catalogue))
        .map(|c| Service {
            service_code: c.code.clone(),
            service_name: c.name_ja.clone(),
            description: format!("{} / {}", c.name_ja, c.name_en),
            metadata: false,
            kind: "realtime".into(),
            keywords: format!("{},{}", c.group_ja, c.group_en),
            group: c.group_ja.clone(),
        })
        .collect()
}

/// The published view of `record`, or `None` if it is not published. `updated_at` is
/// when it last changed (ms since the epoch).
pub fn service_request(
    record: &RequestRecord,
    updated_at: i64,
    catalogue: &Catalogue,
) -> Option<ServiceRequest> {
    if !is_public(record, catalogue) {
        return None;
    }
    let category = catalogue.category(&record.category)?;
    let section = catalogue.section(&record.section)?;
    let status = open_status(record.status);
    let place = record.place.clone().unwrap_or_default();
    Some(ServiceRequest {
        service_request_id: record.id.to_string(),
        status,
        status_notes: format!(
            "{} / {}",
            record.status.label_ja(),
            record.status.label_en()
        ),
        service_name: category.name_ja.clone(),
        service_code: category.code.clone(),
        description: record.title.clone().unwrap_or_default(),
        agency_responsible: section.name_ja.clone(),
        service_notice: String::new(),
        requested_datetime: w3c_datetime(record.received_at),
        updated_datetime: w3c_datetime(updated_at.max(record.received_at)),
        expected_datetime: match (status, record.due) {
            (OpenStatus::Open, Some(due)) => Some(w3c_datetime(due.resolve_by)),
            _ => None,
        },
        address: place.address.trim().to_string(),
        address_id: None,
        zipcode: None,
        lat: place.lat.filter(|v| v.is_finite()),
        long: place.lon.filter(|v| v.is_finite()),
        media_url: String::new(),
    })
}

/// `2026-05-01T09:30:00+09:00`: ms since the epoch in Japan Standard Time, whole seconds.
pub fn w3c_datetime(ms: i64) -> String {
    let day = jst_day(ms);
    let (y, m, d) = civil_from_days(day);
    let in_day = (ms + JST_OFFSET_MS).rem_euclid(DAY_MS) / 1000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+09:00",
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

/// Reads a W3C date-time (`2026-05-01T00:00:00Z`, `…+09:00`, `…-05:00`, optional
/// fractional seconds) or a bare date `2026-05-01` (midnight in Japan) as ms since the
/// epoch.
pub fn parse_w3c_datetime(text: &str) -> Option<i64> {
    let t = text.trim();
    let date = t.get(0..10)?;
    let day = crate::calendar::parse_iso_date(date)?;
    let rest = &t[10..];
    if rest.is_empty() {
        return Some(day * DAY_MS - JST_OFFSET_MS);
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let (time, offset_ms) = if let Some(time) = rest.strip_suffix('Z') {
        (time, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (time, zone) = rest.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = &zone[1..];
        let (hh, mm) = zone
            .split_once(':')
            .unwrap_or((zone.get(0..2)?, zone.get(2..)?));
        let (hh, mm): (i64, i64) = (hh.parse().ok()?, mm.parse().ok()?);
        if hh > 23 || mm > 59 || zone.len() > 5 {
            return None;
        }
        (time, sign * (hh * 60 + mm) * 60_000)
    };
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut parts = hms.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let s: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
    if parts.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let millis: i64 = format!("{fraction:0<3}").get(0..3)?.parse().ok()?;
    Some(day * DAY_MS + ((h * 60 + m) * 60 + s) * 1000 + millis - offset_ms)
}

/// Text as XML character data or an attribute value: `&<>"'` escaped, and the
/// characters XML 1.0 does not allow (most control characters) dropped.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

fn element(out: &mut String, name: &str, value: &str) {
    if value.is_empty() {
        out.push_str(&format!("<{name}/>"));
    } else {
        out.push_str(&format!("<{name}>{}</{name}>", xml_escape(value)));
    }
}

/// `GET services.xml`.
pub fn services_xml(services: &[Service]) -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str("<services>");
    for s in services {
        out.push_str("<service>");
        element(&mut out, "service_code", &s.service_code);
        element(&mut out, "service_name", &s.service_name);
        element(&mut out, "description", &s.description);
        element(
            &mut out,
            "metadata",
            if s.metadata { "true" } else { "false" },
        );
        element(&mut out, "type", &s.kind);
        element(&mut out, "keywords", &s.keywords);
        element(&mut out, "group", &s.group);
        out.push_str("</service>");
    }
    out.push_str("</services>\n");
    out
}

/// `GET services/{code}.xml`.
pub fn service_definition_xml(definition: &ServiceDefinition) -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str("<service_definition>");
    element(&mut out, "service_code", &definition.service_code);
    out.push_str("<attributes/>");
    out.push_str("</service_definition>\n");
    out
}

/// `GET requests.xml` and `GET requests/{id}.xml`.
pub fn requests_xml(requests: &[ServiceRequest]) -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str("<service_requests>");
    for r in requests {
        out.push_str("<request>");
        element(&mut out, "service_request_id", &r.service_request_id);
        element(&mut out, "status", r.status.code());
        element(&mut out, "status_notes", &r.status_notes);
        element(&mut out, "service_name", &r.service_name);
        element(&mut out, "service_code", &r.service_code);
        element(&mut out, "description", &r.description);
        element(&mut out, "agency_responsible", &r.agency_responsible);
        element(&mut out, "service_notice", &r.service_notice);
        element(&mut out, "requested_datetime", &r.requested_datetime);
        element(&mut out, "updated_datetime", &r.updated_datetime);
        element(
            &mut out,
            "expected_datetime",
            r.expected_datetime.as_deref().unwrap_or(""),
        );
        element(&mut out, "address", &r.address);
        element(
            &mut out,
            "address_id",
            r.address_id.as_deref().unwrap_or(""),
        );
        element(&mut out, "zipcode", r.zipcode.as_deref().unwrap_or(""));
        element(
            &mut out,
            "lat",
            &r.lat.map(|v| v.to_string()).unwrap_or_default(),
        );
        element(
            &mut out,
            "long",
            &r.long.map(|v| v.to_string()).unwrap_or_default(),
        );
        element(&mut out, "media_url", &r.media_url);
        out.push_str("</request>");
    }
    out.push_str("</service_requests>\n");
    out
}

/// An Open311 error, in the spec's shape (`[{code, description}]` / `<errors>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open311Error {
    pub code: u16,
    pub description: String,
}

pub fn errors_xml(errors: &[Open311Error]) -> String {
    let mut out = String::from(XML_DECLARATION);
    out.push_str("<errors>");
    for e in errors {
        out.push_str("<error>");
        element(&mut out, "code", &e.code.to_string());
        element(&mut out, "description", &e.description);
        out.push_str("</error>");
    }
    out.push_str("</errors>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::tests::jst;
    use crate::catalogue::tests::sample;
    use crate::{Contact, Place, Urgency};

    fn record(category: &str, section: &str) -> RequestRecord {
        RequestRecord {
            id: crate::id::request_id(1, [0; 10]),
            category: category.into(),
            section: section.into(),
            title: Some("歩道の穴 <&>".into()),
            description: Some("山田さんの家の前".into()),
            place: Some(Place {
                lat: Some(35.6),
                lon: Some(139.61),
                accuracy_m: Some(5.0),
                address: "高津区下作延2-8".into(),
                landmark: "山田さん宅の前".into(),
            }),
            urgency: Urgency::High,
            status: Status::InProgress,
            logged_by: "road01".into(),
            logged_at: 1,
            received_at: jst("2026-05-01", 9, 30),
            version: 3,
            redacted: false,
            contact: Some(Contact {
                name: Some("山田 花子".into()),
                phone: Some("044-000-0000".into()),
                email: Some("hanako@example.jp".into()),
                consent_to_contact: true,
            }),
            shared_with: vec![],
            assignee: Some("road01".into()),
            response: Some("山田様に電話で説明".into()),
            duplicate_of: None,
            needs_review: false,
            conflicts: vec![],
            due: None,
            milestones: Default::default(),
        }
    }

    #[test]
    fn statuses_map_to_open_and_closed() {
        use Status::*;
        for s in [New, Routed, InProgress] {
            assert_eq!(open_status(s), OpenStatus::Open, "{s:?}");
        }
        for s in [Resolved, Closed, Referred, Duplicate] {
            assert_eq!(open_status(s), OpenStatus::Closed, "{s:?}");
        }
        assert_eq!(OpenStatus::Open.statuses(), vec![New, Routed, InProgress]);
        assert_eq!(OpenStatus::Closed.statuses().len(), 4);
        assert_eq!(OpenStatus::from_code("open"), Some(OpenStatus::Open));
        assert_eq!(OpenStatus::from_code("pending"), None);
    }

    #[test]
    fn welfare_is_never_published() {
        let cat = sample();
        assert_eq!(
            public_category_codes(&cat),
            vec!["road-pothole".to_string()]
        );
        assert!(services(&cat)
            .iter()
            .all(|s| s.service_code != "welfare-elderly"));
        assert!(service_request(&record("welfare-elderly", "elderly"), 0, &cat).is_none());
        // A road request re-routed to a welfare section, or of a category gone from the
        // catalogue: not published either.
        assert!(service_request(&record("road-pothole", "elderly"), 0, &cat).is_none());
        assert!(service_request(&record("gone", "road"), 0, &cat).is_none());
    }

    #[test]
    fn published_request_carries_nothing_personal() {
        let cat = sample();
        let r = record("road-pothole", "road").with_due(&cat);
        let p = service_request(&r, jst("2026-05-02", 10, 0), &cat).unwrap();
        assert_eq!(p.status, OpenStatus::Open);
        assert_eq!(p.description, "歩道の穴 <&>");
        assert_eq!(p.requested_datetime, "2026-05-01T09:30:00+09:00");
        assert_eq!(p.updated_datetime, "2026-05-02T10:00:00+09:00");
        assert!(p.expected_datetime.is_some());
        assert_eq!((p.lat, p.long), (Some(35.6), Some(139.61)));
        let text = serde_json::to_string(&p).unwrap() + &requests_xml(&[p]);
        for personal in ["山田", "044-000-0000", "hanako", "road01", "電話"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
        // Closed: no expected date.
        let closed = RequestRecord {
            status: Status::Closed,
            ..r
        };
        let p = service_request(&closed, 0, &cat).unwrap();
        assert_eq!(p.status, OpenStatus::Closed);
        assert_eq!(p.expected_datetime, None);
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'\u{1}b</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;b&lt;/a&gt;"
        );
        let cat = sample();
        let p = service_request(&record("road-pothole", "road"), 0, &cat).unwrap();
        let xml = requests_xml(&[p]);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(xml.contains("<description>歩道の穴 &lt;&amp;&gt;</description>"));
        assert!(xml.contains("<status>open</status>"));
    }

    #[test]
    fn w3c_datetimes_read_and_write() {
        let t = jst("2026-05-01", 9, 30);
        assert_eq!(w3c_datetime(t), "2026-05-01T09:30:00+09:00");
        assert_eq!(parse_w3c_datetime("2026-05-01T09:30:00+09:00"), Some(t));
        assert_eq!(parse_w3c_datetime("2026-05-01T00:30:00Z"), Some(t));
        assert_eq!(parse_w3c_datetime("2026-04-30T19:30:00-05:00"), Some(t));
        assert_eq!(
            parse_w3c_datetime("2026-05-01T00:30:00.250Z"),
            Some(t + 250)
        );
        assert_eq!(parse_w3c_datetime("2026-05-01T00:30Z"), Some(t));
        assert_eq!(
            parse_w3c_datetime("2026-05-01"),
            Some(jst("2026-05-01", 0, 0))
        );
        for bad in [
            "",
            "2026-02-30",
            "2026-05-01T25:00:00Z",
            "yesterday",
            "2026-05-01Tx",
        ] {
            assert_eq!(parse_w3c_datetime(bad), None, "{bad}");
        }
    }
}
