//! Resolving requirements into one wheel per package for one or more targets (the
//! building interpreter, or `--python-version`/`--platform` combinations), building what
//! has no wheel: what `wharf wheel` puts in a wheelhouse and `wharf bundle` carries.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use wharf_cli::{BuildOptionArgs, GlobalArgs, IndexArgs, ResolverArgs};
use wharf_client::{DistFile, IndexClient};
use wharf_interpreter::{Interpreter, PythonRequest};
use wharf_pep::{PackageName, Version};
use wharf_resolver::Upgrade;

use crate::builds::{BuildSupport, SharedBuilds};
use crate::error::Hinted;
use crate::operations::{self, RequirementSet, ResolveSettings, Target};
use crate::printer::Printer;
use crate::settings::{Context, install_overrides};
use crate::target;

/// What to collect.
pub(crate) struct CollectOptions<'a> {
    pub packages: &'a [String],
    pub resolver: &'a ResolverArgs,
    pub index: &'a IndexArgs,
    pub build: &'a BuildOptionArgs,
    /// `--python`.
    pub python: Option<&'a str>,
    /// `--python-version` (each combined with each platform).
    pub python_versions: &'a [String],
    /// `--platform`.
    pub platforms: &'a [String],
    /// An example command for the "no requirements" hint.
    pub example: &'a str,
}

/// One package's chosen file for one target.
pub(crate) struct Chosen {
    pub name: PackageName,
    pub version: Version,
    pub file: DistFile,
    /// Built here (from an sdist, a directory or a git URL), not downloaded.
    pub built: bool,
}

/// The wheels of one target.
pub(crate) struct CollectedTarget {
    pub target: Target,
    pub wheels: Vec<Chosen>,
}

/// Everything resolved.
pub(crate) struct Collection {
    pub context: Context,
    pub client: IndexClient,
    pub set: RequirementSet,
    /// The building interpreter, if one was found.
    pub interpreter: Option<Interpreter>,
    pub require_hashes: bool,
    pub targets: Vec<CollectedTarget>,
}

/// Resolve `options` for every target and choose a file per package.
pub(crate) async fn collect(
    global: &GlobalArgs,
    options: CollectOptions<'_>,
    printer: &Printer,
) -> Result<Collection> {
    let overrides = install_overrides(
        options.index,
        options.resolver.pre,
        options.resolver.require_hashes,
        false,
        None,
    );
    let context = Context::load(global, overrides)?;
    let mut set = RequirementSet::collect(
        options.packages,
        &options.resolver.requirements,
        &options.resolver.constraints,
        &[],
        printer,
    )?;
    if set.requirements.is_empty() && set.sources.is_empty() {
        return Err(Hinted::new(
            "no requirements given",
            format!(
                "name packages (`{}`) or a requirements file (`-r requirements.txt`)",
                options.example
            ),
        )
        .into());
    }
    let require_hashes = context.settings.flag("require-hashes") || set.require_hashes;
    set.validate(require_hashes)?;

    let client = IndexClient::new(context.client_options(&set.file_options)?)?;
    let foreign = !options.python_versions.is_empty() || !options.platforms.is_empty();
    let interpreter = match options.python {
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
        let versions: Vec<Option<&str>> = if options.python_versions.is_empty() {
            vec![None]
        } else {
            options
                .python_versions
                .iter()
                .map(|v| Some(v.as_str()))
                .collect()
        };
        let platforms: Vec<Option<&str>> = if options.platforms.is_empty() {
            vec![None]
        } else {
            options.platforms.iter().map(|p| Some(p.as_str())).collect()
        };
        let mut targets = Vec::new();
        for version in &versions {
            for platform in &platforms {
                targets.push(target::custom(*version, *platform, interpreter.as_ref())?);
            }
        }
        targets
    } else {
        let interpreter = interpreter
            .clone()
            .context("no Python interpreter found to build for")?;
        vec![Target::of(&interpreter)?]
    };

    // Local projects, sdists and git URLs are built with the building interpreter, even for
    // foreign targets; dependencies that only have an sdist are built only for it.
    let builds = match &interpreter {
        Some(interpreter) if !foreign || !set.sources.is_empty() => {
            let own = Target::of(interpreter)?;
            let builds = BuildSupport::new(
                &context,
                &client,
                interpreter,
                own.tags.clone(),
                options.build,
                require_hashes.then(|| set.hashes.clone()),
                printer,
            )?;
            set.build_sources(&builds).await?;
            Some(builds)
        }
        _ => {
            if !set.sources.is_empty() {
                return Err(Hinted::new(
                    "local projects, sdists and git URLs must be built, and no Python interpreter was found to build them",
                    "install Python or pass --python, or build those wheels first and pass them as files",
                )
                .into());
            }
            None
        }
    };

    let mut collected = Vec::new();
    for target in targets {
        let (resolution, provider) = operations::resolve(
            &set,
            &client,
            &target,
            ResolveSettings {
                pre: context.settings.flag("pre"),
                no_deps: options.resolver.no_deps,
                upgrade: Upgrade::None,
                preferences: Default::default(),
                only_binary: options.resolver.only_binary.clone(),
                no_binary: options.resolver.no_binary.clone(),
                require_hashes,
                builder: builds.as_ref().filter(|_| !foreign).map(|b| {
                    Arc::new(SharedBuilds(b.clone())) as Arc<dyn wharf_resolver::SourceBuilder>
                }),
            },
            printer,
        )
        .await?;
        let mut wheels = Vec::new();
        for package in &resolution.packages {
            let file = provider
                .installable_file(&package.name, &package.version)
                .await
                .map_err(anyhow::Error::from)?
                .with_context(|| format!("no wheel for {} {}", package.name, package.version))?;
            let built = provider.is_built(&package.name, &package.version)
                || set.built.contains(&package.name);
            wheels.push(Chosen {
                name: package.name.clone(),
                version: package.version.clone(),
                file,
                built,
            });
        }
        collected.push(CollectedTarget { target, wheels });
    }
    Ok(Collection {
        context,
        client,
        set,
        interpreter,
        require_hashes,
        targets: collected,
    })
}

impl Collection {
    /// Download (or find in the cache) a chosen file, checking a required hash.
    pub(crate) async fn download(&self, chosen: &Chosen) -> Result<PathBuf> {
        let filename = chosen.file.filename_text();
        let source = self
            .client
            .download(&chosen.file)
            .await
            .with_context(|| format!("failed to download {filename}"))?;
        if let Some(required) = self
            .set
            .hashes
            .get(&chosen.name)
            .filter(|_| self.require_hashes && !chosen.built)
        {
            let check = source.clone();
            let sha256 =
                tokio::task::spawn_blocking(move || wharf_installer::sha256_file(&check)).await??;
            operations::check_required_hash(&filename, &chosen.name, &sha256, required)?;
        }
        Ok(source)
    }
}
