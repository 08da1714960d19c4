//! Parsing simple index pages: PEP 503 HTML (with the PEP 592 `data-yanked`,
//! `data-requires-python` and PEP 658/714 metadata attributes) and PEP 691 JSON (with the
//! PEP 700 `size` and `upload-time` fields), into [`DistFile`]s.

use std::collections::BTreeMap;

use serde::Deserialize;
use url::Url;
use wharf_filename::DistFilename;
use wharf_pep::PackageName;

use crate::{ClientError, DistFile, mask_url};

/// The `Accept` header of project page requests: JSON preferred, HTML understood.
pub(crate) const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// The format of a page, chosen by the response's content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageFormat {
    Html,
    Json,
}

impl PageFormat {
    /// The format for a content type; `None` when it is neither.
    pub(crate) fn from_content_type(content_type: &str) -> Option<Self> {
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match media_type.as_str() {
            "application/vnd.pypi.simple.v1+json"
            | "application/vnd.pypi.simple.latest+json"
            | "application/json" => Some(Self::Json),
            // An empty content type: a static file server that does not know `.html`.
            "application/vnd.pypi.simple.v1+html"
            | "application/vnd.pypi.simple.latest+html"
            | "text/html"
            | "application/xhtml+xml"
            | "" => Some(Self::Html),
            _ => None,
        }
    }
}

/// A link on a page before it is turned into a [`DistFile`].
struct Link {
    url: Url,
    filename: String,
    hashes: Vec<(String, String)>,
    requires_python: Option<String>,
    yanked: Option<String>,
    core_metadata: Option<Option<(String, String)>>,
    size: Option<u64>,
    upload_time: Option<String>,
}

/// Parse a page into the distribution files it lists. `project` filters the files (a
/// find-links page lists every project); `source` is the masked URL recorded on each file.
pub(crate) fn parse_page(
    page_url: &Url,
    body: &[u8],
    content_type: &str,
    project: Option<&PackageName>,
    source: &str,
) -> Result<Vec<DistFile>, ClientError> {
    let invalid = |message: String| ClientError::InvalidPage {
        url: mask_url(page_url),
        content_type: content_type.to_string(),
        message,
    };
    let links = match PageFormat::from_content_type(content_type) {
        Some(PageFormat::Json) => parse_json(page_url, body).map_err(invalid)?,
        Some(PageFormat::Html) => parse_html(page_url, body).map_err(invalid)?,
        None => {
            return Err(invalid(
                "expected HTML or PEP 691 JSON (is this really a package index URL?)".to_string(),
            ));
        }
    };
    // A page repeats a handful of `requires-python` values across thousands of links.
    let mut specifiers = std::collections::HashMap::new();
    Ok(links
        .into_iter()
        .filter_map(|link| into_dist_file(link, project, source, &mut specifiers))
        .collect())
}

fn into_dist_file(
    link: Link,
    project: Option<&PackageName>,
    source: &str,
    specifiers: &mut std::collections::HashMap<String, Option<wharf_pep::VersionSpecifiers>>,
) -> Option<DistFile> {
    let filename = match DistFilename::parse(&link.filename, project) {
        Ok(filename) => filename,
        Err(err) => {
            tracing::debug!("skipping {}: {err}", link.filename);
            return None;
        }
    };
    if let Some(project) = project
        && filename.name() != project
    {
        tracing::debug!("skipping {}: not a file of {project}", link.filename);
        return None;
    }
    let requires_python = link.requires_python.as_deref().and_then(|text| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        specifiers
            .entry(text.to_string())
            .or_insert_with(|| {
                // pip ignores an invalid `requires-python` rather than the file.
                wharf_pep::parse_specifiers_lenient(text)
                    .inspect_err(|err| {
                        tracing::debug!(
                            "ignoring invalid requires-python `{text}` of {}: {err}",
                            link.filename
                        );
                    })
                    .ok()
            })
            .clone()
    });
    Some(DistFile {
        filename,
        url: link.url,
        hashes: link.hashes,
        requires_python,
        yanked: link.yanked,
        core_metadata: link.core_metadata,
        size: link.size,
        upload_time: link.upload_time,
        index: source.to_string(),
    })
}

/// The hashes in a URL fragment (`#sha256=…`), and the URL without it.
fn split_fragment(mut url: Url) -> (Url, Vec<(String, String)>) {
    let mut hashes = Vec::new();
    if let Some(fragment) = url.fragment() {
        for part in fragment.split('&') {
            if let Some((algorithm, value)) = part.split_once('=') {
                let algorithm = algorithm.to_ascii_lowercase();
                if matches!(
                    algorithm.as_str(),
                    "sha256" | "sha384" | "sha512" | "sha224" | "sha1" | "md5" | "blake2b"
                ) && !value.is_empty()
                {
                    hashes.push((algorithm, value.to_ascii_lowercase()));
                }
            }
        }
    }
    url.set_fragment(None);
    (url, hashes)
}

/// The last path segment of a URL, percent-decoded.
fn url_filename(url: &Url) -> Option<String> {
    let segment = url.path_segments()?.next_back()?;
    if segment.is_empty() {
        return None;
    }
    Some(percent_decode(segment))
}

/// Decode `%XX` escapes (invalid UTF-8 is replaced, as in a lossy conversion).
pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A PEP 658 attribute value: `true`, or `algorithm=hex`; `false` or absent means none.
fn parse_metadata_attribute(value: &str) -> Option<Option<(String, String)>> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("false") {
        return None;
    }
    match value.split_once('=') {
        Some((algorithm, hash)) if !hash.is_empty() => Some(Some((
            algorithm.to_ascii_lowercase(),
            hash.to_ascii_lowercase(),
        ))),
        _ => Some(None),
    }
}

/// Check a `pypi:repository-version` / `api-version`: major version 1 is all we know.
fn check_api_version(version: &str) -> Result<(), String> {
    let major = version.split('.').next().unwrap_or("").trim();
    if major == "1" || major.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the page uses simple API version {version}; this wharf supports version 1"
        ))
    }
}

/// A start tag we care about (`<a>`, `<base>`, `<meta>`), with its attributes (character
/// references decoded).
#[derive(Debug, PartialEq)]
struct Tag {
    name: Vec<u8>,
    attributes: Attributes,
}

/// Attribute names (lowercase) and values, in document order.
type Attributes = Vec<(Vec<u8>, String)>;

/// The `<a>`, `<base>` and `<meta>` tags of a page: by the fast scanner when the page is
/// plain machine-written HTML, else by html5gum's full tokenizer.
fn interesting_tags(text: &str) -> Vec<Tag> {
    scan_plain_html(text).unwrap_or_else(|| tokenize_html(text))
}

/// Tags by html5gum (spec-compliant, for any page).
fn tokenize_html(text: &str) -> Vec<Tag> {
    use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
    use html5gum::{Span, Tokenizer};
    // The callback emitter hands out borrowed strings instead of allocating every token:
    // index pages are large (a megabyte and thousands of links for numpy) and only the
    // `<a>`, `<base>` and `<meta>` start tags matter.
    let mut current: Option<Tag> = None;
    let mut attribute_name: Option<Vec<u8>> = None;
    let emitter = CallbackEmitter::new(
        move |event: CallbackEvent<'_>, _span: Span<()>| -> Option<Tag> {
            match event {
                CallbackEvent::OpenStartTag { name } => {
                    current = matches!(name, b"a" | b"base" | b"meta").then(|| Tag {
                        name: name.to_vec(),
                        attributes: Vec::new(),
                    });
                    attribute_name = None;
                }
                CallbackEvent::AttributeName { name } => {
                    // Recorded here, with an empty value: no value event follows `a=""`
                    // (`data-yanked=""` means yanked without a reason). The first of
                    // duplicate attributes wins, as in HTML.
                    attribute_name = None;
                    if let Some(tag) = current.as_mut()
                        && !tag.attributes.iter().any(|(existing, _)| existing == name)
                    {
                        tag.attributes.push((name.to_vec(), String::new()));
                        attribute_name = Some(name.to_vec());
                    }
                }
                CallbackEvent::AttributeValue { value } => {
                    if let (Some(tag), Some(_)) = (current.as_mut(), attribute_name.take())
                        && let Some((_, slot)) = tag.attributes.last_mut()
                    {
                        *slot = String::from_utf8_lossy(value).into_owned();
                    }
                }
                CallbackEvent::CloseStartTag { .. } => return current.take(),
                _ => {}
            }
            None
        },
    );
    Tokenizer::new_with_emitter(text, emitter)
        .flatten()
        .collect()
}

/// Tags of a page that holds nothing but ordinary tags, text and the basic character
/// references, as index servers write them: many times faster than a full tokenizer on
/// megabyte pages. `None` for anything else (comments, raw-text elements such as
/// `<script>`, other references, malformed tags), which the full tokenizer then reads.
fn scan_plain_html(text: &str) -> Option<Vec<Tag>> {
    let bytes = text.as_bytes();
    let mut tags = Vec::new();
    let mut position = 0;
    while let Some(offset) = bytes[position..].iter().position(|&byte| byte == b'<') {
        position += offset + 1;
        match bytes.get(position)? {
            b'!' => {
                // Only a doctype; comments and CDATA go to the full tokenizer.
                let rest = &text[position + 1..];
                if !rest.get(..7)?.eq_ignore_ascii_case("doctype") {
                    return None;
                }
                position += rest.find('>')? + 2;
            }
            b'/' => position += text[position..].find('>')? + 1,
            byte if byte.is_ascii_alphabetic() => {
                let name_end = position
                    + bytes[position..]
                        .iter()
                        .position(|byte| !byte.is_ascii_alphanumeric())?;
                let name = bytes[position..name_end].to_ascii_lowercase();
                if matches!(
                    name.as_slice(),
                    b"script"
                        | b"style"
                        | b"textarea"
                        | b"title"
                        | b"xmp"
                        | b"iframe"
                        | b"noembed"
                        | b"noframes"
                        | b"noscript"
                        | b"plaintext"
                ) {
                    // Raw text: a `<` inside is not a tag. (A title holds text that a
                    // simple page never puts a `<` in, but keep the rule simple.)
                    if name.as_slice() != b"title" {
                        return None;
                    }
                }
                let (attributes, end) = scan_attributes(text, name_end)?;
                position = end;
                if matches!(name.as_slice(), b"a" | b"base" | b"meta") {
                    tags.push(Tag { name, attributes });
                }
            }
            _ => {}
        }
    }
    Some(tags)
}

/// The attributes of a start tag from `start` (after its name) to its `>`; returns them
/// and the position after the `>`.
fn scan_attributes(text: &str, mut position: usize) -> Option<(Attributes, usize)> {
    let bytes = text.as_bytes();
    let mut attributes: Attributes = Vec::new();
    loop {
        while bytes.get(position)?.is_ascii_whitespace() || bytes[position] == b'/' {
            position += 1;
        }
        if bytes[position] == b'>' {
            return Some((attributes, position + 1));
        }
        let name_start = position;
        while !matches!(
            bytes.get(position)?,
            b'=' | b'>' | b'/' | b'"' | b'\'' | b'<'
        ) && !bytes[position].is_ascii_whitespace()
        {
            position += 1;
        }
        if position == name_start {
            return None;
        }
        let name = bytes[name_start..position].to_ascii_lowercase();
        while bytes.get(position)?.is_ascii_whitespace() {
            position += 1;
        }
        let value = if bytes[position] == b'=' {
            position += 1;
            while bytes.get(position)?.is_ascii_whitespace() {
                position += 1;
            }
            let raw = match bytes[position] {
                quote @ (b'"' | b'\'') => {
                    let end =
                        position + 1 + bytes[position + 1..].iter().position(|&b| b == quote)?;
                    let raw = &text[position + 1..end];
                    position = end + 1;
                    raw
                }
                _ => {
                    let end = position
                        + bytes[position..]
                            .iter()
                            .position(|byte| byte.is_ascii_whitespace() || *byte == b'>')?;
                    let raw = &text[position..end];
                    if raw.contains(['"', '\'', '<', '=', '`']) {
                        return None;
                    }
                    position = end;
                    raw
                }
            };
            decode_references(raw)?
        } else {
            String::new()
        };
        // The first of duplicate attributes wins, as in HTML.
        if !attributes.iter().any(|(existing, _)| *existing == name) {
            attributes.push((name, value));
        }
    }
}

/// Decode the character references index pages use (`&amp;`, `&lt;`, `&gt;`, `&quot;`,
/// `&apos;` and numeric ones); `None` for any other, left to the full tokenizer.
fn decode_references(raw: &str) -> Option<String> {
    if !raw.contains('&') {
        return Some(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(index) = rest.find('&') {
        out.push_str(&rest[..index]);
        rest = &rest[index + 1..];
        let end = rest.find(';')?;
        let reference = &rest[..end];
        let decoded = match reference {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let number = reference.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code).filter(|c| *c != '\0')?
            }
        };
        out.push(decoded);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn parse_html(page_url: &Url, body: &[u8]) -> Result<Vec<Link>, String> {
    // PEP 503 pages are UTF-8; binary junk (a proxy's error blob, a truncated response)
    // must not be mistaken for an empty project.
    let text = std::str::from_utf8(body)
        .map_err(|err| format!("the page is not valid UTF-8 text ({err})"))?;
    if text.contains('\0') {
        return Err("the page contains NUL bytes".to_string());
    }
    let attribute = |tag: &Tag, name: &str| -> Option<String> {
        tag.attributes
            .iter()
            .find(|(key, _)| key == name.as_bytes())
            .map(|(_, value)| value.clone())
    };
    let mut base: Option<Url> = None;
    let mut anchors = Vec::new();
    for tag in interesting_tags(text) {
        match tag.name.as_slice() {
            b"base" if base.is_none() => {
                if let Some(href) = attribute(&tag, "href") {
                    base = page_url.join(href.trim()).ok();
                }
            }
            b"meta" => {
                if attribute(&tag, "name").as_deref() == Some("pypi:repository-version")
                    && let Some(version) = attribute(&tag, "content")
                {
                    check_api_version(&version)?;
                }
            }
            b"a" => anchors.push(tag),
            _ => {}
        }
    }
    // The document's base URL is the first `<base href>`, wherever it is.
    let base = base.unwrap_or_else(|| page_url.clone());
    let mut links = Vec::new();
    for anchor in anchors {
        let Some(href) = attribute(&anchor, "href") else {
            continue;
        };
        let Ok(url) = base.join(href.trim()) else {
            tracing::debug!(
                "skipping unparsable link `{href}` on {}",
                mask_url(page_url)
            );
            continue;
        };
        let (url, hashes) = split_fragment(url);
        let Some(filename) = url_filename(&url) else {
            continue;
        };
        let core_metadata = attribute(&anchor, "data-core-metadata")
            .or_else(|| attribute(&anchor, "data-dist-info-metadata"))
            .and_then(|value| parse_metadata_attribute(&value));
        links.push(Link {
            url,
            filename,
            hashes,
            requires_python: attribute(&anchor, "data-requires-python"),
            yanked: attribute(&anchor, "data-yanked"),
            core_metadata,
            size: None,
            // Not in PEP 700 for HTML, but some indexes emit it.
            upload_time: attribute(&anchor, "data-upload-time"),
        });
    }
    Ok(links)
}

#[derive(Deserialize)]
struct JsonPage {
    meta: Option<JsonMeta>,
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
struct JsonMeta {
    #[serde(rename = "api-version")]
    api_version: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrString {
    Bool(bool),
    String(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrHashes {
    Bool(bool),
    Hashes(BTreeMap<String, String>),
}

#[derive(Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: BTreeMap<String, String>,
    #[serde(rename = "requires-python")]
    requires_python: Option<String>,
    yanked: Option<BoolOrString>,
    #[serde(rename = "core-metadata")]
    core_metadata: Option<BoolOrHashes>,
    #[serde(rename = "dist-info-metadata")]
    dist_info_metadata: Option<BoolOrHashes>,
    #[serde(rename = "data-dist-info-metadata")]
    data_dist_info_metadata: Option<BoolOrHashes>,
    size: Option<u64>,
    #[serde(rename = "upload-time")]
    upload_time: Option<String>,
}

/// The preferred hash of a PEP 691 `hashes` dictionary first: sha256, then the others.
fn ordered_hashes(hashes: BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut hashes: Vec<(String, String)> = hashes
        .into_iter()
        .map(|(algorithm, value)| (algorithm.to_ascii_lowercase(), value.to_ascii_lowercase()))
        .collect();
    hashes.sort_by_key(|(algorithm, _)| algorithm != "sha256");
    hashes
}

fn parse_json(page_url: &Url, body: &[u8]) -> Result<Vec<Link>, String> {
    let page: JsonPage =
        serde_json::from_slice(body).map_err(|err| format!("invalid JSON: {err}"))?;
    if let Some(version) = page.meta.and_then(|meta| meta.api_version) {
        check_api_version(&version)?;
    }
    let mut links = Vec::new();
    for file in page.files {
        let Ok(url) = page_url.join(&file.url) else {
            tracing::debug!(
                "skipping unparsable URL `{}` on {}",
                file.url,
                mask_url(page_url)
            );
            continue;
        };
        let (url, fragment_hashes) = split_fragment(url);
        let mut hashes = ordered_hashes(file.hashes);
        if hashes.is_empty() {
            hashes = fragment_hashes;
        }
        let yanked = match file.yanked {
            None | Some(BoolOrString::Bool(false)) => None,
            Some(BoolOrString::Bool(true)) => Some(String::new()),
            Some(BoolOrString::String(reason)) => Some(reason),
        };
        let core_metadata = match file
            .core_metadata
            .or(file.dist_info_metadata)
            .or(file.data_dist_info_metadata)
        {
            None | Some(BoolOrHashes::Bool(false)) => None,
            Some(BoolOrHashes::Bool(true)) => Some(None),
            Some(BoolOrHashes::Hashes(hashes)) => Some(ordered_hashes(hashes).into_iter().next()),
        };
        links.push(Link {
            url,
            filename: file.filename,
            hashes,
            requires_python: file.requires_python,
            yanked,
            core_metadata,
            size: file.size,
            upload_time: file.upload_time,
        });
    }
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> PackageName {
        text.parse().unwrap()
    }

    #[test]
    fn requires_python_with_trailing_comma_is_kept() {
        // celery 5.2.6 on PyPI is listed with `data-requires-python=">=3.7,"`; pip applies
        // it as `>=3.7`.
        let page =
            br#"<a href="celery-5.2.6-py3-none-any.whl" data-requires-python="&gt;=3.7,">x</a>"#;
        let url = Url::parse("https://example.com/simple/celery/").unwrap();
        let files = parse_page(&url, page, "text/html", Some(&name("celery")), "index").unwrap();
        assert_eq!(
            files[0].requires_python.as_ref().unwrap().to_string(),
            ">=3.7"
        );
    }

    #[test]
    fn html_page_with_attributes_and_base() {
        let page = br#"<!DOCTYPE html><html><head><base href="https://files.example.com/pkgs/"></head><body>
            <a href="foo-1.0-py3-none-any.whl#sha256=ABCD" data-requires-python="&gt;=3.8" data-core-metadata="sha256=ef01">foo-1.0-py3-none-any.whl</a>
            <a href="../other/foo-1.1.tar.gz" data-yanked="">foo-1.1.tar.gz</a>
            <a href="foo-2.0-py3-none-any.whl" data-yanked="broken &amp; bad" data-dist-info-metadata="true" data-upload-time="2024-01-01T00:00:00Z">x</a>
            <a href="bar-1.0-py3-none-any.whl">bar</a>
            <a href="foo-notaversion.whl">bad</a>
            </body></html>"#;
        let url = Url::parse("https://example.com/simple/foo/").unwrap();
        let files = parse_page(&url, page, "text/html", Some(&name("foo")), "index").unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(
            files[0].url.as_str(),
            "https://files.example.com/pkgs/foo-1.0-py3-none-any.whl"
        );
        assert_eq!(files[0].hashes, vec![("sha256".into(), "abcd".into())]);
        assert_eq!(
            files[0].requires_python.as_ref().unwrap().to_string(),
            ">=3.8"
        );
        assert_eq!(
            files[0].core_metadata,
            Some(Some(("sha256".into(), "ef01".into())))
        );
        assert_eq!(files[0].yanked, None);
        assert_eq!(
            files[1].url.as_str(),
            "https://files.example.com/other/foo-1.1.tar.gz"
        );
        assert_eq!(files[1].yanked.as_deref(), Some(""));
        assert_eq!(files[2].yanked.as_deref(), Some("broken & bad"));
        assert_eq!(files[2].core_metadata, Some(None));
        assert_eq!(
            files[2].upload_time.as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
    }

    #[test]
    fn json_page() {
        let page = br#"{"meta": {"api-version": "1.1"}, "name": "foo", "files": [
            {"filename": "foo-1.0-py3-none-any.whl", "url": "../../files/foo-1.0-py3-none-any.whl",
             "hashes": {"sha256": "AA", "md5": "bb"}, "requires-python": ">=3.9", "yanked": "old",
             "core-metadata": {"sha256": "cc"}, "size": 12, "upload-time": "2024-01-01T00:00:00.000000Z"},
            {"filename": "foo-1.1.tar.gz", "url": "https://x.org/foo-1.1.tar.gz", "hashes": {},
             "yanked": false, "dist-info-metadata": true}
        ]}"#;
        let url = Url::parse("https://example.com/simple/foo/").unwrap();
        let files = parse_page(
            &url,
            page,
            "application/vnd.pypi.simple.v1+json",
            Some(&name("foo")),
            "index",
        )
        .unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(
            files[0].url.as_str(),
            "https://example.com/files/foo-1.0-py3-none-any.whl"
        );
        assert_eq!(files[0].hashes[0], ("sha256".into(), "aa".into()));
        assert_eq!(files[0].yanked.as_deref(), Some("old"));
        assert_eq!(files[0].size, Some(12));
        assert_eq!(
            files[0].core_metadata,
            Some(Some(("sha256".into(), "cc".into())))
        );
        assert_eq!(files[1].yanked, None);
        assert_eq!(files[1].core_metadata, Some(None));
    }

    #[test]
    fn garbage_is_an_error() {
        let url = Url::parse("https://example.com/simple/foo/").unwrap();
        let error = parse_page(&url, b"\x00\xff<<", "text/html", None, "").unwrap_err();
        assert!(error.to_string().contains("not valid UTF-8"), "{error}");
        let error = parse_page(
            &url,
            b"{nope",
            "application/vnd.pypi.simple.v1+json",
            None,
            "",
        )
        .unwrap_err();
        assert!(error.to_string().contains("invalid JSON"), "{error}");
        let error = parse_page(&url, b"hello", "image/png", None, "").unwrap_err();
        assert!(error.to_string().contains("image/png"), "{error}");
    }

    #[test]
    fn newer_major_api_version_is_refused() {
        let url = Url::parse("https://example.com/simple/foo/").unwrap();
        let page =
            br#"<html><head><meta name="pypi:repository-version" content="2.0"></head></html>"#;
        assert!(parse_page(&url, page, "text/html", None, "").is_err());
    }
}

#[cfg(test)]
mod scanner {
    use super::*;

    /// Pages the fast scanner reads must give exactly what html5gum gives.
    #[test]
    fn fast_scanner_agrees_with_the_tokenizer() {
        let pages = [
            "<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Links for x</title></head><body><h1>Links for x</h1>\n<a href=\"https://h/x-1.0.tar.gz#sha256=ab\" data-requires-python=\"&gt;=3.8,&lt;4\" data-yanked=\"\">x-1.0.tar.gz</a><br/>\n<a href='../../f/x-1.0-py3-none-any.whl' data-dist-info-metadata=\"sha256=cd\" data-core-metadata=\"true\">x-1.0-py3-none-any.whl</a><br />\n</body></html>",
            "<a href=/f/a-1.whl data-yanked=bad&#x20;release&#33;>a</a><A HREF=\"/F/b-1.whl\" href=\"/ignored\">b</A>",
            "<html><base href=\"https://mirror/simple/x/\"><a href=\"x-2.0.zip?a=1&amp;b=2\">x</a>",
            "<a\nhref = \"spaced.whl\"\n data-requires-python = '&quot;q&apos;'>s</a>",
        ];
        for page in pages {
            let fast = scan_plain_html(page).expect("a plain page");
            assert_eq!(fast, tokenize_html(page), "{page}");
        }
    }

    #[test]
    fn unusual_pages_go_to_the_tokenizer() {
        for page in [
            "<!-- <a href=\"hidden.whl\"> --><a href=\"shown.whl\">",
            "<script>var x = '<a href=\"no.whl\">';</script>",
            "<a href=\"x.whl\" title=\"&eacute;\">",
            "<a href=\"x.whl\"",
        ] {
            assert!(scan_plain_html(page).is_none(), "{page}");
        }
        let tags = interesting_tags("<!-- <a href=\"hidden.whl\"> --><a href=\"shown.whl\">");
        assert_eq!(tags.len(), 1);
        assert_eq!(tags[0].attributes[0].1, "shown.whl");
    }
}
