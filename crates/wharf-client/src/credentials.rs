//! Credentials for index hosts: from the user info of the configured URLs, then from
//! `~/.netrc` (or `$NETRC`). They are sent as an `Authorization` header to the same host
//! (file downloads included) and never logged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use reqwest::header::HeaderValue;
use url::Url;

/// A user name and an optional password.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) username: String,
    pub(crate) password: Option<String>,
}

impl Credentials {
    /// The credentials in a URL's user info (percent-decoded).
    pub(crate) fn from_url(url: &Url) -> Option<Self> {
        if url.username().is_empty() && url.password().is_none() {
            return None;
        }
        let decode = crate::simple::percent_decode;
        Some(Self {
            username: decode(url.username()),
            password: url.password().map(decode),
        })
    }

    /// The `Authorization: Basic …` header value, marked sensitive so that it is never
    /// printed by `Debug`.
    pub(crate) fn header(&self) -> HeaderValue {
        let pair = format!(
            "{}:{}",
            self.username,
            self.password.as_deref().unwrap_or_default()
        );
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
            .expect("base64 is a valid header value");
        value.set_sensitive(true);
        value
    }
}

/// `host:port` of a URL, the key credentials are stored under.
fn host_key(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// Credentials by host, collected once when the client is made.
#[derive(Default)]
pub(crate) struct CredentialStore {
    by_host: HashMap<String, Credentials>,
    netrc: Option<Netrc>,
}

impl CredentialStore {
    /// Collect credentials from the configured URLs and the netrc file.
    pub(crate) fn new<'a>(urls: impl IntoIterator<Item = &'a Url>) -> Self {
        let mut by_host = HashMap::new();
        for url in urls {
            if let (Some(credentials), Some(key)) = (Credentials::from_url(url), host_key(url)) {
                // The first URL naming a host wins, as the first index does.
                by_host.entry(key).or_insert(credentials);
            }
        }
        let netrc = netrc_path().and_then(|path| match fs_err::read_to_string(&path) {
            Ok(text) => Some(Netrc::parse(&text)),
            Err(err) => {
                if path_was_explicit() {
                    tracing::warn!("cannot read the netrc file: {err}");
                }
                None
            }
        });
        Self { by_host, netrc }
    }

    /// The credentials for a request to `url`: its own user info, then those of a configured
    /// URL on the same host, then netrc.
    pub(crate) fn for_url(&self, url: &Url) -> Option<Credentials> {
        if let Some(credentials) = Credentials::from_url(url) {
            // A user name alone (no password) may be completed from netrc.
            if credentials.password.is_none()
                && let Some(found) = self.netrc_for(url)
                && found.username == credentials.username
            {
                return Some(found);
            }
            return Some(credentials);
        }
        if let Some(credentials) = host_key(url).and_then(|key| self.by_host.get(&key)) {
            return Some(credentials.clone());
        }
        self.netrc_for(url)
    }

    fn netrc_for(&self, url: &Url) -> Option<Credentials> {
        let host = url.host_str()?;
        self.netrc.as_ref()?.lookup(host)
    }
}

/// The netrc entry (`$NETRC` or `~/.netrc`) for `url`'s host, as `(login, password)`.
pub fn netrc_credentials(url: &Url) -> Option<(String, Option<String>)> {
    CredentialStore::new(std::iter::empty())
        .netrc_for(url)
        .map(|credentials| (credentials.username, credentials.password))
}

fn path_was_explicit() -> bool {
    std::env::var_os("NETRC").is_some()
}

fn netrc_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("NETRC").filter(|path| !path.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let home = std::env::var_os("HOME").filter(|home| !home.is_empty())?;
    let path = Path::new(&home).join(".netrc");
    path.exists().then_some(path)
}

/// The entries of a netrc file.
#[derive(Default, Debug)]
pub(crate) struct Netrc {
    machines: Vec<(String, Credentials)>,
    default: Option<Credentials>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Credentials({}, ****)", self.username)
    }
}

impl Netrc {
    /// Parse netrc syntax: whitespace-separated `machine NAME login USER password PASS`
    /// entries, a `default` entry, and `macdef` blocks (skipped up to a blank line).
    pub(crate) fn parse(text: &str) -> Self {
        let mut netrc = Netrc::default();
        // The entry being read: `Some(name)` for a machine, `None` for `default`.
        let mut current: Option<(Option<String>, Credentials)> = None;
        let finish = |netrc: &mut Netrc, entry: Option<(Option<String>, Credentials)>| {
            if let Some((machine, credentials)) = entry {
                match machine {
                    Some(machine) => netrc.machines.push((machine, credentials)),
                    None => netrc.default = Some(credentials),
                }
            }
        };
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let mut tokens = line.split_whitespace();
            while let Some(token) = tokens.next() {
                match token {
                    "machine" => {
                        finish(&mut netrc, current.take());
                        if let Some(name) = tokens.next() {
                            current = Some((Some(name.to_string()), empty_credentials()));
                        }
                    }
                    "default" => {
                        finish(&mut netrc, current.take());
                        current = Some((None, empty_credentials()));
                    }
                    "login" => {
                        if let (Some((_, credentials)), Some(value)) = (&mut current, tokens.next())
                        {
                            credentials.username = value.to_string();
                        }
                    }
                    "password" => {
                        if let (Some((_, credentials)), Some(value)) = (&mut current, tokens.next())
                        {
                            credentials.password = Some(value.to_string());
                        }
                    }
                    "account" => {
                        tokens.next();
                    }
                    "macdef" => {
                        finish(&mut netrc, current.take());
                        // The macro body runs to the next blank line.
                        for body in lines.by_ref() {
                            if body.trim().is_empty() {
                                break;
                            }
                        }
                        break;
                    }
                    token if token.starts_with('#') => break,
                    _ => {}
                }
            }
        }
        finish(&mut netrc, current.take());
        netrc
    }

    fn lookup(&self, host: &str) -> Option<Credentials> {
        self.machines
            .iter()
            .find(|(machine, _)| machine.eq_ignore_ascii_case(host))
            .map(|(_, credentials)| credentials.clone())
            .or_else(|| self.default.clone())
            .filter(|credentials| !credentials.username.is_empty())
    }
}

fn empty_credentials() -> Credentials {
    Credentials {
        username: String::new(),
        password: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_netrc() {
        let netrc = Netrc::parse(
            "# comment\nmachine example.com login alice password s3cret\n\nmacdef init\ncd /\n\nmachine other.org\n  login bob\n  password pw\ndefault login anonymous password guest\n",
        );
        let alice = netrc.lookup("example.com").unwrap();
        assert_eq!(alice.username, "alice");
        assert_eq!(alice.password.as_deref(), Some("s3cret"));
        assert_eq!(netrc.lookup("other.org").unwrap().username, "bob");
        assert_eq!(netrc.lookup("unknown.net").unwrap().username, "anonymous");
    }

    #[test]
    fn url_credentials_are_decoded_and_shared_by_host() {
        let index = Url::parse("https://user:p%40ss@example.com/simple/").unwrap();
        let store = CredentialStore {
            by_host: HashMap::from([(
                "example.com:443".to_string(),
                Credentials::from_url(&index).unwrap(),
            )]),
            netrc: None,
        };
        let file = Url::parse("https://example.com/files/foo.whl").unwrap();
        let credentials = store.for_url(&file).unwrap();
        assert_eq!(credentials.password.as_deref(), Some("p@ss"));
        assert!(
            store
                .for_url(&Url::parse("https://other.com/").unwrap())
                .is_none()
        );
        assert!(format!("{credentials:?}").contains("****"));
    }
}
