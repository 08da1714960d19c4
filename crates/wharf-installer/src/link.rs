//! Putting a cached file at its place in an environment: a copy-on-write clone, a hard
//! link, a copy or a symbolic link. The first method that fails for a reason that will
//! not change (another file system, no reflink support) is not tried again for the rest
//! of the install, so a large wheel pays for at most one failed attempt.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};

/// How files get from the cache into an environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LinkMode {
    /// Reflink (copy-on-write) when the file system supports it, else hardlink, else copy.
    #[default]
    Clone,
    /// Hardlink, else copy (across file systems).
    Hardlink,
    /// Always copy.
    Copy,
    /// Symbolic links into the cache (the environment breaks if the cache is cleaned).
    Symlink,
}

const TRY_REFLINK: u8 = 0;
const TRY_HARDLINK: u8 = 1;
const COPY: u8 = 2;

/// Links files with one [`LinkMode`], remembering which method works.
#[derive(Debug)]
pub(crate) struct Linker {
    mode: LinkMode,
    state: AtomicU8,
}

impl Linker {
    pub(crate) fn new(mode: LinkMode) -> Self {
        let state = match mode {
            LinkMode::Clone => TRY_REFLINK,
            LinkMode::Hardlink => TRY_HARDLINK,
            LinkMode::Copy | LinkMode::Symlink => COPY,
        };
        Self {
            mode,
            state: AtomicU8::new(state),
        }
    }

    /// Make `target` (which must not exist) have `source`'s content and permissions.
    pub(crate) fn link(&self, source: &Path, target: &Path) -> io::Result<()> {
        if self.mode == LinkMode::Symlink {
            return symlink(source, target).map_err(|err| context(err, "symlink", source, target));
        }
        if self.state.load(Ordering::Relaxed) == TRY_REFLINK {
            match reflink_copy::reflink(source, target) {
                Ok(()) => return Ok(()),
                Err(err) if err.kind() == io::ErrorKind::NotFound => {
                    return Err(context(err, "clone", source, target));
                }
                Err(err) => {
                    tracing::debug!("reflink not available ({err}), falling back to hardlinks");
                    let _ = self.state.compare_exchange(
                        TRY_REFLINK,
                        TRY_HARDLINK,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                }
            }
        }
        if self.state.load(Ordering::Relaxed) == TRY_HARDLINK {
            match std::fs::hard_link(source, target) {
                Ok(()) => return Ok(()),
                Err(err) if err.kind() == io::ErrorKind::CrossesDevices => {
                    tracing::debug!("the cache is on another file system, copying instead");
                    self.state.store(COPY, Ordering::Relaxed);
                }
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::NotFound | io::ErrorKind::AlreadyExists
                    ) =>
                {
                    return Err(context(err, "hardlink", source, target));
                }
                // Too many links, or a file system without hardlinks: copy this one.
                Err(err) => tracing::debug!("hardlink failed ({err}), copying"),
            }
        }
        copy(source, target)
    }
}

/// Copy content and permissions, refusing to overwrite.
fn copy(source: &Path, target: &Path) -> io::Result<()> {
    if target.symlink_metadata().is_ok() {
        return Err(context(
            io::Error::from(io::ErrorKind::AlreadyExists),
            "copy",
            source,
            target,
        ));
    }
    std::fs::copy(source, target)
        .map(|_| ())
        .map_err(|err| context(err, "copy", source, target))
}

#[cfg(unix)]
fn symlink(source: &Path, target: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(source, target)
}

#[cfg(windows)]
fn symlink(source: &Path, target: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_file(source, target)
}

fn context(err: io::Error, what: &str, source: &Path, target: &Path) -> io::Error {
    io::Error::new(
        err.kind(),
        format!(
            "failed to {what} {} to {}: {err}",
            source.display(),
            target.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source");
        fs_err::write(&source, "data").unwrap();
        for mode in [
            LinkMode::Clone,
            LinkMode::Hardlink,
            LinkMode::Copy,
            LinkMode::Symlink,
        ] {
            let linker = Linker::new(mode);
            let target = dir.path().join(format!("{mode:?}"));
            linker.link(&source, &target).unwrap();
            assert_eq!(fs_err::read_to_string(&target).unwrap(), "data");
            assert!(linker.link(&source, &target).is_err());
        }
    }
}
