use std::path::PathBuf;

/// Why a bundle could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// File system trouble.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A wheel (or the bundle) is not a readable zip.
    #[error("`{path}` is not a valid zip archive: {source}")]
    Zip {
        /// The file.
        path: PathBuf,
        /// The zip error.
        #[source]
        source: zip::result::ZipError,
    },
    /// The file has no bundle manifest: not a wharf bundle.
    #[error("`{0}` is not a wharf bundle (it has no .wharf/bundle.json)")]
    NotABundle(PathBuf),
    /// The manifest is not valid JSON of the expected shape.
    #[error("`{path}` has an unreadable bundle manifest: {message}")]
    Manifest {
        /// The bundle.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A wheel's file name does not parse.
    #[error("`{0}` is not a valid wheel file name")]
    WheelName(String),
    /// The output path cannot be used.
    #[error("cannot write the bundle to `{path}`: {message}")]
    Output {
        /// The path.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl BundleError {
    pub(crate) fn zip(path: &std::path::Path, source: zip::result::ZipError) -> Self {
        Self::Zip {
            path: path.to_path_buf(),
            source,
        }
    }
}
