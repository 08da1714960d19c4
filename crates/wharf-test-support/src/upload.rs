//! A package upload server for tests: takes the legacy upload API's `multipart/form-data`
//! POSTs (what twine and `wharf publish` send) on 127.0.0.1, records every request, checks
//! the form and the digests as PyPI does, stores accepted files, and serves them back as a
//! PEP 503 simple index (an [`IndexServer`] over the same directory) so that pip can
//! install what was uploaded.
//!
//! Failures of real indexes can be switched on per test: an existing file refused as
//! pypiserver (409) or PyPI (400 with the message in the reason phrase) refuse it, wrong
//! credentials (403), and server errors for the first requests (to test retries).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::Digest;

use crate::index::{IndexOptions, IndexServer};

/// How the server answers an upload of a file it already has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Existing {
    /// 409 Conflict with an HTML error page, as pypiserver answers.
    #[default]
    Conflict,
    /// 400 with "File already exists" in the reason phrase, as PyPI answers.
    PypiBadRequest,
    /// Replace the file and answer 200.
    Overwrite,
}

/// What the upload server does.
#[derive(Debug, Clone, Default)]
pub struct UploadServerOptions {
    /// Require this user and password (basic auth); others get PyPI's 403.
    pub basic_auth: Option<(String, String)>,
    /// How to answer a file that is already stored.
    pub existing: Existing,
    /// Statuses to answer the first uploads with, one per request, before behaving normally
    /// (e.g. `vec![500]` fails the first attempt).
    pub fail_first: Vec<u16>,
}

/// One upload request the server received.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Every text field in order, lists repeated (`content` excluded).
    pub fields: Vec<(String, String)>,
    /// The file name of the `content` part.
    pub filename: Option<String>,
    /// The bytes of the `content` part.
    pub content: Vec<u8>,
    /// The basic auth user name, if any.
    pub username: Option<String>,
    /// The basic auth password, if any.
    pub password: Option<String>,
    /// The `Content-Length` header, if sent.
    pub content_length: Option<u64>,
    /// The status the server answered with.
    pub status: u16,
}

impl Upload {
    /// The first value of a field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of a repeated field.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

struct ServerState {
    dir: PathBuf,
    options: UploadServerOptions,
    failures: Mutex<VecDeque<u16>>,
    uploads: Mutex<Vec<Upload>>,
}

/// A running upload server; stops when dropped.
pub struct UploadServer {
    /// The upload URL, `http://127.0.0.1:PORT/legacy/`.
    pub url: String,
    /// The simple index of the uploaded files, `http://127.0.0.1:PORT2/simple/`.
    pub simple_url: String,
    /// Where uploaded files are stored.
    pub dir: PathBuf,
    state: Arc<ServerState>,
    // Stopped before the index (fields drop in order).
    _server: crate::server::Background,
    _index: IndexServer,
    _temp: tempfile::TempDir,
}

impl UploadServer {
    /// Start a server on a random port of 127.0.0.1, storing files in a new temporary
    /// directory. Panics when it cannot start: this is test support.
    pub fn start(options: UploadServerOptions) -> Self {
        let temp = tempfile::tempdir().expect("create the upload directory");
        let dir = temp.path().to_path_buf();
        let state = Arc::new(ServerState {
            dir: dir.clone(),
            failures: Mutex::new(options.fail_first.iter().copied().collect()),
            options,
            uploads: Mutex::new(Vec::new()),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::disable())
            .with_state(Arc::clone(&state));
        let server = crate::server::Background::serve("upload-server", router);
        let port = server.port;
        let index = IndexServer::serve(&dir, IndexOptions::default());
        Self {
            url: format!("http://127.0.0.1:{port}/legacy/"),
            simple_url: index.url.clone(),
            dir,
            state,
            _server: server,
            _index: index,
            _temp: temp,
        }
    }

    /// Every upload request received so far, refused ones included.
    pub fn uploads(&self) -> Vec<Upload> {
        self.state.uploads.lock().expect("upload log lock").clone()
    }

    /// The names of the stored files, sorted.
    pub fn stored(&self) -> Vec<String> {
        let mut names: Vec<String> = fs_err::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Store a file as if it had been uploaded before.
    pub fn preload(&self, path: &Path) {
        let name = path.file_name().expect("a file name");
        fs_err::copy(path, self.dir.join(name)).expect("copy the file into the upload directory");
    }
}

/// Write a minimal `.tar.gz` sdist, `{name}-{version}.tar.gz`, holding
/// `{name}-{version}/PKG-INFO` with `pkg_info` and an empty `setup.py`; return its path.
/// (Enough to be uploaded and listed; not meant to be built.)
pub fn sdist(dir: &Path, name: &str, version: &str, pkg_info: &str) -> PathBuf {
    let stem = format!("{name}-{version}");
    let path = dir.join(format!("{stem}.tar.gz"));
    let file = fs_err::File::create(&path).expect("create the sdist");
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::fast(),
    ));
    for (member, contents) in [
        (format!("{stem}/PKG-INFO"), pkg_info.as_bytes()),
        (format!("{stem}/setup.py"), b"" as &[u8]),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, member, contents)
            .expect("add a member to the sdist");
    }
    builder
        .into_inner()
        .and_then(|encoder| encoder.finish())
        .expect("finish the sdist");
    path
}

fn basic_auth(headers: &HeaderMap) -> (Option<String>, Option<String>) {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
    else {
        return (None, None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    match decoded.split_once(':') {
        Some((user, password)) => (Some(user.to_string()), Some(password.to_string())),
        None => (Some(decoded), None),
    }
}

/// A response with a reason phrase of its own, as PyPI sends.
fn with_reason(status: StatusCode, reason: &str, body: String) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
        body,
    )
        .into_response();
    if let Ok(phrase) = hyper::ext::ReasonPhrase::try_from(reason.to_string()) {
        response.extensions_mut().insert(phrase);
    }
    response
}

/// PyPI's error page: the reason phrase repeated in the title and body.
fn pypi_error(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<html>\n <head>\n  <title>{} {message}</title>\n </head>\n <body>\n  <h1>{} {message}</h1>\n  {message}\n </body>\n</html>",
        status.as_u16(),
        status.as_u16()
    );
    with_reason(status, message, body)
}

/// pypiserver's (bottle's) error page.
fn pypiserver_error(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head><title>Error: {status}</title></head><body><h1>Error: {status}</h1><p>Sorry, the requested URL <tt>&#039;/legacy/&#039;</tt> caused an error:</p><pre>{}</pre></body></html>",
        message.replace('\'', "&#039;")
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
        body,
    )
        .into_response()
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (username, password) = basic_auth(&headers);
    let mut upload = Upload {
        fields: Vec::new(),
        filename: None,
        content: Vec::new(),
        username,
        password,
        content_length: headers
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse().ok()),
        status: 0,
    };
    let response = match multipart {
        Err(rejection) => pypi_error(StatusCode::BAD_REQUEST, &rejection.body_text()),
        Ok(mut multipart) => match read_form(&mut multipart, &mut upload).await {
            Err(message) => pypi_error(StatusCode::BAD_REQUEST, &message),
            Ok(()) => respond(&state, &upload),
        },
    };
    upload.status = response.status().as_u16();
    state.uploads.lock().expect("upload log lock").push(upload);
    response
}

async fn read_form(multipart: &mut Multipart, upload: &mut Upload) -> Result<(), String> {
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|err| format!("invalid multipart body: {err}"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "content" {
            upload.filename = field.file_name().map(str::to_string);
            upload.content = field
                .bytes()
                .await
                .map_err(|err| format!("cannot read the file: {err}"))?
                .to_vec();
        } else {
            let value = field
                .text()
                .await
                .map_err(|err| format!("cannot read field {name}: {err}"))?;
            upload.fields.push((name, value));
        }
    }
    Ok(())
}

fn respond(state: &ServerState, upload: &Upload) -> Response {
    if let Some(status) = state
        .failures
        .lock()
        .expect("failure list lock")
        .pop_front()
    {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return (status, "injected failure").into_response();
    }
    if let Some((user, password)) = &state.options.basic_auth
        && (upload.username.as_ref() != Some(user) || upload.password.as_ref() != Some(password))
    {
        return pypi_error(
            StatusCode::FORBIDDEN,
            "Invalid or non-existent authentication information. See the help page for more information.",
        );
    }
    if upload.field(":action") != Some("file_upload") {
        return pypi_error(StatusCode::BAD_REQUEST, "Invalid or missing :action.");
    }
    if upload.field("protocol_version") != Some("1") {
        return pypi_error(StatusCode::BAD_REQUEST, "Unknown protocol version.");
    }
    for required in [
        "name",
        "version",
        "filetype",
        "pyversion",
        "metadata_version",
    ] {
        if upload.field(required).is_none_or(str::is_empty) {
            return pypi_error(
                StatusCode::BAD_REQUEST,
                &format!("Invalid value for {required}. Error: This field is required."),
            );
        }
    }
    let Some(filename) = upload.filename.clone() else {
        return pypi_error(
            StatusCode::BAD_REQUEST,
            "Upload payload does not have a file.",
        );
    };
    if filename.contains('/') || filename.contains("..") || filename.starts_with('.') {
        return pypi_error(StatusCode::BAD_REQUEST, "Invalid file name.");
    }
    let digests = [
        (
            "sha256_digest",
            hex::encode(sha2::Sha256::digest(&upload.content)),
        ),
        ("md5_digest", hex::encode(md5::Md5::digest(&upload.content))),
        (
            "blake2_256_digest",
            hex::encode(blake2::Blake2b256::digest(&upload.content)),
        ),
    ];
    if upload.field("sha256_digest").is_none() {
        return pypi_error(StatusCode::BAD_REQUEST, "Include a sha256 digest.");
    }
    for (field, computed) in &digests {
        if let Some(sent) = upload.field(field)
            && sent != computed
        {
            return pypi_error(
                StatusCode::BAD_REQUEST,
                "The digest supplied does not match a digest calculated from the uploaded file.",
            );
        }
    }
    let path = state.dir.join(&filename);
    if path.exists() {
        match state.options.existing {
            Existing::Conflict => {
                return pypiserver_error(
                    StatusCode::CONFLICT,
                    &format!("Package '{filename}' already exists!"),
                );
            }
            Existing::PypiBadRequest => {
                return pypi_error(
                    StatusCode::BAD_REQUEST,
                    &format!(
                        "File already exists ('{filename}', with blake2_256 hash '{}'). See the help page on file name reuse for more information.",
                        digests[2].1
                    ),
                );
            }
            Existing::Overwrite => {}
        }
    }
    // Written beside and renamed, so that the index never serves half a file.
    let partial = state.dir.join(format!(".{filename}.part"));
    if let Err(err) =
        fs_err::write(&partial, &upload.content).and_then(|()| fs_err::rename(&partial, &path))
    {
        return (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response();
    }
    (StatusCode::OK, "OK").into_response()
}
