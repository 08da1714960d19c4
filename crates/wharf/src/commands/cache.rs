//! `wharf cache dir|clean|prune|size`.

use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{CacheCommand, GlobalArgs};

use crate::printer::Printer;
use crate::settings::Context;

pub(crate) fn cache(
    global: &GlobalArgs,
    command: CacheCommand,
    printer: &Printer,
) -> Result<ExitCode> {
    let context = Context::load(global, Vec::new())?;
    let cache = &context.cache;
    match command {
        CacheCommand::Dir => printer.result(cache.root().display().to_string()),
        CacheCommand::Clean => {
            let freed = cache.clean()?;
            printer.status(format!(
                "Removed {} from {}",
                human_bytes(freed),
                cache.root().display()
            ));
        }
        CacheCommand::Prune => {
            let mut removed = cache.prune()?;
            // Bundle extractions unused for two weeks, here and under $WHARF_ROOT.
            let unused = std::time::Duration::from_secs(14 * 86_400);
            let mut roots = vec![cache.root().join(wharf_cache::Bucket::Bundles.dir_name())];
            if let Some(root) = std::env::var_os("WHARF_ROOT").filter(|root| !root.is_empty()) {
                roots.push(root.into());
            }
            for root in roots {
                removed += wharf_bundle::prune_extractions(&root, unused)?;
            }
            printer.status(format!(
                "Removed {removed} stale entr{} from {}",
                if removed == 1 { "y" } else { "ies" },
                cache.root().display()
            ));
        }
        CacheCommand::Size { bytes } => {
            let size = cache.size()?;
            printer.result(if bytes {
                size.to_string()
            } else {
                human_bytes(size)
            });
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// "1.5 MiB".
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
