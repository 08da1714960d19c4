//! `wharf show`: pip's `show` fields for installed packages.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{GlobalArgs, ShowArgs};
use wharf_pep::PackageName;

use crate::environment;
use crate::printer::Printer;
use crate::settings::Context;

pub(crate) fn show(global: &GlobalArgs, args: ShowArgs, printer: &Printer) -> Result<ExitCode> {
    let context = Context::load(global, Vec::new())?;
    let interpreter = crate::settings::environment(&context, &args.environment)?;
    let layout = environment::layout(&interpreter);
    let installed = environment::installed(&layout)?;
    // Who requires whom, for `Required-by`.
    let mut required_by: BTreeMap<PackageName, Vec<String>> = BTreeMap::new();
    let mut metadata = BTreeMap::new();
    for dist in installed.values() {
        if let Ok(meta) = dist.metadata() {
            for requirement in &meta.requires_dist {
                if requirement.marker.evaluate(&interpreter.markers, &[]) {
                    required_by
                        .entry(requirement.name.clone())
                        .or_default()
                        .push(meta.raw.name.trim().to_string());
                }
            }
            metadata.insert(dist.name.clone(), meta);
        }
    }
    let mut missing = false;
    let mut blocks = Vec::new();
    for name in &args.packages {
        let Some(dist) = name
            .parse::<PackageName>()
            .ok()
            .and_then(|name| installed.get(&name))
        else {
            printer.warn(format!("package not found: {name}"));
            missing = true;
            continue;
        };
        let Some(meta) = metadata.get(&dist.name) else {
            printer.warn(format!("cannot read the metadata of {name}"));
            missing = true;
            continue;
        };
        let raw = &meta.raw;
        let mut requires: Vec<String> = meta
            .requires_dist
            .iter()
            .filter(|r| r.marker.evaluate(&interpreter.markers, &[]))
            .map(|r| r.name.to_string())
            .collect();
        requires.sort();
        requires.dedup();
        let mut by = required_by.get(&dist.name).cloned().unwrap_or_default();
        by.sort_by_key(|n| n.to_lowercase());
        by.dedup();
        let location = dist
            .dist_info
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let mut lines = vec![
            format!("Name: {}", raw.name.trim()),
            format!("Version: {}", raw.version.trim()),
            format!("Summary: {}", raw.summary.clone().unwrap_or_default()),
            format!("Home-page: {}", raw.home_page.clone().unwrap_or_default()),
            format!("Author: {}", raw.author.clone().unwrap_or_default()),
            format!(
                "Author-email: {}",
                raw.author_email.clone().unwrap_or_default()
            ),
            format!(
                "License: {}",
                raw.license_expression
                    .clone()
                    .or_else(|| raw.license.clone())
                    .unwrap_or_default()
            ),
            format!("Location: {location}"),
        ];
        if dist.editable
            && let Some(direct) = &dist.direct_url
        {
            lines.push(format!("Editable project location: {}", direct.url));
        }
        lines.push(format!("Requires: {}", requires.join(", ")));
        lines.push(format!("Required-by: {}", by.join(", ")));
        if args.files {
            lines.push("Files:".to_string());
            let record = dist.dist_info.join("RECORD");
            match fs_err::read_to_string(&record)
                .ok()
                .and_then(|text| wharf_metadata::Record::parse(&text).ok())
            {
                Some(record) => {
                    for entry in record.entries {
                        lines.push(format!("  {}", entry.path));
                    }
                }
                None => lines.push("Cannot locate RECORD or installed-files.txt".to_string()),
            }
        }
        blocks.push(lines.join("\n"));
    }
    if !blocks.is_empty() {
        printer.result(blocks.join("\n---\n"));
    }
    Ok(if missing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
