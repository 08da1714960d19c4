//! `wharf venv`: environments the real interpreter accepts, the options, interpreter
//! requests, and what happens when the target directory already exists.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn run_python(python: &Path, code: &str) -> String {
    let output = Command::new(python).args(["-c", code]).output().unwrap();
    assert_success(&output);
    stdout(&output).trim().to_string()
}

fn pyvenv_cfg(venv: &Path) -> String {
    fs_err::read_to_string(venv.join("pyvenv.cfg")).unwrap()
}

/// pyenv's interpreter for `3.<minor>`, if installed.
fn pyenv_python(minor: u32) -> Option<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".pyenv")))?;
    fs_err::read_dir(root.join("versions"))
        .ok()?
        .flatten()
        .map(|entry| entry.path().join(format!("bin/python3.{minor}")))
        .find(|path| path.is_file())
}

#[test]
fn default_directory_is_dot_venv_and_the_interpreter_accepts_it() {
    let context = TestContext::new();
    let output = context.run(&["venv"]);
    assert_success(&output);
    let err = stderr(&output);
    assert!(
        err.contains("Created virtual environment at .venv"),
        "{err}"
    );
    assert!(
        err.contains("Activate with: source .venv/bin/activate"),
        "{err}"
    );
    let venv = context.cwd.join(".venv");
    let cfg = pyvenv_cfg(&venv);
    assert!(
        cfg.contains("include-system-site-packages = false"),
        "{cfg}"
    );
    assert!(cfg.lines().any(|line| line.starts_with("home = ")), "{cfg}");
    assert!(cfg.lines().any(|line| line.starts_with("version")), "{cfg}");
    let answer = run_python(
        &venv.join("bin/python"),
        "import sys; print(sys.prefix != sys.base_prefix, sys.prefix)",
    );
    let canonical = fs_err::canonicalize(&venv).unwrap();
    assert!(
        answer == format!("True {}", venv.display())
            || answer == format!("True {}", canonical.display()),
        "{answer}"
    );
    for script in [
        "activate",
        "activate.fish",
        "activate.csh",
        "Activate.ps1",
        "python",
        "python3",
    ] {
        assert!(
            venv.join("bin").join(script).exists(),
            "bin/{script} is missing"
        );
    }
    // Not seeded: no pip unless asked.
    assert!(!venv.join("bin/pip").exists());
}

#[test]
fn given_directory_and_prompt() {
    let context = TestContext::new();
    let output = context.run(&[
        "venv",
        "envs/project",
        "--prompt",
        "my-prompt",
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_success(&output);
    let venv = context.cwd.join("envs/project");
    assert!(
        pyvenv_cfg(&venv).contains("prompt = my-prompt"),
        "{}",
        pyvenv_cfg(&venv)
    );
    let activate = fs_err::read_to_string(venv.join("bin/activate")).unwrap();
    assert!(activate.contains("my-prompt"), "{activate}");
}

#[test]
fn activate_script_works_in_bash() {
    let context = TestContext::new();
    assert_success(&context.run(&[
        "venv",
        "--prompt",
        "demo",
        "--python",
        base_python().to_str().unwrap(),
    ]));
    let venv = context.cwd.join(".venv");
    let script = r#"
        PS1='$ '
        source .venv/bin/activate
        echo "env=$VIRTUAL_ENV"
        echo "prompt=$VIRTUAL_ENV_PROMPT"
        echo "ps1=$PS1"
        echo "python=$(command -v python)"
        python -c 'import sys; print("in-venv", sys.prefix != sys.base_prefix)'
        deactivate
        echo "after=${VIRTUAL_ENV:-none}"
        echo "python-after=$(command -v python || echo none)"
    "#;
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .current_dir(&context.cwd)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", context.temp.path().join("home"))
        .output()
        .unwrap();
    assert_success(&output);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("env={}", venv.display()));
    assert!(
        lines[1] == "prompt=demo" || lines[1] == "prompt=(demo) ",
        "{text}"
    );
    assert_eq!(lines[2], "ps1=(demo) $ ");
    assert_eq!(
        lines[3],
        format!("python={}", venv.join("bin/python").display())
    );
    assert_eq!(lines[4], "in-venv True");
    assert_eq!(lines[5], "after=none");
    assert!(!lines[6].contains(".venv"), "{text}");
}

#[test]
fn system_site_packages_are_visible_only_when_asked() {
    let context = TestContext::new();
    let python = base_python().to_str().unwrap();
    // The base interpreter has pip in its own site-packages.
    let probe = "import importlib.util; print(importlib.util.find_spec('pip') is not None)";
    if run_python(base_python(), probe) != "True" {
        eprintln!("skipping: {python} has no pip in its site-packages to see");
        return;
    }
    assert_success(&context.run(&["venv", "isolated", "--python", python]));
    assert_eq!(
        run_python(&context.cwd.join("isolated/bin/python"), probe),
        "False"
    );
    assert_success(&context.run(&[
        "venv",
        "shared",
        "--system-site-packages",
        "--python",
        python,
    ]));
    let shared = context.cwd.join("shared");
    assert!(pyvenv_cfg(&shared).contains("include-system-site-packages = true"));
    assert_eq!(run_python(&shared.join("bin/python"), probe), "True");
    assert_eq!(
        run_python(
            &shared.join("bin/python"),
            "import sys; print(sys.prefix != sys.base_prefix)"
        ),
        "True"
    );
}

#[test]
fn clear_empties_an_existing_directory() {
    let context = TestContext::new();
    let target = context.cwd.join("env");
    fs_err::create_dir_all(&target).unwrap();
    fs_err::write(target.join("notes.txt"), "old").unwrap();
    let output = context.run(&[
        "venv",
        "env",
        "--clear",
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_success(&output);
    assert!(!target.join("notes.txt").exists());
    assert!(target.join("pyvenv.cfg").is_file());
    assert_eq!(
        run_python(
            &target.join("bin/python"),
            "import sys; print(sys.prefix != sys.base_prefix)"
        ),
        "True"
    );
}

#[test]
fn non_empty_directory_that_is_not_a_venv_is_left_alone() {
    let context = TestContext::new();
    let target = context.cwd.join("project");
    fs_err::create_dir_all(&target).unwrap();
    fs_err::write(target.join("main.py"), "print('mine')").unwrap();
    let output = context.run(&[
        "venv",
        "project",
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_failure(
        &output,
        &["project", "is not a virtual environment", "--clear"],
    );
    let names: Vec<_> = fs_err::read_dir(&target)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["main.py"]);
    assert_eq!(
        fs_err::read_to_string(target.join("main.py")).unwrap(),
        "print('mine')"
    );
}

/// The message suggests `--allow-existing`, which `wharf venv` does not have, and there is no
/// `hint:` line.
#[test]

fn non_empty_directory_error_has_a_usable_hint() {
    let context = TestContext::new();
    fs_err::create_dir_all(context.cwd.join("project")).unwrap();
    fs_err::write(context.cwd.join("project/main.py"), "").unwrap();
    let output = context.run(&[
        "venv",
        "project",
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_failure(&output, &["hint:", "--clear"]);
    let help = stdout(&context.run(&["venv", "--help"]));
    assert!(
        !stderr(&output).contains("--allow-existing") || help.contains("--allow-existing"),
        "--allow-existing is suggested but does not exist:\n{}",
        stderr(&output)
    );
}

#[test]
fn a_second_venv_replaces_the_first() {
    let context = TestContext::new();
    assert_success(&context.run(&["venv", "--python", base_python().to_str().unwrap()]));
    let venv = context.cwd.join(".venv");
    let site = run_python(
        &venv.join("bin/python"),
        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
    );
    fs_err::write(Path::new(&site).join("leftover.py"), "").unwrap();
    // Without --python discovery finds `.venv/bin/python` first; the new environment must
    // be made from the interpreter behind it.
    let output = context.run(&["venv"]);
    assert_success(&output);
    assert!(!Path::new(&site).join("leftover.py").exists());
    assert_eq!(
        run_python(
            &venv.join("bin/python"),
            "import sys; print(sys.prefix != sys.base_prefix)"
        ),
        "True"
    );
    // And again with an explicit interpreter.
    assert_success(&context.run(&["venv", "--python", base_python().to_str().unwrap()]));
    assert!(venv.join("pyvenv.cfg").is_file());
}

#[test]
fn python_version_requests() {
    let context = TestContext::new();
    let mut tried = 0;
    for minor in [9, 10, 11, 12, 13] {
        if pyenv_python(minor).is_none() {
            eprintln!("skipping Python 3.{minor}: not installed under pyenv");
            continue;
        }
        tried += 1;
        let dir = format!("venv-3{minor}");
        let request = format!("3.{minor}");
        let output = context.run(&["venv", &dir, "--python", &request]);
        assert_success(&output);
        assert!(
            stderr(&output).contains(&format!("Using CPython 3.{minor}.")),
            "{}",
            stderr(&output)
        );
        let answer = run_python(
            &context.cwd.join(&dir).join("bin/python"),
            "import sys; print('%d.%d' % sys.version_info[:2], sys.prefix != sys.base_prefix)",
        );
        assert_eq!(answer, format!("3.{minor} True"));
    }
    if tried == 0 {
        eprintln!("skipping: no pyenv interpreters");
        return;
    }
    // Other request forms.
    if pyenv_python(10).is_some() {
        assert_success(&context.run(&["venv", "impl", "--python", "cpython3.10"]));
        assert_eq!(
            run_python(
                &context.cwd.join("impl/bin/python"),
                "import sys; print(sys.version_info[:2])"
            ),
            "(3, 10)"
        );
    }
    if pyenv_python(12).is_some() || pyenv_python(13).is_some() {
        assert_success(&context.run(&["venv", "range", "--python", ">=3.12"]));
        let minor = run_python(
            &context.cwd.join("range/bin/python"),
            "import sys; print(sys.version_info[1])",
        );
        assert!(minor.parse::<u32>().unwrap() >= 12, "{minor}");
    }
}

#[test]
fn unknown_python_version_fails_clearly() {
    let context = TestContext::new();
    let output = context.run(&["venv", "--python", "3.99"]);
    assert_failure(&output, &["3.99"]);
    assert!(!context.cwd.join(".venv").exists());
}
