//! View pieces used by more than one screen.

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

// Office
mod office_actions;
mod office_outbox;
pub(crate) use office_actions::staff_directory;
pub use office_actions::OfficeActions;

// Standards and dashboard
mod chart;
pub use chart::{BarChart, ChartSeries, LineChart};

// Administration
pub mod admin_api;
mod admin_calendar;
mod admin_catalogue;
mod admin_devices;
mod admin_form;
mod admin_staff;
pub use admin_calendar::AdminCalendar;
pub use admin_catalogue::{AdminCategories, AdminSections};
pub use admin_devices::AdminDevices;
pub use admin_staff::AdminStaff;

// Request detail: the ward record's photos and the 受付票 print sheet
mod receipt;
pub mod request_photos;
pub use receipt::{Receipt, ReceiptFacts};
pub use request_photos::{ward_photos, DetailPhotos};
