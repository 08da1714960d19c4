//! `wharf check DIST...`: wheels and sdists validated as an index would, through the real
//! binary. Good and broken wheels come from `WheelBuilder`; sdists are made with Python's
//! `tarfile` so that their members can be anything (links, odd top-level names).
//!
//! The live test downloads real distributions from PyPI (they must all pass) and compares
//! the verdicts on hand-made reStructuredText descriptions with `twine check`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

/// Add a content type and a long description in METADATA's body. WheelBuilder writes
/// headers in order, so this must be the builder's last METADATA field, and requirements
/// must be given as `Requires-Dist` fields before it.
fn described(builder: WheelBuilder, content_type: &str, description: &str) -> WheelBuilder {
    builder.metadata_field(
        "Description-Content-Type",
        &format!("{content_type}\n\n{description}"),
    )
}

/// A wheel that passes without warnings, with extra METADATA `fields` before its
/// description.
fn good_with(name: &str, fields: &[(&str, &str)]) -> WheelBuilder {
    let mut builder = WheelBuilder::new(name, "1.0").metadata_field("Summary", "A test package");
    for (field, value) in fields {
        builder = builder.metadata_field(field, value);
    }
    described(builder, "text/markdown", "# Demo\n\nA *fine* package.")
}

fn good(name: &str) -> WheelBuilder {
    good_with(name, &[])
}

fn check(context: &TestContext, args: &[&str]) -> Output {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    context.run(&all)
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[track_caller]
fn assert_passed(output: &Output) {
    assert_success(output);
    assert!(stdout(output).contains(": PASSED"), "{}", stdout(output));
}

/// Panic unless the check failed and stdout has every phrase.
#[track_caller]
fn assert_check_fails(output: &Output, phrases: &[&str]) {
    let out = stdout(output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "expected exit code 1\n--- stdout\n{out}\n--- stderr\n{}",
        stderr(output)
    );
    assert!(out.contains(": FAILED"), "{out}");
    for phrase in phrases {
        assert!(out.contains(phrase), "stdout lacks `{phrase}`:\n{out}");
    }
}

/// Write an sdist with Python's tarfile: `files` are `(member path, contents)`, `links`
/// are `(member path, target)` symbolic links.
fn sdist(
    context: &TestContext,
    filename: &str,
    files: &[(&str, &str)],
    links: &[(&str, &str)],
) -> PathBuf {
    let path = context.wheels.join(filename);
    let spec = serde_json::json!({
        "path": path,
        "files": files,
        "links": links,
    });
    let script = r#"
import io, json, sys, tarfile
spec = json.loads(sys.argv[1])
with tarfile.open(spec["path"], "w:gz", format=tarfile.PAX_FORMAT) as tar:
    for name, text in spec["files"]:
        data = text.encode()
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    for name, target in spec["links"]:
        info = tarfile.TarInfo(name)
        info.type = tarfile.SYMTYPE
        info.linkname = target
        tar.addfile(info)
"#;
    let output = Command::new(base_python())
        .args(["-c", script, &spec.to_string()])
        .output()
        .unwrap();
    assert_success(&output);
    path
}

const PKG_INFO: &str = "Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nSummary: A demo\nDescription-Content-Type: text/markdown\n\n# Demo\n";
const PYPROJECT: &str =
    "[build-system]\nrequires = [\"flit_core\"]\nbuild-backend = \"flit_core.buildapi\"\n";

#[test]
fn a_good_wheel_passes() {
    let context = TestContext::new();
    let wheel = context.wheel(good_with(
        "demo",
        &[
            ("Requires-Python", ">=3.8"),
            ("Requires-Dist", "idna>=2"),
            ("Provides-Extra", "socks"),
        ],
    ));
    let output = check(&context, &[path(&wheel)]);
    assert_passed(&output);
    assert!(stdout(&output).contains("demo-1.0-py3-none-any.whl: PASSED\n"));
}

#[test]
fn warnings_pass_unless_strict() {
    let context = TestContext::new();
    // No description and no content type: twine's two warnings.
    let wheel = context.wheel(WheelBuilder::new("plain", "1.0"));
    let output = check(&context, &[path(&wheel)]);
    assert_success(&output);
    let out = stdout(&output);
    assert!(out.contains("PASSED with warnings"), "{out}");
    assert!(
        out.contains("warning: `Description-Content-Type` is missing"),
        "{out}"
    );
    assert!(
        out.contains("warning: the long description is missing"),
        "{out}"
    );

    let output = check(&context, &["--strict", path(&wheel)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("FAILED due to warnings"));
    assert!(stderr(&output).contains("hint: --strict fails on warnings"));
}

#[test]
fn wrong_hash_snapshot() {
    let context = TestContext::new();
    let wheel = context.wheel(
        good_with("broken", &[("Author-email", "someone")])
            .wrong_hash("broken/__init__.py")
            .unrecorded_file("broken/extra.py", ""),
    );
    let output = check(&context, &[path(&wheel)]);
    insta::assert_snapshot!(filtered(&context, &output));
}

#[test]
fn record_problems() {
    let context = TestContext::new();
    let unrecorded =
        context.wheel(good("unrecorded").unrecorded_file("unrecorded/extra.py", "x = 1\n"));
    assert_check_fails(
        &check(&context, &[path(&unrecorded)]),
        &["error: `unrecorded/extra.py` is in the wheel but not listed in RECORD"],
    );
}

#[test]
fn unsafe_paths_are_errors() {
    let context = TestContext::new();
    let wheel = context.wheel(
        good("evil")
            .raw_entry("../escape.py", "x")
            .raw_entry("/absolute.py", "x")
            .raw_entry("evil\\windows.py", "x"),
    );
    assert_check_fails(
        &check(&context, &[path(&wheel)]),
        &[
            "zip entry `../escape.py` contains `..`",
            "zip entry `/absolute.py` is absolute",
            "zip entry `evil\\windows.py` contains a backslash",
        ],
    );
}

#[test]
fn wheel_structure_problems() {
    let context = TestContext::new();
    let no_dist_info = context.wheel(good("bare").without_dist_info());
    assert_check_fails(
        &check(&context, &[path(&no_dist_info)]),
        &["the wheel has no `.dist-info` directory"],
    );
    let future = context.wheel(good("future").wheel_version("2.0"));
    assert_check_fails(
        &check(&context, &[path(&future)]),
        &["wheel format version 2.0 is not supported"],
    );
    // The file is renamed: its tags no longer match WHEEL, its version not METADATA.
    let renamed = context.wheels.join("renamed-2.0-py2-none-any.whl");
    fs_err::rename(context.wheel(good("renamed")), &renamed).unwrap();
    assert_check_fails(
        &check(&context, &[path(&renamed)]),
        &["does not match the file name: expected `renamed-2.0.dist-info`"],
    );
    let linux = context.wheel(good("native").tag("cp311-cp311-linux_x86_64"));
    assert_check_fails(
        &check(&context, &[path(&linux)]),
        &["PyPI does not accept `linux_*` wheels"],
    );
}

#[test]
fn metadata_problems() {
    let context = TestContext::new();
    let wheel = context.wheel(good_with(
        "meta",
        &[
            ("Requires-Dist", "other >>> 1"),
            (
                "Requires-Dist",
                "direct @ https://example.com/direct-1.0.tar.gz",
            ),
            ("Home-page", "not a url"),
            ("Classifier", "Private :: Do Not Upload"),
            ("X-Custom", "1"),
        ],
    ));
    assert_check_fails(
        &check(&context, &[path(&wheel)]),
        &[
            "`Requires-Dist: other >>> 1` is not a valid PEP 508 requirement",
            "PyPI does not accept direct references",
            "`Home-page: not a url` is not a valid URL",
            "PyPI rejects `Private ::` classifiers",
            "METADATA has an unrecognized field `X-Custom`",
        ],
    );
    let summaries = context.wheel(good_with("summaries", &[("Summary", "again")]));
    assert_check_fails(
        &check(&context, &[path(&summaries)]),
        &["METADATA has 2 `Summary` fields"],
    );
    let folded = context.wheel(
        WheelBuilder::new("folded", "1.0")
            .metadata_field("Summary", "two\n  lines")
            .metadata_field("Description-Content-Type", "text/plain")
            .metadata_field("Description", "x"),
    );
    assert_check_fails(
        &check(&context, &[path(&folded)]),
        &["`Summary` must be a single line"],
    );
    let local = context.wheel(good_with("local", &[("Version", "1.0+local")]));
    assert_check_fails(
        &check(&context, &[path(&local)]),
        &["METADATA has 2 `Version` fields"],
    );
    let local = context.wheel(described(
        WheelBuilder::new("local", "1.0+ubuntu1"),
        "text/plain",
        "x",
    ));
    assert_check_fails(
        &check(&context, &[path(&local)]),
        &["`Version: 1.0+ubuntu1` is a local version; PyPI does not accept local versions"],
    );
}

#[test]
fn markdown_descriptions() {
    let context = TestContext::new();
    let gfm = context.wheel(described(
        WheelBuilder::new("gfm", "1.0"),
        "text/markdown; charset=UTF-8; variant=GFM",
        "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```",
    ));
    assert_passed(&check(&context, &[path(&gfm)]));
    let unknown_variant = context.wheel(described(
        WheelBuilder::new("variant", "1.0"),
        "text/markdown; variant=mistune",
        "# Title",
    ));
    assert_check_fails(
        &check(&context, &[path(&unknown_variant)]),
        &["the Markdown variant must be GFM or CommonMark, not `mistune`"],
    );
    let html = context.wheel(described(
        WheelBuilder::new("html", "1.0"),
        "text/html",
        "<p>x</p>",
    ));
    assert_check_fails(
        &check(&context, &[path(&html)]),
        &["must be text/plain, text/x-rst or text/markdown"],
    );
}

#[test]
fn rst_descriptions() {
    let context = TestContext::new();
    let fine = context.wheel(described(
        WheelBuilder::new("fine", "1.0"),
        "text/x-rst",
        "Fine\n====\n\nSee `the docs`_ and ``code``.\n\n.. _the docs: https://example.com\n\n.. code-block:: python\n\n    print('*')",
    ));
    assert_passed(&check(&context, &[path(&fine)]));
    let broken = context.wheel(described(
        WheelBuilder::new("broken", "1.0"),
        "text/x-rst",
        "Broken title\n=====\n\nUse *args here and see undefined_.\n\n.. toctree::\n   :maxdepth: 2",
    ));
    assert_check_fails(
        &check(&context, &[path(&broken)]),
        &[
            "line 2: Title underline too short.",
            "line 4: Inline emphasis start-string without end-string.",
            "line 6: Unknown directive type \"toctree\".",
            "line 4: Unknown target name: \"undefined\".",
        ],
    );
    // Without a content type PyPI renders RST too; plain text is never rendered.
    let untyped = context.wheel(
        WheelBuilder::new("untyped", "1.0")
            .metadata_field("Description", "Text with ``unclosed literal"),
    );
    // A folded `Description` header is rendered as written, indentation included, as
    // twine sends it: the underline lands inside a definition.
    let folded = context.wheel(
        WheelBuilder::new("folded", "1.0")
            .metadata_field("Description-Content-Type", "text/x-rst")
            .metadata_field(
                "Description",
                "Title\n        =====\n        \n        Text.",
            ),
    );
    assert_check_fails(
        &check(&context, &[path(&folded)]),
        &["line 2: Unexpected section title or transition."],
    );
    assert_check_fails(
        &check(&context, &[path(&untyped)]),
        &["line 1: Inline literal start-string without end-string."],
    );
    let plain = context.wheel(described(
        WheelBuilder::new("plain", "1.0"),
        "text/plain",
        "*** ``` |x|",
    ));
    assert_passed(&check(&context, &[path(&plain)]));
}

#[test]
fn sdists() {
    let context = TestContext::new();
    let good = sdist(
        &context,
        "demo-1.0.tar.gz",
        &[
            ("demo-1.0/PKG-INFO", PKG_INFO),
            ("demo-1.0/pyproject.toml", PYPROJECT),
            ("demo-1.0/demo/__init__.py", ""),
        ],
        &[("demo-1.0/docs", "demo")],
    );
    assert_passed(&check(&context, &[path(&good)]));

    let no_pyproject = sdist(
        &context,
        "lean-1.0.tar.gz",
        &[("lean-1.0/PKG-INFO", &PKG_INFO.replace("demo", "lean"))],
        &[],
    );
    let output = check(&context, &[path(&no_pyproject)]);
    assert_success(&output);
    assert!(stdout(&output).contains("`lean-1.0/pyproject.toml` is missing"));

    let legacy = sdist(
        &context,
        "Demo-1.0.tar.gz",
        &[
            ("Demo-1.0/PKG-INFO", PKG_INFO),
            ("Demo-1.0/pyproject.toml", PYPROJECT),
        ],
        &[],
    );
    let output = check(&context, &[path(&legacy)]);
    assert_success(&output);
    assert!(stdout(&output).contains("is not a PEP 625 name: expected `demo-1.0.tar.gz`"));

    let escaping = sdist(
        &context,
        "escape-1.0.tar.gz",
        &[
            ("escape-1.0/PKG-INFO", &PKG_INFO.replace("demo", "escape")),
            ("escape-1.0/pyproject.toml", PYPROJECT),
            ("../outside", "x"),
        ],
        &[("escape-1.0/passwd", "../../etc/passwd")],
    );
    assert_check_fails(
        &check(&context, &[path(&escaping)]),
        &[
            "member `../outside` contains `..`",
            "member `escape-1.0/passwd` links to `../../etc/passwd`, outside the sdist's directory",
            "must hold a single top-level directory `escape-1.0`",
        ],
    );

    let mismatch = sdist(
        &context,
        "other-2.0.tar.gz",
        &[
            ("other-2.0/PKG-INFO", PKG_INFO),
            ("other-2.0/pyproject.toml", PYPROJECT),
        ],
        &[],
    );
    assert_check_fails(
        &check(&context, &[path(&mismatch)]),
        &["PKG-INFO says `Name: demo` but the file name is for `other`"],
    );
    let no_pkg_info = sdist(
        &context,
        "empty-1.0.tar.gz",
        &[("empty-1.0/pyproject.toml", PYPROJECT)],
        &[],
    );
    assert_check_fails(
        &check(&context, &[path(&no_pkg_info)]),
        &["`empty-1.0/PKG-INFO` is missing"],
    );
}

#[test]
fn json_output_and_directories() {
    let context = TestContext::new();
    context.wheel(good("one"));
    context.wheel(good("two").wrong_hash("two/__init__.py"));
    let output = check(&context, &["--json", path(&context.wheels)]);
    assert_eq!(output.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let reports = reports.as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["kind"], "wheel");
    assert_eq!(reports[0]["passed"], true);
    assert_eq!(reports[1]["passed"], false);
    assert_eq!(reports[1]["errors"], 1);
    assert_eq!(reports[1]["problems"][0]["code"], "record-hash-mismatch");
    assert_eq!(reports[1]["problems"][0]["severity"], "error");
}

#[test]
fn unreadable_and_unknown_files() {
    let context = TestContext::new();
    let missing = context.wheels.join("missing-1.0-py3-none-any.whl");
    let text = context.wheels.join("notes.txt");
    fs_err::write(&text, "hello").unwrap();
    let good = context.wheel(good("fine"));
    let output = check(&context, &[path(&missing), path(&text), path(&good)]);
    assert_check_fails(
        &output,
        &[
            "failed to read",
            "is neither a wheel (`.whl`) nor a source distribution",
            "fine-1.0-py3-none-any.whl: PASSED",
        ],
    );
    assert!(stderr(&output).contains("an index would reject 2 of 3 files"));
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

/// A venv with twine from PyPI, shared by the live tests of one run.
fn twine_venv(context: &TestContext) -> PathBuf {
    let venv = context.temp.path().join("twine-venv");
    let output = Command::new(base_python())
        .args(["-m", "venv", path(&venv)])
        .output()
        .unwrap();
    assert_success(&output);
    let output = live_pip(&venv)
        .args(["install", "-q", "twine"])
        .output()
        .unwrap();
    assert_success(&output);
    venv
}

/// pip from `venv` with the host's certificates and index settings, but no local
/// find-links directory: the files must come from the index.
fn live_pip(venv: &Path) -> Command {
    let mut command = Command::new(venv.join("bin/python"));
    command
        .args(["-m", "pip", "--no-input", "--disable-pip-version-check"])
        .env_remove("PIP_FIND_LINKS")
        .env_remove("PIP_NO_INDEX");
    command
}

#[test]
#[ignore = "live: needs PyPI"]
fn live_real_distributions_pass_and_twine_agrees() {
    let context = TestContext::new();
    let venv = twine_venv(&context);
    let downloads = context.temp.path().join("downloads");
    for args in [
        &[
            "--only-binary",
            ":all:",
            "requests",
            "six",
            "attrs",
            "numpy",
            "markupsafe",
            "click",
        ][..],
        &[
            "--no-binary",
            ":all:",
            "docutils",
            "markupsafe",
            "idna",
            "packaging",
        ][..],
    ] {
        let mut pip_args = vec!["download", "--no-deps", "-q", "-d", path(&downloads)];
        pip_args.extend_from_slice(args);
        assert_success(&live_pip(&venv).args(&pip_args).output().unwrap());
    }
    let count = fs_err::read_dir(&downloads).unwrap().count();
    assert!(count >= 10, "expected at least 10 downloads, got {count}");
    let output = check(&context, &[path(&downloads)]);
    assert_success(&output);
    assert_eq!(
        stdout(&output).matches(": PASSED").count(),
        count,
        "{}",
        stdout(&output)
    );

    // twine check and wharf check agree on what renders.
    let cases: &[(&str, &str)] = &[
        (
            "good",
            "Title\n=====\n\nA `link <https://example.com>`_ and ``code``.",
        ),
        ("short-underline", "Long title here\n=====\n\nText."),
        ("unclosed-strong", "Some **bold text."),
        ("unknown-directive", "Text.\n\n.. toctree::\n\n   intro"),
        ("unknown-target", "See missing_ for more."),
        ("unexpected-indent", "One line\ntwo lines\n    indented"),
        ("sphinx-role", "Use :func:`print`."),
        (
            "duplicate-target",
            ".. _a: https://a.example\n.. _a: https://b.example\n\nText.",
        ),
        ("literal-expected", "Example::\n\nnot indented"),
        ("nested-list", "* one\n\n  * two\n  * three\n\n* four"),
    ];
    let mut wheels = Vec::new();
    for (name, description) in cases {
        let builder = described(WheelBuilder::new(name, "1.0"), "text/x-rst", description);
        wheels.push((*name, context.wheel(builder)));
    }
    // Descriptions in folded `Description` headers, as old setuptools wrote them.
    for (name, description) in [
        (
            "folded-title",
            "Title\n        =====\n        \n        Text.",
        ),
        ("folded-paragraphs", "One.\n        \n        Two *three*."),
    ] {
        let builder = WheelBuilder::new(name, "1.0")
            .metadata_field("Description-Content-Type", "text/x-rst")
            .metadata_field("Description", description);
        wheels.push((name, context.wheel(builder)));
    }
    for (name, wheel) in wheels {
        let ours = check(&context, &[path(&wheel)]);
        let twine = Command::new(venv.join("bin/twine"))
            .args(["check", path(&wheel)])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(
            ours.status.success(),
            twine.status.success(),
            "{name}: wharf and twine disagree\n--- wharf\n{}\n--- twine\n{}{}",
            stdout(&ours),
            stdout(&twine),
            stderr(&twine)
        );
    }
}
