//! `wharf index`: a static PEP 503/691 index from a directory of distributions.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use wharf_cli::{GlobalArgs, IndexDirArgs};
use wharf_index::IndexOptions;

use crate::printer::Printer;

pub(crate) async fn index(
    _global: &GlobalArgs,
    args: IndexDirArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let options = IndexOptions {
        dir: args.dir.clone(),
        output: args.output.clone(),
        base_url: args.base_url.clone(),
    };
    let start = std::time::Instant::now();
    let summary = tokio::task::spawn_blocking(move || wharf_index::build_index(&options))
        .await
        .context("the indexing task failed")?
        .with_context(|| format!("cannot index {}", args.dir.display()))?;
    for skipped in &summary.skipped {
        printer.warn(format!(
            "skipping {}: {}",
            skipped.path.display(),
            skipped.reason
        ));
    }
    for written in &summary.written {
        printer.detail(format!("wrote {written}"));
    }
    if args.json {
        printer.result(serde_json::to_string_pretty(&summary)?);
    }
    printer.status(format!(
        "Indexed {} file{} of {} project{} in {} ({} page{} written)",
        summary.files,
        if summary.files == 1 { "" } else { "s" },
        summary.projects,
        if summary.projects == 1 { "" } else { "s" },
        summary.dir.display(),
        summary.written.len(),
        if summary.written.len() == 1 { "" } else { "s" },
    ));
    printer.detail(format!("took {:.0?}", start.elapsed()));
    Ok(ExitCode::SUCCESS)
}
