//! The `WHEEL` file of a wheel's `.dist-info` directory (PEP 427): format version, whether
//! the root goes to purelib or platlib, and the tags.

use std::fmt::Write as _;

/// Why a WHEEL file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WheelFileError {
    /// A line is not `Key: Value`.
    #[error("WHEEL line {line} is not `Key: Value`: `{text}`")]
    Syntax {
        /// The 1-based line number.
        line: usize,
        /// The line as written.
        text: String,
    },
    /// `Wheel-Version` is missing.
    #[error("WHEEL has no `Wheel-Version` field")]
    MissingVersion,
    /// `Wheel-Version` is not `major.minor`.
    #[error("WHEEL has an invalid `Wheel-Version: {0}`")]
    InvalidVersion(String),
    /// `Wheel-Version` has a major version this installer does not know (PEP 427).
    #[error("wheel format version {0} is not supported (this installer supports 1.x)")]
    UnsupportedVersion(String),
}

/// A parsed WHEEL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelFile {
    /// `Wheel-Version` as `(major, minor)`.
    pub wheel_version: (u32, u32),
    /// `Generator`, e.g. `bdist_wheel (0.42.0)`.
    pub generator: Option<String>,
    /// `Root-Is-Purelib`: the wheel root is installed into purelib (else platlib).
    pub root_is_purelib: bool,
    /// `Tag` lines, e.g. `py3-none-any`.
    pub tags: Vec<String>,
    /// `Build`, the build tag.
    pub build: Option<String>,
}

impl Default for WheelFile {
    fn default() -> Self {
        Self {
            wheel_version: (1, 0),
            generator: None,
            root_is_purelib: true,
            tags: Vec::new(),
            build: None,
        }
    }
}

impl WheelFile {
    /// Parse a WHEEL file, rejecting a format major version above 1.
    pub fn parse(text: &str) -> Result<Self, WheelFileError> {
        let mut version = None;
        let mut wheel = Self {
            root_is_purelib: false,
            ..Self::default()
        };
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                // A blank line ends the header block, as in email headers.
                break;
            }
            let (key, value) = line.split_once(':').ok_or_else(|| WheelFileError::Syntax {
                line: index + 1,
                text: line.to_string(),
            })?;
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "wheel-version" => version = Some(value.to_string()),
                "generator" => wheel.generator = Some(value.to_string()),
                "root-is-purelib" => wheel.root_is_purelib = value.eq_ignore_ascii_case("true"),
                "tag" => wheel.tags.push(value.to_string()),
                "build" => wheel.build = Some(value.to_string()),
                _ => {}
            }
        }
        let version = version.ok_or(WheelFileError::MissingVersion)?;
        let (major, minor) = version
            .split_once('.')
            .and_then(|(major, minor)| Some((major.parse().ok()?, minor.parse().ok()?)))
            .ok_or_else(|| WheelFileError::InvalidVersion(version.clone()))?;
        if major > 1 {
            return Err(WheelFileError::UnsupportedVersion(version));
        }
        wheel.wheel_version = (major, minor);
        Ok(wheel)
    }

    /// Whether the format is newer than 1.0 within major 1: installable, but pip warns.
    pub fn is_newer_minor(&self) -> bool {
        self.wheel_version.0 == 1 && self.wheel_version.1 > 0
    }

    /// Write the file as `bdist_wheel` does.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Wheel-Version: {}.{}",
            self.wheel_version.0, self.wheel_version.1
        );
        if let Some(generator) = &self.generator {
            let _ = writeln!(out, "Generator: {generator}");
        }
        let _ = writeln!(out, "Root-Is-Purelib: {}", self.root_is_purelib);
        for tag in &self.tags {
            let _ = writeln!(out, "Tag: {tag}");
        }
        if let Some(build) = &self.build {
            let _ = writeln!(out, "Build: {build}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_writes() {
        let text = "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.42.0)\nRoot-Is-Purelib: false\nTag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\nBuild: 1\n";
        let wheel = WheelFile::parse(text).unwrap();
        assert!(!wheel.root_is_purelib);
        assert_eq!(wheel.tags.len(), 2);
        assert_eq!(wheel.build.as_deref(), Some("1"));
        assert_eq!(wheel.to_text(), text);
    }

    #[test]
    fn purelib_true_is_case_insensitive() {
        let wheel = WheelFile::parse("Wheel-Version: 1.1\nRoot-Is-Purelib: True\n").unwrap();
        assert!(wheel.root_is_purelib);
        assert!(wheel.is_newer_minor());
    }

    #[test]
    fn rejects_bad_versions() {
        assert!(matches!(
            WheelFile::parse("Wheel-Version: 2.0\n"),
            Err(WheelFileError::UnsupportedVersion(_))
        ));
        assert!(matches!(
            WheelFile::parse("Wheel-Version: one\n"),
            Err(WheelFileError::InvalidVersion(_))
        ));
        assert!(matches!(
            WheelFile::parse("Root-Is-Purelib: true\n"),
            Err(WheelFileError::MissingVersion)
        ));
        assert!(matches!(
            WheelFile::parse("garbage\n"),
            Err(WheelFileError::Syntax { line: 1, .. })
        ));
    }
}
