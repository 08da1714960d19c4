//! Virtual environments created by wharf, checked with the real interpreters.

use std::path::{Path, PathBuf};
use std::process::Command;

use wharf_cache::Cache;
use wharf_interpreter::Interpreter;
use wharf_venv::{VenvError, VenvOptions, bundled_pip_wheel, create_venv};

struct Fixture {
    _cache_dir: tempfile::TempDir,
    cache: Cache,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path()).unwrap();
        Self {
            _cache_dir: dir,
            cache,
        }
    }

    /// `python3` on PATH, skipping pyenv shims.
    fn python3(&self) -> Interpreter {
        let search_path = std::env::var_os("PATH").expect("PATH is set");
        let python = std::env::split_paths(&search_path)
            .filter(|dir| !dir.ends_with("shims"))
            .map(|dir| dir.join("python3"))
            .find(|path| path.is_file())
            .expect("python3 on PATH");
        Interpreter::query(&python, &self.cache).unwrap()
    }
}

/// The pyenv interpreters present, for `3.8` to `3.13`.
fn pyenv_pythons() -> Vec<PathBuf> {
    let Some(root) = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".pyenv")))
    else {
        return Vec::new();
    };
    (8..=13)
        .filter_map(|minor| {
            let found = fs_err::read_dir(root.join("versions"))
                .ok()?
                .flatten()
                .map(|entry| entry.path().join(format!("bin/python3.{minor}")))
                .find(|path| path.is_file());
            if found.is_none() {
                eprintln!("skipping Python 3.{minor}: not installed under pyenv");
            }
            found
        })
        .collect()
}

fn run(python: &Path, code: &str) -> String {
    let output = Command::new(python).args(["-c", code]).output().unwrap();
    assert!(
        output.status.success(),
        "{}: {}",
        python.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

fn shell_available(name: &str) -> bool {
    Command::new(name)
        .args(["-c", "exit 0"])
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn the_interpreter_accepts_the_environment() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("env");
    let venv = create_venv(&root, &base, &VenvOptions::default()).unwrap();
    assert_eq!(venv.root, root);
    let python = root.join("bin/python");
    assert_eq!(
        run(&python, "import sys; print(sys.prefix != sys.base_prefix)"),
        "True"
    );
    assert_eq!(
        run(
            &python,
            "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ),
        venv.interpreter.scheme.purelib.display().to_string()
    );
    assert!(venv.interpreter.scheme.purelib.starts_with(&root));
    for name in ["python3", &format!("python3.{}", base.python_version.1)] {
        assert_eq!(
            run(
                &root.join("bin").join(name),
                "import sys; print(sys.prefix)"
            ),
            root.display().to_string()
        );
    }
    assert_eq!(
        fs_err::read_to_string(root.join(".gitignore")).unwrap(),
        "*\n"
    );
    assert!(!root.join("CACHEDIR.TAG").exists());
    if cfg!(target_os = "linux") {
        assert_eq!(
            fs_err::read_link(root.join("lib64")).unwrap(),
            Path::new("lib")
        );
    }
    for script in ["activate", "activate.fish", "activate.csh", "Activate.ps1"] {
        assert!(root.join("bin").join(script).is_file(), "{script}");
    }
}

#[test]
fn pyvenv_cfg_is_written_like_the_venv_module() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let dir = tempfile::tempdir().unwrap();
    let options = VenvOptions {
        prompt: Some("my project".to_string()),
        ..VenvOptions::default()
    };
    create_venv(dir.path(), &base, &options).unwrap();
    let cfg = fs_err::read_to_string(dir.path().join("pyvenv.cfg")).unwrap();
    let value = |key: &str| {
        cfg.lines()
            .find_map(|line| {
                let (name, value) = line.split_once(" = ")?;
                (name == key).then(|| value.to_string())
            })
            .unwrap_or_else(|| panic!("no `{key}` in:\n{cfg}"))
    };
    assert_eq!(
        value("home"),
        base.base_executable.parent().unwrap().display().to_string()
    );
    assert_eq!(value("include-system-site-packages"), "false");
    assert_eq!(value("version"), base.version.to_string());
    assert_eq!(value("version_info"), base.version.to_string());
    assert_eq!(value("implementation"), "CPython");
    assert_eq!(value("prompt"), "my project");
    assert!(Path::new(&value("executable")).is_absolute());
    value("command");
}

#[test]
fn probe_of_the_environment_matches_what_creation_computed() {
    let fixture = Fixture::new();
    let mut bases = vec![fixture.python3()];
    for python in pyenv_pythons() {
        bases.push(Interpreter::query(&python, &fixture.cache).unwrap());
    }
    for base in &bases {
        for system_site_packages in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let options = VenvOptions {
                system_site_packages,
                ..VenvOptions::default()
            };
            let venv = create_venv(dir.path(), base, &options).unwrap();
            let probed = Interpreter::query(&venv.interpreter.executable, &fixture.cache).unwrap();
            let context = format!(
                "{} (system site: {system_site_packages})",
                base.executable.display()
            );
            assert_eq!(probed.scheme, venv.interpreter.scheme, "{context}");
            assert_eq!(probed.prefix, venv.interpreter.prefix, "{context}");
            assert_eq!(
                probed.base_prefix, venv.interpreter.base_prefix,
                "{context}"
            );
            assert_eq!(probed.sys_path, venv.interpreter.sys_path, "{context}");
            assert_eq!(probed.stdlib, venv.interpreter.stdlib, "{context}");
            assert_eq!(probed.markers, venv.interpreter.markers, "{context}");
            assert!(probed.is_virtualenv && venv.interpreter.is_virtualenv);
            assert_eq!(probed.externally_managed, None);
            assert_eq!(
                fs_err::canonicalize(&probed.base_executable).unwrap(),
                fs_err::canonicalize(&venv.interpreter.base_executable).unwrap(),
                "{context}"
            );
            // `wharf venv` stores the computed description as the probe's cache entry, so
            // every other field must be exactly what the probe says.
            let mut probed_json = serde_json::to_value(&probed).unwrap();
            let mut computed_json = serde_json::to_value(&venv.interpreter).unwrap();
            probed_json
                .as_object_mut()
                .unwrap()
                .remove("base_executable");
            computed_json
                .as_object_mut()
                .unwrap()
                .remove("base_executable");
            assert_eq!(probed_json, computed_json, "{context}");
        }
    }
}

#[test]
fn system_site_packages_are_visible_only_when_asked() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let Some(base_site) = base
        .sys_path
        .iter()
        .find(|entry| entry.ends_with("site-packages") || entry.ends_with("dist-packages"))
    else {
        eprintln!("skipping: the base interpreter has no site directory on sys.path");
        return;
    };
    for (system_site_packages, expected) in [(false, "False"), (true, "True")] {
        let dir = tempfile::tempdir().unwrap();
        let options = VenvOptions {
            system_site_packages,
            ..VenvOptions::default()
        };
        create_venv(dir.path(), &base, &options).unwrap();
        let code = format!(
            "import sys; print({:?} in sys.path)",
            base_site.display().to_string()
        );
        assert_eq!(run(&dir.path().join("bin/python"), &code), expected);
    }
}

#[test]
fn bash_activate_and_deactivate() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("it's env");
    create_venv(&root, &base, &VenvOptions::default()).unwrap();
    let script = r#"
        PS1='$ '
        before="$PATH"
        source "$1/bin/activate" || exit 1
        echo "env=$VIRTUAL_ENV"
        echo "python=$(command -v python)"
        echo "prompt=$PS1"
        echo "name=$VIRTUAL_ENV_PROMPT"
        deactivate
        echo "after=${VIRTUAL_ENV-unset}"
        [ "$PATH" = "$before" ] && echo "path restored"
        echo "ps1=$PS1"
        typeset -f deactivate >/dev/null 2>&1 || echo "deactivate removed"
    "#;
    let mut shells = vec!["bash"];
    if shell_available("zsh") {
        shells.push("zsh");
    } else {
        eprintln!("skipping zsh: not installed");
    }
    for shell in shells {
        let output = Command::new(shell)
            .args(["-c", script, "activate-test"])
            .arg(&root)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{shell}: {stdout}\n{stderr}");
        assert!(
            stdout.contains(&format!("env={}\n", root.display())),
            "{shell}: {stdout}"
        );
        assert!(
            stdout.contains(&format!("python={}/bin/python\n", root.display())),
            "{shell}: {stdout}"
        );
        assert!(
            stdout.contains("prompt=(it's env) $ \n"),
            "{shell}: {stdout}"
        );
        assert!(stdout.contains("name=it's env\n"), "{shell}: {stdout}");
        assert!(stdout.contains("after=unset\n"), "{shell}: {stdout}");
        assert!(stdout.contains("path restored\n"), "{shell}: {stdout}");
        assert!(stdout.contains("ps1=$ \n"), "{shell}: {stdout}");
        assert!(stdout.contains("deactivate removed\n"), "{shell}: {stdout}");
    }
}

#[test]
fn bash_activate_refuses_to_be_run() {
    let fixture = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    create_venv(dir.path(), &fixture.python3(), &VenvOptions::default()).unwrap();
    let output = Command::new("bash")
        .arg(dir.path().join("bin/activate"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("must be sourced"));
}

#[test]
fn fish_activate_and_deactivate() {
    if !shell_available("fish") {
        eprintln!("skipping: fish is not installed");
        return;
    }
    let fixture = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("env");
    create_venv(&root, &fixture.python3(), &VenvOptions::default()).unwrap();
    let script = format!(
        r#"set before "$PATH"
        source '{}/bin/activate.fish'; or exit 1
        echo "env=$VIRTUAL_ENV"
        echo "python="(command -s python)
        echo "prompt="(fish_prompt)
        deactivate
        if set -q VIRTUAL_ENV; echo "still set"; else; echo "after=unset"; end
        test "$PATH" = "$before"; and echo "path restored"
        functions -q deactivate; or echo "deactivate removed""#,
        root.display()
    );
    let output = Command::new("fish")
        .args(["--no-config", "-c", &script])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("env={}\n", root.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("python={}/bin/python\n", root.display())),
        "{stdout}"
    );
    assert!(stdout.contains("prompt=(env) "), "{stdout}");
    assert!(stdout.contains("after=unset\n"), "{stdout}");
    assert!(stdout.contains("path restored\n"), "{stdout}");
    assert!(stdout.contains("deactivate removed\n"), "{stdout}");
}

#[test]
fn csh_activate_and_deactivate() {
    let Some(shell) = ["tcsh", "csh"]
        .into_iter()
        .find(|shell| shell_available(shell))
    else {
        eprintln!("skipping: neither tcsh nor csh is installed");
        return;
    };
    let fixture = Fixture::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("env");
    create_venv(&root, &fixture.python3(), &VenvOptions::default()).unwrap();
    let script = format!(
        "set prompt='> '\nset before=\"$PATH\"\nsource '{}/bin/activate.csh'\necho \"env=$VIRTUAL_ENV\"\necho \"prompt=$prompt\"\nwhich python\ndeactivate\necho \"restored=$prompt\"\nif ($?VIRTUAL_ENV) then\necho still set\nelse\necho after=unset\nendif\nif (\"$PATH\" == \"$before\") echo path restored\n",
        root.display()
    );
    let script_path = dir.path().join("test.csh");
    fs_err::write(&script_path, script).unwrap();
    let output = Command::new(shell)
        .arg("-f")
        .arg(&script_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&format!("env={}\n", root.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{}/bin/python\n", root.display())),
        "{stdout}"
    );
    assert!(stdout.contains("after=unset\n"), "{stdout}");
    assert!(stdout.contains("path restored\n"), "{stdout}");
}

#[test]
fn existing_directories() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("project");
    fs_err::create_dir_all(&root).unwrap();
    fs_err::write(root.join("notes.txt"), "keep me").unwrap();

    // A non-empty directory that is not an environment is refused, and left alone.
    let err = create_venv(&root, &base, &VenvOptions::default()).unwrap_err();
    assert!(matches!(err, VenvError::NotEmpty { .. }), "{err}");
    assert!(err.to_string().contains("--clear"), "{err}");
    assert!(root.join("notes.txt").is_file());
    assert_eq!(fs_err::read_dir(&root).unwrap().count(), 1);

    // `clear` empties it.
    let clear = VenvOptions {
        clear: true,
        ..VenvOptions::default()
    };
    let venv = create_venv(&root, &base, &clear).unwrap();
    assert!(!root.join("notes.txt").exists());

    // An existing environment is replaced by default and kept with `allow_existing`.
    let marker = venv.interpreter.scheme.purelib.join("installed.py");
    fs_err::write(&marker, "").unwrap();
    let keep = VenvOptions {
        allow_existing: true,
        ..VenvOptions::default()
    };
    create_venv(&root, &base, &keep).unwrap();
    assert!(marker.is_file());
    create_venv(&root, &base, &VenvOptions::default()).unwrap();
    assert!(!marker.exists());
    assert!(root.join("pyvenv.cfg").is_file());

    // A file is not a directory.
    let file = dir.path().join("file");
    fs_err::write(&file, "").unwrap();
    let err = create_venv(&file, &base, &clear).unwrap_err();
    assert!(matches!(err, VenvError::NotADirectory { .. }), "{err}");
}

#[test]
fn clearing_the_base_installation_is_refused() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let options = VenvOptions {
        clear: true,
        ..VenvOptions::default()
    };
    let err = create_venv(&base.base_prefix, &base, &options).unwrap_err();
    assert!(matches!(err, VenvError::RefuseToClear { .. }), "{err}");
    assert!(base.base_executable.exists());
}

/// Regression: `wharf venv` run twice found `.venv/bin/python` as its base and refused to
/// replace `.venv` because it "contains the base interpreter's installation".
#[test]
fn an_environment_is_replaced_from_its_own_interpreter() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(".venv");
    let venv = create_venv(&root, &base, &VenvOptions::default()).unwrap();
    let inner = Interpreter::query(&venv.interpreter.executable, &fixture.cache).unwrap();
    assert!(inner.is_virtualenv);
    create_venv(&root, &inner, &VenvOptions::default()).unwrap();
    let prefix = run(
        &root.join("bin/python"),
        "import sys; print(sys.base_prefix)",
    );
    assert_eq!(prefix.trim(), base.base_prefix.display().to_string());
}

#[test]
fn failure_midway_removes_what_was_made() {
    let fixture = Fixture::new();
    let mut base = fixture.python3();
    // An impossible platform library directory makes creation fail after `bin/` is made.
    base.platlibdir = "/proc/wharf-cannot-create-this".to_string();
    let dir = tempfile::tempdir().unwrap();

    let fresh = dir.path().join("fresh");
    create_venv(&fresh, &base, &VenvOptions::default()).unwrap_err();
    assert!(!fresh.exists());

    let existing = dir.path().join("existing");
    fs_err::create_dir_all(&existing).unwrap();
    fs_err::write(existing.join("notes.txt"), "keep me").unwrap();
    let options = VenvOptions {
        allow_existing: true,
        ..VenvOptions::default()
    };
    create_venv(&existing, &base, &options).unwrap_err();
    let names: Vec<_> = fs_err::read_dir(&existing)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
}

#[test]
fn copies_instead_of_symlinks() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let dir = tempfile::tempdir().unwrap();
    let options = VenvOptions {
        symlinks: false,
        ..VenvOptions::default()
    };
    create_venv(dir.path(), &base, &options).unwrap();
    let python = dir.path().join("bin/python");
    assert!(
        !fs_err::symlink_metadata(&python)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        run(&python, "import sys; print(sys.prefix != sys.base_prefix)"),
        "True"
    );
}

#[test]
fn a_venv_made_from_a_venv_links_the_real_interpreter() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let dir = tempfile::tempdir().unwrap();
    let first = create_venv(&dir.path().join("first"), &base, &VenvOptions::default()).unwrap();
    let first = Interpreter::query(&first.interpreter.executable, &fixture.cache).unwrap();
    let second = create_venv(&dir.path().join("second"), &first, &VenvOptions::default()).unwrap();
    let target = fs_err::read_link(second.root.join("bin/python")).unwrap();
    assert!(!target.starts_with(dir.path()), "{}", target.display());
    assert_eq!(
        run(
            &second.interpreter.executable,
            "import sys; print(sys.prefix)"
        ),
        second.root.display().to_string()
    );
}

#[test]
fn bundled_pip() {
    let fixture = Fixture::new();
    let mut found = 0;
    for python in pyenv_pythons() {
        let base = Interpreter::query(&python, &fixture.cache).unwrap();
        if let Some(wheel) = bundled_pip_wheel(&base) {
            let name = wheel.file_name().unwrap().to_string_lossy().to_string();
            assert!(name.starts_with("pip-") && name.ends_with(".whl"), "{name}");
            found += 1;
        }
    }
    eprintln!("found pip wheels for {found} interpreters");
    let dir = tempfile::tempdir().unwrap();
    let mut fake = fixture.python3();
    fake.stdlib = dir.path().to_path_buf();
    fake.base_prefix = dir.path().to_path_buf();
    assert_eq!(bundled_pip_wheel(&fake), None);
    let bundled = dir.path().join("ensurepip/_bundled");
    fs_err::create_dir_all(&bundled).unwrap();
    for name in [
        "pip-23.2.1-py3-none-any.whl",
        "pip-24.0-py3-none-any.whl",
        "setuptools-70.0-py3-none-any.whl",
    ] {
        fs_err::write(bundled.join(name), "").unwrap();
    }
    assert_eq!(
        bundled_pip_wheel(&fake),
        Some(bundled.join("pip-24.0-py3-none-any.whl"))
    );
}

#[test]
fn creation_does_not_run_python() {
    let fixture = Fixture::new();
    let base = fixture.python3();
    let dir = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    create_venv(&dir.path().join("env"), &base, &VenvOptions::default()).unwrap();
    let elapsed = start.elapsed();
    eprintln!("created in {elapsed:?}");
    // Starting an interpreter alone takes tens of milliseconds; a loaded CI machine gets
    // a generous margin.
    assert!(elapsed < std::time::Duration::from_secs(2), "{elapsed:?}");
}
