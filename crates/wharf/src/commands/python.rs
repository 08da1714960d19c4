//! `wharf python find|list`.

use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{GlobalArgs, PythonCommand};
use wharf_interpreter::PythonRequest;

use crate::printer::Printer;
use crate::settings::Context;

pub(crate) fn python(
    global: &GlobalArgs,
    command: PythonCommand,
    printer: &Printer,
) -> Result<ExitCode> {
    let context = Context::load(global, Vec::new())?;
    match command {
        PythonCommand::Find { request } => {
            let request = match request {
                Some(text) => text
                    .parse::<PythonRequest>()
                    .map_err(|err| anyhow::anyhow!("{err}"))?,
                None => PythonRequest::Any,
            };
            let interpreter = wharf_interpreter::find_interpreter(&request, &context.cache)?;
            printer.result(interpreter.executable.display().to_string());
        }
        PythonCommand::List { json } => {
            let mut rows = Vec::new();
            for interpreter in wharf_interpreter::discover_all(&context.cache) {
                match interpreter {
                    Ok(interpreter) => rows.push(interpreter),
                    Err(err) => printer.detail(format!("skipped: {err}")),
                }
            }
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|i| {
                        serde_json::json!({
                            "implementation": i.implementation_name,
                            "version": i.version.to_string(),
                            "path": i.executable,
                            "virtualenv": i.is_virtualenv,
                        })
                    })
                    .collect();
                printer.result(serde_json::to_string_pretty(&list)?);
            } else {
                for i in rows {
                    printer.result(format!(
                        "{}-{}  {}",
                        i.implementation_name,
                        i.version,
                        i.executable.display()
                    ));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
