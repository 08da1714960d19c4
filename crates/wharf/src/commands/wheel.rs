//! `wharf wheel`: pip wheel's semantics. Resolve, then put a wheel for every package into
//! the wheel directory: downloaded where one exists, built where none does, skipped when
//! already there. With `--python-version`/`--platform` (repeatable) it collects wheels for
//! other targets, one resolution per target, and never builds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use wharf_cli::{GlobalArgs, WheelArgs};
use wharf_client::IndexClient;
use wharf_interpreter::PythonRequest;
use wharf_resolver::Upgrade;

use crate::builds::{BuildSupport, SharedBuilds};
use crate::error::Hinted;
use crate::operations::{self, RequirementSet, ResolveSettings, Target};
use crate::printer::Printer;
use crate::settings::{Context, install_overrides};
use crate::target;

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
    let overrides = install_overrides(
        &args.index,
        args.resolver.pre,
        args.resolver.require_hashes,
        false,
        None,
    );
    let context = Context::load(global, overrides)?;
    let mut set = RequirementSet::collect(
        &args.packages,
        &args.resolver.requirements,
        &args.resolver.constraints,
        &[],
        printer,
    )?;
    if set.requirements.is_empty() && set.sources.is_empty() {
        return Err(Hinted::new(
            "no requirements given",
            "name packages (`wharf wheel requests -w wheelhouse`) or a requirements file (`-r requirements.txt`)",
        )
        .into());
    }
    let require_hashes = context.settings.flag("require-hashes") || set.require_hashes;
    set.validate(require_hashes)?;
    let wheel_dir = std::path::absolute(&args.wheel_dir)?;
    fs_err::create_dir_all(&wheel_dir)?;

    let client = IndexClient::new(context.client_options(&set.file_options)?)?;
    let foreign = args.python_version.is_some() || !args.platform.is_empty();
    let interpreter = match &args.python {
        Some(request) => Some(wharf_interpreter::find_interpreter(
            &request
                .parse::<PythonRequest>()
                .map_err(|err| anyhow::anyhow!("invalid --python value: {err}"))?,
            &context.cache,
        )?),
        None => wharf_interpreter::find_environment(None, None, &context.cache)
            .or_else(|_| wharf_interpreter::find_interpreter(&PythonRequest::Any, &context.cache))
            .ok(),
    };
    let targets: Vec<Target> = if foreign {
        let platforms: Vec<Option<&str>> = if args.platform.is_empty() {
            vec![None]
        } else {
            args.platform.iter().map(|p| Some(p.as_str())).collect()
        };
        platforms
            .into_iter()
            .map(|platform| {
                target::custom(
                    args.python_version.as_deref(),
                    platform,
                    interpreter.as_ref(),
                )
            })
            .collect::<Result<_>>()?
    } else {
        let interpreter = interpreter
            .clone()
            .context("no Python interpreter found to build for")?;
        vec![Target::of(&interpreter)?]
    };

    let builds = match (&interpreter, foreign) {
        (Some(interpreter), false) => {
            let builds = BuildSupport::new(
                &context,
                &client,
                interpreter,
                targets[0].tags.clone(),
                &args.build,
                require_hashes.then(|| set.hashes.clone()),
                printer,
            )?;
            set.build_sources(&builds).await?;
            Some(builds)
        }
        _ => {
            if !set.sources.is_empty() {
                return Err(Hinted::new(
                    "local projects, sdists and git URLs must be built, which wharf does only for the interpreter it runs",
                    "drop --python-version/--platform, or build those wheels on a machine of the target kind",
                )
                .into());
            }
            None
        }
    };

    let mut collected: BTreeMap<String, Collected> = BTreeMap::new();
    for target in &targets {
        let (resolution, provider) = operations::resolve(
            &set,
            &client,
            target,
            ResolveSettings {
                pre: context.settings.flag("pre"),
                no_deps: args.resolver.no_deps,
                upgrade: Upgrade::None,
                preferences: Default::default(),
                only_binary: args.resolver.only_binary.clone(),
                no_binary: args.resolver.no_binary.clone(),
                require_hashes,
                builder: builds.as_ref().map(|b| {
                    Arc::new(SharedBuilds(b.clone())) as Arc<dyn wharf_resolver::SourceBuilder>
                }),
            },
            printer,
        )
        .await?;
        let bar = printer.progress(resolution.packages.len() as u64, "Collecting wheels");
        for package in &resolution.packages {
            bar.inc(1);
            let file = provider
                .installable_file(&package.name, &package.version)
                .await
                .map_err(anyhow::Error::from)?
                .with_context(|| format!("no wheel for {} {}", package.name, package.version))?;
            let filename = file.filename_text();
            if collected.contains_key(&filename) {
                continue;
            }
            let built = provider.is_built(&package.name, &package.version)
                || set.built.contains(&package.name);
            let target_path = wheel_dir.join(&filename);
            let action = if target_path.is_file() && present_matches(&target_path, file.sha256())? {
                "present"
            } else {
                let source = client
                    .download(&file)
                    .await
                    .with_context(|| format!("failed to download {filename}"))?;
                if let Some(required) = set
                    .hashes
                    .get(&package.name)
                    .filter(|_| require_hashes && !built)
                {
                    let check = source.clone();
                    let sha256 =
                        tokio::task::spawn_blocking(move || wharf_installer::sha256_file(&check))
                            .await??;
                    operations::check_required_hash(&filename, &package.name, &sha256, required)?;
                }
                place(&source, &wheel_dir, &filename)?;
                if built {
                    "built"
                } else if file.url.scheme() == "file" {
                    "copied"
                } else {
                    "downloaded"
                }
            };
            printer.detail(format!("{action} {filename}"));
            collected.insert(
                filename.clone(),
                Collected {
                    name: package.name.to_string(),
                    version: package.version.to_string(),
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
