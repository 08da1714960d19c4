//! Where the solver's facts come from.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use wharf_metadata::CoreMetadata;
use wharf_pep::{PackageName, Version};

/// A version of a project, with what the provider already knows about its files.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The version.
    pub version: Version,
    /// Every file of this version is yanked (PEP 592); usable only when pinned with `==`.
    pub yanked: bool,
    /// Why this version cannot be used at all (no compatible file, requires a different
    /// Python, ...). Shown in error messages; such a candidate is never chosen.
    pub unusable: Option<String>,
    /// Its metadata comes only from building an sdist: too costly to fetch on a guess, so
    /// the solver never prefetches it.
    pub needs_build: bool,
}

/// Every known version of one project.
#[derive(Debug, Clone, Default)]
pub struct VersionMap {
    /// Candidates in ascending version order.
    pub candidates: Vec<Candidate>,
    /// Where the provider looked (for "not found" messages).
    pub searched: Vec<String>,
}

impl VersionMap {
    /// Build a map, sorting candidates.
    pub fn new(mut candidates: Vec<Candidate>, searched: Vec<String>) -> Self {
        candidates.sort_by(|a, b| a.version.cmp(&b.version));
        candidates.dedup_by(|a, b| a.version == b.version);
        Self {
            candidates,
            searched,
        }
    }

    /// Look up one version.
    pub fn get(&self, version: &Version) -> Option<&Candidate> {
        self.candidates
            .binary_search_by(|candidate| candidate.version.cmp(version))
            .ok()
            .map(|index| &self.candidates[index])
    }
}

/// An error from a provider, with its cause kept as a chain.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    /// What failed, naming the project.
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// The version itself is broken (invalid metadata): skip it and try others, as pip
    /// does, instead of failing the whole resolution.
    pub version_unusable: bool,
}

impl ProviderError {
    /// Wrap an error with a message.
    pub fn new(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(Box::new(source)),
            version_unusable: false,
        }
    }

    /// Mark the version this error is about as unusable rather than the error as fatal.
    pub fn unusable_version(mut self) -> Self {
        self.version_unusable = true;
        self
    }

    /// An error without an underlying cause.
    pub fn msg(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
            version_unusable: false,
        }
    }
}

/// The solver's source of versions and metadata. Implementations may be called from many
/// tasks at once and need not cache: the solver caches every answer.
pub trait Provider: Send + Sync + 'static {
    /// All versions of a project. A project that does not exist gives an empty map.
    fn versions<'a>(
        &'a self,
        name: &'a PackageName,
    ) -> BoxFuture<'a, Result<VersionMap, ProviderError>>;

    /// The core metadata of one version (from the file the installer would use).
    fn metadata<'a>(
        &'a self,
        name: &'a PackageName,
        version: &'a Version,
    ) -> BoxFuture<'a, Result<Arc<CoreMetadata>, ProviderError>>;

    /// What the last resolution found `name` to depend on: the solver fetches those
    /// projects' versions ahead of time, so that a deep tree costs one round trip instead of
    /// one per level. Only a guess (the solver still asks for everything it uses); none by
    /// default.
    fn remembered_dependencies(&self, _name: &PackageName) -> Vec<PackageName> {
        Vec::new()
    }

    /// After a resolution: what each chosen project depended on.
    fn remember_dependencies(&self, _dependencies: &BTreeMap<PackageName, Vec<PackageName>>) {}
}
