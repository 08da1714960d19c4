//! What the requirement at the start of a line is: a PEP 508 requirement, a URL or a path.
//!
//! The rules follow pip's `parse_req_from_line` and `parse_editable`:
//! - a line whose scheme is `http`, `https`, `file`, `ftp` or a VCS scheme (`git+https`, …)
//!   is a URL, and its marker must be separated by `; ` (a semicolon and a space);
//! - otherwise the marker starts at the first `;`, and the text is a path when it looks like
//!   one (starts with `.` or holds a `/`) and is a directory, or when it ends like an archive
//!   (`.whl`, `.tar.gz`, `.zip`, …) — unless it is missing and reads as `name @ url`;
//! - everything else is a PEP 508 requirement, `name @ url` included.
//!
//! Relative paths and relative `file:` URLs resolve against the working directory, not the
//! requirements file's directory: that is what pip does (its long-standing issue 8765), and
//! files written for pip keep working.

use std::path::{Component, Path, PathBuf};

use url::Url;
use wharf_pep::{ExtraName, MarkerTree, Requirement};

use crate::{Origin, RequirementSpec, RequirementsTxtError};

/// The schemes pip treats as URLs (`is_url`): plain ones and every VCS scheme it knows.
const URL_SCHEMES: &[&str] = &[
    "http",
    "https",
    "file",
    "ftp",
    "git+http",
    "git+https",
    "git+ssh",
    "git+git",
    "git+file",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn+ssh",
    "svn+http",
    "svn+https",
    "svn+svn",
    "svn+file",
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
    "bzr+file",
];

/// The VCS names pip prefixes to a bare `git:`/`hg:`… URL after `-e`.
const VCS_NAMES: &[&str] = &["git", "hg", "svn", "bzr"];

/// Archive extensions pip recognises (`ARCHIVE_EXTENSIONS`).
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
    ".tar.gz",
    ".tgz",
    ".tar",
];

/// PEP 440 operators, to tell `foo=1.0` (a typo for `==`) from other mistakes.
const OPERATORS: &[&str] = &["~=", "==", "!=", "<=", ">=", "<", ">", "==="];

/// A classified requirement and, for a path that does not exist, a warning to show.
pub(crate) struct ParsedRequirement {
    pub(crate) spec: RequirementSpec,
    pub(crate) warning: Option<String>,
}

/// The URL, extras and display text of an `-e` value.
pub(crate) struct ParsedEditable {
    pub(crate) url: Url,
    pub(crate) extras: Vec<ExtraName>,
}

/// Classify and parse the requirement part of a line. `working_dir` must be absolute.
pub(crate) fn parse_requirement(
    text: &str,
    working_dir: &Path,
    origin: &Origin,
) -> Result<ParsedRequirement, RequirementsTxtError> {
    let url_like = is_url(text);
    let separator = if url_like { "; " } else { ";" };
    let (spec_text, marker_text) = match text.split_once(separator) {
        Some((spec, marker)) => (spec.trim(), Some(marker.trim()).filter(|m| !m.is_empty())),
        None => (text.trim(), None),
    };
    let marker = match marker_text {
        Some(marker_text) => marker_text.parse::<MarkerTree>().map_err(|error| {
            RequirementsTxtError::InvalidRequirement {
                origin: origin.clone(),
                text: text.to_string(),
                error: Box::new(error),
                hint: None,
            }
        })?,
        None => MarkerTree::TRUE,
    };

    if url_like {
        let (url_text, extras) = split_extras(spec_text, origin)?;
        let url = url_from_text(url_text, working_dir, origin)?;
        return Ok(unnamed(url, extras, marker, spec_text, None));
    }

    let (path_text, extras) = split_extras(spec_text, origin)?;
    let path = normalize(&working_dir.join(path_text));
    if looks_like_path(spec_text) && path.is_dir() {
        if !is_installable_directory(&path) {
            return Err(RequirementsTxtError::NotInstallableDirectory {
                origin: origin.clone(),
                text: spec_text.to_string(),
            });
        }
        let url = file_url(&path, spec_text, origin)?;
        return Ok(unnamed(url, extras, marker, spec_text, None));
    }
    if is_archive(path_text) {
        if path.is_file() {
            let url = file_url(&path, spec_text, origin)?;
            return Ok(unnamed(url, extras, marker, spec_text, None));
        }
        let reads_as_direct_reference = spec_text
            .split_once('@')
            .is_some_and(|(before, _)| !looks_like_path(before));
        if !reads_as_direct_reference {
            let url = file_url(&path, spec_text, origin)?;
            let warning = format!(
                "requirement `{spec_text}` looks like a file name, but the file does not exist"
            );
            return Ok(unnamed(url, extras, marker, spec_text, Some(warning)));
        }
    }

    let mut requirement = <Requirement>::parse(spec_text, working_dir).map_err(|error| {
        RequirementsTxtError::InvalidRequirement {
            origin: origin.clone(),
            text: text.to_string(),
            error: Box::new(error),
            hint: hint_for(spec_text, working_dir),
        }
    })?;
    if marker_text.is_some() {
        requirement.marker = marker;
    }
    Ok(ParsedRequirement {
        spec: RequirementSpec::Named(requirement),
        warning: None,
    })
}

/// Parse the value of `-e`: a local project directory (with `[extras]`), a `file:` URL, or a
/// VCS URL with `#egg=NAME`.
pub(crate) fn parse_editable(
    text: &str,
    working_dir: &Path,
    origin: &Origin,
) -> Result<ParsedEditable, RequirementsTxtError> {
    let (without_extras, extras) = split_extras(text, origin)?;
    let path = normalize(&working_dir.join(without_extras));
    if !is_url(without_extras) && path.is_dir() {
        if !is_installable_directory(&path) {
            return Err(RequirementsTxtError::NotInstallableDirectory {
                origin: origin.clone(),
                text: text.to_string(),
            });
        }
        let url = file_url(&path, text, origin)?;
        return Ok(ParsedEditable { url, extras });
    }
    if without_extras.to_ascii_lowercase().starts_with("file:") {
        let url = url_from_text(without_extras, working_dir, origin)?;
        return Ok(ParsedEditable { url, extras });
    }

    let lowercase = text.to_ascii_lowercase();
    let url_text = match VCS_NAMES
        .iter()
        .find(|name| lowercase.starts_with(&format!("{name}:")))
    {
        Some(name) => format!("{name}+{text}"),
        None => text.to_string(),
    };
    let is_vcs = scheme_of(&url_text)
        .is_some_and(|scheme| scheme.contains('+') && URL_SCHEMES.contains(&scheme.as_str()));
    if !is_vcs {
        return Err(RequirementsTxtError::InvalidEditable {
            origin: origin.clone(),
            text: text.to_string(),
        });
    }
    let url = Url::parse(&url_text).map_err(|error| RequirementsTxtError::InvalidUrl {
        origin: origin.clone(),
        text: text.to_string(),
        error,
    })?;
    let Some(egg) = egg_fragment(&url) else {
        return Err(RequirementsTxtError::EditableWithoutName {
            origin: origin.clone(),
            text: text.to_string(),
        });
    };
    let (_, extras) = split_extras(&egg, origin)?;
    Ok(ParsedEditable { url, extras })
}

/// The `#egg=` value of a URL, which pip uses as the name of unnamed URL requirements.
pub(crate) fn egg_fragment(url: &Url) -> Option<String> {
    url.fragment()?
        .split('&')
        .find_map(|part| part.strip_prefix("egg="))
        .filter(|egg| !egg.is_empty())
        .map(str::to_string)
}

fn unnamed(
    url: Url,
    extras: Vec<ExtraName>,
    marker: MarkerTree,
    given: &str,
    warning: Option<String>,
) -> ParsedRequirement {
    ParsedRequirement {
        spec: RequirementSpec::Unnamed {
            url,
            extras,
            marker,
            given: given.to_string(),
        },
        warning,
    }
}

/// pip's `get_url_scheme`: whatever precedes the first `:`, lowercased.
fn scheme_of(text: &str) -> Option<String> {
    text.split_once(':')
        .map(|(scheme, _)| scheme.to_ascii_lowercase())
}

fn is_url(text: &str) -> bool {
    scheme_of(text).is_some_and(|scheme| URL_SCHEMES.contains(&scheme.as_str()))
}

/// pip's `_looks_like_path`.
fn looks_like_path(text: &str) -> bool {
    text.contains(std::path::MAIN_SEPARATOR) || text.contains('/') || text.starts_with('.')
}

/// pip's `is_archive_file`, with its `splitext` that keeps `.tar` in `.tar.gz`.
fn is_archive(text: &str) -> bool {
    let file_name = text
        .rsplit(['/', std::path::MAIN_SEPARATOR])
        .next()
        .unwrap_or(text);
    let Some(dot) = file_name.rfind('.').filter(|dot| *dot > 0) else {
        return false;
    };
    let (stem, extension) = file_name.split_at(dot);
    let extension = if stem.to_ascii_lowercase().ends_with(".tar") {
        format!(".tar{extension}")
    } else {
        extension.to_string()
    };
    ARCHIVE_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
}

fn is_installable_directory(path: &Path) -> bool {
    path.join("pyproject.toml").is_file() || path.join("setup.py").is_file()
}

/// Split `text[extra1,extra2]` into the text and the extras, as pip's `_strip_extras`.
fn split_extras<'text>(
    text: &'text str,
    origin: &Origin,
) -> Result<(&'text str, Vec<ExtraName>), RequirementsTxtError> {
    let Some(inner_and_open) = text.strip_suffix(']') else {
        return Ok((text, Vec::new()));
    };
    let Some(open) = inner_and_open.rfind('[').filter(|open| *open > 0) else {
        return Ok((text, Vec::new()));
    };
    let inner = &inner_and_open[open + 1..];
    if inner.is_empty() {
        return Ok((text, Vec::new()));
    }
    let extras = inner
        .split(',')
        .map(|extra| {
            extra
                .trim()
                .parse::<ExtraName>()
                .map_err(|error| RequirementsTxtError::InvalidExtras {
                    origin: origin.clone(),
                    text: text.to_string(),
                    message: error.to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((&text[..open], extras))
}

/// A URL from a URL requirement, resolving `file:relative/path` forms against `working_dir`.
fn url_from_text(
    text: &str,
    working_dir: &Path,
    origin: &Origin,
) -> Result<Url, RequirementsTxtError> {
    let invalid = |error| RequirementsTxtError::InvalidUrl {
        origin: origin.clone(),
        text: text.to_string(),
        error,
    };
    let lowercase = text.to_ascii_lowercase();
    if lowercase.starts_with("file:") && !lowercase.starts_with("file://") {
        // `file:../x.whl` or `file:/abs/x.whl`: no authority, so the rest is a path reference.
        let base = Url::from_directory_path(working_dir).map_err(|()| {
            RequirementsTxtError::InvalidPath {
                origin: origin.clone(),
                text: working_dir.display().to_string(),
            }
        })?;
        return base.join(&text["file:".len()..]).map_err(invalid);
    }
    Url::parse(text).map_err(invalid)
}

fn file_url(path: &Path, text: &str, origin: &Origin) -> Result<Url, RequirementsTxtError> {
    Url::from_file_path(path).map_err(|()| RequirementsTxtError::InvalidPath {
        origin: origin.clone(),
        text: text.to_string(),
    })
}

/// What pip's `deduce_helpful_msg` and its `=` check would suggest.
fn hint_for(text: &str, working_dir: &Path) -> Option<String> {
    let has_separator = text.contains('/') || text.contains(std::path::MAIN_SEPARATOR);
    // `name @ url` has slashes too, but is no path.
    if has_separator && !text.contains('@') {
        let path = working_dir.join(text);
        return Some(if path.is_file() {
            format!("`{text}` is a file: if it is a requirements file, include it with `-r {text}`")
        } else {
            format!("it looks like a path, but `{text}` does not exist")
        });
    }
    if text.contains('=') && !OPERATORS.iter().any(|operator| text.contains(operator)) {
        return Some("`=` is not a valid operator: did you mean `==`?".to_string());
    }
    None
}

/// Make a path absolute-looking without touching the file system: drop `.`, fold `..`.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match normalized.components().next_back() {
                Some(Component::Normal(_)) => {
                    normalized.pop();
                }
                // `..` at the root stays at the root, as in POSIX `normpath`.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => normalized.push(".."),
            },
            other => normalized.push(other),
        }
    }
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_detection_follows_pip() {
        assert!(is_url("https://host/x.whl"));
        assert!(is_url("FILE:///x.whl"));
        assert!(is_url("git+https://host/repo"));
        assert!(!is_url("name @ https://host/x.whl"));
        assert!(!is_url("C:\\dist\\x.whl"));
        assert!(!is_url("foo>=1"));
    }

    #[test]
    fn archives_follow_pip_splitext() {
        for archive in [
            "x.whl",
            "dir/x-1.0.tar.gz",
            "X.ZIP",
            "x.tgz",
            "x.tar",
            "x.tar.bz2",
        ] {
            assert!(is_archive(archive), "{archive}");
        }
        for other in ["x.gz", "foo", ".whl", "x.tar.zip", "x.txt", "foo>=1.0"] {
            assert!(!is_archive(other), "{other}");
        }
    }

    #[test]
    fn normalize_folds_dots() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
        assert_eq!(normalize(Path::new("./a")), PathBuf::from("a"));
    }

    #[test]
    fn egg_fragment_is_found_among_others() {
        let url = Url::parse("git+https://host/repo#subdirectory=x&egg=foo").unwrap();
        assert_eq!(egg_fragment(&url).as_deref(), Some("foo"));
        let url = Url::parse("https://host/x.tar.gz#sha256=aa").unwrap();
        assert_eq!(egg_fragment(&url), None);
    }
}
