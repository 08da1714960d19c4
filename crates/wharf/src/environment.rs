//! The environment a command changes or reads: its install layout and what is installed.

use std::collections::BTreeMap;

use anyhow::{Context as _, Result};
use wharf_installer::{InstalledDist, Layout, SitePackages};
use wharf_interpreter::Interpreter;
use wharf_pep::PackageName;

use crate::error::Hinted;

/// Where an interpreter's environment installs things.
pub(crate) fn layout(interpreter: &Interpreter) -> Layout {
    Layout {
        purelib: interpreter.scheme.purelib.clone(),
        platlib: interpreter.scheme.platlib.clone(),
        scripts: interpreter.scheme.scripts.clone(),
        data: interpreter.scheme.data.clone(),
        include: interpreter.scheme.include.clone(),
        python_executable: interpreter.executable.clone(),
        python_version: interpreter.python_version,
    }
}

/// Hold the environment for a command that changes it, and finish or roll back what an
/// interrupted earlier run (`kill -9`) left. Released when dropped.
pub(crate) fn lock(
    layout: &Layout,
    printer: &crate::printer::Printer,
) -> Result<wharf_cache::LockedFile> {
    // `data` is the environment's root (the venv prefix, or the --target directory).
    fs_err::create_dir_all(&layout.data)?;
    let lock = wharf_cache::LockedFile::acquire(layout.data.join(".wharf.lock"))
        .context("failed to lock the environment")?;
    let repaired =
        wharf_installer::repair(layout).context("failed to repair an interrupted install")?;
    for path in repaired {
        printer.warn(format!(
            "recovered from an interrupted install: {}",
            path.display()
        ));
    }
    Ok(lock)
}

/// What is installed, by project.
pub(crate) fn installed(layout: &Layout) -> Result<BTreeMap<PackageName, InstalledDist>> {
    let site_packages = SitePackages::read(&layout.site_packages())
        .context("failed to read the installed packages")?;
    Ok(site_packages
        .iter()
        .map(|dist| (dist.name.clone(), dist.clone()))
        .collect())
}

/// Refuse to change an externally managed interpreter (PEP 668) unless asked.
pub(crate) fn check_externally_managed(interpreter: &Interpreter, allow: bool) -> Result<()> {
    if let Some(message) = &interpreter.externally_managed
        && !allow
    {
        let detail = if message.trim().is_empty() {
            String::new()
        } else {
            format!(":\n{}", message.trim())
        };
        return Err(Hinted::new(
                format!(
                    "{} is externally managed (PEP 668){detail}",
                    interpreter.executable.display()
                ),
                "create a virtual environment with `wharf venv` and install there, or pass --break-system-packages",
            )
            .into());
    }
    Ok(())
}
