//! Index pages cached on disk with their HTTP cache policy (`Cache-Control`, `ETag`,
//! `Last-Modified`): a fresh page needs no request, a stale one is revalidated (a 304 reuses
//! the stored body), `--offline` uses whatever is stored, and `--refresh` revalidates even
//! fresh pages.
//!
//! An entry is one file in `Bucket::Simple`: a JSON header line (final URL, content type,
//! policy), then the body as received. The policy is built from a request without the
//! `Authorization` header, so no credentials are ever written to the cache.

use std::path::PathBuf;
use std::time::SystemTime;

use http_cache_semantics::{AfterResponse, BeforeRequest, CacheOptions, CachePolicy};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use url::Url;
use wharf_cache::{Bucket, Cache};

use crate::ClientError;
use crate::index_url::{mask_url, without_credentials};
use crate::transport::{Transport, connect_error};

/// A page as served.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// The URL after redirects: relative links resolve against it.
    pub(crate) url: Url,
    /// The `Content-Type` header ("" when absent).
    pub(crate) content_type: String,
    /// The body.
    pub(crate) body: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct EntryHeader {
    url: Url,
    content_type: String,
    policy: CachePolicy,
}

/// How a fetch may use the cache.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CacheMode {
    pub(crate) offline: bool,
    pub(crate) refresh: bool,
}

fn cache_options() -> CacheOptions {
    // A per-user cache: `private` pages (typical of authenticated indexes) may be stored.
    CacheOptions {
        shared: false,
        ..CacheOptions::default()
    }
}

fn entry_path(cache: &Cache, url: &Url, accept: &str) -> Result<PathBuf, ClientError> {
    let key = format!("{} {accept}", without_credentials(url));
    Ok(cache
        .bucket(Bucket::Simple)?
        .join(format!("{}.page", wharf_cache::digest(&key))))
}

async fn read_entry(path: &PathBuf) -> Option<(EntryHeader, Vec<u8>)> {
    let mut bytes = tokio::fs::read(path).await.ok()?;
    let newline = bytes.iter().position(|byte| *byte == b'\n')?;
    match serde_json::from_slice::<EntryHeader>(&bytes[..newline]) {
        Ok(header) => {
            // Keep the body in place rather than copying a page of up to megabytes.
            bytes.drain(..=newline);
            Some((header, bytes))
        }
        Err(err) => {
            // A corrupt or old-format entry: refetch and overwrite it.
            tracing::debug!("ignoring unreadable cache entry {}: {err}", path.display());
            None
        }
    }
}

async fn write_entry(path: PathBuf, header: &EntryHeader, body: &[u8]) -> Result<(), ClientError> {
    let mut contents = serde_json::to_vec(header).map_err(std::io::Error::other)?;
    contents.push(b'\n');
    contents.extend_from_slice(body);
    tokio::task::spawn_blocking(move || wharf_cache::write_atomic(&path, &contents))
        .await
        .map_err(std::io::Error::other)??;
    Ok(())
}

/// The request the cache policy is about: no credentials, only the headers that select
/// the representation.
fn policy_request(url: &Url, accept: &str) -> http::Request<()> {
    http::Request::builder()
        .method(Method::GET)
        .uri(without_credentials(url).as_str())
        .header(ACCEPT, accept)
        .body(())
        .expect("a valid request")
}

fn policy_response(status: StatusCode, headers: &HeaderMap) -> http::Response<()> {
    let mut response = http::Response::builder()
        .status(status)
        .body(())
        .expect("a valid response");
    *response.headers_mut() = headers.clone();
    response
}

fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Fetch a page through the cache. `Ok(None)` when the server says it does not exist
/// (404, 410).
pub(crate) async fn fetch_page(
    transport: &Transport,
    cache: &Cache,
    mode: CacheMode,
    url: &Url,
    accept: &str,
) -> Result<Option<Page>, ClientError> {
    let path = entry_path(cache, url, accept)?;
    let request = policy_request(url, accept);
    let cached = read_entry(&path).await;
    let mut conditional = HeaderMap::new();
    if let Some((header, body)) = &cached {
        if mode.offline {
            tracing::debug!("using the cached {} (offline)", mask_url(url));
            return Ok(Some(Page {
                url: header.url.clone(),
                content_type: header.content_type.clone(),
                body: body.clone(),
            }));
        }
        match header.policy.before_request(&request, SystemTime::now()) {
            BeforeRequest::Fresh(_) if !mode.refresh => {
                tracing::debug!("using the cached {} (fresh)", mask_url(url));
                return Ok(Some(Page {
                    url: header.url.clone(),
                    content_type: header.content_type.clone(),
                    body: body.clone(),
                }));
            }
            BeforeRequest::Fresh(_) => {
                // `--refresh`: revalidate with whatever validators the entry has.
                conditional = validators(&header.policy, &request);
            }
            BeforeRequest::Stale {
                request: revalidation,
                ..
            } => {
                for name in [http::header::IF_NONE_MATCH, http::header::IF_MODIFIED_SINCE] {
                    if let Some(value) = revalidation.headers.get(&name) {
                        conditional.insert(name, value.clone());
                    }
                }
            }
        }
    } else if mode.offline {
        return Err(ClientError::Offline { url: mask_url(url) });
    }

    let mut headers = conditional.clone();
    headers.insert(
        ACCEPT,
        HeaderValue::from_str(accept).expect("a valid Accept header"),
    );
    let response = transport.send(Method::GET, url, headers).await?;
    let status = response.status();
    let response_headers = response.headers().clone();

    if status == StatusCode::NOT_MODIFIED {
        if let Some((header, body)) = cached {
            let response = policy_response(status, &response_headers);
            if let AfterResponse::NotModified(policy, _) =
                header
                    .policy
                    .after_response(&request, &response, SystemTime::now())
            {
                tracing::debug!("{} is unchanged (304)", mask_url(url));
                let header = EntryHeader { policy, ..header };
                write_entry(path, &header, &body).await?;
                return Ok(Some(Page {
                    url: header.url,
                    content_type: header.content_type,
                    body,
                }));
            }
        }
        // A 304 we did not ask for, or for another representation: fetch unconditionally.
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_str(accept).expect("a valid Accept header"),
        );
        let response = transport.send(Method::GET, url, headers).await?;
        return store_response(transport, path, &request, url, response, None).await;
    }
    if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
        return Ok(None);
    }
    let cached_body = cached.as_ref().map(|(_, body)| body.as_slice());
    store_response(transport, path, &request, url, response, cached_body).await
}

/// The validators of a stored response, for a revalidation the policy does not ask for.
fn validators(policy: &CachePolicy, request: &http::Request<()>) -> HeaderMap {
    // `before_request` with `max-age=0` forces the policy to produce a revalidation request.
    let mut forced = http::Request::builder()
        .method(Method::GET)
        .uri(request.uri().clone())
        .body(())
        .expect("a valid request");
    *forced.headers_mut() = request.headers().clone();
    forced.headers_mut().insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=0"),
    );
    let mut headers = HeaderMap::new();
    if let BeforeRequest::Stale { request, .. } = policy.before_request(&forced, SystemTime::now())
    {
        for name in [http::header::IF_NONE_MATCH, http::header::IF_MODIFIED_SINCE] {
            if let Some(value) = request.headers.get(&name) {
                headers.insert(name, value.clone());
            }
        }
    }
    headers
}

async fn store_response(
    transport: &Transport,
    path: PathBuf,
    request: &http::Request<()>,
    url: &Url,
    response: reqwest::Response,
    cached_body: Option<&[u8]>,
) -> Result<Option<Page>, ClientError> {
    let status = response.status();
    if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
        return Ok(None);
    }
    let response = transport.check_status(url, response)?;
    let headers = response.headers().clone();
    // Credentials are applied per host when a request is sent, so the page URL (and the
    // file URLs resolved against it) never carries them, cached or not.
    let final_url = without_credentials(response.url());
    let body = response
        .bytes()
        .await
        .map_err(|err| connect_error(url, err))?
        .to_vec();
    let policy = CachePolicy::new_options(
        request,
        &policy_response(status, &headers),
        SystemTime::now(),
        cache_options(),
    );
    let page = Page {
        url: final_url,
        content_type: content_type(&headers),
        body,
    };
    // A server that sends no freshness information (some mirrors) answers 200 with the
    // same page every time: rewriting identical entries on every run is wasted I/O.
    let unchanged = cached_body == Some(page.body.as_slice())
        && policy.time_to_live(SystemTime::now()).is_zero();
    if policy.is_storable() && !unchanged {
        let header = EntryHeader {
            url: without_credentials(&page.url),
            content_type: page.content_type.clone(),
            policy,
        };
        if let Err(err) = write_entry(path, &header, &page.body).await {
            // A read-only or full cache must not fail the install.
            tracing::warn!("cannot cache {}: {err}", mask_url(url));
        }
    }
    Ok(Some(page))
}
