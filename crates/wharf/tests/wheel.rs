//! `wharf wheel`: wheelhouses that pip and wharf install from offline, builds for what has
//! no wheel, skipping what is already there, and collecting for foreign targets.

mod common;

use common::*;
use wharf_test_support::project::{ProjectBuilder, backend_wheel};

fn fixture_set(context: &TestContext) -> IndexServer {
    context.wheel(backend_wheel());
    context.wheel(
        WheelBuilder::new("app", "1.0")
            .requires("helper>=1")
            .requires("srconly")
            .file("app/__init__.py", "VERSION = '1.0'\n"),
    );
    context.wheel(WheelBuilder::new("helper", "1.5"));
    ProjectBuilder::new("srconly", "0.2").sdist(&context.wheels, &[]);
    context.serve(IndexOptions::default())
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs_err::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn wheelhouse_installs_offline_with_pip_and_wharf() {
    let context = TestContext::new();
    let index = fixture_set(&context);
    fs_err::write(context.cwd.join("requirements.txt"), "app\n").unwrap();
    let output = context.run(&[
        "wheel",
        "-r",
        "requirements.txt",
        "-w",
        "wheelhouse",
        "-i",
        &index.url,
        "--json",
    ]);
    assert_success(&output);
    let wheelhouse = context.cwd.join("wheelhouse");
    assert_eq!(
        names(&wheelhouse),
        [
            "app-1.0-py3-none-any.whl",
            "helper-1.5-py3-none-any.whl",
            "srconly-0.2-py3-none-any.whl"
        ]
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let actions: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["downloaded", "downloaded", "built"]);

    // A second run finds everything in place.
    index.clear_log();
    let output = context.run(&[
        "wheel",
        "-r",
        "requirements.txt",
        "-w",
        "wheelhouse",
        "-i",
        &index.url,
    ]);
    assert_success(&output);
    assert!(
        stderr(&output).contains("3 already present"),
        "{}",
        stderr(&output)
    );
    assert!(!index.request_log().iter().any(|line| line.contains(".whl")));

    // pip installs from it with no index.
    let output = context.run(&[
        "venv",
        "--seed",
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_success(&output);
    let venv = context.cwd.join(".venv");
    let output = context.pip(
        &venv,
        &[
            "install",
            "--no-index",
            "-f",
            wheelhouse.to_str().unwrap(),
            "-r",
            "requirements.txt",
        ],
    );
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    let check = context.python("import app, srconly; print(app.VERSION, srconly.VERSION)");
    assert_eq!(stdout(&check).trim(), "1.0 0.2");

    // And so does wharf.
    fs_err::remove_dir_all(&venv).unwrap();
    context.venv();
    let output = context.run(&[
        "install",
        "--no-index",
        "-f",
        wheelhouse.to_str().unwrap(),
        "-r",
        "requirements.txt",
    ]);
    assert_success(&output);
    assert!(!stderr(&output).contains("Built"), "{}", stderr(&output));
    let check = context.python("import app, srconly; print(app.VERSION, srconly.VERSION)");
    assert_eq!(stdout(&check).trim(), "1.0 0.2");
}

#[test]
fn foreign_targets_collect_without_building() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("native", "1.0").tag("cp39-cp39-manylinux2014_x86_64"));
    context.wheel(WheelBuilder::new("native", "1.0").tag("cp39-cp39-macosx_11_0_arm64"));
    context.wheel(WheelBuilder::new("native", "1.0").tag("cp312-cp312-manylinux2014_x86_64"));
    let index = context.serve(IndexOptions::default());
    let output = context.run(&[
        "wheel",
        "native",
        "-w",
        "out",
        "-i",
        &index.url,
        "--python-version",
        "3.9",
        "--platform",
        "manylinux2014_x86_64",
        "--platform",
        "macosx_11_0_arm64",
    ]);
    assert_success(&output);
    assert_eq!(
        names(&context.cwd.join("out")),
        [
            "native-1.0-cp39-cp39-macosx_11_0_arm64.whl",
            "native-1.0-cp39-cp39-manylinux2014_x86_64.whl"
        ]
    );

    // An sdist-only project cannot be collected for another target: it says so.
    ProjectBuilder::new("srconly", "0.2").sdist(&context.wheels, &[]);
    let output = context.run(&[
        "wheel",
        "srconly",
        "-w",
        "out",
        "-i",
        &index.url,
        "--python-version",
        "3.9",
        "--platform",
        "manylinux2014_x86_64",
    ]);
    assert_failure(&output, &["srconly", "source distribution", "--platform"]);
}

#[test]
fn a_failed_build_leaves_the_wheelhouse_as_it_was() {
    let context = TestContext::new();
    context.wheel(backend_wheel());
    context.wheel(WheelBuilder::new("helper", "1.5"));
    ProjectBuilder::new("broken", "1.0")
        .option("crash", "build_wheel".into())
        .sdist(&context.wheels, &[]);
    let index = context.serve(IndexOptions::default());
    fs_err::create_dir_all(context.cwd.join("wh")).unwrap();
    let output = context.run(&["wheel", "helper", "broken", "-w", "wh", "-i", &index.url]);
    assert_failure(
        &output,
        &["failed to build broken-1.0.tar.gz", "RuntimeError"],
    );
    assert!(
        names(&context.cwd.join("wh")).is_empty(),
        "{:?}",
        names(&context.cwd.join("wh"))
    );
}
