//! The `live_build` group: wharf's PEP 517 frontend against `python -m build` on real
//! sdists from PyPI. Every test here is ignored by default so the hermetic suite never
//! touches the network; run them with
//! `cargo nextest run -p wharf --test live_build --run-ignored only`.
//!
//! For each sdist of `tests/live/sdists.txt` (pinned, covering setup.py-only projects,
//! setuptools with and without C extensions, hatchling, flit_core, poetry-core,
//! pdm-backend, meson-python, scikit-build-core and maturin), downloaded with pip:
//! `wharf build SDIST` and `python -m build --wheel SDIST` must make wheels with the same
//! file name (so the same tags), the same files, the same METADATA headers and body, the
//! same WHEEL headers (tags, Root-Is-Purelib, Generator) and the same bytes in every other
//! file but RECORD and compiled extensions (whose bytes embed build paths); maturin's
//! SBOM is compared without its serial number, timestamp and unpack directory. Both run
//! the same interpreter with the same backend environment (`PATH`, a scratch `HOME`,
//! rustup's and cargo's homes) and, since both resolve the build requirements at the
//! same moment, get the same backend versions.
//!
//! Every difference is reported with detail; a test fails at its end.

#[macro_use]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::*;

const SDISTS: &str = include_str!("live/sdists.txt");

/// One line of `sdists.txt`.
struct Sdist {
    /// What build system the sdist uses, e.g. `setup.py-c` or `hatchling`.
    kind: String,
    name: String,
    version: String,
}

impl Sdist {
    fn spec(&self) -> String {
        format!("{}=={}", self.name, self.version)
    }

    /// What the wheel's `Generator` names for this kind.
    fn generator(&self) -> &'static str {
        match self.kind.trim_end_matches("-c") {
            "setup.py" | "setuptools" => "setuptools",
            "hatchling" => "hatchling",
            "flit_core" => "flit",
            "poetry-core" => "poetry-core",
            "pdm-backend" => "pdm-backend",
            "meson-python" => "meson",
            "scikit-build-core" => "scikit-build-core",
            "maturin" => "maturin",
            other => panic!("unknown kind `{other}` in sdists.txt"),
        }
    }

    /// Whether the sdist builds compiled code, so a platform-specific wheel.
    fn compiled(&self) -> bool {
        self.kind.ends_with("-c") || self.kind == "maturin"
    }
}

fn sdists() -> Vec<Sdist> {
    SDISTS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut words = line.split_whitespace();
            let kind = words.next().unwrap().to_string();
            let spec = words
                .next()
                .unwrap_or_else(|| panic!("no sdist in `{line}`"));
            let (name, version) = spec
                .split_once("==")
                .unwrap_or_else(|| panic!("`{spec}` is not pinned"));
            assert!(words.next().is_none(), "trailing words in `{line}`");
            Sdist {
                kind,
                name: name.to_string(),
                version: version.to_string(),
            }
        })
        .collect()
}

/// Everything the shards of one `cargo nextest` run share: a throwaway venv with the
/// newest pip and `build`, a wharf cache and a pip cache. The first shard to start makes
/// it, the others wait for it; directories of earlier runs are removed.
///
/// It lives in the system's temporary directory, not under `CARGO_TARGET_TMPDIR`, so that
/// nothing the builds touch (the tools venv, caches) sits inside this Cargo workspace,
/// where maturin's `cargo metadata` could mistake an sdist's crate for a member of it.
fn shared() -> &'static Path {
    static SHARED: OnceLock<PathBuf> = OnceLock::new();
    SHARED.get_or_init(|| {
        // Some 300 MB per run: removed after two hours.
        shared_run_dir(
            &std::env::temp_dir(),
            "wharf-live-build-",
            Duration::from_secs(2 * 3600),
            |root| {
                let venv = Command::new(base_python())
                    .args(["-m", "venv"])
                    .arg(root.join("tools"))
                    .output()
                    .unwrap();
                assert_success(&venv);
                let install = pip_command(root)
                    .args(["install", "--quiet", "--upgrade", "pip", "build"])
                    .output()
                    .unwrap();
                assert_success(&install);
            },
        )
    })
}

/// rustup's and cargo's homes, so that the `cargo` proxy finds its toolchain (and crates
/// download once) although `HOME` is a scratch one.
fn toolchain_env(command: &mut Command) {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    let var = |name: &str, default: PathBuf| -> OsString {
        std::env::var_os(name).unwrap_or_else(|| default.into())
    };
    command
        .env("RUSTUP_HOME", var("RUSTUP_HOME", home.join(".rustup")))
        .env("CARGO_HOME", var("CARGO_HOME", home.join(".cargo")));
}

/// Python with nothing from the host's configuration but `PATH` (as `TestContext::wharf`
/// runs wharf) and the toolchain's homes.
fn python_command(python: &Path, home: &Path) -> Command {
    let mut command = Command::new(python);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("NO_COLOR", "1");
    toolchain_env(&mut command);
    command
}

/// The tools venv's pip, isolated from the host's configuration, with the shared cache.
fn pip_command(root: &Path) -> Command {
    let mut command = python_command(&root.join("tools/bin/python"), &root.join("pip-home"));
    command
        .args([
            "-m",
            "pip",
            "--isolated",
            "--disable-pip-version-check",
            "--no-input",
        ])
        .arg("--cache-dir")
        .arg(root.join("pip-cache"));
    command
}

/// The sdist, downloaded by pip into a directory kept across runs: the versions are
/// pinned, and files on PyPI never change.
fn download(sdist: &Sdist) -> Result<PathBuf, String> {
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("sdists-live-build")
        .join(sdist.spec());
    if let Some(file) = only_file(&keep, "") {
        return Ok(file);
    }
    let scratch = tempfile::tempdir().unwrap();
    // `--no-binary` names only this project, so that the build requirements pip
    // installs to prepare its metadata come as wheels.
    let output = pip_command(shared())
        .args(["download", "--quiet", "--no-deps", "--no-binary"])
        .arg(&sdist.name)
        .arg("--dest")
        .arg(scratch.path())
        .arg(sdist.spec())
        .output()
        .unwrap();
    if !output.status.success() {
        return Err(format!("pip download failed:\n{}", tail(&stderr(&output))));
    }
    let file = only_file(scratch.path(), "").ok_or("pip downloaded nothing")?;
    fs_err::create_dir_all(&keep).unwrap();
    let kept = keep.join(file.file_name().unwrap());
    // A rename within the target directory: a file is there whole or not at all.
    let staged = keep.with_file_name(format!("{}.{}.partial", sdist.spec(), std::process::id()));
    fs_err::copy(&file, &staged).unwrap();
    fs_err::rename(&staged, &kept).unwrap();
    Ok(kept)
}

/// The one file in `dir` whose name ends with `suffix`.
fn only_file(dir: &Path, suffix: &str) -> Option<PathBuf> {
    let mut files: Vec<PathBuf> = fs_err::read_dir(dir)
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && path.to_string_lossy().ends_with(suffix))
        .collect();
    (files.len() == 1).then(|| files.pop().unwrap())
}

/// The head and tail of a long log: what failed, and why.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 40 {
        return text.to_string();
    }
    format!(
        "{}\n[...]\n{}",
        lines[..5].join("\n"),
        lines[lines.len() - 30..].join("\n")
    )
}

/// A built wheel, or why there is none.
type Built = Result<PathBuf, String>;

fn finish(output: &Output, out: &Path, tool: &str) -> Built {
    if !output.status.success() {
        return Err(format!(
            "{tool} failed ({}):\n{}",
            output.status,
            tail(&format!("{}\n{}", stdout(output), stderr(output)))
        ));
    }
    only_file(out, ".whl")
        .ok_or_else(|| format!("{tool} left no single wheel in {}", out.display()))
}

fn wharf_build(sdist: &Path, out: &Path) -> Built {
    let context = TestContext::new();
    let mut command = context.wharf();
    toolchain_env(&mut command);
    let output = command
        .env("WHARF_CACHE_DIR", shared().join("wharf-cache"))
        .arg("build")
        .arg(sdist)
        .arg("--out-dir")
        .arg(out)
        .arg("--python")
        .arg(base_python())
        .output()
        .unwrap();
    finish(&output, out, "wharf build")
}

fn python_build(sdist: &Path, out: &Path) -> Built {
    let root = shared();
    let home = tempfile::tempdir().unwrap();
    let output = python_command(&root.join("tools/bin/python"), home.path())
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_NO_INPUT", "1")
        .env("PIP_CACHE_DIR", root.join("pip-cache"))
        .args(["-m", "build", "--wheel", "--outdir"])
        .arg(out)
        .arg(sdist)
        .current_dir(home.path())
        .output()
        .unwrap();
    finish(&output, out, "python -m build")
}

/// A wheel's members: path → bytes.
fn members(wheel: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let file = fs_err::File::open(wheel).map_err(|err| err.to_string())?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|err| format!("{}: {err}", wheel.display()))?;
    let mut members = BTreeMap::new();
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).map_err(|err| err.to_string())?;
        if member.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        member
            .read_to_end(&mut bytes)
            .map_err(|err| err.to_string())?;
        let name = member.name().map_err(|err| err.to_string())?.into_owned();
        members.insert(name, bytes);
    }
    Ok(members)
}

/// An email-style header block (METADATA, WHEEL): the headers in order, with folded lines
/// joined, and the body after the first blank line.
fn headers(text: &str) -> (Vec<(String, String)>, String) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut lines = text.split_inclusive('\n');
    for line in lines.by_ref() {
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t'])
            && let Some((_, value)) = headers.last_mut()
        {
            value.push('\n');
            value.push_str(line);
        } else {
            let (name, value) = line.split_once(':').unwrap_or((line, ""));
            headers.push((name.to_string(), value.trim_start().to_string()));
        }
    }
    (headers, lines.collect())
}

/// What differs between two header lists, as `-`/`+` lines (`-` for build's).
fn header_diff(wharf: &[(String, String)], build: &[(String, String)]) -> Vec<String> {
    let show = |(name, value): &(String, String)| {
        let value: String = value.chars().take(200).collect();
        format!("{name}: {}", value.replace('\n', "\\n"))
    };
    let mut only_build: Vec<&(String, String)> = build.iter().collect();
    let mut only_wharf = Vec::new();
    for header in wharf {
        match only_build.iter().position(|other| *other == header) {
            Some(index) => {
                only_build.remove(index);
            }
            None => only_wharf.push(header),
        }
    }
    if only_build.is_empty() && only_wharf.is_empty() && wharf != build {
        return vec!["the same headers in another order".to_string()];
    }
    only_build
        .into_iter()
        .map(|header| format!("    - build: {}", show(header)))
        .chain(
            only_wharf
                .into_iter()
                .map(|header| format!("    + wharf: {}", show(header))),
        )
        .collect()
}

/// Where two bodies (the text after the headers) part.
fn body_diff(wharf: &str, build: &str) -> String {
    let (wharf_lines, build_lines): (Vec<&str>, Vec<&str>) =
        (wharf.lines().collect(), build.lines().collect());
    let line = (0..)
        .find(|&index| wharf_lines.get(index) != build_lines.get(index))
        .unwrap_or(0);
    let show = |lines: &[&str]| match lines.get(line) {
        Some(text) => format!("{:?}", text.chars().take(200).collect::<String>()),
        None => "(end)".to_string(),
    };
    format!(
        "    bodies differ ({} lines from wharf, {} from build), first at line {}:\n    \
         - build: {}\n    + wharf: {}",
        wharf_lines.len(),
        build_lines.len(),
        line + 1,
        show(&build_lines),
        show(&wharf_lines)
    )
}

/// Compiled extension modules: their bytes embed build directories, so only their
/// presence is compared.
fn is_compiled(path: &str) -> bool {
    path.ends_with(".so") || path.ends_with(".pyd") || path.contains(".so.")
}

/// Every difference between the two wheels (none: the same wheel).
fn compare(sdist: &Sdist, wharf: &Path, build: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let (wharf_name, build_name) = (file_name(wharf), file_name(build));
    if wharf_name != build_name {
        problems.push(format!(
            "wheel names differ: wharf {wharf_name}, build {build_name}"
        ));
    }
    let (wharf_files, build_files) = match (members(wharf), members(build)) {
        (Ok(wharf), Ok(build)) => (wharf, build),
        (wharf, build) => {
            problems.push(format!(
                "unreadable wheel: wharf {:?}, build {:?}",
                wharf.err(),
                build.err()
            ));
            return problems;
        }
    };
    let wharf_paths: BTreeSet<&String> = wharf_files.keys().collect();
    let build_paths: BTreeSet<&String> = build_files.keys().collect();
    if wharf_paths != build_paths {
        problems.push(format!(
            "file lists differ:\n    only wharf: {:?}\n    only build: {:?}",
            wharf_paths.difference(&build_paths).collect::<Vec<_>>(),
            build_paths.difference(&wharf_paths).collect::<Vec<_>>()
        ));
    }
    let mut different = Vec::new();
    for (path, bytes) in &build_files {
        let Some(theirs) = wharf_files.get(path) else {
            continue;
        };
        if path.ends_with(".dist-info/RECORD") || is_compiled(path) || theirs == bytes {
            continue;
        }
        if path.contains(".dist-info/sboms/")
            && let (Some(wharf_sbom), Some(build_sbom)) =
                (normalized_sbom(theirs), normalized_sbom(bytes))
        {
            if wharf_sbom != build_sbom {
                different.push(path.as_str());
            }
            continue;
        }
        if path.ends_with(".dist-info/METADATA") || path.ends_with(".dist-info/WHEEL") {
            let (wharf_headers, wharf_body) = headers(&String::from_utf8_lossy(theirs));
            let (build_headers, build_body) = headers(&String::from_utf8_lossy(bytes));
            let mut lines = header_diff(&wharf_headers, &build_headers);
            if wharf_body != build_body {
                lines.push(body_diff(&wharf_body, &build_body));
            }
            problems.push(format!("{path} differs:\n{}", lines.join("\n")));
        } else {
            different.push(path.as_str());
        }
    }
    if !different.is_empty() {
        problems.push(format!("contents differ: {different:?}"));
    }
    // The list keeps covering what it says it covers.
    let generator = wheel_header(&build_files, "Generator").unwrap_or_default();
    if !generator.contains(sdist.generator()) {
        problems.push(format!(
            "sdists.txt says {}, but build's wheel was made by `{generator}`",
            sdist.kind
        ));
    }
    let purelib = wheel_header(&build_files, "Root-Is-Purelib").unwrap_or_default();
    let extensions = build_files.keys().filter(|path| is_compiled(path)).count();
    if sdist.compiled()
        && (purelib != "false" || build_name.ends_with("-none-any.whl") || extensions == 0)
    {
        problems.push(format!(
            "sdists.txt says {} (compiled), but build made {build_name} \
             (Root-Is-Purelib: {purelib}, {extensions} extension modules)",
            sdist.kind
        ));
    }
    problems
}

/// A CycloneDX SBOM (maturin writes one) without what changes from one build of the same
/// sdist to the next: its serial number (random), its timestamp, and the directory the
/// sdist was unpacked into (in `path+file://` references). The components and their
/// versions, so the locked crates, are still compared.
fn normalized_sbom(bytes: &[u8]) -> Option<String> {
    let mut sbom: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let object = sbom.as_object_mut()?;
    object.remove("serialNumber");
    if let Some(metadata) = object
        .get_mut("metadata")
        .and_then(serde_json::Value::as_object_mut)
    {
        metadata.remove("timestamp");
    }
    let text = sbom.to_string();
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("path+file://") {
        out.push_str(&rest[..start]);
        out.push_str("path+file://[SOURCE]");
        rest = &rest[start + "path+file://".len()..];
        rest = &rest[rest.find(['#', '"']).unwrap_or(rest.len())..];
    }
    out.push_str(rest);
    Some(out)
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// A header of the wheel's WHEEL file.
fn wheel_header(files: &BTreeMap<String, Vec<u8>>, name: &str) -> Option<String> {
    let (_, bytes) = files
        .iter()
        .find(|(path, _)| path.ends_with(".dist-info/WHEEL"))?;
    let (headers, _) = headers(&String::from_utf8_lossy(bytes));
    headers
        .into_iter()
        .find(|(header, _)| header == name)
        .map(|(_, value)| value)
}

/// Run one frontend, and time it.
fn timed(run: fn(&Path, &Path) -> Built, sdist: &Path, out: &Path) -> (Built, Duration) {
    let started = Instant::now();
    (run(sdist, out), started.elapsed())
}

/// How one sdist went: a line for the summary, and the problems.
fn check(sdist: &Sdist) -> (String, Vec<String>) {
    let started = Instant::now();
    let path = match download(sdist) {
        Ok(path) => path,
        Err(err) => return ("download failed".to_string(), vec![err]),
    };
    let downloaded = started.elapsed();
    let outs = tempfile::tempdir().unwrap();
    let (wharf_out, build_out) = (outs.path().join("wharf"), outs.path().join("build"));
    // The two frontends run at the same time: build requirements resolve to the same
    // versions, and the shard takes half as long.
    let ((wharf, wharf_time), (build, build_time)) = std::thread::scope(|scope| {
        let wharf = scope.spawn(|| timed(wharf_build, &path, &wharf_out));
        let build = timed(python_build, &path, &build_out);
        (wharf.join().unwrap(), build)
    });
    let timing = format!(
        "download {:.1}s, wharf {:.1}s, build {:.1}s",
        downloaded.as_secs_f64(),
        wharf_time.as_secs_f64(),
        build_time.as_secs_f64()
    );
    match (wharf, build) {
        (Ok(wharf), Ok(build)) => {
            let problems = compare(sdist, &wharf, &build);
            let verdict = if problems.is_empty() {
                format!("same wheel {}", file_name(&wharf))
            } else {
                "MISMATCH".to_string()
            };
            (format!("{verdict} ({timing})"), problems)
        }
        (Err(wharf), Ok(build)) => (
            format!("WHARF FAILED ({timing})"),
            vec![format!(
                "wharf failed where build made {}:\n{wharf}",
                file_name(&build)
            )],
        ),
        (Ok(wharf), Err(build)) => (
            format!("BUILD FAILED ({timing})"),
            vec![format!(
                "build failed where wharf made {}:\n{build}",
                file_name(&wharf)
            )],
        ),
        (Err(wharf), Err(build)) => (
            format!("BOTH FAILED ({timing})"),
            vec![format!(
                "both failed (the sdist does not belong in the list?)\n{wharf}\n{build}"
            )],
        ),
    }
}

/// Build every `shards`-th sdist starting at `shard`, one after the other (each build
/// itself runs both frontends at once; shards run in parallel under nextest).
fn builds_like_python_build(shard: usize, shards: usize) {
    let all = sdists();
    assert!(all.len() >= 25, "{} sdists", all.len());
    let started = Instant::now();
    let mut failures = Vec::new();
    let mine: Vec<&Sdist> = all.iter().skip(shard).step_by(shards).collect();
    for sdist in &mine {
        let (summary, problems) = check(sdist);
        eprintln!("{:<18} {:<30} {summary}", sdist.kind, sdist.spec());
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({}):\n  {}",
                sdist.spec(),
                sdist.kind,
                problems.join("\n  ")
            ));
        }
    }
    eprintln!(
        "{} sdists in {:.0?}: {} with differences",
        mine.len(),
        started.elapsed(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "wharf build and python -m build differ:\n\n{}",
        failures.join("\n\n")
    );
}

live_shards!(builds_like_python_build, 12:
    builds_like_python_build_shard_0 = 0,
    builds_like_python_build_shard_1 = 1,
    builds_like_python_build_shard_2 = 2,
    builds_like_python_build_shard_3 = 3,
    builds_like_python_build_shard_4 = 4,
    builds_like_python_build_shard_5 = 5,
    builds_like_python_build_shard_6 = 6,
    builds_like_python_build_shard_7 = 7,
    builds_like_python_build_shard_8 = 8,
    builds_like_python_build_shard_9 = 9,
    builds_like_python_build_shard_10 = 10,
    builds_like_python_build_shard_11 = 11,
);

/// A wharf cache inside a Cargo workspace (here, this one's target directory) must not
/// confuse maturin: sdists are unpacked in the system's temporary directory, not the cache.
#[test]
#[ignore = "live: needs PyPI"]
fn maturin_builds_with_the_cache_inside_a_cargo_workspace() {
    let sdist = sdists()
        .into_iter()
        .find(|sdist| sdist.kind == "maturin")
        .expect("a maturin sdist in sdists.txt");
    let path = download(&sdist).unwrap();
    let context = TestContext::new();
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wharf-cache-in-workspace");
    let out = context.temp.path().join("out");
    let mut command = context.wharf();
    toolchain_env(&mut command);
    let output = command
        .env("WHARF_CACHE_DIR", &cache)
        .arg("build")
        .arg(&path)
        .arg("--out-dir")
        .arg(&out)
        .arg("--python")
        .arg(base_python())
        .output()
        .unwrap();
    assert_success(&output);
    assert!(only_file(&out, ".whl").is_some());
}

/// The wheelhouse workflow on a real requirement set: `wharf wheel -r` collects wheels
/// from PyPI and builds what only has an sdist; pip and wharf then install the set from
/// that directory alone.
#[test]
#[ignore = "live: needs PyPI"]
fn real_wheelhouse_installs_offline_with_pip_and_wharf() {
    let context = TestContext::new();
    fs_err::write(
        context.cwd.join("requirements.txt"),
        "flask==3.0.3\nrequests\nPyYAML\ndocopt==0.6.2  # sdist only\ntermcolor==1.1.0  # sdist only\n",
    )
    .unwrap();
    let python = base_python().to_str().unwrap();
    let output = context.run(&[
        "wheel",
        "-r",
        "requirements.txt",
        "-w",
        "wheelhouse",
        "--python",
        python,
    ]);
    assert_success(&output);
    let wheelhouse = context.cwd.join("wheelhouse");
    for built in [
        "docopt-0.6.2-py2.py3-none-any.whl",
        "termcolor-1.1.0-py3-none-any.whl",
    ] {
        assert!(
            wheelhouse.join(built).exists(),
            "{built} missing:\n{}",
            stderr(&output)
        );
    }
    let imports = "import flask, requests, yaml, docopt, termcolor; print(flask.__version__)";

    let output = context.run(&["venv", "--seed", "--python", python]);
    assert_success(&output);
    let venv = context.cwd.join(".venv");
    let pip = context.pip(
        &venv,
        &[
            "install",
            "--no-index",
            "-f",
            wheelhouse.to_str().unwrap(),
            "-r",
            "requirements.txt",
        ],
    );
    assert!(pip.status.success(), "{}\n{}", stdout(&pip), stderr(&pip));
    let check = context.python(imports);
    assert_success(&check);
    assert_eq!(stdout(&check).trim(), "3.0.3");

    fs_err::remove_dir_all(&venv).unwrap();
    context.venv();
    let output = context.run(&[
        "install",
        "--no-index",
        "-f",
        wheelhouse.to_str().unwrap(),
        "-r",
        "requirements.txt",
    ]);
    assert_success(&output);
    assert!(!stderr(&output).contains("Built"), "{}", stderr(&output));
    let check = context.python(imports);
    assert_success(&check);
    assert_eq!(stdout(&check).trim(), "3.0.3");
}
