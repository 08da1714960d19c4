//! Errors of reading a requirements file: each names the file and line it is about.

use std::fmt;
use std::path::PathBuf;

use wharf_pep::Pep508Error;

use crate::Origin;

/// A requirements file that could not be read or understood.
///
/// Errors about a line start with `file:line:` and quote the offending text. Errors of the
/// standards crates (PEP 508, URLs) are kept typed and printed as part of the message.
#[derive(Debug, thiserror::Error)]
pub enum RequirementsTxtError {
    /// The file does not exist.
    #[error("requirements file `{}` does not exist{}", path.display(), IncludedFrom(included_from))]
    NotFound {
        /// The missing file.
        path: PathBuf,
        /// The `-r`/`-c` line that named it, if any.
        included_from: Option<Origin>,
    },
    /// The file exists but could not be read.
    #[error("could not read requirements file `{}`{}", path.display(), IncludedFrom(included_from))]
    Read {
        /// The file.
        path: PathBuf,
        /// The `-r`/`-c` line that named it, if any.
        included_from: Option<Origin>,
        /// Why reading failed.
        #[source]
        source: std::io::Error,
    },
    /// The file is neither UTF-8 nor UTF-16 with a byte order mark.
    #[error("requirements file `{}` is not valid UTF-8 (invalid byte at offset {offset})", path.display())]
    Encoding {
        /// The file.
        path: PathBuf,
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// `-r`/`-c` names an `http(s)://` file.
    #[error(
        "{origin}: `{url}` is a remote requirements file, which is not supported yet: download it and pass its path"
    )]
    RemoteFile {
        /// The including line.
        origin: Origin,
        /// The URL as written.
        url: String,
    },
    /// A file includes itself, directly or through other files.
    #[error("{origin}: `{}` includes itself: {}", path.display(), Chain(chain))]
    Cycle {
        /// The line that closes the cycle.
        origin: Origin,
        /// The file included again.
        path: PathBuf,
        /// The files from the first inclusion of `path` to the line that includes it again.
        chain: Vec<PathBuf>,
    },
    /// Quotes or backslashes in the options do not close.
    #[error("{origin}: could not split `{line}` into options: {message}")]
    Quoting {
        /// The line.
        origin: Origin,
        /// The line's text.
        line: String,
        /// What is wrong.
        message: String,
    },
    /// An option pip does not accept in requirements files.
    #[error("{origin}: unknown option `{option}` in `{line}`")]
    UnknownOption {
        /// The line.
        origin: Origin,
        /// The option as written.
        option: String,
        /// The line's text.
        line: String,
    },
    /// An abbreviated option that matches several options.
    #[error("{origin}: option `{option}` in `{line}` is ambiguous: it could be {}", candidates.join(", "))]
    AmbiguousOption {
        /// The line.
        origin: Origin,
        /// The option as written.
        option: String,
        /// The line's text.
        line: String,
        /// The options it abbreviates.
        candidates: Vec<String>,
    },
    /// An option that needs a value is last on its line.
    #[error("{origin}: option `{option}` requires a value in `{line}`")]
    MissingValue {
        /// The line.
        origin: Origin,
        /// The option.
        option: String,
        /// The line's text.
        line: String,
    },
    /// A flag was given a value (`--pre=yes`).
    #[error("{origin}: option `{option}` takes no value in `{line}`")]
    UnexpectedValue {
        /// The line.
        origin: Origin,
        /// The option.
        option: String,
        /// The line's text.
        line: String,
    },
    /// An option's value is malformed (`--hash=md5:…`, `--no-binary=-x`).
    #[error("{origin}: invalid value `{value}` for `{option}`: {message}")]
    InvalidOptionValue {
        /// The line.
        origin: Origin,
        /// The option.
        option: String,
        /// The value as written.
        value: String,
        /// What is wrong.
        message: String,
    },
    /// A file-wide option follows a requirement on the same line.
    #[error(
        "{origin}: `{option}` cannot follow a requirement (`{requirement}`): put it on a line of its own"
    )]
    MisplacedOption {
        /// The line.
        origin: Origin,
        /// The option.
        option: String,
        /// The requirement at the start of the line.
        requirement: String,
    },
    /// A word after the options that is not an option's value: pip would drop it silently.
    #[error(
        "{origin}: unexpected `{word}` in `{line}`: a requirement must come before the options on its line"
    )]
    UnexpectedWord {
        /// The line.
        origin: Origin,
        /// The stray word.
        word: String,
        /// The line's text.
        line: String,
    },
    /// A requirement or its marker is not valid PEP 508.
    #[error("{origin}: invalid requirement `{text}`: {error}{}", Hint(hint))]
    InvalidRequirement {
        /// The line.
        origin: Origin,
        /// The requirement as written.
        text: String,
        /// The parser's explanation.
        error: Box<Pep508Error>,
        /// What the user probably meant.
        hint: Option<String>,
    },
    /// `path[extras]` or `url[extras]` with extras that are not valid names.
    #[error("{origin}: invalid extras in `{text}`: {message}")]
    InvalidExtras {
        /// The line.
        origin: Origin,
        /// The requirement as written.
        text: String,
        /// What is wrong.
        message: String,
    },
    /// A URL requirement that is not a valid URL.
    #[error("{origin}: invalid URL `{text}`: {error}")]
    InvalidUrl {
        /// The line.
        origin: Origin,
        /// The URL as written.
        text: String,
        /// The URL parser's explanation.
        error: url::ParseError,
    },
    /// A path that cannot be expressed as a `file://` URL.
    #[error("{origin}: path `{text}` cannot be turned into a file URL")]
    InvalidPath {
        /// The line.
        origin: Origin,
        /// The path as written.
        text: String,
    },
    /// A directory requirement that is not a Python project.
    #[error(
        "{origin}: directory `{text}` is not installable: it has neither `setup.py` nor `pyproject.toml`"
    )]
    NotInstallableDirectory {
        /// The line.
        origin: Origin,
        /// The path as written.
        text: String,
    },
    /// `-e` with something that is neither a local project nor a VCS URL.
    #[error(
        "{origin}: `{text}` is not a valid editable requirement: it should be a path to a local project directory or a VCS URL (git+, hg+, svn+, bzr+)"
    )]
    InvalidEditable {
        /// The line.
        origin: Origin,
        /// The value of `-e` as written.
        text: String,
    },
    /// `-e` with a VCS URL that has no `#egg=NAME`.
    #[error(
        "{origin}: could not find the project name of editable `{text}`: add `#egg=NAME` to its URL"
    )]
    EditableWithoutName {
        /// The line.
        origin: Origin,
        /// The value of `-e` as written.
        text: String,
    },
    /// A requirement form that constraints files do not allow.
    #[error("{origin}: `{text}` is not allowed in a constraints file: {reason}")]
    InvalidConstraint {
        /// The line.
        origin: Origin,
        /// The requirement as written.
        text: String,
        /// Why.
        reason: &'static str,
    },
}

struct IncludedFrom<'a>(&'a Option<Origin>);

impl fmt::Display for IncludedFrom<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(origin) => write!(formatter, " (included from {origin})"),
            None => Ok(()),
        }
    }
}

struct Hint<'a>(&'a Option<String>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(hint) => write!(formatter, "\nhint: {hint}"),
            None => Ok(()),
        }
    }
}

struct Chain<'a>(&'a [PathBuf]);

impl fmt::Display for Chain<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, path) in self.0.iter().enumerate() {
            if index > 0 {
                formatter.write_str(" -> ")?;
            }
            write!(formatter, "{}", path.display())?;
        }
        Ok(())
    }
}
