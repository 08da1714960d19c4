//! Changes to an environment that either happen completely or not at all, even across a
//! crash or `kill -9`.
//!
//! Each install, replacement or uninstall of one distribution is a transaction with a
//! directory `.wharf-tx-*` in site-packages. Before anything is touched, a journal is
//! written there listing the files that will be moved away (`old`: the previous version's
//! files, moved to `old/<i>`) and the files that will be created (`new`, with whether a
//! foreign file was already there; such a file is moved to `new/<j>` first). The commit
//! point is the file `committed`, written after the new distribution's RECORD (which the
//! installer writes last). Then the directory is deleted.
//!
//! Recovery ([`repair`]) is therefore mechanical: with `committed`, finish deleting; without
//! it, delete what `new` lists and was created, and move back everything in `old/` and
//! `new/`. The journal is enough to tell a created file from a file not yet moved away: a
//! `new` path covered by an `old` entry is ours only once `old/<i>` exists. A SIGKILL can
//! thus leave at most the one transaction in flight, which the next run rolls back.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::InstallError;
use crate::layout::normalize;

const JOURNAL: &str = "journal.json";
const COMMITTED: &str = "committed";
/// The prefix of transaction directories in site-packages.
pub(crate) const TRANSACTION_PREFIX: &str = ".wharf-tx-";

/// A file the transaction creates.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct NewPath {
    pub(crate) path: PathBuf,
    /// A file not belonging to the replaced distribution was there before.
    pub(crate) existed: bool,
}

/// What the transaction does, written before it does anything.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Journal {
    /// Directories never removed when cleaning up empty directories.
    pub(crate) roots: Vec<PathBuf>,
    /// Paths (files or directories) moved away, in order.
    pub(crate) old: Vec<PathBuf>,
    /// Files created.
    pub(crate) new: Vec<NewPath>,
}

impl Journal {
    /// Which `old` entry, if any, contains `path` (itself or an ancestor).
    fn old_covering(&self, index: &HashMap<&Path, usize>, path: &Path) -> Option<usize> {
        path.ancestors()
            .find_map(|ancestor| index.get(ancestor).copied())
    }
}

/// A transaction in progress.
#[derive(Debug)]
pub(crate) struct Transaction {
    dir: PathBuf,
    journal: Journal,
}

impl Transaction {
    /// Start a transaction in `site_packages`. `new` entries get their `existed` flag here.
    pub(crate) fn begin(
        site_packages: &Path,
        roots: Vec<PathBuf>,
        old: Vec<PathBuf>,
        new: Vec<PathBuf>,
    ) -> Result<Self, InstallError> {
        let old: Vec<PathBuf> = old
            .into_iter()
            .filter(|path| path.symlink_metadata().is_ok())
            .collect();
        let mut journal = Journal {
            roots,
            old,
            new: Vec::new(),
        };
        let index = old_index(&journal);
        let new = new
            .into_iter()
            .map(|path| {
                let existed = journal.old_covering(&index, &path).is_none()
                    && path.symlink_metadata().is_ok();
                NewPath { path, existed }
            })
            .collect();
        journal.new = new;
        fs_err::create_dir_all(site_packages)?;
        let dir = tempfile::Builder::new()
            .prefix(TRANSACTION_PREFIX)
            .tempdir_in(site_packages)
            .map_err(|err| {
                io::Error::new(
                    err.kind(),
                    format!(
                        "failed to create a transaction directory in {}: {err}",
                        site_packages.display()
                    ),
                )
            })?
            .keep();
        fs_err::create_dir(dir.join("old"))?;
        fs_err::create_dir(dir.join("new"))?;
        let json = serde_json::to_vec(&journal).map_err(|err| InstallError::Journal {
            path: dir.join(JOURNAL),
            message: err.to_string(),
        })?;
        // Written under another name and renamed, so a journal is never half there.
        let partial = dir.join("journal.partial");
        fs_err::write(&partial, json)?;
        fs_err::rename(&partial, dir.join(JOURNAL))?;
        Ok(Self { dir, journal })
    }

    /// The journal.
    pub(crate) fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Move every `old` path away. The first entry goes first: callers put the old
    /// `.dist-info` there, so an old distribution is never seen without its RECORD while
    /// its other files are missing.
    pub(crate) fn move_old(&self) -> Result<(), InstallError> {
        for (index, path) in self.journal.old.iter().enumerate() {
            if path.symlink_metadata().is_ok() {
                move_path(path, &self.dir.join("old").join(index.to_string()))?;
            }
        }
        Ok(())
    }

    /// Move a foreign file out of the way of `new[index]`, if there is one.
    pub(crate) fn stash_new(&self, index: usize) -> Result<(), InstallError> {
        let entry = &self.journal.new[index];
        if entry.existed && entry.path.symlink_metadata().is_ok() {
            move_path(&entry.path, &self.dir.join("new").join(index.to_string()))?;
        }
        Ok(())
    }

    /// Make the change permanent.
    pub(crate) fn commit(self) -> Result<(), InstallError> {
        fs_err::write(self.dir.join(COMMITTED), b"")?;
        finish_committed(&self.dir, &self.journal)
    }

    /// Undo everything; the environment is as it was before [`Self::begin`].
    pub(crate) fn rollback(self) -> Result<(), InstallError> {
        roll_back(&self.dir, &self.journal)
    }
}

fn old_index(journal: &Journal) -> HashMap<&Path, usize> {
    journal
        .old
        .iter()
        .enumerate()
        .map(|(index, path)| (path.as_path(), index))
        .collect()
}

fn finish_committed(dir: &Path, journal: &Journal) -> Result<(), InstallError> {
    remove_all(dir)?;
    remove_empty_parents(journal.old.iter().map(PathBuf::as_path), &journal.roots);
    Ok(())
}

fn roll_back(dir: &Path, journal: &Journal) -> Result<(), InstallError> {
    let index = old_index(journal);
    // Remove what this transaction created, and put back foreign files it moved.
    for (position, entry) in journal.new.iter().enumerate() {
        let stashed = dir.join("new").join(position.to_string());
        let ours = if entry.existed {
            stashed.symlink_metadata().is_ok()
        } else {
            match journal.old_covering(&index, &entry.path) {
                // Until the old file moved away, what is there is the old file.
                Some(old) => dir
                    .join("old")
                    .join(old.to_string())
                    .symlink_metadata()
                    .is_ok(),
                None => true,
            }
        };
        if ours {
            remove_file_if_exists(&entry.path)?;
        }
        if entry.existed && stashed.symlink_metadata().is_ok() {
            move_path(&stashed, &entry.path)?;
        }
    }
    remove_empty_parents(
        journal.new.iter().map(|entry| entry.path.as_path()),
        &journal.roots,
    );
    // Put the old distribution back, its .dist-info (first) last.
    for (position, path) in journal.old.iter().enumerate().rev() {
        let moved = dir.join("old").join(position.to_string());
        if moved.symlink_metadata().is_ok() {
            if let Some(parent) = path.parent() {
                fs_err::create_dir_all(parent)?;
            }
            if path.is_dir() && moved.is_dir() {
                // A directory the new files recreated (a reinstall of the same version).
                remove_all(path)?;
            }
            move_path(&moved, path)?;
        }
    }
    remove_all(dir)
}

/// Finish or undo every interrupted transaction left in `site_packages`.
pub(crate) fn repair_dir(site_packages: &Path) -> Result<Vec<PathBuf>, InstallError> {
    let mut repaired = Vec::new();
    let Ok(entries) = fs_err::read_dir(site_packages) else {
        return Ok(repaired);
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(TRANSACTION_PREFIX) {
            continue;
        }
        let dir = entry.path();
        let journal_path = dir.join(JOURNAL);
        if !journal_path.exists() {
            // Interrupted before the journal: nothing was touched yet.
            remove_all(&dir)?;
            repaired.push(dir);
            continue;
        }
        let journal: Journal =
            serde_json::from_slice(&fs_err::read(&journal_path)?).map_err(|err| {
                InstallError::Journal {
                    path: journal_path.clone(),
                    message: err.to_string(),
                }
            })?;
        if dir.join(COMMITTED).exists() {
            tracing::info!(
                "finishing an interrupted change recorded in {}",
                dir.display()
            );
            finish_committed(&dir, &journal)?;
        } else {
            tracing::info!(
                "rolling back an interrupted change recorded in {}",
                dir.display()
            );
            roll_back(&dir, &journal)?;
        }
        repaired.push(dir);
    }
    Ok(repaired)
}

/// Rename, or copy and delete when the destination is on another file system.
pub(crate) fn move_path(source: &Path, target: &Path) -> Result<(), InstallError> {
    match std::fs::rename(source, target) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::CrossesDevices => {
            copy_all(source, target)?;
            remove_all(source)
        }
        Err(err) => Err(io::Error::new(
            err.kind(),
            format!(
                "failed to move {} to {}: {err}",
                source.display(),
                target.display()
            ),
        )
        .into()),
    }
}

fn copy_all(source: &Path, target: &Path) -> Result<(), InstallError> {
    let metadata = fs_err::symlink_metadata(source)?;
    if metadata.is_dir() {
        fs_err::create_dir_all(target)?;
        for entry in fs_err::read_dir(source)? {
            let entry = entry?;
            copy_all(&entry.path(), &target.join(entry.file_name()))?;
        }
    } else if metadata.file_type().is_symlink() {
        let link = fs_err::read_link(source)?;
        #[cfg(unix)]
        fs_err::os::unix::fs::symlink(link, target)?;
        #[cfg(windows)]
        fs_err::os::windows::fs::symlink_file(link, target)?;
    } else {
        fs_err::copy(source, target)?;
    }
    Ok(())
}

pub(crate) fn remove_all(path: &Path) -> Result<(), InstallError> {
    match path.symlink_metadata() {
        Ok(metadata) if metadata.is_dir() => fs_err::remove_dir_all(path)?,
        Ok(_) => fs_err::remove_file(path)?,
        Err(_) => {}
    }
    Ok(())
}

fn remove_file_if_exists(path: &Path) -> Result<(), InstallError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(io::Error::new(
            err.kind(),
            format!("failed to remove {}: {err}", path.display()),
        )
        .into()),
    }
}

/// Remove the directories above `paths` that are now empty, deepest first, never a root
/// or anything outside the roots.
pub(crate) fn remove_empty_parents<'a>(paths: impl Iterator<Item = &'a Path>, roots: &[PathBuf]) {
    let roots: Vec<PathBuf> = roots.iter().map(|root| normalize(root)).collect();
    let mut candidates = BTreeSet::new();
    for path in paths {
        let path = normalize(path);
        for ancestor in path.ancestors().skip(1) {
            if roots.iter().any(|root| root == ancestor) {
                break;
            }
            if !roots.iter().any(|root| ancestor.starts_with(root)) {
                break;
            }
            candidates.insert(ancestor.to_path_buf());
        }
    }
    let mut candidates: Vec<PathBuf> = candidates.into_iter().collect();
    candidates.sort_by_key(|path| std::cmp::Reverse(path.components().count()));
    for dir in candidates {
        // Fails when not empty, which is the point.
        let _ = std::fs::remove_dir(&dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A kill at any moment of a replacement is undone by the journal: simulate the
    /// states a crash can leave and check that rollback restores the original.
    #[test]
    fn rollback_from_every_interrupted_state() {
        for steps in 0..=4 {
            let root = tempfile::tempdir().unwrap();
            let site = root.path().join("site");
            fs_err::create_dir_all(site.join("old-1.dist-info")).unwrap();
            fs_err::write(site.join("old-1.dist-info/RECORD"), "old record").unwrap();
            fs_err::create_dir_all(site.join("pkg")).unwrap();
            fs_err::write(site.join("pkg/a.py"), "old a").unwrap();
            fs_err::write(site.join("foreign.py"), "foreign").unwrap();
            let transaction = Transaction::begin(
                &site,
                vec![site.clone()],
                vec![site.join("old-1.dist-info"), site.join("pkg/a.py")],
                vec![
                    site.join("pkg/a.py"),
                    site.join("pkg/new/b.py"),
                    site.join("foreign.py"),
                ],
            )
            .unwrap();
            if steps >= 1 {
                transaction.move_old().unwrap();
            }
            if steps >= 2 {
                fs_err::write(site.join("pkg/a.py"), "new a").unwrap();
            }
            if steps >= 3 {
                fs_err::create_dir_all(site.join("pkg/new")).unwrap();
                fs_err::write(site.join("pkg/new/b.py"), "new b").unwrap();
            }
            if steps >= 4 {
                transaction.stash_new(2).unwrap();
                fs_err::write(site.join("foreign.py"), "new foreign").unwrap();
            }
            // A crash: the process is gone, only the directory remains.
            drop(transaction);
            assert_eq!(repair_dir(&site).unwrap().len(), 1, "steps {steps}");
            assert_eq!(
                fs_err::read_to_string(site.join("pkg/a.py")).unwrap(),
                "old a",
                "steps {steps}"
            );
            assert_eq!(
                fs_err::read_to_string(site.join("old-1.dist-info/RECORD")).unwrap(),
                "old record"
            );
            assert_eq!(
                fs_err::read_to_string(site.join("foreign.py")).unwrap(),
                "foreign"
            );
            assert!(!site.join("pkg/new").exists(), "steps {steps}");
            let left: Vec<_> = fs_err::read_dir(&site)
                .unwrap()
                .map(|entry| entry.unwrap().file_name())
                .collect();
            assert_eq!(left.len(), 3, "steps {steps}: {left:?}");
        }
    }

    #[test]
    fn committed_transaction_is_finished() {
        let root = tempfile::tempdir().unwrap();
        let site = root.path().join("site");
        fs_err::create_dir_all(site.join("pkg")).unwrap();
        fs_err::write(site.join("pkg/a.py"), "old").unwrap();
        let transaction = Transaction::begin(
            &site,
            vec![site.clone()],
            vec![site.join("pkg/a.py")],
            vec![],
        )
        .unwrap();
        transaction.move_old().unwrap();
        fs_err::write(transaction.dir.join(COMMITTED), "").unwrap();
        drop(transaction);
        repair_dir(&site).unwrap();
        assert!(!site.join("pkg").exists());
        assert_eq!(fs_err::read_dir(&site).unwrap().count(), 0);
    }
}
