//! Credentials from a netrc file. Alone in its own test binary because it sets `NETRC`,
//! which is process-wide.

use std::str::FromStr;
use std::time::Duration;

use wharf_cache::Cache;
use wharf_client::{ClientOptions, IndexClient};
use wharf_pep::PackageName;
use wharf_test_support::index::{IndexOptions, IndexServer};
use wharf_test_support::wheel::WheelBuilder;

#[tokio::test]
async fn credentials_from_netrc_are_used_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    WheelBuilder::new("foo", "1.0").build(dir.path());
    let server = IndexServer::serve(
        dir.path(),
        IndexOptions {
            basic_auth: Some(("bob".into(), "n3trc-pass".into())),
            ..IndexOptions::default()
        },
    );
    let netrc = dir.path().join("netrc");
    std::fs::write(
        &netrc,
        "machine 127.0.0.1\n  login bob\n  password n3trc-pass\n",
    )
    .unwrap();
    // SAFETY: this test binary has a single test, and the variable is set before any
    // thread that could read the environment is started.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("NETRC", &netrc);
    }
    let mut options = ClientOptions::new(Cache::at(cache.path()).unwrap());
    options.index_urls = vec![server.url.parse().unwrap()];
    options.timeout = Duration::from_secs(10);
    let client = IndexClient::new(options).unwrap();
    let name = PackageName::from_str("foo").unwrap();
    let project = client.project(&name).await.unwrap();
    assert_eq!(project.files.len(), 1);
    client.download(&project.files[0]).await.unwrap();
    assert!(
        server
            .requests()
            .iter()
            .all(|request| request.authorization)
    );

    // Wrong netrc credentials: the error says they were rejected, without showing them.
    std::fs::write(&netrc, "machine 127.0.0.1 login bob password stale-pass\n").unwrap();
    let mut options = ClientOptions::new(Cache::at(cache.path()).unwrap());
    options.index_urls = vec![server.url.parse().unwrap()];
    options.refresh = true;
    let error = IndexClient::new(options)
        .unwrap()
        .project(&name)
        .await
        .unwrap_err();
    let message = format!("{error} {error:?}");
    assert!(message.contains("rejected"), "{message}");
    assert!(!message.contains("stale-pass"), "{message}");
}
