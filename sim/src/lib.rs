//! Koe's sync protocol under faults, outside the browser: simulated field devices that
//! keep their requests and outbox by the app's own rules (`koe_core::device`), seeded
//! random workloads for several people, transports that lose requests and answers, and
//! the oracle that checks the first promise — no record lost, doubled or filed under
//! the wrong person — against the ward record's own books.
//!
//! `tests/simulation.rs` runs it in-process over many seeds; `tools/faults` runs it
//! against the real binary, killed with SIGKILL, behind a proxy that cuts answers.

pub mod device;
pub mod oracle;
pub mod transport;
pub mod workload;

pub use device::Device;
pub use oracle::{check, Findings};
pub use transport::{Answer, InProcess, Lost, NetFaults, Transport};
pub use workload::{Run, RunConfig};
