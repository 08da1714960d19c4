//! Validate wheels and sdists as a package index would before accepting them.
//!
//! [`check_file`] opens one distribution and returns a [`Report`]: every [`Problem`] found,
//! each an error (an index would reject the file, or installers would misbehave) or a
//! warning (`twine check` warns, or the file works but breaks a convention). The rules
//! follow what PyPI's upload validation and `twine check --strict` enforce:
//!
//! * wheels: file name, zip structure, `.dist-info`, WHEEL, METADATA,
//!   RECORD (every file listed, hashes and sizes right), member paths;
//! * sdist: PEP 625 file name, one top-level `{name}-{version}` directory, PKG-INFO,
//!   `pyproject.toml`, member paths and link targets;
//! * core metadata: the fields and their syntax (PEP 440, PEP 508, SPDX, URLs, e-mail);
//! * the long description: its declared content type, Markdown rendered with
//!   `pulldown-cmark`, reStructuredText checked by [`rst::check`] for the problems that make
//!   docutils (and so PyPI's `readme_renderer`) refuse to render it.

mod description;
mod metadata;
pub mod rst;
mod sdist;
#[cfg(test)]
mod testing;
mod wheel;

use std::fmt;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use description::check_description;

/// Why a distribution could not be checked at all (as opposed to a [`Problem`] in it).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The file could not be opened or read.
    #[error("failed to read `{path}`")]
    Read {
        /// The distribution's path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing; fails the check only with `--strict`.
    Warning,
    /// An index would reject the file, or tools would misread it.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// One thing wrong with a distribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// A stable identifier of the rule, e.g. `record-hash-mismatch`, for scripts and tests.
    pub code: &'static str,
    /// What is wrong, naming the file, field or line it is about.
    pub message: String,
}

impl Problem {
    /// An error.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
        }
    }

    /// A warning.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)
    }
}

/// What kind of distribution a file is, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DistKind {
    /// A `.whl`.
    Wheel,
    /// A source distribution (`.tar.gz`, or a legacy `.zip`).
    Sdist,
}

/// The result of checking one file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The file as given.
    pub path: PathBuf,
    /// Wheel or sdist; `None` when the name is neither.
    pub kind: Option<DistKind>,
    /// Everything found, in the order the checks ran.
    pub problems: Vec<Problem>,
}

impl Report {
    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems
            .iter()
            .any(|problem| problem.severity == Severity::Error)
    }

    /// Whether any problem is a warning.
    pub fn has_warnings(&self) -> bool {
        self.problems
            .iter()
            .any(|problem| problem.severity == Severity::Warning)
    }

    /// Whether the file passes: no errors, and with `strict` no warnings either.
    pub fn passed(&self, strict: bool) -> bool {
        !(self.has_errors() || (strict && self.has_warnings()))
    }

    /// Whether a problem with this code was found (for tests and scripts).
    pub fn has(&self, code: &str) -> bool {
        self.problems.iter().any(|problem| problem.code == code)
    }
}

/// Check one distribution file on disk.
pub fn check_file(path: &Path) -> Result<Report, CheckError> {
    let read_error = |source| CheckError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = fs_err::File::open(path).map_err(read_error)?;
    let filename = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(check_reader(path, &filename, BufReader::new(file)))
}

/// Check a distribution held in memory, named `filename`.
pub fn check_bytes(filename: &str, bytes: &[u8]) -> Report {
    check_reader(Path::new(filename), filename, Cursor::new(bytes))
}

fn check_reader(path: &Path, filename: &str, reader: impl Read + Seek) -> Report {
    let (kind, problems) = if filename.ends_with(".whl") {
        (Some(DistKind::Wheel), wheel::check(filename, reader))
    } else if sdist::is_sdist_name(filename) {
        (Some(DistKind::Sdist), sdist::check(filename, reader))
    } else {
        (
            None,
            vec![Problem::error(
                "unknown-file-type",
                format!(
                    "`{filename}` is neither a wheel (`.whl`) nor a source distribution (`.tar.gz`)"
                ),
            )],
        )
    };
    Report {
        path: path.to_path_buf(),
        kind,
        problems,
    }
}
