//! View pieces used by more than one screen. Those of the office's screens alone are in
//! the office build only (feature `office`).

mod fields;
mod message;
mod net_state;
mod photo_badge;
mod photo_picker;
mod sync_badge;
mod sync_bar;
mod update_banner;

pub use fields::{category_groups, DescriptionField, GrowInput, UrgencyChoice};
pub use message::{BilingualMessage, MessageKind};
pub use net_state::NetState;
pub use photo_badge::PhotoBadge;
pub use photo_picker::{PhotoPicker, PickedPhotos};
pub use sync_badge::SyncBadge;
pub use sync_bar::SyncBar;
pub use update_banner::{UpdateBanner, UpdatePhase};

// Edit and conflicts
mod conflict_view;
mod edit_form;
pub use conflict_view::{value_text, ConflictView};
pub use edit_form::{check_values, EditDraft, EditForm};
pub use photo_badge::RequestPhotos;

// Office (the office build only, like the screens that use them)
#[cfg(feature = "office")]
mod office_actions;
// The office panel's outbox methods on `Store` (in both builds: they use the store's
// own helpers, which the field build uses too).
mod office_outbox;
#[cfg(feature = "office")]
pub(crate) use office_actions::staff_directory;
#[cfg(feature = "office")]
pub use office_actions::OfficeActions;

// Standards and dashboard
#[cfg(feature = "office")]
mod chart;
#[cfg(feature = "office")]
pub use chart::{BarChart, ChartSeries, LineChart};

// Administration
#[cfg(feature = "office")]
pub mod admin_api;
#[cfg(feature = "office")]
mod admin_calendar;
#[cfg(feature = "office")]
mod admin_catalogue;
#[cfg(feature = "office")]
mod admin_devices;
#[cfg(feature = "office")]
mod admin_form;
#[cfg(feature = "office")]
mod admin_staff;
#[cfg(feature = "office")]
pub use admin_calendar::AdminCalendar;
#[cfg(feature = "office")]
pub use admin_catalogue::{AdminCategories, AdminSections};
#[cfg(feature = "office")]
pub use admin_devices::AdminDevices;
#[cfg(feature = "office")]
pub use admin_staff::AdminStaff;

// Request detail: the ward record's photos and the 受付票 print sheet
mod receipt;
pub mod request_photos;
pub use receipt::{Receipt, ReceiptFacts};
pub use request_photos::{ward_photos, DetailPhotos};
