//! 写真 in a request's detail for whoever may read it: the photos kept on this device
//! (with where each upload stands) when it has any, otherwise the ward record's photos
//! (`GET /api/requests/{id}/photos`, the bytes at `/api/photos/{photo_id}`): an office
//! device, or another person's request. Each thumbnail opens a larger view. The ward
//! record decides who may see them (a redacted reader gets none; a 要配慮 read goes on
//! the access log); this only asks when the detail shows the request's details.

use koe_core::photo::PhotoInfo;
use koe_core::Bilingual;
use leptos::prelude::*;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::{BilingualMessage, MessageKind, RequestPhotos};
use crate::i18n::{use_i18n, Msg};
use crate::state::use_app;

/// What the ward record holds of a request's photos, asked for while online:
/// `None` while offline (or still asking), `Ok(list)`, or why it could not be read.
pub type WardPhotos = LocalResource<Option<Result<Vec<PhotoInfo>, WardPhotosRefused>>>;

/// Why the ward record's photo list is not shown.
#[derive(Debug, Clone, PartialEq)]
pub enum WardPhotosRefused {
    /// This reader may see the request but not its photos.
    NotAllowed,
    /// Any other failure, in words.
    Failed(Bilingual),
}

/// The photo list of `request_id` from the ward record, read again when the device comes
/// online. A request the ward record does not hold yet has no photos there.
pub fn ward_photos(request_id: Uuid) -> WardPhotos {
    let app = use_app();
    LocalResource::new(move || {
        let online = app.online.get();
        async move {
            if !online {
                return None;
            }
            Some(match api::request_photos(request_id).await {
                Ok(list) => Ok(list),
                Err(ApiError::Refused { status: 404, .. }) => Ok(Vec::new()),
                Err(ApiError::Refused { status: 403, .. }) => Err(WardPhotosRefused::NotAllowed),
                Err(e) => Err(WardPhotosRefused::Failed(e.message())),
            })
        }
    })
}

/// The address of a photo's bytes on the ward record.
pub fn photo_url(photo_id: Uuid) -> String {
    format!("/api/photos/{photo_id}")
}

/// The photos of a request: the device's own when it holds any, else the ward record's.
#[component]
pub fn DetailPhotos(request_id: Uuid, ward: WardPhotos) -> impl IntoView {
    let app = use_app();
    let on_device = LocalResource::new(move || {
        app.revision.track();
        let store = app.store.get();
        async move {
            let store = store?;
            Some(
                store
                    .photos_of(request_id)
                    .await
                    .map(|p| p.len())
                    .unwrap_or(0),
            )
        }
    });
    move || match on_device.get().flatten() {
        None => None,
        Some(n) if n > 0 => Some(view! { <RequestPhotos request_id=request_id/> }.into_any()),
        Some(_) => Some(view! { <WardPhotoList ward=ward/> }.into_any()),
    }
}

/// The ward record's photos: thumbnails that open a larger view.
#[component]
fn WardPhotoList(ward: WardPhotos) -> impl IntoView {
    let i18n = use_i18n();
    let app = use_app();
    // The photo shown large, with its number.
    let large = RwSignal::new(None::<(Uuid, usize)>);
    let close = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = close.get() {
            let _ = b.focus();
        }
    });
    let note = move |m: Msg, testid: &'static str| {
        view! { <p class="empty" data-testid=testid>{move || i18n.t(m)}</p> }.into_any()
    };
    let body = move || {
        if !app.online.get() {
            return note(Msg::PhotosWardOffline, "photos-offline");
        }
        match ward.get().flatten() {
            None => view! { <p class="loading" role="status">{move || i18n.t(Msg::Loading)}</p> }
                .into_any(),
            Some(Err(WardPhotosRefused::NotAllowed)) => {
                note(Msg::PhotosWardNotAllowed, "photos-not-allowed")
            }
            Some(Err(WardPhotosRefused::Failed(m))) => {
                view! { <BilingualMessage message=m kind=MessageKind::Problem/> }.into_any()
            }
            Some(Ok(list)) if list.is_empty() => note(Msg::PhotosWardNone, "photos-none"),
            Some(Ok(list)) => {
                let items = list
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let n = i + 1;
                        let alt = move || Msg::PhotoAlt.fill(i18n.lang(), &n.to_string());
                        if !p.complete {
                            return view! {
                                <li class="photo-item" data-testid="ward-photo" data-complete="false">
                                    <span class="photo-thumb photo-arriving">{move || Msg::PhotoArriving.fill(i18n.lang(), &n.to_string())}</span>
                                </li>
                            }
                            .into_any();
                        }
                        let id = p.photo_id;
                        view! {
                            <li class="photo-item" data-testid="ward-photo" data-complete="true">
                                <button
                                    type="button"
                                    class="photo-open"
                                    data-testid="photo-open"
                                    aria-label=move || Msg::PhotoOpenLarge.fill(i18n.lang(), &n.to_string())
                                    on:click=move |_| large.set(Some((id, n)))
                                >
                                    <img class="photo-thumb" src=photo_url(id) alt=alt loading="lazy"/>
                                </button>
                            </li>
                        }
                        .into_any()
                    })
                    .collect_view();
                view! { <ul class="detail-photos" data-testid="detail-photos">{items}</ul> }
                    .into_any()
            }
        }
    };
    view! {
        <h3>{move || i18n.t(Msg::PhotosHeading)}</h3>
        <div class="ward-photos" data-testid="ward-photos">{body}</div>
        {move || large.get().map(|(id, n)| view! {
            <figure class="photo-large" data-testid="photo-large" role="group" aria-label=move || Msg::PhotoAlt.fill(i18n.lang(), &n.to_string())>
                <img src=photo_url(id) alt=move || Msg::PhotoAlt.fill(i18n.lang(), &n.to_string())/>
                <figcaption>
                    <button type="button" class="secondary-button" data-testid="photo-close" node_ref=close on:click=move |_| large.set(None)>
                        {move || i18n.t(Msg::PhotoCloseLarge)}
                    </button>
                </figcaption>
            </figure>
        })}
    }
}
