//! One file a screen.

mod capture;
mod device;
mod my_requests;
mod office_list;
mod request_detail;
mod sign_in;

pub use capture::{Capture, Draft, Fix};
pub use device::{human_bytes, storage_estimate, DevicePage};
pub use my_requests::MyRequests;
pub use office_list::OfficeList;
pub use sign_in::SignInPage;

// Standards and dashboard
mod dashboard;
mod standards;
pub use dashboard::DashboardPage;
pub use standards::StandardsPage;

// Administration
mod admin;
pub use admin::AdminPage;
