//! Writing a bundle: reproducibly (sorted members, fixed timestamps and modes, nothing from
//! the clock or the file system's paths), to a temporary file that is renamed into place
//! only when complete.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wharf_filename::WheelFilename;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::error::BundleError;
use crate::manifest::{BuildInfo, Entry, FORMAT, FileInfo, Manifest, TargetManifest, WheelInfo};
use crate::platform::TargetRequirement;
use crate::{BOOTSTRAP, CONFIG_LINE, MAIN_TEMPLATE, MANIFEST_PATH};

/// A wheel to carry.
#[derive(Debug, Clone)]
pub struct WheelInput {
    /// Where it is.
    pub path: PathBuf,
    /// Its parsed file name.
    pub filename: WheelFilename,
    /// Rewrite it with sorted entries and fixed timestamps first (wheels built here, whose
    /// bytes change from build to build; never for wheels from an index).
    pub normalize: bool,
}

/// One place the bundle runs.
#[derive(Debug, Clone)]
pub struct TargetInput {
    /// What the target needs of the interpreter.
    pub requirement: TargetRequirement,
    /// Its wheels.
    pub wheels: Vec<WheelInput>,
    /// A zip of precompiled `__pycache__` files relative to site-packages, if any.
    pub pyc: Option<PathBuf>,
}

/// Everything a bundle is made of.
#[derive(Debug, Clone)]
pub struct BundleInput {
    /// The bundle's name (the output file's stem).
    pub name: String,
    /// The interpreter line, without `#!`.
    pub shebang: String,
    /// What runs.
    pub entry: Option<Entry>,
    /// The console script the entry came from.
    pub console_script: Option<String>,
    /// Environment defaults.
    pub inject_env: BTreeMap<String, String>,
    /// The targets, in order of preference.
    pub targets: Vec<TargetInput>,
    /// A script to ship: its file name in the bundle and where it is.
    pub script: Option<(String, PathBuf)>,
    /// The requirements as given.
    pub requirements: Vec<String>,
    /// The building interpreter's version.
    pub python: Option<String>,
    /// `SOURCE_DATE_EPOCH`, if set.
    pub source_date_epoch: Option<u64>,
    /// `wharf X.Y.Z`.
    pub tool: String,
    /// Where wheels recompressed for bundles are kept, by the sha256 of the original (so a
    /// warm build copies them); none recompresses into scratch space each time.
    pub wheel_cache: Option<PathBuf>,
}

/// A written bundle.
#[derive(Debug, Clone)]
pub struct WrittenBundle {
    /// Where.
    pub path: PathBuf,
    /// sha256 of the manifest: the key its extraction is cached under.
    pub id: String,
    /// Size in bytes.
    pub size: u64,
    /// What it holds.
    pub manifest: Manifest,
}

/// The second line of every bundle. Python ignores it while the zip is intact; when the zip's
/// directory is gone (a truncated copy), Python runs the file as a script instead, and this
/// coding declaration makes it stop at once with `SyntaxError: encoding problem:
/// this-wharf-bundle-is-damaged…`, rather than a puzzling complaint about null bytes.
pub const DAMAGED_LINE: &str =
    "# coding: this-wharf-bundle-is-damaged.truncated-or-modified.copy-or-rebuild-it";

/// The earliest time a zip can record.
const ZIP_EPOCH: u64 = 315_532_800;

/// Write `input` to `output` (replacing it atomically).
pub fn write_bundle(input: &BundleInput, output: &Path) -> Result<WrittenBundle, BundleError> {
    let dir = match output.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if output.is_dir() {
        return Err(BundleError::Output {
            path: output.to_path_buf(),
            message: "it is a directory".to_string(),
        });
    }
    fs_err::create_dir_all(&dir)?;
    let scratch = tempfile::Builder::new()
        .prefix(".wharf-bundle-")
        .tempdir_in(&dir)?;
    let time = zip_time(input.source_date_epoch);

    // Every wheel once, normalized where asked, hashed.
    let mut wheels: BTreeMap<String, (PathBuf, WheelInfo, bool)> = BTreeMap::new();
    for target in &input.targets {
        for wheel in &target.wheels {
            let name = wheel.filename.to_string();
            if wheels.contains_key(&name) {
                continue;
            }
            // Wheels built here are rewritten because their bytes change from build to
            // build; wheels from an index, once per wheel (cached), to compress them at the
            // highest level: bundles are copied around, so every byte counts.
            let path = match (&input.wheel_cache, wheel.normalize) {
                (Some(cache), false) => recompressed(cache, &wheel.path)?,
                _ => {
                    let normalized = scratch.path().join(&name);
                    normalize_wheel(&wheel.path, &normalized, time)?;
                    normalized
                }
            };
            let (sha256, size) = hash_file(&path)?;
            let pth = has_top_level_pth(&path, &wheel.filename)?;
            wheels.insert(
                name,
                (
                    path,
                    WheelInfo {
                        name: wheel.filename.name.to_string(),
                        version: wheel.filename.version.to_string(),
                        sha256,
                        size,
                    },
                    pth,
                ),
            );
        }
    }

    // Other members: bytecode per target, the script.
    let mut files: BTreeMap<String, (PathBuf, FileInfo)> = BTreeMap::new();
    let mut targets: Vec<TargetManifest> = Vec::new();
    for target in &input.targets {
        let mut names: Vec<String> = target
            .wheels
            .iter()
            .map(|w| w.filename.to_string())
            .collect();
        names.sort();
        names.dedup();
        let same = targets
            .iter()
            .any(|existing| existing.wheels == names && existing.key == target.requirement.key());
        if same {
            continue;
        }
        let mut key = target.requirement.key();
        let mut suffix = 2;
        while targets.iter().any(|existing| existing.key == key) {
            key = format!("{}-{suffix}", target.requirement.key());
            suffix += 1;
        }
        let pyc = match &target.pyc {
            Some(path) => {
                let member = format!(".wharf/pyc/{key}.zip");
                let (sha256, size) = hash_file(path)?;
                files.insert(member.clone(), (path.clone(), FileInfo { sha256, size }));
                Some(member)
            }
            None => None,
        };
        targets.push(TargetManifest {
            description: target.requirement.description(),
            implementation: target.requirement.implementation.clone(),
            python: target.requirement.python,
            python_min: target.requirement.python_min,
            platform: target.requirement.platform.clone(),
            pth: names.iter().any(|name| wheels[name].2),
            wheels: names,
            pyc,
            key,
        });
    }
    if let Some((name, path)) = &input.script {
        let (sha256, size) = hash_file(path)?;
        files.insert(
            format!(".wharf/script/{name}"),
            (path.clone(), FileInfo { sha256, size }),
        );
    }

    let manifest = Manifest {
        format: FORMAT,
        bootstrap: bootstrap_hash(),
        name: input.name.clone(),
        entry: input.entry.clone(),
        console_script: input.console_script.clone(),
        inject_env: input.inject_env.clone(),
        targets,
        wheels: wheels
            .iter()
            .map(|(name, (_, info, _))| (name.clone(), info.clone()))
            .collect(),
        files: files
            .iter()
            .map(|(name, (_, info))| (name.clone(), info.clone()))
            .collect(),
        build: BuildInfo {
            tool: input.tool.clone(),
            created: rfc3339(input.source_date_epoch.unwrap_or(ZIP_EPOCH).max(ZIP_EPOCH)),
            requirements: input.requirements.clone(),
            python: input.python.clone(),
            shebang: input.shebang.clone(),
        },
    };
    let mut manifest_bytes =
        serde_json::to_vec_pretty(&manifest).expect("a manifest always serializes");
    manifest_bytes.push(b'\n');
    let id = hex(&Sha256::digest(&manifest_bytes));
    let config = serde_json::to_string(&manifest.runtime_config(&id))
        .expect("a configuration always serializes");
    assert!(
        MAIN_TEMPLATE.contains(CONFIG_LINE),
        "the bootstrap template has no configuration line"
    );
    let main = MAIN_TEMPLATE.replacen(CONFIG_LINE, &format!("_C = {config}"), 1);

    // The members, sorted by name.
    enum Source<'a> {
        Bytes(&'a [u8]),
        File(&'a Path),
    }
    let mut members: BTreeMap<String, Source<'_>> = BTreeMap::new();
    members.insert("__main__.py".to_string(), Source::Bytes(main.as_bytes()));
    members.insert(
        "_wharf_bootstrap.py".to_string(),
        Source::Bytes(BOOTSTRAP.as_bytes()),
    );
    members.insert(MANIFEST_PATH.to_string(), Source::Bytes(&manifest_bytes));
    for (name, (path, _, _)) in &wheels {
        members.insert(format!(".wharf/wheels/{name}"), Source::File(path));
    }
    for (name, (path, _)) in &files {
        members.insert(name.clone(), Source::File(path));
    }

    let mut temp = tempfile::Builder::new()
        .prefix(".wharf-bundle-")
        .suffix(".pyz")
        .tempfile_in(&dir)?;
    {
        let file = temp.as_file_mut();
        file.write_all(format!("#!{}\n{DAMAGED_LINE}\n", input.shebang).as_bytes())?;
        let start = file.stream_position()?;
        let mut zip = ZipWriter::new(OffsetWriter { inner: file, start });
        for (name, source) in &members {
            let large = match source {
                Source::Bytes(bytes) => bytes.len() as u64 >= u32::MAX as u64,
                Source::File(path) => fs_err::metadata(path)?.len() >= u32::MAX as u64,
            };
            // Wheels and bytecode archives are compressed already; the rest is text.
            let method = match source {
                Source::Bytes(_) => CompressionMethod::Deflated,
                Source::File(_) if name.starts_with(".wharf/script/") => {
                    CompressionMethod::Deflated
                }
                Source::File(_) => CompressionMethod::Stored,
            };
            let options = SimpleFileOptions::default()
                .compression_method(method)
                .compression_level((method == CompressionMethod::Deflated).then_some(9))
                .last_modified_time(time)
                .unix_permissions(0o644)
                .large_file(large);
            zip.start_file(name.as_str(), options)
                .map_err(|err| BundleError::zip(output, err))?;
            match source {
                Source::Bytes(bytes) => zip.write_all(bytes)?,
                Source::File(path) => {
                    std::io::copy(&mut fs_err::File::open(path)?, &mut zip)?;
                }
            }
        }
        zip.finish().map_err(|err| BundleError::zip(output, err))?;
        file.flush()?;
        file.sync_all()?;
    }
    set_executable(temp.path())?;
    let size = fs_err::metadata(temp.path())?.len();
    temp.persist(output).map_err(|err| BundleError::Output {
        path: output.to_path_buf(),
        message: err.error.to_string(),
    })?;
    Ok(WrittenBundle {
        path: output.to_path_buf(),
        id,
        size,
        manifest,
    })
}

/// Rewrite a wheel with every entry deflated at the highest level, in a fixed order
/// (sorted, `.dist-info` last as PEP 427 recommends) with every timestamp set to `time`.
/// The content, and so RECORD, stays the same.
pub fn normalize_wheel(source: &Path, target: &Path, time: DateTime) -> Result<(), BundleError> {
    let mut archive = ZipArchive::new(fs_err::File::open(source)?)
        .map_err(|err| BundleError::zip(source, err))?;
    let mut names: Vec<String> = archive
        .file_names()
        .map(|name| name.map(|name| name.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(|err| BundleError::zip(source, err))?;
    names.sort_by_key(|name| {
        let dist_info = name
            .split('/')
            .next()
            .is_some_and(|top| top.ends_with(".dist-info"));
        (dist_info, name.clone())
    });
    let mut zip = ZipWriter::new(std::io::BufWriter::new(fs_err::File::create(target)?));
    for name in names {
        let mut entry = archive
            .by_name(&name)
            .map_err(|err| BundleError::zip(source, err))?;
        let executable = entry.unix_mode().is_some_and(|mode| mode & 0o111 != 0);
        if entry.is_dir() {
            continue;
        }
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(9))
            .last_modified_time(time)
            .unix_permissions(if executable { 0o755 } else { 0o644 })
            .large_file(entry.size() >= u32::MAX as u64);
        zip.start_file(name.as_str(), options)
            .map_err(|err| BundleError::zip(target, err))?;
        std::io::copy(&mut entry, &mut zip)?;
    }
    zip.finish()
        .map_err(|err| BundleError::zip(target, err))?
        .flush()?;
    Ok(())
}

/// The recompressed copy of a wheel in `cache`, made on first use.
fn recompressed(cache: &Path, wheel: &Path) -> Result<PathBuf, BundleError> {
    let (sha256, _) = hash_file(wheel)?;
    let target = cache.join(format!("{sha256}.whl"));
    if target.is_file() {
        return Ok(target);
    }
    fs_err::create_dir_all(cache)?;
    let temp = tempfile::Builder::new()
        .prefix(".wheel-")
        .tempfile_in(cache)?;
    normalize_wheel(wheel, temp.path(), DateTime::default())?;
    temp.persist(&target).map_err(|err| BundleError::Output {
        path: target.clone(),
        message: err.error.to_string(),
    })?;
    Ok(target)
}

/// Where a wheel member lands relative to site-packages: the root and `.data/purelib` or
/// `.data/platlib` do; the other `.data` schemes (`scripts`, `data`, `headers`) do not.
/// `data_dir` is the wheel's `{name}-{version}.data`.
pub fn site_packages_path<'a>(member: &'a str, data_dir: &str) -> Option<&'a str> {
    match member
        .strip_prefix(data_dir)
        .and_then(|rest| rest.strip_prefix('/'))
    {
        Some(rest) => rest
            .strip_prefix("purelib/")
            .or_else(|| rest.strip_prefix("platlib/")),
        None => Some(member),
    }
}

/// Whether a wheel installs a `.pth` file at the top of site-packages.
fn has_top_level_pth(path: &Path, filename: &WheelFilename) -> Result<bool, BundleError> {
    let archive =
        ZipArchive::new(fs_err::File::open(path)?).map_err(|err| BundleError::zip(path, err))?;
    let data = filename.data_dir();
    Ok(archive.file_names().flatten().any(|name| {
        site_packages_path(&name, &data)
            .is_some_and(|path| !path.contains('/') && path.ends_with(".pth"))
    }))
}

/// sha256 (hex) and size of a file.
fn hash_file(path: &Path) -> Result<(String, u64), BundleError> {
    let mut file = fs_err::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut size = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        size += read as u64;
    }
    Ok((hex(&hasher.finalize()), size))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// sha256 of the bootstrap sources: bundles written by another bootstrap extract elsewhere.
fn bootstrap_hash() -> String {
    let mut hasher = Sha256::new();
    hasher.update(MAIN_TEMPLATE.as_bytes());
    hasher.update(BOOTSTRAP.as_bytes());
    hex(&hasher.finalize())
}

/// The timestamp members carry: `SOURCE_DATE_EPOCH` (clamped to what zip can hold), else
/// 1980-01-01.
pub(crate) fn zip_time(epoch: Option<u64>) -> DateTime {
    let Some(epoch) = epoch else {
        return DateTime::default();
    };
    let (year, month, day, hour, minute, second) = civil(epoch.max(ZIP_EPOCH));
    DateTime::from_date_and_time(year.min(2107) as u16, month, day, hour, minute, second)
        .unwrap_or_default()
}

fn rfc3339(epoch: u64) -> String {
    let (year, month, day, hour, minute, second) = civil(epoch);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

/// Seconds since 1970 → UTC date and time (Howard Hinnant's days-to-civil).
fn civil(epoch: u64) -> (i64, u8, u8, u8, u8, u8) {
    let days = (epoch / 86_400) as i64;
    let seconds = epoch % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (seconds / 3600) as u8,
        ((seconds % 3600) / 60) as u8,
        (seconds % 60) as u8,
    )
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<(), BundleError> {
    use std::os::unix::fs::PermissionsExt;
    fs_err::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<(), BundleError> {
    Ok(())
}

/// A writer whose positions start after a prefix (the shebang line), so that the zip's
/// offsets are relative to the zip itself, as zipapp writes them.
struct OffsetWriter<'a> {
    inner: &'a mut std::fs::File,
    start: u64,
}

impl Write for OffsetWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Seek for OffsetWriter<'_> {
    fn seek(&mut self, position: SeekFrom) -> std::io::Result<u64> {
        let position = match position {
            SeekFrom::Start(offset) => SeekFrom::Start(offset + self.start),
            other => other,
        };
        Ok(self.inner.seek(position)? - self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_packages_paths() {
        let data = "demo-1.0.data";
        assert_eq!(site_packages_path("demo/x.py", data), Some("demo/x.py"));
        assert_eq!(
            site_packages_path("demo-1.0.data/platlib/a.pth", data),
            Some("a.pth")
        );
        assert_eq!(site_packages_path("demo-1.0.data/scripts/tool", data), None);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil(ZIP_EPOCH), (1980, 1, 1, 0, 0, 0));
        assert_eq!(civil(1_700_000_000), (2023, 11, 14, 22, 13, 20));
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
