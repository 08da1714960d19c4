//! `wharf list`: installed packages as a table, freeze lines or JSON; `--outdated` asks
//! the index for newer versions.

use std::collections::BTreeMap;
use std::process::ExitCode;

use anyhow::Result;
use futures::StreamExt;
use wharf_cli::{GlobalArgs, ListArgs, ListFormat};
use wharf_client::IndexClient;
use wharf_filename::DistFilename;
use wharf_pep::Version;

use crate::commands::freeze::display_name;
use crate::environment;
use crate::printer::Printer;
use crate::settings::{Context, FileIndexOptions, index_overrides};

pub(crate) async fn list(
    global: &GlobalArgs,
    args: ListArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let context = Context::load(global, index_overrides(&args.index))?;
    let interpreter = crate::settings::environment(&context, &args.environment)?;
    let layout = environment::layout(&interpreter);
    let installed = environment::installed(&layout)?;
    let mut rows: Vec<(String, Version, Option<String>, bool)> = installed
        .values()
        .filter(|dist| !(args.exclude_editable && dist.editable))
        .map(|dist| {
            let location = dist
                .editable
                .then(|| dist.direct_url.as_ref().map(|direct| direct.url.clone()))
                .flatten();
            (
                display_name(dist),
                dist.version.clone(),
                location,
                dist.editable,
            )
        })
        .collect();
    rows.sort_by_key(|row| row.0.to_lowercase());
    let mut latest: BTreeMap<String, (Version, &'static str)> = BTreeMap::new();
    if args.outdated {
        let client = IndexClient::new(context.client_options(&FileIndexOptions::default())?)?;
        let tags = interpreter.tags()?;
        let python = interpreter.version.clone();
        let lookups = futures::stream::iter(installed.values().map(|dist| {
            let client = client.clone();
            let tags = &tags;
            let python = &python;
            async move {
                let files = client.project(&dist.name).await.ok()?;
                files
                    .files
                    .iter()
                    .filter(|file| file.yanked.is_none())
                    .filter(|file| {
                        file.requires_python
                            .as_ref()
                            .is_none_or(|spec| spec.contains(python))
                    })
                    .filter(|file| !file.filename.version().any_prerelease())
                    .filter_map(|file| match &file.filename {
                        DistFilename::Wheel(wheel) if wheel.is_compatible(tags) => {
                            Some((wheel.version.clone(), "wheel"))
                        }
                        DistFilename::Sdist(sdist) => Some((sdist.version.clone(), "sdist")),
                        DistFilename::Wheel(_) => None,
                    })
                    .max_by(|a, b| a.0.cmp(&b.0).then((a.1 == "wheel").cmp(&(b.1 == "wheel"))))
                    .map(|best| (dist.name.to_string(), best))
            }
        }))
        .buffer_unordered(32)
        .collect::<Vec<_>>()
        .await;
        for (name, best) in lookups.into_iter().flatten() {
            latest.insert(name, best);
        }
        rows.retain(|(name, version, ..)| {
            let key: String = name
                .parse::<wharf_pep::PackageName>()
                .map(|n| n.to_string())
                .unwrap_or_default();
            latest.get(&key).is_some_and(|(newest, _)| newest > version)
        });
    }
    let latest_of = |name: &str| {
        let key: String = name
            .parse::<wharf_pep::PackageName>()
            .map(|n| n.to_string())
            .unwrap_or_default();
        latest.get(&key).cloned()
    };
    match args.format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = rows
                .iter()
                .map(|(name, version, location, _)| {
                    let mut entry =
                        serde_json::json!({"name": name, "version": version.to_string()});
                    if let Some(location) = location {
                        entry["editable_project_location"] = location.clone().into();
                    }
                    if let Some((newest, kind)) = latest_of(name) {
                        entry["latest_version"] = newest.to_string().into();
                        entry["latest_filetype"] = kind.into();
                    }
                    entry
                })
                .collect();
            printer.result(serde_json::to_string(&list)?);
        }
        ListFormat::Freeze => {
            for (name, version, ..) in &rows {
                printer.result(format!("{name}=={version}"));
            }
        }
        ListFormat::Columns => {
            let mut table: Vec<Vec<String>> = Vec::new();
            if args.outdated {
                table.push(vec![
                    "Package".into(),
                    "Version".into(),
                    "Latest".into(),
                    "Type".into(),
                ]);
            } else {
                table.push(vec!["Package".into(), "Version".into()]);
            }
            for (name, version, location, _) in &rows {
                let mut row = vec![name.clone(), version.to_string()];
                if let Some((newest, kind)) = latest_of(name) {
                    row.push(newest.to_string());
                    row.push(kind.to_string());
                } else if let Some(location) = location {
                    row.push(location.clone());
                }
                table.push(row);
            }
            if rows.is_empty() {
                return Ok(ExitCode::SUCCESS);
            }
            let columns = table.iter().map(Vec::len).max().unwrap_or(0);
            let widths: Vec<usize> = (0..columns)
                .map(|column| {
                    table
                        .iter()
                        .filter_map(|row| row.get(column))
                        .map(String::len)
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let render = |row: &Vec<String>| {
                row.iter()
                    .enumerate()
                    .map(|(i, cell)| format!("{cell:<width$}", width = widths[i]))
                    .collect::<Vec<_>>()
                    .join(" ")
                    .trim_end()
                    .to_string()
            };
            printer.result(render(&table[0]));
            printer.result(
                widths
                    .iter()
                    .take(table[0].len())
                    .map(|w| "-".repeat(*w))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            for row in &table[1..] {
                printer.result(render(row));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
