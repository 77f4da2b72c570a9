//! One file a screen. The office's screens are compiled into the office build only
//! (feature `office`): field devices never download them.

mod capture;
mod device;
mod my_requests;
mod request_detail;
mod sign_in;

pub use capture::{Capture, Draft, Fix};
pub use device::{human_bytes, storage_estimate, DevicePage};
pub use my_requests::MyRequests;
pub use request_detail::short_id;
pub use sign_in::SignInPage;

// The ward list
#[cfg(feature = "office")]
mod office_list;
#[cfg(feature = "office")]
pub use office_list::OfficeList;

// Standards and dashboard
#[cfg(feature = "office")]
mod dashboard;
#[cfg(feature = "office")]
mod standards;
#[cfg(feature = "office")]
pub use dashboard::DashboardPage;
#[cfg(feature = "office")]
pub use standards::StandardsPage;

// Administration
#[cfg(feature = "office")]
mod admin;
#[cfg(feature = "office")]
pub use admin::AdminPage;
