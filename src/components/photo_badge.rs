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

// Edit and conflicts: the request detail's photos.

/// A photo's refusal reason in `lang`. The photo queue keeps it as "日本語 / English".
pub fn reason_in(stored: &str, lang: crate::i18n::Lang) -> &str {
    match stored.split_once(" / ") {
        Some((ja, en)) => lang.choose(ja.trim(), en.trim()),
        None => stored.trim(),
    }
}

/// How far an upload is, in whole percent.
pub fn percent(uploaded: u64, size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    (uploaded.min(size) * 100) / size
}

fn revoke(urls: StoredValue<Vec<String>>) {
    urls.update_value(|all| {
        for u in all.drain(..) {
            let _ = web_sys::Url::revoke_object_url(&u);
        }
    });
}

/// 写真: the request's photos kept on this device, each with where its upload stands —
/// 未送信, 送信中 N%, 送信済, or 却下 with the ward record's reason.
#[component]
pub fn RequestPhotos(request_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    // The thumbnails' object URLs: revoked when the list is read again and when the
    // detail closes.
    let urls = StoredValue::new(Vec::<String>::new());
    on_cleanup(move || revoke(urls));
    let photos = LocalResource::new(move || {
        app.revision.track();
        let store = app.store.get();
        async move {
            let store = store?;
            let rows = store.photos_of(request_id).await.ok()?;
            revoke(urls);
            let mut list = Vec::with_capacity(rows.len());
            for row in rows {
                // Opened for showing; the object URL goes when the detail closes.
                let blob = store.photo_blob(row.photo_id).await.ok().flatten();
                let url = blob.and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok());
                if let Some(u) = &url {
                    urls.update_value(|all| all.push(u.clone()));
                }
                list.push((row, url));
            }
            Some(list)
        }
    });
    let body = move || {
        let list = photos.get().flatten()?;
        if list.is_empty() {
            return Some(
                view! { <p class="empty">{move || i18n.t(Msg::PhotoNoneOnDevice)}</p> }.into_any(),
            );
        }
        let items = list
            .into_iter()
            .enumerate()
            .map(|(i, (row, url))| {
                let row = &row;
                let state = row.state.code();
                let n = (i + 1).to_string();
                let alt = Msg::PhotoAlt.fill(i18n.lang(), &n);
                let label: Box<dyn Fn() -> String + Send + Sync> = match &row.state {
                    PhotoState::Waiting => Box::new(move || i18n.t(Msg::StateWaiting).to_owned()),
                    PhotoState::Uploading => {
                        let p = percent(row.uploaded, row.size).to_string();
                        Box::new(move || Msg::PhotoUploading.fill(i18n.lang(), &p))
                    }
                    PhotoState::Synced => Box::new(move || i18n.t(Msg::StateSynced).to_owned()),
                    PhotoState::Rejected(_) => {
                        Box::new(move || i18n.t(Msg::StateRejected).to_owned())
                    }
                };
                let reason = match &row.state {
                    PhotoState::Rejected(r) => Some(r.clone()),
                    _ => None,
                };
                let progress = matches!(row.state, PhotoState::Uploading)
                    .then(|| percent(row.uploaded, row.size));
                view! {
                    <li class=format!("photo-item photo-{state}") data-testid="detail-photo" data-photo-state=state>
                        {url.map(|u| view! { <img src=u alt=alt.clone() class="photo-thumb"/> })}
                        <span class=format!("badge photos-{state}")>{label}</span>
                        {progress.map(|p| view! {
                            <progress max="100" value=p.to_string() aria-label=alt.clone()></progress>
                        })}
                        {reason.map(|r| view! {
                            <p class="reason" role="note" data-testid="photo-reason">
                                {move || Msg::Reason.fill(i18n.lang(), reason_in(&r, i18n.lang()))}
                            </p>
                        })}
                    </li>
                }
            })
            .collect_view();
        Some(
            view! { <ul class="detail-photos" data-testid="detail-photos">{items}</ul> }.into_any(),
        )
    };
    view! {
        <h3>{move || i18n.t(Msg::PhotosHeading)}</h3>
        {body}
    }
}

#[cfg(test)]
mod detail_tests {
    use super::*;
    use crate::i18n::Lang;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_rejected_photo_reads_its_reason_in_the_chosen_language() {
        let stored = "写真が大きすぎます。 / The photo is too large.";
        assert_eq!(reason_in(stored, Lang::Ja), "写真が大きすぎます。");
        assert_eq!(reason_in(stored, Lang::En), "The photo is too large.");
        assert_eq!(reason_in("only one", Lang::En), "only one");
        assert_eq!(percent(512, 1024), 50);
        assert_eq!(percent(2048, 1024), 100);
        assert_eq!(percent(0, 0), 0);
    }
}
