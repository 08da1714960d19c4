//! `wharf venv`: create a PEP 405 virtual environment, optionally with pip.

use std::process::ExitCode;

use anyhow::{Context as _, Result};
use wharf_cli::{GlobalArgs, VenvArgs};
use wharf_config::Value;
use wharf_interpreter::PythonRequest;
use wharf_venv::VenvOptions;

use crate::environment;
use crate::printer::Printer;
use crate::settings::Context;

pub(crate) async fn venv(
    global: &GlobalArgs,
    args: VenvArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let mut overrides = Vec::new();
    if let Some(python) = &args.python {
        overrides.push(("python", Value::String(python.clone())));
    }
    let context = Context::load(global, overrides)?;
    let request = match context.settings.string("python") {
        Some(text) => text
            .parse::<PythonRequest>()
            .map_err(|err| anyhow::anyhow!("invalid --python value `{text}`: {err}"))?,
        None => PythonRequest::Any,
    };
    let base = wharf_interpreter::find_interpreter(&request, &context.cache)?;
    printer.status(format!(
        "Using {} {} at {}",
        display_implementation(&base.implementation_name),
        base.version,
        base.executable.display()
    ));
    let options = VenvOptions {
        prompt: args.prompt.clone(),
        system_site_packages: args.system_site_packages,
        clear: args.clear,
        allow_existing: args.allow_existing,
        ..VenvOptions::default()
    };
    let venv = wharf_venv::create_venv(&args.path, &base, &options)?;
    // The description is exact (tested against the probe): cache it so that the first
    // command on the new environment does not have to start Python.
    if let Err(err) = venv.interpreter.remember(&context.cache) {
        tracing::debug!("could not cache the new environment's description: {err}");
    }
    printer.status(format!(
        "Created virtual environment at {}",
        args.path.display()
    ));
    if args.seed {
        let wheel = wharf_venv::bundled_pip_wheel(&base).with_context(|| {
            format!(
                "{} has no bundled pip wheel (ensurepip) to seed the environment with",
                base.executable.display()
            )
        })?;
        let layout = environment::layout(&venv.interpreter);
        let cache = context.cache.clone();
        let installed = tokio::task::spawn_blocking(move || -> Result<_> {
            let unpacked = wharf_installer::unpack_wheel(&cache, &wheel, None)?;
            let options = wharf_installer::InstallOptions {
                requested: true,
                ..wharf_installer::InstallOptions::default()
            };
            Ok(wharf_installer::install_wheel(
                &unpacked, &layout, &options,
            )?)
        })
        .await??;
        printer.status(format!(
            " {} {}=={}",
            printer.added("+"),
            installed.name,
            installed.version
        ));
    }
    printer.status(format!(
        "Activate with: source {}/bin/activate",
        args.path.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn display_implementation(name: &str) -> &str {
    match name {
        "cpython" => "CPython",
        "pypy" => "PyPy",
        "graalpy" => "GraalPy",
        other => other,
    }
}
