//! `wharf check`: every installed package's requirements are installed and satisfied
//! (pip check's messages).

use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{CheckArgs, GlobalArgs};
use wharf_pep::VersionOrUrl;

use crate::environment;
use crate::printer::Printer;
use crate::settings::Context;

pub(crate) fn check(global: &GlobalArgs, args: CheckArgs, printer: &Printer) -> Result<ExitCode> {
    if !args.dists.is_empty() {
        return super::check_dist::check_dists(global, args, printer);
    }
    let context = Context::load(global, Vec::new())?;
    let interpreter = crate::settings::environment(&context, &args.environment)?;
    let layout = environment::layout(&interpreter);
    let installed = environment::installed(&layout)?;
    let mut problems = Vec::new();
    for dist in installed.values() {
        let metadata = match dist.metadata() {
            Ok(metadata) => metadata,
            Err(err) => {
                problems.push(format!(
                    "{} {} has invalid metadata: {err}",
                    dist.name, dist.version
                ));
                continue;
            }
        };
        let display = metadata.raw.name.trim().to_string();
        if let Some(requires_python) = &metadata.requires_python
            && !requires_python.contains(&interpreter.version)
        {
            problems.push(format!(
                "{display} {} requires Python {requires_python}, but this is Python {}",
                dist.version, interpreter.version
            ));
        }
        for requirement in &metadata.requires_dist {
            if !requirement.marker.evaluate(&interpreter.markers, &[]) {
                continue;
            }
            match installed.get(&requirement.name) {
                None => problems.push(format!(
                    "{display} {} requires {}, which is not installed.",
                    dist.version, requirement.name
                )),
                Some(found) => {
                    if let Some(VersionOrUrl::VersionSpecifier(specifiers)) =
                        &requirement.version_or_url
                        && !specifiers.contains(&found.version)
                    {
                        problems.push(format!(
                            "{display} {} has requirement {}{specifiers}, but you have {} {}.",
                            dist.version, requirement.name, requirement.name, found.version
                        ));
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        printer.result("No broken requirements found.");
        Ok(ExitCode::SUCCESS)
    } else {
        for problem in problems {
            printer.result(problem);
        }
        Ok(ExitCode::FAILURE)
    }
}
