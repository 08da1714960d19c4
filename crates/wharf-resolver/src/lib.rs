//! Dependency resolution: PubGrub over Python requirements.
//!
//! The solver ([`resolve`]) is synchronous PubGrub; the facts it needs (which versions a
//! project has, what a version requires) come from a [`Provider`], which is async because
//! in production it talks to indexes. The solver runs on a blocking thread and prefetches:
//! as soon as a package's dependencies are known, their version lists and the metadata of
//! their likely versions are fetched concurrently, so a cold resolve costs about one
//! round-trip per dependency *level*, not per package.
//!
//! Extras are virtual packages (`foo[bar]` at version v requires `foo==v` and the extra's
//! requirements), which keeps PubGrub's model of one version per package exact.

mod index_provider;
mod package;
mod provider;
mod report;
mod solver;

pub use index_provider::{FileRules, IndexProvider, NameSet, SourceBuilder};
pub use package::ResolverPackage;
pub use provider::{Candidate, Provider, ProviderError, VersionMap};
pub use solver::{
    PrereleaseMode, Resolution, ResolveError, ResolveOptions, ResolvedPackage, Upgrade, resolve,
};

#[cfg(test)]
mod tests;
