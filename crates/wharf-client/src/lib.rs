//! Index client: PEP 503/691 pages, PEP 658 metadata, find-links, HTTP cache, credentials.
//!
//! [`IndexClient`] answers the three questions the resolver and installer ask of the
//! outside world: which files does a project have ([`IndexClient::project`]), what is a
//! wheel's core metadata ([`IndexClient::metadata`], without downloading the wheel when the
//! index allows it), and where is a file on disk ([`IndexClient::download`], verified against
//! the index's hash).
//!
//! Several indexes are searched in order and, by default, a project is taken from the first
//! index that has it ([`IndexStrategy::FirstIndex`]): a package name registered on a public
//! index cannot shadow a private one (dependency confusion).

mod client;
mod credentials;
mod error;
mod http_cache;
mod index_url;
mod metadata;
mod once_map;
mod simple;
mod transport;

use url::Url;
use wharf_filename::DistFilename;
use wharf_pep::{PackageName, VersionSpecifiers};

pub use client::{ClientOptions, IndexClient, IndexStrategy};
pub use credentials::netrc_credentials;
pub use error::ClientError;
pub use index_url::{IndexUrl, PYPI_URL, mask_url};

/// The files of a project, from every place searched.
#[derive(Debug, Clone)]
pub struct ProjectFiles {
    /// The project.
    pub name: PackageName,
    /// The files found, find-links first, then index order.
    pub files: Vec<DistFile>,
    /// The places searched, in order (masked URLs and directories), for "not found" messages.
    pub searched: Vec<String>,
}

/// A distribution file listed by an index or a find-links location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistFile {
    /// The parsed file name.
    pub filename: DistFilename,
    /// Where to download it (may hold credentials: print it with [`mask_url`]).
    pub url: Url,
    /// Hashes from the index, `("sha256", hex)`, sha256 first when present.
    pub hashes: Vec<(String, String)>,
    /// `requires-python` (an invalid value is ignored, as pip does).
    pub requires_python: Option<VersionSpecifiers>,
    /// PEP 592: the yank reason, `""` when none was given; `None` when not yanked.
    pub yanked: Option<String>,
    /// PEP 658/714: `None` when no metadata file is advertised, `Some(None)` when one is
    /// without a hash, `Some(Some((algorithm, hex)))` with one.
    pub core_metadata: Option<Option<(String, String)>>,
    /// PEP 700 size in bytes, or the local file's size.
    pub size: Option<u64>,
    /// PEP 700 upload time, as written.
    pub upload_time: Option<String>,
    /// The masked URL or directory this file was listed by.
    pub index: String,
}

impl DistFile {
    /// The file name as written in the URL.
    pub fn filename_text(&self) -> String {
        self.url
            .path_segments()
            .and_then(|mut segments| segments.next_back().map(simple::percent_decode))
            .unwrap_or_default()
    }

    /// The sha256 hash from the index, if any.
    pub fn sha256(&self) -> Option<&str> {
        self.hashes
            .iter()
            .find(|(algorithm, _)| algorithm == "sha256")
            .map(|(_, value)| value.as_str())
    }

    /// Whether the file is a wheel.
    pub fn is_wheel(&self) -> bool {
        matches!(self.filename, DistFilename::Wheel(_))
    }
}
