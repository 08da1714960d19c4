//! Sending one distribution: a `multipart/form-data` POST of the form fields and the file,
//! streamed from disk, with basic auth; retried with backoff on connection failures and
//! server errors; the answer classified into uploaded, skipped (the index already has the
//! file and `--skip-existing` was given) or failed, with the server's own words.

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::form::form_fields;
use crate::{Distribution, PublishError, Target};

/// How uploads behave on the wire.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Attempts per file, the first included.
    pub attempts: u32,
    /// The wait before the first retry; it doubles on each further retry.
    pub retry_delay: Duration,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            attempts: 3,
            retry_delay: Duration::from_secs(1),
        }
    }
}

/// Hears how an upload goes, e.g. to draw a progress bar. Every method has a default that
/// does nothing.
pub trait Progress: Send + Sync {
    /// Attempt `attempt` (from 1) starts; nothing of the file has been sent yet.
    fn attempt(&self, _attempt: u32) {}
    /// `bytes` more of the file were handed to the connection.
    fn sent(&self, _bytes: u64) {}
    /// Attempt `attempt` failed for `reason`; the next starts after `delay`.
    fn retrying(&self, _attempt: u32, _delay: Duration, _reason: &str) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The index took the file.
    Uploaded {
        /// The HTTP status (200 for PyPI).
        status: u16,
        /// How many attempts it took.
        attempts: u32,
    },
    /// The index already has the file and `--skip-existing` was given.
    Skipped {
        /// The HTTP status of the refusal (409, or 400 for PyPI).
        status: u16,
        /// The server's message.
        reason: String,
    },
    /// The upload failed.
    Failed(UploadFailure),
}

/// Why an upload failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadFailure {
    /// The server refused the file, or kept failing.
    #[error("{}", describe_status(*status, reason))]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's message (its reason phrase or the gist of its answer).
        reason: String,
        /// Attempts made.
        attempts: u32,
        /// Whether the answer says the index already has the file.
        already_exists: bool,
    },
    /// The server answered with a redirect, which an upload must not follow.
    #[error("the server answered {status} and redirected to {location}")]
    Redirect {
        /// The HTTP status.
        status: u16,
        /// Where it pointed (without credentials).
        location: String,
    },
    /// The connection failed on every attempt.
    #[error("{message}")]
    Connection {
        /// The cause chain.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The file could not be read while sending it.
    #[error("cannot read the file: {message}")]
    Read {
        /// The I/O error.
        message: String,
    },
}

impl UploadFailure {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Redirect { status, .. } => Some(*status),
            Self::Connection { .. } | Self::Read { .. } => None,
        }
    }
}

fn describe_status(status: u16, reason: &str) -> String {
    let canonical = StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("");
    let mut text = format!("{status} {canonical}").trim_end().to_string();
    // A reason that only repeats the status ("Error: 401 Unauthorized") adds nothing.
    let repeats_status = reason.contains(&status.to_string())
        && !canonical.is_empty()
        && reason.to_lowercase().contains(&canonical.to_lowercase())
        && reason.len() <= text.len() + 10;
    if !reason.is_empty() && reason != canonical && !repeats_status {
        text.push_str(": ");
        text.push_str(reason);
    }
    text
}

/// Whether an answer means "the index already has this file", as twine decides for
/// `--skip-existing`: pypiserver answers 409; PyPI and Google Artifact Registry 400 "File
/// already exists"; Nexus 400 "...does not allow updating assets"; Artifactory 403 "Not
/// enough permissions to overwrite artifact"; GitLab 400 "...has already been taken".
pub fn already_exists(status: u16, reason: &str, body: &str) -> bool {
    let reason = reason.to_lowercase();
    let body = body.to_lowercase();
    let says = |phrase: &str| reason.contains(phrase) || body.contains(phrase);
    status == 409
        || (status == 400 && (says("already exist") || says("updating asset")))
        || (status == 403 && says("overwrite artifact"))
        || (status == 400 && says("already been taken"))
}

/// The server's answer, read enough for a message.
struct Answer {
    status: StatusCode,
    reason: String,
    body: String,
    location: Option<String>,
}

/// A failed send: the connection (maybe transient) or the file.
enum SendError {
    Http(reqwest::Error),
    Read(std::io::Error),
}

/// Uploads files to one repository.
pub struct Uploader {
    client: reqwest::Client,
    target: Target,
    options: UploadOptions,
}

impl Uploader {
    /// An uploader for `target`.
    pub fn new(target: Target, options: UploadOptions) -> Result<Self, PublishError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("wharf/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.timeout)
            .read_timeout(options.timeout)
            // Never resend a file (and the credentials) somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            // PyPI says why it refused a file in the HTTP/1.1 reason phrase, which HTTP/2
            // does not have; twine speaks HTTP/1.1 too.
            .http1_only()
            .build()
            .map_err(PublishError::Client)?;
        Ok(Self {
            client,
            target,
            options,
        })
    }

    /// The repository.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Upload one file, retrying transient failures.
    pub async fn upload(
        &self,
        distribution: &Distribution,
        skip_existing: bool,
        progress: Arc<dyn Progress>,
    ) -> Outcome {
        let attempts = self.options.attempts.max(1);
        let mut attempt = 1;
        loop {
            progress.attempt(attempt);
            let failure = match self.send(distribution, Arc::clone(&progress)).await {
                Ok(answer) => {
                    let status = answer.status.as_u16();
                    if answer.status.is_success() {
                        return Outcome::Uploaded {
                            status,
                            attempts: attempt,
                        };
                    }
                    if answer.status.is_redirection() {
                        return Outcome::Failed(UploadFailure::Redirect {
                            status,
                            location: answer
                                .location
                                .unwrap_or_else(|| "(no location)".to_string()),
                        });
                    }
                    let exists = already_exists(status, &answer.reason, &answer.body);
                    if skip_existing && exists {
                        return Outcome::Skipped {
                            status,
                            reason: answer.reason,
                        };
                    }
                    let failure = UploadFailure::Status {
                        status,
                        reason: answer.reason,
                        attempts: attempt,
                        already_exists: exists,
                    };
                    if !is_transient_status(answer.status) {
                        return Outcome::Failed(failure);
                    }
                    failure
                }
                Err(SendError::Read(err)) => {
                    return Outcome::Failed(UploadFailure::Read {
                        message: err.to_string(),
                    });
                }
                Err(SendError::Http(err)) => {
                    let failure = UploadFailure::Connection {
                        message: error_chain(&err),
                        attempts: attempt,
                    };
                    if !is_transient_error(&err) {
                        return Outcome::Failed(failure);
                    }
                    failure
                }
            };
            if attempt >= attempts {
                return Outcome::Failed(failure);
            }
            let delay = self
                .options
                .retry_delay
                .saturating_mul(2u32.saturating_pow(attempt - 1));
            tracing::debug!(
                "uploading {} failed ({failure}); retrying in {delay:?}",
                distribution.filename
            );
            progress.retrying(attempt, delay, &failure.to_string());
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn send(
        &self,
        distribution: &Distribution,
        progress: Arc<dyn Progress>,
    ) -> Result<Answer, SendError> {
        let file = tokio::fs::File::open(&distribution.path)
            .await
            .map_err(SendError::Read)?;
        let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024)
            .inspect_ok(move |chunk| progress.sent(chunk.len() as u64));
        let content =
            Part::stream_with_length(reqwest::Body::wrap_stream(stream), distribution.size)
                .file_name(distribution.filename.clone())
                .mime_str("application/octet-stream")
                .map_err(SendError::Http)?;
        let mut form = Form::new();
        for (name, value) in form_fields(distribution) {
            form = form.text(name, value);
        }
        form = form.part("content", content);
        let mut request = self.client.post(self.target.url.clone()).multipart(form);
        if let Some(credentials) = &self.target.credentials {
            request = request.basic_auth(&credentials.username, Some(credentials.password()));
        }
        let response = request.send().await.map_err(SendError::Http)?;
        let status = response.status();
        let reason_phrase = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|reason| {
                String::from_utf8_lossy(reason.as_bytes())
                    .trim()
                    .to_string()
            });
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(|location| match url::Url::parse(location) {
                Ok(url) => crate::target::without_user_info(&url).to_string(),
                Err(_) => location.to_string(),
            });
        let body = read_some(response).await;
        let reason = match reason_phrase.filter(|reason| !reason.is_empty()) {
            Some(reason) => reason,
            None => gist(&body),
        };
        Ok(Answer {
            status,
            reason,
            body,
            location,
        })
    }
}

/// The first 64 KiB of a response body, as text (enough for any error page).
async fn read_some(response: reqwest::Response) -> String {
    const LIMIT: usize = 64 * 1024;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Ok(Some(chunk)) = stream.try_next().await {
        body.extend_from_slice(&chunk);
        if body.len() >= LIMIT {
            body.truncate(LIMIT);
            break;
        }
    }
    String::from_utf8_lossy(&body).into_owned()
}

/// The message in an error page: an HTML page's `<pre>` block (pypiserver) or `<title>`
/// (PyPI), else the text; entities decoded, whitespace collapsed, at most 300 characters.
pub fn gist(body: &str) -> String {
    let lower = body.to_lowercase();
    let inner = |tag: &str| -> Option<&str> {
        let open = lower.find(&format!("<{tag}"))?;
        let start = open + lower[open..].find('>')? + 1;
        let end = start + lower[start..].find(&format!("</{tag}>"))?;
        Some(&body[start..end])
    };
    // bottle (pypiserver) prints Python's `None` when there is no message.
    let meaningful = |text: &&str| !matches!(text.trim(), "" | "None");
    let text = if lower.contains("<html") || lower.contains("<!doctype") {
        inner("pre")
            .filter(meaningful)
            .or_else(|| inner("title").filter(meaningful))
            .map(strip_tags)
            .unwrap_or_else(|| strip_tags(body))
    } else {
        body.to_string()
    };
    let text = text
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(300) {
        Some((index, _)) => format!("{}...", &collapsed[..index]),
        None => collapsed,
    }
}

fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(character),
            _ => {}
        }
    }
    text
}

fn is_transient_status(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
}

fn is_transient_error(err: &reqwest::Error) -> bool {
    err.is_connect() || err.is_timeout() || err.is_request() || err.is_body()
}

/// An error and its causes on one line; the URL is left out (messages name it already).
fn error_chain(err: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut current: Option<&dyn std::error::Error> = Some(err);
    while let Some(error) = current {
        let text = error.to_string();
        if !parts.iter().any(|part: &String| part.contains(&text)) {
            parts.push(text);
        }
        current = error.source();
    }
    let text = parts.join(": ");
    // reqwest names the URL in its own message; ours has no credentials, but say it once.
    match err.url() {
        Some(url) => text.replace(&format!(" for url ({url})"), ""),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_existing_classification_follows_twine() {
        // pypiserver
        assert!(already_exists(409, "Conflict", ""));
        // PyPI: the message is the reason phrase.
        assert!(already_exists(
            400,
            "File already exists ('demo-1.0.tar.gz', with blake2_256 hash 'abc').",
            ""
        ));
        assert!(already_exists(
            400,
            "Bad Request",
            "<html>A file named \"demo-1.0.tar.gz\" already exists for demo-1.0.</html>"
        ));
        // Nexus
        assert!(already_exists(
            400,
            "Repository does not allow updating assets: pypi-hosted",
            ""
        ));
        // Artifactory
        assert!(already_exists(
            403,
            "Forbidden",
            "Not enough permissions to overwrite artifact 'pypi-local:demo/1.0/demo-1.0.tar.gz'"
        ));
        // GitLab
        assert!(already_exists(
            400,
            "Bad Request",
            "{\"message\":\"Validation failed: File name has already been taken\"}"
        ));
        // Not "already exists": bad credentials, bad metadata, server errors.
        assert!(!already_exists(
            403,
            "Invalid or non-existent authentication information.",
            ""
        ));
        assert!(!already_exists(400, "Invalid value for classifiers.", ""));
        assert!(!already_exists(
            500,
            "Internal Server Error",
            "already exists"
        ));
    }

    #[test]
    fn gist_of_error_pages() {
        let pypiserver = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head><title>Error: 409 Conflict</title></head><body><h1>Error: 409 Conflict</h1><p>Sorry, the requested URL <tt>&#039;http://127.0.0.1:8080/&#039;</tt> caused an error:</p><pre>Package &#039;demo-1.0.tar.gz&#039; already exists!\n</pre></body></html>";
        assert_eq!(
            gist(pypiserver),
            "Package 'demo-1.0.tar.gz' already exists!"
        );
        let warehouse = "<html>\n <head>\n  <title>403 Invalid or non-existent authentication information.</title>\n </head>\n <body>...</body></html>";
        assert_eq!(
            gist(warehouse),
            "403 Invalid or non-existent authentication information."
        );
        let unauthorized = "<html><head><title>Error: 401 Unauthorized</title></head><body><pre>None</pre></body></html>";
        assert_eq!(gist(unauthorized), "Error: 401 Unauthorized");
        assert_eq!(
            describe_status(401, &gist(unauthorized)),
            "401 Unauthorized"
        );
        assert_eq!(gist("  plain\n text  "), "plain text");
        assert_eq!(gist(&"x".repeat(400)).len(), 303);
    }

    #[test]
    fn status_messages() {
        assert_eq!(describe_status(403, "Forbidden"), "403 Forbidden");
        assert_eq!(
            describe_status(400, "File already exists."),
            "400 Bad Request: File already exists."
        );
        assert_eq!(describe_status(599, ""), "599");
    }
}
