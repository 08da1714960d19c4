//! The inventory of an environment: which distributions are installed, read from
//! `.dist-info` directories and legacy `.egg-info` / `.egg-link` entries, as pip sees them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use wharf_metadata::{CoreMetadata, DirectUrl};
use wharf_pep::{PackageName, Version};

use crate::transaction::{TRANSACTION_PREFIX, repair_dir};
use crate::{InstallError, Layout};

/// How a distribution is recorded in site-packages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistKind {
    /// A `.dist-info` directory (PEP 376): what wheels install.
    DistInfo,
    /// A `.egg-info` directory or file (setuptools, distutils, system packages).
    EggInfo,
    /// A legacy editable install: `.egg-link` pointing at a source tree's `.egg-info`.
    EggLink,
}

/// One installed distribution.
#[derive(Debug, Clone)]
pub struct InstalledDist {
    /// The normalized name.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// The `.dist-info` directory (or `.egg-info` directory or file).
    pub dist_info: PathBuf,
    /// The tool named in INSTALLER.
    pub installer: Option<String>,
    /// `direct_url.json`, for URL and path installs.
    pub direct_url: Option<DirectUrl>,
    /// REQUESTED is present: the user asked for it (not only a dependency).
    pub requested: bool,
    /// An editable install (PEP 610 `dir_info.editable`, or an `.egg-link`).
    pub editable: bool,
    /// How it is recorded.
    pub kind: DistKind,
}

impl InstalledDist {
    /// Read the distribution's core metadata.
    pub fn metadata(&self) -> Result<CoreMetadata, InstallError> {
        let path = self.metadata_path();
        let content = fs_err::read(&path)?;
        CoreMetadata::parse(&content).map_err(|source| InstallError::Metadata { path, source })
    }

    fn metadata_path(&self) -> PathBuf {
        match self.kind {
            DistKind::DistInfo => self.dist_info.join("METADATA"),
            _ if self.dist_info.is_dir() => self.dist_info.join("PKG-INFO"),
            _ => self.dist_info.clone(),
        }
    }
}

/// The distributions installed in an environment.
#[derive(Debug, Clone, Default)]
pub struct SitePackages {
    dists: Vec<InstalledDist>,
    by_name: HashMap<PackageName, usize>,
    interrupted: Vec<PathBuf>,
}

impl SitePackages {
    /// Read the given site-packages directories (missing ones are empty). When a name
    /// appears twice, the first directory wins, as on `sys.path`.
    pub fn read(dirs: &[PathBuf]) -> Result<Self, InstallError> {
        let mut site = Self::default();
        let mut seen_dirs = Vec::new();
        for dir in dirs {
            if seen_dirs.contains(dir) {
                continue;
            }
            seen_dirs.push(dir.clone());
            let Ok(entries) = fs_err::read_dir(dir) else {
                continue;
            };
            let mut found = Vec::new();
            for entry in entries {
                let entry = entry?;
                let file_name = entry.file_name().to_string_lossy().into_owned();
                let path = entry.path();
                if file_name.starts_with(TRANSACTION_PREFIX) {
                    site.interrupted.push(path);
                    continue;
                }
                let dist = if file_name.ends_with(".dist-info") && path.is_dir() {
                    read_dist_info(&path, &file_name)
                } else if file_name.ends_with(".egg-info") {
                    read_egg_info(&path, &file_name).map(Some)
                } else if file_name.ends_with(".egg-link") {
                    read_egg_link(&path)
                } else {
                    continue;
                };
                match dist {
                    Ok(Some(dist)) => found.push(dist),
                    Ok(None) => {}
                    Err(err) => tracing::warn!("skipping {}: {err}", path.display()),
                }
            }
            found.sort_by(|a, b| a.name.cmp(&b.name).then(a.version.cmp(&b.version)));
            for dist in found {
                if site.by_name.contains_key(&dist.name) {
                    tracing::debug!(
                        "{} is shadowed by an earlier entry on the path",
                        dist.dist_info.display()
                    );
                    continue;
                }
                site.by_name.insert(dist.name.clone(), site.dists.len());
                site.dists.push(dist);
            }
        }
        site.dists.sort_by(|a, b| a.name.cmp(&b.name));
        site.by_name = site
            .dists
            .iter()
            .enumerate()
            .map(|(index, dist)| (dist.name.clone(), index))
            .collect();
        Ok(site)
    }

    /// Read an environment's site-packages directories.
    pub fn for_layout(layout: &Layout) -> Result<Self, InstallError> {
        Self::read(&layout.site_packages())
    }

    /// Every distribution, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &InstalledDist> {
        self.dists.iter()
    }

    /// The distribution with this name.
    pub fn get(&self, name: &PackageName) -> Option<&InstalledDist> {
        self.by_name.get(name).map(|&index| &self.dists[index])
    }

    /// The number of distributions.
    pub fn len(&self) -> usize {
        self.dists.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.dists.is_empty()
    }

    /// Transactions left by an interrupted wharf (a crash or `kill -9`); [`repair`] them
    /// before changing the environment.
    pub fn interrupted(&self) -> &[PathBuf] {
        &self.interrupted
    }
}

/// Finish or roll back every install, replacement or uninstall an interrupted wharf left
/// in the environment, so that each distribution is either completely in its old or
/// completely in its new state. Returns the transaction directories handled.
pub fn repair(layout: &Layout) -> Result<Vec<PathBuf>, InstallError> {
    let mut repaired = Vec::new();
    for dir in layout.site_packages() {
        repaired.extend(repair_dir(&dir)?);
    }
    Ok(repaired)
}

fn invalid(path: &Path, message: impl Into<String>) -> InstallError {
    InstallError::InvalidDist {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Name and version from METADATA / PKG-INFO, when the directory name is not enough.
fn name_version_from_metadata(path: &Path) -> Result<(PackageName, Version), InstallError> {
    let content = fs_err::read(path)?;
    let metadata = CoreMetadata::parse(&content).map_err(|source| InstallError::Metadata {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((metadata.name, metadata.version))
}

fn read_dist_info(path: &Path, file_name: &str) -> Result<Option<InstalledDist>, InstallError> {
    let metadata = path.join("METADATA");
    if !metadata.is_file() {
        // Not a distribution Python's importlib.metadata would report either.
        return Ok(None);
    }
    let stem = file_name.trim_end_matches(".dist-info");
    let parsed = stem.rsplit_once('-').and_then(|(name, version)| {
        Some((
            PackageName::from_str(name).ok()?,
            Version::from_str(version).ok()?,
        ))
    });
    let (name, version) = match parsed {
        Some(parsed) => parsed,
        None => name_version_from_metadata(&metadata)?,
    };
    let installer = std::fs::read_to_string(path.join("INSTALLER"))
        .ok()
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty());
    let direct_url = match std::fs::read_to_string(path.join("direct_url.json")) {
        Ok(text) => match DirectUrl::parse(&text) {
            Ok(direct_url) => Some(direct_url),
            Err(err) => {
                tracing::warn!("ignoring invalid {}/direct_url.json: {err}", path.display());
                None
            }
        },
        Err(_) => None,
    };
    Ok(Some(InstalledDist {
        name,
        version,
        dist_info: path.to_path_buf(),
        installer,
        editable: direct_url.as_ref().is_some_and(DirectUrl::is_editable),
        direct_url,
        requested: path.join("REQUESTED").exists(),
        kind: DistKind::DistInfo,
    }))
}

/// `name-version(-pyX.Y(-platform)?).egg-info`, a directory or a PKG-INFO-format file.
fn read_egg_info(path: &Path, file_name: &str) -> Result<InstalledDist, InstallError> {
    let stem = file_name.trim_end_matches(".egg-info");
    let mut parts = stem.split('-');
    let parsed = match (parts.next(), parts.next()) {
        (Some(name), Some(version)) => PackageName::from_str(name)
            .ok()
            .zip(Version::from_str(version).ok()),
        _ => None,
    };
    let (name, version) = match parsed {
        Some(parsed) => parsed,
        None => {
            let metadata = if path.is_dir() {
                path.join("PKG-INFO")
            } else {
                path.to_path_buf()
            };
            name_version_from_metadata(&metadata)
                .map_err(|err| invalid(path, format!("no name and version: {err}")))?
        }
    };
    let installer = std::fs::read_to_string(path.join("INSTALLER"))
        .ok()
        .map(|text| text.trim().to_string())
        .filter(|text| !text.is_empty());
    Ok(InstalledDist {
        name,
        version,
        dist_info: path.to_path_buf(),
        installer,
        direct_url: None,
        requested: false,
        editable: false,
        kind: DistKind::EggInfo,
    })
}

/// A `.egg-link` file: its first line is the source directory holding the `.egg-info`.
fn read_egg_link(path: &Path) -> Result<Option<InstalledDist>, InstallError> {
    let content = fs_err::read_to_string(path)?;
    let Some(source) = content
        .lines()
        .next()
        .map(str::trim)
        .filter(|line| !line.is_empty())
    else {
        return Err(invalid(path, "the file names no source directory"));
    };
    let source = path.parent().unwrap_or(Path::new(".")).join(source);
    let Ok(entries) = fs_err::read_dir(&source) else {
        return Err(invalid(
            path,
            format!("its source directory {} is missing", source.display()),
        ));
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.ends_with(".egg-info") {
            let pkg_info = entry.path().join("PKG-INFO");
            let (name, version) = name_version_from_metadata(&pkg_info)?;
            return Ok(Some(InstalledDist {
                name,
                version,
                dist_info: entry.path(),
                installer: None,
                direct_url: None,
                requested: false,
                editable: true,
                kind: DistKind::EggLink,
            }));
        }
    }
    Err(invalid(
        path,
        format!("no .egg-info directory in {}", source.display()),
    ))
}
