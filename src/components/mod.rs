//! View pieces used by more than one screen.

mod message;
mod net_state;
mod photo_badge;
mod photo_picker;
mod sync_badge;
mod sync_bar;

pub use message::{BilingualMessage, MessageKind};
pub use net_state::NetState;
pub use photo_badge::PhotoBadge;
pub use photo_picker::{PhotoPicker, PickedPhotos};
pub use sync_badge::SyncBadge;
pub use sync_bar::SyncBar;
