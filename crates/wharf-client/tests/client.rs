//! The index client against a local index on 127.0.0.1 and find-links directories: page
//! formats, metadata strategies, index strategies, failures, credentials, caching.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use wharf_cache::{Bucket, Cache};
use wharf_client::{ClientError, ClientOptions, IndexClient, IndexStrategy};
use wharf_pep::PackageName;
use wharf_test_support::index::{IndexOptions, IndexServer};
use wharf_test_support::wheel::WheelBuilder;

fn name(text: &str) -> PackageName {
    PackageName::from_str(text).unwrap()
}

/// Bytes that do not compress, so that a wheel is clearly bigger than its metadata.
fn noise(length: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..length)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn big_wheel(dir: &Path, project: &str, version: &str) -> PathBuf {
    WheelBuilder::new(project, version)
        .requires("dependency>=1.0")
        .file("payload.bin", noise(300_000))
        .build(dir)
}

fn client(cache: &Path, indexes: &[&str]) -> IndexClient {
    IndexClient::new(options(cache, indexes)).unwrap()
}

fn options(cache: &Path, indexes: &[&str]) -> ClientOptions {
    let mut options = ClientOptions::new(Cache::at(cache).unwrap());
    options.index_urls = indexes.iter().map(|url| url.parse().unwrap()).collect();
    options.retries = 2;
    options.timeout = Duration::from_secs(10);
    options
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(walk(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn html_page_with_yanked_requires_python_and_relative_links() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    WheelBuilder::new("foo", "1.0").build(dir.path());
    let newer = WheelBuilder::new("foo", "2.0");
    newer.build(dir.path());
    std::fs::write(dir.path().join("foo-1.5.tar.gz"), b"not really a tarball").unwrap();
    std::fs::write(dir.path().join("foo-garbage.whl"), b"unparsable name").unwrap();
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            yanked: vec![("foo-1.0-py3-none-any.whl".into(), "broken <build>".into())],
            requires_python: vec![("foo-2.0-py3-none-any.whl".into(), ">=3.8, <4".into())],
            ..IndexOptions::default()
        },
    );
    let project = client(cache.path(), &[&server.url])
        .project(&name("Foo"))
        .await
        .unwrap();
    assert_eq!(project.files.len(), 3, "{:#?}", project.files);
    let by_version = |version: &str| {
        project
            .files
            .iter()
            .find(|file| file.filename.version().to_string() == version)
            .unwrap()
    };
    let old = by_version("1.0");
    assert_eq!(old.yanked.as_deref(), Some("broken <build>"));
    assert_eq!(
        old.url.as_str(),
        format!("{}/files/foo-1.0-py3-none-any.whl", server.base)
    );
    assert_eq!(
        old.sha256(),
        Some(WheelBuilder::new("foo", "1.0").sha256().as_str())
    );
    assert_eq!(old.core_metadata, None);
    assert_eq!(old.index, server.url);
    let new = by_version("2.0");
    assert_eq!(new.yanked, None);
    assert_eq!(
        new.requires_python.as_ref().unwrap().to_string(),
        ">=3.8, <4"
    );
    assert_eq!(new.sha256(), Some(newer.sha256().as_str()));
    assert!(!by_version("1.5").is_wheel());
    assert_eq!(server.request_log(), vec!["GET /simple/foo/"]);
}

#[tokio::test]
async fn json_page_is_negotiated() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let wheel = WheelBuilder::new("foo", "1.0");
    wheel.build(dir.path());
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            json: true,
            metadata_files: true,
            yanked: vec![("foo-1.0-py3-none-any.whl".into(), String::new())],
            requires_python: vec![("foo-1.0-py3-none-any.whl".into(), ">=3.7".into())],
            ..IndexOptions::default()
        },
    );
    let project = client(cache.path(), &[&server.url])
        .project(&name("foo"))
        .await
        .unwrap();
    let file = &project.files[0];
    // Only the JSON form carries the PEP 700 fields.
    assert_eq!(file.size, Some(wheel.to_bytes().len() as u64));
    assert!(file.upload_time.is_some());
    assert_eq!(file.yanked.as_deref(), Some(""));
    assert_eq!(file.requires_python.as_ref().unwrap().to_string(), ">=3.7");
    assert_eq!(file.sha256(), Some(wheel.sha256().as_str()));
    assert!(matches!(&file.core_metadata, Some(Some((algorithm, _))) if algorithm == "sha256"));
}

#[tokio::test]
async fn not_found_is_empty_with_the_places_searched() {
    let dir = tempfile::tempdir().unwrap();
    let links = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let server = IndexServer::serve(dir.path(), IndexOptions::default());
    let mut options = options(cache.path(), &[&server.url]);
    options.find_links = vec![links.path().display().to_string()];
    let project = IndexClient::new(options)
        .unwrap()
        .project(&name("missing"))
        .await
        .unwrap();
    assert!(project.files.is_empty());
    assert_eq!(project.searched.len(), 2);
    assert_eq!(project.searched[1], server.url);
}

#[tokio::test]
async fn metadata_from_pep_658_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    big_wheel(dir.path(), "foo", "1.0");
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            metadata_files: true,
            range_requests: true,
            ..IndexOptions::default()
        },
    );
    let client = client(cache.path(), &[&server.url]);
    let project = client.project(&name("foo")).await.unwrap();
    let metadata = client.metadata(&project.files[0]).await.unwrap();
    assert_eq!(metadata.name, name("foo"));
    assert_eq!(metadata.requires_dist[0].name, name("dependency"));
    assert_eq!(
        server.request_log(),
        vec![
            "GET /simple/foo/",
            "GET /files/foo-1.0-py3-none-any.whl.metadata"
        ]
    );
    // Cached on disk: a new client asks nothing for it.
    server.clear_log();
    let again = self::client(cache.path(), &[&server.url]);
    again.metadata(&project.files[0]).await.unwrap();
    assert!(
        server.request_log().is_empty(),
        "{:?}",
        server.request_log()
    );
}

#[tokio::test]
async fn metadata_by_range_requests_reads_only_part_of_the_wheel() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let wheel = big_wheel(dir.path(), "foo", "1.0");
    let wheel_size = std::fs::metadata(&wheel).unwrap().len();
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            range_requests: true,
            ..IndexOptions::default()
        },
    );
    let client = client(cache.path(), &[&server.url]);
    let project = client.project(&name("foo")).await.unwrap();
    let metadata = client.metadata(&project.files[0]).await.unwrap();
    assert_eq!(metadata.version.to_string(), "1.0");
    let file_requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|request| request.path.starts_with("/files/"))
        .collect();
    assert!(file_requests.iter().any(|request| request.method == "HEAD"));
    let gets: Vec<_> = file_requests
        .iter()
        .filter(|request| request.method == "GET")
        .collect();
    assert!(!gets.is_empty());
    assert!(
        gets.iter()
            .all(|request| request.range.is_some() && request.status == 206),
        "a full download happened: {file_requests:?}"
    );
    let fetched: u64 = gets
        .iter()
        .map(|request| {
            let range = request
                .range
                .as_deref()
                .unwrap()
                .trim_start_matches("bytes=");
            let (start, end) = range.split_once('-').unwrap();
            end.parse::<u64>().unwrap() - start.parse::<u64>().unwrap() + 1
        })
        .sum();
    assert!(
        fetched < wheel_size / 4,
        "fetched {fetched} of {wheel_size} bytes"
    );
    assert!(files_in(&cache.path().join(Bucket::Archives.dir_name())).is_empty());
}

#[tokio::test]
async fn metadata_by_full_download_when_ranges_are_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let wheel = big_wheel(dir.path(), "foo", "1.0");
    let server = IndexServer::serve(dir.path(), IndexOptions::default());
    let client = client(cache.path(), &[&server.url]);
    let project = client.project(&name("foo")).await.unwrap();
    let metadata = client.metadata(&project.files[0]).await.unwrap();
    assert_eq!(metadata.name, name("foo"));
    assert!(
        server
            .requests()
            .iter()
            .any(|request| request.method == "GET"
                && request.path == "/files/foo-1.0-py3-none-any.whl"
                && request.range.is_none())
    );
    // The downloaded wheel is kept for the install: no second download.
    server.clear_log();
    let path = client.download(&project.files[0]).await.unwrap();
    assert!(
        server.request_log().is_empty(),
        "{:?}",
        server.request_log()
    );
    assert_eq!(std::fs::read(path).unwrap(), std::fs::read(wheel).unwrap());
}

#[tokio::test]
async fn sdist_metadata_needs_a_build() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("foo-1.0.tar.gz"), b"sdist").unwrap();
    let server = IndexServer::serve(dir.path(), IndexOptions::default());
    let client = client(cache.path(), &[&server.url]);
    let project = client.project(&name("foo")).await.unwrap();
    let error = client.metadata(&project.files[0]).await.unwrap_err();
    assert!(
        matches!(&error, ClientError::NeedsBuild(file) if file == "foo-1.0.tar.gz"),
        "{error}"
    );
}

#[tokio::test]
async fn download_into_the_archive_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let builder = WheelBuilder::new("foo", "1.0");
    builder.build(dir.path());
    let server = IndexServer::serve(dir.path(), IndexOptions::default());
    let client = client(cache.path(), &[&server.url]);
    let project = client.project(&name("foo")).await.unwrap();
    let path = client.download(&project.files[0]).await.unwrap();
    assert_eq!(
        path,
        cache
            .path()
            .join(Bucket::Archives.dir_name())
            .join(builder.sha256())
            .join("foo-1.0-py3-none-any.whl")
    );
    assert_eq!(std::fs::read(&path).unwrap(), builder.to_bytes());
    server.clear_log();
    assert_eq!(client.download(&project.files[0]).await.unwrap(), path);
    assert!(server.request_log().is_empty());
}

#[tokio::test]
async fn truncated_download_is_a_hash_mismatch_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let builder = WheelBuilder::new("foo", "1.0");
    builder.build(dir.path());
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            truncate_files: vec!["foo-1.0-py3-none-any.whl".into()],
            ..IndexOptions::default()
        },
    );
    let client = client(cache.path(), &[&server.url]);
    let project = client.project(&name("foo")).await.unwrap();
    let error = client.download(&project.files[0]).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, ClientError::HashMismatch { .. }),
        "{message}"
    );
    assert!(
        message.contains(&server.file_url("foo-1.0-py3-none-any.whl")),
        "{message}"
    );
    assert!(message.contains(&builder.sha256()), "{message}");
    assert!(files_in(&cache.path().join(Bucket::Archives.dir_name())).is_empty());
    assert!(files_in(&cache.path().join(Bucket::Temp.dir_name())).is_empty());
}

#[tokio::test]
async fn find_links_directory_and_pages() {
    let links = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let local = WheelBuilder::new("foo", "1.0").build(links.path());
    WheelBuilder::new("bar", "1.0").build(links.path());
    // A local HTML page of links, relative to itself.
    let pages = tempfile::tempdir().unwrap();
    std::fs::create_dir(pages.path().join("wheels")).unwrap();
    WheelBuilder::new("foo", "2.0").build(&pages.path().join("wheels"));
    let html = pages.path().join("links.html");
    std::fs::write(
        &html,
        r#"<html><body><a href="wheels/foo-2.0-py3-none-any.whl">foo 2.0</a></body></html>"#,
    )
    .unwrap();
    // An http page of links: another index's project page, reached through a redirect
    // from a non-normalized name, with links relative to the final URL.
    let remote = tempfile::tempdir().unwrap();
    WheelBuilder::new("foo", "3.0").build(remote.path());
    let server = IndexServer::serve(remote.path(), IndexOptions::default());

    let client = IndexClient::find_links_only(
        Cache::at(cache.path()).unwrap(),
        vec![
            links.path().display().to_string(),
            format!("file://{}", html.display()),
            format!("{}Foo_/", server.url),
        ],
    )
    .unwrap();
    let project = client.project(&name("foo")).await.unwrap();
    let versions: Vec<String> = project
        .files
        .iter()
        .map(|file| file.filename.version().to_string())
        .collect();
    assert_eq!(versions, vec!["1.0", "2.0", "3.0"]);
    assert_eq!(project.searched.len(), 3);
    // A local file is used in place.
    assert_eq!(client.download(&project.files[0]).await.unwrap(), local);
    let metadata = client.metadata(&project.files[1]).await.unwrap();
    assert_eq!(metadata.version.to_string(), "2.0");
    let remote_file = client.download(&project.files[2]).await.unwrap();
    assert!(remote_file.starts_with(cache.path()));
    assert_eq!(
        server.request_log(),
        vec![
            "GET /simple/Foo_/",
            "GET /simple/foo/",
            "GET /files/foo-3.0-py3-none-any.whl"
        ]
    );
    // A missing find-links directory is an error up front.
    let error = IndexClient::find_links_only(
        Cache::at(cache.path()).unwrap(),
        vec![links.path().join("nope").display().to_string()],
    )
    .unwrap_err();
    assert!(error.to_string().contains("nope"), "{error}");
}

#[tokio::test]
async fn local_file_index() {
    let root = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let project_dir = root.path().join("simple").join("foo");
    std::fs::create_dir_all(&project_dir).unwrap();
    let builder = WheelBuilder::new("foo", "1.0");
    builder.build(&root.path().join("files"));
    std::fs::write(
        project_dir.join("index.html"),
        format!(
            r#"<html><body><a href="../../files/foo-1.0-py3-none-any.whl#sha256={}">foo</a></body></html>"#,
            builder.sha256()
        ),
    )
    .unwrap();
    let index = format!("file://{}/simple/", root.path().display());
    let client = client(cache.path(), &[&index]);
    let project = client.project(&name("foo")).await.unwrap();
    assert_eq!(project.files.len(), 1);
    let path = client.download(&project.files[0]).await.unwrap();
    assert_eq!(path, root.path().join("files/foo-1.0-py3-none-any.whl"));
    assert!(client.project(&name("bar")).await.unwrap().files.is_empty());
}

#[tokio::test]
async fn first_index_wins_and_later_indexes_are_not_asked() {
    let private = tempfile::tempdir().unwrap();
    let public = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    WheelBuilder::new("internal", "1.0").build(private.path());
    WheelBuilder::new("internal", "99.0").build(public.path());
    WheelBuilder::new("requests", "2.0").build(public.path());
    let first = IndexServer::serve(private.path(), IndexOptions::default());
    let second = IndexServer::serve(public.path(), IndexOptions::default());

    let safe = client(cache.path(), &[&first.url, &second.url]);
    let project = safe.project(&name("internal")).await.unwrap();
    assert_eq!(project.files.len(), 1);
    assert_eq!(project.files[0].filename.version().to_string(), "1.0");
    assert_eq!(project.searched, vec![first.url.clone()]);
    assert!(
        second.request_log().is_empty(),
        "{:?}",
        second.request_log()
    );
    // A project the first index lacks comes from the second.
    let requests = safe.project(&name("requests")).await.unwrap();
    assert_eq!(requests.files[0].index, second.url);
    assert_eq!(second.request_log(), vec!["GET /simple/requests/"]);

    let mut options = options(cache.path(), &[&first.url, &second.url]);
    options.index_strategy = IndexStrategy::UnsafeBestMatch;
    let merged = IndexClient::new(options)
        .unwrap()
        .project(&name("internal"))
        .await
        .unwrap();
    let versions: Vec<String> = merged
        .files
        .iter()
        .map(|file| file.filename.version().to_string())
        .collect();
    assert_eq!(versions, vec!["1.0", "99.0"]);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            fail_projects: vec![("foo".into(), 500), ("private".into(), 403)],
            ..IndexOptions::default()
        },
    );
    let client = client(cache.path(), &[&server.url]);
    let error = client.project(&name("foo")).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("500"), "{message}");
    assert!(
        message.contains(&format!("{}foo/", server.url)),
        "{message}"
    );
    // One attempt and two retries.
    assert_eq!(server.request_log().len(), 3);
    server.clear_log();
    let error = client.project(&name("private")).await.unwrap_err();
    assert!(
        error.to_string().contains("credentials are required"),
        "{error}"
    );
    assert_eq!(server.request_log().len(), 1, "4xx is not retried");
}

#[tokio::test]
async fn connection_failure_names_the_url_and_suggests_offline() {
    let cache = tempfile::tempdir().unwrap();
    // A port nobody listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://user:hunter2@127.0.0.1:{port}/simple/");
    let mut options = options(cache.path(), &[&url]);
    options.retries = 1;
    let error = IndexClient::new(options)
        .unwrap()
        .project(&name("foo"))
        .await
        .unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(
        message.contains(&format!("http://user:****@127.0.0.1:{port}/simple/foo/")),
        "{message}"
    );
    assert!(message.contains("--offline"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn garbage_pages_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    for json in [false, true] {
        let server = IndexServer::serve(
            dir.path(),
            IndexOptions {
                json,
                garbage_projects: vec!["foo".into()],
                ..IndexOptions::default()
            },
        );
        let error = client(cache.path(), &[&server.url])
            .project(&name("foo"))
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(error, ClientError::InvalidPage { .. }),
            "{message}"
        );
        assert!(
            message.contains(&format!("{}foo/", server.url)),
            "{message}"
        );
        let content_type = if json {
            "application/vnd.pypi.simple.v1+json"
        } else {
            "text/html"
        };
        assert!(message.contains(content_type), "{message}");
    }
}

#[tokio::test]
async fn basic_auth_from_the_url_with_masked_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    WheelBuilder::new("foo", "1.0").build(dir.path());
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            basic_auth: Some(("alice".into(), "s3cret".into())),
            range_requests: true,
            ..IndexOptions::default()
        },
    );
    let with_credentials = server.url.replace("http://", "http://alice:s3cret@");
    let client = client(cache.path(), &[&with_credentials]);
    let project = client.project(&name("foo")).await.unwrap();
    assert_eq!(
        project.searched,
        vec![server.url.replace("http://", "http://alice:****@")]
    );
    assert!(!format!("{project:?}").contains("s3cret"));
    // Files on the same host get the credentials too (range requests and download).
    client.metadata(&project.files[0]).await.unwrap();
    client.download(&project.files[0]).await.unwrap();
    assert!(
        server
            .requests()
            .iter()
            .all(|request| request.authorization && request.status < 400)
    );
    // The page cache never stores credentials.
    for file in files_in(cache.path()) {
        let bytes = std::fs::read(&file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("s3cret") && !text.contains("YWxpY2U6czNjcmV0"),
            "{}",
            file.display()
        );
    }

    let wrong = server.url.replace("http://", "http://alice:wrong@");
    let error = self::client(tempfile::tempdir().unwrap().path(), &[&wrong])
        .project(&name("foo"))
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("rejected"), "{message}");
    assert!(message.contains("alice:****@"), "{message}");
    assert!(!message.contains("wrong"), "{message}");

    let error = self::client(tempfile::tempdir().unwrap().path(), &[&server.url])
        .project(&name("foo"))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("credentials are required"),
        "{error}"
    );
}

#[tokio::test]
async fn fresh_pages_need_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    WheelBuilder::new("foo", "1.0").build(dir.path());
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            cache_control: Some("max-age=600, public".into()),
            ..IndexOptions::default()
        },
    );
    client(cache.path(), &[&server.url])
        .project(&name("foo"))
        .await
        .unwrap();
    assert_eq!(server.request_log().len(), 1);
    let again = client(cache.path(), &[&server.url])
        .project(&name("foo"))
        .await
        .unwrap();
    assert_eq!(again.files.len(), 1);
    assert_eq!(
        server.request_log().len(),
        1,
        "a fresh page was fetched again"
    );
    // --refresh revalidates.
    let mut options = options(cache.path(), &[&server.url]);
    options.refresh = true;
    IndexClient::new(options)
        .unwrap()
        .project(&name("foo"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[1].conditional);
    assert_eq!(requests[1].status, 304);
}

#[tokio::test]
async fn stale_pages_are_revalidated_with_etag() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    WheelBuilder::new("foo", "1.0").build(dir.path());
    let server = IndexServer::serve(dir.path(), IndexOptions::default());
    client(cache.path(), &[&server.url])
        .project(&name("foo"))
        .await
        .unwrap();
    let again = client(cache.path(), &[&server.url])
        .project(&name("foo"))
        .await
        .unwrap();
    assert_eq!(again.files.len(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(!requests[0].conditional);
    assert!(requests[1].conditional);
    assert_eq!(requests[1].status, 304);
    // A changed page is fetched in full.
    WheelBuilder::new("foo", "2.0").build(dir.path());
    let changed = client(cache.path(), &[&server.url])
        .project(&name("foo"))
        .await
        .unwrap();
    assert_eq!(changed.files.len(), 2);
    assert_eq!(server.requests()[2].status, 200);
}

#[tokio::test]
async fn offline_uses_the_cache_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    WheelBuilder::new("foo", "1.0").build(dir.path());
    let server = IndexServer::serve(dir.path(), IndexOptions::default());
    let url = server.url.clone();
    let online = client(cache.path(), &[&url]);
    let project = online.project(&name("foo")).await.unwrap();
    online.download(&project.files[0]).await.unwrap();
    drop(server);

    let mut options = options(cache.path(), &[&url]);
    options.offline = true;
    let offline = IndexClient::new(options).unwrap();
    let project = offline.project(&name("foo")).await.unwrap();
    assert_eq!(project.files.len(), 1);
    offline.download(&project.files[0]).await.unwrap();
    // Metadata comes from the archive cache.
    let metadata = offline.metadata(&project.files[0]).await.unwrap();
    assert_eq!(metadata.name, name("foo"));
    let error = offline.project(&name("bar")).await.unwrap_err();
    assert!(matches!(error, ClientError::Offline { .. }), "{error}");
    assert!(error.to_string().contains("--offline"), "{error}");
}

#[tokio::test]
async fn concurrent_requests_for_a_project_share_one_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    WheelBuilder::new("foo", "1.0").build(dir.path());
    let server = IndexServer::serve(dir.path(), IndexOptions::default());
    let client = client(cache.path(), &[&server.url]);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.project(&name("foo")).await.unwrap() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().files.len(), 1);
    }
    assert_eq!(server.request_log(), vec!["GET /simple/foo/"]);
}
