//! The global cache: where things live under the cache root, and the two primitives that
//! make it safe for several wharf processes at once.
//!
//! * Entries are written to a temporary path inside the same bucket and renamed into place
//!   ([`Cache::persist_dir`], [`write_atomic`]); a reader never sees a half-written entry, and
//!   a crash leaves only a temporary directory that `cache prune` removes.
//! * Work that must happen once per key takes an exclusive file lock ([`LockedFile`]).
//!
//! The layout is versioned per bucket (`wheels-v1`, ...) so that a format change never
//! reads an old entry.

use std::io::Write;
use std::path::{Path, PathBuf};

/// An error touching the cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// An I/O error; the message names the path.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// No cache directory could be determined for this user.
    #[error("could not determine a cache directory: set WHARF_CACHE_DIR or pass --cache-dir")]
    NoCacheDir,
}

/// One area of the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Wheels unpacked once, linked into environments.
    Wheels,
    /// Downloaded archives (wheels, sdists), by hash.
    Archives,
    /// Index responses (simple pages), with their HTTP cache policy.
    Simple,
    /// Core metadata fetched for a file (PEP 658, range requests).
    Metadata,
    /// Interpreter probe results.
    Interpreter,
    /// Built wheels (from sdists and source trees).
    Builds,
    /// Bundles' dependencies, unpacked on their first run (`wharf bundle`).
    Bundles,
    /// Scratch space for in-progress work on the cache's file system.
    Temp,
}

impl Bucket {
    /// The bucket's directory name, with its format version.
    pub fn dir_name(self) -> &'static str {
        match self {
            Self::Wheels => "wheels-v1",
            Self::Archives => "archives-v1",
            Self::Simple => "simple-v1",
            Self::Metadata => "metadata-v1",
            Self::Interpreter => "interpreter-v1",
            Self::Builds => "builds-v1",
            Self::Bundles => "bundles-v1",
            Self::Temp => ".tmp",
        }
    }

    /// All buckets.
    pub const ALL: [Bucket; 8] = [
        Self::Wheels,
        Self::Archives,
        Self::Simple,
        Self::Metadata,
        Self::Interpreter,
        Self::Builds,
        Self::Bundles,
        Self::Temp,
    ];
}

/// The cache root and its buckets.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    /// Keep the temporary directory alive for `--no-cache`.
    _temp: Option<std::sync::Arc<tempfile::TempDir>>,
}

impl Cache {
    /// Use the given root, creating it when missing.
    pub fn at(root: impl Into<PathBuf>) -> Result<Self, CacheError> {
        let root = root.into();
        fs_err::create_dir_all(&root)?;
        // Mark the directory so that backup tools skip it, as cargo and uv do.
        let tag = root.join("CACHEDIR.TAG");
        if !tag.exists() {
            let _ = write_atomic(
                &tag,
                b"Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by wharf.\n",
            );
        }
        let gitignore = root.join(".gitignore");
        if !gitignore.exists() {
            let _ = write_atomic(&gitignore, b"*\n");
        }
        Ok(Self { root, _temp: None })
    }

    /// The default root: `$WHARF_CACHE_DIR`, else the platform's user cache dir + `wharf`.
    pub fn default_root() -> Result<PathBuf, CacheError> {
        if let Some(dir) = std::env::var_os("WHARF_CACHE_DIR").filter(|dir| !dir.is_empty()) {
            return Ok(PathBuf::from(dir));
        }
        use etcetera::BaseStrategy;
        let strategy = etcetera::choose_base_strategy().map_err(|_| CacheError::NoCacheDir)?;
        Ok(strategy.cache_dir().join("wharf"))
    }

    /// A throwaway cache that is removed when the last clone is dropped (`--no-cache`).
    pub fn temporary() -> Result<Self, CacheError> {
        let temp = tempfile::Builder::new().prefix("wharf-cache-").tempdir()?;
        let root = temp.path().to_path_buf();
        Ok(Self {
            root,
            _temp: Some(std::sync::Arc::new(temp)),
        })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A bucket's directory (created on demand).
    pub fn bucket(&self, bucket: Bucket) -> Result<PathBuf, CacheError> {
        let path = self.root.join(bucket.dir_name());
        fs_err::create_dir_all(&path)?;
        Ok(path)
    }

    /// A fresh temporary directory on the cache's file system, so that a later rename into
    /// a bucket is atomic.
    pub fn temp_dir(&self) -> Result<tempfile::TempDir, CacheError> {
        let dir = self.bucket(Bucket::Temp)?;
        Ok(tempfile::Builder::new().prefix("work-").tempdir_in(dir)?)
    }

    /// Move a finished directory into place at `target`. If another process got there
    /// first, its entry is kept and ours is dropped: entries are content-addressed, so
    /// both are the same.
    pub fn persist_dir(&self, source: &Path, target: &Path) -> Result<(), CacheError> {
        if let Some(parent) = target.parent() {
            fs_err::create_dir_all(parent)?;
        }
        match std::fs::rename(source, target) {
            Ok(()) => Ok(()),
            Err(_) if target.join(COMPLETE_MARKER).exists() || target.is_file() => {
                let _ = fs_err::remove_dir_all(source);
                Ok(())
            }
            Err(_) if target.exists() => {
                // A stale, incomplete entry (a crash before the marker was written, from an
                // older version): replace it.
                let stale = target.with_extension(format!("stale-{}", std::process::id()));
                fs_err::rename(target, &stale)?;
                let _ = fs_err::remove_dir_all(&stale);
                fs_err::rename(source, target)?;
                Ok(())
            }
            Err(err) => Err(std::io::Error::new(
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

    /// Remove everything in the cache. Returns the number of bytes freed.
    pub fn clean(&self) -> Result<u64, CacheError> {
        let size = self.size()?;
        for bucket in Bucket::ALL {
            let path = self.root.join(bucket.dir_name());
            if path.exists() {
                fs_err::remove_dir_all(&path)?;
            }
        }
        Ok(size)
    }

    /// Remove leftovers from interrupted work (temporary directories, incomplete entries).
    /// Returns the number of entries removed.
    pub fn prune(&self) -> Result<usize, CacheError> {
        let mut removed = 0;
        let temp = self.root.join(Bucket::Temp.dir_name());
        if temp.exists() {
            for entry in fs_err::read_dir(&temp)? {
                let entry = entry?;
                // Skip directories another process is still using: they hold a lock file.
                let lock = entry.path().join(".lock");
                if lock.exists()
                    && let Ok(file) = std::fs::File::open(&lock)
                    && file.try_lock().is_err()
                {
                    continue;
                }
                if entry.file_type()?.is_dir() {
                    fs_err::remove_dir_all(entry.path())?;
                } else {
                    fs_err::remove_file(entry.path())?;
                }
                removed += 1;
            }
        }
        let wheels = self.root.join(Bucket::Wheels.dir_name());
        if wheels.exists() {
            for entry in fs_err::read_dir(&wheels)? {
                let path = entry?.path();
                if path.is_dir() && !path.join(COMPLETE_MARKER).exists() {
                    fs_err::remove_dir_all(&path)?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// The total size of the cache in bytes.
    pub fn size(&self) -> Result<u64, CacheError> {
        let mut total = 0;
        for entry in walkdir::WalkDir::new(&self.root).into_iter().flatten() {
            if entry.file_type().is_file()
                && let Ok(metadata) = entry.metadata()
            {
                total += metadata.len();
            }
        }
        Ok(total)
    }
}

/// The file that marks a cache directory entry as complete. Written last, before the
/// rename into place; an entry without it is never used.
pub const COMPLETE_MARKER: &str = ".wharf-complete";

/// Write a file atomically: to a temporary file beside it, then rename.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), CacheError> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(parent)?;
    let mut temp = tempfile::NamedTempFile::new_in(parent)?;
    temp.write_all(contents)?;
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

/// An exclusively locked file, unlocked when dropped.
#[derive(Debug)]
pub struct LockedFile {
    file: std::fs::File,
    path: PathBuf,
}

impl LockedFile {
    /// Take an exclusive lock on `path` (created when missing), waiting for other holders.
    pub fn acquire(path: impl Into<PathBuf>) -> Result<Self, CacheError> {
        let path = path.into();
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        let file = fs_err::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?
            .into_parts()
            .0;
        if file.try_lock().is_err() {
            tracing::debug!("waiting for lock on {}", path.display());
            file.lock().map_err(|err| {
                std::io::Error::new(
                    err.kind(),
                    format!("failed to lock {}: {err}", path.display()),
                )
            })?;
        }
        Ok(Self { file, path })
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockedFile {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// A short, file-name-safe digest of a string, for cache keys.
pub fn digest(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(key.as_bytes());
    hex::encode(&hash[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persist_keeps_first_complete_entry() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::at(root.path()).unwrap();
        let target = cache.bucket(Bucket::Wheels).unwrap().join("entry");
        for content in ["first", "second"] {
            let work = cache.temp_dir().unwrap().keep();
            fs_err::write(work.join("file"), content).unwrap();
            fs_err::write(work.join(COMPLETE_MARKER), "").unwrap();
            cache.persist_dir(&work, &target).unwrap();
        }
        assert_eq!(
            fs_err::read_to_string(target.join("file")).unwrap(),
            "first"
        );
    }

    #[test]
    fn persist_replaces_incomplete_entry() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::at(root.path()).unwrap();
        let target = cache.bucket(Bucket::Wheels).unwrap().join("entry");
        fs_err::create_dir_all(&target).unwrap();
        fs_err::write(target.join("file"), "half").unwrap();
        let work = cache.temp_dir().unwrap().keep();
        fs_err::write(work.join("file"), "whole").unwrap();
        fs_err::write(work.join(COMPLETE_MARKER), "").unwrap();
        cache.persist_dir(&work, &target).unwrap();
        assert_eq!(
            fs_err::read_to_string(target.join("file")).unwrap(),
            "whole"
        );
    }

    #[test]
    fn prune_removes_leftovers() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::at(root.path()).unwrap();
        let _ = cache.temp_dir().unwrap().keep();
        fs_err::create_dir_all(cache.bucket(Bucket::Wheels).unwrap().join("half")).unwrap();
        assert_eq!(cache.prune().unwrap(), 2);
    }

    #[test]
    fn lock_is_exclusive_across_handles() {
        let root = tempfile::tempdir().unwrap();
        let lock = LockedFile::acquire(root.path().join("a.lock")).unwrap();
        let other = std::fs::File::open(lock.path()).unwrap();
        assert!(other.try_lock().is_err());
        drop(lock);
        assert!(other.try_lock().is_ok());
    }
}
