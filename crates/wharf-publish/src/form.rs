//! The fields of the legacy upload form (`:action=file_upload`), as twine sends them: the
//! core metadata under the form's field names (lists repeated), the file's kind and Python
//! tag, and its digests. The file itself (`content`) is added by the uploader.

use std::str::FromStr;

use wharf_pep::Version;

use crate::Distribution;

/// The form fields for a distribution, in order, without the `content` part.
pub fn form_fields(distribution: &Distribution) -> Vec<(&'static str, String)> {
    let raw = &distribution.metadata.raw;
    let mut fields: Vec<(&'static str, String)> = vec![
        (":action", "file_upload".to_string()),
        ("protocol_version", "1".to_string()),
        ("metadata_version", raw.metadata_version.trim().to_string()),
        ("name", safe_name(raw.name.trim())),
        ("version", raw.version.trim().to_string()),
        ("filetype", distribution.kind.filetype().to_string()),
        ("pyversion", distribution.pyversion.clone()),
    ];
    let mut one = |field: &'static str, value: &Option<String>| {
        if let Some(value) = value.as_deref().filter(|value| !value.is_empty()) {
            fields.push((field, value.to_string()));
        }
    };
    one("summary", &raw.summary);
    one("description", &raw.description);
    one("description_content_type", &raw.description_content_type);
    one(
        "keywords",
        &raw.keywords.as_deref().map(|keywords| {
            // Comma-separated, normalized the way `packaging` reads and twine writes them.
            keywords
                .split(',')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(", ")
        }),
    );
    one("home_page", &raw.home_page);
    one("download_url", &raw.download_url);
    one("author", &raw.author);
    one("author_email", &raw.author_email);
    one("maintainer", &raw.maintainer);
    one("maintainer_email", &raw.maintainer_email);
    one("license", &raw.license);
    one("license_expression", &raw.license_expression);
    one("requires_python", &raw.requires_python);
    let mut many = |field: &'static str, values: &[String]| {
        fields.extend(
            values
                .iter()
                .map(|value| value.trim())
                .filter(|value| !value.is_empty())
                .map(|value| (field, value.to_string())),
        );
    };
    many("platform", &raw.platforms);
    many("supported_platform", &raw.supported_platforms);
    many("classifiers", &raw.classifiers);
    many("requires_dist", &raw.requires_dist);
    many("provides_dist", &raw.provides_dist);
    many("obsoletes_dist", &raw.obsoletes_dist);
    many("requires_external", &raw.requires_external);
    let project_urls: Vec<String> = raw
        .project_urls
        .iter()
        .map(|url| project_url(url))
        .collect();
    many("project_urls", &project_urls);
    many("provides_extra", &raw.provides_extras);
    many("dynamic", &raw.dynamic);
    // setuptools writes License-File under older metadata versions, where it is not a
    // field; twine drops it there and so does wharf.
    if metadata_version_at_least(&raw.metadata_version, "2.4") {
        many("license_file", &raw.license_files);
    }
    fields.push(("sha256_digest", distribution.digests.sha256.clone()));
    fields.push(("md5_digest", distribution.digests.md5.clone()));
    fields.push(("blake2_256_digest", distribution.digests.blake2_256.clone()));
    fields
}

/// The project name as Warehouse expects it in the form: runs of characters other than
/// ASCII letters, digits and `.` become one `-` (setuptools' historical `safe_name`).
pub fn safe_name(name: &str) -> String {
    let mut safe = String::with_capacity(name.len());
    let mut in_run = false;
    for character in name.chars() {
        if character.is_ascii_alphanumeric() || character == '.' {
            safe.push(character);
            in_run = false;
        } else if !in_run {
            safe.push('-');
            in_run = true;
        }
    }
    safe
}

/// `Label, URL` with the spacing normalized.
fn project_url(value: &str) -> String {
    match value.split_once(',') {
        Some((label, url)) => format!("{}, {}", label.trim(), url.trim()),
        None => value.trim().to_string(),
    }
}

fn metadata_version_at_least(version: &str, minimum: &str) -> bool {
    match (
        Version::from_str(version.trim()),
        Version::from_str(minimum),
    ) {
        (Ok(version), Ok(minimum)) => version >= minimum,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wharf_test_support::wheel::WheelBuilder;

    fn values<'a>(fields: &'a [(&'static str, String)], name: &str) -> Vec<&'a str> {
        fields
            .iter()
            .filter(|(field, _)| *field == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    #[test]
    fn fields_from_a_wheel_fixture() {
        let dir = tempfile::tempdir().unwrap();
        let path = WheelBuilder::new("My_Pkg", "1.2.0")
            .metadata_field("Summary", "A demo")
            .metadata_field("Author", "Ada")
            .metadata_field("Author-email", "ada@example.com")
            .metadata_field("Keywords", "one,two , three")
            .metadata_field("Classifier", "Programming Language :: Python :: 3")
            .metadata_field("Classifier", "License :: OSI Approved :: MIT License")
            .metadata_field("Project-URL", "Source,https://example.com/src")
            .metadata_field("Description-Content-Type", "text/markdown")
            .metadata_field("License-File", "LICENSE")
            .requires_python(">=3.8")
            .requires("requests>=2")
            .extra("fast", &["orjson"])
            .build(dir.path());
        let distribution = crate::Distribution::open(&path).unwrap();
        let fields = form_fields(&distribution);
        let single = |name| {
            let found = values(&fields, name);
            assert_eq!(found.len(), 1, "{name}: {found:?}");
            found[0].to_string()
        };
        assert_eq!(single(":action"), "file_upload");
        assert_eq!(single("protocol_version"), "1");
        assert_eq!(single("metadata_version"), "2.1");
        assert_eq!(single("name"), "My-Pkg");
        assert_eq!(single("version"), "1.2.0");
        assert_eq!(single("filetype"), "bdist_wheel");
        assert_eq!(single("pyversion"), "py3");
        assert_eq!(single("summary"), "A demo");
        assert_eq!(single("author"), "Ada");
        assert_eq!(single("author_email"), "ada@example.com");
        assert_eq!(single("keywords"), "one, two, three");
        assert_eq!(single("description_content_type"), "text/markdown");
        assert_eq!(single("requires_python"), ">=3.8");
        assert_eq!(single("project_urls"), "Source, https://example.com/src");
        assert_eq!(
            values(&fields, "classifiers"),
            [
                "Programming Language :: Python :: 3",
                "License :: OSI Approved :: MIT License"
            ]
        );
        assert_eq!(
            values(&fields, "requires_dist"),
            ["requests>=2", "orjson; extra == \"fast\""]
        );
        assert_eq!(values(&fields, "provides_extra"), ["fast"]);
        // Metadata 2.1 has no License-File field.
        assert!(values(&fields, "license_file").is_empty());
        assert_eq!(single("sha256_digest"), distribution.digests.sha256);
        assert_eq!(single("md5_digest"), distribution.digests.md5);
        assert_eq!(single("blake2_256_digest"), distribution.digests.blake2_256);
        // Absent metadata is not sent.
        assert!(values(&fields, "maintainer").is_empty());
        assert!(values(&fields, "home_page").is_empty());
    }

    #[test]
    fn safe_names() {
        assert_eq!(safe_name("my_pkg"), "my-pkg");
        assert_eq!(safe_name("zope.interface"), "zope.interface");
        assert_eq!(safe_name("a__-b"), "a-b");
    }

    #[test]
    fn license_files_from_metadata_2_4() {
        assert!(metadata_version_at_least("2.4", "2.4"));
        assert!(metadata_version_at_least("2.5", "2.4"));
        assert!(!metadata_version_at_least("2.1", "2.4"));
        assert!(!metadata_version_at_least("junk", "2.4"));
    }
}
