//! Fault injection for the ward record: the infrastructure.
//!
//! - [`ward`] runs the real `koe-server` binary and kills it with SIGKILL on demand.
//! - [`proxy`] sits between the simulated devices and the ward record and loses,
//!   delays or cuts exchanges, decided by a seeded RNG so a run can be repeated.
//! - [`http`] is the devices' HTTP/1.1 client: one connection per exchange, and a
//!   clear [`http::Lost`] when no complete answer was heard.

pub mod http;
pub mod proxy;
pub mod ward;
