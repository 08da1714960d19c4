//! `wharf sync`: make an environment hold exactly what pinned requirements files list.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use wharf_cli::{GlobalArgs, SyncArgs};
use wharf_client::IndexClient;
use wharf_resolver::Upgrade;

use crate::builds::{BuildSupport, SharedBuilds};
use crate::environment;
use crate::operations::{self, Plan, RequirementSet, ResolveSettings, Target, elapsed};
use crate::printer::Printer;
use crate::settings::{Context, install_overrides};

pub(crate) async fn sync(
    global: &GlobalArgs,
    args: SyncArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let overrides = install_overrides(&args.index, false, args.require_hashes, args.compile, None);
    let context = Context::load(global, overrides)?;
    let mut set = RequirementSet::collect(&[], &args.requirements, &[], &[], printer)?;
    let require_hashes = context.settings.flag("require-hashes") || set.require_hashes;
    set.validate(require_hashes)?;
    let interpreter = crate::settings::environment(&context, &args.environment)?;
    environment::check_externally_managed(&interpreter, args.break_system_packages)?;
    let layout = environment::layout(&interpreter);
    let _lock = if args.dry_run {
        None
    } else {
        Some(environment::lock(&layout, printer)?)
    };
    let installed = environment::installed(&layout)?;
    let target = Target::of(&interpreter)?;
    let client = IndexClient::new(context.client_options(&set.file_options)?)?;
    let builds = BuildSupport::new(
        &context,
        &client,
        &interpreter,
        target.tags.clone(),
        &wharf_cli::BuildOptionArgs::default(),
        require_hashes.then(|| set.hashes.clone()),
        printer,
    )?;
    set.build_sources(&builds).await?;
    let preferences = operations::preferences(&installed);
    // The file is the whole environment: its entries are taken as they are, without
    // adding dependencies (as pip-sync and uv pip sync do).
    let (resolution, provider) = operations::resolve(
        &set,
        &client,
        &target,
        ResolveSettings {
            pre: true,
            no_deps: true,
            upgrade: Upgrade::None,
            preferences,
            only_binary: Vec::new(),
            no_binary: Vec::new(),
            require_hashes,
            builder: Some(Arc::new(SharedBuilds(builds.clone()))),
        },
        printer,
    )
    .await?;
    let mut plan = Plan::new(&resolution, &provider, &installed, &set, false).await?;
    plan.remove = installed
        .values()
        .filter(|dist| !resolution.packages.iter().any(|p| p.name == dist.name))
        .cloned()
        .collect();
    if args.dry_run {
        for planned in &plan.install {
            printer.status(format!(
                "Would install {}=={}",
                planned.name, planned.version
            ));
        }
        for dist in &plan.remove {
            printer.status(format!("Would remove {}=={}", dist.name, dist.version));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if plan.is_empty() {
        printer.status(printer.dim(&format!(
            "Audited {} packages in {}",
            resolution.packages.len(),
            elapsed(started)
        )));
        return Ok(ExitCode::SUCCESS);
    }
    let hashes = require_hashes.then_some(&set.hashes);
    operations::execute(plan, &client, &context, layout, hashes, printer)
        .await?
        .finish(printer, started, false)?;
    Ok(ExitCode::SUCCESS)
}
