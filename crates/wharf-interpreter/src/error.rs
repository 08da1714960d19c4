//! What can go wrong finding or describing an interpreter.

use std::path::PathBuf;

/// An error finding, running or describing a Python interpreter.
#[derive(Debug, thiserror::Error)]
pub enum InterpreterError {
    /// The executable does not exist.
    #[error("no Python interpreter at {}", path.display())]
    Missing {
        /// The path that was given.
        path: PathBuf,
    },
    /// The path exists but is not an executable file.
    #[error("{} is not an executable file", path.display())]
    NotExecutable {
        /// The path that was given.
        path: PathBuf,
    },
    /// The interpreter could not be started.
    #[error("failed to run {}", path.display())]
    Spawn {
        /// The interpreter.
        path: PathBuf,
        /// Why it could not be started.
        #[source]
        source: std::io::Error,
    },
    /// The probe script exited with an error.
    #[error("querying the interpreter {} failed ({status}):\n{stderr}", path.display())]
    ProbeFailed {
        /// The interpreter.
        path: PathBuf,
        /// The exit status.
        status: String,
        /// What the interpreter printed on stderr.
        stderr: String,
    },
    /// The probe printed something that is not the expected JSON.
    #[error("querying the interpreter {} gave unexpected output: {message}\n{output}", path.display())]
    ProbeOutput {
        /// The interpreter.
        path: PathBuf,
        /// Why the output was rejected.
        message: String,
        /// What the probe printed (truncated).
        output: String,
    },
    /// The interpreter runs but cannot be used (too old, unknown platform).
    #[error("the interpreter {} cannot be used: {message}", path.display())]
    Unsupported {
        /// The interpreter.
        path: PathBuf,
        /// Why it cannot be used.
        message: String,
    },
    /// The interpreter's compatibility tags could not be computed.
    #[error("could not compute the wheel tags of {}", path.display())]
    Tags {
        /// The interpreter.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: uv_platform_tags::TagsError,
    },
    /// A `--python` value that is neither a version, an implementation, a path nor a name.
    #[error("invalid Python request `{request}`: {message}")]
    InvalidRequest {
        /// The request as written.
        request: String,
        /// What is wrong with it.
        message: String,
    },
    /// No interpreter satisfies the request.
    #[error("no Python interpreter found for {request}; searched:\n{}", searched.iter().map(|line| format!("  - {line}")).collect::<Vec<_>>().join("\n"))]
    NotFound {
        /// The request, as displayed.
        request: String,
        /// Every place searched, with the interpreters found there.
        searched: Vec<String>,
    },
    /// A directory given as a virtual environment is not one.
    #[error("{} is not a virtual environment (no pyvenv.cfg or no python in it){}", path.display(), reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default())]
    NotAVirtualEnvironment {
        /// The directory.
        path: PathBuf,
        /// Where the path came from, e.g. `$VIRTUAL_ENV`.
        reason: Option<String>,
    },
    /// A command that works on an environment found none.
    #[error(
        "no virtual environment found: no --venv or --python given, $VIRTUAL_ENV is not set and there is no `.venv` in {} or its parents",
        cwd.display()
    )]
    NoEnvironment {
        /// The directory the search started from.
        cwd: PathBuf,
    },
    /// An I/O error, naming its path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
