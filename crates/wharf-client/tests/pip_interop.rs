//! The test index is what every hermetic test installs from, so it must be a real index:
//! pip resolves and downloads from it, in HTML and JSON forms, with metadata files and
//! basic auth. Skipped (with a message) where `python3 -m pip` is missing.

use std::process::Command;

use wharf_test_support::index::{IndexOptions, IndexServer};
use wharf_test_support::wheel::WheelBuilder;

fn pip_available() -> bool {
    Command::new("python3")
        .args(["-m", "pip", "--version"])
        .output()
        .is_ok_and(|output| output.status.success())
}

#[test]
fn pip_downloads_from_the_test_index() {
    if !pip_available() {
        eprintln!("skipped: python3 -m pip is not available");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    WheelBuilder::new("app", "1.0")
        .requires("lib>=2")
        .build(dir.path());
    WheelBuilder::new("lib", "1.0").build(dir.path());
    WheelBuilder::new("lib", "2.0").build(dir.path());
    WheelBuilder::new("lib", "3.0").build(dir.path());
    for options in [
        IndexOptions::default(),
        IndexOptions {
            json: true,
            metadata_files: true,
            range_requests: true,
            yanked: vec![("lib-3.0-py3-none-any.whl".into(), "broken".into())],
            basic_auth: Some(("user".into(), "pass".into())),
            ..IndexOptions::default()
        },
    ] {
        let authenticated = options.basic_auth.is_some();
        let server = IndexServer::serve(dir.path(), options);
        let url = if authenticated {
            server.url.replace("http://", "http://user:pass@")
        } else {
            server.url.clone()
        };
        let target = tempfile::tempdir().unwrap();
        let output = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-cache-dir",
                "--disable-pip-version-check",
            ])
            .args(["--index-url", &url, "-d"])
            .arg(target.path())
            .arg("app")
            .env("PIP_CONFIG_FILE", "/dev/null")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "pip failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let mut downloaded: Vec<String> = std::fs::read_dir(target.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        downloaded.sort();
        let expected_lib = if authenticated {
            "lib-2.0-py3-none-any.whl"
        } else {
            "lib-3.0-py3-none-any.whl"
        };
        assert_eq!(downloaded, vec!["app-1.0-py3-none-any.whl", expected_lib]);
        if authenticated {
            let log = server.request_log();
            assert!(
                log.iter().any(|line| line.ends_with(".whl.metadata")),
                "pip did not use the metadata files: {log:?}"
            );
        }
    }
}
