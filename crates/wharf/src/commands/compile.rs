//! `wharf compile`: resolve loose requirements into a fully pinned, annotated file.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use wharf_cli::{CompileArgs, GlobalArgs};
use wharf_client::IndexClient;
use wharf_config::Value;
use wharf_interpreter::PythonRequest;
use wharf_pep::{PackageName, Version, VersionOrUrl};
use wharf_requirements_txt::{RequirementSpec, RequirementsTxtParser};
use wharf_resolver::Upgrade;

use crate::builds::{BuildSupport, SharedBuilds};
use crate::error::Hinted;
use crate::operations::{self, RequirementSet, ResolveSettings, Target};
use crate::printer::Printer;
use crate::settings::{Context, index_overrides};
use crate::target;

pub(crate) async fn compile(
    global: &GlobalArgs,
    args: CompileArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let mut overrides = index_overrides(&args.index);
    if args.resolver.pre {
        overrides.push(("pre", Value::Bool(true)));
    }
    let context = Context::load(global, overrides)?;
    for source in &args.sources {
        if source
            .file_name()
            .is_some_and(|name| name == "pyproject.toml")
        {
            return Err(Hinted::new(
                format!(
                    "reading dependencies from {} is not supported yet",
                    source.display()
                ),
                "list the dependencies in a requirements.in file",
            )
            .into());
        }
    }
    let mut set =
        RequirementSet::collect(&[], &args.sources, &args.resolver.constraints, &[], printer)?;
    set.validate(false)?;
    let mut build_interpreter = None;
    let target = if args.python_version.is_some() || args.platform.is_some() {
        let interpreter = match (
            &args.python,
            args.python_version.is_some() && args.platform.is_some(),
        ) {
            (_, true) => None,
            (Some(python), _) => Some(wharf_interpreter::find_interpreter(
                &python
                    .parse::<PythonRequest>()
                    .map_err(|err| anyhow::anyhow!("invalid --python: {err}"))?,
                &context.cache,
            )?),
            (None, false) => Some(wharf_interpreter::find_interpreter(
                &PythonRequest::Any,
                &context.cache,
            )?),
        };
        target::custom(
            args.python_version.as_deref(),
            args.platform.as_deref(),
            interpreter.as_ref(),
        )?
    } else {
        let request = match &args.python {
            Some(python) => python
                .parse::<PythonRequest>()
                .map_err(|err| anyhow::anyhow!("invalid --python: {err}"))?,
            None => PythonRequest::Any,
        };
        let interpreter = match &args.python {
            Some(_) => wharf_interpreter::find_interpreter(&request, &context.cache)?,
            None => wharf_interpreter::find_environment(None, None, &context.cache)
                .or_else(|_| wharf_interpreter::find_interpreter(&request, &context.cache))?,
        };
        let target = Target::of(&interpreter)?;
        build_interpreter = Some(interpreter);
        target
    };
    // Keep the versions an existing output file pins, unless upgrading.
    let mut preferences: HashMap<PackageName, Version> = HashMap::new();
    if let Some(output) = &args.output_file
        && output.is_file()
        && !args.upgrade
    {
        let parser = RequirementsTxtParser::new(std::env::current_dir()?);
        if let Ok(existing) = parser.parse_file(output) {
            for entry in existing.requirements {
                if let RequirementSpec::Named(requirement) = entry.requirement
                    && let Some(VersionOrUrl::VersionSpecifier(specifiers)) =
                        &requirement.version_or_url
                    && let Some(specifier) = specifiers.iter().next()
                    && specifiers.len() == 1
                    && *specifier.operator() == wharf_pep::Operator::Equal
                {
                    preferences.insert(requirement.name.clone(), specifier.version().clone());
                }
            }
        }
    }
    let upgrade = if args.upgrade {
        Upgrade::All
    } else {
        Upgrade::Packages(operations::package_names(&args.upgrade_package)?)
    };
    let client = IndexClient::new(context.client_options(&set.file_options)?)?;
    // Versions with only an sdist are built (for their metadata) when resolving for the
    // interpreter itself; for a foreign target they cannot be.
    let builder = match &build_interpreter {
        Some(interpreter) => {
            let builds = BuildSupport::new(
                &context,
                &client,
                interpreter,
                target.tags.clone(),
                &wharf_cli::BuildOptionArgs::default(),
                None,
                printer,
            )?;
            set.build_sources(&builds).await?;
            Some(Arc::new(SharedBuilds(builds)) as Arc<dyn wharf_resolver::SourceBuilder>)
        }
        None => None,
    };
    let (resolution, provider) = operations::resolve(
        &set,
        &client,
        &target,
        ResolveSettings {
            pre: context.settings.flag("pre"),
            no_deps: args.resolver.no_deps,
            upgrade,
            preferences,
            only_binary: args.resolver.only_binary.clone(),
            no_binary: args.resolver.no_binary.clone(),
            require_hashes: false,
            builder,
        },
        printer,
    )
    .await?;

    let sources: Vec<String> = args
        .sources
        .iter()
        .map(|s| s.display().to_string())
        .collect();
    let mut out = String::new();
    if !args.no_header {
        out.push_str("# This file was autogenerated by wharf via the following command:\n");
        let mut command = vec!["wharf".to_string(), "compile".to_string()];
        command.extend(sources.iter().cloned());
        if let Some(output) = &args.output_file {
            command.push("-o".into());
            command.push(output.display().to_string());
        }
        if args.generate_hashes {
            command.push("--generate-hashes".into());
        }
        if let Some(version) = &args.python_version {
            command.push(format!("--python-version {version}"));
        }
        if let Some(platform) = &args.platform {
            command.push(format!("--platform {platform}"));
        }
        out.push_str(&format!("#    {}\n", command.join(" ")));
    }
    for package in &resolution.packages {
        let pin = match set.direct.get(&package.name) {
            Some(file) => format!("{} @ {}", package.name, file.url),
            None => format!("{}=={}", package.name, package.version),
        };
        out.push_str(&pin);
        if args.generate_hashes {
            let mut hashes = file_hashes(
                &client,
                &provider.all_files(&package.name, &package.version),
            )
            .await
            .with_context(|| {
                format!(
                    "failed to hash the files of {} {}",
                    package.name, package.version
                )
            })?;
            hashes.sort();
            hashes.dedup();
            if hashes.is_empty() {
                printer.warn(format!(
                    "no file of {} {} could be hashed",
                    package.name, package.version
                ));
            }
            for hash in hashes {
                out.push_str(&format!(" \\\n    --hash={hash}"));
            }
        }
        out.push('\n');
        if !args.no_annotate {
            let mut via: Vec<String> = package
                .required_by
                .iter()
                .flat_map(|by| {
                    if by == "your requirements" {
                        sources
                            .iter()
                            .map(|source| format!("-r {source}"))
                            .collect::<Vec<_>>()
                    } else {
                        vec![by.clone()]
                    }
                })
                .collect();
            via.sort();
            match via.as_slice() {
                [] => {}
                [one] => out.push_str(&format!("    # via {one}\n")),
                many => {
                    out.push_str("    # via\n");
                    for one in many {
                        out.push_str(&format!("    #   {one}\n"));
                    }
                }
            }
        }
    }
    match &args.output_file {
        Some(path) => {
            wharf_cache::write_atomic(path, out.as_bytes())
                .with_context(|| format!("failed to write {}", path.display()))?;
            printer.status(format!("Wrote {}", path.display()));
        }
        None => printer.result(out.trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}

/// `sha256:<hex>` of every file: the index's hash where it gives one, else the file's own,
/// downloading it (into the cache) when it is not local, as pip-tools does.
async fn file_hashes(
    client: &IndexClient,
    files: &[wharf_client::DistFile],
) -> Result<Vec<String>> {
    let hashes = futures::future::try_join_all(files.iter().map(|file| async move {
        if let Some(hash) = file.sha256() {
            return Ok::<_, anyhow::Error>(format!("sha256:{hash}"));
        }
        let path = client.download(file).await?;
        let hash =
            tokio::task::spawn_blocking(move || wharf_installer::sha256_file(&path)).await??;
        Ok(format!("sha256:{hash}"))
    }))
    .await?;
    Ok(hashes)
}
