//! Interoperability with pip: environments made by wharf read by pip, environments made by
//! pip read by wharf, and the same `freeze` output from both. pip is the one bundled with
//! the base interpreter (ensurepip), so nothing here touches the network.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// `lib/pythonX.Y/site-packages` of a venv.
fn site_packages(venv: &Path) -> PathBuf {
    fs_err::read_dir(venv.join("lib"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("site-packages"))
        .find(|path| path.is_dir())
        .expect("the venv has a site-packages")
}

/// The fixture set: a console script, an extra, a dependency chain, and a wheel installed
/// by path (which gets a `direct_url.json`). Returns the path of that wheel.
fn fixtures(context: &TestContext) -> PathBuf {
    context.wheel(
        WheelBuilder::new("Tool", "1.0")
            .requires("helper>=1")
            .extra("fast", &["speedup"])
            .console_script("tool-cli", "tool:main")
            .metadata_field("Summary", "A tool with a script")
            .file(
                "tool/__init__.py",
                "def main():\n    print('tool says hi')\n",
            ),
    );
    context.wheel(WheelBuilder::new("helper", "1.5"));
    context.wheel(WheelBuilder::new("helper", "2.0"));
    context.wheel(WheelBuilder::new("speedup", "0.3"));
    let local_dir = context.temp.path().join("local");
    fs_err::create_dir_all(&local_dir).unwrap();
    WheelBuilder::new("local-thing", "0.1").build(&local_dir)
}

/// A venv made by wharf with pip seeded into it, holding the fixture set.
fn wharf_made(context: &TestContext) -> PathBuf {
    let local = fixtures(context);
    let output = context.run(&[
        "venv",
        "--seed",
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_success(&output);
    let wheels = context.wheels.to_str().unwrap();
    let output = context.run(&[
        "install",
        "--no-index",
        "-f",
        wheels,
        "tool[fast]",
        "helper<2",
        local.to_str().unwrap(),
    ]);
    assert_success(&output);
    context.cwd.join(".venv")
}

/// A venv made by `python -m venv` with the fixture set installed by pip.
fn pip_made(context: &TestContext) -> PathBuf {
    let local = fixtures(context);
    let venv = context.cwd.join("pip-env");
    let output = Command::new(base_python())
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .unwrap();
    assert_success(&output);
    let wheels = context.wheels.to_str().unwrap();
    let output = context.pip(
        &venv,
        &[
            "install",
            "--no-index",
            "-f",
            wheels,
            "tool[fast]",
            "helper<2",
            local.to_str().unwrap(),
        ],
    );
    assert_success(&output);
    venv
}

/// `pip list --format json` or `wharf list --format json` as name → version.
fn listing(output: &Output) -> BTreeMap<String, String> {
    assert_success(output);
    let list: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    list.iter()
        .map(|item| {
            (
                item["name"].as_str().unwrap().to_string(),
                item["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn seeded_venv_runs_pip() {
    let context = TestContext::new();
    let output = context.run(&[
        "venv",
        "--seed",
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_success(&output);
    assert!(stderr(&output).contains("+ pip=="), "{}", stderr(&output));
    let venv = context.cwd.join(".venv");
    let version = context.pip(&venv, &["--version"]);
    assert_success(&version);
    let text = stdout(&version);
    // pip runs from the environment's own site-packages, not the base interpreter's.
    assert!(text.starts_with("pip "), "{text}");
    assert!(
        text.contains(&venv.join("lib").display().to_string()),
        "{text}"
    );
    // pip's own console scripts were written by the installer.
    assert!(venv.join("bin/pip").is_file());
    let script = Command::new(venv.join("bin/pip"))
        .arg("--version")
        .output()
        .unwrap();
    assert_success(&script);
}

#[test]
fn pip_reads_an_environment_made_by_wharf() {
    let context = TestContext::new();
    let venv = wharf_made(&context);
    let packages = listing(&context.pip(&venv, &["list", "--format", "json"]));
    let names: Vec<&str> = packages.keys().map(String::as_str).collect();
    assert_eq!(names, ["Tool", "helper", "local-thing", "pip", "speedup"]);
    assert_eq!(packages["Tool"], "1.0");
    assert_eq!(packages["helper"], "1.5");
    assert_eq!(packages["local-thing"], "0.1");

    let check = context.pip(&venv, &["check"]);
    assert_success(&check);
    assert_eq!(stdout(&check).trim(), "No broken requirements found.");

    let show = context.pip(&venv, &["show", "tool", "helper"]);
    assert_success(&show);
    let text = stdout(&show);
    for line in [
        "Name: Tool",
        "Version: 1.0",
        "Summary: A tool with a script",
        "Requires: helper",
        "Name: helper",
        "Required-by: Tool",
    ] {
        assert!(
            text.lines().any(|shown| shown == line),
            "pip show lacks `{line}`:\n{text}"
        );
    }
    let location = format!("Location: {}", site_packages(&venv).display());
    assert!(text.contains(&location), "{text}");

    // pip sees the files wharf recorded, the console script included.
    let files = context.pip(&venv, &["show", "--files", "tool"]);
    assert!(
        stdout(&files).contains("../../../bin/tool-cli"),
        "{}",
        stdout(&files)
    );
    let script = Command::new(venv.join("bin/tool-cli")).output().unwrap();
    assert_eq!(stdout(&script).trim(), "tool says hi");

    // The path install carries PEP 610 data pip understands.
    let inspect = context.pip(&venv, &["inspect"]);
    assert_success(&inspect);
    let report: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    let local = report["installed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["metadata"]["name"] == "local-thing")
        .expect("pip inspect lists local-thing");
    let url = local["direct_url"]["url"].as_str().unwrap();
    assert!(
        url.starts_with("file://") && url.ends_with("local_thing-0.1-py3-none-any.whl"),
        "{url}"
    );
    assert!(local["direct_url"]["archive_info"].is_object(), "{local}");
    assert_eq!(local["installer"], "wharf");
    assert_eq!(local["requested"], true);
}

#[test]
fn freeze_matches_pip_on_an_environment_made_by_wharf() {
    let context = TestContext::new();
    let venv = wharf_made(&context);
    let theirs = context.pip(&venv, &["freeze"]);
    assert_success(&theirs);
    let ours = context.run(&["freeze"]);
    assert_success(&ours);
    assert_eq!(stdout(&ours), stdout(&theirs));
    assert!(
        stdout(&ours).contains("local-thing @ file://"),
        "{}",
        stdout(&ours)
    );
    let all_theirs = context.pip(&venv, &["freeze", "--all"]);
    let all_ours = context.run(&["freeze", "--all"]);
    assert_eq!(stdout(&all_ours), stdout(&all_theirs));
}

#[test]
fn wharf_reads_an_environment_made_by_pip() {
    let context = TestContext::new();
    let venv = pip_made(&context);
    let venv_arg = venv.to_str().unwrap();

    // Line by line; the path install's line is compared without pip's `#sha256=` fragment,
    // which `freeze_matches_pip_on_an_environment_made_by_pip` checks exactly.
    let without_fragment = |text: String| -> String {
        text.lines()
            .map(|line| line.split_once('#').map_or(line, |(url, _)| url))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let theirs = context.pip(&venv, &["freeze"]);
    assert_success(&theirs);
    let ours = context.run(&["freeze", "--venv", venv_arg]);
    assert_success(&ours);
    assert_eq!(
        without_fragment(stdout(&ours)),
        without_fragment(stdout(&theirs))
    );
    let text = stdout(&ours);
    assert!(
        text.contains("Tool==1.0\n") && text.contains("local-thing @ file://"),
        "{text}"
    );
    let all_theirs = context.pip(&venv, &["freeze", "--all"]);
    let all_ours = context.run(&["freeze", "--all", "--venv", venv_arg]);
    assert_eq!(
        without_fragment(stdout(&all_ours)),
        without_fragment(stdout(&all_theirs))
    );
    assert!(
        stdout(&all_ours).contains("\npip=="),
        "{}",
        stdout(&all_ours)
    );

    // `wharf list --format json` agrees with `pip list --format json`, pip and setuptools too.
    let ours = listing(&context.run(&["list", "--format", "json", "--venv", venv_arg]));
    let theirs = listing(&context.pip(&venv, &["list", "--format", "json"]));
    assert_eq!(ours, theirs);

    let check = context.run(&["check", "--venv", venv_arg]);
    assert_success(&check);
    assert_eq!(stdout(&check).trim(), "No broken requirements found.");

    let show = context.run(&["show", "helper", "--venv", venv_arg]);
    assert_success(&show);
    assert!(
        stdout(&show).contains("Required-by: Tool"),
        "{}",
        stdout(&show)
    );
}

#[test]
fn freeze_matches_pip_on_an_environment_made_by_pip_without_url_installs() {
    let context = TestContext::new();
    fixtures(&context);
    let venv = context.cwd.join("pip-env");
    assert_success(
        &Command::new(base_python())
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .unwrap(),
    );
    let wheels = context.wheels.to_str().unwrap();
    assert_success(&context.pip(
        &venv,
        &["install", "--no-index", "-f", wheels, "tool[fast]"],
    ));
    let theirs = context.pip(&venv, &["freeze"]);
    let ours = context.run(&["freeze", "--venv", venv.to_str().unwrap()]);
    assert_success(&ours);
    assert_eq!(stdout(&ours), stdout(&theirs));
    assert_eq!(stdout(&ours), "helper==2.0\nspeedup==0.3\nTool==1.0\n");
}

#[test]

fn freeze_matches_pip_on_an_environment_made_by_pip() {
    let context = TestContext::new();
    let venv = pip_made(&context);
    let theirs = context.pip(&venv, &["freeze"]);
    assert_success(&theirs);
    assert!(
        stdout(&theirs).contains(".whl#sha256="),
        "{}",
        stdout(&theirs)
    );
    let ours = context.run(&["freeze", "--venv", venv.to_str().unwrap()]);
    assert_success(&ours);
    assert_eq!(stdout(&ours), stdout(&theirs));
}

#[test]
fn wharf_uninstalls_what_pip_installed() {
    let context = TestContext::new();
    let venv = pip_made(&context);
    let venv_arg = venv.to_str().unwrap();
    assert!(venv.join("bin/tool-cli").is_file());
    let output = context.run(&["uninstall", "tool", "local-thing", "--venv", venv_arg]);
    assert_success(&output);
    let packages = listing(&context.pip(&venv, &["list", "--format", "json"]));
    assert!(
        !packages.contains_key("Tool") && !packages.contains_key("local-thing"),
        "{packages:?}"
    );
    assert!(packages.contains_key("helper"), "{packages:?}");
    assert!(!venv.join("bin/tool-cli").exists());
    let leftovers: Vec<String> = fs_err::read_dir(site_packages(&venv))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("tool") || name.starts_with("local_thing"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn pip_uninstalls_what_wharf_installed() {
    let context = TestContext::new();
    let venv = wharf_made(&context);
    let output = context.pip(&venv, &["uninstall", "-y", "tool", "local-thing"]);
    assert_success(&output);
    assert!(!venv.join("bin/tool-cli").exists());
    assert_eq!(
        stdout(&context.run(&["freeze"])),
        "helper==1.5\nspeedup==0.3\n"
    );
    let leftovers: Vec<String> = fs_err::read_dir(site_packages(&venv))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("tool") || name.starts_with("local_thing"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn show_and_check_match_pip() {
    let context = TestContext::new();
    let venv = wharf_made(&context);
    let theirs = context.pip(&venv, &["show", "tool", "helper", "local-thing"]);
    assert_success(&theirs);
    let ours = context.run(&["show", "tool", "helper", "local-thing"]);
    assert_success(&ours);
    assert_eq!(stdout(&ours), stdout(&theirs));

    // Break the environment twice over: a missing and a conflicting dependency. speedup is
    // only needed by tool's `fast` extra, so removing it breaks nothing for either tool.
    assert_success(&context.run(&["uninstall", "speedup"]));
    let wheels = context.wheels.to_str().unwrap();
    assert_success(&context.pip(
        &venv,
        &[
            "install",
            "--no-index",
            "--no-deps",
            "-f",
            wheels,
            "helper==1.5",
        ],
    ));
    context.wheel(
        WheelBuilder::new("needs-new-helper", "1.0")
            .requires("helper>=2")
            .requires("gone"),
    );
    assert_success(&context.run(&[
        "install",
        "--no-deps",
        "--no-index",
        "-f",
        wheels,
        "needs-new-helper",
    ]));
    let theirs = context.pip(&venv, &["check"]);
    let ours = context.run(&["check"]);
    assert_eq!(ours.status.code(), Some(1));
    assert_eq!(theirs.status.code(), Some(1));
    let sorted = |output: &Output| {
        let mut lines: Vec<String> = stdout(output).lines().map(str::to_string).collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted(&ours), sorted(&theirs));
    assert_eq!(
        sorted(&ours),
        [
            "needs-new-helper 1.0 has requirement helper>=2, but you have helper 1.5.",
            "needs-new-helper 1.0 requires gone, which is not installed.",
        ]
    );
}
