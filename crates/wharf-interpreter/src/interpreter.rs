//! One interpreter, described by running a small probe script once and caching its answer.
//!
//! The cache entry is keyed on the path we invoked, the file it resolves to and that
//! file's modification time and size (a reinstalled or upgraded interpreter re-probes),
//! plus the venv's `pyvenv.cfg` (whose `include-system-site-packages` changes `sys.path`)
//! and the probe script itself. A corrupt entry is ignored and rewritten.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use tracing::{debug, warn};
use wharf_cache::{Bucket, Cache};
use wharf_filename::{Platform, Tags, TagsOptions};
use wharf_pep::{MarkerEnvironment, Version};

use crate::error::InterpreterError;
use crate::platform::PlatformFacts;

/// The probe script; it prints one JSON object describing the interpreter that runs it.
const PROBE: &str = include_str!("probe.py");

/// Where an environment's files go (`sysconfig.get_paths()` of the interpreter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// Pure-Python packages.
    pub purelib: PathBuf,
    /// Packages with extension modules.
    pub platlib: PathBuf,
    /// Console scripts.
    pub scripts: PathBuf,
    /// The root for a wheel's `.data/data` files.
    pub data: PathBuf,
    /// C headers.
    pub include: PathBuf,
}

/// A Python interpreter and everything wharf needs to know about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpreter {
    /// The path the interpreter was run by, absolute, with symlinks kept (a venv's
    /// `bin/python` stays that, it does not become the base interpreter).
    pub executable: PathBuf,
    /// The real interpreter behind a virtual environment (itself when not a venv).
    pub base_executable: PathBuf,
    /// `sys.prefix`.
    pub prefix: PathBuf,
    /// `sys.base_prefix`.
    pub base_prefix: PathBuf,
    /// `sys.base_exec_prefix`.
    pub base_exec_prefix: PathBuf,
    /// The full Python version, e.g. `3.11.7` or `3.13.0rc1`.
    pub version: Version,
    /// `(major, minor)`.
    pub python_version: (u8, u8),
    /// `sys.implementation.name`: `cpython`, `pypy`, `graalpy`.
    pub implementation_name: String,
    /// The PEP 508 marker environment.
    pub markers: MarkerEnvironment,
    /// The platform wheels are selected for.
    pub platform: Platform,
    /// Whether the platform's distributor allows manylinux wheels (PEP 600 `_manylinux`).
    pub manylinux_compatible: bool,
    /// A free-threaded build (PEP 703).
    pub gil_disabled: bool,
    /// A debug build (`Py_DEBUG`).
    pub debug_enabled: bool,
    /// `sys.platlibdir` (`lib`, or `lib64` on some distributions).
    pub platlibdir: String,
    /// Where packages go (for a venv: the venv's paths).
    pub scheme: Scheme,
    /// `sys.path`, without the empty entry.
    pub sys_path: Vec<PathBuf>,
    /// The standard library directory.
    pub stdlib: PathBuf,
    /// `sys.prefix != sys.base_prefix`.
    pub is_virtualenv: bool,
    /// PEP 668: the `Error` message of `EXTERNALLY-MANAGED`, when the interpreter is
    /// managed by a distributor (never set for a virtual environment).
    pub externally_managed: Option<String>,
    /// A 64-bit interpreter.
    pub pointer_size_64: bool,
}

/// What the probe prints on success.
#[derive(Debug, Deserialize)]
struct ProbeOutput {
    executable: PathBuf,
    base_executable: PathBuf,
    prefix: PathBuf,
    base_prefix: PathBuf,
    base_exec_prefix: PathBuf,
    version: String,
    implementation_name: String,
    markers: MarkerEnvironment,
    platform: PlatformFacts,
    gil_disabled: bool,
    debug_enabled: bool,
    platlibdir: String,
    scheme: Scheme,
    sys_path: Vec<PathBuf>,
    stdlib: PathBuf,
    externally_managed: Option<String>,
    pointer_size_64: bool,
}

/// What the probe prints when it refuses the interpreter.
#[derive(Debug, Deserialize)]
struct ProbeRefusal {
    message: String,
}

/// Identifies the interpreter binary a cache entry was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CacheKey {
    executable: PathBuf,
    canonical: PathBuf,
    modified_ns: u128,
    size: u64,
    pyvenv_cfg_modified_ns: Option<u128>,
    probe: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct CacheEntry {
    key: CacheKey,
    interpreter: Interpreter,
}

fn modified_ns(metadata: &std::fs::Metadata) -> u128 {
    metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |duration| duration.as_nanos())
}

/// Whether `path` is a script rather than a binary (a pyenv or asdf shim, a wrapper):
/// such a file may run a different interpreter each time, so its answer is not cached.
pub(crate) fn is_script(path: &Path) -> bool {
    let mut prefix = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut prefix))
        .is_ok_and(|()| &prefix == b"#!")
}

#[cfg(unix)]
fn is_executable(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_metadata: &std::fs::Metadata) -> bool {
    true
}

/// What a cached description is valid for: the binary (and a venv's `pyvenv.cfg`) as
/// they were when probed, and the probe script itself.
fn cache_key(
    executable: &Path,
    metadata: &std::fs::Metadata,
) -> Result<CacheKey, InterpreterError> {
    Ok(CacheKey {
        canonical: fs_err::canonicalize(executable)?,
        modified_ns: modified_ns(metadata),
        size: metadata.len(),
        pyvenv_cfg_modified_ns: executable
            .parent()
            .and_then(Path::parent)
            .and_then(|root| std::fs::metadata(root.join("pyvenv.cfg")).ok())
            .map(|metadata| modified_ns(&metadata)),
        probe: wharf_cache::digest(PROBE),
        executable: executable.to_path_buf(),
    })
}

/// Where the description of `executable` is cached.
fn entry_path(cache: &Cache, executable: &Path) -> Option<PathBuf> {
    match cache.bucket(Bucket::Interpreter) {
        Ok(bucket) => Some(bucket.join(format!(
            "{}.json",
            wharf_cache::digest(&executable.to_string_lossy())
        ))),
        Err(err) => {
            warn!("interpreter cache unavailable: {err}");
            None
        }
    }
}

impl Interpreter {
    /// Describe the interpreter at `executable`, from the cache when the binary has not
    /// changed since it was last probed.
    pub fn query(executable: &Path, cache: &Cache) -> Result<Self, InterpreterError> {
        let executable = std::path::absolute(executable)?;
        let metadata = match std::fs::metadata(&executable) {
            Ok(metadata) => metadata,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(InterpreterError::Missing { path: executable });
            }
            Err(err) => {
                return Err(std::io::Error::new(
                    err.kind(),
                    format!("failed to read {}: {err}", executable.display()),
                )
                .into());
            }
        };
        if !metadata.is_file() || !is_executable(&metadata) {
            return Err(InterpreterError::NotExecutable { path: executable });
        }
        if is_script(&executable) {
            debug!(
                "{} is a script (a shim?): probing without cache",
                executable.display()
            );
            let (mut interpreter, reported) = Self::probe(&executable)?;
            // The script is not the interpreter; what it ran is.
            interpreter.executable = reported;
            return Ok(interpreter);
        }

        let key = cache_key(&executable, &metadata)?;
        let entry_path = entry_path(cache, &executable);
        if let Some(entry_path) = &entry_path
            && let Ok(text) = std::fs::read(entry_path)
        {
            match serde_json::from_slice::<CacheEntry>(&text) {
                Ok(entry) if entry.key == key => {
                    debug!("interpreter {} from cache", executable.display());
                    return Ok(entry.interpreter);
                }
                Ok(_) => debug!("interpreter {} changed: re-probing", executable.display()),
                Err(err) => debug!(
                    "ignoring unreadable cache entry {}: {err}",
                    entry_path.display()
                ),
            }
        }

        let (interpreter, _) = Self::probe(&executable)?;
        if let Some(entry_path) = &entry_path {
            let entry = CacheEntry {
                key,
                interpreter: interpreter.clone(),
            };
            let written = serde_json::to_vec(&entry)
                .map_err(std::io::Error::other)
                .map_err(wharf_cache::CacheError::from)
                .and_then(|json| wharf_cache::write_atomic(entry_path, &json));
            if let Err(err) = written {
                warn!("could not cache the interpreter description: {err}");
            }
        }
        Ok(interpreter)
    }

    /// Store this description in the cache as if `query` had probed it, so that the first
    /// command on a new virtual environment need not start Python. Only for descriptions
    /// computed exactly (see `wharf-venv`).
    pub fn remember(&self, cache: &Cache) -> Result<(), InterpreterError> {
        let executable = std::path::absolute(&self.executable)?;
        let metadata = fs_err::metadata(&executable)?;
        let key = cache_key(&executable, &metadata)?;
        let Some(entry_path) = entry_path(cache, &executable) else {
            return Ok(());
        };
        let entry = CacheEntry {
            key,
            interpreter: self.clone(),
        };
        serde_json::to_vec(&entry)
            .map_err(std::io::Error::other)
            .map_err(wharf_cache::CacheError::from)
            .and_then(|json| wharf_cache::write_atomic(&entry_path, &json))
            .map_err(|err| std::io::Error::other(err.to_string()))?;
        Ok(())
    }

    /// Run the probe script with `executable` (no cache). Returns the description and
    /// `sys.executable` as the interpreter reported it.
    fn probe(executable: &Path) -> Result<(Self, PathBuf), InterpreterError> {
        debug!("probing {}", executable.display());
        // `-I` keeps PYTHONPATH, the user site and the working directory out of the answer;
        // `-S` is not used because `sys.path` must include site-packages.
        let output = Command::new(executable)
            .arg("-I")
            .arg("-c")
            .arg(PROBE)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| InterpreterError::Spawn {
                path: executable.to_path_buf(),
                source,
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(InterpreterError::ProbeFailed {
                path: executable.to_path_buf(),
                status: output.status.to_string(),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
            });
        }
        let output_error = |message: String| InterpreterError::ProbeOutput {
            path: executable.to_path_buf(),
            message,
            output: stdout.chars().take(2000).collect(),
        };
        let value: serde_json::Value = serde_json::from_str(stdout.trim())
            .map_err(|err| output_error(format!("invalid JSON: {err}")))?;
        if value.get("result").and_then(serde_json::Value::as_str) != Some("success") {
            let refusal: ProbeRefusal = serde_json::from_value(value)
                .map_err(|err| output_error(format!("invalid JSON: {err}")))?;
            return Err(InterpreterError::Unsupported {
                path: executable.to_path_buf(),
                message: refusal.message,
            });
        }
        let probe: ProbeOutput = serde_json::from_value(value)
            .map_err(|err| output_error(format!("unexpected JSON: {err}")))?;
        from_probe(executable, probe)
    }

    /// The interpreter's compatible wheel tags, most specific first.
    pub fn tags(&self) -> Result<Tags, InterpreterError> {
        let implementation_version = {
            let release = self.markers.implementation_version().version.release();
            let major = release.first().copied().unwrap_or(0);
            let minor = release.get(1).copied().unwrap_or(0);
            (
                u8::try_from(major).unwrap_or(u8::MAX),
                u8::try_from(minor).unwrap_or(u8::MAX),
            )
        };
        let options = TagsOptions {
            manylinux_compatible: self.manylinux_compatible,
            gil_disabled: self.gil_disabled,
            debug_enabled: self.debug_enabled,
            is_cross: false,
        };
        Tags::from_env(
            self.platform.clone(),
            self.python_version,
            &self.implementation_name,
            implementation_version,
            options,
        )
        .map_err(|source| InterpreterError::Tags {
            path: self.executable.clone(),
            source,
        })
    }

    /// Where packages are installed (`purelib`).
    pub fn site_packages(&self) -> &Path {
        &self.scheme.purelib
    }

    /// `X.Y` as written in directory names (`python3.12`, `python3.13t` when free-threaded).
    pub fn python_dir_name(&self) -> String {
        let (major, minor) = self.python_version;
        let suffix = if self.gil_disabled { "t" } else { "" };
        format!("python{major}.{minor}{suffix}")
    }
}

/// Build the description from the probe's answer.
fn from_probe(
    executable: &Path,
    probe: ProbeOutput,
) -> Result<(Interpreter, PathBuf), InterpreterError> {
    let unsupported = |message: String| InterpreterError::Unsupported {
        path: executable.to_path_buf(),
        message,
    };
    let version: Version = probe
        .version
        .parse()
        .map_err(|err| unsupported(format!("invalid version `{}`: {err}", probe.version)))?;
    let python_version = {
        let release = version.release();
        let part = |index: usize| {
            release
                .get(index)
                .and_then(|part| u8::try_from(*part).ok())
                .unwrap_or(0)
        };
        (part(0), part(1))
    };
    let platform = probe
        .platform
        .to_platform(probe.pointer_size_64)
        .map_err(unsupported)?;
    let is_virtualenv = probe.prefix != probe.base_prefix;
    let interpreter = Interpreter {
        executable: executable.to_path_buf(),
        base_executable: probe.base_executable,
        prefix: probe.prefix,
        base_prefix: probe.base_prefix,
        base_exec_prefix: probe.base_exec_prefix,
        version,
        python_version,
        implementation_name: probe.implementation_name,
        markers: probe.markers,
        platform,
        manylinux_compatible: probe.platform.manylinux_compatible.unwrap_or(true),
        gil_disabled: probe.gil_disabled,
        debug_enabled: probe.debug_enabled,
        platlibdir: probe.platlibdir,
        scheme: probe.scheme,
        sys_path: probe.sys_path,
        stdlib: probe.stdlib,
        is_virtualenv,
        externally_managed: if is_virtualenv {
            None
        } else {
            probe.externally_managed
        },
        pointer_size_64: probe.pointer_size_64,
    };
    Ok((interpreter, probe.executable))
}
