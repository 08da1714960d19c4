//! The packages the solver reasons about.

use std::fmt;

use wharf_pep::{ExtraName, PackageName};

/// A node in the PubGrub problem.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResolverPackage {
    /// The set of requirements the user asked for.
    Root,
    /// A project.
    Package(PackageName),
    /// A project with one extra enabled; pinned to the same version as the project.
    Extra(PackageName, ExtraName),
}

impl ResolverPackage {
    /// The project name, if not the root.
    pub fn name(&self) -> Option<&PackageName> {
        match self {
            Self::Root => None,
            Self::Package(name) | Self::Extra(name, _) => Some(name),
        }
    }
}

impl fmt::Display for ResolverPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => write!(f, "your requirements"),
            Self::Package(name) => write!(f, "{name}"),
            Self::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}
