//! The frontend against a real backend run by the real interpreter, without isolation:
//! an in-tree backend (`backend-path`), `prepare_metadata_for_build_wheel`, `build_wheel`
//! and a failing hook. (Isolated builds are covered by the CLI tests.)

use std::path::Path;
use std::sync::Arc;

use futures::future::BoxFuture;
use wharf_build::{DistKind, EnvInstaller, Frontend, InstallerError};
use wharf_cache::Cache;
use wharf_interpreter::Interpreter;
use wharf_pep::Requirement;
use wharf_test_support::project::{ProjectBuilder, TEST_BACKEND};

/// Never called: these builds are not isolated.
struct NoInstaller;

impl EnvInstaller for NoInstaller {
    fn resolve<'a>(
        &'a self,
        _: &'a Interpreter,
        _: &'a [Requirement],
    ) -> BoxFuture<'a, Result<Vec<String>, InstallerError>> {
        unreachable!("no isolation")
    }

    fn install<'a>(
        &'a self,
        _: &'a Interpreter,
        _: &'a [String],
    ) -> BoxFuture<'a, Result<(), InstallerError>> {
        unreachable!("no isolation")
    }
}

fn frontend(cache: &Cache) -> Frontend {
    let python = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3");
    let python = String::from_utf8(python.stdout).unwrap();
    Frontend {
        cache: cache.clone(),
        interpreter: Interpreter::query(Path::new(python.trim()), cache).unwrap(),
        installer: Arc::new(NoInstaller),
        isolation: false,
        config_settings: Default::default(),
        output: Arc::new(|_| {}),
        events: Arc::new(|_| {}),
        check: None,
    }
}

/// A project whose backend lives in its own tree.
fn in_tree_project(dir: &Path, builder: ProjectBuilder) {
    builder
        .build_requires(&[])
        .file("_backend/wharf_test_backend/__init__.py", TEST_BACKEND)
        .write(dir);
    let pyproject = dir.join("pyproject.toml");
    let text = fs_err::read_to_string(&pyproject).unwrap();
    fs_err::write(&pyproject, format!("{text}backend-path = [\"_backend\"]\n")).unwrap();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn prepares_metadata_and_builds_with_an_in_tree_backend() {
    let temp = tempfile::tempdir().unwrap();
    let cache = Cache::at(temp.path().join("cache")).unwrap();
    let project = temp.path().join("proj");
    in_tree_project(
        &project,
        ProjectBuilder::new("intree", "3.1").requires("helper>=1"),
    );
    let frontend = frontend(&cache);
    let runtime = runtime();

    let metadata_dir = temp.path().join("metadata");
    let dist_info = runtime
        .block_on(frontend.prepare_metadata(&project, &metadata_dir))
        .unwrap()
        .expect("the backend offers prepare_metadata_for_build_wheel");
    assert!(
        dist_info.ends_with("intree-3.1.dist-info"),
        "{}",
        dist_info.display()
    );
    let metadata = fs_err::read_to_string(dist_info.join("METADATA")).unwrap();
    assert!(metadata.contains("Requires-Dist: helper>=1"), "{metadata}");

    let out = temp.path().join("dist");
    let wheel = runtime
        .block_on(frontend.build(&project, &out, DistKind::Wheel))
        .unwrap();
    assert_eq!(wheel, out.join("intree-3.1-py3-none-any.whl"));
    // Only the result is left in the output directory (no scratch directory).
    assert_eq!(fs_err::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn a_failing_hook_keeps_its_output_and_leaves_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let cache = Cache::at(temp.path().join("cache")).unwrap();
    let project = temp.path().join("proj");
    in_tree_project(
        &project,
        ProjectBuilder::new("failing", "1.0").option("crash", "build_wheel".into()),
    );
    let out = temp.path().join("dist");
    let err = runtime()
        .block_on(frontend(&cache).build(&project, &out, DistKind::Wheel))
        .unwrap_err();
    let output = err.output().unwrap_or_default();
    assert!(
        output.contains("RuntimeError: the test backend was told to fail"),
        "{output}"
    );
    assert_eq!(fs_err::read_dir(&out).unwrap().count(), 0);
}
