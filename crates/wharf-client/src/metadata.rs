//! A wheel's core metadata, fetched as cheaply as the index allows: the PEP 658/714
//! `.metadata` file when advertised, else the wheel's central directory and METADATA entry by
//! HTTP range requests, else the whole wheel (which then sits in the archive cache for the
//! install). Results are cached by URL and hash in `Bucket::Metadata`.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use async_http_range_reader::{AsyncHttpRangeReader, AsyncHttpRangeReaderError};
use reqwest::{Method, StatusCode};
use sha2::Digest;
use wharf_cache::Bucket;
use wharf_filename::DistFilename;
use wharf_metadata::CoreMetadata;

use crate::index_url::{mask_url, without_credentials};
use crate::transport::{connect_error, error_chain};
use crate::{ClientError, DistFile, IndexClient};

/// How much of a wheel's end to fetch first: the end of central directory record and, for
/// most wheels, the whole central directory.
const TAIL_PREFETCH: u64 = 16 * 1024;
/// The zip reader's buffer size: prefetches are rounded up to it so that a buffered read
/// does not spill into a second request.
const BUFFER_SIZE: u64 = 8 * 1024;

impl IndexClient {
    /// The core metadata of a wheel. Source distributions need a build:
    /// [`ClientError::NeedsBuild`].
    pub async fn metadata(&self, file: &DistFile) -> Result<Arc<CoreMetadata>, ClientError> {
        if let DistFilename::Sdist(_) = &file.filename {
            return Err(ClientError::NeedsBuild(file.filename_text()));
        }
        let key = format!(
            "{}#{}",
            without_credentials(&file.url),
            file.sha256().unwrap_or_default()
        );
        self.inner
            .metadata
            .get_or_try_init(key.clone(), || async {
                self.fetch_metadata(file, &key).await.map(Arc::new)
            })
            .await
    }

    async fn fetch_metadata(
        &self,
        file: &DistFile,
        key: &str,
    ) -> Result<CoreMetadata, ClientError> {
        let label = mask_url(&file.url);
        if file.url.scheme() == "file" {
            let path = file
                .url
                .to_file_path()
                .map_err(|()| ClientError::MissingPath(file.url.path().into()))?;
            let bytes = read_local_metadata(path, label.clone()).await?;
            return parse_and_check(file, &bytes, &label);
        }

        let cache_path = self
            .inner
            .options
            .cache
            .bucket(Bucket::Metadata)?
            .join(format!("{}.METADATA", wharf_cache::digest(key)));
        if let Ok(bytes) = tokio::fs::read(&cache_path).await {
            match parse_and_check(file, &bytes, &label) {
                Ok(metadata) => return Ok(metadata),
                Err(err) => tracing::debug!("replacing the cached metadata of {label}: {err}"),
            }
        }

        let bytes = self.fetch_metadata_bytes(file, &label).await?;
        let metadata = parse_and_check(file, &bytes, &label)?;
        let write =
            tokio::task::spawn_blocking(move || wharf_cache::write_atomic(&cache_path, &bytes))
                .await
                .map_err(std::io::Error::other)?;
        if let Err(err) = write {
            tracing::warn!("cannot cache the metadata of {label}: {err}");
        }
        Ok(metadata)
    }

    async fn fetch_metadata_bytes(
        &self,
        file: &DistFile,
        label: &str,
    ) -> Result<Vec<u8>, ClientError> {
        if self.inner.options.offline {
            // The wheel itself may be in the archive cache from an earlier install.
            let path = self.download(file).await?;
            return read_local_metadata(path, label.to_string()).await;
        }
        if let Some(hash) = &file.core_metadata
            && let Some(bytes) = self.fetch_metadata_file(file, hash.as_ref()).await?
        {
            return Ok(bytes);
        }
        match self.range_metadata(file).await {
            Ok(bytes) => return Ok(bytes),
            Err(RangeError::Unsupported) => {
                tracing::debug!("{label} does not support range requests; downloading it");
            }
            Err(RangeError::Failed(message)) => {
                tracing::debug!(
                    "reading {label} by range requests failed ({message}); downloading it"
                );
            }
            Err(RangeError::Client(err)) => return Err(err),
        }
        let path = self.download(file).await?;
        read_local_metadata(path, label.to_string()).await
    }

    /// PEP 658: `<file URL>.metadata`, checked against the advertised hash. `None` when the
    /// index advertised it but does not serve it (a broken mirror): fall back.
    async fn fetch_metadata_file(
        &self,
        file: &DistFile,
        hash: Option<&(String, String)>,
    ) -> Result<Option<Vec<u8>>, ClientError> {
        let mut url = file.url.clone();
        url.set_fragment(None);
        url.set_path(&format!("{}.metadata", url.path()));
        let transport = &self.inner.transport;
        let response = transport
            .send(Method::GET, &url, Default::default())
            .await?;
        if response.status() == StatusCode::NOT_FOUND {
            tracing::warn!(
                "{} is advertised but missing; reading the wheel instead",
                mask_url(&url)
            );
            return Ok(None);
        }
        let response = transport.check_status(&url, response)?;
        let bytes = response
            .bytes()
            .await
            .map_err(|err| connect_error(&url, err))?
            .to_vec();
        if let Some((algorithm, expected)) = hash {
            let actual = match algorithm.as_str() {
                "sha256" => Some(hex::encode(sha2::Sha256::digest(&bytes))),
                "sha384" => Some(hex::encode(sha2::Sha384::digest(&bytes))),
                "sha512" => Some(hex::encode(sha2::Sha512::digest(&bytes))),
                _ => None,
            };
            if let Some(actual) = actual
                && !actual.eq_ignore_ascii_case(expected)
            {
                return Err(ClientError::HashMismatch {
                    url: mask_url(&url),
                    algorithm: algorithm.clone(),
                    expected: expected.clone(),
                    actual,
                });
            }
        }
        tracing::debug!("read metadata from {}", mask_url(&url));
        Ok(Some(bytes))
    }

    /// Read METADATA out of a remote wheel with range requests: the tail (central
    /// directory), then the one entry.
    async fn range_metadata(&self, file: &DistFile) -> Result<Vec<u8>, RangeError> {
        let transport = &self.inner.transport;
        let url = without_credentials(&file.url);
        let headers = transport.auth_headers(&file.url);
        let client = reqwest_middleware::ClientWithMiddleware::from(transport.client.clone());
        let head = client
            .head(url.clone())
            .headers(headers.clone())
            .send()
            .await
            .map_err(|err| match err {
                reqwest_middleware::Error::Reqwest(err) => {
                    RangeError::Client(connect_error(&file.url, err))
                }
                other => RangeError::Failed(error_chain(&other)),
            })?;
        if !head.status().is_success() {
            // A server that refuses HEAD may still serve GET: fall back to a download, which
            // reports any real error.
            return Err(RangeError::Failed(format!(
                "HEAD answered {}",
                head.status()
            )));
        }
        let mut reader = AsyncHttpRangeReader::from_head_response(client, head, url, headers)
            .await
            .map_err(RangeError::from)?;
        let length = reader.len();
        reader
            .prefetch(length.saturating_sub(TAIL_PREFETCH)..length)
            .await;
        let buffered = tokio::io::BufReader::with_capacity(BUFFER_SIZE as usize, reader);
        let mut zip = async_zip::base::read::seek::ZipFileReader::with_tokio(buffered)
            .await
            .map_err(|err| RangeError::Failed(err.to_string()))?;
        let names: Vec<String> = zip
            .file()
            .entries()
            .iter()
            .map(|entry| entry.filename().as_str().unwrap_or_default().to_string())
            .collect();
        let index = find_metadata_entry(&file.filename, names.iter().map(String::as_str)).map_err(
            |message| {
                RangeError::Client(ClientError::InvalidWheel {
                    url: mask_url(&file.url),
                    message,
                })
            },
        )?;
        let entry = &zip.file().entries()[index];
        let start = entry.header_offset();
        let size = entry.header_size() + entry.compressed_size() + 30 + names[index].len() as u64;
        let size = size.div_ceil(BUFFER_SIZE) * BUFFER_SIZE;
        zip.inner_mut()
            .get_mut()
            .get_mut()
            .prefetch(start..start + size)
            .await;
        let mut entry_reader = zip
            .reader_without_entry(index)
            .await
            .map_err(|err| RangeError::Failed(err.to_string()))?;
        let mut bytes = Vec::new();
        futures::AsyncReadExt::read_to_end(&mut entry_reader, &mut bytes)
            .await
            .map_err(|err| RangeError::Failed(err.to_string()))?;
        tracing::debug!("read metadata of {} by range requests", mask_url(&file.url));
        Ok(bytes)
    }
}

/// Why reading by range requests did not work.
enum RangeError {
    /// The server does not do ranges: download instead.
    Unsupported,
    /// Something else went wrong with the ranges: download instead.
    Failed(String),
    /// A real error (connection, credentials, an invalid wheel): report it.
    Client(ClientError),
}

impl From<AsyncHttpRangeReaderError> for RangeError {
    fn from(err: AsyncHttpRangeReaderError) -> Self {
        match err {
            AsyncHttpRangeReaderError::HttpRangeRequestUnsupported
            | AsyncHttpRangeReaderError::ContentLengthMissing
            | AsyncHttpRangeReaderError::ContentRangeMissing => Self::Unsupported,
            other => Self::Failed(error_chain(&other)),
        }
    }
}

/// The index of `<name>-<version>.dist-info/METADATA` among a wheel's entries: the one
/// top-level `.dist-info` directory, preferring the one named after the wheel.
fn find_metadata_entry<'a>(
    filename: &DistFilename,
    names: impl Iterator<Item = &'a str>,
) -> Result<usize, String> {
    let candidates: Vec<(usize, &str)> = names
        .enumerate()
        .filter(|(_, name)| {
            name.strip_suffix(".dist-info/METADATA")
                .is_some_and(|directory| !directory.is_empty() && !directory.contains('/'))
        })
        .collect();
    match candidates.as_slice() {
        [] => Err("the wheel has no .dist-info/METADATA".to_string()),
        [(index, _)] => Ok(*index),
        several => {
            let expected = filename.name().as_dist_info_name().to_string();
            several
                .iter()
                .find(|(_, name)| {
                    name.split_once('-')
                        .is_some_and(|(prefix, _)| prefix.eq_ignore_ascii_case(&expected))
                })
                .map(|(index, _)| *index)
                .ok_or_else(|| "the wheel has several .dist-info directories".to_string())
        }
    }
}

/// Read METADATA out of a wheel on disk.
async fn read_local_metadata(
    path: impl AsRef<Path> + Send + 'static,
    label: String,
) -> Result<Vec<u8>, ClientError> {
    tokio::task::spawn_blocking(move || {
        let path = path.as_ref();
        let invalid = |message: String| ClientError::InvalidWheel {
            url: label.clone(),
            message,
        };
        if !path.exists() {
            return Err(ClientError::MissingPath(path.to_path_buf()));
        }
        let file = fs_err::File::open(path)?;
        let mut archive = zip::ZipArchive::new(file).map_err(|err| invalid(err.to_string()))?;
        let names: Vec<String> = archive
            .file_names()
            .map(|name| name.map(|name| name.into_owned()).unwrap_or_default())
            .collect();
        let filename = path
            .file_name()
            .and_then(|name| name.to_str())
            .ok_or_else(|| invalid("the path has no file name".to_string()))?;
        let parsed = DistFilename::parse(filename, None).map_err(|err| invalid(err.to_string()))?;
        let index =
            find_metadata_entry(&parsed, names.iter().map(String::as_str)).map_err(invalid)?;
        let mut entry = archive
            .by_index(index)
            .map_err(|err| invalid(err.to_string()))?;
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|err| invalid(format!("cannot read {}: {err}", names[index])))?;
        Ok(bytes)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Parse METADATA and check that it is for the file's project and version.
fn parse_and_check(
    file: &DistFile,
    bytes: &[u8],
    label: &str,
) -> Result<CoreMetadata, ClientError> {
    let metadata = CoreMetadata::parse(bytes).map_err(|source| ClientError::Metadata {
        url: label.to_string(),
        source,
    })?;
    if &metadata.name != file.filename.name() || &metadata.version != file.filename.version() {
        return Err(ClientError::MetadataMismatch {
            url: label.to_string(),
            expected: format!("{} {}", file.filename.name(), file.filename.version()),
            actual: format!("{} {}", metadata.name, metadata.version),
        });
    }
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn finds_the_metadata_entry() {
        let filename = DistFilename::parse("foo_bar-1.0-py3-none-any.whl", None).unwrap();
        let names = [
            "foo_bar/__init__.py",
            "foo_bar-1.0.dist-info/METADATA",
            "foo_bar-1.0.dist-info/RECORD",
        ];
        assert_eq!(find_metadata_entry(&filename, names.into_iter()), Ok(1));
        let names = ["foo/x.dist-info/METADATA"];
        assert!(find_metadata_entry(&filename, names.into_iter()).is_err());
    }

    #[test]
    fn url_keys_drop_credentials() {
        let url = Url::parse("https://user:pw@example.com/a.whl").unwrap();
        assert_eq!(
            without_credentials(&url).as_str(),
            "https://example.com/a.whl"
        );
    }
}
