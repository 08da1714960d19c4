//! Builds through the PEP 517 frontend against a local index: `wharf build`, installs of
//! local projects, sdist-only dependencies, git URLs and editables, the build caches, and
//! bad input (crashing or missing backends, hostile sdists, lying wheels).
//!
//! The backend is a real one run by the real interpreter: `wharf_test_backend`, served as
//! a fixture wheel so that isolated build environments install it from the local index.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use wharf_test_support::project::{ProjectBuilder, TarMember, backend_wheel};

/// An index holding the fixture backend.
fn with_backend(context: &TestContext) -> IndexServer {
    context.wheel(backend_wheel());
    context.serve(IndexOptions::default())
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs_err::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn zip_names(path: &Path) -> Vec<String> {
    let file = fs_err::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut names: Vec<String> = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn build_makes_sdist_then_wheel_from_it() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let project = ProjectBuilder::new("demo-proj", "0.1.0")
        .requires("helper>=1")
        .write(&context.cwd.join("proj"));
    let output = context.run(&["build", "proj", "-i", &index.url, "-v"]);
    assert_success(&output);
    assert_eq!(
        listing(&project.join("dist")),
        ["demo_proj-0.1.0-py3-none-any.whl", "demo_proj-0.1.0.tar.gz"]
    );
    let out = stdout(&output);
    assert!(
        out.contains("demo_proj-0.1.0.tar.gz") && out.contains(".whl"),
        "{out}"
    );
    // The backend's output is streamed (shown with -v), stdout and stderr both.
    let err = stderr(&output);
    assert!(
        err.contains("test backend: building a wheel of demo-proj"),
        "{err}"
    );
    assert!(err.contains("test backend: a line on stderr"), "{err}");
    let names = zip_names(&project.join("dist/demo_proj-0.1.0-py3-none-any.whl"));
    assert!(
        names.contains(&"demo_proj/__init__.py".to_string()),
        "{names:?}"
    );

    // pip accepts the wheel.
    let venv = context.temp.path().join("pipvenv");
    let status = Command::new(base_python())
        .args(["-m", "venv", venv.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = context.pip(
        &venv,
        &[
            "install",
            "--no-deps",
            project
                .join("dist/demo_proj-0.1.0-py3-none-any.whl")
                .to_str()
                .unwrap(),
        ],
    );
    assert_success(&output);
}

#[test]
fn build_only_sdist_or_only_wheel_and_json() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let project = ProjectBuilder::new("solo", "1.0").write(&context.cwd.join("solo"));
    let out_dir = context.cwd.join("out");
    let output = context.run(&[
        "build",
        "solo",
        "--sdist",
        "-o",
        out_dir.to_str().unwrap(),
        "-i",
        &index.url,
    ]);
    assert_success(&output);
    assert_eq!(listing(&out_dir), ["solo-1.0.tar.gz"]);
    let output = context.run(&[
        "build",
        "solo",
        "--wheel",
        "-o",
        out_dir.to_str().unwrap(),
        "-i",
        &index.url,
        "--json",
    ]);
    assert_success(&output);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(
        json["built"][0]
            .as_str()
            .unwrap()
            .ends_with("solo-1.0-py3-none-any.whl")
    );
    assert_eq!(
        listing(&out_dir),
        ["solo-1.0-py3-none-any.whl", "solo-1.0.tar.gz"]
    );
    // An sdist argument builds its wheel beside it.
    fs_err::remove_file(out_dir.join("solo-1.0-py3-none-any.whl")).unwrap();
    let output = context.run(&["build", "out/solo-1.0.tar.gz", "-i", &index.url]);
    assert_success(&output);
    assert_eq!(
        listing(&out_dir),
        ["solo-1.0-py3-none-any.whl", "solo-1.0.tar.gz"]
    );
    drop(project);
}

#[test]
fn config_settings_reach_the_backend() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let project = ProjectBuilder::new("tuned", "1.0").write(&context.cwd.join("tuned"));
    let output = context.run(&[
        "build",
        "tuned",
        "--wheel",
        "-C",
        "marker=hello",
        "-i",
        &index.url,
    ]);
    assert_success(&output);
    let wheel = project.join("dist/tuned-1.0-py3-none-any.whl");
    assert!(zip_names(&wheel).contains(&"tuned_marker.txt".to_string()));
}

#[test]
fn second_build_reuses_the_build_environment() {
    let context = TestContext::new();
    let index = with_backend(&context);
    ProjectBuilder::new("again", "1.0").write(&context.cwd.join("again"));
    assert_success(&context.run(&["build", "again", "-i", &index.url]));
    index.clear_log();
    assert_success(&context.run(&["build", "again", "-i", &index.url]));
    // The environment is found by the exact versions its requirements resolve to: the
    // index is asked for the list, but no file is downloaded again.
    let log = index.request_log();
    assert!(
        !log.iter().any(|line| line.contains(".whl")),
        "downloaded again: {log:?}"
    );
}

#[test]
fn installs_a_local_project_and_reuses_its_wheel() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("helper", "1.5"));
    let index = with_backend(&context);
    ProjectBuilder::new("localproj", "2.0")
        .requires("helper>=1")
        .write(&context.cwd.join("localproj"));
    context.venv();
    let output = context.run(&["install", "./localproj", "-i", &index.url]);
    assert_success(&output);
    let err = stderr(&output);
    assert!(
        err.contains("Built localproj-2.0-py3-none-any.whl"),
        "{err}"
    );
    assert!(err.contains("+ helper==1.5"), "{err}");
    let output = context.python("import localproj; print(localproj.VERSION)");
    assert_eq!(stdout(&output).trim(), "2.0");
    let direct = fs_err::read_to_string(
        context
            .cwd
            .join(".venv/lib")
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path()
            .join("site-packages/localproj-2.0.dist-info/direct_url.json"),
    )
    .unwrap();
    assert!(direct.contains("\"dir_info\":{}"), "{direct}");
    let output = context.run(&["freeze"]);
    assert!(
        stdout(&output).contains("localproj @ file://"),
        "{}",
        stdout(&output)
    );

    // Unchanged tree: a fresh environment gets the cached wheel, no build.
    fs_err::remove_dir_all(context.cwd.join(".venv")).unwrap();
    context.venv();
    let output = context.run(&["install", "./localproj", "-i", &index.url]);
    assert_success(&output);
    assert!(!stderr(&output).contains("Built"), "{}", stderr(&output));

    // A changed tree is rebuilt.
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs_err::write(
        context.cwd.join("localproj/localproj/__init__.py"),
        "NAME = 'localproj'\nVERSION = 'changed'\n",
    )
    .unwrap();
    let output = context.run(&["install", "./localproj", "-i", &index.url]);
    assert_success(&output);
    assert!(stderr(&output).contains("Built"), "{}", stderr(&output));
    let output = context.python("import localproj; print(localproj.VERSION)");
    assert_eq!(stdout(&output).trim(), "changed");
}

#[test]
fn sdist_only_dependency_is_built_once() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("app", "1.0").requires("srconly>=1"));
    ProjectBuilder::new("srconly", "1.2").sdist(&context.wheels, &[]);
    let index = with_backend(&context);
    context.venv();
    let output = context.run(&["install", "app", "-i", &index.url]);
    assert_success(&output);
    let err = stderr(&output);
    assert!(err.contains("Built srconly-1.2-py3-none-any.whl"), "{err}");
    assert!(err.contains("+ srconly==1.2"), "{err}");
    let output = context.python("import srconly; print(srconly.VERSION)");
    assert_eq!(stdout(&output).trim(), "1.2");

    fs_err::remove_dir_all(context.cwd.join(".venv")).unwrap();
    context.venv();
    let output = context.run(&["install", "app", "-i", &index.url]);
    assert_success(&output);
    assert!(!stderr(&output).contains("Built"), "{}", stderr(&output));
    // --only-binary still refuses it, naming why.
    fs_err::remove_dir_all(context.cwd.join(".venv")).unwrap();
    context.venv();
    let output = context.run(&["install", "app", "-i", &index.url, "--only-binary", ":all:"]);
    assert_failure(&output, &["srconly", "--only-binary"]);
}

#[test]
fn editable_install_follows_the_source() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let project = ProjectBuilder::new("editme", "0.3").write(&context.cwd.join("editme"));
    context.venv();
    let output = context.run(&["install", "-e", "./editme", "-i", &index.url]);
    assert_success(&output);
    let output = context.python("import editme; print(editme.VERSION)");
    assert_eq!(stdout(&output).trim(), "0.3");
    fs_err::write(project.join("editme/__init__.py"), "VERSION = 'live'\n").unwrap();
    let output = context.python("import editme; print(editme.VERSION)");
    assert_eq!(stdout(&output).trim(), "live");
    let output = context.run(&["freeze"]);
    let frozen = stdout(&output);
    assert!(frozen.contains("-e "), "{frozen}");
    assert!(frozen.contains("editme"), "{frozen}");
}

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn installs_from_a_git_url() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let repo = context.temp.path().join("repo");
    ProjectBuilder::new("fromgit", "1.0").write(&repo.join("sub"));
    git(&repo, &["init", "--quiet", "--initial-branch=main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "--quiet", "-m", "one"]);
    git(&repo, &["tag", "v1"]);
    let url = format!(
        "fromgit @ git+file://{}@v1#subdirectory=sub",
        repo.display()
    );
    context.venv();
    let output = context.run(&["install", &url, "-i", &index.url]);
    assert_success(&output);
    let output = context.python("import fromgit; print(fromgit.VERSION)");
    assert_eq!(stdout(&output).trim(), "1.0");
    let output = context.run(&["freeze"]);
    let frozen = stdout(&output);
    assert!(frozen.contains("fromgit @ git+file://"), "{frozen}");
    assert!(
        frozen.contains("#subdirectory=sub") || frozen.contains("@"),
        "{frozen}"
    );
    let report = context.run(&["show", "fromgit"]);
    assert_success(&report);
}

#[test]
fn a_crashing_backend_shows_its_output_and_writes_nothing() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let project = ProjectBuilder::new("crashy", "1.0")
        .option("crash", "build_wheel".into())
        .write(&context.cwd.join("crashy"));
    fs_err::create_dir_all(project.join("dist")).unwrap();
    let output = context.run(&["build", "crashy", "--wheel", "-i", &index.url]);
    assert_failure(
        &output,
        &[
            "failed to build crashy",
            "build_wheel",
            "test backend: about to fail in build_wheel",
            "RuntimeError: the test backend was told to fail in build_wheel",
            "hint:",
        ],
    );
    assert!(
        listing(&project.join("dist")).is_empty(),
        "{:?}",
        listing(&project.join("dist"))
    );

    context.venv();
    let before = context.site_packages_listing();
    let output = context.run(&["install", "./crashy", "-i", &index.url]);
    assert_failure(&output, &["failed to build crashy", "RuntimeError"]);
    assert_eq!(context.site_packages_listing(), before);
}

#[test]
fn a_missing_backend_is_named() {
    let context = TestContext::new();
    let index = with_backend(&context);
    ProjectBuilder::new("nobackend", "1.0")
        .backend("no_such_backend.api")
        .write(&context.cwd.join("nobackend"));
    let output = context.run(&["build", "nobackend", "-i", &index.url]);
    assert_failure(
        &output,
        &[
            "no_such_backend.api",
            "is not installed",
            "[build-system] requires",
        ],
    );
}

#[test]
fn an_unsatisfiable_build_requirement_is_explained() {
    let context = TestContext::new();
    let index = with_backend(&context);
    ProjectBuilder::new("needy", "1.0")
        .build_requires(&["wharf-test-backend", "no-such-build-tool>=9"])
        .write(&context.cwd.join("needy"));
    let output = context.run(&["build", "needy", "-i", &index.url]);
    assert_failure(&output, &["build requirements", "no-such-build-tool"]);
    assert!(
        !context
            .cwd
            .join("needy/dist")
            .join("needy-1.0.tar.gz")
            .exists()
    );
}

#[test]
fn hostile_sdists_are_refused_whole() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let cases: [(&str, TarMember, &str); 3] = [
        (
            "evil-1.0/../../escaped.txt",
            TarMember::File(b"x".to_vec()),
            "climbs out",
        ),
        (
            "evil-1.0/link",
            TarMember::Symlink("../../../../etc".to_string()),
            "out of the tree",
        ),
        (
            "/tmp/wharf-absolute-sdist.txt",
            TarMember::File(b"x".to_vec()),
            "absolute",
        ),
    ];
    for (path, member, phrase) in cases {
        let dir = context.temp.path().join("hostile");
        let _ = fs_err::remove_dir_all(&dir);
        fs_err::create_dir_all(&dir).unwrap();
        let sdist = ProjectBuilder::new("evil", "1.0").sdist(&dir, &[(path, member)]);
        let output = context.run(&["build", sdist.to_str().unwrap(), "-i", &index.url]);
        assert_failure(&output, &["evil-1.0.tar.gz", "unsafe", phrase]);
        assert_eq!(listing(&dir), ["evil-1.0.tar.gz"], "{path}");
        assert!(!context.temp.path().join("escaped.txt").exists());
        assert!(!Path::new("/tmp/wharf-absolute-sdist.txt").exists());
    }
}

#[test]
fn a_built_wheel_for_another_version_is_refused() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("app", "1.0").requires("liar>=1"));
    ProjectBuilder::new("liar", "1.0")
        .option("wrong_version", "9.9".into())
        .sdist(&context.wheels, &[]);
    let index = with_backend(&context);
    context.venv();
    let before = context.site_packages_listing();
    let output = context.run(&["install", "app", "-i", &index.url]);
    assert_failure(&output, &["liar", "9.9", "1.0"]);
    assert_eq!(context.site_packages_listing(), before);
}

#[test]
fn a_built_wheel_whose_record_lies_is_not_installed() {
    let context = TestContext::new();
    let index = with_backend(&context);
    ProjectBuilder::new("fibber", "1.0")
        .option("lying_record", true.into())
        .write(&context.cwd.join("fibber"));
    context.venv();
    let before = context.site_packages_listing();
    let output = context.run(&["install", "./fibber", "-i", &index.url]);
    assert_failure(&output, &["fibber", "RECORD"]);
    assert_eq!(context.site_packages_listing(), before);

    // `wharf build` refuses to write it out.
    let output = context.run(&["build", "fibber", "--wheel", "-i", &index.url]);
    assert_failure(
        &output,
        &["fibber-1.0-py3-none-any.whl", "broken", "RECORD", "hint:"],
    );
    assert!(listing(&context.cwd.join("fibber/dist")).is_empty());
}

#[test]
fn no_isolation_uses_the_environment() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let project = ProjectBuilder::new("inplace", "1.0").write(&context.cwd.join("inplace"));
    context.venv();
    // Without the backend in the environment, --no-isolation says what is missing.
    let output = context.run(&["build", "inplace", "--no-isolation"]);
    assert_failure(
        &output,
        &["wharf_test_backend", "is not installed", "--no-isolation"],
    );
    assert_success(&context.run(&["install", "wharf-test-backend", "-i", &index.url]));
    let output = context.run(&["build", "inplace", "--wheel", "--no-isolation"]);
    assert_success(&output);
    assert_eq!(
        listing(&project.join("dist")),
        ["inplace-1.0-py3-none-any.whl"]
    );
}

#[test]
fn an_sdist_that_fails_its_required_hash_is_not_built() {
    let context = TestContext::new();
    context.wheel(backend_wheel());
    ProjectBuilder::new("srconly", "1.2").sdist(&context.wheels, &[]);
    fs_err::write(
        context.cwd.join("requirements.txt"),
        format!("srconly==1.2 --hash=sha256:{}\n", "0".repeat(64)),
    )
    .unwrap();
    context.venv();
    let before = context.site_packages_listing();
    let links = context.wheels.to_str().unwrap();
    let output = context.run(&[
        "install",
        "--no-index",
        "-f",
        links,
        "-r",
        "requirements.txt",
    ]);
    assert_failure(&output, &["hash mismatch", "srconly-1.2.tar.gz", "hint:"]);
    assert!(!stderr(&output).contains("Built"), "{}", stderr(&output));
    assert_eq!(context.site_packages_listing(), before);
}

#[test]
fn concurrent_installs_build_an_sdist_once() {
    let context = TestContext::new();
    context.wheel(WheelBuilder::new("app", "1.0").requires("srconly>=1"));
    ProjectBuilder::new("srconly", "1.2").sdist(&context.wheels, &[]);
    let index = with_backend(&context);
    let venvs: Vec<std::path::PathBuf> = (0..3)
        .map(|i| {
            let dir = context.cwd.join(format!("venv{i}"));
            let output = context.run(&[
                "venv",
                dir.to_str().unwrap(),
                "--python",
                base_python().to_str().unwrap(),
            ]);
            assert_success(&output);
            dir
        })
        .collect();
    let children: Vec<_> = venvs
        .iter()
        .map(|venv| {
            context
                .wharf()
                .args(["install", "app", "-i", &index.url, "--venv"])
                .arg(venv)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut builds = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert_success(&output);
        builds += stderr(&output).matches("Built srconly-1.2").count();
    }
    // The build cache is locked per sdist: one process builds, the others wait and reuse.
    assert_eq!(builds, 1);
    for venv in &venvs {
        let output = Command::new(venv.join("bin/python"))
            .args(["-c", "import srconly; print(srconly.VERSION)"])
            .output()
            .unwrap();
        assert_eq!(stdout(&output).trim(), "1.2");
    }
}

#[test]
fn a_kill_during_a_build_changes_nothing_and_the_next_run_builds() {
    let context = TestContext::new();
    let index = with_backend(&context);
    let hold = context.temp.path().join("hold");
    ProjectBuilder::new("slow", "1.0")
        .option("hold", hold.to_str().unwrap().into())
        .write(&context.cwd.join("slow"));
    context.venv();
    let before = context.site_packages_listing();
    fs_err::write(&hold, "").unwrap();
    let mut child = context
        .wharf()
        .args(["install", "./slow", "-i", &index.url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = hold.with_extension("started");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !started.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the backend never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // SIGKILL: no cleanup of any kind runs in wharf.
    child.kill().unwrap();
    child.wait().unwrap();
    fs_err::remove_file(&hold).unwrap(); // lets the orphaned backend finish
    assert_eq!(context.site_packages_listing(), before);

    let output = context.run(&["install", "./slow", "-i", &index.url]);
    assert_success(&output);
    let output = context.python("import slow; print(slow.VERSION)");
    assert_eq!(stdout(&output).trim(), "1.0");
}
