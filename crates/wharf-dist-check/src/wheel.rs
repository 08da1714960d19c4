//! Wheel checks (PEP 427, PEP 491 and the binary distribution format spec): the file
//! name and its tags, the zip, the one `.dist-info` directory, WHEEL, METADATA and a
//! RECORD that lists every file with its right hash and size.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};
use std::str::FromStr;

use sha2::{Digest, Sha256, Sha384, Sha512};
use wharf_filename::{PlatformTag, WheelFilename};
use wharf_metadata::{EntryPoints, HashDigest, Record, WheelFile};
use wharf_pep::{PackageName, Version};

use crate::{Problem, metadata};
use wharf_metadata::archive_path::unsafe_reason;

/// At most this many unrecorded or missing files are named one by one.
const LISTED: usize = 10;

/// One file of the zip.
struct Member {
    name: String,
    index: usize,
    size: u64,
}

pub(crate) fn check(filename: &str, reader: impl Read + Seek) -> Vec<Problem> {
    let mut problems = Vec::new();
    let parsed = match WheelFilename::from_str(filename) {
        Ok(parsed) => {
            check_filename(filename, &parsed, &mut problems);
            Some(parsed)
        }
        Err(err) => {
            problems.push(Problem::error("wheel-filename", err.to_string()));
            None
        }
    };
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(err) => {
            problems.push(Problem::error(
                "wheel-not-zip",
                format!("`{filename}` is not a valid zip archive: {err}"),
            ));
            return problems;
        }
    };
    if archive.has_duplicate_names() {
        problems.push(Problem::error(
            "wheel-duplicate-entry",
            "the zip has several entries with the same name; installers may unpack either",
        ));
    }

    let mut members: Vec<Member> = Vec::new();
    for index in 0..archive.len() {
        let entry = match archive.by_index_raw(index) {
            Ok(entry) => entry,
            Err(err) => {
                problems.push(Problem::error(
                    "wheel-not-zip",
                    format!("zip entry {index} cannot be read: {err}"),
                ));
                continue;
            }
        };
        let name = match entry.name() {
            Ok(name) => name.to_string(),
            Err(_) => {
                problems.push(Problem::error(
                    "wheel-unsafe-path",
                    format!(
                        "zip entry {index} has a name that is not valid UTF-8: {}",
                        String::from_utf8_lossy(entry.name_raw())
                    ),
                ));
                continue;
            }
        };
        if let Some(reason) = unsafe_reason(&name) {
            problems.push(Problem::error(
                "wheel-unsafe-path",
                format!("zip entry `{name}` {reason}"),
            ));
        }
        if entry.is_symlink() {
            problems.push(Problem::error(
                "wheel-symlink",
                format!(
                    "zip entry `{name}` is a symbolic link; installers write it as a regular file"
                ),
            ));
        }
        if entry.is_dir() {
            continue;
        }
        members.push(Member {
            name,
            index,
            size: entry.size(),
        });
    }

    let Some(dist_info) = find_dist_info(&members, parsed.as_ref(), &mut problems) else {
        return problems;
    };
    check_data_dirs(&members, &dist_info, &mut problems);

    let mut read = |path: &str| -> Option<Vec<u8>> {
        let member = members.iter().find(|member| member.name == path)?;
        let mut entry = archive.by_index(member.index).ok()?;
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).ok()?;
        Some(bytes)
    };

    // WHEEL.
    let wheel_path = format!("{dist_info}/WHEEL");
    match read(&wheel_path) {
        None => problems.push(Problem::error(
            "wheel-file-missing",
            format!("`{wheel_path}` is missing"),
        )),
        Some(bytes) => check_wheel_file(&wheel_path, &bytes, parsed.as_ref(), &mut problems),
    }

    // METADATA.
    let metadata_path = format!("{dist_info}/METADATA");
    match read(&metadata_path) {
        None => problems.push(Problem::error(
            "metadata-missing",
            format!("`{metadata_path}` is missing"),
        )),
        Some(bytes) => {
            let metadata = metadata::check("METADATA", &bytes, &mut problems);
            if let Some(parsed) = &parsed {
                compare_with_filename(
                    "METADATA",
                    &metadata,
                    &parsed.name,
                    &parsed.version,
                    &mut problems,
                );
            }
            for license in &metadata.license_files {
                let path = format!("{dist_info}/licenses/{license}");
                if !members.iter().any(|member| member.name == path) {
                    problems.push(Problem::error(
                        "wheel-license-file-missing",
                        format!(
                            "`License-File: {license}` is not in the wheel (expected `{path}`)"
                        ),
                    ));
                }
            }
        }
    }

    let entry_points_path = format!("{dist_info}/entry_points.txt");
    if let Some(bytes) = read(&entry_points_path)
        && let Err(err) = EntryPoints::parse(&String::from_utf8_lossy(&bytes))
    {
        problems.push(Problem::error(
            "wheel-entry-points",
            format!("`{entry_points_path}` is invalid: {err}"),
        ));
    }

    // RECORD.
    let record_path = format!("{dist_info}/RECORD");
    let Some(record_bytes) = read(&record_path) else {
        problems.push(Problem::error(
            "record-missing",
            format!("`{record_path}` is missing"),
        ));
        return problems;
    };
    let record = match Record::parse(&String::from_utf8_lossy(&record_bytes)) {
        Ok(record) => record,
        Err(err) => {
            problems.push(Problem::error(
                "record-invalid",
                format!("`{record_path}`: {err}"),
            ));
            return problems;
        }
    };
    check_record(
        &record,
        &record_path,
        &dist_info,
        &members,
        &mut archive,
        &mut problems,
    );
    problems
}

fn check_filename(filename: &str, parsed: &WheelFilename, problems: &mut Vec<Problem>) {
    let stem = filename.trim_end_matches(".whl");
    let mut parts = stem.split('-');
    let name = parts.next().unwrap_or_default();
    let version = parts.next().unwrap_or_default();
    let canonical = parsed.name.as_dist_info_name();
    if name != canonical.as_ref() {
        problems.push(Problem::warning(
            "wheel-filename-not-normalized",
            format!(
                "the name in `{filename}` should be written `{canonical}` (lowercase, runs of `-_.` as `_`)"
            ),
        ));
    }
    if version != parsed.version.to_string() {
        problems.push(Problem::warning(
            "wheel-filename-not-normalized",
            format!(
                "the version in `{filename}` should be written in its normalized form `{}`",
                parsed.version
            ),
        ));
    }
    for tag in &parsed.platform_tags {
        match PlatformTag::from_str(tag) {
            Ok(
                PlatformTag::Any
                | PlatformTag::Win32
                | PlatformTag::WinAmd64
                | PlatformTag::WinArm64
                | PlatformTag::WinIa64
                | PlatformTag::Manylinux { .. }
                | PlatformTag::Manylinux1 { .. }
                | PlatformTag::Manylinux2010 { .. }
                | PlatformTag::Manylinux2014 { .. }
                | PlatformTag::Musllinux { .. }
                | PlatformTag::Macos { .. }
                | PlatformTag::Android { .. }
                | PlatformTag::Ios { .. },
            ) => {}
            Ok(PlatformTag::Linux { .. }) => problems.push(Problem::error(
                "wheel-platform-tag",
                format!(
                    "platform tag `{tag}`: PyPI does not accept `linux_*` wheels; repair the wheel to a manylinux or musllinux tag (auditwheel)"
                ),
            )),
            Ok(PlatformTag::Pyodide { .. } | PlatformTag::PyEmscripten { .. }) => {
                problems.push(Problem::warning(
                    "wheel-platform-tag",
                    format!("platform tag `{tag}`: package indexes may not accept WebAssembly wheels"),
                ));
            }
            Ok(_) => problems.push(Problem::error(
                "wheel-platform-tag",
                format!("platform tag `{tag}` is not one PyPI accepts"),
            )),
            Err(err) => problems.push(Problem::error(
                "wheel-platform-tag",
                format!("platform tag `{tag}` is invalid: {err}"),
            )),
        }
    }
}

/// The one `.dist-info` directory, reporting none, several, or one named for another
/// project or version.
fn find_dist_info(
    members: &[Member],
    parsed: Option<&WheelFilename>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let dirs: BTreeSet<&str> = members
        .iter()
        .filter_map(|member| member.name.split_once('/').map(|(top, _)| top))
        .filter(|top| top.ends_with(".dist-info"))
        .collect();
    let dir = match dirs.len() {
        0 => {
            problems.push(Problem::error(
                "dist-info-missing",
                "the wheel has no `.dist-info` directory",
            ));
            return None;
        }
        1 => dirs.first().copied().unwrap_or_default().to_string(),
        _ => {
            problems.push(Problem::error(
                "dist-info-multiple",
                format!(
                    "the wheel has {} `.dist-info` directories ({}); it must have exactly one",
                    dirs.len(),
                    dirs.iter()
                        .map(|dir| format!("`{dir}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            let expected = parsed.map(WheelFilename::dist_info_dir)?;
            return dirs.contains(expected.as_str()).then_some(expected);
        }
    };
    if let Some(parsed) = parsed
        && !stem_matches(
            dir.trim_end_matches(".dist-info"),
            &parsed.name,
            &parsed.version,
        )
    {
        problems.push(Problem::error(
            "dist-info-name",
            format!(
                "`{dir}` does not match the file name: expected `{}`",
                parsed.dist_info_dir()
            ),
        ));
    }
    Some(dir)
}

/// Whether `name-version` names this project and version (compared normalized).
fn stem_matches(stem: &str, name: &PackageName, version: &Version) -> bool {
    stem.rsplit_once('-')
        .is_some_and(|(stem_name, stem_version)| {
            PackageName::from_str(stem_name).ok().as_ref() == Some(name)
                && Version::from_str(stem_version).ok().as_ref() == Some(version)
        })
}

fn check_data_dirs(members: &[Member], dist_info: &str, problems: &mut Vec<Problem>) {
    let expected = format!("{}.data", dist_info.trim_end_matches(".dist-info"));
    let data_dirs: BTreeSet<&str> = members
        .iter()
        .filter_map(|member| member.name.split_once('/').map(|(top, _)| top))
        .filter(|top| top.ends_with(".data"))
        .collect();
    for dir in data_dirs {
        if dir != expected {
            problems.push(Problem::warning(
                "data-dir-name",
                format!("`{dir}` does not match the `.dist-info` directory: installers look for `{expected}`"),
            ));
        }
    }
}

fn check_wheel_file(
    path: &str,
    bytes: &[u8],
    parsed: Option<&WheelFilename>,
    problems: &mut Vec<Problem>,
) {
    let text = String::from_utf8_lossy(bytes);
    let wheel = match WheelFile::parse(&text) {
        Ok(wheel) => wheel,
        Err(err) => {
            problems.push(Problem::error(
                "wheel-file-invalid",
                format!("`{path}`: {err}"),
            ));
            return;
        }
    };
    let has_purelib = text.lines().any(|line| {
        line.split(':')
            .next()
            .is_some_and(|key| key.trim().eq_ignore_ascii_case("root-is-purelib"))
    });
    if !has_purelib {
        problems.push(Problem::error(
            "wheel-file-invalid",
            format!("`{path}` has no `Root-Is-Purelib` field"),
        ));
    }
    let Some(parsed) = parsed else {
        return;
    };
    let declared: BTreeSet<&str> = wheel.tags.iter().map(String::as_str).collect();
    let expected_tags = parsed.expanded_tags();
    let expected: BTreeSet<&str> = expected_tags.iter().map(String::as_str).collect();
    if declared != expected {
        let missing: Vec<&str> = expected.difference(&declared).copied().collect();
        let extra: Vec<&str> = declared.difference(&expected).copied().collect();
        let mut details = Vec::new();
        if !missing.is_empty() {
            details.push(format!("missing {}", missing.join(", ")));
        }
        if !extra.is_empty() {
            details.push(format!("not in the file name {}", extra.join(", ")));
        }
        problems.push(Problem::error(
            "wheel-tags",
            format!(
                "the `Tag` lines of `{path}` do not match the file name's tags ({})",
                details.join("; ")
            ),
        ));
    }
    let build = parsed
        .build
        .as_ref()
        .map(|build| format!("{}{}", build.number, build.suffix));
    if wheel.build.as_deref().map(str::trim) != build.as_deref() {
        problems.push(Problem::error(
            "wheel-build-tag",
            format!(
                "`{path}` says `Build: {}` but the file name's build tag is `{}`",
                wheel.build.as_deref().unwrap_or("(none)"),
                build.as_deref().unwrap_or("(none)")
            ),
        ));
    }
}

/// METADATA's name and version against the file name's.
pub(crate) fn compare_with_filename(
    label: &str,
    metadata: &metadata::Metadata,
    name: &PackageName,
    version: &Version,
    problems: &mut Vec<Problem>,
) {
    if let Some(metadata_name) = &metadata.name
        && metadata_name != name
    {
        problems.push(Problem::error(
            "metadata-name-mismatch",
            format!(
                "{label} says `Name: {}` but the file name is for `{name}`",
                metadata.raw_name.as_deref().unwrap_or_default()
            ),
        ));
    }
    if let Some(metadata_version) = &metadata.version
        && metadata_version != version
    {
        problems.push(Problem::error(
            "metadata-version-mismatch",
            format!(
                "{label} says `Version: {metadata_version}` but the file name has version {version}"
            ),
        ));
    }
}

fn check_record<R: Read + Seek>(
    record: &Record,
    record_path: &str,
    dist_info: &str,
    members: &[Member],
    archive: &mut zip::ZipArchive<R>,
    problems: &mut Vec<Problem>,
) {
    let unsigned = |path: &str| {
        path == record_path
            || path == format!("{dist_info}/RECORD.jws")
            || path == format!("{dist_info}/RECORD.p7s")
    };
    let mut rows: BTreeMap<&str, &wharf_metadata::RecordEntry> = BTreeMap::new();
    for entry in &record.entries {
        if rows.insert(entry.path.as_str(), entry).is_some() {
            problems.push(Problem::error(
                "record-duplicate",
                format!("RECORD lists `{}` more than once", entry.path),
            ));
        }
        if let Some(reason) = unsafe_reason(&entry.path) {
            problems.push(Problem::error(
                "record-unsafe-path",
                format!("RECORD lists `{}`, which {reason}", entry.path),
            ));
        }
    }
    let in_zip: BTreeSet<&str> = members.iter().map(|member| member.name.as_str()).collect();

    let unrecorded: Vec<&str> = members
        .iter()
        .map(|member| member.name.as_str())
        .filter(|name| !rows.contains_key(name) && !unsigned(name))
        .collect();
    report_list(
        problems,
        "record-unlisted",
        "is in the wheel but not listed in RECORD",
        "files in the wheel are not listed in RECORD",
        &unrecorded,
    );
    let missing: Vec<&str> = rows
        .keys()
        .copied()
        .filter(|path| !in_zip.contains(path) && !path.ends_with('/'))
        .collect();
    report_list(
        problems,
        "record-missing-file",
        "is listed in RECORD but not in the wheel",
        "files listed in RECORD are not in the wheel",
        &missing,
    );

    for member in members {
        let Some(row) = rows.get(member.name.as_str()) else {
            continue;
        };
        if unsigned(&member.name) {
            continue;
        }
        let Some(expected) = &row.hash else {
            problems.push(Problem::error(
                "record-no-hash",
                format!("RECORD lists `{}` without a hash", member.name),
            ));
            continue;
        };
        if row.size.is_some_and(|size| size != member.size) {
            problems.push(Problem::error(
                "record-size-mismatch",
                format!(
                    "`{}` is {} bytes but RECORD says {}",
                    member.name,
                    member.size,
                    row.size.unwrap_or_default()
                ),
            ));
        }
        let actual = match archive.by_index(member.index) {
            Ok(mut entry) => digest(&expected.algorithm, &mut entry),
            Err(err) => {
                problems.push(Problem::error(
                    "wheel-not-zip",
                    format!("`{}` cannot be read from the zip: {err}", member.name),
                ));
                continue;
            }
        };
        match actual {
            Ok(Some(actual)) if actual != *expected => problems.push(Problem::error(
                "record-hash-mismatch",
                format!(
                    "the {} hash of `{}` does not match RECORD (RECORD: {}, file: {})",
                    expected.algorithm, member.name, expected.digest_b64, actual.digest_b64
                ),
            )),
            Ok(Some(_)) => {}
            Ok(None) => problems.push(Problem::error(
                "record-weak-hash",
                format!(
                    "RECORD hashes `{}` with `{}`; use sha256 or stronger",
                    member.name, expected.algorithm
                ),
            )),
            Err(err) => problems.push(Problem::error(
                "wheel-not-zip",
                format!("`{}` cannot be decompressed: {err}", member.name),
            )),
        }
    }
}

/// The digest of everything `reader` yields, or `None` for an algorithm too weak to use.
fn digest(algorithm: &str, reader: &mut impl Read) -> std::io::Result<Option<HashDigest>> {
    fn run<D: Digest>(mut hasher: D, reader: &mut impl Read) -> std::io::Result<Vec<u8>> {
        let mut buffer = [0u8; 64 * 1024];
        loop {
            let read = reader.read(&mut buffer)?;
            if read == 0 {
                return Ok(hasher.finalize().to_vec());
            }
            hasher.update(&buffer[..read]);
        }
    }
    let raw = match algorithm {
        "sha256" => run(Sha256::new(), reader)?,
        "sha384" => run(Sha384::new(), reader)?,
        "sha512" => run(Sha512::new(), reader)?,
        _ => return Ok(None),
    };
    Ok(Some(HashDigest::from_raw(algorithm, &raw)))
}

fn report_list(
    problems: &mut Vec<Problem>,
    code: &'static str,
    single: &str,
    summary: &str,
    paths: &[&str],
) {
    for path in paths.iter().take(LISTED) {
        problems.push(Problem::error(code, format!("`{path}` {single}")));
    }
    if paths.len() > LISTED {
        problems.push(Problem::error(
            code,
            format!("{} more {summary}", paths.len() - LISTED),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{record_for, wheel_files, wheel_with, zip};
    use crate::{Severity, check_bytes};

    const NAME: &str = "demo-1.0-py3-none-any.whl";

    fn codes(filename: &str, bytes: &[u8]) -> Vec<&'static str> {
        check_bytes(filename, bytes)
            .problems
            .into_iter()
            .map(|problem| problem.code)
            .collect()
    }

    fn replace(files: &mut [(String, Vec<u8>)], path: &str, contents: &str) {
        let file = files.iter_mut().find(|(name, _)| name == path).unwrap();
        file.1 = contents.as_bytes().to_vec();
    }

    #[test]
    fn a_good_wheel_passes() {
        let report = check_bytes(NAME, &wheel_with(|_| {}));
        assert_eq!(report.problems, []);
        assert!(report.passed(true));
    }

    #[test]
    fn file_name_problems() {
        assert!(codes("demo-1.0-py3-none.whl", &wheel_with(|_| {})).contains(&"wheel-filename"));
        assert!(
            codes("Demo-1.0-py3-none-any.whl", &wheel_with(|_| {}))
                .contains(&"wheel-filename-not-normalized")
        );
        let linux = wheel_with(|files| {
            replace(
                files,
                "demo-1.0.dist-info/WHEEL",
                "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n",
            );
        });
        let codes = codes("demo-1.0-cp311-cp311-linux_x86_64.whl", &linux);
        assert_eq!(codes, ["wheel-platform-tag"]);
    }

    #[test]
    fn not_a_zip() {
        assert_eq!(codes(NAME, b"not a zip"), ["wheel-not-zip"]);
    }

    #[test]
    fn dist_info_problems() {
        let mut files = wheel_files();
        files.retain(|(path, _)| !path.contains(".dist-info"));
        let none = zip(&files);
        assert!(codes(NAME, &none).contains(&"dist-info-missing"));
        let other = wheel_with(|files| {
            for (path, _) in files.iter_mut() {
                *path = path.replace("demo-1.0.dist-info", "other-1.0.dist-info");
            }
        });
        assert!(codes(NAME, &other).contains(&"dist-info-name"));
        let two =
            wheel_with(|files| files.push(("extra-2.0.dist-info/METADATA".into(), Vec::new())));
        assert!(codes(NAME, &two).contains(&"dist-info-multiple"));
        // A non-normalized but equivalent directory name is accepted.
        let spelled = wheel_with(|files| {
            for (path, _) in files.iter_mut() {
                *path = path.replace("demo-1.0.dist-info", "Demo-1.0.0.dist-info");
            }
        });
        assert!(!codes(NAME, &spelled).contains(&"dist-info-name"));
    }

    #[test]
    fn wheel_file_problems() {
        let tags = wheel_with(|files| {
            replace(
                files,
                "demo-1.0.dist-info/WHEEL",
                "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py2-none-any\n",
            );
        });
        assert_eq!(codes(NAME, &tags), ["wheel-tags"]);
        let version = wheel_with(|files| {
            replace(
                files,
                "demo-1.0.dist-info/WHEEL",
                "Wheel-Version: 2.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            );
        });
        assert_eq!(codes(NAME, &version), ["wheel-file-invalid"]);
        let purelib = wheel_with(|files| {
            replace(
                files,
                "demo-1.0.dist-info/WHEEL",
                "Wheel-Version: 1.0\nTag: py3-none-any\n",
            );
        });
        assert_eq!(codes(NAME, &purelib), ["wheel-file-invalid"]);
        let missing = wheel_with(|files| files.retain(|(path, _)| !path.ends_with("/WHEEL")));
        assert_eq!(codes(NAME, &missing), ["wheel-file-missing"]);
        let build = wheel_with(|_| {});
        assert_eq!(
            codes("demo-1.0-1-py3-none-any.whl", &build),
            ["wheel-build-tag"]
        );
        // Compressed tag sets expand to every combination.
        let multi = wheel_with(|files| {
            replace(
                files,
                "demo-1.0.dist-info/WHEEL",
                "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n",
            );
        });
        assert_eq!(
            codes("demo-1.0-py2.py3-none-any.whl", &multi),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn metadata_problems() {
        let mismatch = wheel_with(|files| {
            replace(
                files,
                "demo-1.0.dist-info/METADATA",
                &crate::testing::metadata("other", "2.0"),
            );
        });
        let codes_found = codes(NAME, &mismatch);
        assert!(codes_found.contains(&"metadata-name-mismatch"));
        assert!(codes_found.contains(&"metadata-version-mismatch"));
        let missing = wheel_with(|files| files.retain(|(path, _)| !path.ends_with("/METADATA")));
        assert_eq!(codes(NAME, &missing), ["metadata-missing"]);
        let bad_rst = wheel_with(|files| {
            replace(
                files,
                "demo-1.0.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nDescription-Content-Type: text/x-rst\n\nTitle\n=====\n\nSee `the docs <https://example.com>`_ and *this.\n",
            );
        });
        let report = check_bytes(NAME, &bad_rst);
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(
            report.problems[0]
                .message
                .contains("line 4: Inline emphasis start-string without end-string.")
        );
    }

    #[test]
    fn license_files() {
        let text = "Metadata-Version: 2.4\nName: demo\nVersion: 1.0\nLicense-Expression: MIT\nLicense-File: LICENSE\nDescription-Content-Type: text/plain\n\ndemo\n";
        let without = wheel_with(|files| replace(files, "demo-1.0.dist-info/METADATA", text));
        assert_eq!(codes(NAME, &without), ["wheel-license-file-missing"]);
        let with = wheel_with(|files| {
            replace(files, "demo-1.0.dist-info/METADATA", text);
            files.push((
                "demo-1.0.dist-info/licenses/LICENSE".into(),
                b"MIT".to_vec(),
            ));
        });
        assert_eq!(codes(NAME, &with), Vec::<&str>::new());
    }

    #[test]
    fn record_problems() {
        // A file that RECORD does not list.
        let mut files = wheel_files();
        let record = record_for(&files, "demo-1.0.dist-info/RECORD");
        files.push(("demo/extra.py".into(), b"x".to_vec()));
        files.push(("demo-1.0.dist-info/RECORD".into(), record.into_bytes()));
        assert_eq!(codes(NAME, &zip(&files)), ["record-unlisted"]);

        // A listed file that is missing, a wrong hash and a wrong size.
        let mut files = wheel_files();
        let mut record = record_for(&files, "demo-1.0.dist-info/RECORD");
        record.push_str("demo/gone.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n");
        replace(&mut files, "demo/__init__.py", "print('changed')\n");
        files.push(("demo-1.0.dist-info/RECORD".into(), record.into_bytes()));
        let found = codes(NAME, &zip(&files));
        assert!(found.contains(&"record-missing-file"), "{found:?}");
        assert!(found.contains(&"record-hash-mismatch"), "{found:?}");
        assert!(found.contains(&"record-size-mismatch"), "{found:?}");

        // No RECORD at all; a RECORD row without a hash; weak hashes; duplicates.
        let mut files = wheel_files();
        assert_eq!(codes(NAME, &zip(&files)), ["record-missing"]);
        let record = "demo/__init__.py,,\ndemo/__init__.py,md5=abc,12\ndemo-1.0.dist-info/METADATA,sha256=x,1\n".to_string()
            + &record_for(&files[2..], "demo-1.0.dist-info/RECORD");
        files.push(("demo-1.0.dist-info/RECORD".into(), record.into_bytes()));
        let found = codes(NAME, &zip(&files));
        assert!(found.contains(&"record-duplicate"), "{found:?}");
        assert!(found.contains(&"record-hash-mismatch"), "{found:?}");
    }

    #[test]
    fn unsafe_paths() {
        let wheel = wheel_with(|files| {
            files.push(("../evil.py".into(), b"x".to_vec()));
            files.push(("/abs.py".into(), b"x".to_vec()));
            files.push(("demo\\win.py".into(), b"x".to_vec()));
        });
        let report = check_bytes(NAME, &wheel);
        let unsafe_paths: Vec<_> = report
            .problems
            .iter()
            .filter(|problem| problem.code == "wheel-unsafe-path")
            .collect();
        assert_eq!(unsafe_paths.len(), 3, "{:?}", report.problems);
        assert!(
            report
                .problems
                .iter()
                .all(|problem| problem.severity == Severity::Error)
        );
    }
}
