//! The schema, as numbered migrations applied once each, in order.
//!
//! The DDL is written once for both databases: only TEXT, BIGINT and DOUBLE PRECISION
//! columns (SQLite maps them to its affinities; booleans are BIGINT 0/1 because sqlx's
//! `Any` driver does not decode SQLite booleans), no auto-increment (the history is keyed
//! by the server order number, which the `counters` row hands out), and
//! `ON CONFLICT … DO NOTHING`, which both speak.

use sqlx::{Any, Transaction};

/// (version, what it does, statements).
pub const MIGRATIONS: &[(i64, &str, &[&str])] = &[(
    1,
    "catalogue, staff, sessions, devices, requests, history, server order",
    &[
        "CREATE TABLE settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL)",
        "CREATE TABLE departments (
            code TEXT PRIMARY KEY,
            name_ja TEXT NOT NULL,
            name_en TEXT NOT NULL,
            position BIGINT NOT NULL)",
        "CREATE TABLE sections (
            code TEXT PRIMARY KEY,
            department TEXT NOT NULL REFERENCES departments (code),
            name_ja TEXT NOT NULL,
            name_en TEXT NOT NULL,
            welfare BIGINT NOT NULL DEFAULT 0,
            position BIGINT NOT NULL)",
        "CREATE TABLE categories (
            code TEXT PRIMARY KEY,
            group_ja TEXT NOT NULL,
            group_en TEXT NOT NULL,
            name_ja TEXT NOT NULL,
            name_en TEXT NOT NULL,
            default_section TEXT NOT NULL REFERENCES sections (code),
            sensitive BIGINT NOT NULL DEFAULT 0,
            position BIGINT NOT NULL)",
        "CREATE TABLE staff (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            disabled BIGINT NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL)",
        "CREATE TABLE staff_sections (
            staff_id TEXT NOT NULL REFERENCES staff (id),
            section TEXT NOT NULL REFERENCES sections (code),
            position BIGINT NOT NULL,
            PRIMARY KEY (staff_id, section))",
        // Only a SHA-256 of the cookie's token is kept.
        "CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            staff_id TEXT NOT NULL REFERENCES staff (id),
            created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL)",
        "CREATE INDEX sessions_expiry ON sessions (expires_at)",
        "CREATE TABLE devices (
            client_id TEXT PRIMARY KEY,
            staff_id TEXT NOT NULL REFERENCES staff (id),
            last_mutation_id BIGINT NOT NULL DEFAULT 0,
            registered_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL)",
        // Server order: every change takes the next number from this row inside its own
        // transaction, so writers queue on the row lock and commit in number order.
        "CREATE TABLE counters (
            name TEXT PRIMARY KEY,
            value BIGINT NOT NULL)",
        "INSERT INTO counters (name, value) VALUES ('server_order', 0)",
        "CREATE TABLE requests (
            id TEXT PRIMARY KEY,
            category TEXT NOT NULL REFERENCES categories (code),
            section TEXT NOT NULL REFERENCES sections (code),
            title TEXT,
            description TEXT,
            lat DOUBLE PRECISION,
            lon DOUBLE PRECISION,
            accuracy_m DOUBLE PRECISION,
            address TEXT NOT NULL DEFAULT '',
            urgency TEXT NOT NULL,
            status TEXT NOT NULL,
            logged_by TEXT NOT NULL REFERENCES staff (id),
            logged_at BIGINT NOT NULL,
            received_at BIGINT NOT NULL,
            version BIGINT NOT NULL UNIQUE,
            client_id TEXT NOT NULL,
            mutation_id BIGINT NOT NULL)",
        "CREATE INDEX requests_section ON requests (section, version)",
        "CREATE INDEX requests_logged_by ON requests (logged_by, version)",
        "CREATE INDEX requests_received ON requests (received_at, id)",
        // Append-only: who, when, from which device, what.
        "CREATE TABLE changes (
            version BIGINT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES requests (id),
            staff_id TEXT NOT NULL REFERENCES staff (id),
            client_id TEXT,
            mutation_id BIGINT,
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            body TEXT NOT NULL)",
        "CREATE INDEX changes_request ON changes (request_id, version)",
    ],
),
(
    2,
    "photos: upload metadata (the files are on disk under <KOE_DATA>/photos)",
    &[
        "CREATE TABLE photos (
            photo_id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES requests (id),
            sha256 TEXT NOT NULL,
            size BIGINT NOT NULL,
            content_type TEXT NOT NULL,
            uploaded_by TEXT NOT NULL REFERENCES staff (id),
            received_at BIGINT NOT NULL,
            received BIGINT NOT NULL DEFAULT 0,
            complete BIGINT NOT NULL DEFAULT 0)",
        "CREATE INDEX photos_request ON photos (request_id, received_at)",
        "CREATE INDEX photos_sha256 ON photos (sha256)",
    ],
),
(
    3,
    "the full request (contact, landmark, office fields, conflicts, per-field versions), notes, access log, sign-in failures",
    &[
        "ALTER TABLE requests ADD COLUMN landmark TEXT NOT NULL DEFAULT ''",
        // JSON of `Contact`; NULL before this migration.
        "ALTER TABLE requests ADD COLUMN contact TEXT",
        "ALTER TABLE requests ADD COLUMN shared_with TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE requests ADD COLUMN assignee TEXT",
        "ALTER TABLE requests ADD COLUMN response TEXT",
        "ALTER TABLE requests ADD COLUMN duplicate_of TEXT",
        "ALTER TABLE requests ADD COLUMN needs_review BIGINT NOT NULL DEFAULT 0",
        // JSON of `Vec<FieldConflict>`.
        "ALTER TABLE requests ADD COLUMN conflicts TEXT NOT NULL DEFAULT '[]'",
        // JSON of `FieldVersions`: the server order of each field's last change.
        "ALTER TABLE requests ADD COLUMN field_versions TEXT NOT NULL DEFAULT '{}'",
        // Append-only internal notes, keyed by the id the device made.
        "CREATE TABLE notes (
            id TEXT PRIMARY KEY,
            request_id TEXT NOT NULL REFERENCES requests (id),
            staff_id TEXT NOT NULL REFERENCES staff (id),
            at BIGINT NOT NULL,
            text TEXT NOT NULL,
            version BIGINT NOT NULL)",
        "CREATE INDEX notes_request ON notes (request_id, version)",
        // Who read a sensitive request's details, when, through which path.
        "CREATE TABLE access_log (
            id TEXT PRIMARY KEY,
            staff_id TEXT NOT NULL REFERENCES staff (id),
            at BIGINT NOT NULL,
            request_id TEXT NOT NULL REFERENCES requests (id),
            path TEXT NOT NULL)",
        "CREATE INDEX access_log_request ON access_log (request_id, at)",
        "CREATE INDEX access_log_staff ON access_log (staff_id, at)",
        // Failed sign-ins, by `staff:<id>` and `ip:<address>`: the rate limit lives in the
        // database so every server instance sees the same count.
        "CREATE TABLE sign_in_failures (
            id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            at BIGINT NOT NULL)",
        "CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at)",
    ],
),
(
    4,
    "service standards per category, the ward calendar's days off, due dates on requests",
    &[
        // サービス基準 in working days; NULL: the category has no standard.
        "ALTER TABLE categories ADD COLUMN route_days BIGINT",
        "ALTER TABLE categories ADD COLUMN first_response_days BIGINT",
        "ALTER TABLE categories ADD COLUMN resolve_days BIGINT",
        // Days off besides weekends: 祝日, 振替休日, 年末年始 (ISO dates, Japan).
        "CREATE TABLE calendar_days_off (
            date TEXT PRIMARY KEY,
            name_ja TEXT NOT NULL,
            name_en TEXT NOT NULL DEFAULT '')",
        // Due dates fixed at receipt (ms since the epoch); NULL without a standard.
        "ALTER TABLE requests ADD COLUMN route_by BIGINT",
        "ALTER TABLE requests ADD COLUMN first_response_by BIGINT",
        "ALTER TABLE requests ADD COLUMN resolve_by BIGINT",
        "CREATE INDEX requests_resolve_by ON requests (resolve_by)",
    ],
),
(
    5,
    "per-category duplicate-suggestion settings, the administrators' change log",
    &[
        "ALTER TABLE categories ADD COLUMN duplicate_radius_m BIGINT NOT NULL DEFAULT 100",
        "ALTER TABLE categories ADD COLUMN duplicate_days BIGINT NOT NULL DEFAULT 14",
        // The change log is numbered from its own `counters` row, like server order.
        "INSERT INTO counters (name, value) VALUES ('admin_changes', 0)",
        // Append-only: every change an administrator makes, with the record before and
        // after (JSON; NULL before a create or after a removal).
        "CREATE TABLE admin_changes (
            id BIGINT PRIMARY KEY,
            staff_id TEXT NOT NULL REFERENCES staff (id),
            at BIGINT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            before_json TEXT,
            after_json TEXT)",
        "CREATE INDEX admin_changes_at ON admin_changes (at)",
    ],
),
(
    6,
    "milestones on requests: when first routed, first answered, resolved",
    &[
        // ms since the epoch (ward record clock); NULL: not yet, or before this migration.
        "ALTER TABLE requests ADD COLUMN routed_at BIGINT",
        "ALTER TABLE requests ADD COLUMN first_response_at BIGINT",
        "ALTER TABLE requests ADD COLUMN resolved_at BIGINT",
        // The backlog at a month's end reads requests by when they were resolved.
        "CREATE INDEX requests_resolved_at ON requests (resolved_at)",
    ],
),
(
    7,
    "indexes for the office list: its filters in the order it is read (newest first)",
    &[
        "CREATE INDEX requests_status_received ON requests (status, received_at, id)",
        "CREATE INDEX requests_category_received ON requests (category, received_at, id)",
        "CREATE INDEX requests_section_received ON requests (section, received_at, id)",
        "CREATE INDEX requests_assignee_received ON requests (assignee, received_at, id)",
        // overdue=true: open and past resolve-by, counted and sorted from the index alone
        // (without it, 560 ms on 100,000 requests on SQLite; see docs/benchmarks.md).
        "CREATE INDEX requests_overdue ON requests (status, resolve_by, received_at, id)",
    ],
),
(
    8,
    "exactly once per (device, author, mutation): each mutation's first outcome is kept",
    &[
        // A retried mutation is answered with this outcome, never a bare "duplicate" (its
        // first answer may have been lost on the way). `fingerprint` is a SHA-256 of the
        // mutation as first sent: a different mutation under the same key is refused.
        // `outcome` is the JSON of koe_core::sync::Outcome, written in the transaction that
        // applied the mutation.
        "CREATE TABLE mutation_outcomes (
            client_id TEXT NOT NULL,
            staff_id TEXT NOT NULL,
            mutation_id BIGINT NOT NULL,
            fingerprint TEXT NOT NULL,
            outcome TEXT,
            at BIGINT NOT NULL,
            PRIMARY KEY (client_id, staff_id, mutation_id))",
        // Mutations applied before this migration: their change rows say they applied (an
        // empty fingerprint takes any retry); refused ones were never stored and apply
        // again, to the same refusal.
        "INSERT INTO mutation_outcomes (client_id, staff_id, mutation_id, fingerprint, outcome, at)
         SELECT client_id, staff_id, mutation_id, '',
                '{\"outcome\":\"applied\",\"version\":' || CAST(version AS TEXT) || '}', at
         FROM changes WHERE client_id IS NOT NULL AND mutation_id IS NOT NULL
         ON CONFLICT DO NOTHING",
        // A device belongs to the ward, not to a person: who used it last, and when.
        "ALTER TABLE devices ADD COLUMN last_staff_id TEXT",
    ],
),
(
    9,
    "devices belong to the ward: sessions name their device, devices are retired and report what waits on them, who signed in on which",
    &[
        // NULL: signed in without naming a device (an older app). Retiring a device ends
        // the sessions that name it.
        "ALTER TABLE sessions ADD COLUMN client_id TEXT",
        "CREATE INDEX sessions_client ON sessions (client_id)",
        // ms since the epoch; NULL: in use, or never reported.
        "ALTER TABLE devices ADD COLUMN retired_at BIGINT",
        "ALTER TABLE devices ADD COLUMN reported_at BIGINT",
        // The administrators' list of devices, most recently seen first.
        "CREATE INDEX devices_last_seen ON devices (last_seen_at)",
        // Who signed in on a device, and the ward record's key for them there (base64 of
        // 32 random bytes, made once; NULL once the device is retired). `waiting_*` are
        // as the device last reported.
        "CREATE TABLE device_people (
            client_id TEXT NOT NULL REFERENCES devices (client_id),
            staff_id TEXT NOT NULL REFERENCES staff (id),
            device_key TEXT,
            first_signed_in_at BIGINT NOT NULL,
            last_signed_in_at BIGINT NOT NULL,
            waiting_mutations BIGINT NOT NULL DEFAULT 0,
            waiting_photos BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (client_id, staff_id))",
    ],
)];

/// Applies the migrations not yet applied, inside `tx` (which the caller holds under
/// the write lock: `BEGIN IMMEDIATE` on SQLite, an advisory lock on PostgreSQL).
pub async fn migrate(tx: &mut Transaction<'static, Any>) -> Result<usize, sqlx::Error> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            description TEXT NOT NULL,
            applied_at BIGINT NOT NULL)",
    )
    .execute(&mut **tx)
    .await?;
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations")
        .fetch_all(&mut **tx)
        .await?;
    let mut count = 0;
    for (version, description, statements) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        for statement in *statements {
            sqlx::query(statement).execute(&mut **tx).await?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(*version)
        .bind(*description)
        .bind(crate::now_ms())
        .execute(&mut **tx)
        .await?;
        count += 1;
    }
    Ok(count)
}
