use koe_core::Bilingual;
use leptos::prelude::*;

use crate::i18n::use_i18n;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// A result to note (role=status).
    Info,
    /// A problem to act on (role=alert).
    Problem,
}

/// A message in the chosen language, with the other language under it, smaller: the
/// resident looking over the shoulder or a colleague may read the other one.
#[component]
pub fn BilingualMessage(
    message: Bilingual,
    kind: MessageKind,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let (role, class) = match kind {
        MessageKind::Info => ("status", "message info"),
        MessageKind::Problem => ("alert", "message problem"),
    };
    let primary = message.clone();
    view! {
        <div role=role class=class data-testid=(!testid.is_empty()).then_some(testid)>
            <p class="primary">{move || i18n.lang().pick(&primary).to_owned()}</p>
            <p class="secondary" lang=move || i18n.lang().other().code()>
                {move || i18n.lang().pick_other(&message).to_owned()}
            </p>
        </div>
    }
}
