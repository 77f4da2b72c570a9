//! 区の対応: what office staff, section heads and administrators do with a request —
//! route it (担当課), share it (連携先), assign it (担当者), move its status along the
//! allowed transitions (`koe_core::workflow`), answer the resident (対応内容), add internal
//! notes, mark it a duplicate (from the suggestions, photos side by side, or by id),
//! refer it elsewhere (他機関へ回付, with a note of where) and mark edits that lost as
//! reviewed. Each action is a set-fields or add-note mutation queued in the outbox (so it
//! works offline and goes once, in order) and pushed by the sync engine; the panel shows
//! what became of it: waiting, applied, in conflict, or refused with the reason.
//!
//! Only to those who may act on the request (`Viewer::may_act`: who may read it): a
//! 要配慮 consultation shown redacted gets a short note of who handles it, no action.

use koe_core::directory::{assignable, name_of, StaffEntry};
use koe_core::duplicates::DuplicateCandidate;
use koe_core::validation::{validate_note, validate_response};
use koe_core::workflow::{check_transition, next_statuses};
use koe_core::{Bilingual, Catalogue, EditableField, FieldValue, RequestRecord, Status, Viewer};
use leptos::prelude::*;
use uuid::Uuid;

use crate::api;
use crate::components::{BilingualMessage, GrowInput, MessageKind};
use crate::i18n::{format_time, use_i18n, Lang, Msg};
use crate::state::{use_app, AppState};
use crate::store::{EditSaved, LocalRequest};
use crate::sync::{use_sync, SyncEngine};

/// An action sent from this panel, to follow until the ward record answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Edit {
        mutation_id: u64,
        fields: Vec<EditableField>,
    },
    Note {
        mutation_id: u64,
        note_id: Uuid,
    },
}

impl Sent {
    pub fn mutation_id(&self) -> u64 {
        match self {
            Self::Edit { mutation_id, .. } | Self::Note { mutation_id, .. } => *mutation_id,
        }
    }
}

/// What became of an action, as far as the device knows.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Waiting,
    Applied,
    Conflict,
    Rejected(Bilingual),
}

/// What became of a set-fields edit, from the device's copy of the request: still
/// waiting while its edit is unsent; in conflict when one of its fields lost (the device
/// keeps it in `conflicts`); refused when its edit is gone with a problem recorded;
/// applied otherwise (a pull may already have folded it into the ward record's copy).
pub fn edit_outcome(local: &LocalRequest, mutation_id: u64, fields: &[EditableField]) -> Outcome {
    let mine: Vec<_> = local
        .edits
        .iter()
        .filter(|e| e.mutation_id == mutation_id)
        .collect();
    if mine.iter().any(|e| e.sent_at.is_none()) {
        return Outcome::Waiting;
    }
    if local.conflicts.iter().any(|c| fields.contains(&c.field)) {
        return Outcome::Conflict;
    }
    match &local.edit_problem {
        Some(problem) if mine.is_empty() => Outcome::Rejected(problem.clone()),
        _ => Outcome::Applied,
    }
}

/// The statuses offered by the status control: core's allowed next ones, except 重複 and
/// 他機関へ回付, which have their own controls (they need the original, or where to).
/// Only ones the person can complete: 対応済 and 完了 need the response (対応内容), so
/// without one they are offered only to someone who may write it.
pub fn status_choices(from: Status, may_respond: bool, has_response: bool) -> Vec<Status> {
    next_statuses(from)
        .iter()
        .copied()
        .filter(|s| !matches!(s, Status::Duplicate | Status::Referred))
        .filter(|s| may_respond || has_response || !matches!(s, Status::Resolved | Status::Closed))
        .collect()
}

/// Who handles a request the reader may not act on: its section when that is a welfare
/// section (a 要配慮 request's place), else the welfare sections in general.
fn handled_by(catalogue: &Catalogue, section: &str, lang: Lang) -> String {
    match catalogue.section(section) {
        Some(s) if s.welfare => lang.choose(&s.name_ja, &s.name_en).to_owned(),
        _ => Msg::ActWelfareSections.text(lang).to_owned(),
    }
}

/// Reads a request id typed or pasted (spaces and a 受付番号 label around it are fine).
pub fn parse_request_id(text: &str) -> Option<Uuid> {
    let t = text.trim();
    Uuid::parse_str(t).ok().or_else(|| {
        t.split(|c: char| c.is_whitespace() || c == '：' || c == ':')
            .find_map(|w| Uuid::parse_str(w).ok())
    })
}

/// What is being typed or chosen in the panel, kept across redraws (every sync redraws
/// it from the device's copy): `None` means "as the request stands".
#[derive(Debug, Clone, Copy)]
struct Drafts {
    status: RwSignal<Option<String>>,
    section: RwSignal<Option<String>>,
    shared: RwSignal<Option<Vec<String>>>,
    assignee: RwSignal<Option<String>>,
    response: RwSignal<Option<String>>,
    note: RwSignal<String>,
    refer: RwSignal<String>,
    original: RwSignal<String>,
    /// Bumped with each action, so a reader (and a test) knows which outcome is shown.
    seq: RwSignal<u32>,
    /// The likely duplicates were asked for.
    suggest: RwSignal<bool>,
}

impl Drafts {
    fn new() -> Self {
        Self {
            status: RwSignal::new(None),
            section: RwSignal::new(None),
            shared: RwSignal::new(None),
            assignee: RwSignal::new(None),
            response: RwSignal::new(None),
            note: RwSignal::new(String::new()),
            refer: RwSignal::new(String::new()),
            original: RwSignal::new(String::new()),
            seq: RwSignal::new(0),
            suggest: RwSignal::new(false),
        }
    }

    /// After an action is queued, the choices show the request as it now stands.
    fn settled(&self) {
        self.status.set(None);
        self.section.set(None);
        self.shared.set(None);
        self.assignee.set(None);
    }
}

fn viewer_of(app: AppState) -> Option<Viewer> {
    app.me.with_untracked(|me| {
        me.as_ref().map(|me| Viewer {
            staff_id: me.staff_id.clone(),
            role: me.role,
            sections: me.sections.clone(),
        })
    })
}

fn section_label(catalogue: &Catalogue, code: &str, lang: Lang) -> String {
    catalogue
        .section(code)
        .map(|s| lang.choose(&s.name_ja, &s.name_en).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// The office's panel on a request's detail; nothing for field staff, or while the ward
/// record does not have the request yet.
#[component]
pub fn OfficeActions(id: Uuid) -> impl IntoView {
    let app = use_app();
    let i18n = use_i18n();
    let local = LocalResource::new(move || {
        app.revision.track();
        let store = app.store.get();
        async move { store?.request(id).await.ok().flatten() }
    });
    let sent = RwSignal::new(None::<Sent>);
    let problem = RwSignal::new(None::<Bilingual>);
    let drafts = Drafts::new();
    // Redrawn only when the device's copy really changed (every sync reads it again):
    // what is being typed keeps its place and focus.
    let current = Memo::new(move |_| local.get().flatten());
    // What became of the last action: waiting while it is in the outbox; once out, the
    // push's answer is settled on the device's copy (in the same transaction), or, for a
    // note, the ward record has it or not.
    let checked = LocalResource::new(move || {
        app.revision.track();
        let store = app.store.get();
        let what = sent.get();
        async move {
            let what = what?;
            let store = store?;
            let about = what.mutation_id();
            if store.is_queued(about).await.ok()? {
                return Some((about, Outcome::Waiting));
            }
            let o = match what {
                Sent::Edit {
                    mutation_id,
                    fields,
                } => {
                    let local = store.request(id).await.ok()??;
                    edit_outcome(&local, mutation_id, &fields)
                }
                Sent::Note { note_id, .. } => {
                    let detail = api::request_detail(id).await.ok()?;
                    if detail.notes.iter().any(|n| n.id == note_id) {
                        Outcome::Applied
                    } else {
                        Outcome::Rejected(Msg::ErrNotAnswered.bilingual())
                    }
                }
            };
            Some((about, o))
        }
    });
    move || {
        let viewer = viewer_of(app)?;
        if !viewer.role.reviews_ward() {
            return None;
        }
        let local = current.get()?;
        let record = local.server.clone()?;
        let catalogue = app.catalogue.get()?;
        // The office's own rule: offered only what the ward record would take. A request
        // the reader may not read (要配慮, shown redacted) offers nothing but who handles it.
        if !viewer.may_act(&record, &catalogue) {
            let section = record.section.clone();
            return Some(
                view! {
                    <section
                        class="office-actions office-actions-none"
                        data-testid="office-actions-redacted"
                        aria-labelledby="office-actions-title"
                    >
                        <h3 id="office-actions-title">{move || i18n.t(Msg::ActTitle)}</h3>
                        <p class="note" data-testid="act-handled-by">
                            {move || {
                                let lang = i18n.lang();
                                Msg::ActHandledBy.fill(lang, &handled_by(&catalogue, &section, lang))
                            }}
                        </p>
                    </section>
                }
                .into_any(),
            );
        }
        if !viewer.may_edit(&record, EditableField::Status, &catalogue) {
            return None;
        }
        Some(
            view! {
                <Panel
                    local=local
                    record=record
                    viewer=viewer
                    catalogue=catalogue
                    sent=sent
                    problem=problem
                    drafts=drafts
                    checked=checked
                />
            }
            .into_any(),
        )
    }
}

#[component]
fn Panel(
    local: LocalRequest,
    record: RequestRecord,
    viewer: Viewer,
    catalogue: Catalogue,
    sent: RwSignal<Option<Sent>>,
    problem: RwSignal<Option<Bilingual>>,
    drafts: Drafts,
    checked: LocalResource<Option<(u64, Outcome)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let engine = use_sync();
    let id = record.id;
    let shown = |field| {
        local
            .shown(field)
            .or_else(|| Some(FieldValue::of(&record, field)))
    };
    let status = match shown(EditableField::Status) {
        Some(FieldValue::Status(s)) => s,
        _ => record.status,
    };
    let section = match shown(EditableField::Section) {
        Some(FieldValue::Section(s)) => s,
        _ => record.section.clone(),
    };
    let shared = match shown(EditableField::SharedWith) {
        Some(FieldValue::SharedWith(s)) => s,
        _ => record.shared_with.clone(),
    };
    let assignee = match shown(EditableField::Assignee) {
        Some(FieldValue::Assignee(a)) => a,
        _ => record.assignee.clone(),
    };
    let response = match shown(EditableField::Response) {
        Some(FieldValue::Response(r)) => r,
        _ => record.response.clone().unwrap_or_default(),
    };
    let has_response = !response.trim().is_empty();
    let may_respond = viewer.may_edit(&record, EditableField::Response, &catalogue);
    let may_note = viewer.may_add_note(&record, &catalogue);

    let outcome = move || {
        if let Some(p) = problem.get() {
            return Some((p, MessageKind::Problem, "problem"));
        }
        let what = sent.get()?;
        // Only the answer about the action sent last (the check may lag behind it).
        let (about, o) = checked.get().flatten()?;
        if about != what.mutation_id() {
            return None;
        }
        let o = match (what, o) {
            (Sent::Note { .. }, Outcome::Applied) => {
                return Some((Msg::ActNoteStored.bilingual(), MessageKind::Info, "applied"))
            }
            (_, o) => o,
        };
        Some(match o {
            Outcome::Waiting => (Msg::ActWaiting.bilingual(), MessageKind::Info, "waiting"),
            Outcome::Applied => (Msg::ActApplied.bilingual(), MessageKind::Info, "applied"),
            Outcome::Conflict => (
                Msg::ActConflict.bilingual(),
                MessageKind::Problem,
                "conflict",
            ),
            Outcome::Rejected(reason) => (
                Bilingual::new(
                    Msg::ActRejected.ja().replacen("{}", &reason.ja, 1),
                    Msg::ActRejected.en().replacen("{}", &reason.en, 1),
                ),
                MessageKind::Problem,
                "rejected",
            ),
        })
    };

    let after_queue = move |engine: SyncEngine| {
        app.changed();
        engine.refresh_waiting();
        engine.sync_now();
    };
    // Queues a set-fields edit (values checked by the caller).
    let save = move |values: Vec<FieldValue>| {
        problem.set(None);
        // The last action's outcome goes until this one is queued.
        sent.set(None);
        drafts.seq.update(|n| *n += 1);
        let fields: Vec<EditableField> = values.iter().map(FieldValue::field).collect();
        leptos::task::spawn_local(async move {
            let Some(store) = app.store.get_untracked() else {
                problem.set(Some(Msg::ActNeedsStore.bilingual()));
                return;
            };
            match store.save_edit(id, values).await {
                Ok(EditSaved::Queued { mutation_id }) => {
                    sent.set(Some(Sent::Edit {
                        mutation_id,
                        fields,
                    }));
                    drafts.settled();
                    after_queue(engine);
                }
                Ok(EditSaved::Unchanged) => {
                    sent.set(None);
                    problem.set(Some(Msg::ActUnchanged.bilingual()));
                }
                Ok(_) => after_queue(engine),
                Err(e) => problem.set(Some(e.message())),
            }
        });
    };
    let note = move |text: String, then: Option<Vec<FieldValue>>| {
        problem.set(None);
        // The last action's outcome goes until this one is queued.
        sent.set(None);
        drafts.seq.update(|n| *n += 1);
        if let Err(e) = validate_note(&text) {
            problem.set(Some(e.message()));
            return;
        }
        leptos::task::spawn_local(async move {
            let Some(store) = app.store.get_untracked() else {
                problem.set(Some(Msg::ActNeedsStore.bilingual()));
                return;
            };
            let note_id = match crate::ids::new_client_id() {
                Ok(n) => n,
                Err(m) => {
                    problem.set(Some(m));
                    return;
                }
            };
            match store.queue_note(id, note_id, text.trim()).await {
                Ok(mutation_id) => {
                    sent.set(Some(Sent::Note {
                        mutation_id,
                        note_id,
                    }));
                    if let Some(values) = then {
                        save(values);
                    } else {
                        after_queue(engine);
                    }
                }
                Err(e) => problem.set(Some(e.message())),
            }
        });
    };
    // A status change, checked by core's workflow first (the same message as the ward
    // record's when it would refuse).
    let move_status = move |to: Status, extra: Vec<FieldValue>| {
        drafts.seq.update(|n| *n += 1);
        let has_original = extra
            .iter()
            .any(|v| matches!(v, FieldValue::DuplicateOf(Some(_))));
        if let Err(e) = check_transition(status, to, has_response, has_original) {
            problem.set(Some(e.message()));
            return;
        }
        let mut values = extra;
        values.push(FieldValue::Status(to));
        save(values);
    };

    // --- 状態
    let choices = status_choices(status, may_respond, has_response);
    let first_choice = choices
        .first()
        .map(|s| s.code().to_owned())
        .unwrap_or_default();
    let status_to =
        Signal::derive(move || drafts.status.get().unwrap_or_else(|| first_choice.clone()));
    let status_form = if choices.is_empty() {
        view! { <p class="note">{move || i18n.t(Msg::ActNoStatusMove)}</p> }.into_any()
    } else {
        view! {
            <form class="act-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if let Some(to) = Status::from_code(&status_to.get_untracked()) {
                    move_status(to, Vec::new());
                }
            }>
                <label class="field">
                    <span>{move || i18n.t(Msg::ActStatusTo)}</span>
                    <select
                        data-testid="act-status"
                        prop:value=status_to
                        on:change=move |ev| drafts.status.set(Some(event_target_value(&ev)))
                    >
                        {choices.into_iter().map(|s| view! {
                            <option value=s.code()>{move || i18n.lang().choose(s.label_ja(), s.label_en()).to_owned()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary-button" data-testid="act-status-save">
                    {move || i18n.t(Msg::ActStatus)}
                </button>
            </form>
        }
        .into_any()
    };

    // --- 担当課
    let section_now = section.clone();
    let section_to =
        Signal::derive(move || drafts.section.get().unwrap_or_else(|| section_now.clone()));
    let sections = catalogue.sections.clone();
    let section_form = view! {
        <form class="act-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save(vec![FieldValue::Section(section_to.get_untracked())]);
        }>
            <label class="field">
                <span>{move || i18n.t(Msg::ActSection)}</span>
                <select
                    data-testid="act-section"
                    prop:value=section_to
                    on:change=move |ev| drafts.section.set(Some(event_target_value(&ev)))
                >
                    {sections.into_iter().map(|s| {
                        let selected = s.code == section;
                        view! {
                            <option value=s.code.clone() selected=selected>
                                {move || i18n.lang().choose(&s.name_ja, &s.name_en).to_owned()}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="primary-button" data-testid="act-route">
                {move || i18n.t(Msg::ActRoute)}
            </button>
        </form>
    };

    // --- 連携先
    let shared_now = shared.clone();
    let shared_to =
        Signal::derive(move || drafts.shared.get().unwrap_or_else(|| shared_now.clone()));
    let share_choices: Vec<_> = catalogue
        .sections
        .iter()
        .filter(|s| s.code != record.section)
        .cloned()
        .collect();
    let share_form = view! {
        <form class="act-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save(vec![FieldValue::SharedWith(shared_to.get_untracked())]);
        }>
            <fieldset class="act-shared">
                <legend>{move || i18n.t(Msg::ActShared)}</legend>
                {share_choices.into_iter().map(|s| {
                    let code = s.code.clone();
                    let code_check = s.code.clone();
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                data-testid=format!("act-share-{}", s.code)
                                prop:checked=move || shared_to.with(|l| l.contains(&code_check))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let code = code.clone();
                                    let mut l = shared_to.get_untracked();
                                    l.retain(|c| *c != code);
                                    if on {
                                        l.push(code);
                                    }
                                    drafts.shared.set(Some(l));
                                }
                            />
                            {move || i18n.lang().choose(&s.name_ja, &s.name_en).to_owned()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <button type="submit" class="secondary-button" data-testid="act-share-save">
                {move || i18n.t(Msg::ActSharedSave)}
            </button>
        </form>
    };

    // --- 担当者
    let staff = staff_directory(app);
    let assignee_now = assignee.clone().unwrap_or_default();
    let assignee_to = Signal::derive(move || {
        drafts
            .assignee
            .get()
            .unwrap_or_else(|| assignee_now.clone())
    });
    let staff_section = section.clone();
    let staff_record = record.clone();
    let staff_catalogue = catalogue.clone();
    // By name, the responsible section's staff first; on a 要配慮 request only those who
    // may read it (`koe_core::directory::assignable`).
    let staff_options = move || {
        let list: Vec<StaffEntry> = staff.get().flatten().unwrap_or_default();
        let english = i18n.lang() == Lang::En;
        let current = assignee_to.get_untracked();
        let mut options: Vec<(String, String)> =
            assignable(&list, &staff_record, &staff_section, &staff_catalogue)
                .into_iter()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.label_with_section(&staff_catalogue, english),
                    )
                })
                .collect();
        // The one assigned now stays choosable even when the list is not at hand.
        if !current.is_empty() && !options.iter().any(|(id, _)| *id == current) {
            let name = name_of(&list, &current).to_owned();
            options.insert(0, (current.clone(), name));
        }
        options
            .into_iter()
            .map(|(id, label)| {
                let selected = id == current;
                view! { <option value=id selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let assignee_name = {
        let now = assignee.clone();
        move || match &now {
            Some(id) => staff
                .get()
                .flatten()
                .map_or(id.clone(), |l| name_of(&l, id).to_owned()),
            None => i18n.t(Msg::ActNobody).to_owned(),
        }
    };
    let assign_form = view! {
        <form class="act-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let who = assignee_to.get_untracked();
            save(vec![FieldValue::Assignee((!who.is_empty()).then_some(who))]);
        }>
            <label class="field">
                <span>{move || i18n.t(Msg::ActAssignee)}</span>
                <select
                    data-testid="act-assignee"
                    prop:value=assignee_to
                    on:change=move |ev| drafts.assignee.set(Some(event_target_value(&ev)))
                >
                    <option value="">{move || i18n.t(Msg::ActNobody)}</option>
                    {staff_options}
                </select>
            </label>
            <button type="submit" class="primary-button" data-testid="act-assign">
                {move || i18n.t(Msg::ActAssign)}
            </button>
        </form>
    };

    // --- 対応内容
    let response_now = response.clone();
    let response_text = Signal::derive(move || {
        drafts
            .response
            .get()
            .unwrap_or_else(|| response_now.clone())
    });
    let response_form = may_respond.then(|| {
        view! {
            <form class="act-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let text = response_text.get_untracked();
                if let Err(e) = validate_response(&text) {
                    problem.set(Some(e.message()));
                    return;
                }
                save(vec![FieldValue::Response(text.trim().to_owned())]);
                drafts.response.set(None);
            }>
                <label class="field grow">
                    <span>{move || i18n.t(Msg::ActResponse)}</span>
                    <textarea
                        data-testid="act-response"
                        rows="3"
                        prop:value=response_text
                        on:input=move |ev| drafts.response.set(Some(event_target_value(&ev)))
                    ></textarea>
                </label>
                <button type="submit" class="primary-button" data-testid="act-response-save">
                    {move || i18n.t(Msg::ActResponseSave)}
                </button>
            </form>
        }
    });

    // --- 内部メモ
    let note_text = drafts.note;
    let note_form = may_note.then(|| {
        view! {
            <form class="act-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let text = note_text.get_untracked();
                note(text, None);
                note_text.set(String::new());
            }>
                <label class="field grow">
                    <span>{move || i18n.t(Msg::ActNote)}</span>
                    <textarea
                        data-testid="act-note"
                        rows="2"
                        prop:value=move || note_text.get()
                        on:input=move |ev| note_text.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button type="submit" class="secondary-button" data-testid="act-note-add">
                    {move || i18n.t(Msg::ActNoteAdd)}
                </button>
            </form>
        }
    });

    // --- 他機関へ回付
    let refer_allowed = next_statuses(status).contains(&Status::Referred);
    let refer_to = drafts.refer;
    let refer_form = (refer_allowed && may_note).then(|| {
        view! {
            <form class="act-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let to = refer_to.get_untracked().trim().to_owned();
                if to.is_empty() {
                    problem.set(Some(Msg::ActReferEmpty.bilingual()));
                    return;
                }
                // The record of where it went is in Japanese, like the office's records.
                let text = Msg::ActReferNote.ja().replacen("{}", &to, 1);
                note(text, Some(vec![FieldValue::Status(Status::Referred)]));
                refer_to.set(String::new());
            }>
                <GrowInput label=Msg::ActReferTo value=refer_to testid="act-refer-to" kind="text"/>
                <button type="submit" class="secondary-button" data-testid="act-refer">
                    {move || i18n.t(Msg::ActReferButton)}
                </button>
            </form>
        }
    });

    // --- 重複
    let original_text = drafts.original;
    let mark_duplicate = move |original: Uuid| {
        if original == id {
            problem.set(Some(Msg::ActSelf.bilingual()));
            return;
        }
        move_status(
            Status::Duplicate,
            vec![FieldValue::DuplicateOf(Some(original))],
        );
    };
    let duplicate_form = view! {
        <form class="act-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            match parse_request_id(&original_text.get_untracked()) {
                Some(original) => mark_duplicate(original),
                None => problem.set(Some(Msg::ActBadId.bilingual())),
            }
        }>
            <GrowInput
                label=Msg::ActOriginalId
                value=original_text
                testid="act-original"
                kind="text"
                autocomplete_off=true
            />
            <button type="submit" class="secondary-button" data-testid="act-duplicate">
                {move || i18n.t(Msg::ActMarkDuplicate)}
            </button>
        </form>
    };

    // --- 確認が必要な競合
    let review = (record.needs_review).then(|| {
        let conflicts = record.conflicts.clone();
        view! {
            <div class="act-review" data-testid="act-review">
                <h4>{move || i18n.t(Msg::ActReview)}</h4>
                <ul>
                    {conflicts.into_iter().map(|c| {
                        let field = c.field;
                        let theirs = c.server_value.to_string();
                        let mine = c.device_value.to_string();
                        let at = format_time(c.at as f64);
                        view! {
                            <li>
                                <strong>{move || i18n.lang().choose(field.label_ja(), field.label_en()).to_owned()}</strong>
                                ": " {theirs} " ← " {mine} " (" {c.by} ", " <time>{at}</time> ")"
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <button
                    type="button"
                    class="secondary-button"
                    data-testid="act-reviewed"
                    on:click=move |_| save(vec![FieldValue::NeedsReview(false)])
                >
                    {move || i18n.t(Msg::ActReviewed)}
                </button>
            </div>
        }
    });

    let current_section = section_label(&catalogue, &record.section, i18n.lang());
    view! {
        <section class="office-actions" data-testid="office-actions" aria-labelledby="office-actions-title">
            <h3 id="office-actions-title">{move || i18n.t(Msg::ActTitle)}</h3>
            <p class="act-id">
                {move || i18n.t(Msg::ActFullId)} ": "
                <code data-testid="act-full-id">{id.to_string()}</code>
            </p>
            <div class="act-outcome" aria-live="polite" data-testid="act-outcome" data-seq=move || drafts.seq.get().to_string()>
                {move || outcome().map(|(m, kind, code)| view! {
                    <div data-outcome=code>
                        <BilingualMessage message=m kind=kind/>
                    </div>
                })}
            </div>
            {review}
            <p class="note">
                {move || i18n.t(Msg::Status)} ": "
                <span data-testid="act-current-status">{move || i18n.lang().choose(status.label_ja(), status.label_en()).to_owned()}</span>
                " · " {move || i18n.t(Msg::ActSection)} ": " {current_section.clone()}
                " · " {move || i18n.t(Msg::ActAssigneeNow)} ": "
                <span data-testid="act-current-assignee">{assignee_name}</span>
            </p>
            {status_form}
            {section_form}
            {share_form}
            {assign_form}
            {response_form}
            {note_form}
            {refer_form}
            <h4>{move || i18n.t(Msg::ActDuplicate)}</h4>
            {duplicate_form}
            <Suggestions id=id asked=drafts.suggest on_pick=Callback::new(mark_duplicate)/>
        </section>
    }
}

/// The first complete photo of a request, if the reader may see it.
async fn first_photo(id: Uuid) -> Option<Uuid> {
    api::request_photos(id)
        .await
        .ok()?
        .into_iter()
        .find(|p| p.complete)
        .map(|p| p.photo_id)
}

/// Likely duplicates, each with its first photo beside this request's, to judge and pick.
#[component]
fn Suggestions(id: Uuid, asked: RwSignal<bool>, on_pick: Callback<Uuid>) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let found = LocalResource::new(move || {
        let wanted = asked.get();
        let online = app.online.get();
        async move {
            if !wanted {
                return None;
            }
            if !online {
                return Some(Err(Msg::ActNeedsConnection.bilingual()));
            }
            let list: Vec<DuplicateCandidate> = match api::duplicates(id).await {
                Ok(l) => l,
                Err(e) => return Some(Err(e.message())),
            };
            let this_photo = first_photo(id).await;
            let mut rows = Vec::new();
            for c in list {
                let photo = first_photo(c.request.id).await;
                rows.push((c, photo));
            }
            Some(Ok((this_photo, rows)))
        }
    });
    let photo = move |photo: Option<Uuid>, alt: Msg| {
        match photo {
        Some(p) => view! {
            <img class="dup-photo" src=format!("/api/photos/{p}") alt=move || i18n.t(alt) loading="lazy"/>
        }
        .into_any(),
        None => view! { <span class="dup-photo none">{move || i18n.t(Msg::ActNoPhoto)}</span> }.into_any(),
    }
    };
    view! {
        <div class="act-suggestions" data-testid="act-suggestions">
            <button type="button" class="secondary-button" data-testid="act-find-duplicates" on:click=move |_| asked.set(true)>
                {move || i18n.t(Msg::ActSuggestionsShow)}
            </button>
            {move || match found.get().flatten() {
                None if asked.get() => Some(view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }.into_any()),
                None => None,
                Some(Err(m)) => Some(view! { <BilingualMessage message=m kind=MessageKind::Problem/> }.into_any()),
                Some(Ok((_, rows))) if rows.is_empty() => Some(view! {
                    <p class="empty" data-testid="act-no-duplicates">{move || i18n.t(Msg::ActNoSuggestions)}</p>
                }.into_any()),
                Some(Ok((this_photo, rows))) => Some(view! {
                    <h5>{move || i18n.t(Msg::ActSuggestions)}</h5>
                    <ul class="dup-list">
                        {rows.into_iter().map(|(c, their_photo)| {
                            let other = c.request.id;
                            let title = c.request.title.clone().unwrap_or_default();
                            let received = format_time(c.request.received_at as f64);
                            let status = c.request.status;
                            let why = match (c.distance_m, c.same_address) {
                                (Some(d), _) => Msg::ActDistance.fill(i18n.lang(), &format!("{d:.0}")),
                                (None, true) => i18n.t(Msg::ActSameAddress).to_owned(),
                                _ => String::new(),
                            };
                            view! {
                                <li class="dup-item" data-testid="duplicate-candidate" data-id=other.to_string()>
                                    <div class="dup-photos">
                                        <figure>
                                            {photo(this_photo, Msg::ActThisPhoto)}
                                            <figcaption>{move || i18n.t(Msg::ActThisPhoto)}</figcaption>
                                        </figure>
                                        <figure>
                                            {photo(their_photo, Msg::ActTheirPhoto)}
                                            <figcaption>{move || i18n.t(Msg::ActTheirPhoto)}</figcaption>
                                        </figure>
                                    </div>
                                    <p>
                                        <strong>{title}</strong> " · " {why} " · " <time>{received}</time> " · "
                                        {move || i18n.lang().choose(status.label_ja(), status.label_en()).to_owned()}
                                        <br/><code>{other.to_string()}</code>
                                    </p>
                                    <button
                                        type="button"
                                        class="primary-button"
                                        data-testid="act-duplicate-of"
                                        on:click=move |_| on_pick.run(other)
                                    >
                                        {move || i18n.t(Msg::ActMarkDuplicateOf)}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()),
            }}
        </div>
    }
}

// Pure logic: these run natively (`cargo test -p koe-app --lib`) and in the browser.
/// The ward's active staff (for 担当者), read while the device is online and again when it
/// comes back; None offline or when the ward record could not answer.
pub(crate) fn staff_directory(
    app: AppState,
) -> LocalResource<Option<Vec<koe_core::directory::StaffEntry>>> {
    LocalResource::new(move || {
        let online = app.online.get();
        async move {
            if online {
                api::staff().await.ok()
            } else {
                None
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{LocalConflict, LocalEdit};
    use koe_core::{NewRequest, Place, Urgency};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    fn pulled() -> LocalRequest {
        let r = NewRequest {
            id: koe_core::id::request_id(1, [5; 10]),
            category: "road-pothole".into(),
            title: "穴".into(),
            description: String::new(),
            place: Place::default(),
            urgency: Urgency::Low,
            logged_at: 1,
            contact: Default::default(),
        };
        LocalRequest::pulled(None, RequestRecord::created(&r, "road", "road01", 2, 3))
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn outcomes_follow_the_devices_copy() {
        let fields = [EditableField::Status];
        let mut l = pulled();
        l.edits.push(LocalEdit {
            value: FieldValue::Status(Status::Routed),
            mutation_id: 7,
            sent_at: None,
        });
        assert_eq!(edit_outcome(&l, 7, &fields), Outcome::Waiting);
        l.edits[0].sent_at = Some(9);
        assert_eq!(edit_outcome(&l, 7, &fields), Outcome::Applied);
        // Folded into the pulled copy: still applied.
        l.edits.clear();
        assert_eq!(edit_outcome(&l, 7, &fields), Outcome::Applied);
        l.conflicts.push(LocalConflict {
            field: EditableField::Status,
            mine: FieldValue::Status(Status::Routed),
            version: 9,
        });
        assert_eq!(edit_outcome(&l, 7, &fields), Outcome::Conflict);
        l.conflicts.clear();
        let why = Bilingual::new("だめ", "no");
        l.edit_problem = Some(why.clone());
        assert_eq!(edit_outcome(&l, 7, &fields), Outcome::Rejected(why));
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn status_choices_are_cores_without_their_own_controls() {
        assert_eq!(
            status_choices(Status::New, true, false),
            [Status::Routed, Status::InProgress]
        );
        assert_eq!(
            status_choices(Status::InProgress, true, false),
            [Status::Routed, Status::Resolved]
        );
        for s in Status::ALL {
            for (may, has) in [(true, true), (true, false), (false, true), (false, false)] {
                for c in status_choices(s, may, has) {
                    assert!(next_statuses(s).contains(&c));
                }
            }
        }
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn nobody_is_offered_a_status_they_cannot_complete() {
        // Without a response, 対応済 needs someone who may write one.
        assert_eq!(
            status_choices(Status::InProgress, false, false),
            [Status::Routed]
        );
        assert_eq!(
            status_choices(Status::InProgress, false, true),
            [Status::Routed, Status::Resolved]
        );
        assert_eq!(
            status_choices(Status::Resolved, false, false),
            [Status::InProgress]
        );
        assert_eq!(
            status_choices(Status::Resolved, true, false),
            [Status::InProgress, Status::Closed]
        );
    }

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn request_ids_are_read_from_what_is_pasted() {
        let id = "0190f2c4-8a3e-7b21-9c4d-5e6f7a8b9c0d";
        let want = Uuid::parse_str(id).ok();
        assert_eq!(parse_request_id(id), want);
        assert_eq!(parse_request_id(&format!("  {id} ")), want);
        assert_eq!(parse_request_id(&format!("受付番号：{id}")), want);
        assert_eq!(parse_request_id("12345"), None);
        assert_eq!(parse_request_id(""), None);
    }
}
