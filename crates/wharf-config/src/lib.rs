//! Settings and where each came from.
//!
//! Precedence, highest first: the command line; the environment (`WHARF_*`, and pip's
//! `PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`, `PIP_FIND_LINKS` for users coming from pip);
//! the project file (`wharf.toml`, else `[tool.wharf]` in `pyproject.toml`, found by walking
//! up from the working directory); the user file (`$WHARF_CONFIG_FILE`, else
//! `~/.config/wharf/wharf.toml`). `wharf config` prints the merged result with sources.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A file is not valid TOML.
    #[error("{path} is not valid TOML: {message}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A key is unknown or has the wrong type.
    #[error("{origin}: {message}")]
    Invalid {
        /// Where the value came from.
        origin: Source,
        /// What is wrong.
        message: String,
    },
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    CommandLine,
    /// An environment variable.
    Environment(String),
    /// A configuration file.
    File(PathBuf),
    /// wharf's default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CommandLine => write!(f, "command line"),
            Self::Environment(var) => write!(f, "environment variable {var}"),
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Default => write!(f, "default"),
        }
    }
}

/// A setting's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One string.
    String,
    /// A list of strings (whitespace-separated in the environment).
    List,
    /// `true`/`false` (`1`/`0`, `yes`/`no` in the environment).
    Bool,
    /// A path; relative paths in files are relative to the file.
    Path,
    /// A list of URLs or paths; relative paths in files are relative to the file.
    PathList,
}

/// One known setting.
#[derive(Debug)]
pub struct Key {
    /// The name in files and `wharf config`, kebab-case.
    pub name: &'static str,
    /// The type.
    pub kind: Kind,
    /// Environment variables, first wins.
    pub env: &'static [&'static str],
    /// One line of help.
    pub help: &'static str,
}

/// Every setting wharf reads from files and the environment.
pub const KEYS: &[Key] = &[
    Key {
        name: "index-url",
        kind: Kind::String,
        env: &["WHARF_INDEX_URL", "PIP_INDEX_URL"],
        help: "The default package index (PEP 503/691)",
    },
    Key {
        name: "extra-index-url",
        kind: Kind::List,
        env: &["WHARF_EXTRA_INDEX_URL", "PIP_EXTRA_INDEX_URL"],
        help: "More indexes, consulted in order after the default one",
    },
    Key {
        name: "find-links",
        kind: Kind::PathList,
        env: &["WHARF_FIND_LINKS", "PIP_FIND_LINKS"],
        help: "Directories or HTML pages of links to distributions",
    },
    Key {
        name: "no-index",
        kind: Kind::Bool,
        env: &["WHARF_NO_INDEX", "PIP_NO_INDEX"],
        help: "Use only --find-links and local files",
    },
    Key {
        name: "index-strategy",
        kind: Kind::String,
        env: &["WHARF_INDEX_STRATEGY"],
        help: "first-index (safe default) or unsafe-best-match (pip's merge of all indexes)",
    },
    Key {
        name: "cache-dir",
        kind: Kind::Path,
        env: &["WHARF_CACHE_DIR"],
        help: "The global cache directory",
    },
    Key {
        name: "offline",
        kind: Kind::Bool,
        env: &["WHARF_OFFLINE"],
        help: "Never use the network; use cached index pages and files only",
    },
    Key {
        name: "link-mode",
        kind: Kind::String,
        env: &["WHARF_LINK_MODE"],
        help: "How files are put into environments: clone, hardlink or copy",
    },
    Key {
        name: "python",
        kind: Kind::String,
        env: &["WHARF_PYTHON"],
        help: "The interpreter `wharf venv` uses when given no --python (version request or path)",
    },
    Key {
        name: "compile-bytecode",
        kind: Kind::Bool,
        env: &["WHARF_COMPILE_BYTECODE"],
        help: "Compile .py files to .pyc after installing",
    },
    Key {
        name: "pre",
        kind: Kind::Bool,
        env: &["WHARF_PRE", "PIP_PRE"],
        help: "Allow pre-releases to compete with final releases",
    },
    Key {
        name: "require-hashes",
        kind: Kind::Bool,
        env: &["WHARF_REQUIRE_HASHES", "PIP_REQUIRE_HASHES"],
        help: "Require a --hash for every requirement",
    },
    Key {
        name: "timeout",
        kind: Kind::String,
        env: &["WHARF_HTTP_TIMEOUT", "PIP_TIMEOUT"],
        help: "Seconds to wait for an index or download to answer",
    },
];

/// A value of a setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string (also paths).
    String(String),
    /// A list.
    List(Vec<String>),
    /// A flag.
    Bool(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(value) => write!(f, "{value}"),
            Self::List(values) => write!(f, "[{}]", values.join(", ")),
            Self::Bool(value) => write!(f, "{value}"),
        }
    }
}

/// The merged settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    values: BTreeMap<&'static str, (Value, Source)>,
    /// The files that were read, in precedence order (highest first).
    pub files: Vec<PathBuf>,
}

/// How to load settings.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Values given on the command line, by key name.
    pub command_line: Vec<(&'static str, Value)>,
    /// Where to start looking for the project file.
    pub working_dir: PathBuf,
    /// Skip every configuration file (`--no-config`).
    pub no_config: bool,
    /// An explicit configuration file (`--config-file`), replacing the project and user files.
    pub config_file: Option<PathBuf>,
}

impl Settings {
    /// Load settings from every layer, reading the environment through `env`.
    pub fn load(
        options: &LoadOptions,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut settings = Self::default();
        // Lowest precedence first; each layer replaces what is below.
        if !options.no_config {
            let mut files = Vec::new();
            if let Some(file) = &options.config_file {
                files.push(file.clone());
            } else {
                if let Some(user) = user_config_file(env)
                    && user.is_file()
                {
                    files.push(user);
                }
                if let Some(project) = find_project_file(&options.working_dir)? {
                    files.push(project);
                }
            }
            for file in &files {
                settings.apply_file(file)?;
            }
            files.reverse();
            settings.files = files;
        }
        for key in KEYS {
            for var in key.env {
                let Some(text) = env(var).filter(|text| !text.trim().is_empty()) else {
                    continue;
                };
                let source = Source::Environment((*var).to_string());
                let value = match key.kind {
                    Kind::String | Kind::Path => Value::String(text.trim().to_string()),
                    Kind::List | Kind::PathList => {
                        Value::List(text.split_whitespace().map(str::to_string).collect())
                    }
                    Kind::Bool => {
                        Value::Bool(parse_bool(&text).ok_or_else(|| ConfigError::Invalid {
                            origin: source.clone(),
                            message: format!("`{text}` is not a boolean (use true or false)"),
                        })?)
                    }
                };
                settings.values.insert(key.name, (value, source));
                break;
            }
        }
        for (name, value) in &options.command_line {
            settings
                .values
                .insert(name, (value.clone(), Source::CommandLine));
        }
        Ok(settings)
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = fs_err::read_to_string(path)?;
        let document: toml::Table = toml::from_str(&text).map_err(|err| ConfigError::Toml {
            path: path.to_path_buf(),
            message: err.message().to_string(),
        })?;
        let table = if path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml")
        {
            match document
                .get("tool")
                .and_then(|tool| tool.get("wharf"))
                .and_then(|wharf| wharf.as_table())
            {
                Some(table) => table.clone(),
                None => return Ok(()),
            }
        } else {
            document
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let source = Source::File(path.to_path_buf());
        for (name, raw) in &table {
            let key =
                KEYS.iter()
                    .find(|key| key.name == name)
                    .ok_or_else(|| ConfigError::Invalid {
                        origin: source.clone(),
                        message: format!(
                            "unknown setting `{name}`; known settings: {}",
                            KEYS.iter()
                                .map(|key| key.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })?;
            let wrong = |expected: &str| ConfigError::Invalid {
                origin: source.clone(),
                message: format!("`{name}` must be {expected}"),
            };
            let value = match (key.kind, raw) {
                (Kind::String, toml::Value::String(text)) => Value::String(text.clone()),
                (Kind::String, toml::Value::Integer(number)) => Value::String(number.to_string()),
                (Kind::Path, toml::Value::String(text)) => Value::String(relative_to(base, text)),
                (Kind::Bool, toml::Value::Boolean(flag)) => Value::Bool(*flag),
                (Kind::List | Kind::PathList, toml::Value::String(text)) => {
                    Value::List(vec![text.clone()])
                }
                (Kind::List | Kind::PathList, toml::Value::Array(items)) => Value::List(
                    items
                        .iter()
                        .map(|item| item.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| wrong("a list of strings"))?,
                ),
                (Kind::String | Kind::Path, _) => return Err(wrong("a string")),
                (Kind::Bool, _) => return Err(wrong("true or false")),
                (Kind::List | Kind::PathList, _) => return Err(wrong("a list of strings")),
            };
            let value = match (key.kind, value) {
                (Kind::PathList, Value::List(items)) => {
                    Value::List(items.iter().map(|item| relative_to(base, item)).collect())
                }
                (_, value) => value,
            };
            self.values.insert(key.name, (value, source.clone()));
        }
        Ok(())
    }

    /// A string setting.
    pub fn string(&self, name: &str) -> Option<&str> {
        match self.values.get(name) {
            Some((Value::String(text), _)) => Some(text),
            _ => None,
        }
    }

    /// A list setting (empty when unset).
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.values.get(name) {
            Some((Value::List(items), _)) => items.clone(),
            Some((Value::String(text), _)) => vec![text.clone()],
            _ => Vec::new(),
        }
    }

    /// A flag (false when unset).
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some((Value::Bool(true), _)))
    }

    /// Where a setting came from.
    pub fn source(&self, name: &str) -> Source {
        self.values
            .get(name)
            .map(|(_, source)| source.clone())
            .unwrap_or(Source::Default)
    }

    /// Every set value with its source, in key order.
    pub fn entries(&self) -> impl Iterator<Item = (&'static Key, Option<&(Value, Source)>)> {
        KEYS.iter().map(|key| (key, self.values.get(key.name)))
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Resolve a relative local path against a file's directory; URLs stay as they are.
fn relative_to(base: &Path, value: &str) -> String {
    if value.contains("://") || Path::new(value).is_absolute() {
        value.to_string()
    } else {
        base.join(value).to_string_lossy().into_owned()
    }
}

/// The user configuration file's path.
pub fn user_config_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(file) = env("WHARF_CONFIG_FILE").filter(|file| !file.is_empty()) {
        return Some(PathBuf::from(file));
    }
    if let Some(dir) = env("XDG_CONFIG_HOME").filter(|dir| !dir.is_empty()) {
        return Some(PathBuf::from(dir).join("wharf").join("wharf.toml"));
    }
    env("HOME").map(|home| PathBuf::from(home).join(".config/wharf/wharf.toml"))
}

/// The nearest `wharf.toml`, or `pyproject.toml` with a `[tool.wharf]` table, from `dir` up.
pub fn find_project_file(dir: &Path) -> Result<Option<PathBuf>, ConfigError> {
    for ancestor in dir.ancestors() {
        let wharf = ancestor.join("wharf.toml");
        if wharf.is_file() {
            return Ok(Some(wharf));
        }
        let pyproject = ancestor.join("pyproject.toml");
        if pyproject.is_file() {
            let text = fs_err::read_to_string(&pyproject)?;
            if text.contains("[tool.wharf]") || text.contains("[tool.wharf.") {
                return Ok(Some(pyproject));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_string())
        }
    }

    #[test]
    fn precedence_command_line_env_project_user() {
        let home = tempfile::tempdir().unwrap();
        let project = tempfile::tempdir().unwrap();
        let user_file = home.path().join("user.toml");
        fs_err::write(
            &user_file,
            "index-url = \"https://user.example/simple\"\ncache-dir = \"cache\"\noffline = true\n",
        )
        .unwrap();
        fs_err::write(
            project.path().join("pyproject.toml"),
            "[project]\nname = \"x\"\n[tool.wharf]\nindex-url = \"https://project.example/simple\"\nfind-links = [\"wheels\"]\n",
        )
        .unwrap();
        let nested = project.path().join("src/pkg");
        fs_err::create_dir_all(&nested).unwrap();
        let user = user_file.to_string_lossy().into_owned();
        let user: &'static str = Box::leak(user.into_boxed_str());
        let pairs: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
            ("WHARF_CONFIG_FILE", user),
            (
                "PIP_EXTRA_INDEX_URL",
                "https://a.example/simple https://b.example/simple",
            ),
        ]));
        let settings = Settings::load(
            &LoadOptions {
                command_line: vec![("offline", Value::Bool(false))],
                working_dir: nested,
                ..LoadOptions::default()
            },
            &env_of(pairs),
        )
        .unwrap();
        assert_eq!(
            settings.string("index-url"),
            Some("https://project.example/simple")
        );
        assert_eq!(settings.list("extra-index-url").len(), 2);
        assert_eq!(
            settings.source("extra-index-url"),
            Source::Environment("PIP_EXTRA_INDEX_URL".into())
        );
        assert!(!settings.flag("offline"));
        assert_eq!(settings.source("offline"), Source::CommandLine);
        assert_eq!(
            settings.list("find-links"),
            vec![project.path().join("wheels").to_string_lossy().into_owned()]
        );
        assert_eq!(
            settings.string("cache-dir").unwrap(),
            home.path().join("cache").to_string_lossy()
        );
    }

    #[test]
    fn unknown_key_is_named_with_file() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("wharf.toml"), "index_url = \"x\"\n").unwrap();
        let err = Settings::load(
            &LoadOptions {
                working_dir: dir.path().to_path_buf(),
                ..LoadOptions::default()
            },
            &|_| None,
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("wharf.toml") && message.contains("index_url"),
            "{message}"
        );
    }

    #[test]
    fn bad_boolean_in_environment() {
        let err = Settings::load(
            &LoadOptions::default(),
            &env_of(&[("WHARF_OFFLINE", "maybe")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("WHARF_OFFLINE"), "{err}");
    }
}
