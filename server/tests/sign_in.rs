//! Sign-in under load and attack: bursts, parallel guesses, odd staff ids. On SQLite and
//! PostgreSQL. The password checks are counted (`Passwords::verifies`), not timed.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;

use common::{both, Answer, TestApp, PASSWORD};

both!(
    a_burst_of_sign_ins_is_answered_and_checks_once_each,
    parallel_wrong_passwords_are_checked_at_most_the_limit,
    two_instances_on_one_database_check_at_most_the_limit_together,
    every_sign_in_checks_one_hash_whatever_the_id,
    a_staff_id_too_long_is_refused_and_not_stored,
    sign_in_when_every_check_is_busy_is_503_and_not_counted,
);

async fn attempt(router: &axum::Router, staff_id: &str, password: &str) -> Answer {
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::to_vec(&json!({"staff_id": staff_id, "password": password})).expect("json"),
        ))
        .expect("request");
    let res = tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// Fires these (staff id, password) sign-ins all at once; answers in the same order.
async fn all_at_once(t: &TestApp, tries: Vec<(String, String)>) -> Vec<Answer> {
    let router = Arc::new(t.router.clone());
    let tasks: Vec<_> = tries
        .into_iter()
        .map(|(id, pw)| {
            let router = router.clone();
            tokio::spawn(async move { attempt(&router, &id, &pw).await })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("task"));
    }
    answers
}

async fn a_burst_of_sign_ins_is_answered_and_checks_once_each(t: TestApp) {
    const STAFF: [&str; 5] = ["road01", "park01", "clerk01", "head01", "welfare01"];
    let (verifies, hashes) = (t.passwords.verifies(), t.passwords.hashes());
    // 100 at once: the right passwords of real staff (one each: more than 5 at once for
    // one id would meet its limit, see the next test), and unknown ids.
    let tries: Vec<_> = (0..100)
        .map(|i| match STAFF.get(i / 20).filter(|_| i % 20 == 0) {
            Some(id) => (id.to_string(), PASSWORD.to_string()),
            None => (format!("nobody{i:03}"), "guess".to_string()),
        })
        .collect();
    let answers = all_at_once(&t, tries).await;
    for (i, a) in answers.iter().enumerate() {
        if i % 20 == 0 {
            assert_eq!(a.status, StatusCode::OK, "{i}: {}", a.text());
        } else {
            a.assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
        }
    }
    assert_eq!(
        t.passwords.verifies() - verifies,
        100,
        "one check per sign-in"
    );
    assert_eq!(t.passwords.hashes() - hashes, 1, "the dummy, hashed once");
}

async fn parallel_wrong_passwords_are_checked_at_most_the_limit(t: TestApp) {
    let before = t.passwords.verifies();
    let tries = (0..12)
        .map(|i| ("clerk01".to_string(), format!("wrong{i}")))
        .collect();
    let answers = all_at_once(&t, tries).await;
    let checked = t.passwords.verifies() - before;
    let wrong = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    let limited = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Attempts are counted one at a time per staff id: exactly the limit is checked.
    assert_eq!(checked, 5, "passwords checked");
    assert_eq!(wrong as u64, checked);
    assert_eq!(wrong + limited, 12);
    for a in answers
        .iter()
        .filter(|a| a.status != StatusCode::UNAUTHORIZED)
    {
        a.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    }
    // And now locked, the right password too, without a check.
    let before = t.passwords.verifies();
    attempt(&t.router, "clerk01", PASSWORD)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert_eq!(t.passwords.verifies(), before);
}

async fn every_sign_in_checks_one_hash_whatever_the_id(t: TestApp) {
    let admin = t.sign_in("admin01").await;
    let a = t
        .call(
            Method::POST,
            "/api/admin/staff/road01/disable",
            Some(&admin),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    // The dummy is made once, before counting.
    attempt(&t.router, "nobody", "x").await;
    for (id, password, status) in [
        ("nobody", "x", StatusCode::UNAUTHORIZED),
        ("road01", PASSWORD, StatusCode::UNAUTHORIZED),
        ("park01", "wrong", StatusCode::UNAUTHORIZED),
        ("park01", PASSWORD, StatusCode::OK),
    ] {
        let (verifies, hashes) = (t.passwords.verifies(), t.passwords.hashes());
        assert_eq!(
            attempt(&t.router, id, password).await.status,
            status,
            "{id}"
        );
        assert_eq!(t.passwords.verifies() - verifies, 1, "{id}");
        assert_eq!(t.passwords.hashes(), hashes, "{id}");
    }
}

async fn a_staff_id_too_long_is_refused_and_not_stored(t: TestApp) {
    let before = t.passwords.verifies();
    let huge = "a".repeat(1_900_000);
    attempt(&t.router, &huge, "x")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_staff_id");
    let just_over = "あ".repeat(koe_core::validation::STAFF_ID_MAX_CHARS + 1);
    let a = attempt(&t.router, &just_over, "x").await;
    a.assert_error(StatusCode::BAD_REQUEST, "bad_staff_id");
    assert!(a.json()["message"]["ja"].as_str().unwrap().contains("64"));
    assert_eq!(t.passwords.verifies(), before, "nothing hashed");
    let now = koe_server::now_ms();
    for key in [format!("staff:{huge}"), format!("staff:{just_over}")] {
        let stored = t.store.sign_in_failures(&key, now - 60_000).await.unwrap();
        assert!(stored.is_empty());
    }
    // The longest id there can be is still an ordinary wrong sign-in.
    let longest = "a".repeat(koe_core::validation::STAFF_ID_MAX_CHARS);
    attempt(&t.router, &longest, "x")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "bad_credentials");
}

async fn sign_in_when_every_check_is_busy_is_503_and_not_counted(t: TestApp) {
    let passwords = t.passwords.limited(2, std::time::Duration::from_millis(50));
    let router = koe_server::app(koe_server::AppState {
        store: t.store.clone(),
        dist: t.dist.clone(),
        passwords: passwords.clone(),
        photos: koe_server::blob::PhotoBlobs::new(&t.photos),
    });
    let held = passwords.hold_every_check().await.expect("permits");
    for _ in 0..6 {
        let a = attempt(&router, "clerk01", "wrong").await;
        a.assert_error(StatusCode::SERVICE_UNAVAILABLE, "busy");
        let retry: u64 = a.headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
    }
    assert_eq!(passwords.verifies(), 0);
    drop(held);
    // The busy answers were not counted as failures: the right password gets in.
    assert_eq!(
        attempt(&router, "clerk01", PASSWORD).await.status,
        StatusCode::OK
    );
}

async fn two_instances_on_one_database_check_at_most_the_limit_together(t: TestApp) {
    // A second ward record on the same database, as behind a load balancer.
    let other = t.another_instance(5).await.router;
    let before = t.passwords.verifies();
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let router = if i % 2 == 0 {
                t.router.clone()
            } else {
                other.clone()
            };
            tokio::spawn(async move { attempt(&router, "admin01", &format!("wrong{i}")).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().status);
    }
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(wrong, 5, "{statuses:?}");
    assert_eq!(t.passwords.verifies() - before, 5);
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));
}
