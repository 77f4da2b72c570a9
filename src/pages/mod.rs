//! One file a screen.

mod capture;
mod my_requests;
mod office_list;
mod sign_in;

pub use capture::Capture;
pub use my_requests::MyRequests;
pub use office_list::OfficeList;
pub use sign_in::SignInPage;
