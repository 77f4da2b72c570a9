//! One file a screen.

mod capture;
mod my_requests;
mod office_list;
mod request_detail;
mod sign_in;

pub use capture::{Capture, Draft, Fix};
pub use my_requests::MyRequests;
pub use office_list::OfficeList;
pub use sign_in::SignInPage;
