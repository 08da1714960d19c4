//! Installs into real virtual environments made by `python3 -m venv`, checked with the real
//! interpreter and pip: imports, scripts, RECORD, uninstall, bad wheels, failed replacements.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use wharf_cache::{Bucket, Cache};
use wharf_installer::{
    DistKind, InstallError, InstallOptions, Layout, LinkMode, SitePackages, UnpackedWheel,
    install_wheel, repair, replace, uninstall, unpack_wheel,
};
use wharf_metadata::{DirectUrl, Record};
use wharf_pep::PackageName;
use wharf_test_support::wheel::WheelBuilder;

/// A fresh venv (without pip), a cache and a directory for wheels.
struct Env {
    _temp: tempfile::TempDir,
    root: PathBuf,
    wheels: PathBuf,
    cache: Cache,
    layout: Layout,
}

/// The layout `python -m venv` gives on POSIX (wharf itself reads it from sysconfig).
fn venv_layout(root: &Path, python_version: (u8, u8)) -> Layout {
    let (major, minor) = python_version;
    let site_packages = root.join(format!("lib/python{major}.{minor}/site-packages"));
    Layout {
        purelib: site_packages.clone(),
        platlib: site_packages,
        scripts: root.join("bin"),
        data: root.to_path_buf(),
        include: root.join(format!("include/site/python{major}.{minor}")),
        python_executable: root.join("bin/python"),
        python_version,
    }
}

fn python_version() -> (u8, u8) {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys; print(sys.version_info[0], sys.version_info[1])",
        ])
        .output()
        .expect("python3 is needed for these tests");
    let text = String::from_utf8(output.stdout).unwrap();
    let mut parts = text.split_whitespace().map(|part| part.parse().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

impl Env {
    fn new() -> Self {
        Self::named("venv")
    }

    fn named(name: &str) -> Self {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().join(name);
        let status = Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(&root)
            .status()
            .unwrap();
        assert!(status.success());
        let cache = Cache::at(temp.path().join("cache")).unwrap();
        let wheels = temp.path().join("wheels");
        let layout = venv_layout(&root, python_version());
        assert!(layout.purelib.is_dir(), "{}", layout.purelib.display());
        Self {
            _temp: temp,
            root,
            wheels,
            cache,
            layout,
        }
    }

    fn unpack(&self, builder: &WheelBuilder) -> Result<UnpackedWheel, InstallError> {
        unpack_wheel(&self.cache, &builder.build(&self.wheels), None)
    }

    fn install(&self, builder: &WheelBuilder) -> wharf_installer::InstalledDist {
        let unpacked = self.unpack(builder).unwrap();
        install_wheel(&unpacked, &self.layout, &InstallOptions::default()).unwrap()
    }

    fn python(&self, code: &str) -> std::process::Output {
        Command::new(&self.layout.python_executable)
            .args(["-c", code])
            .output()
            .unwrap()
    }

    /// Every path in the environment, relative to its root.
    fn snapshot(&self) -> BTreeSet<PathBuf> {
        walkdir::WalkDir::new(&self.root)
            .into_iter()
            .map(|entry| {
                entry
                    .unwrap()
                    .path()
                    .strip_prefix(&self.root)
                    .unwrap()
                    .to_path_buf()
            })
            .collect()
    }

    fn cache_entries(&self) -> usize {
        let wheels = self.cache.bucket(Bucket::Wheels).unwrap();
        let temp = self.cache.bucket(Bucket::Temp).unwrap();
        fs_err::read_dir(wheels).unwrap().count() + fs_err::read_dir(temp).unwrap().count()
    }

    fn site(&self) -> SitePackages {
        SitePackages::for_layout(&self.layout).unwrap()
    }
}

fn pip(env: &Env, args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .args(["-m", "pip", "--disable-pip-version-check", "--python"])
        .arg(&env.layout.python_executable)
        .args(args)
        .output()
        .unwrap()
}

fn name(text: &str) -> PackageName {
    PackageName::from_str(text).unwrap()
}

fn full_wheel() -> WheelBuilder {
    WheelBuilder::new("Demo-Pkg", "1.0")
        .requires("idna>=2; python_version < '3'")
        .file(
            "demo_pkg/cli.py",
            "import sys\ndef main():\n    print('hello from', sys.executable)\n    return 0\n",
        )
        .file("demo_pkg/data/info.txt", "some data")
        .data_file(
            "scripts",
            "legacy-tool",
            "#!python\nimport demo_pkg\nprint('legacy', demo_pkg.__version__)\n",
        )
        .data_file("data", "share/demo/readme.txt", "shared")
        .data_file("headers", "demo.h", "#define DEMO 1\n")
        .data_file("purelib", "demo_extra.py", "VALUE = 42\n")
        .console_script("demo", "demo_pkg.cli:main")
        .gui_script("demo-gui", "demo_pkg.cli:main")
}

#[test]
fn install_import_run_and_uninstall_leaves_nothing() {
    let env = Env::new();
    let before = env.snapshot();
    let dist = env.install(&full_wheel());
    assert_eq!(dist.name, name("demo-pkg"));

    let output =
        env.python("import demo_pkg, demo_extra; print(demo_pkg.__version__, demo_extra.VALUE)");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "1.0 42\n",
        "{output:?}"
    );

    let output = Command::new(env.layout.scripts.join("demo"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("hello from"));
    let output = Command::new(env.layout.scripts.join("legacy-tool"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "legacy 1.0\n",
        "{output:?}"
    );
    let script = fs_err::read_to_string(env.layout.scripts.join("legacy-tool")).unwrap();
    assert!(script.starts_with(&format!("#!{}\n", env.layout.python_executable.display())));
    assert!(env.root.join("share/demo/readme.txt").is_file());
    assert!(env.layout.include.join("Demo-Pkg/demo.h").is_file());

    let record =
        Record::parse(&fs_err::read_to_string(dist.dist_info.join("RECORD")).unwrap()).unwrap();
    let paths: BTreeSet<&str> = record
        .entries
        .iter()
        .map(|entry| entry.path.as_str())
        .collect();
    for expected in [
        "../../../bin/demo",
        "../../../bin/demo-gui",
        "../../../bin/legacy-tool",
        "demo_pkg/__init__.py",
        "demo_extra.py",
        "demo_pkg-1.0.dist-info/INSTALLER",
        "demo_pkg-1.0.dist-info/RECORD",
    ] {
        assert!(paths.contains(expected), "{expected} not in {paths:?}");
    }
    assert_eq!(
        fs_err::read_to_string(dist.dist_info.join("INSTALLER")).unwrap(),
        "wharf\n"
    );

    // pip reads the environment wharf made.
    let list = pip(&env, &["list", "--format", "freeze"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("Demo-Pkg==1.0"),
        "{list:?}"
    );
    let check = pip(&env, &["check"]);
    assert!(check.status.success(), "{check:?}");

    let site = env.site();
    let installed = site.get(&name("demo-pkg")).unwrap();
    assert_eq!(installed.installer.as_deref(), Some("wharf"));
    assert_eq!(installed.metadata().unwrap().version.to_string(), "1.0");

    // Python writes bytecode on import; uninstall removes it too.
    let report = uninstall(installed, &env.layout).unwrap();
    assert!(report.outside.is_empty());
    assert_eq!(env.snapshot(), before);
    assert!(env.site().is_empty());
}

#[test]
fn files_are_hardlinked_from_the_cache() {
    let env = Env::new();
    let unpacked = env.unpack(&full_wheel()).unwrap();
    let options = InstallOptions {
        link_mode: LinkMode::Hardlink,
        ..InstallOptions::default()
    };
    install_wheel(&unpacked, &env.layout, &options).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let installed = fs_err::metadata(env.layout.purelib.join("demo_pkg/cli.py")).unwrap();
        let cached = fs_err::metadata(unpacked.path.join("demo_pkg/cli.py")).unwrap();
        assert_eq!(installed.ino(), cached.ino());
        assert!(installed.nlink() >= 2);
    }
    // The default mode falls back from reflink to hardlink on this file system, or clones.
    let other = Env::new();
    let unpacked = unpack_wheel(&other.cache, &full_wheel().build(&other.wheels), None).unwrap();
    install_wheel(&unpacked, &other.layout, &InstallOptions::default()).unwrap();
    assert!(other.layout.purelib.join("demo_pkg/cli.py").is_file());
}

#[test]
fn copy_mode_keeps_executable_bits() {
    let env = Env::new();
    let builder =
        WheelBuilder::new("exe", "1").executable_file("exe/run.sh", "#!/bin/sh\necho run\n");
    let unpacked = env.unpack(&builder).unwrap();
    let options = InstallOptions {
        link_mode: LinkMode::Copy,
        ..InstallOptions::default()
    };
    install_wheel(&unpacked, &env.layout, &options).unwrap();
    let output = Command::new(env.layout.purelib.join("exe/run.sh"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "run\n");
}

#[test]
fn spaces_in_the_interpreter_path_use_a_trampoline() {
    let env = Env::named("my venv");
    env.install(&full_wheel());
    let script = fs_err::read_to_string(env.layout.scripts.join("demo")).unwrap();
    assert!(script.starts_with("#!/bin/sh\n"), "{script}");
    let output = Command::new(env.layout.scripts.join("demo"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("my venv"));
}

#[test]
fn requested_direct_url_and_bytecode() {
    let env = Env::new();
    let unpacked = env.unpack(&full_wheel()).unwrap();
    let direct_url = DirectUrl::archive("file:///wheels/demo_pkg-1.0-py3-none-any.whl", Some("ab"));
    let options = InstallOptions {
        requested: true,
        direct_url: Some(direct_url.clone()),
        compile_bytecode: true,
        ..InstallOptions::default()
    };
    let before = env.snapshot();
    let dist = install_wheel(&unpacked, &env.layout, &options).unwrap();
    let site = env.site();
    let installed = site.get(&dist.name).unwrap();
    assert!(installed.requested);
    assert_eq!(installed.direct_url.as_ref(), Some(&direct_url));
    let pyc = env.layout.purelib.join(format!(
        "demo_pkg/__pycache__/cli.{}.pyc",
        format_args!(
            "cpython-{}{}",
            env.layout.python_version.0, env.layout.python_version.1
        )
    ));
    assert!(pyc.is_file());
    let record = fs_err::read_to_string(dist.dist_info.join("RECORD")).unwrap();
    assert!(
        record.contains("demo_pkg/__pycache__/cli.cpython-"),
        "{record}"
    );
    let freeze = pip(&env, &["freeze"]);
    assert!(
        String::from_utf8_lossy(&freeze.stdout).contains("Demo-Pkg @ file:///wheels/"),
        "{freeze:?}"
    );
    uninstall(installed, &env.layout).unwrap();
    assert_eq!(env.snapshot(), before);
}

#[test]
fn platlib_wheel_goes_to_platlib() {
    let env = Env::new();
    let builder = WheelBuilder::new("native", "2.0").tag("cp311-cp311-manylinux_2_17_x86_64");
    let dist = env.install(&builder);
    assert_eq!(
        dist.dist_info,
        env.layout.platlib.join("native-2.0.dist-info")
    );
}

/// Each bad wheel gives its precise error, and leaves nothing in the cache or the venv.
#[test]
fn bad_wheels_are_rejected_and_leave_nothing() {
    let env = Env::new();
    let before = env.snapshot();
    let base = || WheelBuilder::new("bad", "1.0");
    type Check = fn(&InstallError) -> bool;
    let cases: Vec<(&str, WheelBuilder, Check)> = vec![
        ("traversal", base().raw_entry("../evil.py", "x"), |err| {
            matches!(err, InstallError::UnsafePath { .. })
        }),
        (
            "nested traversal",
            base().raw_entry("bad/../../evil.py", "x"),
            |err| matches!(err, InstallError::UnsafePath { .. }),
        ),
        ("absolute", base().raw_entry("/tmp/evil.py", "x"), |err| {
            matches!(err, InstallError::UnsafePath { .. })
        }),
        (
            "wrong hash",
            base().wrong_hash("bad/__init__.py"),
            |err| matches!(err, InstallError::RecordHash { path, .. } if path == "bad/__init__.py"),
        ),
        (
            "unrecorded",
            base().unrecorded_file("bad/sneaky.py", "x"),
            |err| matches!(err, InstallError::Unrecorded { path, .. } if path == "bad/sneaky.py"),
        ),
        ("no dist-info", base().without_dist_info(), |err| {
            matches!(err, InstallError::DistInfo { .. })
        }),
        ("wheel version 2", base().wheel_version("2.0"), |err| {
            matches!(err, InstallError::WheelFile { .. })
        }),
        (
            "second dist-info",
            base().raw_entry("other-1.0.dist-info/METADATA", "Name: other\n"),
            |err| matches!(err, InstallError::DistInfo { .. }),
        ),
    ];
    for (case, builder, expected) in cases {
        let err = env.unpack(&builder).expect_err(case);
        assert!(expected(&err), "{case}: {err}");
        assert_eq!(env.cache_entries(), 0, "{case}: the cache is not empty");
        fs_err::remove_dir_all(&env.wheels).unwrap();
    }

    // A truncated download.
    let path = base().build(&env.wheels);
    let bytes = fs_err::read(&path).unwrap();
    fs_err::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = unpack_wheel(&env.cache, &path, None).unwrap_err();
    assert!(matches!(err, InstallError::Zip { .. }), "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");

    // A file name that does not match the .dist-info.
    let renamed = env.wheels.join("other-1.0-py3-none-any.whl");
    fs_err::write(&renamed, &bytes).unwrap();
    let err = unpack_wheel(&env.cache, &renamed, None).unwrap_err();
    assert!(matches!(err, InstallError::DistInfo { .. }), "{err}");

    // The index's hash does not match.
    fs_err::write(&path, &bytes).unwrap();
    let err = unpack_wheel(&env.cache, &path, Some(&"0".repeat(64))).unwrap_err();
    assert!(matches!(err, InstallError::HashMismatch { .. }), "{err}");

    assert_eq!(env.cache_entries(), 0);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn cache_entries_are_reused_and_repaired() {
    let env = Env::new();
    let builder = full_wheel();
    let path = builder.build(&env.wheels);
    let first = unpack_wheel(&env.cache, &path, None).unwrap();
    assert_eq!(first.sha256, builder.sha256());
    // With the hash known, the wheel file is not even needed.
    fs_err::remove_file(&path).unwrap();
    let second = unpack_wheel(&env.cache, &path, Some(&builder.sha256())).unwrap();
    assert_eq!(second.path, first.path);

    // An entry without its marker (a crash mid-persist) is extracted again.
    fs_err::remove_file(first.path.join(wharf_cache::COMPLETE_MARKER)).unwrap();
    fs_err::remove_file(first.path.join("demo_pkg/cli.py")).unwrap();
    let path = builder.build(&env.wheels);
    let third = unpack_wheel(&env.cache, &path, Some(&builder.sha256())).unwrap();
    assert!(third.path.join("demo_pkg/cli.py").is_file());

    // A complete entry that lost a file is detected, discarded and extracted again.
    fs_err::remove_file(third.path.join("demo_pkg/cli.py")).unwrap();
    let filename = path.file_name().unwrap().to_str().unwrap().parse().unwrap();
    assert!(
        UnpackedWheel::from_cache(&env.cache, &filename, &builder.sha256())
            .unwrap()
            .is_none()
    );
    let fourth = unpack_wheel(&env.cache, &path, Some(&builder.sha256())).unwrap();
    assert!(fourth.path.join("demo_pkg/cli.py").is_file());
    install_wheel(&fourth, &env.layout, &InstallOptions::default()).unwrap();
}

#[test]
fn failed_install_leaves_nothing() {
    let env = Env::new();
    let before = env.snapshot();
    let unpacked = env.unpack(&full_wheel()).unwrap();
    // A cache file vanishing under us makes the link step fail midway.
    fs_err::remove_file(unpacked.path.join("demo_pkg/data/info.txt")).unwrap();
    let err = install_wheel(&unpacked, &env.layout, &InstallOptions::default()).unwrap_err();
    assert!(err.to_string().contains("info.txt"), "{err}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn replace_upgrades_and_a_failed_replace_keeps_the_old_version() {
    let env = Env::new();
    let v1 = WheelBuilder::new("lib", "1.0")
        .file("lib/only_in_one.py", "")
        .console_script("lib-tool", "lib:__init__");
    let old = env.install(&v1);
    // A file of another distribution that the new version overwrites.
    let foreign = env.layout.purelib.join("shared.py");
    fs_err::write(&foreign, "foreign").unwrap();
    let snapshot_v1 = env.snapshot();

    let v2 = WheelBuilder::new("lib", "2.0")
        .file("lib/only_in_two.py", "")
        .file("shared.py", "from lib v2");
    let unpacked = env.unpack(&v2).unwrap();
    let broken = unpacked.path.join("lib/only_in_two.py");
    fs_err::rename(&broken, broken.with_extension("moved")).unwrap();
    let err = replace(&unpacked, &env.layout, &InstallOptions::default(), &old).unwrap_err();
    assert!(err.to_string().contains("only_in_two"), "{err}");
    assert_eq!(env.snapshot(), snapshot_v1);
    assert_eq!(fs_err::read_to_string(&foreign).unwrap(), "foreign");
    let output = env.python("import lib; print(lib.__version__)");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "1.0\n");

    fs_err::rename(broken.with_extension("moved"), &broken).unwrap();
    let new = replace(&unpacked, &env.layout, &InstallOptions::default(), &old).unwrap();
    let output = env.python("import lib; print(lib.__version__)");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "2.0\n");
    assert!(!env.layout.purelib.join("lib/only_in_one.py").exists());
    assert!(!env.layout.scripts.join("lib-tool").exists());
    assert!(!old.dist_info.exists());
    let site = env.site();
    assert_eq!(site.len(), 1);
    assert_eq!(site.get(&name("lib")).unwrap().version.to_string(), "2.0");
    assert!(site.interrupted().is_empty());

    // Reinstalling the same version replaces it in place.
    let again = replace(&unpacked, &env.layout, &InstallOptions::default(), &new).unwrap();
    assert_eq!(again.dist_info, new.dist_info);
    assert!(again.dist_info.join("RECORD").is_file());
    assert!(repair(&env.layout).unwrap().is_empty());
}

#[test]
fn uninstall_refuses_without_record_and_reads_pip_and_egg_info_dists() {
    let env = Env::new();
    // A distribution installed by pip from a wharf-built wheel.
    let path = WheelBuilder::new("by-pip", "3.1")
        .console_script("by-pip", "by_pip:__init__")
        .build(&env.wheels);
    let output = pip(
        &env,
        &["install", "--no-index", "--no-deps", path.to_str().unwrap()],
    );
    assert!(output.status.success(), "{output:?}");
    // A legacy egg-info file, as distutils wrote them.
    fs_err::write(
        env.layout.purelib.join("old_thing-0.5-py3.11.egg-info"),
        "Metadata-Version: 1.0\nName: old-thing\nVersion: 0.5\n",
    )
    .unwrap();

    let site = env.site();
    let by_pip = site.get(&name("by-pip")).unwrap();
    assert_eq!(by_pip.installer.as_deref(), Some("pip"));
    assert_eq!(by_pip.version.to_string(), "3.1");
    let egg = site.get(&name("old-thing")).unwrap();
    assert_eq!(egg.kind, DistKind::EggInfo);
    assert_eq!(egg.metadata().unwrap().name, name("old-thing"));

    let err = uninstall(egg, &env.layout).unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot uninstall old-thing: no RECORD file"),
        "{err}"
    );
    uninstall(by_pip, &env.layout).unwrap();
    assert!(!env.layout.scripts.join("by-pip").exists());
    assert!(!env.layout.purelib.join("by_pip").exists());
    let list = pip(&env, &["list", "--format", "freeze"]);
    assert!(
        !String::from_utf8_lossy(&list.stdout).contains("by-pip"),
        "{list:?}"
    );
}
