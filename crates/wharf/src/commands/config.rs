//! `wharf config`: the effective settings and where each came from.

use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{ConfigArgs, GlobalArgs};

use crate::printer::Printer;
use crate::settings::{Context, mask};

pub(crate) fn config(global: &GlobalArgs, args: ConfigArgs, printer: &Printer) -> Result<ExitCode> {
    let context = Context::load(global, Vec::new())?;
    let settings = &context.settings;
    let show = |value: &wharf_config::Value| match value {
        wharf_config::Value::String(text) => mask(text),
        wharf_config::Value::List(items) => {
            format!(
                "[{}]",
                items
                    .iter()
                    .map(|item| mask(item))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        wharf_config::Value::Bool(flag) => flag.to_string(),
    };
    if args.json {
        let mut entries = serde_json::Map::new();
        for (key, value) in settings.entries() {
            let value = match value {
                Some((value, source)) => {
                    let value = match value {
                        wharf_config::Value::List(items) => serde_json::Value::from(
                            items.iter().map(|item| mask(item)).collect::<Vec<_>>(),
                        ),
                        wharf_config::Value::Bool(flag) => serde_json::Value::from(*flag),
                        other => serde_json::Value::from(show(other)),
                    };
                    serde_json::json!({ "value": value, "source": source.to_string() })
                }
                None => serde_json::json!({ "value": null, "source": "default" }),
            };
            entries.insert(key.name.to_string(), value);
        }
        entries.insert(
            "cache-dir (effective)".into(),
            context.cache.root().display().to_string().into(),
        );
        printer.result(serde_json::to_string_pretty(&entries)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (key, value) in settings.entries() {
        match value {
            Some((value, source)) => {
                printer.result(format!("{} = {}  # {source}", key.name, show(value)))
            }
            None => printer.result(printer.dim(&format!("# {} (unset): {}", key.name, key.help))),
        }
    }
    printer.result(format!("# cache: {}", context.cache.root().display()));
    if settings.files.is_empty() {
        printer.result("# no configuration file found");
    }
    for file in &settings.files {
        printer.result(format!("# read {}", file.display()));
    }
    Ok(ExitCode::SUCCESS)
}
