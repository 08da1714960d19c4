//! Where interpreters are looked for, in order: the active virtual environment
//! (`$VIRTUAL_ENV`), `.venv` in the working directory and its parents, `python`, `python3`
//! and `python3.X` in each PATH directory, then pyenv's installed versions.
//!
//! pyenv's shims are skipped: they are shell scripts that pick a version by reading
//! `.python-version` files, so the same path would be a different interpreter in another
//! directory. The versions behind them are searched directly instead.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tracing::debug;
use wharf_cache::Cache;
use wharf_pep::Version;

use crate::error::InterpreterError;
use crate::interpreter::{Interpreter, is_script};
use crate::request::PythonRequest;

/// Where a candidate was found, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    ActiveVenv,
    LocalVenv,
    SearchPath,
    Pyenv,
}

impl Source {
    fn describe(self) -> &'static str {
        match self {
            Self::ActiveVenv => "active virtual environment ($VIRTUAL_ENV)",
            Self::LocalVenv => "`.venv` in the working directory and its parents",
            Self::SearchPath => "PATH",
            Self::Pyenv => "pyenv installations",
        }
    }
}

#[derive(Debug, Clone)]
struct Candidate {
    path: PathBuf,
    source: Source,
}

/// The interpreter inside a virtual environment or installation directory.
pub(crate) fn python_in(root: &Path) -> Option<PathBuf> {
    let names: &[&str] = if cfg!(windows) {
        &["Scripts/python.exe", "python.exe"]
    } else {
        &["bin/python", "bin/python3"]
    };
    names
        .iter()
        .map(|name| root.join(name))
        .find(|path| path.is_file())
}

/// `dir` is a virtual environment: it has a `pyvenv.cfg`.
fn is_venv(dir: &Path) -> bool {
    dir.join("pyvenv.cfg").is_file()
}

fn active_venv() -> Option<PathBuf> {
    std::env::var_os("VIRTUAL_ENV")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// The nearest `.venv` directory holding a virtual environment, from `start` upwards.
fn nearest_dot_venv(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(".venv"))
        .find(|dir| is_venv(dir))
}

fn pyenv_root() -> Option<PathBuf> {
    std::env::var_os("PYENV_ROOT")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".pyenv")))
}

/// A directory of shims (pyenv, pyenv-virtualenv, asdf), which is skipped.
fn is_shim_dir(dir: &Path) -> bool {
    if dir.file_name().is_none_or(|name| name != "shims") {
        return false;
    }
    if let Some(root) = pyenv_root() {
        if dir.starts_with(&root) {
            return true;
        }
    }
    let text = dir.to_string_lossy();
    text.contains("pyenv") || text.contains(".asdf")
}

/// A script that hands over to pyenv.
fn is_pyenv_shim(path: &Path) -> bool {
    if !is_script(path) {
        return false;
    }
    let mut head = vec![0; 1024];
    let read = std::fs::File::open(path).and_then(|mut file| {
        use std::io::Read;
        file.read(&mut head)
    });
    read.is_ok_and(|count| String::from_utf8_lossy(&head[..count]).contains("pyenv"))
}

fn executable_name(stem: &str) -> String {
    if cfg!(windows) {
        format!("{stem}.exe")
    } else {
        stem.to_string()
    }
}

/// `python`, `python3`, then `python3.X` (newest first) in `dir`; or only `name`.
fn pythons_in_dir(dir: &Path, name: Option<&str>) -> Vec<PathBuf> {
    if let Some(name) = name {
        let path = dir.join(executable_name(name));
        return if path.is_file() {
            vec![path]
        } else {
            Vec::new()
        };
    }
    let mut found: Vec<PathBuf> = ["python", "python3"]
        .iter()
        .map(|stem| dir.join(executable_name(stem)))
        .filter(|path| path.is_file())
        .collect();
    let mut minors: Vec<(u32, PathBuf)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                continue;
            };
            let stem = if cfg!(windows) {
                file_name.strip_suffix(".exe").unwrap_or(file_name)
            } else {
                file_name
            };
            if let Some(minor) = stem
                .strip_prefix("python3.")
                .and_then(|minor| minor.parse::<u32>().ok())
            {
                if entry.path().is_file() {
                    minors.push((minor, entry.path()));
                }
            }
        }
    }
    minors.sort_by(|a, b| b.0.cmp(&a.0));
    found.extend(minors.into_iter().map(|(_, path)| path));
    found
}

/// pyenv's installed versions, newest first (names that are not versions, such as
/// `miniconda3-latest`, after them).
fn pyenv_versions() -> Vec<PathBuf> {
    let Some(root) = pyenv_root() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(root.join("versions")) else {
        return Vec::new();
    };
    let mut versions: Vec<(Option<Version>, String, PathBuf)> = entries
        .flatten()
        .filter(|entry| entry.path().is_dir())
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            (name.parse::<Version>().ok(), name, entry.path())
        })
        .collect();
    versions.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(left), Some(right)) => right.cmp(left),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(&b.1),
    });
    versions.into_iter().map(|(_, _, path)| path).collect()
}

/// Every candidate, in search order, without duplicates. With `name`, only executables
/// of that name on PATH and in pyenv versions.
fn candidates(name: Option<&str>) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    if name.is_none() {
        if let Some(venv) = active_venv() {
            if let Some(path) = python_in(&venv) {
                candidates.push(Candidate {
                    path,
                    source: Source::ActiveVenv,
                });
            }
        }
        if let Some(venv) = std::env::current_dir()
            .ok()
            .and_then(|cwd| nearest_dot_venv(&cwd))
        {
            if let Some(path) = python_in(&venv) {
                candidates.push(Candidate {
                    path,
                    source: Source::LocalVenv,
                });
            }
        }
    }
    if let Some(search_path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&search_path) {
            if dir.as_os_str().is_empty() || is_shim_dir(&dir) {
                continue;
            }
            for path in pythons_in_dir(&dir, name) {
                if !is_pyenv_shim(&path) {
                    candidates.push(Candidate {
                        path,
                        source: Source::SearchPath,
                    });
                }
            }
        }
    }
    for version in pyenv_versions() {
        let bin = version.join("bin");
        let path = match name {
            Some(name) => bin.join(executable_name(name)),
            None => {
                let python3 = bin.join(executable_name("python3"));
                if python3.is_file() {
                    python3
                } else {
                    bin.join(executable_name("python"))
                }
            }
        };
        if path.is_file() {
            candidates.push(Candidate {
                path,
                source: Source::Pyenv,
            });
        }
    }
    // The same binary reached twice (`/bin` and `/usr/bin` on a merged-/usr system) is
    // one interpreter; a venv's `bin/python` is not its base, though both resolve to one
    // file, so venv pythons are told apart by their own path.
    let mut seen = HashSet::new();
    candidates.retain(|candidate| {
        let in_venv = candidate
            .path
            .parent()
            .and_then(Path::parent)
            .is_some_and(is_venv);
        let key = if in_venv {
            std::path::absolute(&candidate.path).unwrap_or_else(|_| candidate.path.clone())
        } else {
            std::fs::canonicalize(&candidate.path).unwrap_or_else(|_| candidate.path.clone())
        };
        seen.insert(key)
    });
    candidates
}

/// What was searched, for the "not found" message: each place with what it held.
#[derive(Default)]
struct SearchLog {
    entries: Vec<(Source, String)>,
}

impl SearchLog {
    fn record(&mut self, source: Source, line: String) {
        self.entries.push((source, line));
    }

    fn lines(self) -> Vec<String> {
        let mut lines = Vec::new();
        let sources = [
            Source::ActiveVenv,
            Source::LocalVenv,
            Source::SearchPath,
            Source::Pyenv,
        ];
        for source in sources {
            let found: Vec<&str> = self
                .entries
                .iter()
                .filter(|(entry_source, _)| *entry_source == source)
                .map(|(_, line)| line.as_str())
                .collect();
            let detail = match source {
                Source::ActiveVenv if active_venv().is_none() => "not set".to_string(),
                Source::Pyenv => {
                    let root = pyenv_root().map_or_else(
                        || "no home directory".to_string(),
                        |root| root.join("versions").display().to_string(),
                    );
                    if found.is_empty() {
                        format!("{root}: none")
                    } else {
                        format!("{root}: {}", found.join(", "))
                    }
                }
                _ if found.is_empty() => "none".to_string(),
                _ => found.join(", "),
            };
            lines.push(format!("{}: {detail}", source.describe()));
        }
        lines
    }
}

/// Find an interpreter satisfying `request`.
///
/// The first match in search order wins, except that a request for one minor version
/// (`3.12`) takes the highest patch release among all matches.
pub fn find_interpreter(
    request: &PythonRequest,
    cache: &Cache,
) -> Result<Interpreter, InterpreterError> {
    if let PythonRequest::Path(path) = request {
        let executable = if path.is_dir() {
            python_in(path).ok_or_else(|| InterpreterError::Missing {
                path: path.join(if cfg!(windows) {
                    "Scripts/python.exe"
                } else {
                    "bin/python"
                }),
            })?
        } else {
            path.clone()
        };
        return Interpreter::query(&executable, cache);
    }
    let name = match request {
        PythonRequest::ExecutableName(name) => Some(name.as_str()),
        _ => None,
    };
    let highest_patch = request.prefers_highest_patch();
    let mut log = SearchLog::default();
    let mut best: Option<Interpreter> = None;
    for candidate in candidates(name) {
        let interpreter = match Interpreter::query(&candidate.path, cache) {
            Ok(interpreter) => interpreter,
            Err(err) => {
                debug!("skipping {}: {err}", candidate.path.display());
                log.record(
                    candidate.source,
                    format!("{} (unusable)", candidate.path.display()),
                );
                continue;
            }
        };
        log.record(
            candidate.source,
            format!("{} ({})", candidate.path.display(), interpreter.version),
        );
        if !request.matches(&interpreter) {
            continue;
        }
        if !highest_patch {
            return Ok(interpreter);
        }
        if best
            .as_ref()
            .is_none_or(|best| interpreter.version > best.version)
        {
            best = Some(interpreter);
        }
    }
    best.ok_or_else(|| InterpreterError::NotFound {
        request: request.to_string(),
        searched: log.lines(),
    })
}

/// Describe the virtual environment at `root`.
fn venv_interpreter(
    root: &Path,
    reason: Option<&str>,
    cache: &Cache,
) -> Result<Interpreter, InterpreterError> {
    let not_a_venv = || InterpreterError::NotAVirtualEnvironment {
        path: root.to_path_buf(),
        reason: reason.map(str::to_string),
    };
    if !is_venv(root) {
        return Err(not_a_venv());
    }
    let executable = python_in(root).ok_or_else(not_a_venv)?;
    Interpreter::query(&executable, cache)
}

/// The environment a command works on: `venv` (`--venv DIR`), else the interpreter for
/// `python` (`--python X`), else `$VIRTUAL_ENV`, else the nearest `.venv` from the working
/// directory upwards. Never falls back to a system interpreter by itself: that must be
/// asked for (`--python`, `--system`).
pub fn find_environment(
    venv: Option<&Path>,
    python: Option<&PythonRequest>,
    cache: &Cache,
) -> Result<Interpreter, InterpreterError> {
    if let Some(venv) = venv {
        return venv_interpreter(venv, Some("given with --venv"), cache);
    }
    if let Some(python) = python {
        return find_interpreter(python, cache);
    }
    if let Some(venv) = active_venv() {
        return venv_interpreter(&venv, Some("from $VIRTUAL_ENV"), cache);
    }
    let cwd = std::env::current_dir()?;
    match nearest_dot_venv(&cwd) {
        Some(venv) => venv_interpreter(&venv, None, cache),
        None => Err(InterpreterError::NoEnvironment { cwd }),
    }
}

/// Every interpreter that discovery can see, in search order (for `wharf python list`).
/// Interpreters that cannot be used are reported as errors rather than skipped.
pub fn discover_all(
    cache: &Cache,
) -> impl Iterator<Item = Result<Interpreter, InterpreterError>> + '_ {
    candidates(None)
        .into_iter()
        .map(move |candidate| Interpreter::query(&candidate.path, cache))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_directories_are_recognised() {
        assert!(is_shim_dir(Path::new("/home/user/.pyenv/shims")));
        assert!(is_shim_dir(Path::new(
            "/home/user/.pyenv/plugins/pyenv-virtualenv/shims"
        )));
        assert!(!is_shim_dir(Path::new("/usr/bin")));
        assert!(!is_shim_dir(Path::new("/opt/shims-not")));
    }

    #[test]
    fn python_names_in_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "python3",
            "python3.9",
            "python3.12",
            "python3-config",
            "pythonx",
        ] {
            fs_err::write(dir.path().join(name), "").unwrap();
        }
        let found: Vec<String> = pythons_in_dir(dir.path(), None)
            .iter()
            .map(|path| path.file_name().unwrap().to_string_lossy().to_string())
            .collect();
        assert_eq!(found, ["python3", "python3.12", "python3.9"]);
        assert_eq!(
            pythons_in_dir(dir.path(), Some("python3.9")),
            [dir.path().join("python3.9")]
        );
        assert!(pythons_in_dir(dir.path(), Some("python3.8")).is_empty());
    }

    #[test]
    fn nearest_dot_venv_walks_up() {
        let dir = tempfile::tempdir().unwrap();
        let venv = dir.path().join(".venv");
        fs_err::create_dir_all(&venv).unwrap();
        fs_err::write(venv.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        let deep = dir.path().join("a/b/c");
        fs_err::create_dir_all(&deep).unwrap();
        assert_eq!(nearest_dot_venv(&deep), Some(venv));
        // A `.venv` directory that is not a venv is not taken.
        let other = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(other.path().join(".venv")).unwrap();
        assert_eq!(nearest_dot_venv(other.path()), None);
    }
}
