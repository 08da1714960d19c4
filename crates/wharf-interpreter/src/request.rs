//! What `--python` asks for: a version, an implementation, a path or an executable name.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use wharf_pep::{Operator, VersionSpecifiers};

use crate::error::InterpreterError;
use crate::interpreter::Interpreter;

/// A request for a Python interpreter, as given to `--python`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PythonRequest {
    /// Any interpreter.
    Any,
    /// A version range; `3.12` means `==3.12.*`, `3` means `==3.*`.
    Version(VersionSpecifiers),
    /// An implementation, optionally with a version: `cpython3.11`, `cp311`, `pypy3.10`.
    Implementation {
        /// The implementation name as `sys.implementation.name` spells it (`cpython`, `pypy`).
        name: String,
        /// The version range, if any.
        version: Option<VersionSpecifiers>,
    },
    /// An interpreter (or an environment or installation directory) on disk.
    Path(PathBuf),
    /// An executable name to look up on PATH, e.g. `python3.12`.
    ExecutableName(String),
}

/// Implementation names and their short forms (the PEP 425 tag prefixes).
const IMPLEMENTATIONS: [(&str, &str); 3] = [("cpython", "cp"), ("pypy", "pp"), ("graalpy", "gp")];

const OPERATOR_STARTS: [char; 5] = ['=', '>', '<', '!', '~'];

/// Parse the version part of a request: `3`, `3.12`, `3.12.1`, `312`, `>=3.10,<3.13`.
fn parse_version(text: &str) -> Result<VersionSpecifiers, String> {
    let text = text.trim();
    if text.starts_with(OPERATOR_STARTS) {
        return VersionSpecifiers::from_str(text).map_err(|err| err.to_string());
    }
    let specifier = if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        match text.len() {
            1 => format!("=={text}.*"),
            // `312` is the tag form of 3.12.
            _ => format!("=={}.{}.*", &text[..1], &text[1..]),
        }
    } else if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        match text.split('.').count() {
            1 | 2 => format!("=={text}.*"),
            _ => format!("=={text}"),
        }
    } else if text
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_digit())
    {
        // A full version with a pre-release, e.g. `3.13.0rc1`.
        format!("=={text}")
    } else {
        return Err("expected a version such as `3.12` or `>=3.10`".to_string());
    };
    VersionSpecifiers::from_str(&specifier).map_err(|err| err.to_string())
}

impl FromStr for PythonRequest {
    type Err = InterpreterError;

    fn from_str(request: &str) -> Result<Self, Self::Err> {
        let invalid = |message: String| InterpreterError::InvalidRequest {
            request: request.to_string(),
            message,
        };
        let text = request.trim();
        if text.is_empty() || text.eq_ignore_ascii_case("any") {
            return Ok(Self::Any);
        }
        let looks_like_path = text.contains('/')
            || text.contains(std::path::MAIN_SEPARATOR)
            || text.starts_with('.')
            || text.starts_with('~');
        if looks_like_path {
            return Ok(Self::Path(expand_home(text)));
        }
        if text.starts_with(OPERATOR_STARTS)
            || text.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            return parse_version(text).map(Self::Version).map_err(invalid);
        }
        let lower = text.to_ascii_lowercase();
        for (name, short) in IMPLEMENTATIONS {
            for prefix in [name, short] {
                let Some(rest) = lower.strip_prefix(prefix) else {
                    continue;
                };
                let rest = rest.strip_prefix(['@', '-']).unwrap_or(rest);
                if rest.is_empty() {
                    return Ok(Self::Implementation {
                        name: name.to_string(),
                        version: None,
                    });
                }
                if rest.starts_with(|c: char| c.is_ascii_digit() || OPERATOR_STARTS.contains(&c)) {
                    let version = parse_version(rest).map_err(invalid)?;
                    return Ok(Self::Implementation {
                        name: name.to_string(),
                        version: Some(version),
                    });
                }
            }
        }
        if text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
        {
            return Ok(Self::ExecutableName(text.to_string()));
        }
        Err(invalid(
            "expected a version (`3.12`, `>=3.10`), an implementation (`cpython3.11`, `pypy3.10`), a path or an executable name (`python3.12`)".to_string(),
        ))
    }
}

/// Replace a leading `~` with the home directory, as a shell would.
fn expand_home(text: &str) -> PathBuf {
    if let Some(rest) = text.strip_prefix('~')
        && (rest.is_empty() || rest.starts_with(['/', std::path::MAIN_SEPARATOR]))
        && let Some(home) = std::env::home_dir()
    {
        return home.join(rest.trim_start_matches(['/', std::path::MAIN_SEPARATOR]));
    }
    PathBuf::from(text)
}

impl PythonRequest {
    /// Whether `interpreter` satisfies this request. Paths and names always match: they
    /// select an interpreter rather than filter one.
    pub fn matches(&self, interpreter: &Interpreter) -> bool {
        match self {
            Self::Any | Self::Path(_) | Self::ExecutableName(_) => true,
            Self::Version(specifiers) => specifiers.contains(&interpreter.version),
            Self::Implementation { name, version } => {
                interpreter.implementation_name == *name
                    && version
                        .as_ref()
                        .is_none_or(|specifiers| specifiers.contains(&interpreter.version))
            }
        }
    }

    /// A request for one minor version (`3.12`) picks the newest patch release found
    /// rather than the first one.
    pub(crate) fn prefers_highest_patch(&self) -> bool {
        let specifiers = match self {
            Self::Version(specifiers) => specifiers,
            Self::Implementation {
                version: Some(specifiers),
                ..
            } => specifiers,
            _ => return false,
        };
        matches!(&**specifiers, [specifier]
            if *specifier.operator() == Operator::EqualStar
                && specifier.version().release().len() == 2)
    }
}

impl fmt::Display for PythonRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => write!(f, "any Python"),
            Self::Version(specifiers) => write!(f, "Python {specifiers}"),
            Self::Implementation {
                name,
                version: None,
            } => write!(f, "{name}"),
            Self::Implementation {
                name,
                version: Some(specifiers),
            } => write!(f, "{name} {specifiers}"),
            Self::Path(path) => write!(f, "{}", path.display()),
            Self::ExecutableName(name) => write!(f, "`{name}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> PythonRequest {
        PythonRequest::Version(text.parse().unwrap())
    }

    fn implementation(name: &str, text: Option<&str>) -> PythonRequest {
        PythonRequest::Implementation {
            name: name.to_string(),
            version: text.map(|text| text.parse().unwrap()),
        }
    }

    #[test]
    fn parse_table() {
        let table = [
            ("", PythonRequest::Any),
            ("any", PythonRequest::Any),
            ("3", version("==3.*")),
            ("3.12", version("==3.12.*")),
            ("3.12.1", version("==3.12.1")),
            ("312", version("==3.12.*")),
            ("3.13.0rc1", version("==3.13.0rc1")),
            (">=3.10", version(">=3.10")),
            (">=3.10,<3.13", version(">=3.10,<3.13")),
            ("==3.11.*", version("==3.11.*")),
            ("cpython", implementation("cpython", None)),
            ("cpython3.11", implementation("cpython", Some("==3.11.*"))),
            ("CPython@3.11", implementation("cpython", Some("==3.11.*"))),
            ("cpython-3.11", implementation("cpython", Some("==3.11.*"))),
            ("cp311", implementation("cpython", Some("==3.11.*"))),
            ("cp3.11", implementation("cpython", Some("==3.11.*"))),
            ("cpython>=3.10", implementation("cpython", Some(">=3.10"))),
            ("pypy3.10", implementation("pypy", Some("==3.10.*"))),
            ("pp310", implementation("pypy", Some("==3.10.*"))),
            ("pypy", implementation("pypy", None)),
            ("graalpy", implementation("graalpy", None)),
            (
                "/usr/bin/python3",
                PythonRequest::Path(PathBuf::from("/usr/bin/python3")),
            ),
            (
                "./.venv/bin/python",
                PythonRequest::Path(PathBuf::from("./.venv/bin/python")),
            ),
            (".venv", PythonRequest::Path(PathBuf::from(".venv"))),
            (
                "python3.12",
                PythonRequest::ExecutableName("python3.12".to_string()),
            ),
            (
                "python",
                PythonRequest::ExecutableName("python".to_string()),
            ),
            ("pypy3", implementation("pypy", Some("==3.*"))),
        ];
        for (text, expected) in table {
            let parsed: PythonRequest =
                text.parse().unwrap_or_else(|err| panic!("`{text}`: {err}"));
            assert_eq!(parsed, expected, "`{text}`");
        }
    }

    #[test]
    fn invalid_requests() {
        for text in [">=three", "3.x", "python 3", "cpython3.x"] {
            let err = text.parse::<PythonRequest>().unwrap_err();
            assert!(
                matches!(err, InterpreterError::InvalidRequest { .. }),
                "`{text}`: {err}"
            );
        }
    }

    #[test]
    fn home_is_expanded() {
        let Some(home) = std::env::home_dir() else {
            return;
        };
        assert_eq!(
            "~/bin/python".parse::<PythonRequest>().unwrap(),
            PythonRequest::Path(home.join("bin/python"))
        );
    }

    #[test]
    fn minor_requests_prefer_the_highest_patch() {
        assert!(version("==3.12.*").prefers_highest_patch());
        assert!(implementation("cpython", Some("==3.12.*")).prefers_highest_patch());
        assert!(!version("==3.*").prefers_highest_patch());
        assert!(!version(">=3.10").prefers_highest_patch());
        assert!(!PythonRequest::Any.prefers_highest_patch());
    }
}
