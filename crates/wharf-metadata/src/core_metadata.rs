//! Core metadata (`METADATA` in a wheel, `PKG-INFO` in an sdist), with the fields the
//! resolver needs parsed into typed values and the rest kept as written.

use std::str::FromStr;

use wharf_pep::{
    ExtraName, PackageName, Requirement, Version, VersionSpecifiers, parse_specifiers_lenient,
};

/// Why a METADATA file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// The file is not an RFC 822-style header block.
    #[error("invalid core metadata: {0}")]
    Syntax(String),
    /// A required field is missing or empty.
    #[error("core metadata has no `{0}` field")]
    Missing(&'static str),
    /// A field's value is invalid.
    #[error("core metadata field `{field}: {value}` is invalid: {message}")]
    Field {
        /// The field name.
        field: &'static str,
        /// The value as written.
        value: String,
        /// Why it is invalid.
        message: String,
    },
}

/// Core metadata with the resolver's fields typed.
#[derive(Debug, Clone)]
pub struct CoreMetadata {
    /// The normalized project name.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// `Requires-Dist`.
    pub requires_dist: Vec<Requirement>,
    /// `Requires-Python`.
    pub requires_python: Option<VersionSpecifiers>,
    /// `Provides-Extra`.
    pub provides_extras: Vec<ExtraName>,
    /// Every field as written, for `show` and checks.
    pub raw: python_pkginfo::Metadata,
}

impl CoreMetadata {
    /// Parse a METADATA or PKG-INFO file.
    pub fn parse(content: &[u8]) -> Result<Self, MetadataError> {
        let raw = python_pkginfo::Metadata::parse(content)
            .map_err(|err| MetadataError::Syntax(err.to_string()))?;
        Self::from_raw(raw)
    }

    /// Type the fields of already parsed metadata.
    pub fn from_raw(raw: python_pkginfo::Metadata) -> Result<Self, MetadataError> {
        if raw.name.trim().is_empty() {
            return Err(MetadataError::Missing("Name"));
        }
        if raw.version.trim().is_empty() {
            return Err(MetadataError::Missing("Version"));
        }
        let name = PackageName::from_str(raw.name.trim()).map_err(|err| MetadataError::Field {
            field: "Name",
            value: raw.name.clone(),
            message: err.to_string(),
        })?;
        let version =
            Version::from_str(raw.version.trim()).map_err(|err| MetadataError::Field {
                field: "Version",
                value: raw.version.clone(),
                message: err.to_string(),
            })?;
        let requires_dist = raw
            .requires_dist
            .iter()
            .map(|line| {
                Requirement::from_str(line.trim()).map_err(|err| MetadataError::Field {
                    field: "Requires-Dist",
                    value: line.clone(),
                    message: err.message.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        // pip reads `Requires-Python` leniently (`>=3.7,` is `>=3.7`) and ignores a value
        // it still cannot parse rather than rejecting the release; so does wharf, so that
        // both pick the same versions. The value stays in `raw`.
        let requires_python = raw
            .requires_python
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .and_then(|text| parse_specifiers_lenient(text).ok());
        // An unparseable extra name is skipped rather than fatal, as pip does.
        let provides_extras = raw
            .provides_extras
            .iter()
            .filter_map(|extra| ExtraName::from_str(extra.trim()).ok())
            .collect();
        Ok(Self {
            name,
            version,
            requires_dist,
            requires_python,
            provides_extras,
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_resolver_fields() {
        let metadata = CoreMetadata::parse(
            b"Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0.post1\nRequires-Python: >=3.8\nRequires-Dist: idna (>=2.5)\nRequires-Dist: pysocks!=1.5.7,>=1.5.6; extra == \"socks\"\nProvides-Extra: socks\n\nLong description\n",
        )
        .unwrap();
        assert_eq!(metadata.name.as_ref(), "foo-bar");
        assert_eq!(metadata.version.to_string(), "1.0.post1");
        assert_eq!(metadata.requires_dist.len(), 2);
        assert_eq!(metadata.provides_extras[0].as_ref(), "socks");
        assert!(metadata.requires_python.is_some());
    }

    #[test]
    fn bad_requirement_names_the_line() {
        let err = CoreMetadata::parse(
            b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b >>> 1\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("b >>> 1"), "{err}");
    }

    #[test]
    fn requires_python_is_read_as_pip_reads_it() {
        // celery 5.2.6 on PyPI: a trailing comma.
        let metadata = CoreMetadata::parse(
            b"Metadata-Version: 2.1\nName: celery\nVersion: 5.2.6\nRequires-Python: >=3.7,\n",
        )
        .unwrap();
        assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.7");
        // Unparseable: ignored, as pip ignores it (with a warning), not a broken release.
        let metadata = CoreMetadata::parse(
            b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: >=3.7.*\n",
        )
        .unwrap();
        assert!(metadata.requires_python.is_none());
        assert_eq!(metadata.raw.requires_python.as_deref(), Some(">=3.7.*"));
    }

    #[test]
    fn missing_version() {
        assert!(CoreMetadata::parse(b"Metadata-Version: 2.1\nName: a\n").is_err());
    }
}
