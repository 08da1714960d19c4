//! `direct_url.json` (PEP 610): how a distribution installed from a URL or a local path
//! was obtained, so that `freeze` can print `name @ url` and tools can tell editables.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The content of `direct_url.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectUrl {
    /// The URL, without credentials (`file://` for local paths).
    pub url: String,
    /// What kind of URL it is.
    #[serde(flatten)]
    pub info: DirectUrlInfo,
    /// The subdirectory of the source tree holding the project, if not the root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdirectory: Option<String>,
}

/// Which of PEP 610's three kinds of URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectUrlInfo {
    /// An archive (a wheel or an sdist).
    ArchiveInfo {
        /// The legacy single `algorithm=hexdigest` hash.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hash: Option<String>,
        /// Hashes by algorithm name, hex digests.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hashes: Option<BTreeMap<String, String>>,
    },
    /// A local directory.
    DirInfo {
        /// Installed in editable mode.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        editable: bool,
    },
    /// A version control checkout.
    VcsInfo {
        /// `git`, `hg`, `bzr` or `svn`.
        vcs: String,
        /// The exact commit or revision installed.
        commit_id: String,
        /// The revision the user asked for, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        requested_revision: Option<String>,
    },
}

impl DirectUrl {
    /// An archive URL with an optional `sha256` hex digest.
    pub fn archive(url: impl Into<String>, sha256: Option<&str>) -> Self {
        Self {
            url: url.into(),
            info: DirectUrlInfo::ArchiveInfo {
                hash: sha256.map(|digest| format!("sha256={digest}")),
                hashes: sha256.map(|digest| BTreeMap::from([("sha256".into(), digest.into())])),
            },
            subdirectory: None,
        }
    }

    /// A local directory, editable or not.
    pub fn directory(url: impl Into<String>, editable: bool) -> Self {
        Self {
            url: url.into(),
            info: DirectUrlInfo::DirInfo { editable },
            subdirectory: None,
        }
    }

    /// Parse the JSON file.
    pub fn parse(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// The JSON text, compact as pip writes it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("direct_url.json always serializes")
    }

    /// Whether this is an editable install.
    pub fn is_editable(&self) -> bool {
        matches!(self.info, DirectUrlInfo::DirInfo { editable: true })
    }

    /// The PEP 508 URL form `freeze` prints: `url` with `vcs+` and `@revision` for VCS.
    pub fn requirement_url(&self) -> String {
        let mut url = match &self.info {
            DirectUrlInfo::VcsInfo { vcs, commit_id, .. } => {
                format!("{vcs}+{}@{commit_id}", self.url)
            }
            _ => self.url.clone(),
        };
        if let Some(subdirectory) = &self.subdirectory {
            url.push_str("#subdirectory=");
            url.push_str(subdirectory);
        }
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_round_trip() {
        let direct = DirectUrl::archive("https://example.com/a-1-py3-none-any.whl", Some("ab12"));
        let json = direct.to_json();
        assert_eq!(
            json,
            r#"{"url":"https://example.com/a-1-py3-none-any.whl","archive_info":{"hash":"sha256=ab12","hashes":{"sha256":"ab12"}}}"#
        );
        assert_eq!(DirectUrl::parse(&json).unwrap(), direct);
    }

    #[test]
    fn reads_pip_forms() {
        let editable =
            DirectUrl::parse(r#"{"dir_info": {"editable": true}, "url": "file:///src/a"}"#)
                .unwrap();
        assert!(editable.is_editable());
        let local = DirectUrl::parse(r#"{"dir_info": {}, "url": "file:///src/a"}"#).unwrap();
        assert!(!local.is_editable());
        let vcs = DirectUrl::parse(
            r#"{"url": "https://github.com/a/b", "vcs_info": {"commit_id": "abc", "requested_revision": "main", "vcs": "git"}, "subdirectory": "py"}"#,
        )
        .unwrap();
        assert_eq!(
            vcs.requirement_url(),
            "git+https://github.com/a/b@abc#subdirectory=py"
        );
        assert!(DirectUrl::parse(r#"{"url": "x"}"#).is_err());
    }
}
