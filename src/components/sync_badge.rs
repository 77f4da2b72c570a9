use leptos::prelude::*;

use crate::i18n::{use_i18n, Msg};
use crate::store::SyncState;

/// 未送信 / 送信済 / 却下 with the reason.
#[component]
pub fn SyncBadge(state: SyncState) -> impl IntoView {
    let i18n = use_i18n();
    let code = state.code();
    let label = match &state {
        SyncState::Waiting => Msg::StateWaiting,
        SyncState::Synced { .. } => Msg::StateSynced,
        SyncState::Rejected { .. } => Msg::StateRejected,
    };
    let reason = match state {
        SyncState::Rejected { message, .. } => Some(message),
        _ => None,
    };
    view! {
        <span class=format!("badge sync-{code}")>{move || i18n.t(label)}</span>
        {reason.map(|message| {
            view! {
                <p class="reason" role="note">
                    {move || Msg::Reason.fill(i18n.lang(), i18n.lang().pick(&message))}
                </p>
            }
        })}
    }
}
