//! Removing an installed distribution: exactly the files its RECORD lists (and the
//! bytecode Python wrote for them), as one transaction.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use wharf_metadata::Record;
use wharf_pep::{PackageName, Version};

use crate::layout::normalize;
use crate::site_packages::{DistKind, InstalledDist};
use crate::transaction::Transaction;
use crate::{InstallError, Layout};

/// What an uninstall removed.
#[derive(Debug, Clone)]
pub struct UninstallReport {
    /// The distribution's name.
    pub name: PackageName,
    /// The distribution's version.
    pub version: Version,
    /// Files and directories removed.
    pub removed: Vec<PathBuf>,
    /// Paths RECORD lists outside the environment, left alone (as pip does).
    pub outside: Vec<PathBuf>,
}

/// Uninstall `dist` from the environment `layout` describes.
pub fn uninstall(dist: &InstalledDist, layout: &Layout) -> Result<UninstallReport, InstallError> {
    let (paths, outside) = removal_paths(dist, layout)?;
    let site_packages = dist
        .dist_info
        .parent()
        .unwrap_or(&layout.purelib)
        .to_path_buf();
    let transaction = Transaction::begin(&site_packages, layout.fixed_roots(), paths, Vec::new())?;
    let removed = transaction.journal().old.clone();
    if let Err(err) = transaction.move_old() {
        if let Err(rollback) = transaction.rollback() {
            tracing::error!("failed to restore {} after an error: {rollback}", dist.name);
        }
        return Err(err);
    }
    transaction.commit()?;
    Ok(UninstallReport {
        name: dist.name.clone(),
        version: dist.version.clone(),
        removed,
        outside,
    })
}

/// The paths to remove for `dist`: its `.dist-info` first (so that it disappears from the
/// inventory before its files do), then its files and their bytecode. Also returns the
/// listed paths outside the environment.
pub(crate) fn removal_paths(
    dist: &InstalledDist,
    layout: &Layout,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), InstallError> {
    let record_path = dist.dist_info.join("RECORD");
    if dist.kind != DistKind::DistInfo || !record_path.is_file() {
        return Err(InstallError::NoRecord {
            name: dist.name.to_string(),
            installer: dist.installer.clone().unwrap_or_else(|| {
                "an unknown tool (perhaps distutils or the system package manager)".to_string()
            }),
        });
    }
    let record = Record::parse(&fs_err::read_to_string(&record_path)?).map_err(|source| {
        InstallError::Record {
            location: record_path.display().to_string(),
            source,
        }
    })?;
    let base = dist.dist_info.parent().unwrap_or(Path::new("."));
    let dist_info = normalize(&dist.dist_info);
    let roots = layout.roots();
    let mut seen = BTreeSet::new();
    let mut paths = vec![dist_info.clone()];
    let mut outside = Vec::new();
    let mut bytecode_dirs: HashMap<PathBuf, Vec<String>> = HashMap::new();
    for entry in &record.entries {
        let path = normalize(&base.join(&entry.path));
        if path.starts_with(&dist_info) {
            continue;
        }
        if !roots
            .iter()
            .any(|root| path.starts_with(root) && &path != root)
        {
            outside.push(path);
            continue;
        }
        if !seen.insert(path.clone()) {
            continue;
        }
        if path.extension().is_some_and(|extension| extension == "py")
            && let (Some(parent), Some(stem)) = (path.parent(), path.file_stem())
        {
            let cache = parent.join("__pycache__");
            let names = bytecode_dirs.entry(cache.clone()).or_insert_with(|| {
                std::fs::read_dir(&cache)
                    .map(|entries| {
                        entries
                            .flatten()
                            .map(|entry| entry.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_default()
            });
            let prefix = format!("{}.", stem.to_string_lossy());
            for name in names.iter() {
                if name.starts_with(&prefix) && name.ends_with(".pyc") {
                    let pyc = cache.join(name);
                    if seen.insert(pyc.clone()) {
                        paths.push(pyc);
                    }
                }
            }
        }
        paths.push(path);
    }
    Ok((paths, outside))
}
