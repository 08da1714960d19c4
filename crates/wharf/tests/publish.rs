//! `wharf publish` against an upload server on 127.0.0.1 that checks what it receives as
//! PyPI does and serves the uploads back as a simple index, so that pip can install them.
//! The last test uploads to a real pypiserver installed from PyPI (the `live` group).

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use common::*;
use wharf_test_support::upload::{Existing, UploadServer, UploadServerOptions, sdist};

const PKG_INFO: &str = "Metadata-Version: 2.1\nName: demo-pub\nVersion: 1.0\nSummary: A package to publish\nRequires-Python: >=3.8\n\nLong description.\n";

/// A wheel and an sdist of `demo-pub 1.0` in `work/dist`; returns (sdist, wheel, the
/// wheel's sha256).
fn build_dists(context: &TestContext) -> (PathBuf, PathBuf, String) {
    let dist = context.cwd.join("dist");
    fs_err::create_dir_all(&dist).unwrap();
    let wheel = WheelBuilder::new("demo-pub", "1.0")
        .metadata_field("Summary", "A package to publish")
        .metadata_field("Classifier", "Programming Language :: Python :: 3")
        .metadata_field("Classifier", "Topic :: Software Development")
        .metadata_field("Project-URL", "Source, https://example.com/demo")
        .requires_python(">=3.8")
        .extra("fast", &["orjson"]);
    let wheel_path = wheel.build(&dist);
    let sdist_path = sdist(&dist, "demo_pub", "1.0", PKG_INFO);
    (sdist_path, wheel_path, wheel.sha256())
}

/// `wharf publish ARGS` with extra environment variables (retries without waiting).
fn publish(context: &TestContext, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = context.wharf();
    command
        .arg("publish")
        .args(args)
        .env("WHARF_PUBLISH_RETRY_DELAY", "0.01");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

/// A venv made by wharf with pip in it (from the base interpreter's ensurepip, offline).
fn seeded_venv(context: &TestContext) -> PathBuf {
    let output = context.run(&[
        "venv",
        "--seed",
        "--python",
        base_python().to_str().unwrap(),
    ]);
    assert_success(&output);
    context.cwd.join(".venv")
}

fn all_output(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

#[test]
fn uploads_a_wheel_and_an_sdist_that_pip_installs_back() {
    let context = TestContext::new();
    let (sdist_path, wheel_path, wheel_sha256) = build_dists(&context);
    let server = UploadServer::start(UploadServerOptions::default());
    let output = publish(
        &context,
        &[
            "--repository-url",
            &server.url,
            "-u",
            "alice",
            "--password",
            "pw-alice-1",
        ],
        &[],
    );
    assert_success(&output);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    // sdists first, as twine does.
    assert!(
        lines[0].starts_with("Uploaded demo_pub-1.0.tar.gz ("),
        "{out}"
    );
    assert!(
        lines[1].starts_with("Uploaded demo_pub-1.0-py3-none-any.whl ("),
        "{out}"
    );
    assert!(stderr(&output).contains(&format!("Uploading 2 distributions to {}", server.url)));
    assert!(!all_output(&output).contains("pw-alice-1"));

    let uploads = server.uploads();
    assert_eq!(uploads.len(), 2);
    for upload in &uploads {
        // The server checks every digest and answers 400 on a mismatch.
        assert_eq!(upload.status, 200, "{:?}", upload.fields);
        assert_eq!(upload.username.as_deref(), Some("alice"));
        assert_eq!(upload.password.as_deref(), Some("pw-alice-1"));
        assert!(upload.content_length.is_some(), "the body has a length");
        assert_eq!(upload.field(":action"), Some("file_upload"));
        assert_eq!(upload.field("protocol_version"), Some("1"));
        assert_eq!(upload.field("name"), Some("demo-pub"));
        assert_eq!(upload.field("version"), Some("1.0"));
        assert_eq!(upload.field("summary"), Some("A package to publish"));
        assert_eq!(upload.field("requires_python"), Some(">=3.8"));
        for digest in ["sha256_digest", "md5_digest", "blake2_256_digest"] {
            assert!(upload.field(digest).is_some_and(|value| !value.is_empty()));
        }
    }
    let (sdist_upload, wheel_upload) = (&uploads[0], &uploads[1]);
    assert_eq!(
        sdist_upload.filename.as_deref(),
        Some("demo_pub-1.0.tar.gz")
    );
    assert_eq!(sdist_upload.field("filetype"), Some("sdist"));
    assert_eq!(sdist_upload.field("pyversion"), Some("source"));
    assert_eq!(sdist_upload.field("metadata_version"), Some("2.1"));
    assert_eq!(
        sdist_upload.field("description").map(str::trim),
        Some("Long description.")
    );
    assert_eq!(sdist_upload.content, fs_err::read(&sdist_path).unwrap());
    assert_eq!(wheel_upload.field("filetype"), Some("bdist_wheel"));
    assert_eq!(wheel_upload.field("pyversion"), Some("py3"));
    assert_eq!(
        wheel_upload.values("classifiers"),
        [
            "Programming Language :: Python :: 3",
            "Topic :: Software Development"
        ]
    );
    assert_eq!(
        wheel_upload.values("project_urls"),
        ["Source, https://example.com/demo"]
    );
    assert_eq!(wheel_upload.values("provides_extra"), ["fast"]);
    assert_eq!(
        wheel_upload.values("requires_dist"),
        ["orjson; extra == \"fast\""]
    );
    assert_eq!(
        wheel_upload.field("sha256_digest"),
        Some(wheel_sha256.as_str())
    );
    assert_eq!(wheel_upload.content, fs_err::read(&wheel_path).unwrap());
    assert_eq!(
        server.stored(),
        ["demo_pub-1.0-py3-none-any.whl", "demo_pub-1.0.tar.gz"]
    );

    // pip installs what was uploaded from the server's simple index.
    let venv = seeded_venv(&context);
    let install = context.pip(
        &venv,
        &["install", "--index-url", &server.simple_url, "demo-pub"],
    );
    assert_success(&install);
    let import = context.python("import demo_pub; print(demo_pub.__version__)");
    assert_success(&import);
    assert_eq!(stdout(&import).trim(), "1.0");
}

#[test]
fn skip_existing_and_the_json_report() {
    let context = TestContext::new();
    let (sdist_path, _, _) = build_dists(&context);
    let server = UploadServer::start(UploadServerOptions::default());
    server.preload(&sdist_path);

    // Without --skip-existing, the existing sdist fails the command before the wheel goes.
    let output = publish(&context, &["--repository-url", &server.url], &[]);
    assert_failure(
        &output,
        &[
            "error: failed to upload demo_pub-1.0.tar.gz to",
            "409 Conflict: Package 'demo_pub-1.0.tar.gz' already exists!",
            "hint: the index already has this file; pass --skip-existing",
        ],
    );
    let out = stdout(&output);
    assert!(
        out.contains("Failed demo_pub-1.0.tar.gz: 409 Conflict"),
        "{out}"
    );
    assert!(
        out.contains("Not uploaded demo_pub-1.0-py3-none-any.whl: stopped after the failure above"),
        "{out}"
    );
    assert_eq!(server.uploads().len(), 1);

    // With it, the sdist is skipped and the wheel uploaded; the report is JSON.
    let output = publish(
        &context,
        &["--repository-url", &server.url, "--skip-existing", "--json"],
        &[],
    );
    assert_success(&output);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let entries = report.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["file"], "demo_pub-1.0.tar.gz");
    assert_eq!(entries[0]["status"], "skipped");
    assert_eq!(entries[0]["http_status"], 409);
    assert_eq!(entries[0]["filetype"], "sdist");
    assert_eq!(entries[1]["file"], "demo_pub-1.0-py3-none-any.whl");
    assert_eq!(entries[1]["status"], "uploaded");
    assert_eq!(entries[1]["http_status"], 200);
    assert_eq!(entries[1]["name"], "demo-pub");
    assert_eq!(entries[1]["version"], "1.0");
    assert!(stderr(&output).contains("1 uploaded, 1 skipped"));

    // PyPI's answer: 400 with the message in the reason phrase.
    let pypi = UploadServer::start(UploadServerOptions {
        existing: Existing::PypiBadRequest,
        ..UploadServerOptions::default()
    });
    pypi.preload(&sdist_path);
    let output = publish(&context, &["--repository-url", &pypi.url, "dist/"], &[]);
    assert_failure(
        &output,
        &["400 Bad Request: File already exists ('demo_pub-1.0.tar.gz'"],
    );
    let output = publish(
        &context,
        &["--repository-url", &pypi.url, "--skip-existing"],
        &[],
    );
    assert_success(&output);
    assert!(
        stdout(&output).contains(
            "Skipped demo_pub-1.0.tar.gz: the index already has it (400: File already exists"
        ),
        "{}",
        stdout(&output)
    );
}

#[test]
fn forbidden_says_whose_credentials_without_showing_them() {
    let context = TestContext::new();
    build_dists(&context);
    let server = UploadServer::start(UploadServerOptions {
        basic_auth: Some(("alice".to_string(), "right-pass-9".to_string())),
        ..UploadServerOptions::default()
    });

    // Wrong password in the URL's user info: never printed, URL shown without it.
    let with_user_info = server.url.replace("http://", "http://alice:wrong-pass-7@");
    let output = publish(&context, &["--repository-url", &with_user_info], &[]);
    assert_failure(
        &output,
        &[
            "403 Forbidden: Invalid or non-existent authentication information.",
            "the index refused the credentials of user `alice` (from the URL)",
            &format!("failed to upload demo_pub-1.0.tar.gz to {}", server.url),
        ],
    );
    assert!(!all_output(&output).contains("wrong-pass-7"));
    assert_eq!(server.uploads().len(), 1, "4xx answers are not retried");

    // No credentials at all.
    let output = publish(&context, &["--repository-url", &server.url], &[]);
    assert_failure(&output, &["403 Forbidden", "no credentials were sent"]);

    // A token from the environment is user __token__.
    let output = publish(
        &context,
        &["--repository-url", &server.url],
        &[("WHARF_PUBLISH_TOKEN", "pypi-token-secret-3")],
    );
    assert_failure(
        &output,
        &["the index refused the API token (from WHARF_PUBLISH_TOKEN)"],
    );
    assert!(!all_output(&output).contains("pypi-token-secret-3"));
    let last = server.uploads().pop().unwrap();
    assert_eq!(last.username.as_deref(), Some("__token__"));

    // The right credentials from a ~/.pypirc section chosen with -r.
    fs_err::write(
        context.temp.path().join("home/.pypirc"),
        format!(
            "[distutils]\nindex-servers = local\n\n[local]\nrepository = {}\nusername = alice\npassword = right-pass-9\n",
            server.url
        ),
    )
    .unwrap();
    let output = publish(&context, &["-r", "local", "-v"], &[]);
    assert_success(&output);
    assert!(stderr(&output).contains("Uploading as `alice` (credentials from"));
    assert!(!all_output(&output).contains("right-pass-9"));
    assert_eq!(server.stored().len(), 2);

    // twine's variables work too.
    let output = publish(
        &context,
        &["--skip-existing"],
        &[
            ("TWINE_REPOSITORY_URL", &server.url),
            ("TWINE_USERNAME", "alice"),
            ("TWINE_PASSWORD", "right-pass-9"),
        ],
    );
    assert_success(&output);
    assert_eq!(stdout(&output).matches("Skipped").count(), 2);

    // An unknown section is an error before anything is sent.
    let before = server.uploads().len();
    let output = publish(&context, &["-r", "elsewhere"], &[]);
    assert_failure(
        &output,
        &["no repository `elsewhere` in", "hint: add a section"],
    );
    assert_eq!(server.uploads().len(), before);
}

#[test]
fn retries_server_errors_but_not_forever() {
    let context = TestContext::new();
    let (_, wheel, _) = build_dists(&context);
    let server = UploadServer::start(UploadServerOptions {
        fail_first: vec![500],
        ..UploadServerOptions::default()
    });
    let output = publish(
        &context,
        &["--repository-url", &server.url, wheel.to_str().unwrap()],
        &[],
    );
    assert_success(&output);
    assert!(
        stderr(&output).contains("retrying in"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("after 2 attempts"));
    let statuses: Vec<u16> = server
        .uploads()
        .iter()
        .map(|upload| upload.status)
        .collect();
    assert_eq!(statuses, [500, 200]);

    let failing = UploadServer::start(UploadServerOptions {
        fail_first: vec![503, 502, 500, 500],
        ..UploadServerOptions::default()
    });
    let output = publish(
        &context,
        &["--repository-url", &failing.url, wheel.to_str().unwrap()],
        &[],
    );
    assert_failure(
        &output,
        &["500 Internal Server Error", "the server kept failing"],
    );
    assert_eq!(failing.uploads().len(), 3, "three attempts");

    // Nobody listening: connection errors are retried, then reported with the URL.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/legacy/");
    let output = publish(&context, &["--repository-url", &url], &[]);
    assert_failure(
        &output,
        &[
            &format!("failed to upload demo_pub-1.0.tar.gz to {url}"),
            "that the server is reachable",
        ],
    );
}

#[test]
fn bad_input_fails_before_anything_is_uploaded() {
    let context = TestContext::new();
    let (_, wheel, _) = build_dists(&context);
    let server = UploadServer::start(UploadServerOptions::default());
    let wheel = wheel.to_str().unwrap();

    let output = publish(
        &context,
        &[
            "--repository-url",
            &server.url,
            wheel,
            "dist/missing-1.0.tar.gz",
        ],
        &[],
    );
    assert_failure(
        &output,
        &[
            "missing-1.0.tar.gz does not exist",
            "hint: build the project first",
        ],
    );

    fs_err::write(context.cwd.join("notes.txt"), "hello").unwrap();
    let output = publish(
        &context,
        &["--repository-url", &server.url, wheel, "notes.txt"],
        &[],
    );
    assert_failure(
        &output,
        &["notes.txt is not a wheel (.whl) or a source distribution"],
    );

    fs_err::write(context.cwd.join("broken.whl"), "not a zip").unwrap();
    let output = publish(
        &context,
        &["--repository-url", &server.url, wheel, "broken.whl"],
        &[],
    );
    assert_failure(
        &output,
        &[
            "broken.whl does not have a valid distribution file name",
            "is not a valid wheel file name",
        ],
    );

    let mismatch = sdist(
        &context.cwd,
        "other",
        "2.0",
        "Metadata-Version: 2.1\nName: other\nVersion: 2.1\n",
    );
    let output = publish(
        &context,
        &[
            "--repository-url",
            &server.url,
            wheel,
            mismatch.to_str().unwrap(),
        ],
        &[],
    );
    assert_failure(
        &output,
        &["says version `2.0` in its name but `2.1` in its metadata"],
    );

    let empty = TestContext::new();
    let output = publish(&empty, &["--repository-url", &server.url], &[]);
    assert_failure(&output, &["no distributions to upload in", "work/dist"]);

    let output = publish(
        &context,
        &["--repository-url", "ftp://user:hidden-9@example.com/"],
        &[],
    );
    assert_failure(&output, &["invalid upload URL `ftp://example.com/`"]);
    assert!(!all_output(&output).contains("hidden-9"));

    assert!(server.uploads().is_empty(), "nothing was sent");
}

#[test]
fn dry_run_checks_and_lists_without_uploading() {
    let context = TestContext::new();
    build_dists(&context);
    // PyPI needs credentials, but a dry run only warns about them.
    let output = publish(&context, &["--dry-run"], &[]);
    assert_success(&output);
    let out = stdout(&output);
    assert!(out.contains("Would upload demo_pub-1.0.tar.gz ("), "{out}");
    assert!(
        out.contains("Would upload demo_pub-1.0-py3-none-any.whl ("),
        "{out}"
    );
    assert!(
        stderr(&output).contains("warning: no credentials for https://upload.pypi.org/legacy/")
    );

    let output = publish(&context, &["--dry-run", "--json", "--token", "x"], &[]);
    assert_success(&output);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let statuses: Vec<&str> = report
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["would-upload", "would-upload"]);
    assert_eq!(report[0]["repository"], "https://upload.pypi.org/legacy/");
}

/// A process that is killed when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A command for a tool in `venv`, free of the host's pip configuration.
fn tool(venv: &Path, name: &str, home: &Path) -> Command {
    let mut command = Command::new(venv.join("bin").join(name));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1");
    command
}

#[test]
#[ignore = "live: needs PyPI"]
fn publishes_to_a_real_pypiserver() {
    let context = TestContext::new();
    build_dists(&context);
    let home = context.temp.path().join("home");

    // pypiserver and passlib (for its htpasswd file) in a throwaway venv.
    let tools = context.temp.path().join("tools");
    let created = Command::new(base_python())
        .args(["-m", "venv"])
        .arg(&tools)
        .output()
        .unwrap();
    assert_success(&created);
    let installed = tool(&tools, "pip", &home)
        .args(["install", "--isolated", "--quiet", "pypiserver", "passlib"])
        .output()
        .unwrap();
    assert_success(&installed);
    let htpasswd = context.temp.path().join("htpasswd");
    let written = tool(&tools, "python", &home)
        .args([
            "-c",
            "import sys; from passlib.apache import HtpasswdFile; \
             ht = HtpasswdFile(sys.argv[1], new=True); ht.set_password('uploader', 'live-pass-5'); ht.save()",
        ])
        .arg(&htpasswd)
        .output()
        .unwrap();
    assert_success(&written);

    let packages = context.temp.path().join("packages");
    fs_err::create_dir_all(&packages).unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let server = KillOnDrop(
        tool(&tools, "pypi-server", &home)
            .args([
                "run",
                "-i",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-a",
                "update",
                "-P",
            ])
            .arg(&htpasswd)
            .arg(&packages)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "pypiserver did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    let url = format!("http://127.0.0.1:{port}/");

    // Without credentials the server refuses, and wharf says so.
    let output = publish(&context, &["--repository-url", &url], &[]);
    assert_failure(
        &output,
        &[
            "failed to upload demo_pub-1.0.tar.gz",
            "no credentials were sent",
        ],
    );

    let credentials = ["-u", "uploader", "--password", "live-pass-5"];
    let mut args = vec!["--repository-url", url.as_str()];
    args.extend(credentials);
    let output = publish(&context, &args, &[]);
    assert_success(&output);
    assert_eq!(stdout(&output).matches("Uploaded").count(), 2);
    assert!(!all_output(&output).contains("live-pass-5"));
    let mut stored: Vec<String> = fs_err::read_dir(&packages)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    stored.sort();
    assert_eq!(
        stored,
        ["demo_pub-1.0-py3-none-any.whl", "demo_pub-1.0.tar.gz"]
    );

    // Again: pypiserver's 409 fails the upload, or is skipped with --skip-existing.
    let output = publish(&context, &args, &[]);
    assert_failure(&output, &["409", "pass --skip-existing"]);
    args.push("--skip-existing");
    let output = publish(&context, &args, &[]);
    assert_success(&output);
    assert_eq!(stdout(&output).matches("Skipped").count(), 2);

    // pip installs it back from the server.
    let venv = seeded_venv(&context);
    let install = context.pip(
        &venv,
        &[
            "install",
            "--index-url",
            &format!("{url}simple/"),
            "demo-pub",
        ],
    );
    assert_success(&install);
    let import = context.python("import demo_pub; print(demo_pub.__version__)");
    assert_eq!(stdout(&import).trim(), "1.0");
    drop(server);
}

#[test]
fn netrc_credentials_for_the_upload_host() {
    let context = TestContext::new();
    build_dists(&context);
    let server = UploadServer::start(UploadServerOptions {
        basic_auth: Some(("nina".to_string(), "netrc-pass-4".to_string())),
        ..UploadServerOptions::default()
    });
    let netrc = context.temp.path().join("netrc");
    fs_err::write(
        &netrc,
        "machine 127.0.0.1 login nina password netrc-pass-4\n",
    )
    .unwrap();
    let output = publish(
        &context,
        &["--repository-url", &server.url, "-v"],
        &[("NETRC", netrc.to_str().unwrap())],
    );
    assert_success(&output);
    assert!(stderr(&output).contains("Uploading as `nina` (credentials from netrc)"));
    assert!(!all_output(&output).contains("netrc-pass-4"));
}
