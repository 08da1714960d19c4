//! Wheels built in code for tests (see the crate docs).
