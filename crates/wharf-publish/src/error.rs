//! What can go wrong before anything is uploaded: finding and reading the distributions,
//! and working out where to upload them and as whom. Failures of one upload are
//! [`UploadFailure`](crate::UploadFailure)s, part of the report rather than errors.

use std::path::PathBuf;

/// Why publishing could not start.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// A path given on the command line does not exist.
    #[error("{} does not exist", .0.display())]
    NotFound(PathBuf),
    /// No distribution was given and the default directory has none.
    #[error("no distributions to upload in {}", .0.display())]
    NoDistributions(PathBuf),
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not a wheel or an sdist an index accepts.
    #[error("{} is not a wheel (.whl) or a source distribution (.tar.gz, .zip)", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// A distribution's file name does not parse.
    #[error("{} does not have a valid distribution file name", path.display())]
    InvalidFilename {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: wharf_filename::FilenameError,
    },
    /// The archive is damaged or its metadata file is missing or invalid.
    #[error("cannot read the metadata of {}: {message}", path.display())]
    Metadata {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The metadata names another project or version than the file name.
    #[error(
        "{} says {field} `{in_filename}` in its name but `{in_metadata}` in its metadata",
        path.display()
    )]
    Mismatch {
        /// The file.
        path: PathBuf,
        /// `name` or `version`.
        field: &'static str,
        /// The value from the file name.
        in_filename: String,
        /// The value from the metadata.
        in_metadata: String,
    },
    /// `~/.pypirc` is not valid INI.
    #[error("cannot parse {}: {message}", path.display())]
    Pypirc {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// `-r NAME` names a repository that `~/.pypirc` does not define.
    #[error("no repository `{name}` in {}", path.as_ref().map_or_else(|| "~/.pypirc (there is no such file)".to_string(), |path| path.display().to_string()))]
    UnknownRepository {
        /// The repository name.
        name: String,
        /// The pypirc file, if there is one.
        path: Option<PathBuf>,
    },
    /// The upload URL is not an http(s) URL.
    #[error("invalid upload URL `{url}` (from {source_name}): {message}")]
    InvalidUrl {
        /// The URL, without credentials.
        url: String,
        /// Where it came from.
        source_name: String,
        /// Why it is invalid.
        message: String,
    },
    /// A user name was found but no password.
    #[error("no password for user `{username}` (from {username_source})")]
    MissingPassword {
        /// The user name.
        username: String,
        /// Where the user name came from.
        username_source: String,
    },
    /// PyPI needs credentials and none were found.
    #[error("no credentials for {url}")]
    CredentialsRequired {
        /// The upload URL.
        url: String,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client")]
    Client(#[source] reqwest::Error),
}
