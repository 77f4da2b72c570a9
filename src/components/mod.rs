//! View pieces used by more than one screen.

mod message;
mod net_state;
mod sync_badge;
mod sync_bar;

pub use message::{BilingualMessage, MessageKind};
pub use net_state::NetState;
pub use sync_badge::SyncBadge;
pub use sync_bar::SyncBar;
