//! Sending requests: one shared `reqwest` client, credentials per host, retries with
//! backoff for connection failures and server errors, and errors that name the masked URL.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::ClientError;
use crate::credentials::CredentialStore;
use crate::index_url::{mask_url, without_credentials};

/// The first backoff delay; it doubles on each retry.
const BACKOFF: Duration = Duration::from_millis(100);
/// The longest backoff delay.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The HTTP side of the client.
pub(crate) struct Transport {
    pub(crate) client: reqwest::Client,
    credentials: CredentialStore,
    retries: u32,
}

impl Transport {
    pub(crate) fn new(
        timeout: Duration,
        retries: u32,
        credentials: CredentialStore,
    ) -> Result<Self, ClientError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("wharf/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout)
            .read_timeout(timeout)
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(|err| ClientError::Connect {
                url: "(client setup)".to_string(),
                source: err,
            })?;
        Ok(Self {
            client,
            credentials,
            retries,
        })
    }

    /// The headers that authenticate a request to `url` (empty when there are no
    /// credentials for its host).
    pub(crate) fn auth_headers(&self, url: &Url) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(credentials) = self.credentials.for_url(url) {
            headers.insert(AUTHORIZATION, credentials.header());
        }
        headers
    }

    /// Send a request, retrying connection failures and 5xx/429 answers. The response may
    /// have any status; see [`Transport::check_status`].
    pub(crate) async fn send(
        &self,
        method: Method,
        url: &Url,
        headers: HeaderMap,
    ) -> Result<reqwest::Response, ClientError> {
        let wire_url = without_credentials(url);
        let mut all_headers = self.auth_headers(url);
        all_headers.extend(headers);
        let mut attempt = 0;
        loop {
            let result = self
                .client
                .request(method.clone(), wire_url.clone())
                .headers(all_headers.clone())
                .send()
                .await;
            let retry = match &result {
                Ok(response) => is_transient_status(response.status()),
                Err(err) => is_transient_error(err),
            };
            if retry && attempt < self.retries {
                let delay = backoff(attempt);
                match &result {
                    Ok(response) => tracing::debug!(
                        "{} answered {}; retrying in {delay:?}",
                        mask_url(url),
                        response.status()
                    ),
                    Err(err) => tracing::debug!(
                        "request to {} failed ({}); retrying in {delay:?}",
                        mask_url(url),
                        error_chain(err)
                    ),
                }
                tokio::time::sleep(delay).await;
                attempt += 1;
                continue;
            }
            return result.map_err(|err| connect_error(url, err));
        }
    }

    /// Turn an unsuccessful status into an error naming the URL.
    pub(crate) fn check_status(
        &self,
        url: &Url,
        response: reqwest::Response,
    ) -> Result<reqwest::Response, ClientError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        Err(self.status_error(url, status))
    }

    pub(crate) fn status_error(&self, url: &Url, status: StatusCode) -> ClientError {
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return ClientError::Unauthorized {
                url: mask_url(url),
                status: status.as_u16(),
                sent_credentials: self.credentials.for_url(url).is_some(),
            };
        }
        ClientError::Status {
            url: mask_url(url),
            status: status.as_u16(),
            reason: status.canonical_reason().map(str::to_string),
        }
    }

    /// The number of retries after the first attempt.
    pub(crate) fn retries(&self) -> u32 {
        self.retries
    }
}

pub(crate) fn backoff(attempt: u32) -> Duration {
    BACKOFF
        .saturating_mul(2u32.saturating_pow(attempt))
        .min(MAX_BACKOFF)
}

fn is_transient_status(status: StatusCode) -> bool {
    status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS
}

pub(crate) fn is_transient_error(err: &reqwest::Error) -> bool {
    err.is_connect() || err.is_timeout() || err.is_request() || err.is_body()
}

/// A connection error naming the masked URL; reqwest's own message would name the URL as
/// sent, so it is dropped from the source.
pub(crate) fn connect_error(url: &Url, err: reqwest::Error) -> ClientError {
    ClientError::Connect {
        url: mask_url(url),
        source: err.without_url(),
    }
}

/// An error and its causes on one line, for debug logs.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
