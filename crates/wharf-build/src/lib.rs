//! wharf's PEP 517/660 build frontend.
//!
//! - [`BuildSystem`] reads `[build-system]` (pip's setuptools fallback for `setup.py`-only
//!   projects);
//! - [`BuildEnv`] makes isolated build environments, keyed by the exact versions the build
//!   requirements resolve to and kept in the cache, installed through the caller's
//!   [`EnvInstaller`] (wharf's own resolver and installer);
//! - [`Frontend`] calls the backend's hooks in a subprocess through a small runner script,
//!   streaming what the backend prints, and moves results into place only when complete;
//! - [`unpack_sdist`] unpacks source distributions without trusting them;
//! - [`git`] checks out `git+` URLs into the cache.

mod archive;
mod env;
mod error;
mod frontend;
pub mod git;
mod hooks;
mod pyproject;

pub use archive::unpack_sdist;
pub use env::{BuildEnv, EnvInstaller, InstallerError};
pub use error::BuildError;
pub use frontend::{BuildEvent, DistCheck, DistKind, Frontend};
pub use hooks::OutputSink;
pub use pyproject::{BuildSystem, LEGACY_BACKEND, LEGACY_REQUIRES};
