//! `wharf uninstall`: remove exactly the files each package's RECORD lists.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use wharf_cli::{GlobalArgs, UninstallArgs};
use wharf_pep::PackageName;

use crate::environment;
use crate::error::Hinted;
use crate::operations::RequirementSet;
use crate::printer::Printer;
use crate::settings::Context;

pub(crate) fn uninstall(
    global: &GlobalArgs,
    args: UninstallArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let context = Context::load(global, Vec::new())?;
    let set = RequirementSet::collect(&args.packages, &args.requirements, &[], &[], printer)?;
    let names: Vec<PackageName> = set.requirements.iter().map(|r| r.name.clone()).collect();
    if names.is_empty() {
        return Err(Hinted::new(
            "nothing to uninstall",
            "name the packages to remove, or pass -r FILE",
        )
        .into());
    }
    let interpreter = crate::settings::environment(&context, &args.environment)?;
    environment::check_externally_managed(&interpreter, args.break_system_packages)?;
    let layout = environment::layout(&interpreter);
    let _lock = environment::lock(&layout, printer)?;
    let installed = environment::installed(&layout)?;
    let mut removed = 0;
    for name in &names {
        let Some(dist) = installed.get(name) else {
            printer.warn(format!("{name} is not installed; skipping"));
            continue;
        };
        let report = wharf_installer::uninstall(dist, &layout)
            .with_context(|| format!("failed to uninstall {name}"))?;
        for path in &report.outside {
            printer.warn(format!(
                "left {} alone: it is outside the environment",
                path.display()
            ));
        }
        printer.status(format!(
            " {} {}=={}",
            printer.removed("-"),
            report.name,
            report.version
        ));
        removed += 1;
    }
    if removed > 0 {
        printer.status(printer.dim(&format!(
            "Uninstalled {removed} package{}",
            if removed == 1 { "" } else { "s" }
        )));
    }
    Ok(ExitCode::SUCCESS)
}
