//! 写真 N/M 送信済: how many of a request's photos the ward record has (shown only when
//! the request has photos), read again whenever the device's data changes.

use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::{use_i18n, Msg};
use crate::state::use_app;
use crate::store::{PhotoCounts, PhotoState};

#[component]
pub fn PhotoBadge(request_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    let counts = LocalResource::new(move || {
        app.revision.track();
        let store = app.store.get();
        async move {
            let store = store?;
            let photos = store.photos_of(request_id).await.ok()?;
            let mut c = PhotoCounts::default();
            for p in &photos {
                c.total += 1;
                match p.state {
                    PhotoState::Synced => c.synced += 1,
                    PhotoState::Rejected(_) => c.rejected += 1,
                    _ => {}
                }
            }
            Some(c)
        }
    });
    move || {
        let c = counts.get().flatten().filter(|c| c.total > 0)?;
        let ratio = format!("{}/{}", c.synced, c.total);
        let state = if c.synced == c.total {
            "synced"
        } else if c.rejected > 0 {
            "rejected"
        } else {
            "waiting"
        };
        let lang = i18n.lang();
        let mut text = Msg::PhotosSynced.fill(lang, &ratio);
        if c.rejected > 0 {
            text.push('・');
            text.push_str(&Msg::PhotosRejected.fill(lang, &c.rejected.to_string()));
        }
        Some(view! {
            <span
                data-testid="photo-state"
                data-photos-synced=ratio
                data-photos=state
                class=format!("badge photos-{state}")
            >
                {text}
            </span>
        })
    }
}
