//! Upload distributions with the legacy upload API twine uses.
//!
//! Publishing runs in three steps, and nothing is sent before the first two succeed:
//!
//! 1. [`find_distributions`]: the wheels and sdists (default `dist/`), each checked — a
//!    valid file name, readable core metadata that names the same project and version —
//!    hashed, and ordered (per project, sdists before wheels).
//! 2. [`resolve_target`]: the upload URL and credentials from flags, environment
//!    variables (wharf's and twine's), `~/.pypirc`, the URL's user info and netrc.
//! 3. [`Uploader::upload`], per file: a `multipart/form-data` POST of the form fields
//!    ([`form_fields`]) and the file, streamed; connection failures and 5xx answers are
//!    retried with backoff; "file already exists" answers become [`Outcome::Skipped`] with
//!    `--skip-existing`, as in twine.

mod dist;
mod error;
mod form;
mod pypirc;
mod target;
mod upload;

pub use dist::{Digests, DistKind, Distribution, find_distributions};
pub use error::PublishError;
pub use form::{form_fields, safe_name};
pub use pypirc::{PYPI_UPLOAD_URL, Pypirc, RepositoryConfig, TESTPYPI_UPLOAD_URL};
pub use target::{
    Credentials, Environment, NetrcEntry, Target, TargetRequest, resolve_target, without_user_info,
};
pub use upload::{
    NoProgress, Outcome, Progress, UploadFailure, UploadOptions, Uploader, already_exists, gist,
};
