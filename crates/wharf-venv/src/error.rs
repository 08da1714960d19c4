//! What can go wrong creating a virtual environment.

use std::path::PathBuf;

/// An error creating a virtual environment.
#[derive(Debug, thiserror::Error)]
pub enum VenvError {
    /// The target exists, is not empty and is not a virtual environment.
    #[error(
        "{} already exists and is not a virtual environment; pass --clear to remove its contents, or --allow-existing to write into it",
        path.display()
    )]
    NotEmpty {
        /// The target directory.
        path: PathBuf,
    },
    /// The target is a file.
    #[error("{} exists and is not a directory", path.display())]
    NotADirectory {
        /// The target path.
        path: PathBuf,
    },
    /// Clearing the target would destroy something that is not an environment.
    #[error("refusing to clear {}: {reason}", path.display())]
    RefuseToClear {
        /// The target directory.
        path: PathBuf,
        /// What clearing would destroy.
        reason: String,
    },
    /// The base interpreter cannot be linked into an environment.
    #[error("cannot create a virtual environment from {}: {message}", path.display())]
    BaseInterpreter {
        /// The base interpreter's executable.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// An I/O error, naming its path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
