//! `wharf freeze`: installed packages as requirements, the same text `pip freeze` prints.

use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{FreezeArgs, GlobalArgs};
use wharf_installer::InstalledDist;
use wharf_metadata::DirectUrlInfo;

use crate::environment;
use crate::printer::Printer;
use crate::settings::Context;

pub(crate) fn freeze(global: &GlobalArgs, args: FreezeArgs, printer: &Printer) -> Result<ExitCode> {
    let context = Context::load(global, Vec::new())?;
    let interpreter = crate::settings::environment(&context, &args.environment)?;
    let layout = environment::layout(&interpreter);
    let installed = environment::installed(&layout)?;
    // pip leaves out its own tools unless --all; setuptools, wheel and distribute only
    // before Python 3.12, where they stopped being preinstalled.
    let mut hidden = vec!["pip"];
    if interpreter.python_version < (3, 12) {
        hidden.extend(["setuptools", "wheel", "distribute"]);
    }
    let mut lines: Vec<(String, String)> = Vec::new();
    for dist in installed.values() {
        if !args.all && hidden.contains(&dist.name.as_ref()) {
            continue;
        }
        if args.exclude_editable && dist.editable {
            continue;
        }
        let display = display_name(dist);
        lines.push((display.to_lowercase(), freeze_line(dist, &display)));
    }
    lines.sort();
    for (_, line) in lines {
        printer.result(line);
    }
    Ok(ExitCode::SUCCESS)
}

/// The project name as its metadata spells it (pip prints that, not the normalized name).
pub(crate) fn display_name(dist: &InstalledDist) -> String {
    dist.metadata()
        .map(|metadata| metadata.raw.name.trim().to_string())
        .unwrap_or_else(|_| dist.name.to_string())
}

/// One `pip freeze` line.
pub(crate) fn freeze_line(dist: &InstalledDist, display: &str) -> String {
    match &dist.direct_url {
        Some(direct) if dist.editable => {
            let location = url::Url::parse(&direct.url)
                .ok()
                .and_then(|url| url.to_file_path().ok())
                .map(|path| path.display().to_string())
                .unwrap_or_else(|| direct.url.clone());
            format!(
                "# Editable install with no version control ({display}=={})\n-e {location}",
                dist.version
            )
        }
        Some(direct) => match &direct.info {
            DirectUrlInfo::VcsInfo { vcs, commit_id, .. } => {
                format!("{display} @ {vcs}+{}@{commit_id}", direct.url)
            }
            info => {
                // pip's PEP 440 direct reference: the legacy `hash` and the subdirectory as
                // URL fragments.
                let mut fragments = Vec::new();
                if let DirectUrlInfo::ArchiveInfo {
                    hash: Some(hash), ..
                } = info
                {
                    fragments.push(hash.clone());
                }
                if let Some(subdirectory) = &direct.subdirectory {
                    fragments.push(format!("subdirectory={subdirectory}"));
                }
                if fragments.is_empty() {
                    format!("{display} @ {}", direct.url)
                } else {
                    format!("{display} @ {}#{}", direct.url, fragments.join("&"))
                }
            }
        },
        None => format!("{display}=={}", dist.version),
    }
}
