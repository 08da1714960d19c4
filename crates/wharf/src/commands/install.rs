//! `wharf install`: resolve, fetch, and install packages into an environment.

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use wharf_cli::{GlobalArgs, InstallArgs};
use wharf_client::IndexClient;
use wharf_installer::Layout;
use wharf_interpreter::{Interpreter, PythonRequest};
use wharf_resolver::Upgrade;

use crate::builds::{BuildSupport, SharedBuilds};
use crate::environment;
use crate::error::Hinted;
use crate::operations::{self, Plan, RequirementSet, ResolveSettings, Target, elapsed};
use crate::printer::Printer;
use crate::settings::{Context, install_overrides};

pub(crate) async fn install(
    global: &GlobalArgs,
    args: InstallArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let overrides = install_overrides(
        &args.index,
        args.resolver.pre,
        args.resolver.require_hashes,
        args.compile,
        args.link_mode,
    );
    let context = Context::load(global, overrides)?;
    let set = RequirementSet::collect(
        &args.packages,
        &args.resolver.requirements,
        &args.resolver.constraints,
        &args.editable,
        printer,
    )?;
    if set.requirements.is_empty() && set.sources.is_empty() {
        return Err(Hinted::new(
            "nothing to install",
            "name packages (`wharf install requests`) or a requirements file (`-r requirements.txt`)",
        )
        .into());
    }
    let require_hashes = context.settings.flag("require-hashes") || set.require_hashes;
    set.validate(require_hashes)?;

    let (interpreter, layout) = match &args.target {
        Some(target) => {
            let interpreter = target_interpreter(&context, &args.environment)?;
            fs_err::create_dir_all(target)?;
            let target = fs_err::canonicalize(target)?;
            let layout = Layout {
                purelib: target.clone(),
                platlib: target.clone(),
                scripts: target.join("bin"),
                data: target.clone(),
                include: target.join("include"),
                python_executable: interpreter.executable.clone(),
                python_version: interpreter.python_version,
            };
            (interpreter, layout)
        }
        None => {
            let interpreter = crate::settings::environment(&context, &args.environment)?;
            environment::check_externally_managed(&interpreter, args.break_system_packages)?;
            let layout = environment::layout(&interpreter);
            (interpreter, layout)
        }
    };
    printer.detail(format!(
        "Using environment at {}",
        interpreter.prefix.display()
    ));
    let _lock = if args.dry_run {
        None
    } else {
        Some(environment::lock(&layout, printer)?)
    };
    let installed = environment::installed(&layout)?;
    let plain = set.sources.is_empty()
        && !args.upgrade
        && args.upgrade_package.is_empty()
        && !args.reinstall
        && !args.dry_run
        && args.report.is_none();
    if plain
        && let Some(count) = operations::already_satisfied(&set, &installed, &interpreter.markers)
    {
        printer.status(printer.dim(&format!(
            "Audited {count} package{} in {}",
            if count == 1 { "" } else { "s" },
            elapsed(started)
        )));
        if args.json {
            printer.result(serde_json::json!({"installed": [], "removed": []}).to_string());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let target = Target::of(&interpreter)?;
    let client = IndexClient::new(context.client_options(&set.file_options)?)?;
    let mut set = set;
    let builds = BuildSupport::new(
        &context,
        &client,
        &interpreter,
        target.tags.clone(),
        &args.build,
        require_hashes.then(|| set.hashes.clone()),
        printer,
    )?;
    set.build_sources(&builds).await?;
    let upgrade = if args.upgrade {
        Upgrade::Packages(
            set.requirements
                .iter()
                .map(|r| r.name.clone())
                .collect::<HashSet<_>>(),
        )
    } else if !args.upgrade_package.is_empty() {
        Upgrade::Packages(operations::package_names(&args.upgrade_package)?)
    } else {
        Upgrade::None
    };
    let preferences = operations::preferences(&installed);
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
            require_hashes,
            builder: Some(Arc::new(SharedBuilds(builds.clone()))),
        },
        printer,
    )
    .await?;
    let plan = Plan::new(&resolution, &provider, &installed, &set, args.reinstall).await?;
    if let Some(report) = &args.report {
        let json = operations::report_json(&plan, &resolution, &interpreter);
        let text = serde_json::to_string_pretty(&json)?;
        if report.as_os_str() == "-" {
            printer.result(text);
        } else {
            fs_err::write(report, text + "\n")?;
        }
    }
    if args.dry_run {
        if plan.install.is_empty() {
            printer.status("Would install nothing: every requirement is already satisfied");
        } else {
            let names: Vec<String> = plan
                .install
                .iter()
                .map(|p| format!("{}-{}", p.name, p.version))
                .collect();
            printer.status(format!("Would install {}", names.join(" ")));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if plan.is_empty() {
        printer.status(printer.dim(&format!(
            "Audited {} package{} in {}",
            resolution.packages.len(),
            if resolution.packages.len() == 1 {
                ""
            } else {
                "s"
            },
            elapsed(started)
        )));
        if args.json {
            printer.result(serde_json::json!({"installed": [], "removed": []}).to_string());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let hashes = require_hashes.then_some(&set.hashes);
    operations::execute(plan, &client, &context, layout, hashes, printer)
        .await?
        .finish(printer, started, args.json)?;
    Ok(ExitCode::SUCCESS)
}

/// The interpreter whose tags and markers `--target` installs are for.
fn target_interpreter(context: &Context, args: &wharf_cli::EnvironmentArgs) -> Result<Interpreter> {
    if args.python.is_some() || args.venv.is_some() {
        return crate::settings::environment(context, args);
    }
    match crate::settings::environment(context, args) {
        Ok(interpreter) => Ok(interpreter),
        Err(_) => Ok(wharf_interpreter::find_interpreter(
            &PythonRequest::Any,
            &context.cache,
        )?),
    }
}
