//! The installer's error type. Every variant names the wheel, file or distribution it is
//! about, so that the CLI can print it without more context.

use std::path::PathBuf;

use wharf_cache::CacheError;
use wharf_filename::FilenameError;
use wharf_metadata::{EntryPointsError, MetadataError, RecordError, WheelFileError};

/// Why a wheel could not be unpacked, installed or uninstalled, or an environment read.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// An I/O error; the message names the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The cache could not be used.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// The wheel's file name is not a valid wheel name.
    #[error("`{}` is not a wheel", path.display())]
    Filename {
        /// The wheel's path.
        path: PathBuf,
        /// Why the name is invalid.
        #[source]
        source: FilenameError,
    },
    /// The wheel is not a readable zip archive.
    #[error("`{wheel}` is not a valid zip archive (truncated or corrupt download?)")]
    Zip {
        /// The wheel's file name.
        wheel: String,
        /// The zip reader's error.
        #[source]
        source: zip::result::ZipError,
    },
    /// The wheel's hash differs from the one expected (from the index or `--hash`).
    #[error("hash mismatch for `{wheel}`: expected sha256 {expected}, got {actual}")]
    HashMismatch {
        /// The wheel's file name.
        wheel: String,
        /// The expected hex digest.
        expected: String,
        /// The actual hex digest.
        actual: String,
    },
    /// An entry's path would be written outside the install root.
    #[error("`{wheel}` contains an unsafe path `{path}`, which {reason}")]
    UnsafePath {
        /// The wheel's file name.
        wheel: String,
        /// The path in the zip.
        path: String,
        /// Why it is unsafe.
        reason: &'static str,
    },
    /// The wheel's `.dist-info` directory is missing, ambiguous or misnamed.
    #[error("`{wheel}` has an invalid .dist-info directory: {message}")]
    DistInfo {
        /// The wheel's file name.
        wheel: String,
        /// What is wrong.
        message: String,
    },
    /// A required file (WHEEL, RECORD) is missing from the wheel.
    #[error("`{wheel}` has no `{file}`")]
    MissingFile {
        /// The wheel's file name.
        wheel: String,
        /// The missing file's path in the wheel.
        file: String,
    },
    /// The WHEEL file is invalid or of an unsupported version.
    #[error("`{wheel}` has an invalid WHEEL file")]
    WheelFile {
        /// The wheel's file name.
        wheel: String,
        /// The parse error.
        #[source]
        source: WheelFileError,
    },
    /// A RECORD file is invalid.
    #[error("invalid RECORD in `{location}`")]
    Record {
        /// The wheel's file name or the installed RECORD's path.
        location: String,
        /// The parse error.
        #[source]
        source: RecordError,
    },
    /// A file's content does not match the hash RECORD lists for it.
    #[error(
        "`{wheel}`: `{path}` does not match its RECORD hash (expected {expected}, got {actual})"
    )]
    RecordHash {
        /// The wheel's file name.
        wheel: String,
        /// The file's path in the wheel.
        path: String,
        /// The hash in RECORD.
        expected: String,
        /// The hash of the content.
        actual: String,
    },
    /// A file's size does not match the size RECORD lists for it.
    #[error("`{wheel}`: `{path}` is {actual} bytes but RECORD says {expected}")]
    RecordSize {
        /// The wheel's file name.
        wheel: String,
        /// The file's path in the wheel.
        path: String,
        /// The size in RECORD.
        expected: u64,
        /// The actual size.
        actual: u64,
    },
    /// RECORD uses a hash algorithm that is not allowed (PEP 427 requires sha256 or better).
    #[error(
        "`{wheel}`: RECORD hashes `{path}` with `{algorithm}`, which is not sha256, sha384 or sha512"
    )]
    RecordAlgorithm {
        /// The wheel's file name.
        wheel: String,
        /// The file's path in the wheel.
        path: String,
        /// The algorithm named in RECORD.
        algorithm: String,
    },
    /// A file in the wheel is not listed in RECORD.
    #[error("`{wheel}` contains `{path}`, which its RECORD does not list")]
    Unrecorded {
        /// The wheel's file name.
        wheel: String,
        /// The file's path in the wheel.
        path: String,
    },
    /// RECORD lists a file the wheel does not contain.
    #[error("`{wheel}`: RECORD lists `{path}`, which the wheel does not contain")]
    RecordedMissing {
        /// The wheel's file name.
        wheel: String,
        /// The path listed in RECORD.
        path: String,
    },
    /// A `.data/<scheme>` directory names no known scheme.
    #[error(
        "`{wheel}` has an unknown data scheme `{scheme}` (expected scripts, data, headers, purelib or platlib)"
    )]
    DataScheme {
        /// The wheel's file name.
        wheel: String,
        /// The scheme directory name.
        scheme: String,
    },
    /// entry_points.txt is invalid.
    #[error("`{wheel}` has an invalid entry_points.txt")]
    EntryPoints {
        /// The wheel's file name.
        wheel: String,
        /// The parse error.
        #[source]
        source: EntryPointsError,
    },
    /// A script entry point names a module but no function to call.
    #[error(
        "`{wheel}`: script entry point `{name} = {module}` names no function (expected `module:function`)"
    )]
    ScriptTarget {
        /// The wheel's file name.
        wheel: String,
        /// The script name.
        name: String,
        /// The module.
        module: String,
    },
    /// A script name would be written outside the scripts directory.
    #[error("`{wheel}`: script name `{name}` is not a plain file name")]
    ScriptName {
        /// The wheel's file name.
        wheel: String,
        /// The script name.
        name: String,
    },
    /// An installed distribution's metadata could not be read.
    #[error("invalid metadata in `{}`", path.display())]
    Metadata {
        /// The metadata file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: MetadataError,
    },
    /// A `.dist-info` or `.egg-info` name could not be understood.
    #[error("cannot read the distribution at `{}`: {message}", path.display())]
    InvalidDist {
        /// The directory or file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A distribution has no RECORD, so what to remove is unknown.
    #[error("cannot uninstall {name}: no RECORD file; it was installed by {installer}")]
    NoRecord {
        /// The distribution's name.
        name: String,
        /// The tool named in INSTALLER, or a description when unknown.
        installer: String,
    },
    /// An install journal (left by an interrupted install) could not be read.
    #[error("cannot read the install journal `{}`: {message}", path.display())]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}
