//! `wharf bundle`: single-file executables built from fixture wheels on a local index, run
//! by the real interpreter. Entry points of every kind, reproducible output, one extraction
//! for many concurrent first runs, damaged bundles, interpreters the bundle does not
//! support, the venv tool, `wharf bundle info` and `wharf cache prune`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;
use wharf_test_support::project::{ProjectBuilder, backend_wheel};

/// An application with a console script, package data, a `__main__`, a dependency with a
/// `.pth` file and a namespace package, and a `.data/scripts` tool.
fn app_index(context: &TestContext) -> IndexServer {
    context.wheel(
        WheelBuilder::new("app", "1.0")
            .requires("helper>=1")
            .requires("nsone")
            .file(
                "app/__init__.py",
                "VERSION = '1.0'\n",
            )
            .file(
                "app/cli.py",
                r#"import sys, os
from importlib import resources
import helper
import nspkg.one

def main():
    data = resources.files("app").joinpath("data/greeting.txt").read_text().strip()
    here = os.path.exists(os.path.join(os.path.dirname(__file__), "data", "greeting.txt"))
    print(f"{data} {helper.NAME} {nspkg.one.ONE} pth={os.environ.get('HELPER_PTH')} file={here} args={sys.argv[1:]}")
    return int(os.environ.get("APP_EXIT", "0"))
"#,
            )
            .file("app/__main__.py", "from app.cli import main\nraise SystemExit(main())\n")
            .file("app/data/greeting.txt", "hello\n")
            .console_script("app", "app.cli:main")
            .console_script("app-version", "app:VERSION"),
    );
    context.wheel(
        WheelBuilder::new("helper", "1.5")
            .file("helper/__init__.py", "NAME = 'helper'\n")
            .file(
                "helper_pth.pth",
                "import os; os.environ.setdefault('HELPER_PTH', 'yes')\n",
            )
            .data_file(
                "scripts",
                "helper-tool",
                "#!python\nimport helper\nprint('tool', helper.NAME)\n",
            ),
    );
    context.wheel(
        WheelBuilder::new("nsone", "1.0")
            .without_module()
            .file("nspkg/one/__init__.py", "ONE = 1\n"),
    );
    context.serve(IndexOptions::default())
}

/// Run a bundle with the base interpreter and a given extraction root.
fn run_bundle(bundle: &Path, root: &Path, args: &[&str]) -> Output {
    bundle_command(bundle, root).args(args).output().unwrap()
}

fn bundle_command(bundle: &Path, root: &Path) -> Command {
    let mut command = Command::new(base_python());
    command
        .arg(bundle)
        .env_remove("PYTHONPATH")
        .env("WHARF_ROOT", root)
        .env("WHARF_BUNDLE_VERBOSE", "1");
    command
}

fn bundle(context: &TestContext, index: &IndexServer, args: &[&str]) -> PathBuf {
    let mut all = vec![
        "bundle",
        "-i",
        &index.url,
        "--python",
        base_python().to_str().unwrap(),
    ];
    all.extend(args);
    let output = context.run(&all);
    assert_success(&output);
    let path = stdout(&output).trim().to_string();
    PathBuf::from(path)
}

fn extractions(output: &Output) -> usize {
    stderr(output)
        .lines()
        .filter(|line| line.starts_with("wharf bundle: extracted"))
        .count()
}

#[test]
fn console_script_bundle_runs_and_extracts_once() {
    let context = TestContext::new();
    let index = app_index(&context);
    let path = bundle(&context, &index, &["app", "-c", "app", "-o", "app.pyz"]);
    assert_eq!(path, context.cwd.join("app.pyz"));
    let root = context.temp.path().join("root");

    let first = run_bundle(&path, &root, &["one", "two"]);
    assert_success(&first);
    assert_eq!(
        stdout(&first).trim(),
        "hello helper 1 pth=yes file=True args=['one', 'two']"
    );
    assert_eq!(extractions(&first), 1, "{}", stderr(&first));

    let second = run_bundle(&path, &root, &[]);
    assert_success(&second);
    assert_eq!(extractions(&second), 0, "{}", stderr(&second));

    // The exit status is the function's return value; the shebang runs it directly.
    let status = Command::new(&path)
        .env("WHARF_ROOT", &root)
        .env("APP_EXIT", "3")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(3));
    let head = fs_err::read(&path).unwrap();
    let (major, minor) = base_version();
    assert!(head.starts_with(format!("#!/usr/bin/env python{major}.{minor}\n").as_bytes()));
}

#[test]
fn module_function_script_and_dependency_script_entries() {
    let context = TestContext::new();
    let index = app_index(&context);
    let root = context.temp.path().join("root");

    let module = bundle(&context, &index, &["app", "-m", "app", "-o", "module.pyz"]);
    let output = run_bundle(&module, &root, &["x"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("args=['x']"),
        "{}",
        stdout(&output)
    );

    let function = bundle(
        &context,
        &index,
        &["app", "-m", "app.cli:main", "-o", "function.pyz"],
    );
    let output = run_bundle(&function, &root, &[]);
    assert_success(&output);
    assert!(stdout(&output).starts_with("hello helper"));

    fs_err::write(
        context.cwd.join("tool.py"),
        "import sys, helper\nprint('script', helper.NAME, __name__, sys.argv[1:])\n",
    )
    .unwrap();
    let script = bundle(
        &context,
        &index,
        &["helper", "--script", "tool.py", "-o", "tool.pyz"],
    );
    let output = run_bundle(&script, &root, &["a"]);
    assert_success(&output);
    assert_eq!(stdout(&output).trim(), "script helper __main__ ['a']");

    let tool = bundle(
        &context,
        &index,
        &["helper", "-c", "helper-tool", "-o", "htool.pyz"],
    );
    let output = run_bundle(&tool, &root, &[]);
    assert_success(&output);
    assert_eq!(stdout(&output).trim(), "tool helper");

    // A console script nobody provides is refused, naming the ones that exist.
    let output = context.run(&[
        "bundle",
        "app",
        "-c",
        "nope",
        "-o",
        "nope.pyz",
        "-i",
        &index.url,
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_failure(&output, &["`nope`", "app-version", "helper-tool"]);
    assert!(!context.cwd.join("nope.pyz").exists());
}

#[test]
fn no_entry_point_behaves_like_python() {
    let context = TestContext::new();
    let index = app_index(&context);
    let root = context.temp.path().join("root");
    let path = bundle(&context, &index, &["app", "-o", "py.pyz"]);

    let output = run_bundle(
        &path,
        &root,
        &[
            "-c",
            "import app, helper, sys; print(app.VERSION, sys.argv)",
        ],
    );
    assert_success(&output);
    assert_eq!(stdout(&output).trim(), "1.0 ['-c']");

    let output = run_bundle(&path, &root, &["-m", "app", "z"]);
    assert_success(&output);
    assert!(
        stdout(&output).contains("args=['z']"),
        "{}",
        stdout(&output)
    );

    // Isolated from the host interpreter's packages (pip is in its site-packages), unless
    // asked.
    let output = run_bundle(&path, &root, &["-c", "import pip"]);
    assert_failure(&output, &["No module named 'pip'"]);
    let output = bundle_command(&path, &root)
        .env("WHARF_BUNDLE_INHERIT_PATH", "1")
        .args(["-c", "import pip"])
        .output()
        .unwrap();
    assert_success(&output);

    // With no arguments it is a REPL: statements from stdin run with the bundle importable.
    let mut child = bundle_command(&path, &root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"import app\nprint('repl', app.VERSION)\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_success(&output);
    assert!(
        stdout(&output).contains("repl 1.0"),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
}

#[test]
fn same_inputs_give_identical_bytes() {
    let context = TestContext::new();
    context.wheel(backend_wheel());
    let index = app_index(&context);
    // A local project is built each time (its wheel's bytes change); the bundle must not.
    let project = ProjectBuilder::new("localapp", "0.3")
        .requires("helper")
        .file(
            "localapp/__main__.py",
            "import localapp, helper\nprint(localapp.VERSION)\n",
        )
        .write(&context.temp.path().join("src"));
    let project = project.to_str().unwrap();
    let one = bundle(
        &context,
        &index,
        &[project, "-m", "localapp", "-o", "one/app.pyz"],
    );
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let two = bundle(
        &context,
        &index,
        &[project, "-m", "localapp", "-o", "two/app.pyz", "--no-cache"],
    );
    assert!(
        fs_err::read(&one).unwrap() == fs_err::read(&two).unwrap(),
        "the two builds differ"
    );

    // SOURCE_DATE_EPOCH sets the timestamps, so it changes the bytes, reproducibly.
    let dated = |name: &str| {
        let output = context
            .wharf()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args([
                "bundle", project, "-m", "localapp", "-o", name, "-i", &index.url,
            ])
            .args(["--python", base_python().to_str().unwrap()])
            .output()
            .unwrap();
        assert_success(&output);
        fs_err::read(context.cwd.join(name)).unwrap()
    };
    let first = dated("dated1/app.pyz");
    assert!(
        first == dated("dated2/app.pyz"),
        "the two dated builds differ"
    );
    assert!(
        first != fs_err::read(&one).unwrap(),
        "SOURCE_DATE_EPOCH changed nothing"
    );

    let root = context.temp.path().join("root");
    let output = run_bundle(&one, &root, &[]);
    assert_success(&output);
    assert_eq!(stdout(&output).trim(), "0.3");
}

#[test]
fn twenty_concurrent_first_runs_all_succeed_and_extract_once() {
    let context = TestContext::new();
    let index = app_index(&context);
    let path = bundle(&context, &index, &["app", "-c", "app", "-o", "app.pyz"]);
    let root = context.temp.path().join("root");
    let children: Vec<_> = (0..20)
        .map(|_| {
            bundle_command(&path, &root)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut extracted = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_success(&output);
        assert!(stdout(&output).starts_with("hello helper"));
        extracted += extractions(&output);
    }
    assert_eq!(extracted, 1);
    let ids: Vec<_> = fs_err::read_dir(&root).unwrap().flatten().collect();
    assert_eq!(ids.len(), 1);
    let leftovers: Vec<String> = fs_err::read_dir(ids[0].path())
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn damaged_bundles_are_refused_and_leave_nothing_behind() {
    let context = TestContext::new();
    let index = app_index(&context);
    let path = bundle(&context, &index, &["app", "-c", "app", "-o", "app.pyz"]);
    let bytes = fs_err::read(&path).unwrap();

    // One byte of a wheel changed after the build.
    let needle = b"hello\n";
    let at = bytes
        .windows(needle.len())
        .position(|window| window == needle);
    // The wheels are compressed: flip a byte in the middle of the first wheel member instead.
    let member = bytes
        .windows(b".wharf/wheels/app-1.0".len())
        .position(|window| window == b".wharf/wheels/app-1.0")
        .unwrap();
    let mut modified = bytes.clone();
    let target = at.unwrap_or(member + 200);
    modified[target] ^= 0x20;
    let modified_path = context.cwd.join("modified.pyz");
    fs_err::write(&modified_path, &modified).unwrap();
    let root = context.temp.path().join("root");
    let output = run_bundle(&modified_path, &root, &[]);
    assert_failure(&output, &["damaged"]);
    assert!(stderr(&output).contains("hint:"), "{}", stderr(&output));
    let left: Vec<String> = walk(&root)
        .into_iter()
        .filter(|path| path.to_string_lossy().contains("site-packages"))
        .map(|path| path.display().to_string())
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // The intact bundle still runs afterwards.
    let output = run_bundle(&path, &root, &[]);
    assert_success(&output);

    // Truncated: the zip directory is gone.
    let truncated_path = context.cwd.join("truncated.pyz");
    fs_err::write(&truncated_path, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let fresh = context.temp.path().join("fresh");
    // Python cannot open the zip, so it reads the file as a script, and the bundle's second
    // line (a coding declaration) stops it with a message that names the problem. When the
    // cut falls just after an embedded wheel, Python finds that wheel's end record instead
    // and says it has no __main__ module; either way nothing runs and nothing is written.
    let output = run_bundle(&truncated_path, &fresh, &[]);
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("this-wharf-bundle-is-damaged") || message.contains("__main__"),
        "{message}"
    );
    // A cut well inside a large wheel (a typical broken download): the coding line speaks.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let blob: Vec<u8> = (0..300_000)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect();
    context.wheel(WheelBuilder::new("bulky", "1.0").file("bulky/blob.bin", blob));
    let big = bundle(&context, &index, &["app", "bulky", "-o", "big.pyz"]);
    let big_bytes = fs_err::read(&big).unwrap();
    let bulky_at = big_bytes
        .windows(b".wharf/wheels/bulky".len())
        .position(|window| window == b".wharf/wheels/bulky")
        .unwrap();
    fs_err::write(&truncated_path, &big_bytes[..bulky_at + 200_000]).unwrap();
    let output = run_bundle(&truncated_path, &fresh, &[]);
    assert_failure(&output, &["this-wharf-bundle-is-damaged"]);
    assert!(!fresh.exists() || walk(&fresh).is_empty());

    // `wharf bundle info` says what is wrong with each.
    let output = context.run(&["bundle", "info", "modified.pyz"]);
    assert_failure(&output, &["damaged", "app-1.0-py3-none-any.whl"]);
    let output = context.run(&["bundle", "info", "truncated.pyz"]);
    assert_failure(&output, &["truncated.pyz"]);
}

#[test]
fn an_unsupported_interpreter_is_told_which_versions_the_bundle_supports() {
    let context = TestContext::new();
    let (major, minor) = base_version();
    let other = format!("{major}.{}", minor + 1);
    let tag = format!(
        "cp{major}{}-cp{major}{}-manylinux_2_17_x86_64",
        minor + 1,
        minor + 1
    );
    context.wheel(WheelBuilder::new("native", "1.0").tag(&tag));
    let index = context.serve(IndexOptions::default());
    let output = context.run(&[
        "bundle",
        "native",
        "-o",
        "native.pyz",
        "-i",
        &index.url,
        "--python-version",
        &other,
        "--platform",
        "manylinux_2_17_x86_64",
    ]);
    assert_success(&output);
    let root = context.temp.path().join("root");
    let output = run_bundle(&context.cwd.join("native.pyz"), &root, &[]);
    assert_failure(
        &output,
        &[&format!("CPython {other}"), &format!("{major}.{minor}")],
    );
    assert!(!root.join("x").exists());
}

#[test]
fn read_only_root_falls_back_to_a_temporary_directory() {
    let context = TestContext::new();
    let index = app_index(&context);
    let path = bundle(&context, &index, &["app", "-c", "app", "-o", "app.pyz"]);
    // A root that cannot be created: a path below a file.
    let blocked = context.temp.path().join("file");
    fs_err::write(&blocked, "").unwrap();
    let tmp = context.temp.path().join("tmp");
    fs_err::create_dir_all(&tmp).unwrap();
    let run = || {
        bundle_command(&path, &blocked.join("root"))
            .env("TMPDIR", &tmp)
            .output()
            .unwrap()
    };
    let output = run();
    assert_success(&output);
    assert!(stdout(&output).starts_with("hello helper"));
    assert_eq!(
        stderr(&output).matches("cannot write to").count(),
        1,
        "{}",
        stderr(&output)
    );
    let output = run();
    assert_success(&output);
    assert_eq!(extractions(&output), 0, "{}", stderr(&output));
}

#[test]
fn venv_tool_materializes_a_virtual_environment() {
    let context = TestContext::new();
    let index = app_index(&context);
    let path = bundle(&context, &index, &["app", "-c", "app", "-o", "app.pyz"]);
    let root = context.temp.path().join("root");
    let venv = context.temp.path().join("venv");
    let output = bundle_command(&path, &root)
        .env("WHARF_BUNDLE_TOOLS", "1")
        .arg("venv")
        .arg(&venv)
        .output()
        .unwrap();
    assert_success(&output);
    let output = Command::new(venv.join("bin/app"))
        .arg("v")
        .output()
        .unwrap();
    assert_success(&output);
    assert!(
        stdout(&output).contains("args=['v']"),
        "{}",
        stdout(&output)
    );
    let output = Command::new(venv.join("bin/python"))
        .args(["-c", "import app, helper, nspkg.one; print('ok')"])
        .output()
        .unwrap();
    assert_success(&output);
    // wharf reads it as an environment like any other.
    let output = context.run(&[
        "list",
        "--venv",
        venv.to_str().unwrap(),
        "--format",
        "freeze",
    ]);
    assert_success(&output);
    let listed = stdout(&output);
    for line in ["app==1.0", "helper==1.5", "nsone==1.0"] {
        assert!(listed.contains(line), "{listed}");
    }
}

#[test]
fn info_shows_entry_targets_and_dependencies() {
    let context = TestContext::new();
    let index = app_index(&context);
    bundle(
        &context,
        &index,
        &[
            "app",
            "-c",
            "app",
            "-o",
            "app.pyz",
            "--inject-env",
            "APP_EXIT=4",
        ],
    );
    let output = context.run(&["bundle", "info", "app.pyz"]);
    assert_success(&output);
    let text = stdout(&output);
    for expected in [
        "entry point: app.cli:main (console script `app`)",
        "environment: APP_EXIT=4",
        "Python 3.",
        "app 1.0",
        "helper 1.5",
        "nsone 1.0",
        "verified:",
    ] {
        assert!(text.contains(expected), "{expected} not in\n{text}");
    }
    let output = context.run(&["bundle", "info", "app.pyz", "--json"]);
    assert_success(&output);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["manifest"]["console_script"], "app");
    assert_eq!(json["problems"].as_array().unwrap().len(), 0);

    // The injected variable is a default: the caller's value wins.
    let root = context.temp.path().join("root");
    let output = run_bundle(&context.cwd.join("app.pyz"), &root, &[]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let output = bundle_command(&context.cwd.join("app.pyz"), &root)
        .env("APP_EXIT", "0")
        .output()
        .unwrap();
    assert_success(&output);
}

#[test]
fn cache_prune_removes_stale_extractions() {
    let context = TestContext::new();
    let index = app_index(&context);
    let path = bundle(&context, &index, &["app", "-c", "app", "-o", "app.pyz"]);
    let root = context.cache.join("bundles-v1");
    let output = bundle_command(&path, &root)
        .env_remove("WHARF_ROOT")
        .env("WHARF_CACHE_DIR", &context.cache)
        .output()
        .unwrap();
    assert_success(&output);
    let id_dir = fs_err::read_dir(&root)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let key_dir = fs_err::read_dir(&id_dir)
        .unwrap()
        .flatten()
        .find(|entry| entry.file_type().unwrap().is_dir())
        .unwrap()
        .path();
    // Used recently: kept.
    assert_success(&context.run(&["cache", "prune"]));
    assert!(key_dir.exists());
    // Unused for a month: removed; the next run extracts again.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(30 * 86_400);
    std::fs::File::open(&key_dir)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_success(&context.run(&["cache", "prune"]));
    assert!(!key_dir.exists());
    let output = bundle_command(&path, &root)
        .env_remove("WHARF_ROOT")
        .env("WHARF_CACHE_DIR", &context.cache)
        .output()
        .unwrap();
    assert_success(&output);
    assert_eq!(extractions(&output), 1);
}

fn base_version() -> (u32, u32) {
    let output = Command::new(base_python())
        .args(["-c", "import sys; print(*sys.version_info[:2])"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let mut parts = text.split_whitespace().map(|part| part.parse().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

#[test]
fn one_bundle_carries_several_targets_and_picks_at_run_time() {
    if std::env::consts::ARCH != "x86_64" {
        return;
    }
    let context = TestContext::new();
    let (major, minor) = base_version();
    for minor in [minor, minor + 1] {
        let tag = format!("cp{major}{minor}-cp{major}{minor}-manylinux_2_17_x86_64");
        context.wheel(
            WheelBuilder::new("native", "1.0")
                .tag(&tag)
                .without_module()
                .file(
                    "native/__init__.py",
                    format!("WHICH = 'cp{major}{minor}'\n"),
                ),
        );
    }
    let index = context.serve(IndexOptions::default());
    let this = format!("{major}.{minor}");
    let next = format!("{major}.{}", minor + 1);
    let output = context.run(&[
        "bundle",
        "native",
        "-o",
        "native.pyz",
        "-i",
        &index.url,
        "--python-version",
        &next,
        "--python-version",
        &this,
        "--platform",
        "manylinux_2_17_x86_64",
    ]);
    assert_success(&output);
    // Two interpreter versions: the shebang names none of them.
    let bytes = fs_err::read(context.cwd.join("native.pyz")).unwrap();
    assert!(bytes.starts_with(b"#!/usr/bin/env python3\n"));
    let info = context.run(&["bundle", "info", "native.pyz"]);
    assert_success(&info);
    assert_eq!(
        stdout(&info).matches("native 1.0").count(),
        2,
        "{}",
        stdout(&info)
    );

    let root = context.temp.path().join("root");
    let output = run_bundle(
        &context.cwd.join("native.pyz"),
        &root,
        &["-c", "import native; print(native.WHICH)"],
    );
    assert_success(&output);
    assert_eq!(stdout(&output).trim(), format!("cp{major}{minor}"));
}

#[test]
fn compile_ships_bytecode_that_is_used_as_it_is() {
    let context = TestContext::new();
    let index = app_index(&context);
    let path = bundle(
        &context,
        &index,
        &["app", "-c", "app", "-o", "app.pyz", "--compile"],
    );
    let info = context.run(&["bundle", "info", "app.pyz"]);
    assert!(
        stdout(&info).contains("with precompiled bytecode"),
        "{}",
        stdout(&info)
    );
    let root = context.temp.path().join("root");
    let output = bundle_command(&path, &root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    assert_success(&output);
    let pycs: Vec<String> = walk(&root)
        .into_iter()
        .map(|path| path.display().to_string())
        .filter(|path| path.contains("/app/__pycache__/cli.") && path.ends_with(".pyc"))
        .collect();
    assert_eq!(pycs.len(), 1, "{pycs:?}");
    // Reproducible with bytecode too.
    let again = bundle(
        &context,
        &index,
        &["app", "-c", "app", "-o", "again/app.pyz", "--compile"],
    );
    assert!(
        fs_err::read(&path).unwrap() == fs_err::read(&again).unwrap(),
        "two --compile builds differ"
    );
}

#[test]
fn a_crashed_extraction_is_never_used() {
    let context = TestContext::new();
    let index = app_index(&context);
    let path = bundle(&context, &index, &["app", "-c", "app", "-o", "app.pyz"]);
    let info = context.run(&["bundle", "info", "app.pyz", "--json"]);
    assert_success(&info);
    let json: serde_json::Value = serde_json::from_str(&stdout(&info)).unwrap();
    let id = json["id"].as_str().unwrap();
    let key = json["manifest"]["targets"][0]["key"].as_str().unwrap();
    // What a first run killed mid-way leaves: a half-written temporary directory and the
    // lock file (the lock itself died with the process).
    let root = context.temp.path().join("root");
    let leftover = root.join(id).join(format!(".tmp-{key}-4242-deadbeef"));
    fs_err::create_dir_all(leftover.join("site-packages/app")).unwrap();
    fs_err::write(
        leftover.join("site-packages/app/cli.py"),
        "raise SystemExit('half-written')\n",
    )
    .unwrap();
    fs_err::write(root.join(id).join(format!("{key}.lock")), "").unwrap();

    let output = run_bundle(&path, &root, &[]);
    assert_success(&output);
    assert!(
        stdout(&output).starts_with("hello helper"),
        "{}",
        stdout(&output)
    );
    assert_eq!(extractions(&output), 1);
    assert!(!leftover.exists(), "the leftover was not cleaned up");

    // A real first run killed at several points (before, during or after unpacking): the
    // next run always works.
    for delay in [5, 20, 40, 80] {
        let fresh = context.temp.path().join(format!("killed-{delay}"));
        let mut child = bundle_command(&path, &fresh)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let output = run_bundle(&path, &fresh, &[]);
        assert_success(&output);
        assert!(
            stdout(&output).starts_with("hello helper"),
            "{}",
            stdout(&output)
        );
    }
}

#[test]
fn bad_arguments_say_what_to_do_and_write_nothing() {
    let context = TestContext::new();
    let index = app_index(&context);
    let python = base_python().to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["bundle", "-i", &index.url, "--python", &python];
        all.extend(args);
        context.run(&all)
    };
    assert_failure(&run(&["app", "-c", "app"]), &["no output file", "-o"]);
    assert_failure(
        &run(&["app", "-o", "a.pyz", "--inject-env", "NOVALUE"]),
        &["--inject-env", "KEY=VALUE"],
    );
    assert_failure(
        &run(&["app", "-o", "a.pyz", "--script", "missing.py"]),
        &["missing.py", "does not exist"],
    );
    assert_failure(&run(&["-o", "a.pyz"]), &["no requirements"]);
    assert_failure(
        &run(&["nonexistent-project", "-o", "a.pyz"]),
        &["nonexistent-project"],
    );
    assert!(!context.cwd.join("a.pyz").exists());

    fs_err::write(context.cwd.join("plain.zip"), b"not a zip").unwrap();
    assert_failure(
        &context.run(&["bundle", "info", "plain.zip"]),
        &["plain.zip", "hint:"],
    );
}
