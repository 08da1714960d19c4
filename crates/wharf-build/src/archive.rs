//! Unpacking sdists without trusting them: no absolute paths, no `..`, no links that lead
//! out of the tree, no device files. An sdist that breaks a rule is refused whole.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use wharf_metadata::archive_path::{link_stays_inside, unsafe_reason};

use crate::BuildError;

/// Unpack an sdist (`.tar.gz`, `.tgz`, `.tar` or `.zip`) into `dest` (an empty directory)
/// and return the project root inside it (the single top-level directory, by convention
/// `{name}-{version}`).
pub fn unpack_sdist(archive: &Path, dest: &Path) -> Result<PathBuf, BuildError> {
    let name = archive
        .file_name()
        .map(|name| name.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".zip") {
        unpack_zip(archive, dest)?;
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        let file = fs_err::File::open(archive)?;
        unpack_tar(archive, flate2::read::GzDecoder::new(file), dest)?;
    } else if name.ends_with(".tar") {
        unpack_tar(archive, fs_err::File::open(archive)?, dest)?;
    } else {
        return Err(BuildError::InvalidArchive {
            path: archive.to_path_buf(),
            message: "not a .tar.gz or .zip source distribution".to_string(),
        });
    }
    project_root(archive, dest)
}

fn project_root(archive: &Path, dest: &Path) -> Result<PathBuf, BuildError> {
    let entries: Vec<_> = fs_err::read_dir(dest)?.collect::<Result<_, _>>()?;
    match entries.as_slice() {
        [single] if single.file_type()?.is_dir() => Ok(single.path()),
        [] => Err(BuildError::InvalidArchive {
            path: archive.to_path_buf(),
            message: "the archive is empty".to_string(),
        }),
        _ => Ok(dest.to_path_buf()),
    }
}

/// The archive member's path, checked with the shared archive rules
/// ([`wharf_metadata::archive_path`]); `None` for the archive's root itself (`./`).
fn checked_path(archive: &Path, raw: &Path) -> Result<Option<PathBuf>, BuildError> {
    let text = raw.to_string_lossy();
    let mut relative: &str = &text;
    while let Some(rest) = relative.strip_prefix("./") {
        relative = rest;
    }
    if relative.is_empty() || relative == "." {
        return Ok(None);
    }
    if let Some(reason) = unsafe_reason(relative) {
        return Err(BuildError::UnsafeArchive {
            path: archive.to_path_buf(),
            message: format!(
                "the member `{}` {reason}; such a path climbs out of the tree or is not portable",
                raw.display()
            ),
        });
    }
    Ok(Some(
        Path::new(relative)
            .components()
            .filter(|component| matches!(component, Component::Normal(_)))
            .collect(),
    ))
}

fn unpack_tar(archive: &Path, reader: impl Read, dest: &Path) -> Result<(), BuildError> {
    let invalid = |err: std::io::Error| BuildError::InvalidArchive {
        path: archive.to_path_buf(),
        message: err.to_string(),
    };
    let mut tar = tar::Archive::new(reader);
    let mut symlinks = Vec::new();
    let mut hardlinks = Vec::new();
    for entry in tar.entries().map_err(invalid)? {
        let mut entry = entry.map_err(invalid)?;
        let raw = entry.path().map_err(invalid)?.into_owned();
        let kind = entry.header().entry_type();
        if matches!(
            kind,
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader
        ) {
            continue;
        }
        let Some(path) = checked_path(archive, &raw)? else {
            continue;
        };
        let out = dest.join(&path);
        match kind {
            tar::EntryType::Directory => fs_err::create_dir_all(&out)?,
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                if let Some(parent) = out.parent() {
                    fs_err::create_dir_all(parent)?;
                }
                let mode = entry.header().mode().unwrap_or(0o644);
                let mut file = fs_err::File::create(&out)?;
                std::io::copy(&mut entry, &mut file).map_err(invalid)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
                    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
                }
                #[cfg(not(unix))]
                let _ = mode;
            }
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name()
                    .map_err(invalid)?
                    .ok_or_else(|| BuildError::InvalidArchive {
                        path: archive.to_path_buf(),
                        message: format!("the symlink `{}` has no target", raw.display()),
                    })?
                    .into_owned();
                if !link_stays_inside(&path.to_string_lossy(), &target.to_string_lossy(), 0) {
                    return Err(BuildError::UnsafeArchive {
                        path: archive.to_path_buf(),
                        message: format!(
                            "the symlink `{}` points out of the tree (to `{}`)",
                            raw.display(),
                            target.display()
                        ),
                    });
                }
                symlinks.push((path, target));
            }
            tar::EntryType::Link => {
                let target = entry
                    .link_name()
                    .map_err(invalid)?
                    .map(|target| checked_path(archive, &target))
                    .transpose()?
                    .flatten()
                    .ok_or_else(|| BuildError::InvalidArchive {
                        path: archive.to_path_buf(),
                        message: format!("the hard link `{}` has no target", raw.display()),
                    })?;
                hardlinks.push((path, target));
            }
            other => {
                return Err(BuildError::UnsafeArchive {
                    path: archive.to_path_buf(),
                    message: format!(
                        "the member `{}` is a {other:?} entry, which sdists must not contain",
                        raw.display()
                    ),
                });
            }
        }
    }
    // Hard links become copies of files already unpacked (never of anything outside).
    for (path, target) in hardlinks {
        let source = dest.join(&target);
        if !fs_err::symlink_metadata(&source).is_ok_and(|meta| meta.is_file()) {
            return Err(BuildError::UnsafeArchive {
                path: archive.to_path_buf(),
                message: format!(
                    "the hard link `{}` points to `{}`, which is not a file in the archive",
                    path.display(),
                    target.display()
                ),
            });
        }
        let out = dest.join(&path);
        if let Some(parent) = out.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::copy(&source, &out)?;
    }
    // Symlinks last, so nothing is ever written through one; then each must resolve
    // inside the tree even through other links.
    let root = fs_err::canonicalize(dest)?;
    for (path, target) in &symlinks {
        let out = dest.join(path);
        if let Some(parent) = out.parent() {
            fs_err::create_dir_all(parent)?;
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(target, &out)?;
        #[cfg(not(unix))]
        let _ = target;
    }
    for (path, target) in &symlinks {
        if let Ok(resolved) = fs_err::canonicalize(dest.join(path))
            && !resolved.starts_with(&root)
        {
            return Err(BuildError::UnsafeArchive {
                path: archive.to_path_buf(),
                message: format!(
                    "the symlink `{}` resolves out of the tree (to `{}`)",
                    path.display(),
                    target.display()
                ),
            });
        }
    }
    Ok(())
}

fn unpack_zip(archive: &Path, dest: &Path) -> Result<(), BuildError> {
    let invalid = |message: String| BuildError::InvalidArchive {
        path: archive.to_path_buf(),
        message,
    };
    let file = fs_err::File::open(archive)?;
    let mut zip = zip::ZipArchive::new(file).map_err(|err| invalid(err.to_string()))?;
    for index in 0..zip.len() {
        let mut entry = zip
            .by_index(index)
            .map_err(|err| invalid(err.to_string()))?;
        let raw = PathBuf::from(
            entry
                .name()
                .map_err(|err| invalid(err.to_string()))?
                .into_owned(),
        );
        let Some(path) = checked_path(archive, &raw)? else {
            continue;
        };
        if entry.is_symlink() {
            return Err(BuildError::UnsafeArchive {
                path: archive.to_path_buf(),
                message: format!("the member `{}` is a symlink", raw.display()),
            });
        }
        let out = dest.join(&path);
        if entry.is_dir() {
            fs_err::create_dir_all(&out)?;
            continue;
        }
        if let Some(parent) = out.parent() {
            fs_err::create_dir_all(parent)?;
        }
        let mut file = fs_err::File::create(&out)?;
        std::io::copy(&mut entry, &mut file).map_err(|err| invalid(err.to_string()))?;
        #[cfg(unix)]
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            let mode = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_gz(dir: &Path, build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> PathBuf {
        let mut builder = tar::Builder::new(Vec::new());
        build(&mut builder);
        let data = builder.into_inner().unwrap();
        let path = dir.join("demo-1.0.tar.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, &data).unwrap();
        fs_err::write(&path, encoder.finish().unwrap()).unwrap();
        path
    }

    fn file(builder: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // `set_path` refuses `..`, so write the raw name as a hostile archive would.
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_cksum();
        builder.append(&header, data).unwrap();
    }

    fn symlink(builder: &mut tar::Builder<Vec<u8>>, path: &str, target: &str) {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        let link = &mut header.as_old_mut().linkname;
        link[..target.len()].copy_from_slice(target.as_bytes());
        header.set_cksum();
        builder.append(&header, std::io::empty()).unwrap();
    }

    #[test]
    fn unpacks_a_plain_sdist() {
        let dir = tempfile::tempdir().unwrap();
        let archive = tar_gz(dir.path(), |b| {
            file(b, "demo-1.0/pyproject.toml", b"[project]\n");
            file(b, "demo-1.0/src/demo/__init__.py", b"");
            symlink(b, "demo-1.0/README", "src/demo/__init__.py");
        });
        let dest = dir.path().join("out");
        fs_err::create_dir(&dest).unwrap();
        let root = unpack_sdist(&archive, &dest).unwrap();
        assert_eq!(root, dest.join("demo-1.0"));
        assert!(root.join("src/demo/__init__.py").is_file());
    }

    #[test]
    fn accepts_members_written_with_dot_slash() {
        let dir = tempfile::tempdir().unwrap();
        let archive = tar_gz(dir.path(), |b| {
            file(b, "./demo-1.0/pyproject.toml", b"[project]\n");
            file(b, "./demo-1.0/demo.py", b"");
        });
        let dest = dir.path().join("out");
        fs_err::create_dir(&dest).unwrap();
        let root = unpack_sdist(&archive, &dest).unwrap();
        assert!(root.join("demo.py").is_file());
    }

    #[test]
    fn refuses_parent_paths() {
        let dir = tempfile::tempdir().unwrap();
        let archive = tar_gz(dir.path(), |b| file(b, "demo-1.0/../../evil", b"x"));
        let dest = dir.path().join("out");
        fs_err::create_dir(&dest).unwrap();
        let err = unpack_sdist(&archive, &dest).unwrap_err();
        assert!(err.to_string().contains("climbs out"), "{err}");
        assert!(!dir.path().join("evil").exists());
    }

    #[test]
    fn refuses_symlinks_out_of_the_tree() {
        let dir = tempfile::tempdir().unwrap();
        for target in ["../../../etc/passwd", "/etc/passwd"] {
            let archive = tar_gz(dir.path(), |b| symlink(b, "demo-1.0/link", target));
            let dest = tempfile::tempdir_in(dir.path()).unwrap();
            let err = unpack_sdist(&archive, dest.path()).unwrap_err();
            assert!(err.to_string().contains("points out of the tree"), "{err}");
        }
    }

    #[test]
    fn refuses_links_that_escape_through_other_links() {
        let dir = tempfile::tempdir().unwrap();
        let archive = tar_gz(dir.path(), |b| {
            file(b, "demo-1.0/p/keep", b"");
            symlink(b, "demo-1.0/p/q", "..");
            symlink(b, "demo-1.0/a", "p/q/../..");
        });
        let dest = dir.path().join("out");
        fs_err::create_dir(&dest).unwrap();
        let err = unpack_sdist(&archive, &dest).unwrap_err();
        assert!(err.to_string().contains("out of the tree"), "{err}");
    }
}
