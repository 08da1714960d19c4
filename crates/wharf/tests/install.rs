//! `wharf install` against a local index: the happy paths, and bad input that must leave
//! the environment as it was.

mod common;

use common::*;

fn fixture_set(context: &TestContext) {
    context.wheel(
        WheelBuilder::new("app", "1.0")
            .requires("helper>=1")
            .console_script("app-cli", "app:main")
            .file(
                "app/__init__.py",
                "__version__ = '1.0'\ndef main():\n    print('app says hi')\n",
            ),
    );
    context.wheel(
        WheelBuilder::new("app", "2.0")
            .requires("helper>=2")
            .console_script("app-cli", "app:main")
            .file(
                "app/__init__.py",
                "__version__ = '2.0'\ndef main():\n    print('app 2 says hi')\n",
            ),
    );
    context.wheel(WheelBuilder::new("helper", "1.5"));
    context.wheel(WheelBuilder::new("helper", "2.1").extra("fast", &["speedup"]));
    context.wheel(WheelBuilder::new("speedup", "0.3"));
}

#[test]
fn installs_from_html_index_with_dependencies_and_scripts() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    let output = context.run(&["install", "app", "-i", &index.url]);
    assert_success(&output);
    let err = stderr(&output);
    assert!(
        err.contains("+ app==2.0") && err.contains("+ helper==2.1"),
        "{err}"
    );
    let check = context.python("import app, helper; print(app.__version__, helper.__version__)");
    assert_eq!(stdout(&check).trim(), "2.0 2.1");
    let script = std::process::Command::new(context.cwd.join(".venv/bin/app-cli"))
        .output()
        .unwrap();
    assert_eq!(stdout(&script).trim(), "app 2 says hi");
    let freeze = context.run(&["freeze"]);
    assert_eq!(stdout(&freeze), "app==2.0\nhelper==2.1\n");
    // A second install changes nothing and says so.
    let again = context.run(&["install", "app", "-i", &index.url]);
    assert_success(&again);
    assert!(stderr(&again).contains("Audited"), "{}", stderr(&again));
}

#[test]
fn installs_from_json_index_with_metadata_files() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions {
        json: true,
        metadata_files: true,
        ..IndexOptions::default()
    });
    context.venv();
    assert_success(&context.run(&["install", "app", "helper[fast]", "-i", &index.url]));
    let freeze = stdout(&context.run(&["freeze"]));
    assert_eq!(freeze, "app==2.0\nhelper==2.1\nspeedup==0.3\n");
    // Resolution read .metadata files; only the chosen wheels were downloaded.
    let log = index.request_log();
    assert!(
        log.iter().any(|line| line.ends_with(".whl.metadata")),
        "{log:?}"
    );
    assert!(!log.iter().any(|line| line.contains("app-1.0")), "{log:?}");
}

#[test]
fn installs_from_find_links_without_index() {
    let context = TestContext::new();
    fixture_set(&context);
    context.venv();
    let wheels = context.wheels.to_str().unwrap();
    assert_success(&context.run(&["install", "--no-index", "-f", wheels, "app==1.0"]));
    assert_eq!(stdout(&context.run(&["freeze"])), "app==1.0\nhelper==2.1\n");
}

#[test]
fn installs_wheel_file_by_path_with_direct_url() {
    let context = TestContext::new();
    let wheel = context.wheel(WheelBuilder::new("local-thing", "0.1"));
    context.venv();
    assert_success(&context.run(&["install", "--no-index", wheel.to_str().unwrap()]));
    let freeze = stdout(&context.run(&["freeze"]));
    assert!(
        freeze.starts_with("local-thing @ file://") || freeze.starts_with("local_thing @ file://"),
        "{freeze}"
    );
    let direct = context.python(
        "import importlib.metadata as m, json; print(json.loads(m.distribution('local-thing').read_text('direct_url.json'))['url'])",
    );
    assert!(
        stdout(&direct).trim().starts_with("file://"),
        "{}",
        stderr(&direct)
    );
}

#[test]
fn keeps_installed_versions_unless_upgrading() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    assert_success(&context.run(&["install", "app==1.0", "helper==1.5", "-i", &index.url]));
    assert_success(&context.run(&["install", "app", "-i", &index.url]));
    assert_eq!(stdout(&context.run(&["freeze"])), "app==1.0\nhelper==1.5\n");
    let upgrade = context.run(&["install", "-U", "app", "-i", &index.url]);
    assert_success(&upgrade);
    assert!(
        stderr(&upgrade).contains("- app==1.0"),
        "{}",
        stderr(&upgrade)
    );
    assert_eq!(stdout(&context.run(&["freeze"])), "app==2.0\nhelper==2.1\n");
}

#[test]
fn uninstall_removes_exactly_what_was_installed() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    let before = context.site_packages_listing();
    let bin_before = fs_err::read_dir(context.cwd.join(".venv/bin"))
        .unwrap()
        .count();
    assert_success(&context.run(&["install", "app", "-i", &index.url]));
    assert_success(&context.run(&["uninstall", "app", "helper"]));
    assert_eq!(context.site_packages_listing(), before);
    assert_eq!(
        fs_err::read_dir(context.cwd.join(".venv/bin"))
            .unwrap()
            .count(),
        bin_before
    );
}

#[test]
fn dry_run_with_report_changes_nothing() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    let report = context.cwd.join("report.json");
    let output = context.run(&[
        "install",
        "--dry-run",
        "--report",
        report.to_str().unwrap(),
        "app",
        "-i",
        &index.url,
    ]);
    assert_success(&output);
    assert!(
        stderr(&output).contains("Would install app-2.0 helper-2.1"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&context.run(&["freeze"])), "");
    let report: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&report).unwrap()).unwrap();
    let names: Vec<String> = report["install"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            format!(
                "{}=={}",
                item["metadata"]["name"].as_str().unwrap(),
                item["metadata"]["version"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(names, ["app==2.0", "helper==2.1"]);
    assert_eq!(report["install"][0]["requested"], true);
    assert_eq!(report["install"][1]["requested"], false);
}

#[test]
fn first_index_wins_against_dependency_confusion() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("internal-tool", "1.0"));
    let private = context.serve(IndexOptions::default());
    let public_dir = context.temp.path().join("public");
    fs_err::create_dir_all(&public_dir).unwrap();
    WheelBuilder::new("internal-tool", "99.0").build(&public_dir);
    WheelBuilder::new("other", "1.0").build(&public_dir);
    let public = IndexServer::serve(&public_dir, IndexOptions::default());
    context.venv();
    let output = context.run(&[
        "install",
        "internal-tool",
        "other",
        "-i",
        &private.url,
        "--extra-index-url",
        &public.url,
    ]);
    assert_success(&output);
    assert_eq!(
        stdout(&context.run(&["freeze"])),
        "internal-tool==1.0\nother==1.0\n"
    );
    let asked = public.request_log();
    assert!(
        !asked.iter().any(|line| line.contains("internal-tool")),
        "{asked:?}"
    );
    // pip's behaviour, when asked for explicitly, merges indexes.
    let merged = context.run(&[
        "install",
        "-U",
        "internal-tool",
        "-i",
        &private.url,
        "--extra-index-url",
        &public.url,
        "--index-strategy",
        "unsafe-best-match",
    ]);
    assert_success(&merged);
    assert!(stdout(&context.run(&["freeze"])).contains("internal-tool==99.0"));
}

#[test]
fn requirements_file_with_hashes_and_constraints() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    let app = WheelBuilder::new("app", "1.0")
        .requires("helper>=1")
        .console_script("app-cli", "app:main")
        .file(
            "app/__init__.py",
            "__version__ = '1.0'\ndef main():\n    print('app says hi')\n",
        );
    let helper = WheelBuilder::new("helper", "1.5");
    fs_err::write(
        context.cwd.join("requirements.txt"),
        format!(
            "# pinned\n--index-url {}\napp==1.0 \\\n    --hash=sha256:{}\nhelper==1.5 --hash=sha256:{}\n",
            index.url,
            app.sha256(),
            helper.sha256()
        ),
    )
    .unwrap();
    assert_success(&context.run(&["install", "-r", "requirements.txt"]));
    assert_eq!(stdout(&context.run(&["freeze"])), "app==1.0\nhelper==1.5\n");

    fs_err::write(context.cwd.join("constraints.txt"), "helper<2\n").unwrap();
    assert_success(&context.run(&["uninstall", "app", "helper"]));
    assert_success(
        &context
            .run(&[
                "install",
                "app==2.0",
                "-c",
                "constraints.txt",
                "-i",
                &index.url,
            ])
            .status
            .success()
            .then_some(())
            .map_or_else(
                || {
                    context.run(&[
                        "install",
                        "app==1.0",
                        "-c",
                        "constraints.txt",
                        "-i",
                        &index.url,
                    ])
                },
                |()| panic!("app 2.0 needs helper>=2, which the constraint forbids"),
            ),
    );
    assert_eq!(stdout(&context.run(&["freeze"])), "app==1.0\nhelper==1.5\n");
}

#[test]
fn wrong_hash_in_requirements_changes_nothing() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    let before = context.site_packages_listing();
    fs_err::write(
        context.cwd.join("requirements.txt"),
        format!("helper==1.5 --hash=sha256:{}\n", "0".repeat(64)),
    )
    .unwrap();
    let output = context.run(&["install", "-r", "requirements.txt", "-i", &index.url]);
    assert_failure(&output, &["helper"]);
    assert_eq!(context.site_packages_listing(), before);
}

#[test]
fn unpinned_requirement_in_hash_mode_is_refused() {
    let context = TestContext::new();
    context.venv();
    fs_err::write(context.cwd.join("requirements.txt"), "helper>=1 --hash=sha256:abc0000000000000000000000000000000000000000000000000000000000000\n").unwrap();
    let output = context.run(&["install", "-r", "requirements.txt", "--no-index"]);
    assert_failure(&output, &["not pinned", "hint:"]);
}

#[test]
fn target_directory_install() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    let target = context.cwd.join("vendor");
    context.venv();
    assert_success(&context.run(&[
        "install",
        "--target",
        target.to_str().unwrap(),
        "helper",
        "-i",
        &index.url,
    ]));
    assert!(target.join("helper/__init__.py").is_file());
    assert_eq!(stdout(&context.run(&["freeze"])), "");
}

#[test]
fn satisfied_requirements_ask_no_index() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    assert_success(&context.run(&["install", "app", "helper[fast]", "-i", &index.url]));
    index.clear_log();
    let again = context.run(&["install", "app>=1", "helper[fast]", "-i", &index.url]);
    assert_success(&again);
    assert!(
        stderr(&again).contains("Audited 3 packages"),
        "{}",
        stderr(&again)
    );
    assert!(index.request_log().is_empty(), "{:?}", index.request_log());
    // A requirement the environment does not satisfy goes to the index.
    let upgrade = context.run(&["install", "app==1.0", "-i", &index.url]);
    assert_success(&upgrade);
    assert!(!index.request_log().is_empty());
    assert_eq!(
        stdout(&context.run(&["freeze"])),
        "app==1.0\nhelper==2.1\nspeedup==0.3\n"
    );
}

#[test]
fn concurrent_installs_share_one_cold_cache() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    let python = base_python().to_str().unwrap().to_string();
    let venvs: Vec<std::path::PathBuf> = (0..4)
        .map(|i| context.cwd.join(format!("env{i}")))
        .collect();
    for venv in &venvs {
        assert_success(&context.run(&["venv", venv.to_str().unwrap(), "--python", &python]));
    }
    let children: Vec<_> = venvs
        .iter()
        .map(|venv| {
            context
                .wharf()
                .args([
                    "install",
                    "app",
                    "helper[fast]",
                    "-i",
                    &index.url,
                    "--venv",
                    venv.to_str().unwrap(),
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        assert_success(&child.wait_with_output().unwrap());
    }
    for venv in &venvs {
        let output = context.run(&["freeze", "--venv", venv.to_str().unwrap()]);
        assert_eq!(stdout(&output), "app==2.0\nhelper==2.1\nspeedup==0.3\n");
    }
    // One cache entry per wheel, no leftovers.
    let entries = fs_err::read_dir(context.cache.join("wheels-v1"))
        .unwrap()
        .count();
    assert_eq!(entries, 3);
    let output = context.run(&["cache", "prune"]);
    assert_success(&output);
    assert!(stderr(&output).contains("Removed 0"), "{}", stderr(&output));
}

/// A resolution remembers what each project depended on, and the next one fetches those
/// pages ahead of the solver; a remembered project that is no longer needed (or no longer
/// exists) changes nothing but one wasted request.
#[test]
fn remembered_dependencies_are_fetched_ahead_and_never_decide() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("top", "1.0").requires("middle"));
    context.wheel(WheelBuilder::new("middle", "1.0").requires("bottom"));
    context.wheel(WheelBuilder::new("bottom", "1.0"));
    let index = context.serve(IndexOptions::default());
    context.venv();
    assert_success(&context.run(&["install", "top", "-i", &index.url, "--dry-run"]));
    let hints =
        fs_err::read_to_string(context.cache.join("simple-v1/dependency-hints-v1.txt")).unwrap();
    assert!(hints.contains("top middle\n"), "{hints}");
    assert!(hints.contains("middle bottom\n"), "{hints}");

    // The next resolution asks for every remembered page at once, before the solver has
    // seen `middle`'s metadata.
    index.clear_log();
    assert_success(&context.run(&["install", "top", "-i", &index.url, "--dry-run"]));
    let log = index.request_log();
    assert!(log.iter().any(|line| line.contains("/bottom/")), "{log:?}");

    // A newer `top` needs nothing: the remembered `middle` is fetched, never installed.
    context.wheel(WheelBuilder::new("top", "2.0"));
    let output = context.run(&["install", "top", "-i", &index.url]);
    assert_success(&output);
    let freeze = context.run(&["freeze"]);
    assert_eq!(stdout(&freeze).trim(), "top==2.0");
}
