//! A local package index for tests: serves the wheels and sdists of a directory as a PEP 503
//! (HTML) and PEP 691 (JSON) simple index on 127.0.0.1, with the optional behaviours of real
//! indexes switched on per test (PEP 658 metadata files, range requests, yanked files,
//! `requires-python`, failures, garbage pages, truncated downloads, basic auth).
//!
//! The directory is read again on every request, so a test may add files while the server
//! runs. Every request is logged so that tests can assert what a client asked for (a range
//! request, a `.metadata` fetch, that a second index was never asked for a project).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use futures::StreamExt;
use sha2::{Digest, Sha256};

/// What the index does beyond serving plain PEP 503 pages.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// Serve PEP 691 JSON to clients that ask for it (HTML is always served too).
    pub json: bool,
    /// Serve PEP 658/714 `.metadata` files and advertise them on the pages.
    pub metadata_files: bool,
    /// Honour `Range` on file downloads and advertise `Accept-Ranges: bytes`.
    pub range_requests: bool,
    /// Files marked yanked (PEP 592): `(filename, reason)`; an empty reason yanks without one.
    pub yanked: Vec<(String, String)>,
    /// `requires-python` per file: `(filename, specifiers)`.
    pub requires_python: Vec<(String, String)>,
    /// Projects whose page answers with this status: `(project, status)`.
    pub fail_projects: Vec<(String, u16)>,
    /// Projects whose page is garbage (neither HTML nor JSON).
    pub garbage_projects: Vec<String>,
    /// Files of which only the first half of the bytes is sent.
    pub truncate_files: Vec<String>,
    /// Files whose download sends half of the bytes and then stalls forever (for
    /// interrupting a client mid-download).
    pub stall_files: Vec<String>,
    /// Require this user and password (HTTP basic auth) on every request.
    pub basic_auth: Option<(String, String)>,
    /// The `Cache-Control` header of project pages; none by default, so that clients
    /// revalidate (every page carries an `ETag`).
    pub cache_control: Option<String>,
}

/// One request the server received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The path as requested (percent-encoded), with the query if any.
    pub path: String,
    /// The `Range` header, if sent.
    pub range: Option<String>,
    /// Whether an `Authorization` header was sent.
    pub authorization: bool,
    /// Whether an `If-None-Match` or `If-Modified-Since` header was sent.
    pub conditional: bool,
    /// The response status.
    pub status: u16,
}

/// A running index; stops when dropped.
pub struct IndexServer {
    /// The simple index URL, `http://127.0.0.1:PORT/simple/`.
    pub url: String,
    /// The server root, `http://127.0.0.1:PORT`.
    pub base: String,
    state: Arc<ServerState>,
    _server: crate::server::Background,
}

struct ServerState {
    dir: PathBuf,
    options: IndexOptions,
    log: Mutex<Vec<LoggedRequest>>,
}

impl IndexServer {
    /// Serve every `*.whl` and sdist in `dir` on a random port of 127.0.0.1.
    ///
    /// Panics when the server cannot start: this is test support.
    pub fn serve(dir: &Path, options: IndexOptions) -> IndexServer {
        let state = Arc::new(ServerState {
            dir: dir.to_path_buf(),
            options,
            log: Mutex::new(Vec::new()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        let server = crate::server::Background::serve("index-server", router);
        let port = server.port;
        let base = format!("http://127.0.0.1:{port}");
        IndexServer {
            url: format!("{base}/simple/"),
            base,
            state,
            _server: server,
        }
    }

    /// The requests received so far, as `"GET /simple/foo/"` lines.
    pub fn request_log(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .map(|request| format!("{} {}", request.method, request.path))
            .collect()
    }

    /// The requests received so far, with their headers of interest and response status.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state.log.lock().expect("request log lock").clone()
    }

    /// Forget the requests received so far.
    pub fn clear_log(&self) {
        self.state.log.lock().expect("request log lock").clear();
    }

    /// The URL of a file download, `http://127.0.0.1:PORT/files/FILENAME`.
    pub fn file_url(&self, filename: &str) -> String {
        format!("{}/files/{filename}", self.base)
    }
}

/// A distribution file found in the served directory.
struct IndexFile {
    filename: String,
    path: PathBuf,
    version: String,
}

impl IndexFile {
    fn sha256(&self) -> String {
        hex::encode(Sha256::digest(fs_err::read(&self.path).unwrap_or_default()))
    }
}

/// PEP 503 normalization: lowercase, runs of `-`, `_` and `.` become one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut normalized = String::with_capacity(name.len());
    let mut separator = false;
    for character in name.chars() {
        if matches!(character, '-' | '_' | '.') {
            separator = true;
        } else {
            if separator && !normalized.is_empty() {
                normalized.push('-');
            }
            separator = false;
            normalized.push(character.to_ascii_lowercase());
        }
    }
    normalized
}

/// The project name and version of a distribution file name, if it is one.
fn split_filename(filename: &str) -> Option<(String, String)> {
    if let Some(stem) = filename.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        let name = parts.next()?;
        let version = parts.next()?;
        return Some((normalize_name(name), version.to_string()));
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .find_map(|suffix| filename.strip_suffix(suffix))?;
    let (name, version) = stem.rsplit_once('-')?;
    Some((normalize_name(name), version.to_string()))
}

impl ServerState {
    /// The served files by normalized project name, read afresh.
    fn projects(&self) -> BTreeMap<String, Vec<IndexFile>> {
        let mut projects: BTreeMap<String, Vec<IndexFile>> = BTreeMap::new();
        let Ok(entries) = fs_err::read_dir(&self.dir) else {
            return projects;
        };
        for entry in entries.flatten() {
            let filename = entry.file_name().to_string_lossy().into_owned();
            if !entry.path().is_file() {
                continue;
            }
            if let Some((project, version)) = split_filename(&filename) {
                projects.entry(project).or_default().push(IndexFile {
                    filename,
                    path: entry.path(),
                    version,
                });
            }
        }
        for files in projects.values_mut() {
            files.sort_by(|left, right| left.filename.cmp(&right.filename));
        }
        projects
    }

    fn file(&self, filename: &str) -> Option<IndexFile> {
        if filename.contains('/') || filename.contains("..") {
            return None;
        }
        let (_, version) = split_filename(filename)?;
        let path = self.dir.join(filename);
        path.is_file().then(|| IndexFile {
            filename: filename.to_string(),
            path,
            version,
        })
    }

    fn yanked(&self, filename: &str) -> Option<&str> {
        self.options
            .yanked
            .iter()
            .find(|(name, _)| name == filename)
            .map(|(_, reason)| reason.as_str())
    }

    fn requires_python(&self, filename: &str) -> Option<&str> {
        self.options
            .requires_python
            .iter()
            .find(|(name, _)| name == filename)
            .map(|(_, specifiers)| specifiers.as_str())
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some((user, password)) = &self.options.basic_auth else {
            return true;
        };
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        headers
            .get(header::AUTHORIZATION)
            .is_some_and(|value| value.as_bytes() == expected.as_bytes())
    }
}

async fn handle(State(state): State<Arc<ServerState>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request
        .uri()
        .path_and_query()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| "/".to_string());
    let headers = request.headers().clone();
    let state_for_work = Arc::clone(&state);
    let work_path = path.clone();
    let work_headers = headers.clone();
    let work_method = method.clone();
    // File reads and hashing are blocking; keep them off the async workers.
    let response = tokio::task::spawn_blocking(move || {
        respond(&state_for_work, &work_method, &work_path, &work_headers)
    })
    .await
    .unwrap_or_else(|_| status_response(StatusCode::INTERNAL_SERVER_ERROR, "handler panicked"));
    let entry = LoggedRequest {
        method: method.to_string(),
        path,
        range: headers
            .get(header::RANGE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string),
        authorization: headers.contains_key(header::AUTHORIZATION),
        conditional: headers.contains_key(header::IF_NONE_MATCH)
            || headers.contains_key(header::IF_MODIFIED_SINCE),
        status: response.status().as_u16(),
    };
    state.log.lock().expect("request log lock").push(entry);
    response
}

fn status_response(status: StatusCode, message: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(format!("{message}\n")))
        .expect("valid response")
}

fn redirect(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::MOVED_PERMANENTLY)
        .header(header::LOCATION, location)
        .body(Body::empty())
        .expect("valid response")
}

fn respond(state: &ServerState, method: &Method, path: &str, headers: &HeaderMap) -> Response {
    if !state.authorized(headers) {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, "Basic realm=\"test index\"")
            .body(Body::from("401 Unauthorized\n"))
            .expect("valid response");
    }
    if method != Method::GET && method != Method::HEAD {
        return status_response(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    let path = path.split('?').next().unwrap_or(path);
    let path = percent_decode(path);
    if path == "/simple" {
        return redirect("/simple/");
    }
    if path == "/simple/" {
        return root_page(state, headers);
    }
    if let Some(rest) = path.strip_prefix("/simple/") {
        let name = rest.trim_end_matches('/');
        if name.is_empty() || name.contains('/') {
            return status_response(StatusCode::NOT_FOUND, "not found");
        }
        let normalized = normalize_name(name);
        if normalized != name || !rest.ends_with('/') {
            return redirect(&format!("/simple/{normalized}/"));
        }
        return project_page(state, &normalized, headers);
    }
    if let Some(filename) = path.strip_prefix("/files/") {
        if let Some(wheel) = filename.strip_suffix(".metadata") {
            if !state.options.metadata_files {
                return status_response(StatusCode::NOT_FOUND, "not found");
            }
            return match state
                .file(wheel)
                .and_then(|file| wheel_metadata(&file.path))
            {
                Some(metadata) => Response::builder()
                    .header(header::CONTENT_TYPE, "application/octet-stream")
                    .header(header::CONTENT_LENGTH, metadata.len())
                    .body(body_for(method, metadata))
                    .expect("valid response"),
                None => status_response(StatusCode::NOT_FOUND, "not found"),
            };
        }
        return match state.file(filename) {
            Some(file) => file_response(state, method, &file, headers),
            None => status_response(StatusCode::NOT_FOUND, "not found"),
        };
    }
    status_response(StatusCode::NOT_FOUND, "not found")
}

fn body_for(method: &Method, bytes: Vec<u8>) -> Body {
    if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    }
}

/// Decode `%XX` escapes (invalid UTF-8 is replaced, as in a lossy conversion).
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether the client prefers PEP 691 JSON, by the `q` values of its `Accept` header.
fn wants_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let mut json = 0.0f32;
    let mut html = 0.0f32;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media_type = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .find_map(|value| value.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media_type.as_str() {
            "application/vnd.pypi.simple.v1+json" | "application/vnd.pypi.simple.latest+json" => {
                json = json.max(quality);
            }
            "application/vnd.pypi.simple.v1+html"
            | "application/vnd.pypi.simple.latest+html"
            | "text/html"
            | "*/*" => html = html.max(quality),
            _ => {}
        }
    }
    json > 0.0 && json >= html
}

fn html_content_type(headers: &HeaderMap) -> &'static str {
    let asked_for_versioned = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/vnd.pypi.simple.v1+html"));
    if asked_for_versioned {
        "application/vnd.pypi.simple.v1+html"
    } else {
        "text/html; charset=utf-8"
    }
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// A page response with an `ETag`, answering `If-None-Match` with 304.
fn page_response(
    state: &ServerState,
    headers: &HeaderMap,
    content_type: &str,
    body: Vec<u8>,
) -> Response {
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..16]);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    let mut builder = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::VARY, "Accept, Accept-Encoding");
    if let Some(cache_control) = &state.options.cache_control {
        builder = builder.header(header::CACHE_CONTROL, cache_control);
    }
    if matches {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("valid response");
    }
    builder
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("valid response")
}

fn root_page(state: &ServerState, headers: &HeaderMap) -> Response {
    let projects = state.projects();
    if state.options.json && wants_json(headers) {
        let body = serde_json::json!({
            "meta": {"api-version": "1.1"},
            "projects": projects.keys().map(|name| serde_json::json!({"name": name})).collect::<Vec<_>>(),
        });
        return page_response(
            state,
            headers,
            "application/vnd.pypi.simple.v1+json",
            body.to_string().into_bytes(),
        );
    }
    let mut html = String::from(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Simple index</title>\n  </head>\n  <body>\n",
    );
    for name in projects.keys() {
        html.push_str(&format!("    <a href=\"{name}/\">{name}</a>\n"));
    }
    html.push_str("  </body>\n</html>\n");
    page_response(
        state,
        headers,
        html_content_type(headers),
        html.into_bytes(),
    )
}

fn project_page(state: &ServerState, project: &str, headers: &HeaderMap) -> Response {
    if let Some((_, status)) = state
        .options
        .fail_projects
        .iter()
        .find(|(name, _)| normalize_name(name) == project)
    {
        let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return status_response(status, "the test index was told to fail this project");
    }
    let json = state.options.json && wants_json(headers);
    if state
        .options
        .garbage_projects
        .iter()
        .any(|name| normalize_name(name) == project)
    {
        let (content_type, body): (&str, &[u8]) = if json {
            (
                "application/vnd.pypi.simple.v1+json",
                b"{\"meta\": {\"api-version\": \"1.1\"}, \"files\": [\x00\xff garbage",
            )
        } else {
            (
                "text/html; charset=utf-8",
                b"\x00\xff\xfe<<<garbage \x80\x81 not a page>>>\x00",
            )
        };
        return Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_vec()))
            .expect("valid response");
    }
    let projects = state.projects();
    let Some(files) = projects.get(project) else {
        return status_response(StatusCode::NOT_FOUND, "project not found");
    };
    let described: Vec<FileDescription> = files.iter().map(|file| describe(state, file)).collect();
    if json {
        let versions: BTreeSet<&str> = files.iter().map(|file| file.version.as_str()).collect();
        let files_json: Vec<serde_json::Value> = described
            .iter()
            .map(|file| {
                let mut value = serde_json::json!({
                    "filename": file.filename,
                    "url": format!("../../files/{}", file.filename),
                    "hashes": {"sha256": file.sha256},
                    "size": file.size,
                });
                let object = value.as_object_mut().expect("an object");
                if let Some(upload_time) = &file.upload_time {
                    object.insert("upload-time".into(), upload_time.clone().into());
                }
                if let Some(requires_python) = &file.requires_python {
                    object.insert("requires-python".into(), requires_python.clone().into());
                }
                if let Some(reason) = &file.yanked {
                    let yanked = if reason.is_empty() {
                        serde_json::Value::Bool(true)
                    } else {
                        reason.clone().into()
                    };
                    object.insert("yanked".into(), yanked);
                }
                if let Some(hash) = &file.metadata_sha256 {
                    let metadata = serde_json::json!({"sha256": hash});
                    object.insert("core-metadata".into(), metadata.clone());
                    object.insert("dist-info-metadata".into(), metadata);
                }
                value
            })
            .collect();
        let body = serde_json::json!({
            "meta": {"api-version": "1.1"},
            "name": project,
            "files": files_json,
            "versions": versions,
        });
        return page_response(
            state,
            headers,
            "application/vnd.pypi.simple.v1+json",
            body.to_string().into_bytes(),
        );
    }
    let mut html = format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Links for {project}</title>\n  </head>\n  <body>\n    <h1>Links for {project}</h1>\n"
    );
    for file in &described {
        let mut attributes = format!(
            "href=\"../../files/{}#sha256={}\"",
            escape_html(&file.filename),
            file.sha256
        );
        if let Some(requires_python) = &file.requires_python {
            attributes.push_str(&format!(
                " data-requires-python=\"{}\"",
                escape_html(requires_python)
            ));
        }
        if let Some(reason) = &file.yanked {
            attributes.push_str(&format!(" data-yanked=\"{}\"", escape_html(reason)));
        }
        if let Some(hash) = &file.metadata_sha256 {
            attributes.push_str(&format!(
                " data-dist-info-metadata=\"sha256={hash}\" data-core-metadata=\"sha256={hash}\""
            ));
        }
        html.push_str(&format!(
            "    <a {attributes}>{}</a><br />\n",
            escape_html(&file.filename)
        ));
    }
    html.push_str("  </body>\n</html>\n");
    page_response(
        state,
        headers,
        html_content_type(headers),
        html.into_bytes(),
    )
}

struct FileDescription {
    filename: String,
    sha256: String,
    size: u64,
    upload_time: Option<String>,
    requires_python: Option<String>,
    yanked: Option<String>,
    metadata_sha256: Option<String>,
}

fn describe(state: &ServerState, file: &IndexFile) -> FileDescription {
    let metadata = fs_err::metadata(&file.path).ok();
    let metadata_sha256 = if state.options.metadata_files && file.filename.ends_with(".whl") {
        wheel_metadata(&file.path).map(|bytes| hex::encode(Sha256::digest(bytes)))
    } else {
        None
    };
    FileDescription {
        filename: file.filename.clone(),
        sha256: file.sha256(),
        size: metadata.as_ref().map_or(0, |metadata| metadata.len()),
        upload_time: metadata
            .and_then(|metadata| metadata.modified().ok())
            .map(format_rfc3339),
        requires_python: state.requires_python(&file.filename).map(str::to_string),
        yanked: state.yanked(&file.filename).map(str::to_string),
        metadata_sha256,
    }
}

/// `2024-01-31T12:34:56.000000Z`, the PEP 700 `upload-time` format.
fn format_rfc3339(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |duration| duration.as_secs());
    let days = (seconds / 86_400) as i64;
    let second_of_day = seconds % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000000Z",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
}

/// The `METADATA` file of a wheel's `.dist-info` directory.
pub fn wheel_metadata(path: &Path) -> Option<Vec<u8>> {
    let file = fs_err::File::open(path).ok()?;
    let mut archive = zip::ZipArchive::new(file).ok()?;
    let name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|name| {
            name.strip_suffix(".dist-info/METADATA")
                .is_some_and(|directory| !directory.contains('/'))
        })?
        .into_owned();
    let mut entry = archive.by_name(&name).ok()?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// Parse a single `Range: bytes=...` into an inclusive byte range of a file of `length`.
fn parse_range(value: &str, length: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || length == 0 {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let suffix: u64 = suffix.parse().ok()?;
            (length.saturating_sub(suffix), length - 1)
        }
        (start, "") => (start.parse().ok()?, length - 1),
        (start, end) => (
            start.parse().ok()?,
            end.parse::<u64>().ok()?.min(length - 1),
        ),
    };
    (start <= end && start < length).then_some((start, end))
}

fn file_response(
    state: &ServerState,
    method: &Method,
    file: &IndexFile,
    headers: &HeaderMap,
) -> Response {
    let Ok(mut bytes) = fs_err::read(&file.path) else {
        return status_response(StatusCode::NOT_FOUND, "not found");
    };
    if state.options.truncate_files.contains(&file.filename) {
        bytes.truncate(bytes.len() / 2);
    }
    if state.options.stall_files.contains(&file.filename) && method == Method::GET {
        let length = bytes.len();
        let half = axum::body::Bytes::from(bytes[..length / 2].to_vec());
        let stream = futures::stream::iter([Ok::<_, std::io::Error>(half)])
            .chain(futures::stream::pending());
        return Response::builder()
            .header(header::CONTENT_TYPE, "application/zip")
            .header(header::CONTENT_LENGTH, length)
            .body(Body::from_stream(stream))
            .unwrap_or_else(|_| status_response(StatusCode::INTERNAL_SERVER_ERROR, "stall"));
    }
    let content_type = if file.filename.ends_with(".whl") {
        "application/zip"
    } else {
        "application/octet-stream"
    };
    let length = bytes.len() as u64;
    let mut builder = Response::builder().header(header::CONTENT_TYPE, content_type);
    if state.options.range_requests {
        builder = builder.header(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if let Some(range) = headers
            .get(header::RANGE)
            .and_then(|value| value.to_str().ok())
        {
            return match parse_range(range, length) {
                Some((start, end)) => {
                    let part = bytes[start as usize..=end as usize].to_vec();
                    builder
                        .status(StatusCode::PARTIAL_CONTENT)
                        .header(
                            header::CONTENT_RANGE,
                            format!("bytes {start}-{end}/{length}"),
                        )
                        .header(header::CONTENT_LENGTH, part.len())
                        .body(body_for(method, part))
                        .expect("valid response")
                }
                None => builder
                    .status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .header(header::CONTENT_RANGE, format!("bytes */{length}"))
                    .body(Body::empty())
                    .expect("valid response"),
            };
        }
    }
    builder
        .header(header::CONTENT_LENGTH, length)
        .body(body_for(method, bytes))
        .expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized() {
        assert_eq!(normalize_name("Foo__Bar.baz"), "foo-bar-baz");
        assert_eq!(
            split_filename("Foo_Bar-1.0-py3-none-any.whl"),
            Some(("foo-bar".to_string(), "1.0".to_string()))
        );
        assert_eq!(
            split_filename("python-dateutil-2.8.2.tar.gz"),
            Some(("python-dateutil".to_string(), "2.8.2".to_string()))
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=95-", 100), Some((95, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
    }

    #[test]
    fn upload_time_format() {
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        assert_eq!(format_rfc3339(time), "2023-11-14T22:13:20.000000Z");
    }

    #[test]
    fn accept_negotiation() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01",
            ),
        );
        assert!(wants_json(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/html"));
        assert!(!wants_json(&headers));
    }
}
