//! Core metadata (`METADATA`, `PKG-INFO`) checked field by field as PyPI's upload
//! validation does (the `packaging.metadata` rules plus the index's own: no local
//! versions, no direct URL dependencies, valid URLs and e-mail addresses, short summaries).
//!
//! The file is split into headers here rather than through `python-pkginfo`, because the
//! checks need what a tolerant reader throws away: repeated single-use fields, unknown
//! fields, folded values and whether the description came from a header or the body.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use wharf_pep::{ExtraName, PackageName, Version, VersionOrUrl};

use crate::Problem;

/// Metadata versions that are standards, oldest first; 2.0 never was one.
const KNOWN_VERSIONS: &[&str] = &["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"];

/// Every core metadata field (lowercase), the version that introduced it, and whether it
/// may appear more than once.
const FIELDS: &[(&str, &str, bool)] = &[
    ("metadata-version", "1.0", false),
    ("name", "1.0", false),
    ("version", "1.0", false),
    ("dynamic", "2.2", true),
    ("platform", "1.0", true),
    ("supported-platform", "1.1", true),
    ("summary", "1.0", false),
    ("description", "1.0", false),
    ("description-content-type", "2.1", false),
    ("keywords", "1.0", false),
    ("home-page", "1.0", false),
    ("download-url", "1.1", false),
    ("author", "1.0", false),
    ("author-email", "1.0", false),
    ("maintainer", "1.2", false),
    ("maintainer-email", "1.2", false),
    ("license", "1.0", false),
    ("license-expression", "2.4", false),
    ("license-file", "2.4", true),
    ("classifier", "1.1", true),
    ("requires-dist", "1.2", true),
    ("requires-python", "1.2", false),
    ("requires-external", "1.2", true),
    ("project-url", "1.2", true),
    ("provides-extra", "2.1", true),
    ("provides-dist", "1.2", true),
    ("obsoletes-dist", "1.2", true),
    ("import-name", "2.5", true),
    ("import-namespace", "2.5", true),
    ("requires", "1.1", true),
    ("provides", "1.1", true),
    ("obsoletes", "1.1", true),
];

/// The longest `Summary` PyPI accepts.
const SUMMARY_LIMIT: usize = 512;

/// The longest `Project-URL` label PyPI accepts.
const PROJECT_URL_LABEL_LIMIT: usize = 32;

/// One header as written.
#[derive(Debug, Clone)]
struct Header {
    /// The lowercase field name.
    name: String,
    /// The value: the first line without leading blanks, then any continuation lines
    /// (with their indentation), joined by `\n`.
    value: String,
}

/// What the rest of a distribution's checks need from its metadata.
#[derive(Debug, Clone, Default)]
pub(crate) struct Metadata {
    /// `Name`, when valid.
    pub name: Option<PackageName>,
    /// `Name` as written.
    pub raw_name: Option<String>,
    /// `Version`, when valid.
    pub version: Option<Version>,
    /// `License-File` paths as written.
    pub license_files: Vec<String>,
}

/// Check a METADATA or PKG-INFO file; `label` names it in messages.
pub(crate) fn check(label: &str, bytes: &[u8], problems: &mut Vec<Problem>) -> Metadata {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(err) => {
            problems.push(Problem::error(
                "metadata-encoding",
                format!("{label} is not valid UTF-8 ({err})"),
            ));
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    let (headers, body) = split_headers(label, &text, problems);
    let mut grouped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for header in &headers {
        grouped
            .entry(header.name.as_str())
            .or_default()
            .push(header.value.as_str());
    }
    let single = |name: &str| grouped.get(name).and_then(|values| values.first().copied());
    let multiple = |name: &str| grouped.get(name).cloned().unwrap_or_default();

    let mut metadata = Metadata::default();

    // Metadata-Version decides which fields may appear.
    let metadata_version = single("metadata-version").map(str::trim);
    let version_rank = match metadata_version {
        None => {
            problems.push(Problem::error(
                "metadata-missing-field",
                format!("{label} has no `Metadata-Version` field"),
            ));
            None
        }
        Some(version) => metadata_version_rank(label, version, problems),
    };

    for (name, values) in &grouped {
        let Some((_, added, multiple_use)) = FIELDS.iter().find(|field| field.0 == *name) else {
            problems.push(Problem::error(
                "metadata-unknown-field",
                format!(
                    "{label} has an unrecognized field `{}`; PyPI and twine reject unknown fields",
                    display_field(name)
                ),
            ));
            continue;
        };
        if !multiple_use && values.len() > 1 {
            problems.push(Problem::error(
                "metadata-duplicate-field",
                format!(
                    "{label} has {} `{}` fields; it may appear only once",
                    values.len(),
                    display_field(name)
                ),
            ));
        }
        // setuptools and wheel wrote `License-File` into 2.1 metadata for years before
        // PEP 639 defined it for 2.4; indexes accept those files.
        let legacy_license_file = *name == "license-file";
        if let Some(rank) = version_rank
            && let Some(added_rank) = KNOWN_VERSIONS.iter().position(|known| known == added)
            && added_rank > rank
            && !legacy_license_file
        {
            problems.push(Problem::error(
                "metadata-field-too-new",
                format!(
                    "{label}: `{}` was introduced in metadata version {added}, but the file declares `Metadata-Version: {}`",
                    display_field(name),
                    metadata_version.unwrap_or_default()
                ),
            ));
        }
    }

    // Name and Version.
    match single("name").map(str::trim) {
        None | Some("") => problems.push(Problem::error(
            "metadata-missing-field",
            format!("{label} has no `Name` field"),
        )),
        Some(name) => {
            metadata.raw_name = Some(name.to_string());
            match PackageName::from_str(name) {
                Ok(parsed) => metadata.name = Some(parsed),
                Err(err) => problems.push(Problem::error(
                    "metadata-invalid-name",
                    format!("{label}: `Name: {name}` is not a valid project name: {err}"),
                )),
            }
        }
    }
    match single("version").map(str::trim) {
        None | Some("") => problems.push(Problem::error(
            "metadata-missing-field",
            format!("{label} has no `Version` field"),
        )),
        Some(version) => match Version::from_str(version) {
            Ok(parsed) => {
                if parsed.is_local() {
                    problems.push(Problem::error(
                        "metadata-local-version",
                        format!(
                            "{label}: `Version: {version}` is a local version; PyPI does not accept local versions"
                        ),
                    ));
                }
                metadata.version = Some(parsed);
            }
            Err(err) => problems.push(Problem::error(
                "metadata-invalid-version",
                format!("{label}: `Version: {version}` is not a valid PEP 440 version: {err}"),
            )),
        },
    }

    if let Some(summary) = single("summary") {
        if summary.contains(['\n', '\r']) {
            problems.push(Problem::error(
                "metadata-summary-multiline",
                format!("{label}: `Summary` must be a single line"),
            ));
        }
        if summary.chars().count() > SUMMARY_LIMIT {
            problems.push(Problem::error(
                "metadata-summary-too-long",
                format!(
                    "{label}: `Summary` is {} characters long; PyPI accepts at most {SUMMARY_LIMIT}",
                    summary.chars().count()
                ),
            ));
        }
    }

    check_requirements(label, &multiple("requires-dist"), "Requires-Dist", problems);
    check_requirements(label, &multiple("provides-dist"), "Provides-Dist", problems);
    check_requirements(
        label,
        &multiple("obsoletes-dist"),
        "Obsoletes-Dist",
        problems,
    );

    if let Some(requires_python) = single("requires-python")
        && let Err(err) = wharf_pep::parse_specifiers_lenient(requires_python.trim())
    {
        problems.push(Problem::error(
            "metadata-invalid-requires-python",
            format!(
                "{label}: `Requires-Python: {}` is not a valid version specifier: {err}",
                requires_python.trim()
            ),
        ));
    }

    for extra in multiple("provides-extra") {
        if ExtraName::from_str(extra.trim()).is_err() {
            problems.push(Problem::error(
                "metadata-invalid-extra",
                format!(
                    "{label}: `Provides-Extra: {}` is not a valid extra name",
                    extra.trim()
                ),
            ));
        }
    }

    for dynamic in multiple("dynamic") {
        let field = dynamic.trim().to_ascii_lowercase();
        if matches!(field.as_str(), "name" | "version" | "metadata-version") {
            problems.push(Problem::error(
                "metadata-invalid-dynamic",
                format!("{label}: `Dynamic: {}` is not allowed", dynamic.trim()),
            ));
        } else if !FIELDS.iter().any(|known| known.0 == field) {
            problems.push(Problem::error(
                "metadata-invalid-dynamic",
                format!(
                    "{label}: `Dynamic: {}` does not name a core metadata field",
                    dynamic.trim()
                ),
            ));
        }
    }

    for field in ["home-page", "download-url"] {
        if let Some(url) = single(field).map(str::trim)
            && let Some(reason) = invalid_url(url)
        {
            problems.push(Problem::error(
                "metadata-invalid-url",
                format!(
                    "{label}: `{}: {url}` is not a valid URL ({reason})",
                    display_field(field)
                ),
            ));
        }
    }
    check_project_urls(label, &multiple("project-url"), problems);

    for field in ["author-email", "maintainer-email"] {
        if let Some(value) = single(field) {
            for address in value.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                if let Some(reason) = invalid_email(address) {
                    problems.push(Problem::error(
                        "metadata-invalid-email",
                        format!(
                            "{label}: `{}` has an invalid address `{address}` ({reason})",
                            display_field(field)
                        ),
                    ));
                }
            }
        }
    }

    let classifiers = multiple("classifier");
    for classifier in &classifiers {
        let classifier = classifier.trim();
        if classifier.starts_with("Private ::") {
            problems.push(Problem::error(
                "metadata-private-classifier",
                format!(
                    "{label}: `Classifier: {classifier}` marks the project private; PyPI rejects `Private ::` classifiers"
                ),
            ));
        } else if !classifier.contains(" :: ") {
            problems.push(Problem::error(
                "metadata-invalid-classifier",
                format!("{label}: `Classifier: {classifier}` is not a trove classifier"),
            ));
        }
    }

    check_license(label, &single, &classifiers, problems);
    // Before 2.4, `License-File` paths followed each tool's own layout: not checked.
    let pep639 = version_rank
        .is_some_and(|rank| rank >= KNOWN_VERSIONS.iter().position(|v| *v == "2.4").unwrap_or(0));
    for path in multiple("license-file").into_iter().filter(|_| pep639) {
        let path = path.trim();
        let reason = if path.contains('*') {
            Some("contains a glob; paths must be resolved")
        } else {
            wharf_metadata::archive_path::unsafe_reason(path)
        };
        match reason {
            Some(reason) => problems.push(Problem::error(
                "metadata-invalid-license-file",
                format!("{label}: `License-File: {path}` {reason}"),
            )),
            None => metadata.license_files.push(path.to_string()),
        }
    }

    // The long description: from the body, or (older metadata) a `Description` header,
    // taken as written, folding indentation included: that is what twine sends to the
    // index and what the index renders.
    let header_description = single("description").map(str::to_string);
    let body = body.filter(|body| !body.trim().is_empty());
    if header_description.is_some() && body.is_some() {
        problems.push(Problem::error(
            "metadata-duplicate-description",
            format!(
                "{label} has both a `Description` field and a message body; keep the description in one place"
            ),
        ));
    }
    let description = body.or(header_description);
    problems.extend(crate::check_description(
        description.as_deref(),
        single("description-content-type").map(str::trim),
    ));

    metadata
}

/// The position of a known metadata version in [`KNOWN_VERSIONS`], reporting others.
fn metadata_version_rank(label: &str, version: &str, problems: &mut Vec<Problem>) -> Option<usize> {
    if let Some(rank) = KNOWN_VERSIONS.iter().position(|known| *known == version) {
        return Some(rank);
    }
    if version == "2.0" {
        problems.push(Problem::warning(
            "metadata-version-2.0",
            format!(
                "{label}: `Metadata-Version: 2.0` was never a standard version; current validators reject it, use 2.1 or later"
            ),
        ));
        // Treat it as 1.2 plus what old wheel builders wrote into it.
        return KNOWN_VERSIONS.iter().position(|known| *known == "2.1");
    }
    let newer = version
        .split_once('.')
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)))
        .is_some_and(|(major, minor)| major == 2 && minor > 5);
    if newer {
        problems.push(Problem::warning(
            "metadata-version-unknown",
            format!(
                "{label}: `Metadata-Version: {version}` is newer than the versions wharf knows (up to 2.5); an index may not accept it yet"
            ),
        ));
        return Some(KNOWN_VERSIONS.len() - 1);
    }
    problems.push(Problem::error(
        "metadata-version-unknown",
        format!(
            "{label}: `Metadata-Version: {version}` is not a known metadata version (1.0, 1.1, 1.2, 2.1–2.5)"
        ),
    ));
    None
}

/// Split the file into headers and body, reporting lines that are not headers.
fn split_headers(
    label: &str,
    text: &str,
    problems: &mut Vec<Problem>,
) -> (Vec<Header>, Option<String>) {
    let mut headers: Vec<Header> = Vec::new();
    let mut lines = text.split_inclusive('\n').enumerate();
    let mut body = None;
    let mut consumed = 0;
    for (index, raw_line) in lines.by_ref() {
        consumed += raw_line.len();
        let line = raw_line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            body = Some(text[consumed..].to_string());
            break;
        }
        if line.starts_with([' ', '\t']) {
            match headers.last_mut() {
                Some(header) => {
                    header.value.push('\n');
                    header.value.push_str(line);
                }
                None => problems.push(Problem::error(
                    "metadata-syntax",
                    format!(
                        "{label} line {}: a continuation line before any field",
                        index + 1
                    ),
                )),
            }
            continue;
        }
        let field = line.split_once(':').filter(|(name, _)| {
            !name.is_empty() && name.bytes().all(|byte| (33..=126).contains(&byte))
        });
        match field {
            Some((name, value)) => headers.push(Header {
                name: name.to_ascii_lowercase(),
                value: value.trim_start_matches([' ', '\t']).to_string(),
            }),
            None => {
                problems.push(Problem::error(
                    "metadata-syntax",
                    format!(
                        "{label} line {} is not a `Field: value` header, and no blank line separates the headers from the description",
                        index + 1
                    ),
                ));
                body = Some(text[consumed - raw_line.len()..].to_string());
                break;
            }
        }
    }
    (headers, body)
}

/// `Name-Like-This` for a lowercase field name.
fn display_field(name: &str) -> String {
    match name {
        "home-page" => "Home-page".to_string(),
        "download-url" => "Download-URL".to_string(),
        "project-url" => "Project-URL".to_string(),
        "author-email" => "Author-email".to_string(),
        "maintainer-email" => "Maintainer-email".to_string(),
        _ => name
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}

fn check_requirements(label: &str, values: &[&str], field: &str, problems: &mut Vec<Problem>) {
    for value in values {
        let value = value.trim();
        match wharf_pep::parse_requirement(value) {
            Ok(requirement) => {
                if let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url {
                    problems.push(Problem::error(
                        "metadata-direct-reference",
                        format!(
                            "{label}: `{field}: {value}` depends on a URL ({url}); PyPI does not accept direct references"
                        ),
                    ));
                }
            }
            Err(err) => problems.push(Problem::error(
                "metadata-invalid-requirement",
                format!(
                    "{label}: `{field}: {value}` is not a valid PEP 508 requirement: {}",
                    err.message
                ),
            )),
        }
    }
}

fn check_project_urls(label: &str, values: &[&str], problems: &mut Vec<Problem>) {
    let mut labels = BTreeSet::new();
    for value in values {
        let (url_label, url) = match value.split_once(',') {
            Some((url_label, url)) => (url_label.trim(), url.trim()),
            None => (value.trim(), ""),
        };
        let problem = |message: String| Problem::error("metadata-invalid-project-url", message);
        if url_label.is_empty() {
            problems.push(problem(format!(
                "{label}: `Project-URL: {value}` has no label"
            )));
        } else if url_label.chars().count() > PROJECT_URL_LABEL_LIMIT {
            problems.push(problem(format!(
                "{label}: the `Project-URL` label `{url_label}` is longer than {PROJECT_URL_LABEL_LIMIT} characters"
            )));
        } else if url.is_empty() {
            problems.push(problem(format!(
                "{label}: `Project-URL: {value}` has no URL (expected `label, URL`)"
            )));
        } else if let Some(reason) = invalid_url(url) {
            problems.push(problem(format!(
                "{label}: `Project-URL: {value}` has an invalid URL ({reason})"
            )));
        }
        if !labels.insert(url_label.to_string()) {
            problems.push(problem(format!(
                "{label}: the `Project-URL` label `{url_label}` appears more than once"
            )));
        }
    }
}

/// Why `text` is not an absolute http(s) URL, as PyPI requires of URL fields.
fn invalid_url(text: &str) -> Option<String> {
    match url::Url::parse(text) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => Some(format!(
            "the scheme must be http or https, not `{}`",
            url.scheme()
        )),
        Ok(url) if url.host_str().is_none_or(str::is_empty) => Some("it has no host".to_string()),
        Ok(_) => None,
        Err(err) => Some(err.to_string()),
    }
}

/// Why an RFC 822 address (`Name <user@example.com>` or a bare address) is invalid.
fn invalid_email(text: &str) -> Option<&'static str> {
    let address = match (text.rfind('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => &text[open + 1..close],
        (None, None) => text,
        _ => return Some("unbalanced `<` `>`"),
    };
    let address = address.trim();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Some("no `@`");
    };
    if local.is_empty() {
        return Some("nothing before the `@`");
    }
    if domain.is_empty()
        || domain.contains(char::is_whitespace)
        || domain.split('.').any(str::is_empty)
    {
        return Some("the domain is invalid");
    }
    if !domain.contains('.') {
        return Some("the domain has no `.`");
    }
    if local.contains(char::is_whitespace) && !local.starts_with('"') {
        return Some("whitespace before the `@`");
    }
    None
}

fn check_license<'a>(
    label: &str,
    single: &dyn Fn(&str) -> Option<&'a str>,
    classifiers: &[&str],
    problems: &mut Vec<Problem>,
) {
    let Some(expression) = single("license-expression").map(str::trim) else {
        return;
    };
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    };
    if let Err(err) = spdx::Expression::parse_mode(expression, mode) {
        // Identifiers are matched case-insensitively by `packaging`, which then writes
        // the canonical case: accept `mit` but say so.
        match spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX) {
            Ok(_) if expression.chars().any(|c| c.is_ascii_lowercase()) => {
                problems.push(Problem::warning(
                    "metadata-license-expression-case",
                    format!(
                        "{label}: `License-Expression: {expression}` is not in canonical SPDX form ({})",
                        err.reason
                    ),
                ));
            }
            _ => problems.push(Problem::error(
                "metadata-invalid-license-expression",
                format!(
                    "{label}: `License-Expression: {expression}` is not a valid SPDX expression: {}",
                    err.reason
                ),
            )),
        }
    }
    let license_classifiers: Vec<&str> = classifiers
        .iter()
        .map(|classifier| classifier.trim())
        .filter(|classifier| classifier.starts_with("License ::"))
        .collect();
    if !license_classifiers.is_empty() {
        problems.push(Problem::warning(
            "metadata-license-classifiers",
            format!(
                "{label}: `License-Expression` supersedes license classifiers (PEP 639); remove {}",
                license_classifiers
                    .iter()
                    .map(|classifier| format!("`{classifier}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if single("license").is_some() {
        problems.push(Problem::warning(
            "metadata-license-and-expression",
            format!(
                "{label} has both `License` and `License-Expression`; PEP 639 deprecates `License` in favour of the expression"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        check("METADATA", text.as_bytes(), &mut problems);
        problems
    }

    fn codes(text: &str) -> Vec<&'static str> {
        problems(text)
            .into_iter()
            .map(|problem| problem.code)
            .collect()
    }

    const GOOD: &str = "Metadata-Version: 2.1\nName: good\nVersion: 1.0\nSummary: A good package\nDescription-Content-Type: text/markdown\n\n# Good\n";

    #[test]
    fn good_metadata_has_no_problems() {
        assert_eq!(problems(GOOD), []);
    }

    #[test]
    fn required_fields() {
        assert!(codes("Name: a\nVersion: 1\n\nx").contains(&"metadata-missing-field"));
        assert!(
            codes("Metadata-Version: 2.1\nVersion: 1\n\nx").contains(&"metadata-missing-field")
        );
        assert!(codes("Metadata-Version: 2.1\nName: a\n\nx").contains(&"metadata-missing-field"));
    }

    #[test]
    fn metadata_versions() {
        assert!(
            codes("Metadata-Version: 3.0\nName: a\nVersion: 1\n")
                .contains(&"metadata-version-unknown")
        );
        assert!(
            codes("Metadata-Version: 2.0\nName: a\nVersion: 1\n").contains(&"metadata-version-2.0")
        );
        let newer = problems("Metadata-Version: 2.7\nName: a\nVersion: 1\n");
        assert!(newer.iter().any(
            |p| p.code == "metadata-version-unknown" && p.severity == crate::Severity::Warning
        ));
        assert!(
            !codes("Metadata-Version: 2.5\nName: a\nVersion: 1\n")
                .contains(&"metadata-version-unknown")
        );
    }

    #[test]
    fn field_newer_than_declared_version() {
        let codes = codes("Metadata-Version: 2.1\nName: a\nVersion: 1\nLicense-Expression: MIT\n");
        assert!(codes.contains(&"metadata-field-too-new"), "{codes:?}");
    }

    #[test]
    fn duplicates_and_unknown_fields() {
        let codes = codes("Metadata-Version: 2.1\nName: a\nName: b\nVersion: 1\nX-Custom: 1\n");
        assert!(codes.contains(&"metadata-duplicate-field"));
        assert!(codes.contains(&"metadata-unknown-field"));
    }

    #[test]
    fn versions_and_names() {
        assert!(
            codes("Metadata-Version: 2.1\nName: a\nVersion: 1.0-foo\n")
                .contains(&"metadata-invalid-version")
        );
        assert!(
            codes("Metadata-Version: 2.1\nName: a\nVersion: 1.0+local\n")
                .contains(&"metadata-local-version")
        );
        assert!(
            codes("Metadata-Version: 2.1\nName: -bad-\nVersion: 1\n")
                .contains(&"metadata-invalid-name")
        );
    }

    #[test]
    fn summary_rules() {
        let long = "x".repeat(513);
        assert!(
            codes(&format!(
                "Metadata-Version: 2.1\nName: a\nVersion: 1\nSummary: {long}\n"
            ))
            .contains(&"metadata-summary-too-long")
        );
        assert!(
            codes("Metadata-Version: 2.1\nName: a\nVersion: 1\nSummary: one\n  two\n")
                .contains(&"metadata-summary-multiline")
        );
    }

    #[test]
    fn requirements() {
        let codes = codes(
            "Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b >>> 1\nRequires-Dist: c @ https://example.com/c.whl\nRequires-Python: >=3.7.*\nProvides-Extra: ok_extra\nProvides-Extra: bad extra\n",
        );
        assert!(codes.contains(&"metadata-invalid-requirement"));
        assert!(codes.contains(&"metadata-direct-reference"));
        assert!(codes.contains(&"metadata-invalid-requires-python"));
        assert_eq!(
            codes
                .iter()
                .filter(|c| **c == "metadata-invalid-extra")
                .count(),
            1
        );
        // A trailing comma is accepted, as `packaging` accepts it.
        assert!(
            !super::tests::codes(
                "Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: >=3.7,\n"
            )
            .contains(&"metadata-invalid-requires-python")
        );
    }

    #[test]
    fn urls_and_emails() {
        let codes = codes(
            "Metadata-Version: 2.1\nName: a\nVersion: 1\nHome-page: example.com\nProject-URL: Source, https://example.com/src\nProject-URL: Source, https://example.com/other\nProject-URL: Docs\nProject-URL: This label is far longer than thirty-two characters, https://example.com\nAuthor-email: Someone <someone@example.com>, nobody\n",
        );
        assert_eq!(
            codes
                .iter()
                .filter(|c| **c == "metadata-invalid-url")
                .count(),
            1
        );
        assert_eq!(
            codes
                .iter()
                .filter(|c| **c == "metadata-invalid-project-url")
                .count(),
            3
        );
        assert_eq!(
            codes
                .iter()
                .filter(|c| **c == "metadata-invalid-email")
                .count(),
            1
        );
    }

    #[test]
    fn classifiers() {
        let codes = codes(
            "Metadata-Version: 2.1\nName: a\nVersion: 1\nClassifier: Private :: Do Not Upload\nClassifier: Programming Language :: Python\nClassifier: nonsense\n",
        );
        assert!(codes.contains(&"metadata-private-classifier"));
        assert!(codes.contains(&"metadata-invalid-classifier"));
    }

    #[test]
    fn license_expression() {
        assert_eq!(
            problems(
                "Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense-File: LICENSE\nDescription-Content-Type: text/plain\n\nx"
            ),
            []
        );
        assert!(
            codes(
                "Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense-Expression: Not-A-License\n"
            )
            .contains(&"metadata-invalid-license-expression")
        );
        assert!(
            codes("Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense-Expression: mit\n")
                .contains(&"metadata-license-expression-case")
        );
        assert!(codes("Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense-Expression: MIT\nClassifier: License :: OSI Approved :: MIT License\n").contains(&"metadata-license-classifiers"));
        assert!(
            codes("Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense-File: ../LICENSE\n")
                .contains(&"metadata-invalid-license-file")
        );
        assert!(
            codes("Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense-File: LICEN*\n")
                .contains(&"metadata-invalid-license-file")
        );
    }

    #[test]
    fn legacy_license_file_is_accepted() {
        // six 1.17.0 on PyPI: setuptools wrote `License-File` into 2.1 metadata.
        let mut problems = Vec::new();
        let metadata = check(
            "METADATA",
            b"Metadata-Version: 2.1\nName: six\nVersion: 1.17.0\nLicense-File: LICENSE\nDescription-Content-Type: text/plain\n\nsix\n",
            &mut problems,
        );
        assert_eq!(problems, []);
        assert!(metadata.license_files.is_empty());
    }

    #[test]
    fn dynamic() {
        let codes = codes(
            "Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: Version\nDynamic: Nonsense\nDynamic: Requires-Dist\n",
        );
        assert_eq!(
            codes
                .iter()
                .filter(|c| **c == "metadata-invalid-dynamic")
                .count(),
            2
        );
    }

    #[test]
    fn description_in_header_and_body() {
        let codes = codes(
            "Metadata-Version: 1.2\nName: a\nVersion: 1\nDescription: one\n        two\n\nbody\n",
        );
        assert!(codes.contains(&"metadata-duplicate-description"));
    }

    #[test]
    fn folded_description_is_rendered_as_written() {
        // twine sends the folded value, indentation included, and so the underline ends
        // up indented under the title: docutils (and PyPI) reject it.
        let found = problems(
            "Metadata-Version: 1.2\nName: a\nVersion: 1\nDescription: Title\n        =====\n        \n        Text.\n",
        );
        assert!(
            found.iter().any(|p| p
                .message
                .contains("Unexpected section title or transition.")),
            "{found:?}"
        );
        // Plain paragraphs survive the indentation.
        let found = problems(
            "Metadata-Version: 1.2\nName: a\nVersion: 1\nDescription: One.\n        \n        Two.\n",
        );
        assert!(
            found.iter().all(|p| !p.code.starts_with("rst")),
            "{found:?}"
        );
    }

    #[test]
    fn not_a_header() {
        assert!(
            codes("Metadata-Version: 2.1\nName: a\nVersion: 1\nthis is not a header\n")
                .contains(&"metadata-syntax")
        );
    }
}
