//! Source distribution checks (PEP 625 and the source distribution format spec): the file
//! name, one top-level `{name}-{version}` directory, PKG-INFO, `pyproject.toml`, and
//! members that stay inside the tree when unpacked.

use std::collections::BTreeSet;
use std::io::{Read, Seek};
use std::str::FromStr;

use wharf_filename::{SdistExtension, SdistFilename};

use crate::{Problem, metadata, wheel};
use wharf_metadata::archive_path::{link_stays_inside, unsafe_reason};

/// The archive extensions a source distribution may have.
const EXTENSIONS: &[&str] = &[".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"];

/// PKG-INFO and pyproject.toml larger than this are not read (they are a few KiB).
const SMALL_FILE_LIMIT: u64 = 16 * 1024 * 1024;

/// Whether `filename` has a source distribution's extension.
pub(crate) fn is_sdist_name(filename: &str) -> bool {
    EXTENSIONS
        .iter()
        .any(|extension| filename.ends_with(extension))
}

/// What the archive holds, whatever its format.
#[derive(Default)]
struct Contents {
    /// Every member path, without a trailing `/`.
    paths: BTreeSet<String>,
    /// Top-level names.
    top_level: BTreeSet<String>,
    /// Member paths that are not inside a top-level directory (files at the root).
    root_files: Vec<String>,
    pkg_info: Option<(String, Vec<u8>)>,
    pyproject: Option<(String, Vec<u8>)>,
}

impl Contents {
    fn add(&mut self, path: &str, is_dir: bool) {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        if path.is_empty() {
            return;
        }
        self.paths.insert(path.to_string());
        match path.split_once('/') {
            Some((top, _)) => {
                self.top_level.insert(top.to_string());
            }
            None => {
                self.top_level.insert(path.to_string());
                if !is_dir {
                    self.root_files.push(path.to_string());
                }
            }
        }
    }

    /// Keep the contents of `{top}/PKG-INFO` and `{top}/pyproject.toml`.
    fn wants(path: &str) -> bool {
        let path = path.trim_start_matches("./");
        matches!(
            path.split_once('/'),
            Some((_, "PKG-INFO" | "pyproject.toml"))
        )
    }

    fn keep(&mut self, path: &str, bytes: Vec<u8>) {
        let path = path.trim_start_matches("./").to_string();
        if path.ends_with("/PKG-INFO") {
            self.pkg_info = Some((path, bytes));
        } else {
            self.pyproject = Some((path, bytes));
        }
    }
}

pub(crate) fn check(filename: &str, reader: impl Read + Seek) -> Vec<Problem> {
    let mut problems = Vec::new();
    let extension = EXTENSIONS
        .iter()
        .find(|extension| filename.ends_with(**extension))
        .copied()
        .unwrap_or(".tar.gz");
    let stem = &filename[..filename.len() - extension.len()];
    let parsed = check_filename(filename, stem, &mut problems);

    let contents = match extension {
        ".tar.gz" => read_tar_gz(filename, reader, &mut problems),
        ".zip" => read_zip(filename, reader, &mut problems),
        _ => return problems,
    };
    let Some(contents) = contents else {
        return problems;
    };

    let top = match contents.top_level.len() {
        0 => {
            problems.push(Problem::error(
                "sdist-empty",
                format!("`{filename}` is empty"),
            ));
            return problems;
        }
        1 => contents.top_level.first().cloned().unwrap_or_default(),
        _ => {
            problems.push(Problem::error(
                "sdist-top-level",
                format!(
                    "`{filename}` must hold a single top-level directory `{stem}`, but holds {}",
                    contents
                        .top_level
                        .iter()
                        .take(5)
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            stem.to_string()
        }
    };
    if contents.top_level.len() == 1 && !contents.root_files.is_empty() {
        problems.push(Problem::error(
            "sdist-top-level",
            format!("`{filename}` has `{top}` as a file at its top level, not a directory"),
        ));
        return problems;
    }
    if top != stem {
        problems.push(Problem::error(
            "sdist-top-level",
            format!(
                "the top-level directory is `{top}`, but the file name says it should be `{stem}`"
            ),
        ));
    }

    match contents
        .pkg_info
        .as_ref()
        .filter(|(path, _)| *path == format!("{top}/PKG-INFO"))
    {
        None => problems.push(Problem::error(
            "pkg-info-missing",
            format!("`{top}/PKG-INFO` is missing; indexes read the sdist's metadata from it"),
        )),
        Some((_, bytes)) => {
            let metadata = metadata::check("PKG-INFO", bytes, &mut problems);
            if let Some(parsed) = &parsed {
                wheel::compare_with_filename(
                    "PKG-INFO",
                    &metadata,
                    &parsed.name,
                    &parsed.version,
                    &mut problems,
                );
            }
            for license in &metadata.license_files {
                if !contents.paths.contains(&format!("{top}/{license}")) {
                    problems.push(Problem::error(
                        "sdist-license-file-missing",
                        format!("`License-File: {license}` is not in the sdist (expected `{top}/{license}`)"),
                    ));
                }
            }
        }
    }

    match contents.pyproject.as_ref().filter(|(path, _)| *path == format!("{top}/pyproject.toml")) {
        None => problems.push(Problem::warning(
            "pyproject-missing",
            format!(
                "`{top}/pyproject.toml` is missing; build frontends fall back to the legacy setuptools build"
            ),
        )),
        Some((path, bytes)) => {
            let parsed = std::str::from_utf8(bytes)
                .map_err(|err| err.to_string())
                .and_then(|text| toml::from_str::<toml::Table>(text).map_err(|err| err.to_string()));
            if let Err(err) = parsed {
                problems.push(Problem::error(
                    "pyproject-invalid",
                    format!("`{path}` is not valid TOML: {}", err.trim()),
                ));
            }
        }
    }
    problems
}

/// Check the name against PEP 625: `{normalized_name}-{normalized_version}.tar.gz`.
fn check_filename(
    filename: &str,
    stem: &str,
    problems: &mut Vec<Problem>,
) -> Option<SdistFilename> {
    let parsed = match SdistFilename::from_str(filename) {
        Ok(parsed) => parsed,
        Err(err) => {
            problems.push(Problem::error("sdist-filename", err.to_string()));
            return None;
        }
    };
    match parsed.extension {
        SdistExtension::TarGz => {}
        SdistExtension::Zip => problems.push(Problem::warning(
            "sdist-legacy-format",
            format!("`{filename}` is a `.zip` sdist; PEP 625 requires `.tar.gz`"),
        )),
        SdistExtension::OtherTar => {
            problems.push(Problem::error(
                "sdist-format",
                format!("`{filename}`: PyPI accepts sdists only as `.tar.gz` (PEP 625)"),
            ));
            return Some(parsed);
        }
    }
    let expected = format!("{}-{}", parsed.name.as_dist_info_name(), parsed.version);
    if stem != expected {
        problems.push(Problem::warning(
            "sdist-filename-not-normalized",
            format!(
                "`{filename}` is not a PEP 625 name: expected `{expected}.tar.gz` (normalized name with underscores, normalized version)"
            ),
        ));
    }
    Some(parsed)
}

fn read_tar_gz(filename: &str, reader: impl Read, problems: &mut Vec<Problem>) -> Option<Contents> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(reader));
    let mut contents = Contents::default();
    let invalid = |err: std::io::Error| {
        Problem::error(
            "sdist-not-tar-gz",
            format!("`{filename}` is not a valid gzip-compressed tar archive: {err}"),
        )
    };
    let entries = match archive.entries() {
        Ok(entries) => entries,
        Err(err) => {
            problems.push(invalid(err));
            return None;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                problems.push(invalid(err));
                return None;
            }
        };
        let path_bytes = entry.path_bytes().into_owned();
        let Ok(path) = String::from_utf8(path_bytes.clone()) else {
            problems.push(Problem::error(
                "sdist-unsafe-path",
                format!(
                    "member `{}` has a name that is not valid UTF-8",
                    String::from_utf8_lossy(&path_bytes)
                ),
            ));
            continue;
        };
        let header = entry.header();
        let kind = header.entry_type();
        if let Some(reason) = unsafe_reason(path.trim_start_matches("./")) {
            problems.push(Problem::error(
                "sdist-unsafe-path",
                format!("member `{path}` {reason}"),
            ));
        }
        use tar::EntryType;
        match kind {
            EntryType::Char | EntryType::Block | EntryType::Fifo => problems.push(Problem::error(
                "sdist-special-file",
                format!("member `{path}` is a device or FIFO; an sdist may hold only files, directories and links"),
            )),
            EntryType::Symlink | EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|target| String::from_utf8_lossy(&target).into_owned())
                    .unwrap_or_default();
                let inside = if kind == EntryType::Symlink {
                    link_stays_inside(path.trim_start_matches("./"), &target, 1)
                } else {
                    // A hard link names another member of the archive.
                    unsafe_reason(target.trim_start_matches("./")).is_none()
                        && target.trim_start_matches("./").contains('/')
                };
                if !inside {
                    problems.push(Problem::error(
                        "sdist-link-outside",
                        format!("member `{path}` links to `{target}`, outside the sdist's directory"),
                    ));
                }
            }
            _ => {}
        }
        contents.add(&path, kind == EntryType::Directory);
        if kind == EntryType::Regular && Contents::wants(&path) && entry.size() <= SMALL_FILE_LIMIT
        {
            let mut bytes = Vec::new();
            if let Err(err) = entry.read_to_end(&mut bytes) {
                problems.push(invalid(err));
                return None;
            }
            contents.keep(&path, bytes);
        }
    }
    Some(contents)
}

fn read_zip(
    filename: &str,
    reader: impl Read + Seek,
    problems: &mut Vec<Problem>,
) -> Option<Contents> {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(err) => {
            problems.push(Problem::error(
                "sdist-not-zip",
                format!("`{filename}` is not a valid zip archive: {err}"),
            ));
            return None;
        }
    };
    let mut contents = Contents::default();
    for index in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(index) else {
            problems.push(Problem::error(
                "sdist-not-zip",
                format!("zip entry {index} of `{filename}` cannot be read"),
            ));
            continue;
        };
        let Ok(path) = entry.name().map(|name| name.to_string()) else {
            problems.push(Problem::error(
                "sdist-unsafe-path",
                format!("zip entry {index} has a name that is not valid UTF-8"),
            ));
            continue;
        };
        if let Some(reason) = unsafe_reason(&path) {
            problems.push(Problem::error(
                "sdist-unsafe-path",
                format!("member `{path}` {reason}"),
            ));
        }
        if entry.is_symlink() {
            let mut target = String::new();
            let _ = entry.read_to_string(&mut target);
            if !link_stays_inside(&path, &target, 1) {
                problems.push(Problem::error(
                    "sdist-link-outside",
                    format!("member `{path}` links to `{target}`, outside the sdist's directory"),
                ));
            }
        }
        contents.add(&path, entry.is_dir());
        if !entry.is_dir()
            && !entry.is_symlink()
            && Contents::wants(&path)
            && entry.size() <= SMALL_FILE_LIMIT
        {
            let mut bytes = Vec::new();
            if entry.read_to_end(&mut bytes).is_ok() {
                contents.keep(&path, bytes);
            }
        }
    }
    Some(contents)
}

#[cfg(test)]
mod tests {
    use crate::testing::{TarMember, metadata, sdist_members, tar_gz, zip};
    use crate::{Severity, check_bytes};

    fn codes(filename: &str, bytes: &[u8]) -> Vec<&'static str> {
        check_bytes(filename, bytes)
            .problems
            .into_iter()
            .map(|problem| problem.code)
            .collect()
    }

    #[test]
    fn a_good_sdist_passes() {
        let report = check_bytes("demo-1.0.tar.gz", &tar_gz(sdist_members()));
        assert_eq!(report.problems, []);
    }

    #[test]
    fn legacy_names_warn() {
        let mut members = sdist_members();
        for member in &mut members {
            if let TarMember::File(path, _) = member {
                *path = match *path {
                    "demo-1.0/PKG-INFO" => "Demo-1.0/PKG-INFO",
                    "demo-1.0/pyproject.toml" => "Demo-1.0/pyproject.toml",
                    _ => "Demo-1.0/demo/__init__.py",
                };
            }
        }
        let report = check_bytes("Demo-1.0.tar.gz", &tar_gz(members));
        assert_eq!(
            report
                .problems
                .iter()
                .map(|p| (p.code, p.severity))
                .collect::<Vec<_>>(),
            [("sdist-filename-not-normalized", Severity::Warning)]
        );
        let files: Vec<(String, Vec<u8>)> = vec![
            (
                "demo-1.0/PKG-INFO".into(),
                metadata("demo", "1.0").into_bytes(),
            ),
            (
                "demo-1.0/pyproject.toml".into(),
                b"[project]\nname = \"demo\"\n".to_vec(),
            ),
        ];
        assert_eq!(codes("demo-1.0.zip", &zip(&files)), ["sdist-legacy-format"]);
        assert_eq!(codes("demo-1.0.tar.bz2", b""), ["sdist-format"]);
    }

    #[test]
    fn structure() {
        assert_eq!(codes("demo-1.0.tar.gz", b"garbage"), ["sdist-not-tar-gz"]);
        let mut two = sdist_members();
        two.push(TarMember::File("other/file", Vec::new()));
        assert!(codes("demo-1.0.tar.gz", &tar_gz(two)).contains(&"sdist-top-level"));
        let wrong_dir = tar_gz(vec![
            TarMember::File("demo/PKG-INFO", metadata("demo", "1.0").into_bytes()),
            TarMember::File("demo/pyproject.toml", Vec::new()),
        ]);
        assert_eq!(codes("demo-1.0.tar.gz", &wrong_dir), ["sdist-top-level"]);
        let no_pkg_info = tar_gz(vec![TarMember::File("demo-1.0/pyproject.toml", Vec::new())]);
        assert_eq!(codes("demo-1.0.tar.gz", &no_pkg_info), ["pkg-info-missing"]);
        let no_pyproject = tar_gz(vec![TarMember::File(
            "demo-1.0/PKG-INFO",
            metadata("demo", "1.0").into_bytes(),
        )]);
        assert_eq!(
            codes("demo-1.0.tar.gz", &no_pyproject),
            ["pyproject-missing"]
        );
        let bad_pyproject = tar_gz(vec![
            TarMember::File("demo-1.0/PKG-INFO", metadata("demo", "1.0").into_bytes()),
            TarMember::File("demo-1.0/pyproject.toml", b"[project\n".to_vec()),
        ]);
        assert_eq!(
            codes("demo-1.0.tar.gz", &bad_pyproject),
            ["pyproject-invalid"]
        );
    }

    #[test]
    fn metadata_must_match_the_name() {
        let mut members = sdist_members();
        members[0] = TarMember::File("demo-1.0/PKG-INFO", metadata("demo", "2.0").into_bytes());
        assert_eq!(
            codes("demo-1.0.tar.gz", &tar_gz(members)),
            ["metadata-version-mismatch"]
        );
    }

    #[test]
    fn unsafe_members() {
        let mut members = sdist_members();
        members.push(TarMember::Symlink("demo-1.0/escape", "../../etc/passwd"));
        members.push(TarMember::Symlink("demo-1.0/fine", "demo/__init__.py"));
        members.push(TarMember::Fifo("demo-1.0/pipe"));
        let found = codes("demo-1.0.tar.gz", &tar_gz(members));
        assert_eq!(found, ["sdist-link-outside", "sdist-special-file"]);
    }

    #[test]
    fn license_files() {
        let text = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nLicense-Expression: MIT\nLicense-File: LICENSE\nDescription-Content-Type: text/plain\n\ndemo\n";
        let mut members = sdist_members();
        members[0] = TarMember::File("demo-1.0/PKG-INFO", text.as_bytes().to_vec());
        assert_eq!(
            codes("demo-1.0.tar.gz", &tar_gz(members)),
            ["sdist-license-file-missing"]
        );
    }
}
