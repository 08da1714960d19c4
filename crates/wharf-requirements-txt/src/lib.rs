//! pip's requirements and constraints file format, as pip 24 reads it.
//!
//! [`parse_requirements_file`] reads a file and every file it includes with `-r`/`-c`, and
//! returns the requirements, constraints, editables and file-wide options (indexes,
//! find-links, binary preferences, hashes) in one [`RequirementsTxt`]. The only I/O is
//! reading the files and looking at the paths they name.
//!
//! Where wharf departs from pip, it is stricter and says so, or keeps more:
//! - pip silently drops words after a line's options (`--extra-index-url URL torch` loses
//!   `torch`) and file-wide options after a requirement (`foo --pre`); wharf reports both.
//! - pip treats a `-r` file nested in a `-c` file as requirements; wharf keeps everything
//!   under a constraints file as constraints, so a constraints file never adds installs.
//! - pip follows only the first `-r`/`-e` of a line and ignores the other options on a line
//!   with `-r`; wharf follows them all.
//! - `--hash` values are checked for a strong algorithm and a hex digest of its length when
//!   read, rather than at download time.

mod error;
mod lines;
mod options;
mod parser;
mod requirement;

use std::fmt;
use std::path::{Path, PathBuf};

pub use error::RequirementsTxtError;
pub use parser::RequirementsTxtParser;

/// Everything a requirements file (and the files it includes) asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequirementsTxt {
    /// Requirements from the top-level file and files included with `-r`, in file order.
    pub requirements: Vec<RequirementEntry>,
    /// Requirements from files included with `-c` (and files nested in them).
    pub constraints: Vec<RequirementEntry>,
    /// `-e`/`--editable` projects: local directories or VCS URLs.
    pub editables: Vec<EditableEntry>,
    /// `-i`/`--index-url`; when given several times, the last one wins.
    pub index_url: Option<String>,
    /// `--extra-index-url`, in order.
    pub extra_index_urls: Vec<String>,
    /// `-f`/`--find-links`: URLs as written; a relative path becomes the path joined to the
    /// requirements file's directory when that exists there (as pip does), otherwise the path
    /// joined to the working directory.
    pub find_links: Vec<String>,
    /// `--no-index` was given. `index_url` and `extra_index_urls` are kept: the caller
    /// decides, as pip does, that they do not apply.
    pub no_index: bool,
    /// `--no-binary` values split on commas, in order: `:all:`, `:none:` or normalized
    /// project names. pip applies them in order with [`Self::only_binary`], each clearing
    /// the other for the same names.
    pub no_binary: Vec<String>,
    /// `--only-binary` values split on commas, in order (see [`Self::no_binary`]).
    pub only_binary: Vec<String>,
    /// `--pre`: allow pre-releases.
    pub pre: bool,
    /// `--prefer-binary`: prefer older wheels to newer source distributions.
    pub prefer_binary: bool,
    /// `--require-hashes`. pip also turns hash checking on when any requirement has a
    /// `--hash`; that is for the caller to decide.
    pub require_hashes: bool,
    /// `--trusted-host` values, in order.
    pub trusted_hosts: Vec<String>,
    /// Things pip warns about but accepts, to be shown to the user.
    pub warnings: Vec<RequirementsTxtWarning>,
}

/// A requirement or constraint and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementEntry {
    /// What is required.
    pub requirement: RequirementSpec,
    /// `--hash` values of the line, as `algorithm:hex` with a lowercase digest.
    pub hashes: Vec<String>,
    /// Where the line is.
    pub origin: Origin,
}

/// A requirement line's requirement.
#[derive(Debug, Clone, PartialEq)]
pub enum RequirementSpec {
    /// A PEP 508 requirement: `name[extras] specifiers ; marker` or `name @ url ; marker`.
    Named(wharf_pep::Requirement),
    /// A bare URL or path: `./dist/x.whl`, `../project[extra]`, `https://host/x.whl`,
    /// `file:///…/x.whl`, `git+https://…#egg=name`, each with an optional `; marker`.
    /// The project name comes from the wheel file name, the `#egg=` fragment or the
    /// project's metadata.
    Unnamed {
        /// Absolute URL; paths become `file://` URLs.
        url: url::Url,
        /// `[extras]` written after the path or URL.
        extras: Vec<wharf_pep::ExtraName>,
        /// The marker after `;` (`; ` for URLs); true when there is none.
        marker: wharf_pep::MarkerTree,
        /// The path or URL as written, with extras, without the marker.
        given: String,
    },
}

impl RequirementSpec {
    /// The `#egg=` fragment of an unnamed URL requirement, which pip takes as its name.
    pub fn egg_fragment(&self) -> Option<String> {
        match self {
            Self::Named(_) => None,
            Self::Unnamed { url, .. } => requirement::egg_fragment(url),
        }
    }
}

impl fmt::Display for RequirementSpec {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Named(requirement) => write!(formatter, "{requirement}"),
            Self::Unnamed { given, marker, .. } => match marker.try_to_string() {
                Some(marker) => write!(formatter, "{given} ; {marker}"),
                None => formatter.write_str(given),
            },
        }
    }
}

/// An `-e`/`--editable` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditableEntry {
    /// `file://` URL of a local project directory, or a VCS URL (`git+https://…#egg=name`).
    pub url: url::Url,
    /// `[extras]` written after a local path, or in the `#egg=name[extras]` fragment.
    pub extras: Vec<wharf_pep::ExtraName>,
    /// The value of `-e` as written (after `${VARIABLE}` expansion).
    pub given: String,
    /// Where the line is.
    pub origin: Origin,
}

/// Where a line was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The file as the user named it: the top-level path as given, and included files
    /// joined to their including file's directory.
    pub file: PathBuf,
    /// 1-based number of the line's first physical line (continued lines count as one).
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.file.display(), self.line)
    }
}

/// Something pip accepts with a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementsTxtWarning {
    /// Where the line is.
    pub origin: Origin,
    /// What is odd about it.
    pub message: String,
}

impl fmt::Display for RequirementsTxtWarning {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.origin, self.message)
    }
}

/// Read a requirements file and the files it includes.
///
/// A relative `path` is taken from `working_dir`; `-r`/`-c` paths are relative to the
/// including file; relative requirement paths (`./dist/x.whl`) are relative to
/// `working_dir`, as in pip. `${VARIABLE}` references are expanded from the process
/// environment; use [`RequirementsTxtParser`] to give them explicitly.
pub fn parse_requirements_file(
    path: &Path,
    working_dir: &Path,
) -> Result<RequirementsTxt, RequirementsTxtError> {
    RequirementsTxtParser::new(working_dir).parse_file(path)
}

/// Read a constraints file (pip's `-c FILE` on the command line): its requirements, and
/// those of files it includes, become [`RequirementsTxt::constraints`].
pub fn parse_constraints_file(
    path: &Path,
    working_dir: &Path,
) -> Result<RequirementsTxt, RequirementsTxtError> {
    RequirementsTxtParser::new(working_dir).parse_constraints_file(path)
}

/// Parse requirements file content already in memory. `file_for_errors` names it in
/// messages and origins, and its directory (taken from `working_dir` when relative) is
/// where `-r`/`-c` paths are looked up.
pub fn parse_requirements_str(
    content: &str,
    file_for_errors: &Path,
    working_dir: &Path,
) -> Result<RequirementsTxt, RequirementsTxtError> {
    RequirementsTxtParser::new(working_dir).parse_str(content, file_for_errors)
}
