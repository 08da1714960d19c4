//! [`IndexClient`]: project listings from find-links and indexes (in order, per
//! [`IndexStrategy`]), and verified downloads into the archive cache.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use reqwest::Method;
use sha2::Digest;
use tokio::io::AsyncWriteExt;
use url::Url;
use wharf_cache::{Bucket, Cache};
use wharf_filename::DistFilename;
use wharf_metadata::CoreMetadata;
use wharf_pep::PackageName;

use crate::credentials::CredentialStore;
use crate::http_cache::{CacheMode, Page, fetch_page};
use crate::index_url::{mask_text, mask_url, parse_location};
use crate::once_map::OnceMap;
use crate::simple::{ACCEPT, parse_page};
use crate::transport::{Transport, backoff, connect_error};
use crate::{ClientError, DistFile, IndexUrl, ProjectFiles};

/// How projects found on several indexes are combined.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IndexStrategy {
    /// The first index that has a project is the only one used for it, so that a name
    /// registered on a later (public) index cannot shadow an earlier (private) one.
    #[default]
    FirstIndex,
    /// Merge the files of every index, as pip does (unsafe: dependency confusion).
    UnsafeBestMatch,
}

/// What the client talks to and how.
#[derive(Clone)]
pub struct ClientOptions {
    /// The indexes: the default index (`-i`) first, then each `--extra-index-url` in order.
    pub index_urls: Vec<IndexUrl>,
    /// Find-links locations: directories, `file://` URLs, or http(s) HTML pages of links.
    pub find_links: Vec<String>,
    /// Ignore the indexes (find-links only).
    pub no_index: bool,
    /// How several indexes are combined.
    pub index_strategy: IndexStrategy,
    /// Never touch the network: use cached pages and archives only.
    pub offline: bool,
    /// The cache.
    pub cache: Cache,
    /// Revalidate cached pages even when they are fresh.
    pub refresh: bool,
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Retries for connection failures and server errors.
    pub retries: u32,
}

impl ClientOptions {
    /// Options for PyPI with the default timeout (30 s) and retries (3).
    pub fn new(cache: Cache) -> Self {
        Self {
            index_urls: vec![IndexUrl::pypi()],
            find_links: Vec::new(),
            no_index: false,
            index_strategy: IndexStrategy::default(),
            offline: false,
            cache,
            refresh: false,
            timeout: Duration::from_secs(30),
            retries: 3,
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Find-links locations are user text that may hold credentials.
        let find_links: Vec<String> = self
            .find_links
            .iter()
            .map(|location| mask_text(location))
            .collect();
        formatter
            .debug_struct("ClientOptions")
            .field("index_urls", &self.index_urls)
            .field("find_links", &find_links)
            .field("no_index", &self.no_index)
            .field("index_strategy", &self.index_strategy)
            .field("offline", &self.offline)
            .field("cache", &self.cache.root())
            .field("refresh", &self.refresh)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

/// A find-links location, parsed once.
#[derive(Debug, Clone)]
enum FindLinks {
    /// A local directory: its files are the links.
    Directory(PathBuf),
    /// A local HTML file or an http(s) page of links.
    Page(Url),
}

/// The links of a find-links location, read once per client.
#[derive(Debug)]
enum Listing {
    Files(Vec<(String, Url, u64)>),
    Page(Page),
}

pub(crate) struct Inner {
    pub(crate) options: ClientOptions,
    pub(crate) transport: Transport,
    find_links: Vec<(FindLinks, String)>,
    listings: OnceMap<usize, Arc<Listing>>,
    projects: OnceMap<PackageName, Arc<ProjectFiles>>,
    pub(crate) metadata: OnceMap<String, Arc<CoreMetadata>>,
}

/// The index client; cheap to clone and safe to use from many tasks at once.
#[derive(Clone)]
pub struct IndexClient {
    pub(crate) inner: Arc<Inner>,
}

impl IndexClient {
    /// The cache this client reads and writes.
    pub fn cache(&self) -> &Cache {
        &self.inner.options.cache
    }
}

impl std::fmt::Debug for IndexClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IndexClient")
            .field("index_urls", &self.inner.options.index_urls)
            .field(
                "find_links",
                &self
                    .inner
                    .find_links
                    .iter()
                    .map(|(_, label)| label)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl IndexClient {
    /// Make a client. Find-links locations are checked here, so that a missing directory is
    /// reported before any work starts.
    pub fn new(options: ClientOptions) -> Result<Self, ClientError> {
        let mut find_links = Vec::new();
        let mut urls: Vec<Url> = options
            .index_urls
            .iter()
            .map(|index| index.url().clone())
            .collect();
        for location in &options.find_links {
            let url = parse_location(location)?;
            let label = mask_text(location);
            let parsed = if url.scheme() == "file" {
                let path = url.to_file_path().map_err(|()| ClientError::InvalidUrl {
                    url: label.clone(),
                    message: "not a local path".to_string(),
                })?;
                if path.is_dir() {
                    FindLinks::Directory(path)
                } else if path.is_file() {
                    FindLinks::Page(url.clone())
                } else {
                    return Err(ClientError::MissingPath(path));
                }
            } else {
                FindLinks::Page(url.clone())
            };
            urls.push(url);
            find_links.push((parsed, label));
        }
        let credentials = CredentialStore::new(urls.iter());
        let transport = Transport::new(options.timeout, options.retries, credentials)?;
        Ok(Self {
            inner: Arc::new(Inner {
                options,
                transport,
                find_links,
                listings: OnceMap::default(),
                projects: OnceMap::default(),
                metadata: OnceMap::default(),
            }),
        })
    }

    /// The options the client was made with.
    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }

    fn cache_mode(&self) -> CacheMode {
        CacheMode {
            offline: self.inner.options.offline,
            refresh: self.inner.options.refresh,
        }
    }

    /// Every file of a project: find-links first, then the indexes per the strategy. A
    /// project found nowhere is an empty list (with the places searched), not an error.
    pub async fn project(&self, name: &PackageName) -> Result<Arc<ProjectFiles>, ClientError> {
        let files = self
            .inner
            .projects
            .get_or_try_init(name.clone(), || async {
                self.fetch_project(name).await.map(Arc::new)
            })
            .await?;
        // Shared, not copied: a large project lists thousands of files.
        Ok(files)
    }

    async fn fetch_project(&self, name: &PackageName) -> Result<ProjectFiles, ClientError> {
        let mut files = Vec::new();
        let mut searched = Vec::new();
        for index in 0..self.inner.find_links.len() {
            let label = self.inner.find_links[index].1.clone();
            searched.push(label.clone());
            let listing = self
                .inner
                .listings
                .get_or_try_init(index, || async {
                    self.read_find_links(&self.inner.find_links[index].0)
                        .await
                        .map(Arc::new)
                })
                .await?;
            files.extend(listing_files(&listing, name, &label)?);
        }
        if !self.inner.options.no_index {
            for index in &self.inner.options.index_urls {
                searched.push(index.to_string());
                let Some(found) = self.index_files(index, name).await? else {
                    continue;
                };
                files.extend(found);
                if self.inner.options.index_strategy == IndexStrategy::FirstIndex {
                    tracing::debug!(
                        "{name} found on {index}; later indexes are not searched (first-index strategy)"
                    );
                    break;
                }
            }
        }
        Ok(ProjectFiles {
            name: name.clone(),
            files,
            searched,
        })
    }

    /// The files of a project on one index; `None` when the index does not have it.
    async fn index_files(
        &self,
        index: &IndexUrl,
        name: &PackageName,
    ) -> Result<Option<Vec<DistFile>>, ClientError> {
        let source = index.to_string();
        let project_url =
            index
                .url()
                .join(&format!("{name}/"))
                .map_err(|err| ClientError::InvalidUrl {
                    url: source.clone(),
                    message: err.to_string(),
                })?;
        if index.is_local() {
            return local_index_files(&project_url, name, &source).await;
        }
        let page = fetch_page(
            &self.inner.transport,
            &self.inner.options.cache,
            self.cache_mode(),
            &project_url,
            ACCEPT,
        )
        .await?;
        let Some(page) = page else {
            tracing::debug!("{name} is not on {}", mask_url(&project_url));
            return Ok(None);
        };
        parse_page(
            &page.url,
            &page.body,
            &page.content_type,
            Some(name),
            &source,
        )
        .map(Some)
    }

    async fn read_find_links(&self, location: &FindLinks) -> Result<Listing, ClientError> {
        match location {
            FindLinks::Directory(path) => {
                let path = path.clone();
                let files = tokio::task::spawn_blocking(move || list_directory(&path))
                    .await
                    .map_err(std::io::Error::other)??;
                Ok(Listing::Files(files))
            }
            FindLinks::Page(url) if url.scheme() == "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| ClientError::MissingPath(PathBuf::from(url.path())))?;
                let body = tokio::fs::read(&path).await.map_err(|err| {
                    std::io::Error::new(
                        err.kind(),
                        format!("failed to read {}: {err}", path.display()),
                    )
                })?;
                Ok(Listing::Page(Page {
                    url: url.clone(),
                    content_type: "text/html".to_string(),
                    body,
                }))
            }
            FindLinks::Page(url) => {
                // A find-links page is plain HTML (no JSON form exists for flat pages).
                let page = fetch_page(
                    &self.inner.transport,
                    &self.inner.options.cache,
                    self.cache_mode(),
                    url,
                    "text/html",
                )
                .await?
                .ok_or_else(|| ClientError::Status {
                    url: mask_url(url),
                    status: 404,
                    reason: Some("the find-links page does not exist".to_string()),
                })?;
                Ok(Listing::Page(page))
            }
        }
    }

    /// Download a file into the archive cache (`archives-v1/<sha256>/<filename>`), streaming
    /// and verifying it against the index's hashes. Local files are verified and returned in
    /// place.
    pub async fn download(&self, file: &DistFile) -> Result<PathBuf, ClientError> {
        let filename = file.filename_text();
        if file.url.scheme() == "file" {
            let path = file
                .url
                .to_file_path()
                .map_err(|()| ClientError::MissingPath(PathBuf::from(file.url.path())))?;
            if !path.is_file() {
                return Err(ClientError::MissingPath(path));
            }
            if !file.hashes.is_empty() {
                let hashes = file.hashes.clone();
                let label = path.display().to_string();
                let check = path.clone();
                tokio::task::spawn_blocking(move || verify_file(&check, &hashes, &label))
                    .await
                    .map_err(std::io::Error::other)??;
            }
            return Ok(path);
        }
        let archives = self.inner.options.cache.bucket(Bucket::Archives)?;
        if let Some(expected) = file.sha256() {
            let target = archives.join(expected).join(&filename);
            if target.is_file() {
                let hashes = file.hashes.clone();
                let label = target.display().to_string();
                let check = target.clone();
                let verified =
                    tokio::task::spawn_blocking(move || verify_file(&check, &hashes, &label))
                        .await
                        .map_err(std::io::Error::other)?;
                match verified {
                    Ok(()) => return Ok(target),
                    Err(err) => {
                        tracing::warn!("replacing a corrupt cache entry: {err}");
                        let _ = fs_err::remove_file(&target);
                    }
                }
            }
        }
        if self.inner.options.offline {
            return Err(ClientError::Offline {
                url: mask_url(&file.url),
            });
        }
        let mut attempt = 0;
        loop {
            match self.download_once(file, &archives, &filename).await {
                Err(err) if err.is_transient() && attempt < self.inner.transport.retries() => {
                    let delay = backoff(attempt);
                    tracing::debug!("download failed ({err}); retrying in {delay:?}");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn download_once(
        &self,
        file: &DistFile,
        archives: &Path,
        filename: &str,
    ) -> Result<PathBuf, ClientError> {
        let response = self
            .inner
            .transport
            .send(Method::GET, &file.url, Default::default())
            .await?;
        let response = self.inner.transport.check_status(&file.url, response)?;
        // Written on the cache's file system, so that the final rename is atomic; removed
        // when dropped, which is every path but success.
        let temp = tempfile::NamedTempFile::new_in(self.inner.options.cache.bucket(Bucket::Temp)?)?;
        let mut writer =
            tokio::io::BufWriter::new(tokio::fs::File::from_std(temp.as_file().try_clone()?));
        let mut hashers = Hashers::new(&file.hashes);
        let mut size = 0u64;
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|err| connect_error(&file.url, err))?;
            hashers.update(&chunk);
            size += chunk.len() as u64;
            writer
                .write_all(&chunk)
                .await
                .map_err(|err| annotate(err, temp.path()))?;
        }
        writer
            .flush()
            .await
            .map_err(|err| annotate(err, temp.path()))?;
        drop(writer);
        let sha256 = hashers.verify(&mask_url(&file.url))?;
        if let Some(expected) = file.size
            && file.hashes.is_empty()
            && expected != size
        {
            return Err(ClientError::SizeMismatch {
                url: mask_url(&file.url),
                expected,
                actual: size,
            });
        }
        let directory = archives.join(&sha256);
        fs_err::create_dir_all(&directory)?;
        let target = directory.join(filename);
        temp.persist(&target)
            .map_err(|err| annotate(err.error, &target))?;
        tracing::debug!("downloaded {} ({size} bytes)", mask_url(&file.url));
        Ok(target)
    }
}

fn annotate(err: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(
        err.kind(),
        format!("failed to write {}: {err}", path.display()),
    )
}

/// The hashes to check while streaming: sha256 always (it names the cache entry), plus
/// every other SHA-2 hash the index gave.
struct Hashers {
    sha256: sha2::Sha256,
    others: Vec<(String, String, OtherHasher)>,
    expected_sha256: Option<String>,
}

enum OtherHasher {
    Sha224(sha2::Sha224),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hashers {
    fn new(hashes: &[(String, String)]) -> Self {
        let mut others = Vec::new();
        let mut expected_sha256 = None;
        for (algorithm, value) in hashes {
            let hasher = match algorithm.as_str() {
                "sha256" => {
                    expected_sha256 = Some(value.clone());
                    continue;
                }
                "sha224" => OtherHasher::Sha224(sha2::Sha224::new()),
                "sha384" => OtherHasher::Sha384(sha2::Sha384::new()),
                "sha512" => OtherHasher::Sha512(sha2::Sha512::new()),
                // md5/sha1 on old find-links pages: too weak to be worth checking.
                _ => continue,
            };
            others.push((algorithm.clone(), value.clone(), hasher));
        }
        Self {
            sha256: sha2::Sha256::new(),
            others,
            expected_sha256,
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        self.sha256.update(bytes);
        for (_, _, hasher) in &mut self.others {
            match hasher {
                OtherHasher::Sha224(hasher) => hasher.update(bytes),
                OtherHasher::Sha384(hasher) => hasher.update(bytes),
                OtherHasher::Sha512(hasher) => hasher.update(bytes),
            }
        }
    }

    /// Check every expected hash; returns the sha256 of what was read.
    fn verify(self, label: &str) -> Result<String, ClientError> {
        let sha256 = hex::encode(self.sha256.finalize());
        let mismatch =
            |algorithm: &str, expected: &str, actual: String| ClientError::HashMismatch {
                url: label.to_string(),
                algorithm: algorithm.to_string(),
                expected: expected.to_string(),
                actual,
            };
        if let Some(expected) = &self.expected_sha256
            && !expected.eq_ignore_ascii_case(&sha256)
        {
            return Err(mismatch("sha256", expected, sha256));
        }
        for (algorithm, expected, hasher) in self.others {
            let actual = match hasher {
                OtherHasher::Sha224(hasher) => hex::encode(hasher.finalize()),
                OtherHasher::Sha384(hasher) => hex::encode(hasher.finalize()),
                OtherHasher::Sha512(hasher) => hex::encode(hasher.finalize()),
            };
            if !expected.eq_ignore_ascii_case(&actual) {
                return Err(mismatch(&algorithm, &expected, actual));
            }
        }
        Ok(sha256)
    }
}

/// Verify a file on disk against the given hashes.
fn verify_file(path: &Path, hashes: &[(String, String)], label: &str) -> Result<(), ClientError> {
    use std::io::Read;
    let mut hashers = Hashers::new(hashes);
    let mut reader = fs_err::File::open(path)?;
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = reader.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hashers.update(&buffer[..read]);
    }
    hashers.verify(label).map(|_| ())
}

/// The files of a directory: `(filename, URL, size)`.
fn list_directory(path: &Path) -> Result<Vec<(String, Url, u64)>, ClientError> {
    let mut files = Vec::new();
    for entry in fs_err::read_dir(path)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        if !metadata.is_file() {
            continue;
        }
        let Some(filename) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let Ok(url) = Url::from_file_path(entry.path()) else {
            continue;
        };
        files.push((filename, url, metadata.len()));
    }
    files.sort();
    Ok(files)
}

/// The files of a project in a find-links listing.
fn listing_files(
    listing: &Listing,
    name: &PackageName,
    source: &str,
) -> Result<Vec<DistFile>, ClientError> {
    match listing {
        Listing::Files(files) => Ok(files
            .iter()
            .filter_map(|(filename, url, size)| {
                let parsed = DistFilename::parse(filename, Some(name)).ok()?;
                (parsed.name() == name).then(|| DistFile {
                    filename: parsed,
                    url: url.clone(),
                    hashes: Vec::new(),
                    requires_python: None,
                    yanked: None,
                    core_metadata: None,
                    size: Some(*size),
                    upload_time: None,
                    index: source.to_string(),
                })
            })
            .collect()),
        Listing::Page(page) => parse_page(
            &page.url,
            &page.body,
            &page.content_type,
            Some(name),
            source,
        ),
    }
}

/// A project on a `file://` index: `<name>/index.html`, or the files of `<name>/` when the
/// tree has no index pages.
async fn local_index_files(
    project_url: &Url,
    name: &PackageName,
    source: &str,
) -> Result<Option<Vec<DistFile>>, ClientError> {
    let directory = project_url
        .to_file_path()
        .map_err(|()| ClientError::InvalidUrl {
            url: source.to_string(),
            message: "not a local path".to_string(),
        })?;
    let page = directory.join("index.html");
    if page.is_file() {
        let body = tokio::fs::read(&page).await.map_err(|err| {
            std::io::Error::new(
                err.kind(),
                format!("failed to read {}: {err}", page.display()),
            )
        })?;
        let page_url =
            Url::from_file_path(&page).map_err(|()| ClientError::MissingPath(page.clone()))?;
        return parse_page(&page_url, &body, "text/html", Some(name), source).map(Some);
    }
    if directory.is_dir() {
        let files = tokio::task::spawn_blocking(move || list_directory(&directory))
            .await
            .map_err(std::io::Error::other)??;
        let listing = Listing::Files(files);
        return listing_files(&listing, name, source).map(Some);
    }
    Ok(None)
}

impl IndexClient {
    /// A client over find-links only, for tests and `--no-index` callers.
    pub fn find_links_only(cache: Cache, find_links: Vec<String>) -> Result<Self, ClientError> {
        let mut options = ClientOptions::new(cache);
        options.index_urls.clear();
        options.find_links = find_links;
        options.no_index = true;
        Self::new(options)
    }
}

impl FromStr for IndexStrategy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "first-index" => Ok(Self::FirstIndex),
            "unsafe-best-match" => Ok(Self::UnsafeBestMatch),
            other => Err(format!(
                "unknown index strategy `{other}` (expected `first-index` or `unsafe-best-match`)"
            )),
        }
    }
}
