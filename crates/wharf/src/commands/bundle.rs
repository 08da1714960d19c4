//! `wharf bundle`: one executable file (a PEP 441 zipapp) holding an application and every
//! dependency as its wheel, for one or more targets; and `wharf bundle info`.

use std::collections::{BTreeMap, HashMap};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use wharf_bundle::{BundleInput, Entry, TargetInput, WheelInput};
use wharf_cli::{BundleArgs, BundleCommand, BundleInfoArgs, GlobalArgs, ResolverArgs};
use wharf_filename::{DistFilename, WheelFilename};
use wharf_interpreter::{Interpreter, PythonRequest};
use wharf_metadata::EntryPoints;

use crate::collect::{self, CollectOptions};
use crate::commands::cache::human_bytes;
use crate::error::Hinted;
use crate::operations;
use crate::printer::Printer;

pub(crate) async fn bundle(
    global: &GlobalArgs,
    args: BundleArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    if let Some(BundleCommand::Info(info_args)) = &args.command {
        return info(info_args, printer);
    }
    let started = std::time::Instant::now();
    let Some(output) = args.output.clone() else {
        return Err(Hinted::new(
            "no output file given",
            "name the bundle with -o, e.g. `wharf bundle black -c black -o black.pyz`",
        )
        .into());
    };
    let output = std::path::absolute(&output)?;
    let inject_env = parse_env(&args.inject_env)?;
    let script = match &args.script {
        Some(path) => {
            if !path.is_file() {
                return Err(Hinted::new(
                    format!("the script `{}` does not exist", path.display()),
                    "pass the path of a Python file to --script",
                )
                .into());
            }
            let name = path
                .file_name()
                .context("the script has no file name")?
                .to_string_lossy()
                .into_owned();
            Some((name, path.clone()))
        }
        None => None,
    };
    let resolver = ResolverArgs {
        requirements: args.requirements.clone(),
        constraints: args.constraints.clone(),
        pre: args.pre,
        no_deps: false,
        only_binary: args.only_binary.clone(),
        no_binary: args.no_binary.clone(),
        require_hashes: args.require_hashes,
    };
    let collection = collect::collect(
        global,
        CollectOptions {
            packages: &args.packages,
            resolver: &resolver,
            index: &args.index,
            build: &args.build,
            python: args.python.as_deref(),
            python_versions: &args.python_version,
            platforms: &args.platform,
            example: "wharf bundle black -c black -o black.pyz",
        },
        printer,
    )
    .await?;

    // Every wheel, once.
    let total: usize = collection.targets.iter().map(|t| t.wheels.len()).sum();
    let bar = printer.progress(total as u64, "Collecting wheels");
    let mut paths: HashMap<String, PathBuf> = HashMap::new();
    let mut targets = Vec::new();
    for collected in &collection.targets {
        let mut wheels = Vec::new();
        for chosen in &collected.wheels {
            bar.inc(1);
            let filename_text = chosen.file.filename_text();
            let DistFilename::Wheel(filename) = &chosen.file.filename else {
                bail!("{filename_text} is not a wheel");
            };
            let path = match paths.get(&filename_text) {
                Some(path) => path.clone(),
                None => {
                    let path = collection.download(chosen).await?;
                    paths.insert(filename_text.clone(), path.clone());
                    path
                }
            };
            wheels.push(WheelInput {
                path,
                filename: filename.clone(),
                normalize: chosen.built,
            });
        }
        let release = collected.target.python_version.release();
        let version = (release[0] as u8, release.get(1).copied().unwrap_or(0) as u8);
        let filenames: Vec<WheelFilename> = wheels.iter().map(|w| w.filename.clone()).collect();
        let requirement = wharf_bundle::requirement_of(
            &filenames,
            version,
            collected.target.markers.sys_platform(),
            collected.target.markers.platform_machine(),
        );
        targets.push((
            version,
            TargetInput {
                requirement,
                wheels,
                pyc: None,
            },
        ));
    }
    bar.finish_and_clear();

    let all_wheels: Vec<&WheelInput> = targets.iter().flat_map(|(_, t)| &t.wheels).collect();
    let (entry, console_script) = entry_of(&args, &all_wheels, script.as_ref(), printer)?;

    let scratch = tempfile::Builder::new().prefix("wharf-bundle-").tempdir()?;
    if args.compile {
        let spinner = printer.spinner("Compiling bytecode");
        for (index, (version, target)) in targets.iter_mut().enumerate() {
            let python = interpreter_for(*version, collection.interpreter.as_ref(), &collection)?;
            let zip = scratch.path().join(format!("pyc-{index}.zip"));
            compile_target(
                &python,
                &target.wheels,
                &scratch.path().join(format!("pyc-{index}")),
                &zip,
            )?;
            target.pyc = Some(zip);
        }
        spinner.finish_and_clear();
    }

    let versions: std::collections::BTreeSet<(u8, u8)> = targets.iter().map(|(v, _)| *v).collect();
    let shebang = match &args.python_shebang {
        Some(shebang) => shebang.trim_start_matches("#!").to_string(),
        None => match versions.iter().collect::<Vec<_>>().as_slice() {
            [(major, minor)] => format!("/usr/bin/env python{major}.{minor}"),
            _ => "/usr/bin/env python3".to_string(),
        },
    };
    let name = output
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bundle".to_string());
    let mut requirements = args.packages.clone();
    requirements.extend(
        args.requirements
            .iter()
            .map(|path| format!("-r {}", path.display())),
    );
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .filter(|value| !value.is_empty())
        .map(|value| {
            value.trim().parse::<u64>().map_err(|_| {
                Hinted::new(
                    format!("SOURCE_DATE_EPOCH is `{value}`, not a number of seconds"),
                    "set it to seconds since 1970, e.g. `SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`",
                )
            })
        })
        .transpose()?;
    let input = BundleInput {
        name,
        shebang,
        entry,
        console_script,
        inject_env,
        targets: targets.into_iter().map(|(_, target)| target).collect(),
        script,
        requirements,
        python: collection
            .interpreter
            .as_ref()
            .map(|i| i.version.to_string()),
        source_date_epoch,
        tool: format!("wharf {}", env!("CARGO_PKG_VERSION")),
        wheel_cache: Some(
            collection
                .context
                .cache
                .bucket(wharf_cache::Bucket::Builds)?
                .join("bundle-wheels"),
        ),
    };
    let spinner = printer.spinner("Writing the bundle");
    let written = wharf_bundle::write_bundle(&input, &output)?;
    spinner.finish_and_clear();
    drop(scratch);

    if args.json {
        let json = serde_json::json!({
            "path": written.path,
            "id": written.id,
            "size": written.size,
            "entry": written.manifest.entry,
            "console_script": written.manifest.console_script,
            "targets": written.manifest.targets,
            "wheels": written.manifest.wheels,
        });
        printer.result(serde_json::to_string_pretty(&json)?);
    } else {
        printer.result(written.path.display().to_string());
    }
    printer.status(printer.dim(&format!(
        "Bundled {} distribution{} for {} into {} ({}) in {}",
        written.manifest.wheels.len(),
        if written.manifest.wheels.len() == 1 { "" } else { "s" },
        written
            .manifest
            .targets
            .iter()
            .map(|t| t.description.clone())
            .collect::<Vec<_>>()
            .join("; "),
        display_path(&written.path),
        human_bytes(written.size),
        operations::elapsed(started)
    )));
    Ok(ExitCode::SUCCESS)
}

fn display_path(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// `--inject-env K=V` values.
fn parse_env(values: &[String]) -> Result<BTreeMap<String, String>> {
    let mut env = BTreeMap::new();
    for value in values {
        let Some((key, val)) = value.split_once('=').filter(|(key, _)| !key.is_empty()) else {
            return Err(Hinted::new(
                format!("invalid --inject-env `{value}`"),
                "write it as KEY=VALUE",
            )
            .into());
        };
        env.insert(key.to_string(), val.to_string());
    }
    Ok(env)
}

/// The entry point from `-m`, `-c` or `--script`, checked against the wheels.
fn entry_of(
    args: &BundleArgs,
    wheels: &[&WheelInput],
    script: Option<&(String, PathBuf)>,
    printer: &Printer,
) -> Result<(Option<Entry>, Option<String>)> {
    if let Some(module) = &args.module {
        let (module, function) = match module.split_once(':') {
            Some((module, function)) => (module.trim(), Some(function.trim().to_string())),
            None => (module.trim(), None),
        };
        if module.is_empty() || function.as_deref() == Some("") {
            return Err(Hinted::new(
                format!(
                    "invalid --module `{}`",
                    args.module.as_deref().unwrap_or_default()
                ),
                "write a module (`pkg.mod`) or a function in one (`pkg.mod:main`)",
            )
            .into());
        }
        let top = module.split('.').next().unwrap_or(module);
        let mut found = false;
        for wheel in wheels {
            if top_level_names(wheel)?.contains(top) {
                found = true;
                break;
            }
        }
        if !found {
            printer.warn(format!(
                "module `{module}` is in none of the bundled distributions; it must come from the standard library where the bundle runs"
            ));
        }
        return Ok((
            Some(Entry::Module {
                module: module.to_string(),
                function,
            }),
            None,
        ));
    }
    if let Some(name) = &args.console_script {
        let mut available = Vec::new();
        for wheel in wheels {
            let (entry_points, scripts) = scripts_of(wheel)?;
            if let Some(found) = entry_points
                .console_scripts
                .iter()
                .chain(&entry_points.gui_scripts)
                .find(|entry| &entry.name == name)
            {
                return Ok((
                    Some(Entry::Module {
                        module: found.module.clone(),
                        function: found.object.clone(),
                    }),
                    Some(name.clone()),
                ));
            }
            if scripts.iter().any(|script| script == name) {
                return Ok((
                    Some(Entry::WheelScript {
                        wheel_script: format!("bin/{name}"),
                    }),
                    Some(name.clone()),
                ));
            }
            available.extend(
                entry_points
                    .console_scripts
                    .iter()
                    .chain(&entry_points.gui_scripts)
                    .map(|entry| entry.name.clone()),
            );
            available.extend(scripts);
        }
        available.sort();
        available.dedup();
        let hint = if available.is_empty() {
            "the bundled distributions have no scripts; use -m MODULE[:FUNCTION] instead"
                .to_string()
        } else {
            format!("the bundled distributions have: {}", available.join(", "))
        };
        return Err(Hinted::new(
            format!("no bundled distribution has a console script named `{name}`"),
            hint,
        )
        .into());
    }
    if let Some((name, _)) = script {
        return Ok((
            Some(Entry::Script {
                script: format!("script/{name}"),
            }),
            None,
        ));
    }
    Ok((None, None))
}

/// A wheel's entry points and `.data/scripts` file names.
fn scripts_of(wheel: &WheelInput) -> Result<(EntryPoints, Vec<String>)> {
    let mut archive = zip::ZipArchive::new(fs_err::File::open(&wheel.path)?)
        .with_context(|| format!("{} is not a valid wheel", wheel.filename))?;
    let data_scripts = format!("{}/scripts/", wheel.filename.data_dir());
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.ok().map(|name| name.into_owned()))
        .collect();
    let scripts = names
        .iter()
        .filter_map(|name| name.strip_prefix(&data_scripts))
        .filter(|rest| !rest.is_empty() && !rest.contains('/'))
        .map(str::to_string)
        .collect();
    let entry_points = match names.iter().find(|name| {
        name.split_once('/')
            .is_some_and(|(top, rest)| top.ends_with(".dist-info") && rest == "entry_points.txt")
    }) {
        Some(name) => {
            let mut text = String::new();
            archive.by_name(name)?.read_to_string(&mut text)?;
            EntryPoints::parse(&text)
                .with_context(|| format!("{} has an invalid entry_points.txt", wheel.filename))?
        }
        None => EntryPoints::default(),
    };
    Ok((entry_points, scripts))
}

/// The importable top-level names a wheel installs.
fn top_level_names(wheel: &WheelInput) -> Result<std::collections::HashSet<String>> {
    let archive = zip::ZipArchive::new(fs_err::File::open(&wheel.path)?)
        .with_context(|| format!("{} is not a valid wheel", wheel.filename))?;
    let data = wheel.filename.data_dir();
    let mut names = std::collections::HashSet::new();
    for name in archive.file_names().flatten() {
        let Some(name) = wharf_bundle::site_packages_path(&name, &data) else {
            continue;
        };
        let top = name.split('/').next().unwrap_or(name);
        let module = top.split('.').next().unwrap_or(top);
        names.insert(module.to_string());
    }
    Ok(names)
}

/// An interpreter of `version` to compile bytecode with.
fn interpreter_for(
    version: (u8, u8),
    building: Option<&Interpreter>,
    collection: &collect::Collection,
) -> Result<Interpreter> {
    if let Some(interpreter) = building
        && interpreter.python_version == version
    {
        return Ok(interpreter.clone());
    }
    let request: PythonRequest = format!("{}.{}", version.0, version.1)
        .parse()
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    wharf_interpreter::find_interpreter(&request, &collection.context.cache).map_err(|_| {
        Hinted::new(
            format!(
                "--compile needs Python {}.{} to compile bytecode for that target, and none was found",
                version.0, version.1
            ),
            "install that version, or drop --compile (bytecode is then written on first run)",
        )
        .into()
    })
}

/// Compile every `.py` file of `wheels` with `python` into unchecked-hash pycs (valid
/// whatever the files' times after extraction), and zip the `__pycache__` files. The
/// recorded source path is a fixed `site-packages/…` (Python corrects it on import), so
/// the result does not depend on where it was compiled.
fn compile_target(
    python: &Interpreter,
    wheels: &[WheelInput],
    work: &Path,
    zip_path: &Path,
) -> Result<()> {
    fs_err::create_dir_all(work)?;
    for wheel in wheels {
        let mut archive = zip::ZipArchive::new(fs_err::File::open(&wheel.path)?)
            .with_context(|| format!("{} is not a valid wheel", wheel.filename))?;
        let data = wheel.filename.data_dir();
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index)?;
            let Ok(name) = entry.name().map(|name| name.into_owned()) else {
                continue;
            };
            let Some(relative) = wharf_bundle::site_packages_path(&name, &data) else {
                continue;
            };
            if !relative.ends_with(".py")
                || wharf_metadata::archive_path::unsafe_reason(relative).is_some()
            {
                continue;
            }
            let target = work.join(relative);
            if let Some(parent) = target.parent() {
                fs_err::create_dir_all(parent)?;
            }
            std::io::copy(&mut entry, &mut fs_err::File::create(&target)?)?;
        }
    }
    let status = std::process::Command::new(&python.executable)
        .args([
            "-c",
            "import compileall, py_compile, sys\ncompileall.compile_dir(sys.argv[1], ddir='site-packages', quiet=2, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)",
        ])
        .arg(work)
        .env("PYTHONHASHSEED", "0")
        .env_remove("PYTHONDONTWRITEBYTECODE")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("failed to run {}", python.executable.display()))?;
    if !status.success() {
        bail!(
            "compiling bytecode with {} failed",
            python.executable.display()
        );
    }
    let mut pycs: Vec<PathBuf> = walkdir::WalkDir::new(work)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .map(|entry| entry.into_path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "pyc"))
        .collect();
    pycs.sort();
    let mut zip = zip::ZipWriter::new(fs_err::File::create(zip_path)?);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644);
    for pyc in pycs {
        let relative = pyc.strip_prefix(work).expect("walked under work");
        zip.start_file(relative.to_string_lossy().replace('\\', "/"), options)?;
        std::io::copy(&mut fs_err::File::open(&pyc)?, &mut zip)?;
    }
    zip.finish()?;
    Ok(())
}

/// `wharf bundle info`.
fn info(args: &BundleInfoArgs, printer: &Printer) -> Result<ExitCode> {
    let report = wharf_bundle::read_bundle(&args.bundle).map_err(|err| {
        anyhow::Error::from(Hinted::new(
            err.to_string(),
            "pass a file written by `wharf bundle`; if it is one, it is damaged: copy or rebuild it",
        ))
    })?;
    let manifest = &report.manifest;
    if args.json {
        let json = serde_json::json!({
            "path": report.path,
            "id": report.id,
            "size": report.size,
            "shebang": report.shebang,
            "manifest": manifest,
            "problems": report.problems,
        });
        printer.result(serde_json::to_string_pretty(&json)?);
    } else {
        let mut out = Vec::new();
        out.push(format!(
            "{}: wharf bundle {}, {}",
            args.bundle.display(),
            &report.id[..12],
            human_bytes(report.size)
        ));
        if let Some(shebang) = &report.shebang {
            out.push(format!("  interpreter: {shebang}"));
        }
        let entry = match &manifest.entry {
            None => "none (a Python REPL with the dependencies importable)".to_string(),
            Some(Entry::Module {
                module,
                function: Some(function),
            }) => format!("{module}:{function}"),
            Some(Entry::Module {
                module,
                function: None,
            }) => format!("-m {module}"),
            Some(Entry::Script { script }) => format!("script {script}"),
            Some(Entry::WheelScript { wheel_script }) => format!("script {wheel_script}"),
        };
        match &manifest.console_script {
            Some(name) => out.push(format!("  entry point: {entry} (console script `{name}`)")),
            None => out.push(format!("  entry point: {entry}")),
        }
        if !manifest.inject_env.is_empty() {
            out.push(format!(
                "  environment: {}",
                manifest
                    .inject_env
                    .iter()
                    .map(|(key, value)| format!("{key}={value}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        out.push("  targets:".to_string());
        for target in &manifest.targets {
            out.push(format!("    {} ({})", target.description, target.key));
            for wheel in &target.wheels {
                let info = manifest.wheels.get(wheel);
                out.push(format!(
                    "      {} {}  {}",
                    info.map_or("?", |i| i.name.as_str()),
                    info.map_or("?", |i| i.version.as_str()),
                    wheel
                ));
            }
            if target.pyc.is_some() {
                out.push("      (with precompiled bytecode)".to_string());
            }
        }
        out.push(format!(
            "  built by: {}{}, from: {}",
            manifest.build.tool,
            manifest
                .build
                .python
                .as_ref()
                .map(|python| format!(" with Python {python}"))
                .unwrap_or_default(),
            manifest.build.requirements.join(" ")
        ));
        out.push(format!("  timestamp: {}", manifest.build.created));
        if report.problems.is_empty() {
            out.push(format!(
                "  verified: {} members match the manifest",
                manifest.wheels.len() + manifest.files.len() + 1
            ));
        }
        printer.result(out.join("\n"));
    }
    if !report.problems.is_empty() {
        return Err(Hinted::new(
            format!(
                "{} is damaged: {}",
                args.bundle.display(),
                report.problems.join("; ")
            ),
            "copy the bundle again or rebuild it",
        )
        .into());
    }
    Ok(ExitCode::SUCCESS)
}
