//! Where to upload and as whom: the upload URL and credentials from flags, the environment
//! (wharf's and twine's variables), `~/.pypirc`, the URL's user info and netrc, in that
//! order. Credentials never reach a message: only their user name and where they came from.

use std::path::PathBuf;

use url::Url;

use crate::PublishError;
use crate::pypirc::{Pypirc, RepositoryConfig, known_repository};

/// What the user asked for on the command line.
#[derive(Clone, Default)]
pub struct TargetRequest {
    /// `--repository-url`.
    pub repository_url: Option<String>,
    /// `-r/--repository`: a pypirc section.
    pub repository: Option<String>,
    /// `-u/--username`.
    pub username: Option<String>,
    /// `--password`.
    pub password: Option<String>,
    /// `-t/--token`.
    pub token: Option<String>,
    /// Do not insist on credentials for PyPI (for a dry run).
    pub allow_anonymous: bool,
}

impl std::fmt::Debug for TargetRequest {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TargetRequest")
            .field(
                "repository_url",
                &self.repository_url.as_deref().map(display_text),
            )
            .field("repository", &self.repository)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .field("token", &self.token.as_ref().map(|_| "****"))
            .field("allow_anonymous", &self.allow_anonymous)
            .finish()
    }
}

/// A netrc entry: the login and, if given, the password.
pub type NetrcEntry = (String, Option<String>);

/// Where settings come from besides the command line.
pub struct Environment<'a> {
    /// Environment variables (empty values count as unset).
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// The pypirc file (usually `~/.pypirc`); `None` for none.
    pub pypirc: Option<PathBuf>,
    /// netrc credentials for a URL's host: `(login, password)`.
    pub netrc: &'a dyn Fn(&Url) -> Option<NetrcEntry>,
}

/// A user name and password (or `__token__` and an API token).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name (`__token__` for API tokens).
    pub username: String,
    password: String,
    /// Where they came from, for messages (`--token`, `~/.pypirc [pypi]`, `netrc`, ...).
    pub source: String,
}

impl Credentials {
    /// Credentials from somewhere.
    pub fn new(
        username: impl Into<String>,
        password: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
            source: source.into(),
        }
    }

    /// The password or token.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Whether they are an API token.
    pub fn is_token(&self) -> bool {
        self.username == "__token__"
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "Credentials({}, ****, from {})",
            self.username, self.source
        )
    }
}

/// The repository to upload to.
#[derive(Debug, Clone)]
pub struct Target {
    /// The upload URL, without user info.
    pub url: Url,
    /// Where the URL came from (`--repository-url`, `~/.pypirc [name]`, `the default`, ...).
    pub url_source: String,
    /// The credentials, if any were found.
    pub credentials: Option<Credentials>,
}

impl Target {
    /// A target without credentials (for tests and anonymous servers).
    pub fn anonymous(url: Url) -> Self {
        Self {
            url: without_user_info(&url),
            url_source: "the caller".to_string(),
            credentials: None,
        }
    }

    /// The URL for messages (never with credentials).
    pub fn display_url(&self) -> String {
        self.url.to_string()
    }

    /// Whether this is PyPI's or TestPyPI's upload endpoint (which need an API token).
    pub fn is_pypi(&self) -> bool {
        is_pypi(&self.url)
    }
}

/// A URL without user name and password.
pub fn without_user_info(url: &Url) -> Url {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

/// Text that may be a URL with credentials, fit for a message.
fn display_text(text: &str) -> String {
    match Url::parse(text) {
        Ok(url) => without_user_info(&url).to_string(),
        Err(_) => match text.rsplit_once('@') {
            Some((before, host)) => match before.split_once("://") {
                Some((scheme, _)) => format!("{scheme}://{host}"),
                None => host.to_string(),
            },
            None => text.to_string(),
        },
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether the URL is PyPI's or TestPyPI's upload endpoint, which need credentials.
fn is_pypi(url: &Url) -> bool {
    matches!(url.host_str(), Some("upload.pypi.org" | "test.pypi.org"))
}

/// Work out the upload URL and credentials.
///
/// The URL: `--repository-url`, then the `-r NAME` section of pypirc, then
/// `WHARF_PUBLISH_URL` or `TWINE_REPOSITORY_URL`, then the section named by
/// `TWINE_REPOSITORY`, then `pypi` (PyPI's upload URL unless pypirc says otherwise).
///
/// Credentials: a token (`--token`, `WHARF_PUBLISH_TOKEN`) is user `__token__`; otherwise
/// the user name and the password are each the first found among the flags,
/// `WHARF_PUBLISH_USERNAME`/`WHARF_PUBLISH_PASSWORD`, `TWINE_USERNAME`/`TWINE_PASSWORD`,
/// the pypirc section, the URL's user info and netrc.
pub fn resolve_target(
    request: &TargetRequest,
    environment: &Environment<'_>,
) -> Result<Target, PublishError> {
    let var = |name: &str| {
        (environment.var)(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    let pypirc = match &environment.pypirc {
        Some(path) => Pypirc::load(path)?,
        None => None,
    };
    let pypirc_label = |name: &str| match &pypirc {
        Some(pypirc) => format!("{} [{name}]", pypirc.path.display()),
        None => format!("the built-in `{name}` repository"),
    };
    let section = |name: &str| -> Option<RepositoryConfig> {
        match &pypirc {
            Some(pypirc) => pypirc.repository(name),
            None => known_repository(name).map(|url| RepositoryConfig {
                repository: Some(url.to_string()),
                ..RepositoryConfig::default()
            }),
        }
    };
    // A repository named on the command line must exist.
    let flag_section = match &request.repository {
        Some(name) => Some((
            name.clone(),
            section(name).ok_or_else(|| PublishError::UnknownRepository {
                name: name.clone(),
                path: pypirc.as_ref().map(|pypirc| pypirc.path.clone()),
            })?,
        )),
        None => None,
    };
    let env_url = ["WHARF_PUBLISH_URL", "TWINE_REPOSITORY_URL"]
        .into_iter()
        .find_map(|name| var(name).map(|url| (url, name.to_string())));
    let (url_text, url_source, config) = if let Some(url) = &request.repository_url {
        (url.clone(), "--repository-url".to_string(), flag_section)
    } else if let Some((name, config)) = flag_section {
        let url = config
            .repository
            .clone()
            .unwrap_or_else(|| crate::pypirc::PYPI_UPLOAD_URL.to_string());
        (url, pypirc_label(&name), Some((name, config)))
    } else if let Some((url, source)) = env_url {
        (url, source, None)
    } else {
        let name = var("TWINE_REPOSITORY").unwrap_or_else(|| "pypi".to_string());
        let config = section(&name).ok_or_else(|| PublishError::UnknownRepository {
            name: name.clone(),
            path: pypirc.as_ref().map(|pypirc| pypirc.path.clone()),
        })?;
        let url = config
            .repository
            .clone()
            .unwrap_or_else(|| crate::pypirc::PYPI_UPLOAD_URL.to_string());
        let source = if pypirc.is_some() {
            pypirc_label(&name)
        } else {
            "the default".to_string()
        };
        (url, source, Some((name, config)))
    };

    let invalid = |message: String| PublishError::InvalidUrl {
        url: display_text(&url_text),
        source_name: url_source.clone(),
        message,
    };
    let parsed = Url::parse(url_text.trim()).map_err(|err| invalid(err.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid("expected an http:// or https:// URL".to_string()));
    }
    let url = without_user_info(&parsed);
    let url_user = Some(percent_decode(parsed.username())).filter(|user| !user.is_empty());
    let url_password = parsed.password().map(percent_decode);

    let credentials = find_credentials(
        request,
        &var,
        config
            .as_ref()
            .map(|(name, config)| (pypirc_label(name), config)),
        (url_user, url_password),
        environment.netrc,
        &url,
    )?;
    if credentials.is_none() && is_pypi(&url) && !request.allow_anonymous {
        return Err(PublishError::CredentialsRequired {
            url: url.to_string(),
        });
    }
    Ok(Target {
        url,
        url_source,
        credentials,
    })
}

fn find_credentials(
    request: &TargetRequest,
    var: &dyn Fn(&str) -> Option<String>,
    section: Option<(String, &RepositoryConfig)>,
    from_url: (Option<String>, Option<String>),
    netrc: &dyn Fn(&Url) -> Option<NetrcEntry>,
    url: &Url,
) -> Result<Option<Credentials>, PublishError> {
    if let Some(token) = &request.token {
        return Ok(Some(Credentials::new("__token__", token, "--token")));
    }
    if request.username.is_none()
        && request.password.is_none()
        && let Some(token) = var("WHARF_PUBLISH_TOKEN")
    {
        return Ok(Some(Credentials::new(
            "__token__",
            token,
            "WHARF_PUBLISH_TOKEN",
        )));
    }
    let mut usernames: Vec<(Option<String>, String)> = vec![
        (request.username.clone(), "--username".to_string()),
        (
            var("WHARF_PUBLISH_USERNAME"),
            "WHARF_PUBLISH_USERNAME".to_string(),
        ),
        (var("TWINE_USERNAME"), "TWINE_USERNAME".to_string()),
    ];
    let mut passwords: Vec<(Option<String>, String)> = vec![
        (request.password.clone(), "--password".to_string()),
        (
            var("WHARF_PUBLISH_PASSWORD"),
            "WHARF_PUBLISH_PASSWORD".to_string(),
        ),
        (var("TWINE_PASSWORD"), "TWINE_PASSWORD".to_string()),
    ];
    if let Some((label, config)) = &section {
        usernames.push((config.username.clone(), label.clone()));
        passwords.push((config.password.clone(), label.clone()));
    }
    usernames.push((from_url.0, "the URL".to_string()));
    passwords.push((from_url.1, "the URL".to_string()));
    let first = |candidates: Vec<(Option<String>, String)>| {
        candidates
            .into_iter()
            .find_map(|(value, source)| value.map(|value| (value, source)))
    };
    let mut username = first(usernames);
    let mut password = first(passwords);
    if password.is_none()
        && let Some((login, netrc_password)) = netrc(url)
        && username.as_ref().is_none_or(|(name, _)| *name == login)
    {
        if username.is_none() {
            username = Some((login, "netrc".to_string()));
        }
        password = netrc_password.map(|password| (password, "netrc".to_string()));
    }
    match (username, password) {
        (None, None) => Ok(None),
        (Some((username, source)), None) => Err(PublishError::MissingPassword {
            username,
            username_source: source,
        }),
        (None, Some((password, source))) => {
            // A password alone is taken for an API token, as PyPI's tokens are used.
            Ok(Some(Credentials::new("__token__", password, source)))
        }
        (Some((username, username_source)), Some((password, password_source))) => {
            let source = if username_source == password_source {
                username_source
            } else {
                format!("{username_source} and {password_source}")
            };
            Ok(Some(Credentials::new(username, password, source)))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Setup {
        vars: HashMap<&'static str, &'static str>,
        pypirc: Option<&'static str>,
        netrc: Option<(&'static str, &'static str)>,
    }

    impl Setup {
        fn new() -> Self {
            Self {
                vars: HashMap::new(),
                pypirc: None,
                netrc: None,
            }
        }

        fn resolve(&self, request: &TargetRequest) -> Result<Target, PublishError> {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(".pypirc");
            if let Some(text) = self.pypirc {
                fs_err::write(&path, text).unwrap();
            }
            let var = |name: &str| self.vars.get(name).map(|value| value.to_string());
            let netrc = |url: &Url| {
                assert_eq!(url.username(), "", "netrc is asked with a clean URL");
                self.netrc
                    .map(|(login, password)| (login.to_string(), Some(password.to_string())))
            };
            resolve_target(
                request,
                &Environment {
                    var: &var,
                    pypirc: Some(path),
                    netrc: &netrc,
                },
            )
        }
    }

    fn request_url(url: &str) -> TargetRequest {
        TargetRequest {
            repository_url: Some(url.to_string()),
            ..TargetRequest::default()
        }
    }

    #[test]
    fn token_flag_wins_and_never_shows() {
        let mut setup = Setup::new();
        setup.vars.insert("TWINE_USERNAME", "bob");
        setup.vars.insert("TWINE_PASSWORD", "pw");
        let target = setup
            .resolve(&TargetRequest {
                token: Some("pypi-secret".to_string()),
                ..TargetRequest::default()
            })
            .unwrap();
        assert_eq!(target.url.as_str(), crate::pypirc::PYPI_UPLOAD_URL);
        assert_eq!(target.url_source, "the default");
        let credentials = target.credentials.unwrap();
        assert_eq!(credentials.username, "__token__");
        assert_eq!(credentials.password(), "pypi-secret");
        assert_eq!(credentials.source, "--token");
        assert!(!format!("{credentials:?}").contains("pypi-secret"));
    }

    #[test]
    fn environment_then_pypirc_then_url_then_netrc() {
        let mut setup = Setup::new();
        setup.pypirc = Some(
            "[distutils]\nindex-servers = private\n[private]\nrepository = https://up.example.com/legacy/\nusername = alice\npassword = from-pypirc\n",
        );
        // -r picks the section: URL and credentials from pypirc.
        let target = setup
            .resolve(&TargetRequest {
                repository: Some("private".to_string()),
                ..TargetRequest::default()
            })
            .unwrap();
        assert_eq!(target.url.as_str(), "https://up.example.com/legacy/");
        assert!(target.url_source.ends_with(".pypirc [private]"));
        let credentials = target.credentials.unwrap();
        assert_eq!(credentials.username, "alice");
        assert_eq!(credentials.password(), "from-pypirc");

        // The environment beats pypirc, field by field.
        setup.vars.insert("WHARF_PUBLISH_PASSWORD", "from-env");
        let credentials = setup
            .resolve(&TargetRequest {
                repository: Some("private".to_string()),
                ..TargetRequest::default()
            })
            .unwrap()
            .credentials
            .unwrap();
        assert_eq!(credentials.username, "alice");
        assert_eq!(credentials.password(), "from-env");
        assert!(credentials.source.contains("WHARF_PUBLISH_PASSWORD"));

        // With a URL alone, pypirc is not consulted: user info, then netrc.
        let mut setup = Setup::new();
        let target = setup
            .resolve(&request_url("http://carol:p%40ss@127.0.0.1:8080/"))
            .unwrap();
        assert_eq!(target.url.as_str(), "http://127.0.0.1:8080/");
        let credentials = target.credentials.unwrap();
        assert_eq!(
            (credentials.username.as_str(), credentials.password()),
            ("carol", "p@ss")
        );
        setup.netrc = Some(("dave", "netrc-pass"));
        let credentials = setup
            .resolve(&request_url("http://127.0.0.1:8080/"))
            .unwrap()
            .credentials
            .unwrap();
        assert_eq!(credentials.username, "dave");
        assert_eq!(credentials.source, "netrc");
        // netrc fills in the password only for its own login.
        let err = setup
            .resolve(&TargetRequest {
                username: Some("erin".to_string()),
                ..request_url("http://127.0.0.1:8080/")
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no password for user `erin` (from --username)"
        );
    }

    #[test]
    fn urls_from_environment_and_errors() {
        let mut setup = Setup::new();
        setup
            .vars
            .insert("TWINE_REPOSITORY_URL", "http://127.0.0.1:9/");
        let target = setup.resolve(&TargetRequest::default()).unwrap();
        assert_eq!(target.url_source, "TWINE_REPOSITORY_URL");
        assert!(target.credentials.is_none());

        let setup = Setup::new();
        let err = setup
            .resolve(&TargetRequest {
                repository: Some("nope".to_string()),
                ..TargetRequest::default()
            })
            .unwrap_err();
        assert!(
            err.to_string().starts_with("no repository `nope` in "),
            "{err}"
        );
        let err = setup.resolve(&TargetRequest::default()).unwrap_err();
        assert!(matches!(err, PublishError::CredentialsRequired { .. }));
        let dry_run = TargetRequest {
            allow_anonymous: true,
            ..TargetRequest::default()
        };
        assert!(setup.resolve(&dry_run).unwrap().credentials.is_none());
        let err = setup
            .resolve(&request_url("ftp://user:secret@example.com/"))
            .unwrap_err();
        let message = err.to_string();
        assert!(message.contains("expected an http:// or https:// URL"));
        assert!(!message.contains("secret"), "{message}");
    }
}
