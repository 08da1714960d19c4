//! Index URLs as users write them (`https://…/simple/`, `file:///…`, or a local path), and
//! the masking that keeps credentials out of every message.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use url::Url;

use crate::ClientError;

/// A simple index: an http(s) URL, a `file://` URL, or a local directory.
///
/// The URL always ends with `/`, so that `join("name/")` gives the project page. `Display`
/// masks credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IndexUrl(Url);

/// The default index, PyPI.
pub const PYPI_URL: &str = "https://pypi.org/simple/";

impl IndexUrl {
    /// PyPI's simple index.
    pub fn pypi() -> Self {
        Self(Url::parse(PYPI_URL).expect("PyPI's URL is valid"))
    }

    /// The URL, with credentials if any: never print it, use `Display`.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// Whether this index is on the local file system.
    pub fn is_local(&self) -> bool {
        self.0.scheme() == "file"
    }
}

impl FromStr for IndexUrl {
    type Err = ClientError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut url = parse_location(text)?;
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self(url))
    }
}

impl From<Url> for IndexUrl {
    fn from(url: Url) -> Self {
        let mut url = url;
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Self(url)
    }
}

impl fmt::Display for IndexUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&mask_url(&self.0))
    }
}

impl fmt::Debug for IndexUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "IndexUrl({})", mask_url(&self.0))
    }
}

/// Parse an http(s) URL, a `file://` URL, or a local path (made absolute) into a URL.
pub(crate) fn parse_location(text: &str) -> Result<Url, ClientError> {
    let text = text.trim();
    let invalid = |message: String| ClientError::InvalidUrl {
        url: mask_text(text),
        message,
    };
    if text.is_empty() {
        return Err(invalid("the URL is empty".to_string()));
    }
    let has_scheme = text.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+')
    });
    if has_scheme {
        let url = Url::parse(text).map_err(|err| invalid(err.to_string()))?;
        return match url.scheme() {
            "http" | "https" | "file" => Ok(url),
            scheme => Err(invalid(format!(
                "unsupported scheme `{scheme}` (use http, https, file, or a local path)"
            ))),
        };
    }
    let path = Path::new(text);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let absolute = absolute.canonicalize().unwrap_or(absolute);
    let url = if absolute.is_dir() {
        Url::from_directory_path(&absolute)
    } else {
        Url::from_file_path(&absolute)
    };
    url.map_err(|()| invalid("not an absolute path".to_string()))
}

/// A URL for messages: the password (or a lone user name, which is usually a token)
/// replaced by `****`.
pub fn mask_url(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut masked = url.clone();
    if masked.password().is_some() {
        let _ = masked.set_password(Some("****"));
    } else {
        let _ = masked.set_username("****");
    }
    masked.to_string()
}

/// Mask credentials in text that may not parse as a URL.
pub(crate) fn mask_text(text: &str) -> String {
    match Url::parse(text) {
        Ok(url) => mask_url(&url),
        Err(_) => match text.split_once("://") {
            Some((scheme, rest)) => match rest.split_once('@') {
                Some((_, host)) if !rest.split('/').next().unwrap_or("").is_empty() => {
                    format!("{scheme}://****@{host}")
                }
                _ => text.to_string(),
            },
            None => text.to_string(),
        },
    }
}

/// The URL without user info, as sent on the wire (credentials travel in a header).
pub(crate) fn without_credentials(url: &Url) -> Url {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_and_tokens() {
        let url = Url::parse("https://user:secret@example.com/simple/").unwrap();
        assert_eq!(mask_url(&url), "https://user:****@example.com/simple/");
        let url = Url::parse("https://token@example.com/simple/").unwrap();
        assert_eq!(mask_url(&url), "https://****@example.com/simple/");
        let url = Url::parse("https://example.com/simple/").unwrap();
        assert_eq!(mask_url(&url), "https://example.com/simple/");
        let index: IndexUrl = "https://user:secret@example.com/simple".parse().unwrap();
        assert_eq!(index.to_string(), "https://user:****@example.com/simple/");
        assert_eq!(
            format!("{index:?}"),
            "IndexUrl(https://user:****@example.com/simple/)"
        );
    }

    #[test]
    fn local_paths_become_file_urls() {
        let dir = tempfile::tempdir().unwrap();
        let index: IndexUrl = dir.path().to_str().unwrap().parse().unwrap();
        assert!(index.is_local());
        assert!(index.url().path().ends_with('/'));
    }

    #[test]
    fn rejects_other_schemes() {
        let error = "ftp://example.com/simple/".parse::<IndexUrl>().unwrap_err();
        assert!(
            error.to_string().contains("unsupported scheme `ftp`"),
            "{error}"
        );
    }
}
