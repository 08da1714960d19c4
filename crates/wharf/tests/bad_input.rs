//! Bad input: each gives a clear error and a non-zero exit, and leaves the environment
//! and the cache as they were.

mod common;

use common::*;

fn setup() -> (TestContext, IndexServer) {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("good", "1.0"));
    let index = context.serve(IndexOptions {
        fail_projects: vec![("flaky".into(), 500)],
        garbage_projects: vec!["garbled".into()],
        truncate_files: vec![WheelBuilder::new("cut", "1.0").filename()],
        ..IndexOptions::default()
    });
    context.wheel(WheelBuilder::new("cut", "1.0"));
    context.venv();
    (context, index)
}

#[test]
fn malformed_requirement_names_file_and_line() {
    let (context, index) = setup();
    fs_err::write(context.cwd.join("requirements.txt"), "good\nbad >>> 1\n").unwrap();
    let output = context.run(&["install", "-r", "requirements.txt", "-i", &index.url]);
    assert_failure(&output, &["requirements.txt:2", "bad >>> 1"]);
}

#[test]
fn unknown_package_says_where_it_looked() {
    let (context, index) = setup();
    let output = context.run(&["install", "does-not-exist", "-i", &index.url]);
    assert_failure(
        &output,
        &["does-not-exist", "was not found in", "127.0.0.1"],
    );
}

#[test]
fn no_matching_version_lists_available_versions() {
    let (context, index) = setup();
    let output = context.run(&["install", "good>=2", "-i", &index.url]);
    assert_failure(&output, &["good>=2", "available versions of good: 1.0"]);
}

#[test]
fn conflict_is_explained() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("left", "1.0").requires("shared<2"));
    context.wheel(WheelBuilder::new("right", "1.0").requires("shared>=2"));
    context.wheel(WheelBuilder::new("shared", "1.0"));
    context.wheel(WheelBuilder::new("shared", "2.0"));
    let index = context.serve(IndexOptions::default());
    context.venv();
    let output = context.run(&["install", "left", "right", "-i", &index.url]);
    assert_failure(
        &output,
        &[
            "left",
            "depends on shared<2",
            "right",
            "shared>=2",
            "cannot be satisfied",
        ],
    );
}

#[test]
fn server_error_and_garbage_pages_are_reported() {
    let (context, index) = setup();
    let output = context.run(&["install", "flaky", "-i", &index.url]);
    assert_failure(&output, &["500"]);
    let output = context.run(&["install", "garbled", "-i", &index.url]);
    assert_failure(&output, &["garbled"]);
    assert_eq!(stdout(&context.run(&["freeze"])), "");
}

#[test]
fn truncated_download_is_a_hash_mismatch_and_leaves_nothing() {
    let (context, index) = setup();
    let before = context.site_packages_listing();
    let output = context.run(&["install", "good", "cut", "-i", &index.url]);
    assert_failure(&output, &["cut-1.0-py3-none-any.whl"]);
    assert_eq!(
        context.site_packages_listing(),
        before,
        "nothing may be installed, not even `good`"
    );
    let archives = context.cache.join("archives-v1");
    let leftovers: Vec<_> = walkdir(&archives)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("cut-1.0"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = fs_err::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walkdir(&path));
            }
            out.push(path);
        }
    }
    out
}

#[test]
fn wheel_whose_record_lies_is_refused() {
    let context = TestContext::new();
    context.wheel(
        WheelBuilder::new("liar", "1.0")
            .file("liar/data.txt", "x")
            .wrong_hash("liar/data.txt"),
    );
    context.venv();
    let before = context.site_packages_listing();
    let output = context.run(&[
        "install",
        "--no-index",
        "-f",
        context.wheels.to_str().unwrap(),
        "liar",
    ]);
    assert_failure(&output, &["liar", "RECORD"]);
    assert_eq!(context.site_packages_listing(), before);
}

#[test]
fn wheel_with_path_traversal_is_refused() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("evil", "1.0").raw_entry("../../escaped.py", "print('owned')"));
    context
        .wheel(WheelBuilder::new("evil2", "1.0").raw_entry("/tmp/wharf-absolute-escape.py", "x"));
    context.venv();
    let before = context.site_packages_listing();
    let links = context.wheels.to_str().unwrap();
    assert_failure(
        &context.run(&["install", "--no-index", "-f", links, "evil"]),
        &["evil"],
    );
    assert_failure(
        &context.run(&["install", "--no-index", "-f", links, "evil2"]),
        &["evil2"],
    );
    assert_eq!(context.site_packages_listing(), before);
    assert!(!context.cwd.join(".venv/lib/escaped.py").exists());
    assert!(!std::path::Path::new("/tmp/wharf-absolute-escape.py").exists());
}

#[test]
fn a_broken_sdist_says_what_is_wrong() {
    let context = TestContext::new();
    fs_err::write(context.wheels.join("onlysrc-1.0.tar.gz"), b"not really").unwrap();
    context.venv();
    let output = context.run(&[
        "install",
        "--no-index",
        "-f",
        context.wheels.to_str().unwrap(),
        "onlysrc",
    ]);
    assert_failure(
        &output,
        &[
            "failed to build onlysrc-1.0.tar.gz",
            "cannot be read",
            "hint:",
        ],
    );
}

#[test]
fn no_environment_gives_a_hint() {
    let context = TestContext::new();
    let output = context.run(&["install", "anything", "--no-index"]);
    assert_failure(&output, &["wharf venv"]);
}

#[test]
fn interrupt_while_resolving_leaves_environment_unchanged() {
    interrupted_resolution_changes_nothing("-INT");
}

#[test]
fn kill_while_resolving_leaves_environment_unchanged() {
    interrupted_resolution_changes_nothing("-TERM");
}

#[test]
fn interrupt_during_download_leaves_environment_unchanged() {
    interrupted_download_changes_nothing("-INT");
}

#[test]
fn kill_during_download_leaves_environment_unchanged() {
    interrupted_download_changes_nothing("-TERM");
}

/// Resolution completes (from PEP 658 metadata files), then the wheel's download stalls
/// half-way; the signal must stop wharf at once, with exit code 130, nothing installed and
/// no partial file in the cache.
fn interrupted_download_changes_nothing(signal: &str) {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("quick", "1.0"));
    let slow = WheelBuilder::new("slow", "1.0").file("slow/blob.bin", vec![7u8; 1 << 20]);
    context.wheel(slow.clone());
    let index = context.serve(IndexOptions {
        metadata_files: true,
        stall_files: vec![slow.filename()],
        ..IndexOptions::default()
    });
    context.venv();
    let before = context.site_packages_listing();
    let child = context
        .wharf()
        .args(["install", "quick", "slow", "-i", &index.url])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the stalled download has started.
    let started = std::time::Instant::now();
    while !index
        .request_log()
        .iter()
        .any(|line| line.contains(&slow.filename()) && !line.ends_with(".metadata"))
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            index.request_log()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let interrupted = std::time::Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(interrupted.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the environment was not changed"),
        "{}",
        stderr(&output)
    );
    assert_eq!(context.site_packages_listing(), before);
    let partial: Vec<_> = walkdir(&context.cache.join("archives-v1"))
        .into_iter()
        .filter(|path| path.to_string_lossy().contains("slow-1.0"))
        .collect();
    assert!(partial.is_empty(), "{partial:?}");
}

fn interrupted_resolution_changes_nothing(signal: &str) {
    use std::io::Read;
    // A server that accepts connections and never answers: the install hangs mid-fetch.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
            if held.len() > 64 {
                break;
            }
        }
        let mut buffer = [0u8; 1];
        for mut stream in held {
            let _ = stream.read(&mut buffer);
        }
    });
    let context = TestContext::new();
    let wheel = WheelBuilder::new("slow", "1.0");
    fs_err::write(
        context.cwd.join("links.html"),
        format!(
            "<a href=\"http://127.0.0.1:{port}/{}#sha256={}\">{}</a>",
            wheel.filename(),
            wheel.sha256(),
            wheel.filename()
        ),
    )
    .unwrap();
    context.venv();
    let before = context.site_packages_listing();
    let child = context
        .wharf()
        .args(["install", "--no-index", "-f", "links.html", "slow"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let status = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    let output = child.wait_with_output().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(!output.status.success());
    assert_eq!(context.site_packages_listing(), before);
}

#[test]
fn externally_managed_interpreter_is_refused_unless_asked() {
    let system = std::path::Path::new("/usr/bin/python3");
    let marker_exists = std::process::Command::new(system)
        .args(["-c", "import sysconfig, os, sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')) else 1)"])
        .status()
        .is_ok_and(|status| status.success());
    if !marker_exists {
        eprintln!("skipping: no externally managed /usr/bin/python3 here");
        return;
    }
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("good", "1.0"));
    let links = context.wheels.to_str().unwrap();
    let output = context.run(&[
        "install",
        "--python",
        "/usr/bin/python3",
        "--no-index",
        "-f",
        links,
        "good",
    ]);
    assert_failure(
        &output,
        &[
            "externally managed",
            "hint:",
            "wharf venv",
            "--break-system-packages",
        ],
    );
    // Asked explicitly, wharf goes on (to a resolution that fails here, so that the
    // system interpreter is never changed by the test).
    let output = context.run(&[
        "install",
        "--python",
        "/usr/bin/python3",
        "--break-system-packages",
        "--no-index",
        "-f",
        links,
        "not-there",
    ]);
    assert_failure(&output, &["not-there"]);
    assert!(
        !stderr(&output).contains("externally managed"),
        "{}",
        stderr(&output)
    );
}

/// `kill -9` at any moment of an install: the next wharf command repairs what the killed
/// one left (at most the package in flight), the install converges, and uninstalling it
/// leaves the environment exactly as it was before the first attempt.
#[test]
fn kill_9_at_any_moment_leaves_a_repairable_environment() {
    let context = TestContext::new();
    let mut big = WheelBuilder::new("big", "1.0").console_script("big-tool", "big:main");
    for index in 0..4000 {
        big = big.file(
            &format!("big/module_{index}.py"),
            format!("VALUE = {index}\n"),
        );
    }
    context.wheel(big);
    context.wheel(WheelBuilder::new("small", "1.0").requires("big"));
    let index = context.serve(IndexOptions::default());
    context.venv();
    let before = context.site_packages_listing();
    // From before the index is asked to after the last file is linked (~10–100 ms here).
    for delay_ms in (4..=100).step_by(8) {
        let child = context
            .wharf()
            .args(["install", "small", "-i", &index.url])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let pid = child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid])
            .status();
        let _ = child.wait_with_output();

        let output = context.run(&["install", "small", "-i", &index.url]);
        assert_success(&output);
        assert_eq!(stdout(&context.run(&["freeze"])), "big==1.0\nsmall==1.0\n");
        assert_success(&context.run(&["check"]));
        let leftovers: Vec<String> = context
            .site_packages_listing()
            .into_iter()
            .filter(|path| path.contains(".wharf-tx-"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "after a kill at {delay_ms} ms: {leftovers:?}"
        );
        assert_success(&context.run(&["uninstall", "small", "big"]));
        assert_eq!(
            context.site_packages_listing(),
            before,
            "after a kill at {delay_ms} ms"
        );
    }
    assert_success(&context.run(&["cache", "prune"]));
}
