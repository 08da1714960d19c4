//! Rendering the pages: PEP 503 HTML, PEP 691 JSON (with PEP 658 and PEP 700 fields) and
//! a flat find-links page. Pure: state in, (path, contents) out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Component, Path};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;
use wharf_pep::Version;

use crate::state::{Entry, State};

/// Characters escaped in a file name used as a URL path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// How pages link to distribution files.
pub(crate) struct Links {
    /// Prefix from a project page (`simple/<name>/`).
    project: String,
    /// Prefix from the find-links page (the output directory).
    flat: String,
}

impl Links {
    pub(crate) fn new(dir: &Path, output: &Path, base_url: Option<&str>) -> Self {
        if let Some(base) = base_url {
            let base = format!("{}/", base.trim_end_matches('/'));
            return Self {
                project: base.clone(),
                flat: base,
            };
        }
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let output = output
            .canonicalize()
            .unwrap_or_else(|_| output.to_path_buf());
        let flat = relative(&output, &dir);
        Self {
            project: format!("../../{flat}"),
            flat,
        }
    }
}

/// The URL prefix (ending in `/`, or empty) that leads from directory `from` to `to`.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut prefix = "../".repeat(from.len() - common);
    for component in &to[common..] {
        let segment = component.as_os_str().to_string_lossy();
        prefix.push_str(&utf8_percent_encode(&segment, SEGMENT).to_string());
        prefix.push('/');
    }
    prefix
}

pub(crate) struct Pages {
    /// Path relative to the output directory, and contents.
    pub(crate) files: Vec<(String, String)>,
    /// Normalized project names.
    pub(crate) projects: BTreeSet<String>,
}

pub(crate) fn pages(state: &State, links: &Links) -> Pages {
    let mut by_project: BTreeMap<&str, Vec<(Version, &str, &Entry)>> = BTreeMap::new();
    for (filename, entry) in &state.files {
        let version = entry.version.parse().unwrap_or_else(|_| Version::new([0]));
        by_project.entry(entry.project.as_str()).or_default().push((
            version,
            filename.as_str(),
            entry,
        ));
    }
    let mut files = Vec::with_capacity(by_project.len() * 2 + 3);
    let mut root = String::from(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Simple index</title>\n  </head>\n  <body>\n",
    );
    let mut root_json = Vec::new();
    let mut flat = String::from(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <title>Links</title>\n  </head>\n  <body>\n",
    );
    for (project, mut entries) in by_project {
        entries.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
        let _ = writeln!(root, "    <a href=\"{0}/\">{0}</a><br/>", escape(project));
        root_json.push(json!({ "name": project }));

        let mut html = format!(
            "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for {0}</title>\n  </head>\n  <body>\n    <h1>Links for {0}</h1>\n",
            escape(project)
        );
        let mut json_files = Vec::with_capacity(entries.len());
        let mut versions: Vec<&Version> = Vec::new();
        for (version, filename, entry) in &entries {
            if versions.last() != Some(&version) {
                versions.push(version);
            }
            let segment = utf8_percent_encode(filename, SEGMENT).to_string();
            let url = format!("{}{segment}", links.project);
            let mut attributes = String::new();
            if let Some(requires_python) = &entry.requires_python {
                let _ = write!(
                    attributes,
                    " data-requires-python=\"{}\"",
                    escape(requires_python)
                );
            }
            if let Some(metadata) = &entry.metadata_sha256 {
                let _ = write!(
                    attributes,
                    " data-dist-info-metadata=\"sha256={metadata}\" data-core-metadata=\"sha256={metadata}\""
                );
            }
            let _ = writeln!(
                html,
                "    <a href=\"{}#sha256={}\"{attributes}>{}</a><br/>",
                escape(&url),
                entry.sha256,
                escape(filename)
            );
            let _ = writeln!(
                flat,
                "    <a href=\"{}{segment}#sha256={}\"{attributes}>{}</a><br/>",
                escape(&links.flat),
                entry.sha256,
                escape(filename)
            );
            let core_metadata = match &entry.metadata_sha256 {
                Some(hash) => json!({ "sha256": hash }),
                None => json!(false),
            };
            let mut file = json!({
                "filename": filename,
                "url": url,
                "hashes": { "sha256": entry.sha256 },
                "core-metadata": core_metadata,
                "data-dist-info-metadata": core_metadata,
                "size": entry.size,
                "upload-time": iso8601(entry.mtime),
                "yanked": false,
            });
            if let Some(requires_python) = &entry.requires_python {
                file["requires-python"] = json!(requires_python);
            }
            json_files.push(file);
        }
        html.push_str("  </body>\n</html>\n");
        let page = json!({
            "meta": { "api-version": "1.1" },
            "name": project,
            "files": json_files,
            "versions": versions.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        files.push((format!("simple/{project}/index.html"), html));
        files.push((format!("simple/{project}/index.json"), format!("{page}\n")));
    }
    root.push_str("  </body>\n</html>\n");
    flat.push_str("  </body>\n</html>\n");
    let root_page = json!({ "meta": { "api-version": "1.1" }, "projects": root_json });
    files.push(("simple/index.html".to_string(), root));
    files.push(("simple/index.json".to_string(), format!("{root_page}\n")));
    files.push(("index.html".to_string(), flat));
    Pages {
        files,
        projects: state.projects(),
    }
}

/// HTML text and attribute escaping.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// `2024-05-01T12:30:00.000000Z` (PEP 700's ISO 8601 UTC form, as PyPI writes it).
fn iso8601((secs, nanos): (i64, u32)) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        nanos / 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_upload_time() {
        assert_eq!(iso8601((0, 0)), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            iso8601((1_709_251_199, 123_456_789)),
            "2024-02-29T23:59:59.123456Z"
        );
    }

    #[test]
    fn relative_prefixes() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), "");
        assert_eq!(
            relative(Path::new("/a/out"), Path::new("/a/wheels")),
            "../wheels/"
        );
    }

    #[test]
    fn escapes_attributes() {
        assert_eq!(escape(">=3.8,<4"), "&gt;=3.8,&lt;4");
    }
}
