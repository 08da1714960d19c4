//! Typed errors of the build frontend.

use std::path::PathBuf;

/// Errors from any step of a build.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Cache(#[from] wharf_cache::CacheError),
    #[error("{path} is not a Python project: it has neither pyproject.toml nor setup.py")]
    NotAProject { path: PathBuf },
    #[error("{path} is invalid: {message}")]
    InvalidPyproject { path: PathBuf, message: String },
    #[error("the sdist {path} is unsafe: {message}")]
    UnsafeArchive { path: PathBuf, message: String },
    #[error("the sdist {path} cannot be read: {message}")]
    InvalidArchive { path: PathBuf, message: String },
    #[error("cannot create the build environment: {0}")]
    Venv(#[from] wharf_venv::VenvError),
    #[error("cannot install the build requirements ({requirements}): {message}")]
    Requirements {
        requirements: String,
        message: String,
    },
    #[error("the build backend `{backend}` is not installed in the build environment{}", if *.isolated { "" } else { " (running with --no-isolation)" })]
    BackendUnavailable {
        backend: String,
        isolated: bool,
        /// Python's traceback of the failed import.
        traceback: String,
    },
    #[error("the build backend is invalid: {0}")]
    BackendInvalid(String),
    #[error("the backend `{backend}` does not support `{hook}`")]
    Unsupported { backend: String, hook: String },
    #[error("`{hook}` of the backend `{backend}` failed (exit status {status})")]
    HookFailed {
        backend: String,
        hook: String,
        status: String,
        /// Everything the backend printed.
        output: String,
    },
    #[error("`{hook}` returned {message}")]
    BadReturn { hook: String, message: String },
    #[error("cannot start {python}: {source}")]
    Spawn {
        python: PathBuf,
        source: std::io::Error,
    },
    #[error("the backend built {file}, which is broken: {message}")]
    InvalidResult { file: String, message: String },
    #[error("`git` failed: {0}")]
    Git(String),
}

impl BuildError {
    /// What the backend printed, when a hook failed.
    pub fn output(&self) -> Option<&str> {
        match self {
            Self::HookFailed { output, .. } => Some(output),
            Self::BackendUnavailable { traceback, .. } => Some(traceback),
            _ => None,
        }
    }
}
