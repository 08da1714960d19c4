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

/// The process state discovery reads, captured once so that tests can supply their own.
#[derive(Debug, Clone)]
pub(crate) struct SearchEnvironment {
    /// `$VIRTUAL_ENV`.
    virtual_env: Option<PathBuf>,
    /// Where the `.venv` search starts.
    cwd: Option<PathBuf>,
    /// `$PATH`.
    search_path: Option<std::ffi::OsString>,
    /// `$PYENV_ROOT`, else `~/.pyenv`.
    pyenv_root: Option<PathBuf>,
    /// `$PYENV_VERSION`.
    pyenv_version: Option<String>,
}

impl SearchEnvironment {
    pub(crate) fn from_process() -> Self {
        Self {
            virtual_env: std::env::var_os("VIRTUAL_ENV")
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
            cwd: std::env::current_dir().ok(),
            search_path: std::env::var_os("PATH"),
            pyenv_root: std::env::var_os("PYENV_ROOT")
                .filter(|value| !value.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::home_dir().map(|home| home.join(".pyenv"))),
            pyenv_version: std::env::var("PYENV_VERSION")
                .ok()
                .filter(|value| !value.is_empty()),
        }
    }
}

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

/// The nearest `.venv` directory holding a virtual environment, from `start` upwards.
fn nearest_dot_venv(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(".venv"))
        .find(|dir| is_venv(dir))
}

/// A directory of shims (pyenv, pyenv-virtualenv, asdf), which is skipped.
fn is_shim_dir(dir: &Path, pyenv_root: Option<&Path>) -> bool {
    if dir.file_name().is_none_or(|name| name != "shims") {
        return false;
    }
    if let Some(root) = pyenv_root
        && dir.starts_with(root)
    {
        return true;
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
                && entry.path().is_file()
            {
                minors.push((minor, entry.path()));
            }
        }
    }
    minors.sort_by_key(|(minor, _)| std::cmp::Reverse(*minor));
    found.extend(minors.into_iter().map(|(_, path)| path));
    found
}

/// pyenv's installed versions, newest first (names that are not versions, such as
/// `miniconda3-latest`, after them).
fn pyenv_versions(root: Option<&Path>) -> Vec<PathBuf> {
    let Some(root) = root else {
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

/// The `bin` directories of the versions pyenv selects, as its shims would: `$PYENV_VERSION`,
/// else the nearest `.python-version`, else `$PYENV_ROOT/version`. `system` selects none.
fn pyenv_selected(environment: &SearchEnvironment) -> Vec<PathBuf> {
    let Some(root) = environment.pyenv_root.as_deref() else {
        return Vec::new();
    };
    let from_file = |path: &Path| fs_err::read_to_string(path).ok();
    let text = environment
        .pyenv_version
        .clone()
        .map(|value| value.replace(':', "\n"))
        .or_else(|| {
            environment.cwd.as_deref().and_then(|cwd| {
                cwd.ancestors()
                    .find_map(|dir| from_file(&dir.join(".python-version")))
            })
        })
        .or_else(|| from_file(&root.join("version")));
    let Some(text) = text else {
        return Vec::new();
    };
    text.split(['\n', ' '])
        .map(str::trim)
        .filter(|version| !version.is_empty() && !version.starts_with('#') && *version != "system")
        .map(|version| root.join("versions").join(version).join("bin"))
        .filter(|bin| bin.is_dir())
        .collect()
}

/// Every candidate, in search order, without duplicates. With `name`, only executables
/// of that name on PATH and in pyenv versions.
fn candidates(environment: &SearchEnvironment, name: Option<&str>) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    if name.is_none() {
        if let Some(venv) = &environment.virtual_env
            && let Some(path) = python_in(venv)
        {
            candidates.push(Candidate {
                path,
                source: Source::ActiveVenv,
            });
        }
        if let Some(venv) = environment.cwd.as_deref().and_then(nearest_dot_venv)
            && let Some(path) = python_in(&venv)
        {
            candidates.push(Candidate {
                path,
                source: Source::LocalVenv,
            });
        }
    }
    let pyenv_root = environment.pyenv_root.as_deref();
    if let Some(search_path) = &environment.search_path {
        for dir in std::env::split_paths(search_path) {
            if dir.as_os_str().is_empty() {
                continue;
            }
            if is_shim_dir(&dir, pyenv_root) {
                // The shims would run the version pyenv selects: take that version's
                // interpreters here, in PATH order, without running the shell scripts.
                for bin in pyenv_selected(environment) {
                    for path in pythons_in_dir(&bin, name) {
                        candidates.push(Candidate {
                            path,
                            source: Source::SearchPath,
                        });
                    }
                }
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
    for version in pyenv_versions(pyenv_root) {
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

    fn lines(self, environment: &SearchEnvironment) -> Vec<String> {
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
                Source::ActiveVenv if environment.virtual_env.is_none() => "not set".to_string(),
                Source::Pyenv => match &environment.pyenv_root {
                    None => "not set up ($PYENV_ROOT unset, no home directory)".to_string(),
                    Some(root) if found.is_empty() => {
                        format!("{}: none", root.join("versions").display())
                    }
                    Some(root) => {
                        format!("{}: {}", root.join("versions").display(), found.join(", "))
                    }
                },
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
    find_interpreter_in(request, cache, &SearchEnvironment::from_process())
}

/// [`find_interpreter`] with the process state given.
pub(crate) fn find_interpreter_in(
    request: &PythonRequest,
    cache: &Cache,
    environment: &SearchEnvironment,
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
    for candidate in candidates(environment, name) {
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
        searched: log.lines(environment),
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
/// asked for (`--python`).
pub fn find_environment(
    venv: Option<&Path>,
    python: Option<&PythonRequest>,
    cache: &Cache,
) -> Result<Interpreter, InterpreterError> {
    find_environment_in(venv, python, cache, &SearchEnvironment::from_process())
}

/// [`find_environment`] with the process state given.
pub(crate) fn find_environment_in(
    venv: Option<&Path>,
    python: Option<&PythonRequest>,
    cache: &Cache,
    environment: &SearchEnvironment,
) -> Result<Interpreter, InterpreterError> {
    if let Some(venv) = venv {
        return venv_interpreter(venv, Some("given with --venv"), cache);
    }
    if let Some(python) = python {
        return find_interpreter_in(python, cache, environment);
    }
    if let Some(venv) = &environment.virtual_env {
        return venv_interpreter(venv, Some("from $VIRTUAL_ENV"), cache);
    }
    let cwd = match &environment.cwd {
        Some(cwd) => cwd.clone(),
        None => std::env::current_dir()?,
    };
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
    candidates(&SearchEnvironment::from_process(), None)
        .into_iter()
        .map(move |candidate| Interpreter::query(&candidate.path, cache))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shim_directories_are_recognised() {
        let root = Some(Path::new("/opt/pyenv-root"));
        assert!(is_shim_dir(Path::new("/opt/pyenv-root/shims"), root));
        assert!(is_shim_dir(Path::new("/home/user/.pyenv/shims"), None));
        assert!(is_shim_dir(
            Path::new("/home/user/.pyenv/plugins/pyenv-virtualenv/shims"),
            root
        ));
        assert!(!is_shim_dir(Path::new("/usr/bin"), root));
        assert!(!is_shim_dir(Path::new("/opt/shims-not"), root));
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

    /// Real interpreters to point symlinks at: the pyenv versions installed.
    fn pyenv_binary(version_prefix: &str, name: &str) -> Option<PathBuf> {
        let root = SearchEnvironment::from_process().pyenv_root?;
        pyenv_versions(Some(&root))
            .into_iter()
            .filter(|dir| {
                dir.file_name()
                    .and_then(|name| name.to_str())
                    .and_then(|name| name.strip_prefix(version_prefix))
                    .is_some_and(|rest| rest.starts_with('.'))
            })
            .map(|dir| dir.join("bin").join(name))
            .find(|path| path.is_file())
    }

    fn isolated(dirs: &[&Path], pyenv_root: Option<PathBuf>, cwd: &Path) -> SearchEnvironment {
        // A pyenv root that does not exist, rather than none, so that the real one is
        // never searched.
        let pyenv_root = pyenv_root.or_else(|| Some(cwd.join("no-pyenv")));
        SearchEnvironment {
            virtual_env: None,
            cwd: Some(cwd.to_path_buf()),
            search_path: Some(std::env::join_paths(dirs).unwrap()),
            pyenv_root,
            pyenv_version: None,
        }
    }

    fn test_cache() -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path()).unwrap();
        (dir, cache)
    }

    #[cfg(unix)]
    #[test]
    fn discovery_on_path_through_symlinks() {
        let (Some(python312), Some(python311)) = (
            pyenv_binary("3.12", "python3.12"),
            pyenv_binary("3.11", "python3.11"),
        ) else {
            eprintln!("skipping: pyenv 3.11 and 3.12 are not both installed");
            return;
        };
        let (_cache_dir, cache) = test_cache();
        let bin = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(&python312, bin.path().join("python3.12")).unwrap();
        std::os::unix::fs::symlink(&python311, bin.path().join("python3.11")).unwrap();
        let environment = isolated(&[bin.path()], None, bin.path());

        let found = find_interpreter_in(&"3.12".parse().unwrap(), &cache, &environment).unwrap();
        assert_eq!(found.executable, bin.path().join("python3.12"));
        assert_eq!(found.python_version, (3, 12));

        let found =
            find_interpreter_in(&"python3.11".parse().unwrap(), &cache, &environment).unwrap();
        assert_eq!(found.executable, bin.path().join("python3.11"));

        let found = find_interpreter_in(&"cp311".parse().unwrap(), &cache, &environment).unwrap();
        assert_eq!(found.python_version, (3, 11));

        // Newest `python3.X` name first when nothing more specific is asked for.
        let found = find_interpreter_in(&PythonRequest::Any, &cache, &environment).unwrap();
        assert_eq!(found.python_version, (3, 12));

        let err = find_interpreter_in(&"3.99".parse().unwrap(), &cache, &environment).unwrap_err();
        let message = err.to_string();
        eprintln!("{message}");
        assert!(
            matches!(err, InterpreterError::NotFound { .. }),
            "{message}"
        );
        assert!(message.contains("Python ==3.99.*"), "{message}");
        assert!(message.contains("python3.12 (3.12"), "{message}");
        assert!(message.contains("$VIRTUAL_ENV"), "{message}");
        assert!(message.contains("pyenv"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn minor_request_prefers_highest_patch_but_ranges_take_the_first() {
        let system = Path::new("/usr/bin/python3.11");
        let Some(pyenv) = pyenv_binary("3.11", "python3.11") else {
            eprintln!("skipping: no pyenv 3.11");
            return;
        };
        if !system.is_file() {
            eprintln!("skipping: no /usr/bin/python3.11");
            return;
        }
        let (_cache_dir, cache) = test_cache();
        let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::os::unix::fs::symlink(system, first.path().join("python3.11")).unwrap();
        std::os::unix::fs::symlink(&pyenv, second.path().join("python3.11")).unwrap();
        let environment = isolated(&[first.path(), second.path()], None, first.path());
        let system_version = Interpreter::query(system, &cache).unwrap().version;
        let pyenv_version = Interpreter::query(&pyenv, &cache).unwrap().version;
        if system_version == pyenv_version {
            eprintln!("skipping: both are {system_version}");
            return;
        }
        let highest = system_version.clone().max(pyenv_version.clone());
        let found = find_interpreter_in(&"3.11".parse().unwrap(), &cache, &environment).unwrap();
        assert_eq!(found.version, highest);
        let found = find_interpreter_in(&">=3.11".parse().unwrap(), &cache, &environment).unwrap();
        assert_eq!(found.version, system_version);
    }

    /// Regression: with pyenv's shims first on PATH, `python3` means the version pyenv
    /// selects, not the next `python3` on PATH (Debian's, externally managed).
    #[cfg(unix)]
    #[test]
    fn shims_on_path_stand_for_the_pyenv_selected_version() {
        let Some(python312) = pyenv_binary("3.12", "python3.12") else {
            eprintln!("skipping: no pyenv 3.12");
            return;
        };
        let Some(other) = pyenv_binary("3.11", "python3.11") else {
            eprintln!("skipping: no pyenv 3.11");
            return;
        };
        let (_cache_dir, cache) = test_cache();
        let root = tempfile::tempdir().unwrap();
        let selected = root.path().join("versions/3.12.99/bin");
        fs_err::create_dir_all(&selected).unwrap();
        std::os::unix::fs::symlink(&python312, selected.join("python3")).unwrap();
        fs_err::write(root.path().join("version"), "3.12.99\n").unwrap();
        let shims = root.path().join("shims");
        fs_err::create_dir_all(&shims).unwrap();
        let later = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(&other, later.path().join("python3")).unwrap();
        let environment = isolated(
            &[&shims, later.path()],
            Some(root.path().to_path_buf()),
            root.path(),
        );
        let found = find_interpreter_in(&PythonRequest::Any, &cache, &environment).unwrap();
        assert_eq!(found.executable, selected.join("python3"));
        let pinned = SearchEnvironment {
            pyenv_version: Some("system".to_string()),
            ..environment
        };
        let found = find_interpreter_in(&PythonRequest::Any, &cache, &pinned).unwrap();
        assert_eq!(found.executable, later.path().join("python3"));
    }

    #[cfg(unix)]
    #[test]
    fn pyenv_versions_are_searched_and_shims_skipped() {
        let Some(python312) = pyenv_binary("3.12", "python3.12") else {
            eprintln!("skipping: no pyenv 3.12");
            return;
        };
        let (_cache_dir, cache) = test_cache();
        let root = tempfile::tempdir().unwrap();
        let version_bin = root.path().join("versions/3.12.99/bin");
        fs_err::create_dir_all(&version_bin).unwrap();
        std::os::unix::fs::symlink(&python312, version_bin.join("python3")).unwrap();
        // A shim that would fail if it were run.
        let shims = root.path().join("shims");
        fs_err::create_dir_all(&shims).unwrap();
        let shim = shims.join("python3.12");
        fs_err::write(&shim, "#!/bin/sh\nexit 1\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();

        let environment = isolated(&[&shims], Some(root.path().to_path_buf()), root.path());
        let found = find_interpreter_in(&"3.12".parse().unwrap(), &cache, &environment).unwrap();
        assert_eq!(found.executable, version_bin.join("python3"));
    }

    #[cfg(unix)]
    #[test]
    fn environment_selection() {
        let python = Path::new("/usr/bin/python3");
        if !python.is_file() {
            eprintln!("skipping: no /usr/bin/python3");
            return;
        }
        let (_cache_dir, cache) = test_cache();
        let project = tempfile::tempdir().unwrap();
        let nested = project.path().join("src/pkg");
        fs_err::create_dir_all(&nested).unwrap();

        // No environment anywhere: an error that says what to do, never a system Python.
        let empty = tempfile::tempdir().unwrap();
        let environment = isolated(&[Path::new("/usr/bin")], None, empty.path());
        let err = find_environment_in(None, None, &cache, &environment).unwrap_err();
        assert!(
            matches!(err, InterpreterError::NoEnvironment { .. }),
            "{err}"
        );

        let status = std::process::Command::new(python)
            .args(["-m", "venv", "--without-pip"])
            .arg(project.path().join(".venv"))
            .status()
            .unwrap();
        assert!(status.success());

        let environment = isolated(&[Path::new("/usr/bin")], None, &nested);
        let found = find_environment_in(None, None, &cache, &environment).unwrap();
        assert!(found.is_virtualenv);
        assert_eq!(found.prefix, project.path().join(".venv"));

        // `--venv` on a directory that is not one.
        let err = find_environment_in(Some(&nested), None, &cache, &environment).unwrap_err();
        assert!(
            matches!(err, InterpreterError::NotAVirtualEnvironment { .. }),
            "{err}"
        );

        // `$VIRTUAL_ENV` wins over `.venv`; a stale value is an error, not a fallback.
        let stale = SearchEnvironment {
            virtual_env: Some(empty.path().join("gone")),
            ..environment.clone()
        };
        let err = find_environment_in(None, None, &cache, &stale).unwrap_err();
        assert!(err.to_string().contains("$VIRTUAL_ENV"), "{err}");

        // `--python` selects an interpreter directly.
        let found = find_environment_in(
            None,
            Some(&PythonRequest::Path(python.to_path_buf())),
            &cache,
            &environment,
        )
        .unwrap();
        assert!(!found.is_virtualenv);

        // A venv directory as `--python`.
        let found = find_interpreter_in(
            &PythonRequest::Path(project.path().join(".venv")),
            &cache,
            &environment,
        )
        .unwrap();
        assert!(found.is_virtualenv);
    }
}
