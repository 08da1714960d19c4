//! The smaller commands and the shared switches: help and version, `config` (sources and
//! masked credentials), `cache`, `list`, `show`, `check`, `python find`, `-q`, `--json`,
//! and pip's environment variables.

mod common;

use std::process::Output;

use common::*;

/// `app` needs `helper>=2` and has a script; `helper` 2.1 and 2.5 exist, so an env with
/// 2.1 is outdated; `old` 1.0 has no newer version.
fn fixture_set(context: &TestContext) {
    context.wheel(
        WheelBuilder::new("App", "1.0")
            .requires("helper>=2")
            .requires("never-here; python_version < \"3\"")
            .extra("fast", &["speedup"])
            .metadata_field("Summary", "The application")
            .metadata_field("Author", "Ada")
            .metadata_field("License", "MIT")
            .console_script("app-cli", "app:main"),
    );
    context.wheel(WheelBuilder::new("helper", "2.1"));
    context.wheel(WheelBuilder::new("helper", "2.5"));
    context.wheel(WheelBuilder::new("helper", "3.0rc1"));
    context.wheel(WheelBuilder::new("helper", "1.0"));
    context.wheel(WheelBuilder::new("speedup", "0.3"));
    context.wheel(WheelBuilder::new("old", "1.0"));
}

/// A venv holding `App 1.0`, `helper 2.1` and `old 1.0`.
fn installed(context: &TestContext) -> IndexServer {
    fixture_set(context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    assert_success(&context.run(&["install", "app", "helper==2.1", "old", "-i", &index.url]));
    index
}

fn filtered(context: &TestContext, output: &Output) -> String {
    format!(
        "success: {}\nexit_code: {}\n----- stdout -----\n{}\n----- stderr -----\n{}",
        output.status.success(),
        output.status.code().unwrap_or(-1),
        context.filter(&stdout(output)),
        context.filter(&stderr(output)),
    )
}

#[test]
fn help_and_version() {
    let context = TestContext::new();
    let output = context.run(&["--help"]);
    assert_success(&output);
    let help = stdout(&output);
    for command in [
        "venv",
        "install",
        "uninstall",
        "freeze",
        "list",
        "show",
        "check",
        "compile",
        "sync",
        "cache",
        "config",
        "python",
    ] {
        assert!(
            help.lines()
                .any(|line| line.trim_start().starts_with(command)),
            "--help lacks `{command}`:\n{help}"
        );
    }
    let version = context.run(&["--version"]);
    assert_success(&version);
    assert_eq!(
        stdout(&version),
        format!("wharf {}\n", env!("CARGO_PKG_VERSION"))
    );
    // -V works on subcommands too (clap names them `wharf-install`).
    let sub = context.run(&["install", "-V"]);
    assert_success(&sub);
    assert!(
        stdout(&sub).ends_with(&format!(" {}\n", env!("CARGO_PKG_VERSION"))),
        "{}",
        stdout(&sub)
    );
    // No command: the help, on stderr (as clap does), so that stdout stays for results.
    let none = context.run(&[]);
    assert!(stderr(&none).contains("Usage: wharf"), "{}", stderr(&none));
    assert_eq!(stdout(&none), "");
    // An unknown flag is a usage error.
    let bad = context.run(&["install", "--no-such-flag"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--no-such-flag"), "{}", stderr(&bad));
}

#[test]
fn top_level_help_snapshot() {
    let context = TestContext::new();
    insta::assert_snapshot!(filtered(&context, &context.run(&["--help"])));
}

#[test]
fn install_help_snapshot() {
    let context = TestContext::new();
    insta::assert_snapshot!(filtered(&context, &context.run(&["install", "--help"])));
}

/// Regression: the top-level `about` came from the wharf-cli crate's Cargo description
/// ("Command-line argument definitions (clap) for wharf") instead of the doc comment on `Cli`.
#[test]
fn top_level_help_describes_wharf() {
    let context = TestContext::new();
    let help = stdout(&context.run(&["--help"]));
    assert!(
        !help.contains("Command-line argument definitions"),
        "{help}"
    );
    assert!(
        help.starts_with("One fast tool for Python environments"),
        "{help}"
    );
}

#[test]
fn config_shows_where_each_setting_came_from() {
    let context = TestContext::new();
    let home_config = context.temp.path().join("home/.config/wharf");
    fs_err::create_dir_all(&home_config).unwrap();
    fs_err::write(home_config.join("wharf.toml"), "timeout = \"17\"\n").unwrap();
    let line = |output: &Output, key: &str| -> String {
        assert_success(output);
        stdout(output)
            .lines()
            .find(|line| line.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no `{key}` line:\n{}", stdout(output)))
            .to_string()
    };

    // The user file is the lowest layer.
    let output = context.run(&["config"]);
    assert!(
        line(&output, "timeout").starts_with("timeout = 17  # "),
        "{}",
        stdout(&output)
    );
    assert!(
        line(&output, "timeout").contains("home/.config/wharf/wharf.toml"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("# index-url (unset)"),
        "{}",
        stdout(&output)
    );

    // [tool.wharf] in pyproject.toml.
    fs_err::write(
        context.cwd.join("pyproject.toml"),
        "[project]\nname = \"demo\"\n\n[tool.wharf]\nindex-url = \"https://from-pyproject.example/simple\"\n",
    )
    .unwrap();
    let output = context.run(&["config"]);
    assert_eq!(
        line(&output, "index-url"),
        format!(
            "index-url = https://from-pyproject.example/simple  # {}",
            context.cwd.join("pyproject.toml").display()
        )
    );

    // wharf.toml takes the place of pyproject.toml.
    fs_err::write(
        context.cwd.join("wharf.toml"),
        "index-url = \"https://from-wharf-toml.example/simple\"\n",
    )
    .unwrap();
    let output = context.run(&["config"]);
    assert_eq!(
        line(&output, "index-url"),
        format!(
            "index-url = https://from-wharf-toml.example/simple  # {}",
            context.cwd.join("wharf.toml").display()
        )
    );

    // The environment beats files, WHARF_ before PIP_.
    let output = context
        .wharf()
        .env("PIP_INDEX_URL", "https://from-pip.example/simple")
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(
        line(&output, "index-url"),
        "index-url = https://from-pip.example/simple  # environment variable PIP_INDEX_URL"
    );
    let output = context
        .wharf()
        .env("PIP_INDEX_URL", "https://from-pip.example/simple")
        .env("WHARF_INDEX_URL", "https://from-env.example/simple")
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(
        line(&output, "index-url"),
        "index-url = https://from-env.example/simple  # environment variable WHARF_INDEX_URL"
    );

    // The command line beats the environment.
    let elsewhere = context.temp.path().join("elsewhere");
    let output = context
        .wharf()
        .env("WHARF_OFFLINE", "false")
        .args([
            "config",
            "--offline",
            "--cache-dir",
            elsewhere.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(line(&output, "offline"), "offline = true  # command line");
    assert_eq!(
        line(&output, "cache-dir"),
        format!("cache-dir = {}  # command line", elsewhere.display())
    );

    // --no-config ignores every file.
    let output = context.run(&["config", "--no-config"]);
    assert!(
        stdout(&output).contains("# index-url (unset)"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("# timeout (unset)"),
        "{}",
        stdout(&output)
    );

    // JSON names the same sources.
    let output = context.run(&["config", "--json"]);
    assert_success(&output);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["index-url"]["value"],
        "https://from-wharf-toml.example/simple"
    );
    assert_eq!(
        json["index-url"]["source"],
        context.cwd.join("wharf.toml").display().to_string()
    );
    assert_eq!(json["extra-index-url"]["source"], "default");
}

#[test]
fn credentials_are_never_printed() {
    let context = TestContext::new();
    let secret_url = "https://user:secret@host.example/simple";
    fs_err::write(
        context.cwd.join("wharf.toml"),
        "extra-index-url = [\"https://other:secret@extra.example/simple\"]\n",
    )
    .unwrap();
    for args in [&["config"][..], &["config", "--json"][..]] {
        let output = context
            .wharf()
            .env("WHARF_INDEX_URL", secret_url)
            .args(args)
            .output()
            .unwrap();
        assert_success(&output);
        let all = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!all.contains("secret"), "{all}");
        assert!(
            all.contains("user:****@host.example") || all.contains("user@host.example"),
            "{all}"
        );
        assert!(all.contains("extra.example"), "{all}");
    }
    // Nor in errors about the index.
    context.venv();
    let output = context
        .wharf()
        .env("WHARF_INDEX_URL", "http://user:secret@127.0.0.1:9/simple/")
        .args(["install", "anything"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!all.contains("secret"), "{all}");
    assert!(
        all.contains("127.0.0.1:9"),
        "the error names the index:\n{all}"
    );
}

#[test]
fn cache_dir_size_clean_prune() {
    let context = TestContext::new();
    let output = context.run(&["cache", "dir"]);
    assert_success(&output);
    assert_eq!(stdout(&output).trim(), context.cache.display().to_string());
    let other = context.temp.path().join("other-cache");
    let output = context.run(&["cache", "dir", "--cache-dir", other.to_str().unwrap()]);
    assert_eq!(stdout(&output).trim(), other.display().to_string());

    let size = |context: &TestContext| -> u64 {
        let output = context.run(&["cache", "size", "--bytes"]);
        assert_success(&output);
        stdout(&output).trim().parse().unwrap()
    };
    let empty = size(&context);
    let index = installed(&context);
    let full = size(&context);
    assert!(full > empty + 1000, "{empty} -> {full}");
    let human = stdout(&context.run(&["cache", "size"]));
    assert!(
        human.trim().ends_with("KiB") || human.trim().ends_with("MiB"),
        "{human}"
    );

    let prune = context.run(&["cache", "prune"]);
    assert_success(&prune);
    assert!(stderr(&prune).contains("Removed"), "{}", stderr(&prune));
    // Pruning keeps what is valid: a reinstall from the cache still works offline.
    assert!(size(&context) > empty + 1000);
    assert_success(&context.run(&["uninstall", "old"]));
    let requests = index.request_log().len();
    let offline = context.run(&["install", "--offline", "old", "-i", &index.url]);
    assert_success(&offline);
    assert_eq!(
        index.request_log().len(),
        requests,
        "--offline asked the index"
    );
    assert!(stdout(&context.run(&["freeze"])).contains("old==1.0"));

    let clean = context.run(&["cache", "clean"]);
    assert_success(&clean);
    assert!(stderr(&clean).contains("Removed"), "{}", stderr(&clean));
    assert!(
        size(&context) <= empty,
        "clean left {} bytes",
        size(&context)
    );
    // The environment is untouched by cleaning the cache.
    let import = context.python("import app, helper; print(helper.__version__)");
    assert_eq!(stdout(&import).trim(), "2.1");
}

#[test]
fn list_formats() {
    let context = TestContext::new();
    installed(&context);
    let output = context.run(&["list"]);
    assert_success(&output);
    insta::assert_snapshot!(stdout(&output), @r"
    Package Version
    ------- -------
    App     1.0
    helper  2.1
    old     1.0
    ");
    let output = context.run(&["list", "--format", "freeze"]);
    assert_eq!(stdout(&output), "App==1.0\nhelper==2.1\nold==1.0\n");
    let output = context.run(&["list", "--format", "json"]);
    assert_success(&output);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"name": "App", "version": "1.0"},
            {"name": "helper", "version": "2.1"},
            {"name": "old", "version": "1.0"},
        ])
    );
}

#[test]
fn list_outdated_against_the_local_index() {
    let context = TestContext::new();
    let index = installed(&context);
    let output = context.run(&["list", "--outdated", "-i", &index.url]);
    assert_success(&output);
    // helper 3.0rc1 is a pre-release and does not count.
    insta::assert_snapshot!(stdout(&output), @r"
    Package Version Latest Type
    ------- ------- ------ -----
    helper  2.1     2.5    wheel
    ");
    let output = context.run(&["list", "--outdated", "--format", "json", "-i", &index.url]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"name": "helper", "version": "2.1", "latest_version": "2.5", "latest_filetype": "wheel"}])
    );
}

#[test]
fn show_fields_and_files() {
    let context = TestContext::new();
    installed(&context);
    let output = context.run(&["show", "app"]);
    assert_success(&output);
    let site = context.python("import sysconfig; print(sysconfig.get_paths()['purelib'])");
    let site = stdout(&site).trim().to_string();
    let expected = format!(
        "Name: App\nVersion: 1.0\nSummary: The application\nHome-page: \nAuthor: Ada\nAuthor-email: \nLicense: MIT\nLocation: {site}\nRequires: helper\nRequired-by: \n"
    );
    assert_eq!(stdout(&output), expected);
    let output = context.run(&["show", "HELPER"]);
    assert!(
        stdout(&output).contains("Name: helper\nVersion: 2.1\n"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).ends_with("Requires: \nRequired-by: App\n"),
        "{}",
        stdout(&output)
    );

    let output = context.run(&["show", "--files", "app"]);
    assert_success(&output);
    let text = stdout(&output);
    let files: Vec<&str> = text
        .split("Files:\n")
        .nth(1)
        .unwrap()
        .lines()
        .map(str::trim)
        .collect();
    for file in [
        "app/__init__.py",
        "app-1.0.dist-info/METADATA",
        "app-1.0.dist-info/RECORD",
        "../../../bin/app-cli",
    ] {
        assert!(files.contains(&file), "--files lacks {file}: {files:?}");
    }

    // Several packages are separated like pip's; an unknown one is a warning and exit 1.
    let output = context.run(&["show", "app", "old"]);
    assert!(
        stdout(&output).contains("\n---\nName: old\n"),
        "{}",
        stdout(&output)
    );
    let output = context.run(&["show", "app", "missing"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("package not found: missing"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("Name: App"), "{}", stdout(&output));
}

#[test]
fn check_reports_missing_and_conflicting_dependencies() {
    let context = TestContext::new();
    let index = installed(&context);
    let output = context.run(&["check"]);
    assert_success(&output);
    assert_eq!(stdout(&output), "No broken requirements found.\n");

    // A missing dependency, in pip's words.
    assert_success(&context.run(&["uninstall", "helper"]));
    let output = context.run(&["check"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "App 1.0 requires helper, which is not installed.\n"
    );

    // A conflicting one.
    assert_success(&context.run(&["install", "--no-deps", "helper==1.0", "-i", &index.url]));
    let output = context.run(&["check"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "App 1.0 has requirement helper>=2, but you have helper 1.0.\n"
    );
}

#[test]
fn quiet_silences_status_output() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    let output = context.run(&["-q", "venv", "--python", base_python().to_str().unwrap()]);
    assert_success(&output);
    assert_eq!(stderr(&output), "");
    let output = context.run(&["install", "-q", "old", "-i", &index.url]);
    assert_success(&output);
    assert_eq!(stderr(&output), "");
    assert_eq!(stdout(&output), "");
    // Results still go to stdout.
    let output = context.run(&["-q", "freeze"]);
    assert_eq!(stdout(&output), "old==1.0\n");
    // Errors are still printed.
    let output = context.run(&["-q", "install", "no-such-thing", "-i", &index.url]);
    assert_failure(&output, &["no-such-thing"]);
}

#[test]
fn install_json_output() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    let json_of = |output: &Output| -> serde_json::Value {
        assert_success(output);
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", stdout(output)))
    };
    let mut installed =
        json_of(&context.run(&["install", "--json", "app", "helper==2.1", "-i", &index.url]));
    installed["installed"]
        .as_array_mut()
        .unwrap()
        .sort_by_key(|item| item["name"].as_str().unwrap().to_string());
    assert_eq!(
        installed,
        serde_json::json!({
            "installed": [
                {"name": "app", "version": "1.0", "replaced": null},
                {"name": "helper", "version": "2.1", "replaced": null},
            ],
            "removed": [],
        })
    );
    let upgraded = json_of(&context.run(&["install", "--json", "-U", "helper", "-i", &index.url]));
    assert_eq!(
        upgraded,
        serde_json::json!({"installed": [{"name": "helper", "version": "2.5", "replaced": "2.1"}], "removed": []})
    );
    let nothing = json_of(&context.run(&["install", "--json", "helper", "-i", &index.url]));
    assert_eq!(nothing, serde_json::json!({"installed": [], "removed": []}));
}

#[test]
fn python_find() {
    let context = TestContext::new();
    let output = context.run(&["python", "find", base_python().to_str().unwrap()]);
    assert_success(&output);
    assert_eq!(stdout(&output).trim(), base_python().display().to_string());
    let output = context.run(&["python", "find"]);
    assert_success(&output);
    let found = stdout(&output).trim().to_string();
    assert!(std::path::Path::new(&found).is_file(), "{found}");
    // A venv in the working directory is found first.
    context.venv();
    let output = context.run(&["python", "find"]);
    assert_eq!(
        stdout(&output).trim(),
        context.cwd.join(".venv/bin/python").display().to_string()
    );
    // A version no one has.
    let output = context.run(&["python", "find", "3.99"]);
    assert_failure(&output, &["3.99"]);
}

#[test]
fn pip_index_url_is_honoured() {
    let context = TestContext::new();
    fixture_set(&context);
    let index = context.serve(IndexOptions::default());
    context.venv();
    let output = context
        .wharf()
        .env("PIP_INDEX_URL", &index.url)
        .args(["install", "old"])
        .output()
        .unwrap();
    assert_success(&output);
    assert_eq!(stdout(&context.run(&["freeze"])), "old==1.0\n");
    assert!(
        index
            .request_log()
            .iter()
            .any(|line| line.contains("/simple/old/")),
        "{:?}",
        index.request_log()
    );
    // PIP_FIND_LINKS with PIP_NO_INDEX-free WHARF_NO_INDEX also works.
    let output = context
        .wharf()
        .env("PIP_FIND_LINKS", &context.wheels)
        .env("WHARF_NO_INDEX", "1")
        .args(["install", "speedup"])
        .output()
        .unwrap();
    assert_success(&output);
    assert_eq!(
        stdout(&context.run(&["freeze"])),
        "old==1.0\nspeedup==0.3\n"
    );
}
