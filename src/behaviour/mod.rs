//! OTP's behaviours, written on the kernel's public API only, as OTP's own library is
//! written on receive, links and monitors. This is also the API a Rust user writes
//! actors with.

pub mod agent;
pub mod application;
pub mod dynamic_supervisor;
pub mod gen_server;
pub mod partition_supervisor;
pub mod registry;
pub mod supervisor;
pub mod task;
