//! Removing bundle extractions nobody uses any more, and leftovers of interrupted ones.
//!
//! Layout under a root: `<id>/<key>/` (complete: it only appears by rename), `<id>/<key>.lock`
//! (held while extracting) and `<id>/.tmp-<key>-…` (an extraction in progress, or one that
//! crashed). Warm runs touch `<id>/<key>`, so its modification time is its last use.

use std::path::Path;
use std::time::Duration;

/// Remove, under `root`, extractions unused for longer than `max_age` and leftovers of
/// interrupted extractions; skips anything an extraction in progress holds the lock of.
/// Returns how many entries were removed.
pub fn prune_extractions(root: &Path, max_age: Duration) -> std::io::Result<usize> {
    let mut removed = 0;
    let Ok(bundles) = fs_err::read_dir(root) else {
        return Ok(0);
    };
    for bundle in bundles.flatten() {
        let dir = bundle.path();
        if !bundle.file_type().is_ok_and(|kind| kind.is_dir()) {
            continue;
        }
        let mut entries: Vec<_> = fs_err::read_dir(&dir)?.flatten().collect();
        entries.sort_by_key(|entry| entry.file_name());
        for entry in &entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.ends_with(".lock") || !entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                continue;
            }
            let key = match name.strip_prefix(".tmp-") {
                Some(rest) => rest.rsplitn(3, '-').nth(2).unwrap_or(rest).to_string(),
                None => name.clone(),
            };
            let stale = name.starts_with(".tmp-")
                || entry
                    .metadata()
                    .and_then(|metadata| metadata.modified())
                    .ok()
                    .and_then(|modified| modified.elapsed().ok())
                    .is_some_and(|age| age > max_age);
            if !stale {
                continue;
            }
            // An extraction of this key in progress holds its lock: leave it alone.
            let lock_path = dir.join(format!("{key}.lock"));
            let lock = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path);
            let Ok(lock) = lock else { continue };
            if lock.try_lock().is_err() {
                continue;
            }
            fs_err::remove_dir_all(&path)?;
            removed += 1;
            drop(lock);
        }
        // Lock files of keys that are gone, then the bundle's directory when empty.
        for entry in fs_err::read_dir(&dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(key) = name.strip_suffix(".lock")
                && !dir.join(key).exists()
                && let Ok(file) = std::fs::File::open(entry.path())
                && file.try_lock().is_ok()
            {
                let _ = fs_err::remove_file(entry.path());
            }
        }
        let _ = std::fs::remove_dir(&dir);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_leftovers_and_old_extractions_but_not_recent_or_locked_ones() {
        let root = tempfile::tempdir().unwrap();
        let id = root.path().join("abc");
        for dir in [
            "py3.11-any",
            ".tmp-py3.11-any-123-x1y2",
            "cp311-old",
            ".tmp-busy-1-z",
        ] {
            fs_err::create_dir_all(id.join(dir).join("site-packages")).unwrap();
        }
        let old = std::time::SystemTime::now() - Duration::from_secs(40 * 86_400);
        std::fs::File::open(id.join("cp311-old"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        let busy = std::fs::File::create(id.join("busy.lock")).unwrap();
        busy.lock().unwrap();
        let removed = prune_extractions(root.path(), Duration::from_secs(14 * 86_400)).unwrap();
        assert_eq!(removed, 2);
        assert!(id.join("py3.11-any").exists());
        assert!(id.join(".tmp-busy-1-z").exists());
        assert!(!id.join("cp311-old").exists());
        assert!(!id.join(".tmp-py3.11-any-123-x1y2").exists());
    }
}
