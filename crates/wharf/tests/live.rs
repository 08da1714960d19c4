//! The `live` group: wharf against the real PyPI. Every test here is ignored by default so
//! the hermetic suite never touches the network; CI runs them with
//! `cargo nextest run -p wharf --run-ignored only`.
//!
//! Two kinds of test:
//! - real projects installed into fresh wharf environments, then imported and checked;
//! - resolution parity: for each set in `tests/live/requirement-sets.txt`,
//!   `wharf install --dry-run --report` must pick exactly the versions
//!   `pip install --dry-run --ignore-installed --report` picks for the same interpreter.
//!
//! One difference is accounted for, narrowly: pip resolves through sdists by asking their
//! backends for metadata only (`prepare_metadata_for_build_wheel`), while wharf builds the
//! wheel, so an old sdist that no longer compiles here can lead the two to different
//! answers. When pip's choice includes an sdist (or pip fails), the set is compared with
//! both tools on `--only-binary :all:`; when pip fails there too, wharf must fail as well,
//! by finding no solution. Real sdist builds are checked in `live_build.rs`.

#[macro_use]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;

const REQUIREMENT_SETS: &str = include_str!("live/requirement-sets.txt");

/// How wharf says that no set of versions satisfies the requirements.
const RESOLUTION_FAILED: &str = "no set of versions satisfies the requirements";

/// Parallel resolutions; the work is network-bound.
const THREADS: usize = 4;

/// Create a venv with wharf, install `requirements` from PyPI, and check the result.
fn install_and_import(requirements: &[&str], imports: &str) -> TestContext {
    let context = TestContext::new();
    context.venv();
    let mut args = vec!["install"];
    args.extend(requirements);
    let output = context.run(&args);
    assert_success(&output);
    let import = context.python(&format!("import {imports}"));
    assert_success(&import);
    let check = context.run(&["check"]);
    assert_success(&check);
    context
}

#[test]
#[ignore = "live: needs PyPI"]
fn installs_requests() {
    let context = install_and_import(&["requests"], "requests");
    let output =
        context.python("import requests, urllib3, idna, certifi; print(requests.__version__)");
    assert_success(&output);
}

#[test]
#[ignore = "live: needs PyPI"]
fn installs_flask() {
    let context = install_and_import(&["flask"], "flask");
    let output = context.python("import flask; app = flask.Flask('x'); print(app.name)");
    assert_eq!(stdout(&output).trim(), "x");
}

#[test]
#[ignore = "live: needs PyPI"]
fn installs_django() {
    let context = install_and_import(&["django"], "django");
    let admin = Command::new(context.cwd.join(".venv/bin/django-admin"))
        .arg("--version")
        .output()
        .unwrap();
    assert_success(&admin);
}

#[test]
#[ignore = "live: needs PyPI"]
fn installs_black_with_its_console_script() {
    let context = install_and_import(&["black"], "black");
    let version = Command::new(context.cwd.join(".venv/bin/black"))
        .arg("--version")
        .output()
        .unwrap();
    assert_success(&version);
    assert!(
        stdout(&version).starts_with("black, "),
        "{}",
        stdout(&version)
    );
    // The script really formats, through the compiled extension modules it ships.
    let source = context.cwd.join("ugly.py");
    fs_err::write(&source, "x = [1,2,\n  3]\n").unwrap();
    let format = Command::new(context.cwd.join(".venv/bin/black"))
        .arg("-q")
        .arg(&source)
        .output()
        .unwrap();
    assert_success(&format);
    assert_eq!(fs_err::read_to_string(&source).unwrap(), "x = [1, 2, 3]\n");
}

#[test]
#[ignore = "live: needs PyPI"]
fn installs_boto3() {
    let context = install_and_import(&["boto3"], "boto3");
    let output = context
        .python("import boto3; print(boto3.session.Session(region_name='eu-west-1').region_name)");
    assert_eq!(stdout(&output).trim(), "eu-west-1");
}

#[test]
#[ignore = "live: needs PyPI"]
fn installs_pandas() {
    let context = install_and_import(&["pandas"], "pandas");
    let output =
        context.python("import pandas; print(pandas.DataFrame({'a': [1, 2, 3]})['a'].sum())");
    assert_eq!(stdout(&output).trim(), "6");
}

/// The requirement sets, one per non-comment line.
fn requirement_sets() -> Vec<Vec<String>> {
    REQUIREMENT_SETS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .collect()
}

/// Everything the parity shards of one `cargo nextest` run share, under
/// `CARGO_TARGET_TMPDIR`: a pip from a throwaway venv, upgraded to the newest release
/// (`--report` needs 22.2), and a wharf cache. The first shard to start builds it, the
/// others wait for it; directories of earlier runs are removed.
fn shared() -> &'static Path {
    static SHARED: OnceLock<PathBuf> = OnceLock::new();
    SHARED.get_or_init(|| {
        shared_run_dir(
            Path::new(env!("CARGO_TARGET_TMPDIR")),
            "live-",
            Duration::from_secs(6 * 3600),
            |root| {
                let venv = Command::new(base_python())
                    .args(["-m", "venv"])
                    .arg(root.join("pip-venv"))
                    .output()
                    .unwrap();
                assert_success(&venv);
                let upgrade = pip_command(&root.join("pip-venv/bin/pip"))
                    .args(["install", "--quiet", "--upgrade", "pip"])
                    .output()
                    .unwrap();
                assert_success(&upgrade);
            },
        )
    })
}

fn pip() -> PathBuf {
    shared().join("pip-venv/bin/pip")
}

/// pip with nothing from the host's configuration (no `PIP_FIND_LINKS` and the like).
fn pip_command(pip: &Path) -> Command {
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("live-pip-home");
    // Only the cache is kept between runs; pip's cache is safe to share.
    let mut command = Command::new(pip);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .arg("--isolated")
        .arg("--disable-pip-version-check")
        .arg("--no-input")
        .arg("--cache-dir")
        .arg(home.join("cache"));
    command
}

/// What one tool chose: `name==version` → download URL.
type Choice = BTreeMap<String, String>;

fn normalize(name: &str) -> String {
    name.to_ascii_lowercase().replace(['_', '.'], "-")
}

/// Read the `install` list of an installation report.
fn read_report(path: &Path) -> Choice {
    let report: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(path).unwrap()).unwrap();
    report["install"]
        .as_array()
        .unwrap_or_else(|| panic!("no `install` list in {}", path.display()))
        .iter()
        .map(|item| {
            let name = normalize(item["metadata"]["name"].as_str().unwrap());
            let version = item["metadata"]["version"].as_str().unwrap();
            let url = item["download_info"]["url"].as_str().unwrap_or_default();
            (format!("{name}=={version}"), url.to_string())
        })
        .collect()
}

fn is_sdist(url: &str) -> bool {
    let url = url.split(['#', '?']).next().unwrap_or(url);
    [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .any(|suffix| url.ends_with(suffix))
}

/// The outcome of one resolution: the choice, or the tail of the error.
type Outcome = Result<Choice, String>;

fn outcome(output: &Output, report: &Path) -> Outcome {
    if output.status.success() {
        Ok(read_report(report))
    } else {
        // The head says what failed, the tail why (pip's build log can be long).
        let err = stderr(output);
        let lines: Vec<&str> = err.lines().collect();
        if lines.len() <= 20 {
            Err(err)
        } else {
            let head = lines[..5].join("\n");
            let tail = lines[lines.len() - 12..].join("\n");
            Err(format!("{head}\n[...]\n{tail}"))
        }
    }
}

fn run_pip(requirements: &[String], dir: &Path, only_binary: bool) -> Outcome {
    let report = dir.join(if only_binary {
        "pip-binary.json"
    } else {
        "pip.json"
    });
    let mut command = pip_command(&pip());
    command
        .args([
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--report",
        ])
        .arg(&report);
    if only_binary {
        command.args(["--only-binary", ":all:"]);
    }
    let output = command.args(requirements).output().unwrap();
    outcome(&output, &report)
}

fn run_wharf(requirements: &[String], cache: &Path, only_binary: bool) -> Outcome {
    let context = TestContext::new();
    context.venv();
    let report = context.temp.path().join("wharf.json");
    let mut command = context.wharf();
    command
        .env("WHARF_CACHE_DIR", cache)
        .args(["install", "--dry-run", "--report"])
        .arg(&report)
        .args(requirements);
    if only_binary {
        command.args(["--only-binary", ":all:"]);
    }
    let output = command.output().unwrap();
    outcome(&output, &report)
}

fn show(choice: &Choice) -> String {
    choice.keys().cloned().collect::<Vec<_>>().join(" ")
}

fn diff(wharf: &Choice, pip: &Choice) -> String {
    let only_wharf: Vec<&String> = wharf.keys().filter(|k| !pip.contains_key(*k)).collect();
    let only_pip: Vec<String> = pip
        .iter()
        .filter(|(k, _)| !wharf.contains_key(*k))
        .map(|(k, url)| format!("{k} ({})", url.rsplit('/').next().unwrap_or(url)))
        .collect();
    format!("  only wharf: {only_wharf:?}\n  only pip:   {only_pip:?}")
}

/// How one set went.
enum Verdict {
    Same,
    /// Agreed with `pip --only-binary :all:` after pip's own choice needed a build.
    SameAsBinaryOnly(String),
    /// Both failed (no solution, or nothing usable without a build).
    BothFail,
    Mismatch(String),
}

fn compare(requirements: &[String], cache: &Path) -> Verdict {
    let dir = tempfile::tempdir().unwrap();
    let pip = run_pip(requirements, dir.path(), false);
    let needs_build = match &pip {
        Ok(choice) => {
            let sdists: Vec<&String> = choice
                .iter()
                .filter(|(_, url)| is_sdist(url))
                .map(|(name, _)| name)
                .collect();
            (!sdists.is_empty()).then(|| format!("pip builds {sdists:?}"))
        }
        Err(_) => Some("pip failed".to_string()),
    };
    let Some(why) = needs_build else {
        let wharf = run_wharf(requirements, cache, false);
        if let (Ok(wharf), Ok(pip)) = (&wharf, &pip)
            && wharf.keys().eq(pip.keys())
        {
            return Verdict::Same;
        }
        return Verdict::Mismatch(describe(&wharf, &pip, "pip"));
    };
    // pip resolves through sdists by asking their backends for metadata only; wharf builds
    // the wheel, so an old sdist that no longer compiles here can send the two down
    // different paths. Such sets are compared with both tools on wheels only.
    let wharf = run_wharf(requirements, cache, true);
    let binary = run_pip(requirements, dir.path(), true);
    match (&wharf, &binary) {
        (Ok(wharf), Ok(binary)) if wharf.keys().eq(binary.keys()) => Verdict::SameAsBinaryOnly(why),
        // wharf must fail by finding no solution, not by a crash or a network error.
        (Err(error), Err(_)) if error.contains(RESOLUTION_FAILED) => Verdict::BothFail,
        _ => Verdict::Mismatch(format!(
            "{why}; both with --only-binary :all:\n{}",
            describe(&wharf, &binary, "pip --only-binary :all:")
        )),
    }
}

fn describe(wharf: &Outcome, pip: &Outcome, pip_name: &str) -> String {
    match (wharf, pip) {
        (Ok(wharf), Ok(pip)) => format!(
            "  wharf: {}\n  {pip_name}: {}\n{}",
            show(wharf),
            show(pip),
            diff(wharf, pip)
        ),
        (Ok(wharf), Err(err)) => {
            format!("  wharf: {}\n  {pip_name} failed:\n{err}", show(wharf))
        }
        (Err(err), Ok(pip)) => format!("  wharf failed:\n{err}\n  {pip_name}: {}", show(pip)),
        (Err(wharf), Err(pip)) => format!("  wharf failed:\n{wharf}\n  {pip_name} failed:\n{pip}"),
    }
}

/// Compare every `shards`-th set starting at `shard`. The sets are split into shards so
/// that each test stays well inside nextest's time limit and shards run in parallel.
fn resolves_like_pip(shard: usize, shards: usize) {
    let all = requirement_sets();
    assert!(all.len() >= 30, "{} sets", all.len());
    let sets: Vec<&Vec<String>> = all.iter().skip(shard).step_by(shards).collect();
    let start = Instant::now();
    let cache = shared().join("wharf-cache");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Verdict)>> = Mutex::default();
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(set) = sets.get(index) else { break };
                    let mut verdict = compare(set, &cache);
                    // The index moves under a long run: a release between wharf's and
                    // pip's queries shows up as a difference. Ask both again; only a
                    // difference that persists counts.
                    for _ in 0..2 {
                        if !matches!(verdict, Verdict::Mismatch(_)) {
                            break;
                        }
                        std::thread::sleep(Duration::from_secs(5));
                        verdict = compare(set, &cache);
                    }
                    let label = match &verdict {
                        Verdict::Same => "same".to_string(),
                        Verdict::SameAsBinaryOnly(why) => format!("same as --only-binary ({why})"),
                        Verdict::BothFail => "both fail".to_string(),
                        Verdict::Mismatch(_) => "MISMATCH".to_string(),
                    };
                    eprintln!("{}: {label}", set.join(" "));
                    results.lock().unwrap().push((index, verdict));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(index, _)| *index);
    let mismatches: Vec<String> = results
        .iter()
        .filter_map(|(index, verdict)| match verdict {
            Verdict::Mismatch(details) => Some(format!("{}\n{details}", sets[*index].join(" "))),
            _ => None,
        })
        .collect();
    eprintln!(
        "{} sets in {:.0?}: {} mismatches",
        sets.len(),
        start.elapsed(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "wharf and pip chose differently:\n\n{}",
        mismatches.join("\n\n")
    );
}

live_shards!(resolves_like_pip, 10:
    resolves_like_pip_shard_0 = 0,
    resolves_like_pip_shard_1 = 1,
    resolves_like_pip_shard_2 = 2,
    resolves_like_pip_shard_3 = 3,
    resolves_like_pip_shard_4 = 4,
    resolves_like_pip_shard_5 = 5,
    resolves_like_pip_shard_6 = 6,
    resolves_like_pip_shard_7 = 7,
    resolves_like_pip_shard_8 = 8,
    resolves_like_pip_shard_9 = 9,
);
