//! `~/.pypirc`: named repositories with an upload URL and credentials, read the way twine
//! reads it (INI without interpolation; `pypi` and `testpypi` need no URL; `[server-login]`
//! gives default credentials).
//!
//! One difference: twine only knows the sections listed in `[distutils] index-servers`;
//! wharf knows every section, so that a file without that list still works.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::PublishError;

/// PyPI's upload URL.
pub const PYPI_UPLOAD_URL: &str = "https://upload.pypi.org/legacy/";
/// TestPyPI's upload URL.
pub const TESTPYPI_UPLOAD_URL: &str = "https://test.pypi.org/legacy/";

/// One repository's settings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RepositoryConfig {
    /// The upload URL.
    pub repository: Option<String>,
    /// The user name.
    pub username: Option<String>,
    /// The password.
    pub password: Option<String>,
}

impl std::fmt::Debug for RepositoryConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RepositoryConfig")
            .field("repository", &self.repository)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "****"))
            .finish()
    }
}

/// A parsed pypirc file.
#[derive(Debug, Clone)]
pub struct Pypirc {
    /// Where it was read from.
    pub path: PathBuf,
    sections: BTreeMap<String, RepositoryConfig>,
    server_login: RepositoryConfig,
}

impl Pypirc {
    /// Read `path`; `Ok(None)` when there is no such file.
    pub fn load(path: &Path) -> Result<Option<Self>, PublishError> {
        match fs_err::read_to_string(path) {
            Ok(text) => Self::parse(&text, path).map(Some),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(PublishError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parse pypirc text (`path` is for messages).
    pub fn parse(text: &str, path: &Path) -> Result<Self, PublishError> {
        // Raw values, as Python's RawConfigParser gives them: a backslash or a quote in a
        // password is part of the password.
        let options = ini::ParseOption {
            enabled_quote: false,
            enabled_escape: false,
            enabled_indented_mutiline_value: true,
            enabled_preserve_key_leading_whitespace: false,
        };
        let parsed =
            ini::Ini::load_from_str_opt(text, options).map_err(|err| PublishError::Pypirc {
                path: path.to_path_buf(),
                message: err.to_string(),
            })?;
        let mut sections = BTreeMap::new();
        let mut server_login = RepositoryConfig::default();
        for (name, properties) in parsed.iter() {
            let Some(name) = name else { continue };
            let mut config = RepositoryConfig::default();
            // Option names are case-insensitive, as in Python's configparser.
            for (key, value) in properties.iter() {
                let value = Some(value.trim().to_string()).filter(|value| !value.is_empty());
                match key.trim().to_ascii_lowercase().as_str() {
                    "repository" => config.repository = value,
                    "username" => config.username = value,
                    "password" => config.password = value,
                    _ => {}
                }
            }
            match name.trim() {
                "distutils" => {}
                "server-login" => server_login = config,
                name => {
                    sections.insert(name.to_string(), config);
                }
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            sections,
            server_login,
        })
    }

    /// The settings of repository `name`, completed with the `[server-login]` credentials
    /// and the known URLs of `pypi` and `testpypi`; `None` when the file does not define it.
    pub fn repository(&self, name: &str) -> Option<RepositoryConfig> {
        let known = known_repository(name);
        let section = self.sections.get(name);
        if section.is_none() && known.is_none() {
            return None;
        }
        let section = section.cloned().unwrap_or_default();
        Some(RepositoryConfig {
            repository: section
                .repository
                .or_else(|| self.server_login.repository.clone())
                .or_else(|| known.map(str::to_string)),
            username: section
                .username
                .or_else(|| self.server_login.username.clone()),
            password: section
                .password
                .or_else(|| self.server_login.password.clone()),
        })
    }

    /// The repository names the file defines.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sections.keys().map(String::as_str)
    }
}

/// The URL of a repository known without configuration.
pub fn known_repository(name: &str) -> Option<&'static str> {
    match name {
        "pypi" => Some(PYPI_UPLOAD_URL),
        "testpypi" => Some(TESTPYPI_UPLOAD_URL),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
[distutils]
index-servers =
    pypi
    private

[pypi]
username = __token__
password = pypi-AgEIcHlwaS5vcmc;#not-a-comment\\x

[private]
Repository: https://upload.example.com/legacy/
USERNAME = alice
# a comment
; another
password = s3cr3t \"quoted\"

[server-login]
username = fallback
password = fallback-pass
";

    #[test]
    fn reads_sections_as_twine_does() {
        let pypirc = Pypirc::parse(SAMPLE, Path::new("/home/x/.pypirc")).unwrap();
        let pypi = pypirc.repository("pypi").unwrap();
        assert_eq!(pypi.repository.as_deref(), Some(PYPI_UPLOAD_URL));
        assert_eq!(pypi.username.as_deref(), Some("__token__"));
        // No escapes, no inline comments, no quote handling: the value as written.
        assert_eq!(
            pypi.password.as_deref(),
            Some("pypi-AgEIcHlwaS5vcmc;#not-a-comment\\x")
        );
        let private = pypirc.repository("private").unwrap();
        assert_eq!(
            private.repository.as_deref(),
            Some("https://upload.example.com/legacy/")
        );
        assert_eq!(private.username.as_deref(), Some("alice"));
        assert_eq!(private.password.as_deref(), Some("s3cr3t \"quoted\""));
        // testpypi is known without a section, with the [server-login] credentials.
        let testpypi = pypirc.repository("testpypi").unwrap();
        assert_eq!(testpypi.repository.as_deref(), Some(TESTPYPI_UPLOAD_URL));
        assert_eq!(testpypi.username.as_deref(), Some("fallback"));
        assert!(pypirc.repository("missing").is_none());
        assert!(!format!("{private:?}").contains("s3cr3t"));
        assert_eq!(pypirc.names().collect::<Vec<_>>(), ["private", "pypi"]);
    }

    #[test]
    fn missing_file_is_none_and_garbage_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Pypirc::load(&dir.path().join(".pypirc")).unwrap().is_none());
        let err = Pypirc::parse("[unclosed\nusername = x\n", Path::new("/p/.pypirc")).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot parse /p/.pypirc"),
            "{err}"
        );
    }
}
