//! Unpacking a wheel once into the global cache, verified.
//!
//! A wheel is checked completely before anything from it can reach an environment: the zip
//! is readable, no entry escapes the root (absolute, `..`, drive letters, symbolic links),
//! there is exactly one `.dist-info` directory and it matches the file name, WHEEL is a
//! supported version, and RECORD and the zip agree exactly (every file listed, every listed
//! file present, every hash and size right). The wheel is extracted into a temporary
//! directory of the cache and renamed into `wheels-v1/<sha256>` only when all of that holds,
//! so a bad wheel leaves nothing behind and a present entry is always a verified one.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use rayon::prelude::*;
use sha2::{Digest, Sha256, Sha384, Sha512};
use wharf_cache::{Bucket, COMPLETE_MARKER, Cache};
use wharf_filename::WheelFilename;
use wharf_metadata::{HashDigest, Record, RecordEntry, WheelFile};
use wharf_pep::{PackageName, Version};

use crate::InstallError;

/// A verified wheel, unpacked in the cache.
#[derive(Debug, Clone)]
pub struct UnpackedWheel {
    /// The cache directory holding the wheel's files.
    pub path: PathBuf,
    /// The wheel's file name.
    pub filename: WheelFilename,
    /// The hex sha256 of the wheel file (the cache key).
    pub sha256: String,
    /// The `.dist-info` directory's name as written in the wheel.
    pub dist_info_name: String,
}

impl UnpackedWheel {
    /// The already unpacked wheel with this sha256, if the cache holds a complete entry.
    /// Lets a caller skip the download of a wheel whose hash the index gave.
    pub fn from_cache(
        cache: &Cache,
        filename: &WheelFilename,
        sha256: &str,
    ) -> Result<Option<Self>, InstallError> {
        let sha256 = sha256.to_ascii_lowercase();
        let path = cache.bucket(Bucket::Wheels)?.join(&sha256);
        if !path.join(COMPLETE_MARKER).is_file() {
            return Ok(None);
        }
        let Some(dist_info_name) = find_dist_info(&path)? else {
            discard(&path);
            return Ok(None);
        };
        // A damaged entry (files deleted behind our back, a disk error) is detected by
        // checking that every file RECORD lists is there, and replaced: the caller unpacks
        // the wheel again. Contents are hashed once, at unpack time, not on every use.
        if !entry_is_whole(&path, &dist_info_name) {
            tracing::warn!(
                "cache entry {} is damaged; unpacking the wheel again",
                path.display()
            );
            discard(&path);
            return Ok(None);
        }
        Ok(Some(Self {
            path,
            filename: filename.clone(),
            sha256,
            dist_info_name,
        }))
    }

    /// The cached `.dist-info` directory.
    pub fn dist_info(&self) -> PathBuf {
        self.path.join(&self.dist_info_name)
    }

    /// The `.data` directory's name, e.g. `foo-1.0.data`.
    pub fn data_dir_name(&self) -> String {
        let stem = self
            .dist_info_name
            .strip_suffix(".dist-info")
            .unwrap_or(&self.dist_info_name);
        format!("{stem}.data")
    }
}

/// Whether every file the entry's RECORD lists exists.
fn entry_is_whole(path: &Path, dist_info_name: &str) -> bool {
    let Ok(text) = fs_err::read_to_string(path.join(dist_info_name).join("RECORD")) else {
        return false;
    };
    let Ok(record) = wharf_metadata::Record::parse(&text) else {
        return false;
    };
    record
        .entries
        .iter()
        .all(|entry| path.join(&entry.path).symlink_metadata().is_ok())
}

/// Move a damaged entry out of the way and delete it, so that a fresh one can take its place.
fn discard(path: &Path) {
    let aside = path.with_extension(format!("damaged-{}", std::process::id()));
    if fs_err::rename(path, &aside).is_ok() {
        let _ = fs_err::remove_dir_all(&aside);
    }
}

fn find_dist_info(dir: &Path) -> Result<Option<String>, InstallError> {
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".dist-info") && entry.file_type()?.is_dir() {
            return Ok(Some(name));
        }
    }
    Ok(None)
}

/// Unpack and verify `wheel` into the cache, or reuse the cached entry.
///
/// With `expected_sha256` (hex, from the index or `--hash`), a complete cache entry is used
/// without reading the wheel at all; otherwise the wheel is hashed and checked against it.
pub fn unpack_wheel(
    cache: &Cache,
    wheel: &Path,
    expected_sha256: Option<&str>,
) -> Result<UnpackedWheel, InstallError> {
    let file_name = wheel
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let filename =
        WheelFilename::from_str(&file_name).map_err(|source| InstallError::Filename {
            path: wheel.to_path_buf(),
            source,
        })?;
    if let Some(expected) = expected_sha256
        && let Some(unpacked) = UnpackedWheel::from_cache(cache, &filename, expected)?
    {
        return Ok(unpacked);
    }
    let actual = sha256_file(wheel)?;
    if let Some(expected) = expected_sha256
        && !expected.eq_ignore_ascii_case(&actual)
    {
        return Err(InstallError::HashMismatch {
            wheel: file_name,
            expected: expected.to_ascii_lowercase(),
            actual,
        });
    }
    if let Some(unpacked) = UnpackedWheel::from_cache(cache, &filename, &actual)? {
        return Ok(unpacked);
    }
    let target = cache.bucket(Bucket::Wheels)?.join(&actual);
    // The temporary directory is removed on every error path when it is dropped.
    let temp = cache.temp_dir()?;
    let work = temp.path().join("wheel");
    fs_err::create_dir(&work)?;
    let dist_info_name = extract_verified(wheel, &file_name, &filename, &work)?;
    fs_err::write(work.join(COMPLETE_MARKER), file_name.as_bytes())?;
    cache.persist_dir(&work, &target)?;
    tracing::debug!("unpacked {file_name} into {}", target.display());
    Ok(UnpackedWheel {
        path: target,
        filename,
        sha256: actual,
        dist_info_name,
    })
}

/// The hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, InstallError> {
    let mut file = fs_err::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A file reader that many threads can clone and use at once: each clone keeps its own
/// position and reads with positional reads, so one `ZipArchive` (and its parsed central
/// directory) is shared by every extraction thread.
#[derive(Debug, Clone)]
struct SharedFile {
    file: Arc<std::fs::File>,
    position: u64,
    length: u64,
}

impl Read for SharedFile {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        let read = std::os::unix::fs::FileExt::read_at(&*self.file, buffer, self.position)?;
        #[cfg(windows)]
        let read = std::os::windows::fs::FileExt::seek_read(&*self.file, buffer, self.position)?;
        self.position += read as u64;
        Ok(read)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        let new = match position {
            SeekFrom::Start(offset) => Some(offset),
            SeekFrom::End(offset) => self.length.checked_add_signed(offset),
            SeekFrom::Current(offset) => self.position.checked_add_signed(offset),
        };
        self.position = new.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            )
        })?;
        Ok(self.position)
    }
}

/// A file to extract: its zip index, its path in the wheel and whether it is executable.
struct FileEntry {
    index: usize,
    path: String,
    executable: bool,
}

/// Check a zip entry's name; returns why it is unsafe. Beyond the shared archive rules, a
/// wheel's names are canonical: no empty or `.` components.
fn check_path(name: &str) -> Result<(), &'static str> {
    if let Some(reason) = wharf_metadata::archive_path::unsafe_reason(name) {
        return Err(reason);
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    if trimmed
        .split('/')
        .any(|part| part.is_empty() || part == ".")
    {
        return Err("has an empty or `.` component");
    }
    Ok(())
}

/// Extract and verify the wheel into `work`; returns the `.dist-info` directory name.
fn extract_verified(
    wheel: &Path,
    wheel_name: &str,
    filename: &WheelFilename,
    work: &Path,
) -> Result<String, InstallError> {
    let zip_error = |source| InstallError::Zip {
        wheel: wheel_name.to_string(),
        source,
    };
    let file = fs_err::File::open(wheel)?.into_parts().0;
    let length = file.metadata()?.len();
    let reader = SharedFile {
        file: Arc::new(file),
        position: 0,
        length,
    };
    let mut archive = zip::ZipArchive::new(reader).map_err(zip_error)?;

    // First pass: names only, so that a bad wheel is rejected before any byte is written.
    let mut files = Vec::new();
    let mut directories = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut dist_infos = BTreeSet::new();
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(zip_error)?;
        let name = entry.name().map_err(zip_error)?.into_owned();
        check_path(&name).map_err(|reason| InstallError::UnsafePath {
            wheel: wheel_name.to_string(),
            path: name.clone(),
            reason,
        })?;
        if entry.is_symlink() {
            return Err(InstallError::UnsafePath {
                wheel: wheel_name.to_string(),
                path: name,
                reason: "is a symbolic link (not allowed in wheels)",
            });
        }
        if let Some((top, _)) = name.split_once('/')
            && top.ends_with(".dist-info")
        {
            dist_infos.insert(top.to_string());
        }
        if entry.is_dir() {
            directories.insert(name.trim_end_matches('/').to_string());
            continue;
        }
        if !seen.insert(name.clone()) {
            return Err(InstallError::UnsafePath {
                wheel: wheel_name.to_string(),
                path: name,
                reason: "appears twice in the archive",
            });
        }
        let executable = entry.unix_mode().is_some_and(|mode| mode & 0o111 != 0);
        files.push(FileEntry {
            index,
            path: name,
            executable,
        });
    }

    let dist_info = match dist_infos.len() {
        0 => {
            return Err(InstallError::DistInfo {
                wheel: wheel_name.to_string(),
                message: "no .dist-info directory found".to_string(),
            });
        }
        1 => dist_infos.pop_first().unwrap_or_default(),
        _ => {
            return Err(InstallError::DistInfo {
                wheel: wheel_name.to_string(),
                message: format!(
                    "several .dist-info directories: {}",
                    dist_infos.into_iter().collect::<Vec<_>>().join(", ")
                ),
            });
        }
    };
    check_dist_info_name(&dist_info, filename).map_err(|message| InstallError::DistInfo {
        wheel: wheel_name.to_string(),
        message,
    })?;

    let mut read_small = |path: &str| -> Result<String, InstallError> {
        let mut entry = archive.by_name(path).map_err(|err| match err {
            zip::result::ZipError::FileNotFound => InstallError::MissingFile {
                wheel: wheel_name.to_string(),
                file: path.to_string(),
            },
            other => zip_error(other),
        })?;
        let mut text = String::new();
        entry.read_to_string(&mut text).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("failed to read `{path}` from `{wheel_name}`: {err}"),
            )
        })?;
        Ok(text)
    };
    let wheel_text = read_small(&format!("{dist_info}/WHEEL"))?;
    let wheel_file = WheelFile::parse(&wheel_text).map_err(|source| InstallError::WheelFile {
        wheel: wheel_name.to_string(),
        source,
    })?;
    if wheel_file.is_newer_minor() {
        tracing::warn!(
            "{wheel_name} uses wheel format {}.{}, newer than 1.0; installing anyway",
            wheel_file.wheel_version.0,
            wheel_file.wheel_version.1
        );
    }
    let record_path = format!("{dist_info}/RECORD");
    let record_text = read_small(&record_path)?;
    let record = Record::parse(&record_text).map_err(|source| InstallError::Record {
        location: wheel_name.to_string(),
        source,
    })?;

    // RECORD and the zip must list the same files.
    let signatures = [
        record_path.clone(),
        format!("{dist_info}/RECORD.jws"),
        format!("{dist_info}/RECORD.p7s"),
    ];
    let mut recorded: HashMap<&str, &RecordEntry> = HashMap::new();
    for entry in &record.entries {
        if entry.path.ends_with('/') {
            continue;
        }
        recorded.insert(entry.path.as_str(), entry);
        if !seen.contains(&entry.path) && !signatures.contains(&entry.path) {
            return Err(InstallError::RecordedMissing {
                wheel: wheel_name.to_string(),
                path: entry.path.clone(),
            });
        }
    }
    for file in &files {
        if !recorded.contains_key(file.path.as_str()) && !signatures.contains(&file.path) {
            return Err(InstallError::Unrecorded {
                wheel: wheel_name.to_string(),
                path: file.path.clone(),
            });
        }
    }

    // Create every directory up front, so that extraction threads only create files.
    let mut parents = directories;
    for file in &files {
        if let Some((parent, _)) = file.path.rsplit_once('/') {
            parents.insert(parent.to_string());
        }
    }
    for parent in &parents {
        fs_err::create_dir_all(work.join(parent))?;
    }

    let archive = archive;
    files.par_iter().try_for_each_init(
        || archive.clone(),
        |archive, file| {
            extract_one(
                archive,
                file,
                recorded.get(file.path.as_str()).copied(),
                wheel_name,
                work,
            )
        },
    )?;
    Ok(dist_info)
}

/// The `.dist-info` name must be `<name>-<version>` of the file name (compared normalized).
fn check_dist_info_name(dist_info: &str, filename: &WheelFilename) -> Result<(), String> {
    let stem = dist_info.trim_end_matches(".dist-info");
    let mismatch = || {
        format!(
            "`{dist_info}` does not match the file name's `{}-{}`",
            filename.name, filename.version
        )
    };
    let (name, version) = stem.rsplit_once('-').ok_or_else(mismatch)?;
    let name = PackageName::from_str(name).map_err(|_| mismatch())?;
    let version = Version::from_str(version).map_err(|_| mismatch())?;
    if name != filename.name || version != filename.version {
        return Err(mismatch());
    }
    Ok(())
}

/// A writer that hashes and counts what goes through it.
struct Hashing<W> {
    inner: W,
    hasher: Hasher,
    size: u64,
}

enum Hasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
    None,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buffer)?;
        match &mut self.hasher {
            Hasher::Sha256(hasher) => hasher.update(&buffer[..written]),
            Hasher::Sha384(hasher) => hasher.update(&buffer[..written]),
            Hasher::Sha512(hasher) => hasher.update(&buffer[..written]),
            Hasher::None => {}
        }
        self.size += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn extract_one(
    archive: &mut zip::ZipArchive<SharedFile>,
    file: &FileEntry,
    record: Option<&RecordEntry>,
    wheel_name: &str,
    work: &Path,
) -> Result<(), InstallError> {
    let hash = record.and_then(|record| record.hash.as_ref());
    let hasher = match hash.map(|hash| hash.algorithm.as_str()) {
        None => Hasher::None,
        Some("sha256") => Hasher::Sha256(Sha256::new()),
        Some("sha384") => Hasher::Sha384(Sha384::new()),
        Some("sha512") => Hasher::Sha512(Sha512::new()),
        Some(other) => {
            return Err(InstallError::RecordAlgorithm {
                wheel: wheel_name.to_string(),
                path: file.path.clone(),
                algorithm: other.to_string(),
            });
        }
    };
    let mut entry = archive
        .by_index(file.index)
        .map_err(|source| InstallError::Zip {
            wheel: wheel_name.to_string(),
            source,
        })?;
    let target = work.join(&file.path);
    let mut options = fs_err::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt;
        options.mode(if file.executable { 0o755 } else { 0o644 });
    }
    let output = options.open(&target)?;
    let mut writer = Hashing {
        inner: io::BufWriter::with_capacity(1 << 16, output),
        hasher,
        size: 0,
    };
    // The zip reader checks the CRC at the end, so a corrupt entry fails here.
    io::copy(&mut entry, &mut writer).map_err(|err| {
        io::Error::new(
            err.kind(),
            format!(
                "failed to extract `{}` from `{wheel_name}`: {err}",
                file.path
            ),
        )
    })?;
    writer.flush()?;
    if let Some(expected) = record.and_then(|record| record.size)
        && expected != writer.size
    {
        return Err(InstallError::RecordSize {
            wheel: wheel_name.to_string(),
            path: file.path.clone(),
            expected,
            actual: writer.size,
        });
    }
    if let Some(expected) = hash {
        let raw = match writer.hasher {
            Hasher::Sha256(hasher) => hasher.finalize().to_vec(),
            Hasher::Sha384(hasher) => hasher.finalize().to_vec(),
            Hasher::Sha512(hasher) => hasher.finalize().to_vec(),
            Hasher::None => Vec::new(),
        };
        let actual = HashDigest::from_raw(&expected.algorithm, &raw);
        if actual.digest_b64 != expected.digest_b64 {
            return Err(InstallError::RecordHash {
                wheel: wheel_name.to_string(),
                path: file.path.clone(),
                expected: expected.to_string(),
                actual: actual.to_string(),
            });
        }
    } else if !file.path.ends_with("/RECORD") {
        tracing::debug!("{wheel_name}: RECORD has no hash for {}", file.path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_paths() {
        assert!(check_path("pkg/a.py").is_ok());
        assert!(check_path("pkg/").is_ok());
        for bad in [
            "/etc/passwd",
            "../evil",
            "pkg/../../evil",
            "C:/x",
            "pkg\\..\\x",
            "a//b",
            "./a",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dist_info_names() {
        let filename: WheelFilename = "Foo_Bar-1.0-py3-none-any.whl".parse().unwrap();
        assert!(check_dist_info_name("foo_bar-1.0.dist-info", &filename).is_ok());
        assert!(check_dist_info_name("Foo.Bar-1.0.0.dist-info", &filename).is_ok());
        assert!(check_dist_info_name("foo_bar-1.1.dist-info", &filename).is_err());
        assert!(check_dist_info_name("other-1.0.dist-info", &filename).is_err());
    }
}
