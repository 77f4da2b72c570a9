//! The office list (`GET /api/requests` with filters, search, sort and paging), on SQLite
//! and PostgreSQL: each filter narrows the list in SQL exactly as `RequestFilter::matches`
//! says it should, the search never finds words the reader may not read, and field staff
//! stay within what they see.

mod common;
mod listing_support;

use std::collections::HashSet;

use axum::http::StatusCode;
use koe_core::api::RequestPage;
use koe_core::filter::RequestFilter;
use koe_core::{FieldValue, Role, Status, Viewer};
use uuid::Uuid;

use common::{both, jst, TestApp};
use listing_support::{request, Writer};

both!(
    each_filter_narrows_the_list_as_core_says,
    search_never_finds_what_the_reader_may_not_read,
    field_staff_filter_within_what_they_see,
    sorts_and_pages_with_a_total,
    bad_filters_are_refused_in_both_languages,
);

/// The ward the tests read: five requests on known days.
struct Ward {
    /// 歩道の穴, 2026-04-10, road, left new.
    pothole: Uuid,
    /// 街路灯, received exactly at 2026-05-01 00:00 JST, routed to road01, shared with park.
    light: Uuid,
    /// Swing, received 2026-05-31 23:59 JST, in progress.
    swing: Uuid,
    /// 見守り (welfare), 2026-05-15.
    welfare: Uuid,
    /// Noise, received now: not overdue; closed.
    noise: Uuid,
}

impl Ward {
    fn all(&self) -> Vec<Uuid> {
        vec![
            self.pothole,
            self.light,
            self.swing,
            self.welfare,
            self.noise,
        ]
    }
}

async fn ward(t: &TestApp) -> Ward {
    let mut w = Writer::new();
    let pothole = w
        .create(
            t,
            "road01",
            &request("road-pothole", "歩道の穴", "自転車が転びそう 100%危険", 0),
            jst("2026-04-10", 10, 0),
        )
        .await;
    let light = w
        .create(
            t,
            "road01",
            &request("road-streetlight", "街路灯が点かない", "夜は真っ暗", 0),
            jst("2026-05-01", 0, 0),
        )
        .await;
    let swing = w
        .create(
            t,
            "park01",
            &request("park-equipment", "Swing chain broken", "ブランコの鎖", 0),
            jst("2026-05-31", 23, 59),
        )
        .await;
    let welfare = w
        .create(
            t,
            "welfare01",
            &request("welfare-elderly", "独居の方の安否確認", "認知症の疑い", 0),
            jst("2026-05-15", 12, 0),
        )
        .await;
    let now = koe_server::now_ms();
    let noise = w
        .create(
            t,
            "road01",
            &request("env-noise", "夜間の騒音", "工事の音", 0),
            now,
        )
        .await;
    w.edit(
        t,
        light,
        vec![
            FieldValue::Status(Status::Routed),
            FieldValue::Assignee(Some("road01".into())),
            FieldValue::SharedWith(vec!["park".into()]),
        ],
        jst("2026-05-02", 9, 0),
    )
    .await;
    w.edit(
        t,
        swing,
        vec![FieldValue::Status(Status::InProgress)],
        jst("2026-06-01", 9, 0),
    )
    .await;
    w.edit(
        t,
        noise,
        vec![FieldValue::Status(Status::Referred)],
        now + 1,
    )
    .await;
    Ward {
        pothole,
        light,
        swing,
        welfare,
        noise,
    }
}

async fn page(t: &TestApp, cookie: &str, query: &str) -> RequestPage {
    let a = t.get(&format!("/api/requests?{query}"), Some(cookie)).await;
    assert_eq!(a.status, StatusCode::OK, "{query}: {}", a.text());
    serde_json::from_slice(&a.body).expect("RequestPage")
}

fn ids(p: &RequestPage) -> HashSet<Uuid> {
    p.requests.iter().map(|r| r.id).collect()
}

fn viewer(staff_id: &str, role: Role, sections: &[&str]) -> Viewer {
    Viewer {
        staff_id: staff_id.into(),
        role,
        sections: sections.iter().map(|s| s.to_string()).collect(),
    }
}

async fn each_filter_narrows_the_list_as_core_says(t: TestApp) {
    let w = ward(&t).await;
    let catalogue = t.store.catalogue().await.unwrap();
    let stored = Writer::stored(&t, &w.all()).await;
    let head = t.sign_in("parkhead01").await;
    let head_viewer = viewer("parkhead01", Role::Supervisor, &["park"]);
    let set = |v: &[Uuid]| v.iter().copied().collect::<HashSet<_>>();
    let cases: Vec<(&str, HashSet<Uuid>)> = vec![
        ("", set(&w.all())),
        ("status=new", set(&[w.pothole, w.welfare])),
        (
            "status=new,routed,in_progress",
            set(&[w.pothole, w.light, w.swing, w.welfare]),
        ),
        ("status=referred", set(&[w.noise])),
        ("department=kensetsu", set(&[w.pothole, w.light, w.swing])),
        ("section=road", set(&[w.pothole, w.light])),
        ("category=park-equipment", set(&[w.swing])),
        // A condition on what redaction hides (urgency, dates, due, assignee, sharing,
        // text) never matches the 要配慮 request this section head may not read.
        ("urgency=high", set(&[w.pothole, w.light, w.swing, w.noise])),
        ("urgency=low", set(&[])),
        ("from=2026-05-01&to=2026-05-31", set(&[w.light, w.swing])),
        ("from=2026-05-02&to=2026-05-31", set(&[w.swing])),
        ("to=2026-04-30", set(&[w.pothole])),
        ("from=2026-06-01&to=2026-06-01", set(&[])),
        ("overdue=true", set(&[w.pothole, w.light, w.swing])),
        ("overdue=true&section=road", set(&[w.pothole, w.light])),
        ("assignee=road01", set(&[w.light])),
        ("assignee=none", set(&[w.pothole, w.swing, w.noise])),
        ("shared=mine", set(&[w.light])),
        ("q=街路灯", set(&[w.light])),
        ("q=ブランコ", set(&[w.swing])),
        ("q=SWING", set(&[w.swing])),
        ("q=100%25", set(&[w.pothole])),
        ("q=%25", set(&[w.pothole])),
        ("q=_", set(&[])),
        ("status=new&section=road&q=穴", set(&[w.pothole])),
    ];
    let now = koe_server::now_ms();
    for (query, expected) in cases {
        let p = page(&t, &head, query).await;
        assert_eq!(ids(&p), expected, "{query}");
        assert_eq!(p.total as usize, expected.len(), "{query}");
        // The same rule in core, over the stored records, agrees with the SQL.
        let filter = RequestFilter::from_query_string(query).unwrap();
        let by_core: HashSet<Uuid> = stored
            .iter()
            .filter(|r| filter.matches(r, &head_viewer, &catalogue, now))
            .map(|r| r.id)
            .collect();
        assert_eq!(by_core, expected, "core disagrees on {query}");
    }
    // The welfare request is on the list for the park section head, without its details.
    let p = page(&t, &head, "section=elderly-disability").await;
    assert_eq!(p.requests.len(), 1);
    let r = &p.requests[0];
    assert!(r.redacted);
    assert_eq!(
        (&r.title, &r.description, &r.contact),
        (&None, &None, &None)
    );
}

async fn search_never_finds_what_the_reader_may_not_read(t: TestApp) {
    let w = ward(&t).await;
    // The office clerk and the park section head see the welfare request exists, but a
    // search for the words in it finds nothing: its title and description are not theirs.
    for staff in ["clerk01", "parkhead01", "head01"] {
        let cookie = t.sign_in(staff).await;
        let all = page(&t, &cookie, "").await;
        assert!(ids(&all).contains(&w.welfare), "{staff} sees it exists");
        for q in ["安否確認", "独居", "認知症"] {
            let p = page(&t, &cookie, &format!("q={q}")).await;
            assert_eq!(p.total, 0, "{staff} found {q}");
            assert!(p.requests.is_empty());
        }
    }
    // Its author, a colleague in the welfare section and the administrator find it.
    for staff in ["welfare01", "welfare02", "admin01"] {
        let cookie = t.sign_in(staff).await;
        let p = page(&t, &cookie, "q=安否確認").await;
        assert_eq!(ids(&p), HashSet::from([w.welfare]), "{staff}");
        assert_eq!(p.requests[0].title.as_deref(), Some("独居の方の安否確認"));
        let p = page(&t, &cookie, "q=認知症").await;
        assert_eq!(p.total, 1, "{staff} searches the description");
    }
}

async fn field_staff_filter_within_what_they_see(t: TestApp) {
    let w = ward(&t).await;
    let road = t.sign_in("road01").await;
    // road01 logged the pothole, the light and the noise; the road section has the first two.
    let p = page(&t, &road, "").await;
    assert_eq!(ids(&p), HashSet::from([w.pothole, w.light, w.noise]));
    assert_eq!(p.total, 3);
    let p = page(&t, &road, "section=park").await;
    assert_eq!(p.total, 0, "the swing is not theirs to see");
    let p = page(&t, &road, "q=Swing").await;
    assert_eq!(p.total, 0);
    // park01 sees the swing and the light shared with park (連携).
    let park = t.sign_in("park01").await;
    let p = page(&t, &park, "").await;
    assert_eq!(ids(&p), HashSet::from([w.swing, w.light]));
    let p = page(&t, &park, "shared=mine").await;
    assert_eq!(ids(&p), HashSet::from([w.light]));
    // A welfare worker sees the welfare request and nothing of roads.
    let welfare = t.sign_in("welfare02").await;
    let p = page(&t, &welfare, "overdue=true").await;
    assert_eq!(ids(&p), HashSet::from([w.welfare]));
    assert!(!p.requests[0].redacted, "their section may read it");
}

async fn sorts_and_pages_with_a_total(t: TestApp) {
    let w = ward(&t).await;
    let clerk = t.sign_in("clerk01").await;
    let order = |p: &RequestPage| p.requests.iter().map(|r| r.id).collect::<Vec<_>>();
    let newest = vec![w.noise, w.swing, w.welfare, w.light, w.pothole];
    let p = page(&t, &clerk, "").await;
    assert_eq!(order(&p), newest);
    assert_eq!((p.total, p.offset, p.limit), (5, 0, 50));
    let p = page(&t, &clerk, "sort=received_desc").await;
    assert_eq!(order(&p), newest);
    let p = page(&t, &clerk, "sort=received_asc").await;
    let mut oldest = newest.clone();
    oldest.reverse();
    assert_eq!(order(&p), oldest);
    // Soonest resolve-by first: due dates follow receipt here (standards differ but the
    // months between them dominate).
    let stored = Writer::stored(&t, &w.all()).await;
    let mut by_due: Vec<_> = stored
        .iter()
        .map(|r| (r.due.unwrap().resolve_by, r.id))
        .collect();
    by_due.sort();
    let p = page(&t, &clerk, "sort=due_asc").await;
    assert_eq!(
        order(&p),
        by_due.iter().map(|(_, id)| *id).collect::<Vec<_>>()
    );
    // Last changed first: the noise (closed just now), then the swing and the light
    // (edited), then the rest in the order they were written.
    let p = page(&t, &clerk, "sort=updated_desc").await;
    assert_eq!(
        order(&p),
        vec![w.noise, w.swing, w.light, w.welfare, w.pothole]
    );
    // Pages: two at a time, the total stays.
    let p = page(&t, &clerk, "limit=2&offset=2").await;
    assert_eq!(order(&p), newest[2..4]);
    assert_eq!((p.total, p.offset, p.limit), (5, 2, 2));
    let p = page(&t, &clerk, "limit=2&offset=4").await;
    assert_eq!(order(&p), newest[4..]);
    let p = page(&t, &clerk, "limit=2&offset=10").await;
    assert!(p.requests.is_empty());
    assert_eq!(p.total, 5);
    // Clamped like pull's limit, at the list's own maximum.
    let p = page(&t, &clerk, "limit=100000").await;
    assert_eq!(p.limit, koe_core::filter::MAX_LIMIT);
    // The pull keeps its own page size (200 by default).
    let a = t.get("/api/sync/pull?cursor=0", Some(&clerk)).await;
    assert_eq!(a.status, StatusCode::OK);
}

async fn bad_filters_are_refused_in_both_languages(t: TestApp) {
    let clerk = t.sign_in("clerk01").await;
    for (query, code) in [
        ("status=open", "bad_status"),
        ("section=nowhere", "unknown_section"),
        ("category=road", "unknown_category"),
        ("department=x", "unknown_department"),
        ("from=2026-05-02&to=2026-05-01", "bad_date_range"),
        ("from=2026-13-01", "bad_from"),
        ("sort=best", "bad_sort"),
        ("offset=x", "bad_offset"),
        ("limit=many", "bad_limit"),
        ("overdue=maybe", "bad_overdue"),
        ("q=a&q=b", "repeated_parameter"),
    ] {
        t.get(&format!("/api/requests?{query}"), Some(&clerk))
            .await
            .assert_error(StatusCode::BAD_REQUEST, code);
    }
    // A malformed escape is read as written, never a plain-text refusal.
    let p = page(&t, &clerk, "q=%zz&status=new%2Crouted").await;
    assert_eq!(p.total, 0);
    t.get("/api/requests", None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "signed_out");
}
