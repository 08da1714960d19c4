//! The state file: what is known about each distribution file from the last run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The state file's name, in the output directory.
pub(crate) const STATE_FILE: &str = ".wharf-index.json";

/// Bumped when the meaning of an entry changes; an older state is ignored.
const STATE_VERSION: u32 = 1;

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct State {
    pub(crate) version: u32,
    /// By file name.
    pub(crate) files: BTreeMap<String, Entry>,
}

/// One distribution file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Entry {
    /// The normalized project name.
    pub(crate) project: String,
    /// The version, as in the file name.
    pub(crate) version: String,
    pub(crate) size: u64,
    /// Modification time: seconds and nanoseconds since the epoch.
    pub(crate) mtime: (i64, u32),
    pub(crate) sha256: String,
    /// The sha256 of the PEP 658 metadata file (wheels only).
    pub(crate) metadata_sha256: Option<String>,
    pub(crate) requires_python: Option<String>,
}

impl State {
    /// The previous state, or an empty one when missing, unreadable or from another version.
    pub(crate) fn load(path: &Path) -> Self {
        let Ok(bytes) = std::fs::read(path) else {
            return Self::new();
        };
        match serde_json::from_slice::<Self>(&bytes) {
            Ok(state) if state.version == STATE_VERSION => state,
            _ => {
                tracing::debug!("ignoring the index state in {}", path.display());
                Self::new()
            }
        }
    }

    pub(crate) fn new() -> Self {
        Self {
            version: STATE_VERSION,
            files: BTreeMap::new(),
        }
    }

    pub(crate) fn projects(&self) -> BTreeSet<String> {
        self.files
            .values()
            .map(|entry| entry.project.clone())
            .collect()
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("the state serializes")
    }
}
