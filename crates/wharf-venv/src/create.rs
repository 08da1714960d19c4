//! Create a PEP 405 virtual environment from a described base interpreter, without
//! running Python: every path is computed from the base's probe, so creation takes
//! milliseconds.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use tracing::{debug, warn};
use wharf_interpreter::{Interpreter, Scheme};

use crate::activate::Shell;
use crate::error::VenvError;

/// How to create a virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenvOptions {
    /// The name shown in the shell prompt when activated; defaults to the directory's
    /// name. `.` means the name of the current directory, as with `python -m venv`.
    pub prompt: Option<String>,
    /// Let the environment see the base interpreter's site-packages.
    pub system_site_packages: bool,
    /// Remove everything already in the directory first.
    pub clear: bool,
    /// Link the interpreter rather than copying it (the default on Unix).
    pub symlinks: bool,
    /// Keep what is already in the directory (an existing environment is updated in place
    /// rather than replaced; a non-empty directory is written into).
    pub allow_existing: bool,
}

impl Default for VenvOptions {
    fn default() -> Self {
        Self {
            prompt: None,
            system_site_packages: false,
            clear: false,
            symlinks: cfg!(unix),
            allow_existing: false,
        }
    }
}

/// A created virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venv {
    /// The environment's directory.
    pub root: PathBuf,
    /// The environment's interpreter, described from the base without running it.
    pub interpreter: Interpreter,
}

/// The directory names of a virtual environment on this platform.
struct Layout {
    bin: PathBuf,
    bin_name: &'static str,
    purelib: PathBuf,
    platlib: PathBuf,
}

impl Layout {
    fn new(root: &Path, base: &Interpreter) -> Self {
        if cfg!(windows) {
            let site_packages = root.join("Lib").join("site-packages");
            return Self {
                bin: root.join("Scripts"),
                bin_name: "Scripts",
                purelib: site_packages.clone(),
                platlib: site_packages,
            };
        }
        let (major, minor) = base.python_version;
        let thread_suffix = if base.gil_disabled { "t" } else { "" };
        let name = if base.implementation_name == "pypy" {
            format!("pypy{major}.{minor}")
        } else {
            format!("python{major}.{minor}{thread_suffix}")
        };
        let platlibdir = if base.platlibdir.is_empty() {
            "lib"
        } else {
            base.platlibdir.as_str()
        };
        Self {
            bin: root.join("bin"),
            bin_name: "bin",
            purelib: root.join("lib").join(&name).join("site-packages"),
            platlib: root.join(platlibdir).join(&name).join("site-packages"),
        }
    }
}

/// Removes what a failed creation made, so that a failure leaves the directory as it was
/// (or absent, when it did not exist).
struct Rollback {
    root: PathBuf,
    created_root: bool,
    existing: HashSet<OsString>,
    done: bool,
}

impl Rollback {
    fn commit(mut self) {
        self.done = true;
    }
}

impl Drop for Rollback {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if self.created_root {
            let _ = fs_err::remove_dir_all(&self.root);
            return;
        }
        let Ok(entries) = fs_err::read_dir(&self.root) else {
            return;
        };
        for entry in entries.flatten() {
            if !self.existing.contains(&entry.file_name()) {
                let _ = remove_entry(&entry.path());
            }
        }
    }
}

/// Remove a file, a symlink (without following it) or a directory tree.
fn remove_entry(path: &Path) -> std::io::Result<()> {
    if fs_err::symlink_metadata(path)?.is_dir() {
        fs_err::remove_dir_all(path)
    } else {
        fs_err::remove_file(path)
    }
}

/// Why clearing `root` would destroy something it must not, if it would.
fn clear_refusal(root: &Path, base: &Interpreter, is_venv: bool) -> Option<String> {
    let canonical = fs_err::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if canonical.parent().is_none() {
        return Some("it is the root directory".to_string());
    }
    if std::env::home_dir().is_some_and(|home| canonical == home) {
        return Some("it is the home directory".to_string());
    }
    // A virtual environment's own prefix is not an installation to protect: replacing the
    // environment `base` runs from is how `wharf venv` recreates `.venv` when discovery
    // found `.venv/bin/python` first (the new one is made from the interpreter behind it).
    let prefixes = if base.is_virtualenv {
        vec![&base.base_prefix]
    } else {
        vec![&base.base_prefix, &base.prefix]
    };
    for interpreter_dir in prefixes {
        let interpreter_dir =
            fs_err::canonicalize(interpreter_dir).unwrap_or_else(|_| interpreter_dir.clone());
        if interpreter_dir.starts_with(&canonical) {
            return Some(format!(
                "it contains the base interpreter's installation {}",
                interpreter_dir.display()
            ));
        }
    }
    // A project directory holding the working directory is never a venv by accident.
    if !is_venv && let Ok(cwd) = std::env::current_dir() {
        let cwd = fs_err::canonicalize(&cwd).unwrap_or(cwd);
        if cwd.starts_with(&canonical) {
            return Some("it contains the current directory".to_string());
        }
    }
    None
}

/// Make `root` an empty (or, with `allow_existing`, kept) directory. Returns whether it
/// was created and the names already in it.
fn prepare_root(
    root: &Path,
    base: &Interpreter,
    options: &VenvOptions,
) -> Result<(bool, HashSet<OsString>), VenvError> {
    let metadata = match fs_err::metadata(root) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            fs_err::create_dir_all(root)?;
            return Ok((true, HashSet::new()));
        }
        Err(err) => return Err(err.into()),
    };
    if !metadata.is_dir() {
        return Err(VenvError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    let names: HashSet<OsString> = fs_err::read_dir(root)?
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect::<Result<_, _>>()?;
    if names.is_empty() {
        return Ok((false, names));
    }
    let is_venv = root.join("pyvenv.cfg").is_file();
    // An existing environment is replaced (as uv does) unless asked to keep it; any other
    // directory is only emptied on request.
    let clear = options.clear || (is_venv && !options.allow_existing);
    if !clear {
        if options.allow_existing {
            return Ok((false, names));
        }
        return Err(VenvError::NotEmpty {
            path: root.to_path_buf(),
        });
    }
    if let Some(reason) = clear_refusal(root, base, is_venv) {
        return Err(VenvError::RefuseToClear {
            path: root.to_path_buf(),
            reason,
        });
    }
    if is_venv && !options.clear {
        warn!(
            "replacing the existing virtual environment at {}",
            root.display()
        );
    }
    for name in &names {
        remove_entry(&root.join(name))?;
    }
    Ok((false, HashSet::new()))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link).map_err(|err| {
        std::io::Error::new(
            err.kind(),
            format!(
                "failed to link {} to {}: {err}",
                link.display(),
                target.display()
            ),
        )
    })
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    let target = link
        .parent()
        .map_or(target.to_path_buf(), |dir| dir.join(target));
    fs_err::copy(&target, link).map(|_| ())
}

/// Replace whatever is at `path` (a stale link from an environment kept in place).
fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match fs_err::symlink_metadata(path) {
        Ok(_) => remove_entry(path),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

/// Whether `path` starts with `#!`: a wrapper script (a pyenv shim), not an interpreter.
fn is_script(path: &Path) -> bool {
    use std::io::Read;
    let mut prefix = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut prefix))
        .is_ok_and(|()| &prefix == b"#!")
}

/// The interpreter names in `bin`: the first is the link to the base interpreter, the
/// others point at it.
fn executable_names(base: &Interpreter) -> Vec<String> {
    let (major, minor) = base.python_version;
    if cfg!(windows) {
        return vec!["python.exe".to_string(), "pythonw.exe".to_string()];
    }
    let mut names = vec![
        "python".to_string(),
        format!("python{major}"),
        format!("python{major}.{minor}"),
    ];
    if base.implementation_name == "pypy" {
        names.extend([
            "pypy".to_string(),
            format!("pypy{major}"),
            format!("pypy{major}.{minor}"),
        ]);
    }
    names
}

fn link_interpreter(
    bin: &Path,
    base_executable: &Path,
    base: &Interpreter,
    options: &VenvOptions,
) -> Result<(), VenvError> {
    let names = executable_names(base);
    for (index, name) in names.iter().enumerate() {
        let link = bin.join(name);
        remove_if_present(&link)?;
        if cfg!(windows) {
            // Windows venvs need the interpreter's own launchers next to their DLLs; the
            // best we can do without them is a copy of each executable.
            let source = base_executable.with_file_name(name);
            if source.is_file() {
                fs_err::copy(&source, &link)?;
            }
            continue;
        }
        if options.symlinks {
            if index == 0 {
                symlink(base_executable, &link)?;
            } else {
                symlink(Path::new(&names[0]), &link)?;
            }
        } else {
            fs_err::copy(base_executable, &link)?;
        }
    }
    Ok(())
}

/// The command line that created the environment, for `pyvenv.cfg`.
fn command_line() -> String {
    std::env::args()
        .map(|arg| {
            if !arg.is_empty()
                && arg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,".contains(c))
            {
                arg
            } else {
                format!("'{}'", arg.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn pyvenv_cfg(
    base: &Interpreter,
    base_executable: &Path,
    options: &VenvOptions,
    prompt: Option<&str>,
) -> String {
    let home = base_executable.parent().unwrap_or(Path::new("/"));
    let resolved =
        fs_err::canonicalize(base_executable).unwrap_or_else(|_| base_executable.to_path_buf());
    let mut cfg = String::new();
    cfg.push_str(&format!("home = {}\n", home.display()));
    cfg.push_str(&format!(
        "implementation = {}\n",
        base.markers.platform_python_implementation()
    ));
    cfg.push_str(&format!("version = {}\n", base.version));
    cfg.push_str(&format!("version_info = {}\n", base.version));
    cfg.push_str(&format!(
        "include-system-site-packages = {}\n",
        options.system_site_packages
    ));
    cfg.push_str(&format!("executable = {}\n", resolved.display()));
    cfg.push_str(&format!("command = {}\n", command_line()));
    cfg.push_str(&format!("wharf = {}\n", env!("CARGO_PKG_VERSION")));
    if let Some(prompt) = prompt {
        cfg.push_str(&format!("prompt = {prompt}\n"));
    }
    cfg
}

/// A site directory (`site-packages`, Debian's `dist-packages`), as opposed to the
/// standard library's entries of `sys.path`.
fn is_site_dir(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == "site-packages" || name == "dist-packages")
}

/// The environment's interpreter, as its probe would describe it.
fn describe(
    root: &Path,
    layout: &Layout,
    base: &Interpreter,
    base_executable: &Path,
    options: &VenvOptions,
) -> Interpreter {
    let executable = if cfg!(windows) {
        layout.bin.join("python.exe")
    } else {
        layout.bin.join("python")
    };
    let (stdlib_path, base_site): (Vec<PathBuf>, Vec<PathBuf>) = base
        .sys_path
        .iter()
        .cloned()
        .partition(|entry| !is_site_dir(entry));
    let mut sys_path = stdlib_path;
    // `site` adds the platform library directory first when it differs (lib64).
    if layout.platlib != layout.purelib {
        sys_path.push(layout.platlib.clone());
    }
    sys_path.push(layout.purelib.clone());
    if options.system_site_packages && !base.is_virtualenv {
        sys_path.extend(base_site);
    }
    Interpreter {
        executable,
        base_executable: base_executable.to_path_buf(),
        prefix: root.to_path_buf(),
        base_prefix: base.base_prefix.clone(),
        base_exec_prefix: base.base_exec_prefix.clone(),
        version: base.version.clone(),
        python_version: base.python_version,
        implementation_name: base.implementation_name.clone(),
        markers: base.markers.clone(),
        platform: base.platform.clone(),
        manylinux_compatible: base.manylinux_compatible,
        gil_disabled: base.gil_disabled,
        debug_enabled: base.debug_enabled,
        platlibdir: base.platlibdir.clone(),
        scheme: Scheme {
            purelib: layout.purelib.clone(),
            platlib: layout.platlib.clone(),
            scripts: layout.bin.clone(),
            data: root.to_path_buf(),
            // Headers come from the installation the environment is made from.
            include: base.scheme.include.clone(),
        },
        sys_path,
        stdlib: base.stdlib.clone(),
        is_virtualenv: true,
        externally_managed: None,
        pointer_size_64: base.pointer_size_64,
    }
}

/// Create a virtual environment at `path` for the `base` interpreter.
///
/// When `base` is itself a virtual environment, the new one is made from the interpreter
/// behind it. If creation fails part-way, what it made is removed.
pub fn create_venv(
    path: &Path,
    base: &Interpreter,
    options: &VenvOptions,
) -> Result<Venv, VenvError> {
    let root = std::path::absolute(path)?;
    let base_executable = std::path::absolute(&base.base_executable)?;
    if !base_executable.is_file() {
        return Err(VenvError::BaseInterpreter {
            path: base_executable,
            message: "it does not exist".to_string(),
        });
    }
    if is_script(&base_executable) {
        return Err(VenvError::BaseInterpreter {
            path: base_executable,
            message: "it is a script (a shim?), not an interpreter binary; query the interpreter it runs instead".to_string(),
        });
    }

    let (created_root, existing) = prepare_root(&root, base, options)?;
    let rollback = Rollback {
        root: root.clone(),
        created_root,
        existing,
        done: false,
    };
    debug!(
        "creating a virtual environment at {} for {}",
        root.display(),
        base_executable.display()
    );

    let layout = Layout::new(&root, base);
    fs_err::create_dir_all(&layout.bin)?;
    let lib64 = root.join("lib64");
    let linux_like = cfg!(unix) && !cfg!(target_os = "macos");
    if linux_like && base.pointer_size_64 && fs_err::symlink_metadata(&lib64).is_err() {
        symlink(Path::new("lib"), &lib64)?;
    }
    fs_err::create_dir_all(&layout.purelib)?;
    fs_err::create_dir_all(&layout.platlib)?;
    link_interpreter(&layout.bin, &base_executable, base, options)?;

    let prompt = match options.prompt.as_deref() {
        Some(".") => std::env::current_dir()?
            .file_name()
            .map(|name| name.to_string_lossy().to_string()),
        Some(prompt) => Some(prompt.to_string()),
        None => None,
    };
    let shown_prompt = prompt.clone().unwrap_or_else(|| {
        root.file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().to_string())
    });
    for shell in Shell::ALL {
        let script = shell.render(&root, layout.bin_name, &shown_prompt);
        fs_err::write(layout.bin.join(shell.file_name()), script)?;
    }

    // Tools that walk the tree (git, backups) should skip the environment, as uv does.
    fs_err::write(root.join(".gitignore"), "*\n")?;
    // pyvenv.cfg last: its presence is what makes the directory a virtual environment.
    fs_err::write(
        root.join("pyvenv.cfg"),
        pyvenv_cfg(base, &base_executable, options, prompt.as_deref()),
    )?;

    let interpreter = describe(&root, &layout, base, &base_executable, options);
    rollback.commit();
    Ok(Venv { root, interpreter })
}
