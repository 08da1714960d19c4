//! The probe against real interpreters: `python3` and the pyenv versions present.

use std::path::{Path, PathBuf};

use wharf_cache::{Bucket, Cache};
use wharf_filename::{Os, WheelFilename};
use wharf_interpreter::{Interpreter, InterpreterError};

fn python3() -> PathBuf {
    let search_path = std::env::var_os("PATH").expect("PATH is set");
    std::env::split_paths(&search_path)
        .filter(|dir| !dir.ends_with("shims"))
        .map(|dir| dir.join("python3"))
        .find(|path| path.is_file())
        .expect("python3 on PATH")
}

/// The pyenv interpreter for `major.minor`, if installed.
fn pyenv_python(minor: &str) -> Option<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".pyenv")))?;
    let mut versions: Vec<PathBuf> = fs_err::read_dir(root.join("versions"))
        .ok()?
        .flatten()
        .filter(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            name.strip_prefix(minor)
                .is_some_and(|rest| rest.starts_with('.') && !rest.contains('-'))
        })
        .map(|entry| entry.path().join("bin").join(format!("python{minor}")))
        .filter(|path| path.is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn cache() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path()).unwrap();
    (dir, cache)
}

fn cache_entries(cache: &Cache) -> Vec<PathBuf> {
    fs_err::read_dir(cache.bucket(Bucket::Interpreter).unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect()
}

#[test]
fn python3_is_described() {
    let (_dir, cache) = cache();
    let python = python3();
    let interpreter = Interpreter::query(&python, &cache).unwrap();
    assert_eq!(interpreter.executable, python);
    assert_eq!(interpreter.implementation_name, "cpython");
    assert_eq!(interpreter.python_version.0, 3);
    assert_eq!(
        interpreter.markers.python_version().to_string(),
        format!(
            "{}.{}",
            interpreter.python_version.0, interpreter.python_version.1
        )
    );
    assert!(interpreter.stdlib.is_dir());
    assert!(!interpreter.sys_path.is_empty());
    assert!(interpreter.pointer_size_64);
    if cfg!(target_os = "linux") {
        assert!(matches!(interpreter.platform.os(), Os::Manylinux { .. }));
    }
    let tags = interpreter.tags().unwrap();
    let (major, minor) = interpreter.python_version;
    let compatible = |name: &str| name.parse::<WheelFilename>().unwrap().is_compatible(&tags);
    assert!(compatible("pure-1.0-py3-none-any.whl"));
    assert!(
        compatible(&format!(
            "native-1.0-cp{major}{minor}-cp{major}{minor}-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        )) || !cfg!(all(target_os = "linux", target_arch = "x86_64"))
    );
    assert!(!compatible("native-1.0-cp27-cp27m-win32.whl"));
    assert_eq!(interpreter.site_packages(), interpreter.scheme.purelib);
    assert_eq!(cache_entries(&cache).len(), 1);
}

#[test]
fn cache_is_used_then_invalidated_by_a_changed_binary() {
    let (_dir, cache) = cache();
    let python = python3();
    Interpreter::query(&python, &cache).unwrap();
    let [entry] = cache_entries(&cache).try_into().unwrap();

    // An answer planted in the cache is returned: the probe did not run again.
    let mut json: serde_json::Value =
        serde_json::from_slice(&fs_err::read(&entry).unwrap()).unwrap();
    json["interpreter"]["implementation_name"] = "planted".into();
    fs_err::write(&entry, serde_json::to_vec(&json).unwrap()).unwrap();
    assert_eq!(
        Interpreter::query(&python, &cache)
            .unwrap()
            .implementation_name,
        "planted"
    );

    // A different modification time (an upgraded interpreter) re-probes.
    json["key"]["modified_ns"] = 1.into();
    fs_err::write(&entry, serde_json::to_vec(&json).unwrap()).unwrap();
    assert_eq!(
        Interpreter::query(&python, &cache)
            .unwrap()
            .implementation_name,
        "cpython"
    );
}

#[test]
fn corrupt_cache_entry_is_rewritten() {
    let (_dir, cache) = cache();
    let python = python3();
    let first = Interpreter::query(&python, &cache).unwrap();
    let [entry] = cache_entries(&cache).try_into().unwrap();
    fs_err::write(&entry, b"{\"key\": [garbage").unwrap();
    let second = Interpreter::query(&python, &cache).unwrap();
    assert_eq!(first, second);
    let rewritten: serde_json::Value =
        serde_json::from_slice(&fs_err::read(&entry).unwrap()).unwrap();
    assert!(rewritten.get("interpreter").is_some());
}

#[test]
fn pyenv_versions_3_8_to_3_13() {
    let (_dir, cache) = cache();
    let mut probed = 0;
    for minor in 8..=13 {
        let version = format!("3.{minor}");
        let Some(python) = pyenv_python(&version) else {
            eprintln!("skipping Python {version}: not installed under pyenv");
            continue;
        };
        let interpreter = Interpreter::query(&python, &cache)
            .unwrap_or_else(|err| panic!("{}: {err}", python.display()));
        assert_eq!(interpreter.python_version, (3, minor));
        assert!(!interpreter.is_virtualenv);
        assert_eq!(interpreter.externally_managed, None);
        assert!(
            interpreter
                .scheme
                .purelib
                .ends_with(format!("lib/python{version}/site-packages"))
        );
        interpreter.tags().unwrap();
        probed += 1;
    }
    eprintln!("probed {probed} pyenv interpreters");
}

#[test]
fn venv_of_python_3_8_reports_its_base() {
    let Some(python) = pyenv_python("3.8") else {
        eprintln!("skipping: Python 3.8 not installed under pyenv");
        return;
    };
    let (_dir, cache) = cache();
    let venv = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(&python)
        .args(["-m", "venv", "--without-pip"])
        .arg(venv.path())
        .status()
        .unwrap();
    assert!(status.success());
    let interpreter = Interpreter::query(&venv.path().join("bin/python"), &cache).unwrap();
    assert!(interpreter.is_virtualenv);
    assert_eq!(interpreter.executable, venv.path().join("bin/python"));
    assert_eq!(interpreter.prefix, venv.path());
    assert_ne!(
        interpreter.base_executable.parent(),
        Some(venv.path().join("bin").as_path())
    );
    assert_eq!(
        fs_err::canonicalize(&interpreter.base_executable).unwrap(),
        fs_err::canonicalize(&python).unwrap()
    );
    assert_eq!(
        interpreter.scheme.purelib,
        venv.path().join("lib/python3.8/site-packages")
    );
}

#[test]
fn old_interpreters_are_refused() {
    let (_dir, cache) = cache();
    match pyenv_python("3.7") {
        Some(python) => {
            let err = Interpreter::query(&python, &cache).unwrap_err();
            assert!(matches!(err, InterpreterError::Unsupported { .. }), "{err}");
            assert!(err.to_string().contains("3.8 or newer"), "{err}");
        }
        None => eprintln!("skipping 3.7: not installed"),
    }
    match pyenv_python("2.7") {
        Some(python) => {
            let err = Interpreter::query(&python, &cache).unwrap_err();
            assert!(matches!(err, InterpreterError::ProbeFailed { .. }), "{err}");
        }
        None => eprintln!("skipping 2.7: not installed"),
    }
}

#[test]
fn debian_system_python_is_externally_managed() {
    let python = Path::new("/usr/bin/python3");
    let Ok(output) = std::process::Command::new(python)
        .args(["-I", "-c", "import sysconfig, os; print(os.path.isfile(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))"])
        .output()
    else {
        eprintln!("skipping: no /usr/bin/python3");
        return;
    };
    let expected = String::from_utf8_lossy(&output.stdout).trim() == "True";
    let (_dir, cache) = cache();
    let interpreter = Interpreter::query(python, &cache).unwrap();
    assert_eq!(interpreter.externally_managed.is_some(), expected);
    if expected {
        assert!(!interpreter.externally_managed.unwrap().is_empty());
    }
}

#[test]
fn missing_and_non_executable_paths() {
    let (_dir, cache) = cache();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("python-missing");
    let err = Interpreter::query(&missing, &cache).unwrap_err();
    assert!(matches!(err, InterpreterError::Missing { .. }), "{err}");
    assert!(err.to_string().contains("python-missing"));

    let plain = dir.path().join("python3");
    fs_err::write(&plain, "not a program").unwrap();
    let err = Interpreter::query(&plain, &cache).unwrap_err();
    assert!(
        matches!(err, InterpreterError::NotExecutable { .. }),
        "{err}"
    );
    let err = Interpreter::query(dir.path(), &cache).unwrap_err();
    assert!(
        matches!(err, InterpreterError::NotExecutable { .. }),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn failing_interpreter_shows_its_stderr() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, cache) = cache();
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("python3");
    fs_err::write(
        &fake,
        "#!/bin/sh\necho 'fatal: broken install' >&2\nexit 3\n",
    )
    .unwrap();
    fs_err::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = Interpreter::query(&fake, &cache).unwrap_err();
    assert!(matches!(err, InterpreterError::ProbeFailed { .. }), "{err}");
    assert!(err.to_string().contains("fatal: broken install"), "{err}");
}

#[test]
fn pyenv_shim_reports_the_real_interpreter() {
    let Some(home) = std::env::home_dir() else {
        return;
    };
    let shim = home.join(".pyenv/shims/python3");
    if !shim.is_file() {
        eprintln!("skipping: no pyenv shim");
        return;
    }
    let (_dir, cache) = cache();
    let interpreter = Interpreter::query(&shim, &cache).unwrap();
    assert_ne!(interpreter.executable, shim);
    assert!(interpreter.executable.is_absolute());
    // Shims are not cached: what they run depends on the directory.
    assert!(cache_entries(&cache).is_empty());
}
