//! The client's errors. Every URL in a message has gone through [`crate::mask_url`], so an
//! error can be printed without leaking credentials.

use std::path::PathBuf;

/// An error talking to an index, a find-links location, or reading a distribution.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// An index URL, find-links location or file URL that cannot be used.
    #[error("invalid URL `{url}`: {message}")]
    InvalidUrl {
        /// The URL as given (masked).
        url: String,
        /// Why it is invalid.
        message: String,
    },
    /// The request could not be sent or its response not read (DNS, refused connection,
    /// reset, timeout), after retries.
    #[error(
        "failed to fetch {url}: {source}\n(check the URL and your network connection, or use --offline to work from the cache)"
    )]
    Connect {
        /// The URL (masked).
        url: String,
        /// The underlying error (without its URL, which could hold credentials).
        #[source]
        source: reqwest::Error,
    },
    /// The server answered 401 or 403.
    #[error("{url} answered HTTP {status}: {}", if *.sent_credentials {
        "the credentials were rejected (check the user name and password in the URL or ~/.netrc)"
    } else {
        "credentials are required (put them in the index URL or ~/.netrc)"
    })]
    Unauthorized {
        /// The URL (masked).
        url: String,
        /// 401 or 403.
        status: u16,
        /// Whether credentials were sent.
        sent_credentials: bool,
    },
    /// Any other unsuccessful HTTP status, after retries for 5xx.
    #[error("{url} answered HTTP {status}{}", reason_suffix(.reason))]
    Status {
        /// The URL (masked).
        url: String,
        /// The status code.
        status: u16,
        /// The reason phrase, if known.
        reason: Option<String>,
    },
    /// A page that is neither a PEP 503 HTML page nor PEP 691 JSON.
    #[error(
        "the index page {url} (content type `{content_type}`) is not a valid simple index page: {message}"
    )]
    InvalidPage {
        /// The URL (masked).
        url: String,
        /// The response's content type.
        content_type: String,
        /// What is wrong with it.
        message: String,
    },
    /// `--offline` was given and nothing is cached for this URL.
    #[error("{url} is not in the cache and network access is disabled (--offline)")]
    Offline {
        /// The URL (masked).
        url: String,
    },
    /// A downloaded file does not have the hash the index gave.
    #[error(
        "hash mismatch for {url}: expected {algorithm}:{expected}, got {algorithm}:{actual} (the download may be truncated or the file may have changed on the server)"
    )]
    HashMismatch {
        /// The URL (masked) or path.
        url: String,
        /// The hash algorithm, e.g. `sha256`.
        algorithm: String,
        /// The hash the index or requirement gave.
        expected: String,
        /// The hash of what was received.
        actual: String,
    },
    /// A downloaded file has a different size than the index said.
    #[error("{url} is truncated or corrupt: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        /// The URL (masked).
        url: String,
        /// The size the index gave.
        expected: u64,
        /// The size received.
        actual: u64,
    },
    /// A wheel is not a valid zip archive, or has no `.dist-info/METADATA`.
    #[error("cannot read the metadata of {url}: {message}")]
    InvalidWheel {
        /// The URL (masked) or path.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// A METADATA file that does not parse.
    #[error("invalid metadata for {url}")]
    Metadata {
        /// The URL (masked) or path.
        url: String,
        /// The parse error.
        #[source]
        source: wharf_metadata::MetadataError,
    },
    /// The metadata names a different project or version than the file name.
    #[error("the metadata of {url} is for {actual}, but the file name says {expected}")]
    MetadataMismatch {
        /// The URL (masked).
        url: String,
        /// `name version` from the file name.
        expected: String,
        /// `name version` from the metadata.
        actual: String,
    },
    /// Metadata of a source distribution needs a build.
    #[error("{0} is a source distribution: reading its metadata needs a build")]
    NeedsBuild(String),
    /// A page from a newer, incompatible version of the simple API.
    #[error("{url} uses simple API version {version}, which this wharf does not support")]
    UnsupportedApiVersion {
        /// The URL (masked).
        url: String,
        /// The `api-version` given.
        version: String,
    },
    /// A cache error.
    #[error(transparent)]
    Cache(#[from] wharf_cache::CacheError),
    /// An I/O error; the message names the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A local find-links location or file index that does not exist.
    #[error("the local directory or file {} does not exist", .0.display())]
    MissingPath(PathBuf),
}

fn reason_suffix(reason: &Option<String>) -> String {
    reason
        .as_deref()
        .map(|reason| format!(" ({reason})"))
        .unwrap_or_default()
}

impl ClientError {
    /// Whether the error is worth retrying: connection problems and server errors.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Self::Connect { source, .. } => {
                source.is_connect()
                    || source.is_timeout()
                    || source.is_request()
                    || source.is_body()
                    || source.is_decode()
            }
            Self::Status { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}
