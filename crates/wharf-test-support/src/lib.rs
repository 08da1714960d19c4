//! Test fixtures shared by wharf's crates: wheels built in code ([`wheel`]) and a local
//! PEP 503/691 index served on 127.0.0.1 ([`index`]). Tests never touch the network.

pub mod index;
pub mod project;
mod server;
pub mod upload;
pub mod wheel;
