//! 写真を追加: a large button that opens the camera (or the photo library), several
//! photos per request, each downscaled and hashed on the device ([`crate::photos`]),
//! shown as thumbnails with a remove button each.

use koe_core::Bilingual;
use leptos::prelude::*;
use uuid::Uuid;
use web_sys::HtmlInputElement;

use crate::components::{BilingualMessage, MessageKind};
use crate::i18n::{use_i18n, Msg};
use crate::photos::{prepare, PickedPhoto};

/// The photos picked so far for the request being logged (kept in the page's memory
/// until the request is saved with them).
pub type PickedPhotos = RwSignal<Vec<PickedPhoto>, LocalStorage>;

#[component]
pub fn PhotoPicker(photos: PickedPhotos) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(0u32);
    let problem = RwSignal::new(None::<Bilingual>);

    let on_change = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(files) = input.files() else {
            return;
        };
        let picked: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        // The same photo can be picked again; the files taken stay readable.
        input.set_value("");
        problem.set(None);
        for file in picked {
            busy.update(|n| *n += 1);
            leptos::task::spawn_local(async move {
                match prepare(&file).await {
                    Ok(photo) => photos.update(|list| list.push(photo)),
                    Err(message) => problem.set(Some(message)),
                }
                busy.update(|n| *n = n.saturating_sub(1));
            });
        }
    };

    let remove = move |id: Uuid| {
        photos.update(|list| {
            list.retain(|p| {
                let keep = p.photo_id != id;
                if !keep {
                    p.release();
                }
                keep
            })
        });
    };

    let preparing = move || busy.get() != 0;

    let thumbs = move || {
        photos.with(|list| {
            list.iter()
                .map(|p| (p.photo_id, p.url.clone()))
                .collect::<Vec<_>>()
        })
    };

    view! {
        <div class="field photos">
            <label class="photo-add" for="photo-input">
                <span class="primary">{move || i18n.t(Msg::AddPhoto)}</span>
                <span class="secondary" lang=move || i18n.lang().other().code()>
                    {move || Msg::AddPhoto.text(i18n.lang().other())}
                </span>
                <input
                    id="photo-input"
                    data-testid="photo-input"
                    class="photo-input"
                    type="file"
                    accept="image/*"
                    capture="environment"
                    multiple
                    on:change=on_change
                />
            </label>
            <Show when=preparing>
                <p class="note" role="status">{move || i18n.t(Msg::PhotoPreparing)}</p>
            </Show>
            {move || problem.get().map(|m| view! { <BilingualMessage message=m kind=MessageKind::Problem/> })}
            <ul class="photo-thumbs">
                <For each=thumbs key=|(id, _)| *id let:((id, url))>
                    <li data-testid="photo-thumb" class="photo-thumb">
                        <img src=url alt=move || Msg::PhotoAlt.fill(i18n.lang(), &id.to_string()[..8]) />
                        <button
                            type="button"
                            class="small-button photo-remove"
                            data-testid="photo-remove"
                            aria-label=move || i18n.t(Msg::RemovePhoto)
                            on:click=move |_| remove(id)
                        >
                            "×"
                        </button>
                    </li>
                </For>
            </ul>
        </div>
    }
}
