//! Install, uninstall and inventory wheels in an environment (PEP 427, PEP 376, PEP 610).
//!
//! The data flow of an install:
//!
//! 1. [`unpack_wheel`] verifies a wheel completely (paths, `.dist-info`, WHEEL, RECORD
//!    hashes and sizes) and unpacks it once into the global cache, keyed by its sha256.
//! 2. [`install_wheel`] (or [`replace`], for an upgrade) links the cached files into the
//!    environment's scheme ([`Layout`]) — reflink, else hardlink, else copy — in parallel,
//!    writes entry-point scripts, INSTALLER, REQUESTED, `direct_url.json`, and writes
//!    RECORD last.
//! 3. [`SitePackages`] reads what is installed; [`uninstall`] removes exactly what RECORD
//!    lists.
//!
//! Every change to one distribution is a transaction journaled in site-packages: an
//! error rolls it back in-process, and a crash or `kill -9` leaves at most the one
//! transaction in flight, which [`repair`] (run before the next change) completes or undoes.

mod error;
mod install;
mod layout;
mod link;
mod scripts;
mod site_packages;
mod transaction;
mod uninstall;
mod unpack;

pub use error::InstallError;
pub use install::{InstallOptions, install_wheel, replace};
pub use layout::Layout;
pub use link::LinkMode;
pub use site_packages::{DistKind, InstalledDist, SitePackages, repair};
pub use uninstall::{UninstallReport, uninstall};
pub use unpack::{UnpackedWheel, sha256_file, unpack_wheel};
