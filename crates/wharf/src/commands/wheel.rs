//! `wharf wheel`: pip wheel's semantics. Resolve, then put a wheel for every package into
//! the wheel directory: downloaded where one exists, built where none does, skipped when
//! already there. With `--python-version`/`--platform` (repeatable) it collects wheels for
//! other targets, one resolution per target, and builds only local projects given directly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{GlobalArgs, WheelArgs};

use crate::collect::{self, CollectOptions};
use crate::operations;
use crate::printer::Printer;

/// What happened to one wheel.
#[derive(Debug, serde::Serialize)]
struct Collected {
    name: String,
    version: String,
    file: String,
    /// `downloaded`, `built`, `copied` (a local or cached file) or `present`.
    action: &'static str,
}

pub(crate) async fn wheel(
    global: &GlobalArgs,
    args: WheelArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let collection = collect::collect(
        global,
        CollectOptions {
            packages: &args.packages,
            resolver: &args.resolver,
            index: &args.index,
            build: &args.build,
            python: args.python.as_deref(),
            python_versions: args.python_version.as_slice(),
            platforms: &args.platform,
            example: "wharf wheel requests -w wheelhouse",
        },
        printer,
    )
    .await?;
    let wheel_dir = std::path::absolute(&args.wheel_dir)?;
    fs_err::create_dir_all(&wheel_dir)?;

    let mut collected: BTreeMap<String, Collected> = BTreeMap::new();
    for target in &collection.targets {
        let bar = printer.progress(target.wheels.len() as u64, "Collecting wheels");
        for chosen in &target.wheels {
            bar.inc(1);
            let filename = chosen.file.filename_text();
            if collected.contains_key(&filename) {
                continue;
            }
            let target_path = wheel_dir.join(&filename);
            let action =
                if target_path.is_file() && present_matches(&target_path, chosen.file.sha256())? {
                    "present"
                } else {
                    let source = collection.download(chosen).await?;
                    place(&source, &wheel_dir, &filename)?;
                    if chosen.built {
                        "built"
                    } else if chosen.file.url.scheme() == "file" {
                        "copied"
                    } else {
                        "downloaded"
                    }
                };
            printer.detail(format!("{action} {filename}"));
            collected.insert(
                filename.clone(),
                Collected {
                    name: chosen.name.to_string(),
                    version: chosen.version.to_string(),
                    file: target_path.display().to_string(),
                    action,
                },
            );
        }
        bar.finish_and_clear();
    }
    let count = |action: &str| collected.values().filter(|c| c.action == action).count();
    if args.json {
        let list: Vec<&Collected> = collected.values().collect();
        printer.result(serde_json::to_string_pretty(&list)?);
    } else {
        for item in collected.values() {
            printer.result(item.file.clone());
        }
    }
    printer.status(printer.dim(&format!(
        "Collected {} wheel{} in {} ({} downloaded, {} built, {} copied, {} already present) in {}",
        collected.len(),
        if collected.len() == 1 { "" } else { "s" },
        wheel_dir.display(),
        count("downloaded"),
        count("built"),
        count("copied"),
        count("present"),
        operations::elapsed(started)
    )));
    Ok(ExitCode::SUCCESS)
}

/// Whether a file already in the wheel directory is the one wanted (same sha256 when the
/// index gives one).
fn present_matches(path: &Path, sha256: Option<&str>) -> Result<bool> {
    match sha256 {
        None => Ok(true),
        Some(expected) => Ok(wharf_installer::sha256_file(path)?.eq_ignore_ascii_case(expected)),
    }
}

/// Copy a file into the wheel directory atomically (a temporary name, then a rename).
fn place(source: &Path, dir: &Path, filename: &str) -> Result<PathBuf> {
    let target = dir.join(filename);
    if fs_err::canonicalize(source).ok() == fs_err::canonicalize(&target).ok() {
        return Ok(target);
    }
    let temp = tempfile::Builder::new()
        .prefix(".wharf-wheel-")
        .tempfile_in(dir)?;
    fs_err::copy(source, temp.path())?;
    temp.persist(&target)
        .map_err(|err| anyhow::anyhow!("cannot write {}: {}", target.display(), err.error))?;
    Ok(target)
}
