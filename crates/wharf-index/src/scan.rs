//! Listing the distribution directory and hashing what is new or changed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use wharf_filename::DistFilename;

use crate::IndexError;
use crate::state::{Entry, State};

/// A file left out of the index, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Skipped {
    /// The file.
    pub path: PathBuf,
    /// Why it was left out.
    pub reason: String,
}

pub(crate) struct Scanned {
    pub(crate) state: State,
    /// PEP 658 metadata of the wheels hashed in this run, by file name.
    pub(crate) new_metadata: Vec<(String, Vec<u8>)>,
    pub(crate) hashed: usize,
    pub(crate) skipped: Vec<Skipped>,
}

const EXTENSIONS: [&str; 6] = [".whl", ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz"];

/// What became of one candidate file.
enum Outcome {
    /// Unchanged since the last run: the stored entry.
    Known(Entry),
    /// Hashed in this run, with the wheel's METADATA.
    Hashed(Entry, Option<Vec<u8>>),
    /// Unreadable or invalid.
    Failed(String),
}

struct Candidate {
    filename: String,
    project: String,
    version: String,
    wheel: bool,
    size: u64,
    mtime: (i64, u32),
}

pub(crate) fn scan(dir: &Path, previous: &State) -> Result<Scanned, IndexError> {
    let read_error = |source| IndexError::ReadDir {
        path: dir.to_path_buf(),
        source,
    };
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_error)? {
        let entry = entry.map_err(read_error)?;
        let Ok(filename) = entry.file_name().into_string() else {
            continue;
        };
        if !EXTENSIONS.iter().any(|ext| filename.ends_with(ext)) {
            continue;
        }
        let path = entry.path();
        // `metadata` follows symlinks: a linked distribution is indexed like a file.
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() => metadata,
            Ok(_) => continue,
            Err(err) => {
                skipped.push(Skipped {
                    path,
                    reason: err.to_string(),
                });
                continue;
            }
        };
        let parsed = match DistFilename::parse(&filename, None) {
            Ok(parsed) => parsed,
            Err(err) => {
                skipped.push(Skipped {
                    path,
                    reason: err.to_string(),
                });
                continue;
            }
        };
        let mtime = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map(|since| (since.as_secs() as i64, since.subsec_nanos()))
            .unwrap_or((0, 0));
        candidates.push(Candidate {
            project: parsed.name().to_string(),
            version: parsed.version().to_string(),
            wheel: matches!(parsed, DistFilename::Wheel(_)),
            filename,
            size: metadata.len(),
            mtime,
        });
    }

    let results: Vec<(Candidate, Outcome)> = candidates
        .into_par_iter()
        .map(|candidate| {
            if let Some(known) = previous.files.get(&candidate.filename)
                && known.size == candidate.size
                && known.mtime == candidate.mtime
                && known.project == candidate.project
                && (known.metadata_sha256.is_none()
                    || dir
                        .join(format!("{}.metadata", candidate.filename))
                        .is_file())
            {
                return (candidate, Outcome::Known(known.clone()));
            }
            let outcome = match hash(&dir.join(&candidate.filename), &candidate) {
                Ok((entry, metadata)) => Outcome::Hashed(entry, metadata),
                Err(reason) => Outcome::Failed(reason),
            };
            (candidate, outcome)
        })
        .collect();

    let mut state = State::new();
    let mut new_metadata = Vec::new();
    let mut hashed = 0;
    for (candidate, outcome) in results {
        match outcome {
            Outcome::Known(entry) => {
                state.files.insert(candidate.filename, entry);
            }
            Outcome::Hashed(entry, metadata) => {
                hashed += 1;
                if let Some(metadata) = metadata {
                    new_metadata.push((candidate.filename.clone(), metadata));
                }
                state.files.insert(candidate.filename, entry);
            }
            Outcome::Failed(reason) => skipped.push(Skipped {
                path: dir.join(&candidate.filename),
                reason,
            }),
        }
    }
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Scanned {
        state,
        new_metadata,
        hashed,
        skipped,
    })
}

/// Hash a file and, for a wheel, extract its METADATA.
fn hash(path: &Path, candidate: &Candidate) -> Result<(Entry, Option<Vec<u8>>), String> {
    let bytes = std::fs::read(path).map_err(|err| err.to_string())?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let (metadata, metadata_sha256, requires_python) = if candidate.wheel {
        let metadata = wheel_metadata(&bytes)?;
        let digest = hex::encode(Sha256::digest(&metadata));
        let requires_python = header(&metadata, "Requires-Python");
        (Some(metadata), Some(digest), requires_python)
    } else {
        // PEP 643: an sdist's PKG-INFO is only trustworthy from Metadata-Version 2.2 with
        // nothing dynamic; sdists get no metadata file at all.
        (None, None, None)
    };
    let entry = Entry {
        project: candidate.project.clone(),
        version: candidate.version.clone(),
        // What was hashed, even if the file grew since the `stat`.
        size: bytes.len() as u64,
        mtime: candidate.mtime,
        sha256,
        metadata_sha256,
        requires_python,
    };
    Ok((entry, metadata))
}

/// The `*.dist-info/METADATA` at the top of a wheel.
fn wheel_metadata(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|err| format!("not a readable zip archive: {err}"))?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|name| name.ok().map(|name| name.into_owned()))
        .filter(|name| {
            name.split_once('/')
                .is_some_and(|(top, rest)| top.ends_with(".dist-info") && rest == "METADATA")
        })
        .collect();
    let [name] = names.as_slice() else {
        return Err(format!(
            "expected one .dist-info/METADATA in the wheel, found {}",
            names.len()
        ));
    };
    let mut file = archive
        .by_name(name)
        .map_err(|err| format!("cannot read {name}: {err}"))?;
    let mut metadata = Vec::new();
    file.read_to_end(&mut metadata)
        .map_err(|err| format!("cannot read {name}: {err}"))?;
    Ok(metadata)
}

/// The first value of an RFC 822 header in the METADATA header block.
fn header(metadata: &[u8], field: &str) -> Option<String> {
    let text = String::from_utf8_lossy(metadata);
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some((key, value)) = line.split_once(':')
            && key.trim().eq_ignore_ascii_case(field)
        {
            let value = value.trim();
            return (!value.is_empty()).then(|| value.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_requires_python_from_headers_only() {
        let metadata =
            b"Metadata-Version: 2.1\nName: a\nRequires-Python: >=3.8\n\nRequires-Python: no";
        assert_eq!(
            header(metadata, "requires-python").as_deref(),
            Some(">=3.8")
        );
        assert_eq!(
            header(b"Name: a\n\nRequires-Python: >=3", "Requires-Python"),
            None
        );
    }
}
