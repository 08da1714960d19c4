//! Single-file executable bundles of Python applications: PEP 441 zipapps that carry every
//! dependency as its wheel and unpack them once, on first run, into a cache.
//!
//! A bundle is a shebang line followed by a zip:
//! - `__main__.py`: the warm-path bootstrap, with the run-time configuration embedded as a
//!   Python literal (so a warm start imports nothing but `os` and `sys`);
//! - `_wharf_bootstrap.py`: first-run extraction (verified, locked, atomic) and the
//!   `WHARF_BUNDLE_TOOLS` commands;
//! - `.wharf/bundle.json`: the [`Manifest`], which pins every other member by sha256; the
//!   bundle's id is the sha256 of this file;
//! - `.wharf/wheels/*.whl`, `.wharf/pyc/*.zip`, `.wharf/script/*`.
//!
//! [`write_bundle`] writes one reproducibly (sorted members, fixed timestamps);
//! [`read_bundle`] reads one back and verifies it.

mod error;
mod manifest;
mod platform;
mod prune;
mod read;
mod write;

pub use error::BundleError;
pub use manifest::{
    BuildInfo, Entry, FileInfo, Manifest, PlatformRequirement, TargetManifest, WheelInfo,
};
pub use platform::{TargetRequirement, requirement_of};
pub use prune::prune_extractions;
pub use read::{BundleReport, read_bundle};
pub use write::{
    BundleInput, DAMAGED_LINE, TargetInput, WheelInput, WrittenBundle, normalize_wheel,
    site_packages_path, write_bundle,
};

/// The warm-path bootstrap template (`_C = None  # wharf: config` is replaced).
pub const MAIN_TEMPLATE: &str = include_str!("bootstrap/__main__.py");
/// The cold-path bootstrap, copied verbatim.
pub const BOOTSTRAP: &str = include_str!("bootstrap/_wharf_bootstrap.py");
/// The line of [`MAIN_TEMPLATE`] the configuration replaces.
pub const CONFIG_LINE: &str = "_C = None  # wharf: config";
/// Where the manifest lives in a bundle.
pub const MANIFEST_PATH: &str = ".wharf/bundle.json";
/// The directory under the user cache (and `$WHARF_CACHE_DIR`) bundles unpack into.
pub const EXTRACT_BUCKET: &str = "bundles-v1";
