//! A seeded day in a ward office: field staff log requests (some with photos, some with a
//! phone number the ward record refuses), edit them before and after they are sent, and
//! add notes; one tablet is pooled between two people; the office routes, re-routes away
//! from the field staff's section, assigns, answers and sometimes changes a field a field
//! worker is editing too. Every device syncs at random moments through a lossy network.
//! Then the network heals and every device syncs until nothing waits.

use koe_core::device::{LocalRequest, SyncState};
use koe_core::{Contact, FieldValue, NewRequest, Place, Status, Urgency};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::device::{Device, PhotoState};
use crate::transport::{NetFaults, Transport};

/// Who works the simulated day (demo ward staff), and on which device: the first two
/// share one pooled tablet.
pub const FIELD_STAFF: [(&str, &[&str]); 3] = [
    (
        "road01",
        &["road-pothole", "road-streetlight", "road-drain"],
    ),
    ("park01", &["park-equipment", "park-cleaning"]),
    ("welfare01", &["welfare-elderly", "welfare-disability"]),
];
pub const POOLED_WITH: (&str, &str) = ("road01", "welfare02");
pub const OFFICE: &str = "clerk01";

#[derive(Debug, Clone, Copy)]
pub struct RunConfig {
    pub seed: u64,
    /// Actions before the network heals.
    pub steps: usize,
    pub faults: NetFaults,
    /// Where the devices' pulls start: the ward record's order when the day begins (the
    /// devices were in use before).
    pub cursor: i64,
}

/// A finished run: the devices as they ended, for the oracle.
pub struct Run {
    pub field: Vec<Device>,
    pub office: Device,
    /// Device syncs that stopped short (lost, refused) during the day.
    pub syncs_cut: u64,
    /// Whether every device ended with nothing waiting; if not, why.
    pub quiet: bool,
    pub unquiet: Vec<String>,
}

impl Run {
    pub fn devices(&self) -> impl Iterator<Item = &Device> {
        self.field.iter().chain(std::iter::once(&self.office))
    }
}

fn new_request(rng: &mut StdRng, clock: &mut i64, category: &str, n: usize) -> NewRequest {
    *clock += rng.gen_range(1_000..60_000);
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    // One in eight carries a phone number the ward record refuses (bad_phone).
    let phone = if rng.gen_bool(0.125) {
        "電話は後で".to_string()
    } else {
        format!(
            "044-{:03}-{:04}",
            rng.gen_range(100..999),
            rng.gen_range(0..9999)
        )
    };
    NewRequest {
        id: koe_core::id::request_id(*clock as u64, random),
        category: category.into(),
        title: format!("要望 {n}"),
        description: format!("区民の方から {n}"),
        place: Place {
            // Full f64 precision: the ward record must give back every digit.
            lat: Some(35.59 + rng.gen::<f64>() * 0.02),
            lon: Some(139.60 + rng.gen::<f64>() * 0.02),
            accuracy_m: Some(rng.gen_range(3.0..30.0)),
            address: format!("高津区溝口{}-{}", rng.gen_range(1..6), rng.gen_range(1..30)),
            landmark: String::new(),
        },
        urgency: [
            Urgency::Urgent,
            Urgency::High,
            Urgency::Medium,
            Urgency::Low,
        ][rng.gen_range(0..4)],
        logged_at: *clock,
        contact: Contact {
            name: Some("区民".into()),
            phone: Some(phone),
            email: None,
            consent_to_contact: true,
        },
    }
}

/// A UUIDv7 from the run's generator (devices, notes, photos).
fn fresh_id(rng: &mut StdRng) -> Uuid {
    let mut random = [0u8; 10];
    rng.fill(&mut random);
    koe_core::id::request_id(rng.gen_range(1..u32::MAX) as u64, random)
}

fn photo(rng: &mut StdRng) -> (Uuid, Vec<u8>) {
    let id = fresh_id(rng);
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let len = rng.gen_range(500..5_000);
    bytes.extend((0..len).map(|_| rng.gen::<u8>()));
    (id, bytes)
}

fn pick<'a>(rng: &mut StdRng, list: &'a [LocalRequest]) -> Option<&'a LocalRequest> {
    (!list.is_empty()).then(|| &list[rng.gen_range(0..list.len())])
}

/// A field worker's edit of one of their requests: a fix of a refused phone number, or
/// another title, description or urgency.
fn field_edit(rng: &mut StdRng, local: &LocalRequest, n: usize) -> Vec<FieldValue> {
    if matches!(local.sync, SyncState::Rejected { .. }) || rng.gen_bool(0.2) {
        let mut contact = local
            .request
            .as_ref()
            .map(|r| r.contact.clone())
            .unwrap_or_default();
        contact.phone = Some(format!("044-{:03}-0000", rng.gen_range(100..999)));
        return vec![FieldValue::Contact(contact)];
    }
    match rng.gen_range(0..3) {
        0 => vec![FieldValue::Title(format!("修正 {n}"))],
        1 => vec![FieldValue::Description(format!("詳しく {n}"))],
        _ => vec![FieldValue::Urgency(
            [Urgency::Urgent, Urgency::High, Urgency::Low][rng.gen_range(0..3)],
        )],
    }
}

/// What the office does with a request it has pulled, by its status (core's workflow).
fn office_action(rng: &mut StdRng, local: &LocalRequest, n: usize) -> Vec<FieldValue> {
    let Some(server) = &local.server else {
        return Vec::new();
    };
    match rng.gen_range(0..6) {
        // Route it elsewhere: road and park requests leave their inspector's view.
        0 => vec![FieldValue::Section(
            ["road", "park", "community"][rng.gen_range(0..3)].into(),
        )],
        1 => vec![FieldValue::Assignee(Some("road01".into()))],
        2 => vec![FieldValue::Response(format!("対応しました {n}"))],
        // The office changes a field a field worker may be editing too: a conflict.
        3 => vec![FieldValue::Title(format!("区の件名 {n}"))],
        _ => {
            let next = koe_core::workflow::next_statuses(server.status);
            let to = next[rng.gen_range(0..next.len())];
            let mut v = vec![FieldValue::Status(to)];
            if matches!(to, Status::Resolved | Status::Closed) && server.response.is_none() {
                v.insert(0, FieldValue::Response(format!("回答 {n}")));
            }
            if to == Status::Duplicate {
                return Vec::new();
            }
            v
        }
    }
}

/// A day's work done, not yet settled: the devices as the network left them.
pub struct Day {
    field: Vec<Device>,
    office: Device,
    syncs_cut: u64,
}

/// Works the day through `t` and then settles it (see [`work_day`] and [`settle`]).
pub async fn run<T: Transport>(t: &mut T, config: RunConfig, password: &str) -> Run {
    let day = work_day(t, config, password).await;
    settle(t, day).await
}

/// The day's actions through `t`, faults and all.
pub async fn work_day<T: Transport>(t: &mut T, config: RunConfig, password: &str) -> Day {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut clock: i64 = 1_780_000_000_000 + (config.seed as i64 % 1_000_000) * 1_000;
    let mut field: Vec<Device> = FIELD_STAFF
        .iter()
        .map(|(staff, _)| Device::new(fresh_id(&mut rng), staff, password, config.cursor))
        .collect();
    let mut office = Device::new(fresh_id(&mut rng), OFFICE, password, config.cursor);
    let mut syncs_cut = 0;
    let mut n = 0;
    for _ in 0..config.steps {
        n += 1;
        let which = rng.gen_range(0..=field.len());
        if which == field.len() {
            // The office: pull, act on what it sees, sync.
            let list: Vec<LocalRequest> = office.requests.values().cloned().collect();
            match rng.gen_range(0..3) {
                0 => {
                    if let Some(local) = pick(&mut rng, &list) {
                        let values = office_action(&mut rng, local, n);
                        if !values.is_empty() {
                            office.edit(local.id, values);
                        }
                    }
                }
                1 => {
                    if let Some(local) = pick(&mut rng, &list) {
                        let note = fresh_id(&mut rng);
                        office.note(local.id, note, &format!("電話で説明 {n}"));
                    }
                }
                _ => {
                    if office.sync(t).await.is_err() {
                        syncs_cut += 1;
                    }
                }
            }
            continue;
        }
        let device = &mut field[which];
        // The pooled tablet changes hands now and then.
        if which == 0 && rng.gen_bool(0.1) {
            let next = if device.author == POOLED_WITH.0 {
                POOLED_WITH.1
            } else {
                POOLED_WITH.0
            };
            device.switch_to(next);
        }
        let categories = FIELD_STAFF
            .iter()
            .find(|(s, _)| *s == device.author)
            .map_or(&["welfare-elderly"][..], |(_, c)| *c);
        let mine: Vec<LocalRequest> = device
            .requests
            .values()
            .filter(|l| device.logged.get(&l.id) == Some(&device.author))
            .cloned()
            .collect();
        match rng.gen_range(0..10) {
            0..=2 => {
                let category = categories[rng.gen_range(0..categories.len())];
                let request = new_request(&mut rng, &mut clock, category, n);
                let photos = (0..rng.gen_range(0..3)).map(|_| photo(&mut rng)).collect();
                device.log(request, photos);
            }
            3..=5 => {
                if let Some(local) = pick(&mut rng, &mine) {
                    let values = field_edit(&mut rng, local, n);
                    device.edit(local.id, values);
                }
            }
            6 => {
                if let Some(local) = pick(&mut rng, &mine) {
                    let note = fresh_id(&mut rng);
                    device.note(local.id, note, &format!("現場確認 {n}"));
                }
            }
            _ => {
                if device.sync(t).await.is_err() {
                    syncs_cut += 1;
                }
            }
        }
    }
    Day {
        field,
        office,
        syncs_cut,
    }
}

/// The network heals: every device (each person on the pooled one) syncs until nothing
/// waits, a bounded number of rounds; then a last pull for everyone.
pub async fn settle<T: Transport>(t: &mut T, day: Day) -> Run {
    let Day {
        mut field,
        mut office,
        syncs_cut,
    } = day;
    t.heal();
    let mut quiet = false;
    let mut unquiet = Vec::new();
    for _ in 0..12 {
        unquiet.clear();
        let mut waiting = false;
        for device in field.iter_mut() {
            // Everyone who queued work here, and whoever holds the device now.
            let mut people: Vec<String> = device
                .ledger
                .values()
                .filter_map(|q| q.mutation.author.clone())
                .collect();
            people.push(device.author.clone());
            people.sort();
            people.dedup();
            for person in people {
                device.switch_to(&person);
                if let Err(e) = device.sync(t).await {
                    waiting = true;
                    unquiet.push(format!("{person}: {e:?}"));
                }
            }
            waiting |= !device.outbox.is_empty()
                || device.photos.values().any(|p| {
                    matches!(p.state, PhotoState::Waiting | PhotoState::Uploading(_))
                        && device
                            .requests
                            .get(&p.request_id)
                            .is_some_and(|r| !matches!(r.sync, SyncState::Rejected { .. }))
                });
        }
        if let Err(e) = office.sync(t).await {
            waiting = true;
            unquiet.push(format!("{OFFICE}: {e:?}"));
        }
        waiting |= !office.outbox.is_empty();
        if !waiting {
            quiet = true;
            break;
        }
    }
    // A last pull for everyone, so each view is the ward record's as of now.
    for device in field.iter_mut() {
        let _ = device.pull(t).await;
    }
    let _ = office.pull(t).await;
    Run {
        field,
        office,
        syncs_cut,
        quiet,
        unquiet,
    }
}
