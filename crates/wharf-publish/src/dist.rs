//! The files to upload: found (default `dist/`), checked to be wheels or sdists whose name
//! agrees with their core metadata, hashed, and put in upload order — all before the first
//! byte is sent, so that a bad file stops the command before a release is half published.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use blake2::Blake2b256;
use md5::Md5;
use sha2::{Digest, Sha256};
use wharf_filename::{DistFilename, SdistFilename, WheelFilename};
use wharf_metadata::CoreMetadata;

use crate::PublishError;

/// The kind of a distribution, as the upload API names it (`filetype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DistKind {
    /// A source distribution (`sdist`).
    Sdist,
    /// A wheel (`bdist_wheel`).
    Wheel,
}

impl DistKind {
    /// The `filetype` form field.
    pub fn filetype(self) -> &'static str {
        match self {
            Self::Sdist => "sdist",
            Self::Wheel => "bdist_wheel",
        }
    }
}

/// The digests an index checks the uploaded file against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    /// SHA-256, hex.
    pub sha256: String,
    /// MD5, hex (legacy; still sent, as twine does).
    pub md5: String,
    /// BLAKE2b with a 256-bit digest, hex (what PyPI names files by).
    pub blake2_256: String,
}

/// A distribution ready to upload.
#[derive(Debug, Clone)]
pub struct Distribution {
    /// Where it is.
    pub path: PathBuf,
    /// Its file name.
    pub filename: String,
    /// The parsed file name.
    pub dist_filename: DistFilename,
    /// Wheel or sdist.
    pub kind: DistKind,
    /// The `pyversion` form field: the wheel's Python tag, `source` for an sdist.
    pub pyversion: String,
    /// Its core metadata (METADATA or PKG-INFO).
    pub metadata: CoreMetadata,
    /// Its size in bytes.
    pub size: u64,
    /// Its digests.
    pub digests: Digests,
}

impl Distribution {
    /// Read and check one file: its name, its metadata, and their agreement; hash it.
    pub fn open(path: &Path) -> Result<Self, PublishError> {
        let filename = path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let io = |source| PublishError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file_metadata = fs_err::metadata(path).map_err(|err| {
            if err.kind() == std::io::ErrorKind::NotFound {
                PublishError::NotFound(path.to_path_buf())
            } else {
                io(err)
            }
        })?;
        if !file_metadata.is_file() {
            return Err(PublishError::UnknownFormat {
                path: path.to_path_buf(),
            });
        }
        let invalid_name = |source| PublishError::InvalidFilename {
            path: path.to_path_buf(),
            source,
        };
        let (kind, dist_filename, metadata) = if filename.ends_with(".whl") {
            let wheel = WheelFilename::from_str(&filename).map_err(invalid_name)?;
            let metadata = read_wheel_metadata(path, &wheel)?;
            (DistKind::Wheel, DistFilename::Wheel(wheel), metadata)
        } else if filename.ends_with(".tar.gz") || filename.ends_with(".zip") {
            let metadata = read_sdist_metadata(path)?;
            // Legacy names may hold dashes in the project name: parse knowing it.
            let sdist = SdistFilename::from_str(&filename)
                .or_else(|_| SdistFilename::parse_for(&filename, &metadata.name))
                .map_err(invalid_name)?;
            (DistKind::Sdist, DistFilename::Sdist(sdist), metadata)
        } else {
            return Err(PublishError::UnknownFormat {
                path: path.to_path_buf(),
            });
        };
        if dist_filename.name() != &metadata.name {
            return Err(PublishError::Mismatch {
                path: path.to_path_buf(),
                field: "name",
                in_filename: dist_filename.name().to_string(),
                in_metadata: metadata.raw.name.trim().to_string(),
            });
        }
        if dist_filename.version() != &metadata.version {
            return Err(PublishError::Mismatch {
                path: path.to_path_buf(),
                field: "version",
                in_filename: dist_filename.version().to_string(),
                in_metadata: metadata.raw.version.trim().to_string(),
            });
        }
        let pyversion = match &dist_filename {
            DistFilename::Wheel(wheel) => wheel.python_tags.join("."),
            DistFilename::Sdist(_) => "source".to_string(),
        };
        let digests = hash_file(path).map_err(io)?;
        Ok(Self {
            path: path.to_path_buf(),
            filename,
            dist_filename,
            kind,
            pyversion,
            metadata,
            size: file_metadata.len(),
            digests,
        })
    }
}

/// Whether a file name looks like something an index accepts.
fn is_distribution_name(name: &str) -> bool {
    name.ends_with(".whl") || name.ends_with(".tar.gz") || name.ends_with(".zip")
}

/// The distributions to upload, checked and in upload order.
///
/// With no paths, every wheel and sdist in `working_dir/dist` (other files there, such as
/// the `.gitignore` some build tools write, are ignored). A directory stands for the
/// distributions in it; a file must be a distribution. The same file given twice is
/// uploaded once. Per project, sdists go before wheels; projects keep the order given.
pub fn find_distributions(
    paths: &[PathBuf],
    working_dir: &Path,
) -> Result<Vec<Distribution>, PublishError> {
    let mut files = Vec::new();
    if paths.is_empty() {
        let dir = working_dir.join("dist");
        if !dir.is_dir() {
            return Err(PublishError::NoDistributions(dir));
        }
        files.extend(distributions_in(&dir)?);
        if files.is_empty() {
            return Err(PublishError::NoDistributions(dir));
        }
    } else {
        for path in paths {
            let path = if path.is_absolute() {
                path.clone()
            } else {
                working_dir.join(path)
            };
            if path.is_dir() {
                let found = distributions_in(&path)?;
                if found.is_empty() {
                    return Err(PublishError::NoDistributions(path));
                }
                files.extend(found);
            } else if path.exists() {
                files.push(path);
            } else {
                return Err(PublishError::NotFound(path));
            }
        }
    }
    let mut seen = HashSet::new();
    let mut distributions = Vec::new();
    for file in files {
        let identity = fs_err::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if seen.insert(identity) {
            distributions.push(Distribution::open(&file)?);
        }
    }
    Ok(upload_order(distributions))
}

fn distributions_in(dir: &Path) -> Result<Vec<PathBuf>, PublishError> {
    let entries = fs_err::read_dir(dir).map_err(|source| PublishError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .file_name()
                    .is_some_and(|name| is_distribution_name(&name.to_string_lossy()))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Group by project in order of first appearance; sdists before wheels within a project.
fn upload_order(distributions: Vec<Distribution>) -> Vec<Distribution> {
    let mut projects: Vec<wharf_pep::PackageName> = Vec::new();
    for distribution in &distributions {
        if !projects.contains(&distribution.metadata.name) {
            projects.push(distribution.metadata.name.clone());
        }
    }
    let mut ordered: Vec<(usize, usize, Distribution)> = distributions
        .into_iter()
        .enumerate()
        .map(|(index, distribution)| {
            let project = projects
                .iter()
                .position(|name| name == &distribution.metadata.name)
                .unwrap_or_default();
            (project, index, distribution)
        })
        .collect();
    ordered.sort_by_key(|(project, index, distribution)| {
        (*project, distribution.kind == DistKind::Wheel, *index)
    });
    ordered
        .into_iter()
        .map(|(_, _, distribution)| distribution)
        .collect()
}

fn metadata_error(path: &Path, message: impl Into<String>) -> PublishError {
    PublishError::Metadata {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn parse_metadata(path: &Path, member: &str, bytes: &[u8]) -> Result<CoreMetadata, PublishError> {
    CoreMetadata::parse(bytes).map_err(|err| metadata_error(path, format!("{member}: {err}")))
}

/// A wheel's `{name}-{version}.dist-info/METADATA`, or the only `*.dist-info/METADATA` at
/// the top level when the directory is spelled differently.
fn read_wheel_metadata(path: &Path, wheel: &WheelFilename) -> Result<CoreMetadata, PublishError> {
    let file = fs_err::File::open(path).map_err(|source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|err| metadata_error(path, format!("not a valid zip archive: {err}")))?;
    let expected = format!("{}/METADATA", wheel.dist_info_dir());
    let member = if archive.index_for_name(&expected).is_some() {
        expected
    } else {
        let candidates: Vec<String> = archive
            .file_names()
            .filter_map(Result::ok)
            .filter(|name| {
                let mut parts = name.split('/');
                matches!(
                    (parts.next(), parts.next(), parts.next()),
                    (Some(dir), Some("METADATA"), None) if dir.ends_with(".dist-info")
                )
            })
            .map(|name| name.into_owned())
            .collect();
        match candidates.as_slice() {
            [only] => only.clone(),
            [] => return Err(metadata_error(path, format!("the wheel has no {expected}"))),
            _ => {
                return Err(metadata_error(
                    path,
                    format!("the wheel has several .dist-info directories and no {expected}"),
                ));
            }
        }
    };
    let mut bytes = Vec::new();
    archive
        .by_name(&member)
        .map_err(|err| metadata_error(path, format!("{member}: {err}")))?
        .read_to_end(&mut bytes)
        .map_err(|err| metadata_error(path, format!("{member}: {err}")))?;
    parse_metadata(path, &member, &bytes)
}

/// Whether an archive member is `{top}/PKG-INFO`.
fn is_top_pkg_info(member: &str) -> bool {
    let member = member.trim_start_matches("./");
    let mut parts = member.split('/');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(top), Some("PKG-INFO"), None) if !top.is_empty()
    )
}

/// An sdist's top-level `{name}-{version}/PKG-INFO`.
fn read_sdist_metadata(path: &Path) -> Result<CoreMetadata, PublishError> {
    let file = fs_err::File::open(path).map_err(|source| PublishError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = std::io::BufReader::new(file);
    let name = path.to_string_lossy();
    if name.ends_with(".zip") {
        let mut archive = zip::ZipArchive::new(reader)
            .map_err(|err| metadata_error(path, format!("not a valid zip archive: {err}")))?;
        let member = archive
            .file_names()
            .filter_map(Result::ok)
            .find(|member| is_top_pkg_info(member))
            .map(|member| member.into_owned())
            .ok_or_else(|| metadata_error(path, "the sdist has no PKG-INFO"))?;
        let mut bytes = Vec::new();
        archive
            .by_name(&member)
            .map_err(|err| metadata_error(path, format!("{member}: {err}")))?
            .read_to_end(&mut bytes)
            .map_err(|err| metadata_error(path, format!("{member}: {err}")))?;
        return parse_metadata(path, &member, &bytes);
    }
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(reader));
    let entries = archive
        .entries()
        .map_err(|err| metadata_error(path, format!("not a valid .tar.gz archive: {err}")))?;
    for entry in entries {
        let mut entry = entry
            .map_err(|err| metadata_error(path, format!("not a valid .tar.gz archive: {err}")))?;
        let member = entry
            .path()
            .map(|member| member.to_string_lossy().into_owned());
        let Ok(member) = member else { continue };
        if is_top_pkg_info(&member) {
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|err| metadata_error(path, format!("{member}: {err}")))?;
            return parse_metadata(path, &member, &bytes);
        }
    }
    Err(metadata_error(path, "the sdist has no PKG-INFO"))
}

/// SHA-256, MD5 and BLAKE2b-256 in one pass over the file.
fn hash_file(path: &Path) -> std::io::Result<Digests> {
    let mut file = fs_err::File::open(path)?;
    let mut sha256 = Sha256::new();
    let mut md5 = Md5::new();
    let mut blake2 = Blake2b256::new();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        sha256.update(&buffer[..read]);
        md5.update(&buffer[..read]);
        blake2.update(&buffer[..read]);
    }
    Ok(Digests {
        sha256: hex::encode(sha256.finalize()),
        md5: hex::encode(md5.finalize()),
        blake2_256: hex::encode(blake2.finalize()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wharf_test_support::upload::sdist;
    use wharf_test_support::wheel::WheelBuilder;

    #[test]
    fn opens_a_wheel() {
        let dir = tempfile::tempdir().unwrap();
        let path = WheelBuilder::new("Demo_Pkg", "1.0")
            .tag("py2.py3-none-any")
            .build(dir.path());
        let dist = Distribution::open(&path).unwrap();
        assert_eq!(dist.kind, DistKind::Wheel);
        assert_eq!(dist.pyversion, "py2.py3");
        assert_eq!(dist.metadata.name.as_ref(), "demo-pkg");
        let bytes = fs_err::read(&path).unwrap();
        assert_eq!(dist.size, bytes.len() as u64);
        assert_eq!(dist.digests.sha256, hex::encode(Sha256::digest(&bytes)));
    }

    #[test]
    fn digests_match_known_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        fs_err::write(&path, b"abc").unwrap();
        let digests = hash_file(&path).unwrap();
        assert_eq!(digests.md5, "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            digests.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // hashlib.blake2b(b"abc", digest_size=32).hexdigest()
        assert_eq!(
            digests.blake2_256,
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
    }

    #[test]
    fn opens_an_sdist_with_a_legacy_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = sdist(
            dir.path(),
            "python-dateutil",
            "2.8.2",
            "Metadata-Version: 2.1\nName: python-dateutil\nVersion: 2.8.2\n",
        );
        let dist = Distribution::open(&path).unwrap();
        assert_eq!(dist.kind, DistKind::Sdist);
        assert_eq!(dist.pyversion, "source");
        assert_eq!(dist.metadata.version.to_string(), "2.8.2");
    }

    #[test]
    fn rejects_bad_files_before_anything_else() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.txt");
        fs_err::write(&text, "hello").unwrap();
        assert!(matches!(
            Distribution::open(&text),
            Err(PublishError::UnknownFormat { .. })
        ));
        let bad_name = dir.path().join("not-a-wheel.whl");
        fs_err::write(&bad_name, "x").unwrap();
        assert!(matches!(
            Distribution::open(&bad_name),
            Err(PublishError::InvalidFilename { .. })
        ));
        let garbage = dir.path().join("demo-1.0-py3-none-any.whl");
        fs_err::write(&garbage, "not a zip").unwrap();
        assert!(matches!(
            Distribution::open(&garbage),
            Err(PublishError::Metadata { .. })
        ));
        let mismatch = sdist(
            dir.path(),
            "demo",
            "1.0",
            "Metadata-Version: 2.1\nName: demo\nVersion: 1.1\n",
        );
        let err = Distribution::open(&mismatch).unwrap_err();
        assert!(
            err.to_string()
                .contains("says version `1.0` in its name but `1.1` in its metadata"),
            "{err}"
        );
        assert!(matches!(
            find_distributions(&[dir.path().join("missing.whl")], dir.path()),
            Err(PublishError::NotFound(_))
        ));
    }

    #[test]
    fn default_directory_sdists_first_per_project() {
        let dir = tempfile::tempdir().unwrap();
        let dist_dir = dir.path().join("dist");
        fs_err::create_dir_all(&dist_dir).unwrap();
        WheelBuilder::new("alpha", "1.0").build(&dist_dir);
        WheelBuilder::new("beta", "2.0").build(&dist_dir);
        sdist(
            &dist_dir,
            "beta",
            "2.0",
            "Metadata-Version: 2.1\nName: beta\nVersion: 2.0\n",
        );
        fs_err::write(dist_dir.join(".gitignore"), "*").unwrap();
        let found = find_distributions(&[], dir.path()).unwrap();
        let names: Vec<&str> = found.iter().map(|dist| dist.filename.as_str()).collect();
        assert_eq!(
            names,
            [
                "alpha-1.0-py3-none-any.whl",
                "beta-2.0.tar.gz",
                "beta-2.0-py3-none-any.whl"
            ]
        );
        // The same file twice is uploaded once.
        let twice = find_distributions(
            &[
                PathBuf::from("dist/alpha-1.0-py3-none-any.whl"),
                dist_dir.join("alpha-1.0-py3-none-any.whl"),
            ],
            dir.path(),
        )
        .unwrap();
        assert_eq!(twice.len(), 1);
        assert!(matches!(
            find_distributions(&[], &dist_dir),
            Err(PublishError::NoDistributions(_))
        ));
    }
}
