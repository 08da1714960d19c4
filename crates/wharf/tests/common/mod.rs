//! Shared harness for CLI tests: an isolated home, cache and config per test, wharf run as
//! a real process, fixture wheels built in code and served from 127.0.0.1.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub use wharf_test_support::index::{IndexOptions, IndexServer};
pub use wharf_test_support::wheel::WheelBuilder;

/// A directory shared by the shards of one nextest run: `{prefix}{run id}` under `base`.
/// The first shard to get here creates it and runs `setup` in it; the others wait for
/// that to finish. Directories of earlier runs older than `max_age` are removed.
pub fn shared_run_dir(
    base: &Path,
    prefix: &str,
    max_age: std::time::Duration,
    setup: impl FnOnce(&Path),
) -> PathBuf {
    let run =
        std::env::var("NEXTEST_RUN_ID").unwrap_or_else(|_| format!("pid{}", std::process::id()));
    let root = base.join(format!("{prefix}{run}"));
    let ready = root.join("ready");
    if fs_err::create_dir_all(base).is_ok() && std::fs::create_dir(&root).is_ok() {
        for entry in fs_err::read_dir(base).into_iter().flatten().flatten() {
            let stale = entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > max_age);
            let ours = entry.file_name().to_string_lossy().starts_with(prefix);
            if entry.path() != root && ours && stale {
                let _ = fs_err::remove_dir_all(entry.path());
            }
        }
        setup(&root);
        fs_err::write(&ready, "").unwrap();
    } else {
        let start = std::time::Instant::now();
        while !ready.exists() {
            assert!(
                start.elapsed().as_secs() < 300,
                "another shard did not finish setting up {}",
                root.display()
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
    root
}

/// `live` tests over a list split into shards (each stays inside nextest's time limit and
/// shards run in parallel): `live_shards!(function, COUNT: name = 0, name = 1, …)` calls
/// `function(shard, COUNT)`.
#[allow(unused_macros)]
macro_rules! live_shards {
    ($function:ident, $count:literal: $($name:ident = $shard:literal),* $(,)?) => {
        $(
            #[test]
            #[ignore = "live: needs PyPI"]
            fn $name() {
                $function($shard, $count);
            }
        )*
    };
}

/// The Python the tests build environments with: the real `python3` behind any shim.
pub fn base_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let output = Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .expect("python3 must be installed to run wharf's tests");
        PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
    })
}

/// One test's world.
pub struct TestContext {
    /// The temporary root (removed on drop).
    pub temp: tempfile::TempDir,
    /// The working directory of commands.
    pub cwd: PathBuf,
    /// Where fixture wheels are written and served from.
    pub wheels: PathBuf,
    /// The cache directory.
    pub cache: PathBuf,
}

impl TestContext {
    /// A fresh context.
    pub fn new() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let cwd = temp.path().join("work");
        let wheels = temp.path().join("wheels");
        let cache = temp.path().join("cache");
        for dir in [&cwd, &wheels, &temp.path().join("home")] {
            fs_err::create_dir_all(dir).unwrap();
        }
        Self {
            temp,
            cwd,
            wheels,
            cache,
        }
    }

    /// `wharf` with an isolated environment.
    pub fn wharf(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wharf"));
        command
            .current_dir(&self.cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.temp.path().join("home"))
            .env("XDG_CONFIG_HOME", self.temp.path().join("home/.config"))
            .env("WHARF_CACHE_DIR", &self.cache)
            .env("NO_COLOR", "1")
            .env(
                "PYENV_ROOT",
                std::env::var_os("PYENV_ROOT").unwrap_or_else(|| {
                    Path::new(&std::env::var_os("HOME").unwrap_or_default())
                        .join(".pyenv")
                        .into()
                }),
            );
        command
    }

    /// Run wharf with arguments and return its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.wharf().args(args).output().unwrap()
    }

    /// Build a wheel into the wheel directory.
    pub fn wheel(&self, builder: WheelBuilder) -> PathBuf {
        builder.build(&self.wheels)
    }

    /// A venv at `work/.venv`, created by wharf from the base Python.
    pub fn venv(&self) -> PathBuf {
        let output = self.run(&["venv", "--python", base_python().to_str().unwrap()]);
        assert_success(&output);
        self.cwd.join(".venv")
    }

    /// Serve the wheel directory as an index.
    pub fn serve(&self, options: IndexOptions) -> IndexServer {
        IndexServer::serve(&self.wheels, options)
    }

    /// Run the venv's Python.
    pub fn python(&self, code: &str) -> Output {
        Command::new(self.cwd.join(".venv/bin/python"))
            .args(["-c", code])
            .output()
            .unwrap()
    }

    /// pip from `venv`, isolated from the user's configuration and cache.
    pub fn pip(&self, venv: &Path, args: &[&str]) -> Output {
        Command::new(venv.join("bin/python"))
            .args(["-m", "pip"])
            .args(args)
            .current_dir(&self.cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.temp.path().join("home"))
            .env("PIP_CONFIG_FILE", "/dev/null")
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PIP_NO_INPUT", "1")
            .env("PIP_CACHE_DIR", self.temp.path().join("pip-cache"))
            .output()
            .unwrap()
    }

    /// Names of everything in the venv's site-packages, sorted, for before/after checks.
    pub fn site_packages_listing(&self) -> Vec<String> {
        let lib = self.cwd.join(".venv/lib");
        let mut entries: Vec<String> = walk(&lib)
            .into_iter()
            .map(|path| path.strip_prefix(&lib).unwrap().display().to_string())
            .collect();
        entries.sort();
        entries
    }

    /// Replace temporary paths with stable placeholders, for snapshots.
    pub fn filter(&self, text: &str) -> String {
        let mut text = text.replace(&self.temp.path().display().to_string(), "[TEMP]");
        let timing = regex_lite_timing(&text);
        text = timing;
        text
    }
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs_err::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && !path.is_symlink() {
                out.extend(walk(&path));
            }
            out.push(path);
        }
    }
    out
}

/// Replace durations like `12ms` and `1.23s` with `[TIME]`.
fn regex_lite_timing(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_inclusive([' ', '(', '\n']) {
        let trimmed = word.trim_end_matches([' ', '(', '\n', ')']);
        let is_time = (trimmed.ends_with("ms")
            && trimmed[..trimmed.len() - 2].parse::<u64>().is_ok())
            || (trimmed.ends_with('s') && trimmed[..trimmed.len() - 1].parse::<f64>().is_ok());
        if is_time && !trimmed.is_empty() {
            out.push_str(&word.replacen(trimmed, "[TIME]", 1));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Panic with both streams unless the command succeeded.
#[track_caller]
pub fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "command failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        stdout(output),
        stderr(output)
    );
}

/// Panic unless the command failed with a message containing every phrase.
#[track_caller]
pub fn assert_failure(output: &Output, phrases: &[&str]) {
    let err = stderr(output);
    assert!(
        !output.status.success(),
        "command should have failed\n--- stdout\n{}\n--- stderr\n{err}",
        stdout(output)
    );
    for phrase in phrases {
        assert!(err.contains(phrase), "stderr lacks `{phrase}`:\n{err}");
    }
}
