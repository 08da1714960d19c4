//! wharf's one door to the Python packaging standards' data types.
//!
//! Versions and specifiers (PEP 440), requirements and markers (PEP 508) and normalized
//! project and extra names (PEP 503) come from uv's spec crates, which declare an unstable
//! API. They are pinned exactly in the workspace and every other wharf crate imports them
//! from here, so that an upgrade touches one crate.

pub use uv_normalize::{ExtraName, InvalidNameError, PackageName};
/// Version ranges for the resolver (PubGrub), and a helper for displaying them.
pub use uv_pep440::strip_local_version_sentinels;
pub use uv_pep440::{
    Operator, Prerelease, PrereleaseKind, Version, VersionParseError, VersionSpecifier,
    VersionSpecifiers, VersionSpecifiersParseError,
};
pub use uv_pep508::{
    MarkerEnvironment, MarkerEnvironmentBuilder, MarkerExpression, MarkerTree, Pep508Error,
    Requirement, StringVersion, VerbatimUrl, VersionOrUrl,
};

/// Parse a PEP 508 requirement string, e.g. `requests[socks]>=2.0; python_version>"3.8"`.
pub fn parse_requirement(text: &str) -> Result<Requirement, Box<Pep508Error>> {
    text.parse::<Requirement>().map_err(Box::new)
}

/// Parse version specifiers as pip (through `packaging`) does: empty items between commas
/// are ignored, so the `>=3.7,` that some old build tools wrote into `Requires-Python`
/// (celery 5.2.6, for one) means `>=3.7` instead of making the release unusable.
pub fn parse_specifiers_lenient(
    text: &str,
) -> Result<VersionSpecifiers, Box<VersionSpecifiersParseError>> {
    let items: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect();
    items
        .join(",")
        .parse::<VersionSpecifiers>()
        .map_err(Box::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_specifiers_skip_empty_items() {
        let specifiers = parse_specifiers_lenient(" >=3.7, ").unwrap();
        assert_eq!(specifiers.to_string(), ">=3.7");
        let specifiers = parse_specifiers_lenient(">=3.6,,<4,").unwrap();
        assert_eq!(specifiers.to_string(), ">=3.6, <4");
        assert!(parse_specifiers_lenient(">=3.7.*").is_err());
    }

    #[test]
    fn requirement_with_extras_and_marker() {
        let requirement =
            parse_requirement("Requests[SOCKS] >=2.0,<3 ; python_version >= '3.8'").unwrap();
        assert_eq!(requirement.name.as_ref(), "requests");
        assert_eq!(requirement.extras[0].as_ref(), "socks");
        assert!(!requirement.marker.is_true());
    }

    #[test]
    fn names_are_normalized() {
        let name: PackageName = "Foo_Bar.baz".parse().unwrap();
        assert_eq!(name.as_ref(), "foo-bar-baz");
    }
}
