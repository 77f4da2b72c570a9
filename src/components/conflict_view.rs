//! 区の記録と食い違いがあります: an edit made on this device lost to a newer change of the
//! same field on the ward record (the office changed it first). Per field, both values
//! side by side — the ward record's and 自分の値 — and a choice of which to keep
//! (`Store::keep_value`). After either choice the conflict is gone from the device.

use koe_core::{Bilingual, Contact, FieldValue, Place};
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::MessageKind;
use crate::i18n::{use_i18n, Lang, Msg};
use crate::state::use_app;
use crate::store::{Keep, LocalConflict, LocalRequest};
use crate::sync::use_sync;

/// A field's value in words, as lines.
pub fn value_text(value: &FieldValue, lang: Lang) -> Vec<String> {
    let none = || Msg::NoneYet.text(lang).to_owned();
    let lines = match value {
        FieldValue::Title(t) | FieldValue::Description(t) | FieldValue::Response(t) => {
            vec![t.trim().to_owned()]
        }
        FieldValue::Place(p) => place_lines(p, lang),
        FieldValue::Contact(c) => contact_lines(c, lang),
        FieldValue::Urgency(u) => vec![lang.choose(u.label_ja(), u.label_en()).to_owned()],
        FieldValue::Status(s) => vec![lang.choose(s.label_ja(), s.label_en()).to_owned()],
        other => vec![other.json().to_string()],
    };
    let lines: Vec<String> = lines.into_iter().filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        vec![none()]
    } else {
        lines
    }
}

fn place_lines(p: &Place, lang: Lang) -> Vec<String> {
    let mut lines = vec![p.address.trim().to_owned(), p.landmark.trim().to_owned()];
    if let (Some(lat), Some(lon)) = (p.lat, p.lon) {
        lines.push(Msg::Coordinates.fill(lang, &format!("{lat:.5}, {lon:.5}")));
    }
    lines
}

fn contact_lines(c: &Contact, lang: Lang) -> Vec<String> {
    if c.is_anonymous() {
        return vec![Msg::Anonymous.text(lang).to_owned()];
    }
    let mut lines: Vec<String> = [&c.name, &c.phone, &c.email]
        .into_iter()
        .filter_map(|v| v.as_deref().map(str::trim).map(str::to_owned))
        .collect();
    if c.consent_to_contact {
        lines.push(Msg::ConsentYes.text(lang).to_owned());
    }
    lines
}

#[component]
pub fn ConflictView(
    local: LocalRequest,
    /// Where the outcome of a choice is told.
    feedback: RwSignal<Option<(Bilingual, MessageKind)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let conflicts = local.conflicts.clone();
    let finished = local
        .status()
        .is_some_and(koe_core::merge::edits_kept_for_review);
    let id = local.id;
    let items = conflicts
        .into_iter()
        .map(|c| {
            let theirs = local.theirs(&c);
            view! { <ConflictItem id=id conflict=c theirs=theirs finished=finished feedback=feedback/> }
        })
        .collect_view();
    view! {
        <section class="conflicts" data-testid="conflicts" aria-labelledby="conflicts-heading">
            <h3 id="conflicts-heading">{move || i18n.t(Msg::ConflictHeading)}</h3>
            <p>{move || i18n.t(Msg::ConflictExplain)}</p>
            {items}
        </section>
    }
}

#[component]
fn ConflictItem(
    id: Uuid,
    conflict: LocalConflict,
    theirs: Option<FieldValue>,
    finished: bool,
    feedback: RwSignal<Option<(Bilingual, MessageKind)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let engine = use_sync();
    let field = conflict.field;
    let code = serde_json::to_value(field)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let busy = RwSignal::new(false);
    let choose = move |keep: Keep| {
        if busy.get_untracked() {
            return;
        }
        let Some(store) = app.store.get_untracked() else {
            feedback.set(Some((Msg::DbOpening.bilingual(), MessageKind::Problem)));
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match store.keep_value(id, field, keep).await {
                Ok(queued) => {
                    let msg = if queued.is_some() {
                        Msg::ConflictKept
                    } else {
                        Msg::ConflictDismissed
                    };
                    feedback.set(Some((msg.bilingual(), MessageKind::Info)));
                    app.changed();
                    engine.refresh_waiting();
                    if queued.is_some() && app.online.get_untracked() {
                        engine.sync_now();
                    }
                }
                Err(e) => feedback.set(Some((e.message(), MessageKind::Problem))),
            }
            busy.set(false);
        });
    };
    let label = move || {
        i18n.lang()
            .choose(field.label_ja(), field.label_en())
            .to_owned()
    };
    let mine = conflict.mine.clone();
    let has_theirs = theirs.is_some();
    let lines = |v: Option<FieldValue>| {
        move || match &v {
            Some(v) => value_text(v, i18n.lang())
                .into_iter()
                .map(|l| view! { <span class="detail-line">{l}</span> })
                .collect_view()
                .into_any(),
            None => {
                view! { <span class="note">{i18n.t(Msg::ConflictAwaitingPull)}</span> }.into_any()
            }
        }
    };
    let heading_id = format!("conflict-{code}");
    view! {
        <div
            class="conflict"
            role="group"
            data-testid=format!("conflict-{code}")
            aria-labelledby=heading_id.clone()
        >
            <h4 id=heading_id.clone()>{move || Msg::ConflictFieldLegend.fill(i18n.lang(), &label())}</h4>
            <div class="conflict-values">
                <div class="conflict-value theirs" data-testid="conflict-theirs">
                    <p class="conflict-label">{move || i18n.t(Msg::ConflictTheirs)}</p>
                    <p class="conflict-text">{lines(theirs)}</p>
                </div>
                <div class="conflict-value mine" data-testid="conflict-mine">
                    <p class="conflict-label">{move || i18n.t(Msg::ConflictMine)}</p>
                    <p class="conflict-text">{lines(Some(mine))}</p>
                </div>
            </div>
            <div class="conflict-actions">
                <button
                    type="button"
                    class="secondary-button"
                    data-testid="keep-theirs"
                    disabled=move || busy.get() || !has_theirs
                    on:click=move |_| choose(Keep::Theirs)
                >
                    {move || i18n.t(Msg::KeepTheirs)}
                </button>
                <button
                    type="button"
                    class="primary-button"
                    data-testid="keep-mine"
                    disabled=move || busy.get()
                    on:click=move |_| choose(Keep::Mine)
                >
                    {move || i18n.t(if finished { Msg::KeepForReview } else { Msg::KeepMine })}
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use koe_core::Urgency;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn values_read_as_words_in_the_chosen_language() {
        assert_eq!(
            value_text(&FieldValue::Title(" 歩道の穴 ".into()), Lang::Ja),
            ["歩道の穴"]
        );
        assert_eq!(
            value_text(&FieldValue::Description(String::new()), Lang::En),
            ["None"]
        );
        assert_eq!(
            value_text(&FieldValue::Urgency(Urgency::Urgent), Lang::Ja),
            ["緊急"]
        );
        let place = Place {
            lat: Some(35.6),
            lon: Some(139.6),
            address: "高津区".into(),
            ..Place::default()
        };
        assert_eq!(
            value_text(&FieldValue::Place(place), Lang::En),
            ["高津区", "Latitude, longitude 35.60000, 139.60000"]
        );
        assert_eq!(
            value_text(&FieldValue::Contact(Contact::default()), Lang::Ja),
            ["（匿名）"]
        );
        let c = Contact {
            phone: Some("044-000-0000".into()),
            consent_to_contact: true,
            ..Contact::default()
        };
        assert_eq!(
            value_text(&FieldValue::Contact(c), Lang::En),
            ["044-000-0000", "May be contacted"]
        );
    }
}
