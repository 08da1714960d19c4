//! The files inside wheels and installed distributions, parsed without I/O.
//!
//! * [`CoreMetadata`]: `METADATA` / `PKG-INFO` (core metadata 1.0–2.4).
//! * [`WheelFile`]: the `WHEEL` file (PEP 427).
//! * [`Record`]: `RECORD` rows and their hashes (PEP 376, PEP 427).
//! * [`EntryPoints`]: `entry_points.txt` console and GUI scripts.
//! * [`DirectUrl`]: `direct_url.json` (PEP 610).

pub mod archive_path;
mod core_metadata;
mod direct_url;
mod entry_points;
mod record;
mod wheel_file;

pub use core_metadata::{CoreMetadata, MetadataError};
pub use direct_url::{DirectUrl, DirectUrlInfo};
pub use entry_points::{EntryPoint, EntryPoints, EntryPointsError};
pub use record::{HashDigest, Record, RecordEntry, RecordError};
pub use wheel_file::{WheelFile, WheelFileError};
