//! `wharf build`: a PEP 517 frontend. By default builds the sdist, then the wheel from
//! the sdist, as `python -m build` does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use wharf_build::DistKind;
use wharf_cli::{BuildArgs, GlobalArgs};
use wharf_client::IndexClient;
use wharf_interpreter::PythonRequest;

use crate::builds::BuildSupport;
use crate::error::Hinted;
use crate::printer::Printer;
use crate::settings::{Context, FileIndexOptions, install_overrides};

pub(crate) async fn build(
    global: &GlobalArgs,
    args: BuildArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let overrides = install_overrides(&args.index, false, false, false, None);
    let context = Context::load(global, overrides)?;
    let source = match &args.source {
        Some(source) => source.clone(),
        None => std::env::current_dir()?,
    };
    if !source.exists() {
        return Err(Hinted::new(
            format!("{} does not exist", source.display()),
            "give a project directory (holding pyproject.toml or setup.py) or an sdist (.tar.gz)",
        )
        .into());
    }
    let source = fs_err::canonicalize(&source)?;
    let from_sdist = source.is_file();
    let out_dir = match &args.out_dir {
        Some(dir) => std::path::absolute(dir)?,
        None if from_sdist => source
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => source.join("dist"),
    };

    let interpreter = match &args.python {
        Some(request) => wharf_interpreter::find_interpreter(
            &request
                .parse::<PythonRequest>()
                .map_err(|err| anyhow::anyhow!("invalid --python value: {err}"))?,
            &context.cache,
        )?,
        None if args.build.no_isolation => {
            crate::settings::environment(&context, &wharf_cli::EnvironmentArgs::default())?
        }
        None => {
            match crate::settings::environment(&context, &wharf_cli::EnvironmentArgs::default()) {
                Ok(interpreter) => interpreter,
                Err(_) => wharf_interpreter::find_interpreter(&PythonRequest::Any, &context.cache)?,
            }
        }
    };
    printer.detail(format!(
        "Building with Python {} at {}",
        interpreter.version,
        interpreter.executable.display()
    ));
    let client = IndexClient::new(context.client_options(&FileIndexOptions::default())?)?;
    let builds = BuildSupport::new(
        &context,
        &client,
        &interpreter,
        Arc::new(interpreter.tags()?),
        &args.build,
        None,
        printer,
    )?;

    // What to build, and from what (python -m build's rules).
    let (want_sdist, want_wheel) = match (args.sdist, args.wheel) {
        (false, false) => (!from_sdist, true),
        (sdist, wheel) => (sdist, wheel),
    };
    if from_sdist && want_sdist {
        return Err(Hinted::new(
            format!("{} is already an sdist", source.display()),
            "drop --sdist to build a wheel from it",
        )
        .into());
    }
    let mut built: Vec<PathBuf> = Vec::new();
    let label = source.file_name().map_or_else(
        || source.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    if from_sdist {
        let wheel = wheel_from_sdist(&builds, &source, &out_dir).await?;
        built.push(wheel);
    } else if want_sdist && want_wheel && !args.sdist {
        // The default: sdist, then the wheel from the unpacked sdist.
        let sdist = builds
            .build_into(&label, &source, &out_dir, DistKind::Sdist)
            .await?;
        built.push(sdist.clone());
        let wheel = wheel_from_sdist(&builds, &sdist, &out_dir).await?;
        built.push(wheel);
    } else {
        if want_sdist {
            built.push(
                builds
                    .build_into(&label, &source, &out_dir, DistKind::Sdist)
                    .await?,
            );
        }
        if want_wheel {
            built.push(
                builds
                    .build_into(&label, &source, &out_dir, DistKind::Wheel)
                    .await?,
            );
        }
    }
    if args.json {
        let files: Vec<String> = built.iter().map(|p| p.display().to_string()).collect();
        printer.result(serde_json::to_string_pretty(
            &serde_json::json!({ "built": files }),
        )?);
    } else {
        for path in &built {
            printer.result(path.display().to_string());
        }
    }
    printer.status(printer.dim(&format!(
        "Built {} distribution{} in {}",
        built.len(),
        if built.len() == 1 { "" } else { "s" },
        crate::operations::elapsed(started)
    )));
    Ok(ExitCode::SUCCESS)
}

/// Unpack an sdist (refusing unsafe archives) and build its wheel into `out_dir`.
async fn wheel_from_sdist(
    builds: &Arc<BuildSupport>,
    sdist: &Path,
    out_dir: &Path,
) -> Result<PathBuf> {
    let label = sdist
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let scratch = crate::builds::source_scratch()?;
    let from = sdist.to_path_buf();
    let to = scratch.path().to_path_buf();
    let root = tokio::task::spawn_blocking(move || wharf_build::unpack_sdist(&from, &to))
        .await?
        .map_err(|err| crate::builds::build_failure(&label, err))
        .with_context(|| format!("cannot build a wheel from {}", sdist.display()))?;
    builds
        .build_into(&label, &root, out_dir, DistKind::Wheel)
        .await
}
