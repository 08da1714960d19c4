//! Distribution file names: wheels (PEP 427, PEP 491) and source distributions (PEP 625
//! and the legacy `name-version.tar.gz`/`.zip` forms), plus PEP 425 tag compatibility.
//!
//! Pure parsing, no I/O. Tag sets for an interpreter come from `uv-platform-tags`
//! ([`Tags`]), re-exported here so that other crates need not depend on it.

use std::fmt;
use std::str::FromStr;

use wharf_pep::{PackageName, Version};

pub use uv_platform_tags::{
    AbiTag, Arch, IncompatibleTag, LanguageTag, Os, Platform, PlatformTag, TagCompatibility,
    TagPriority, Tags, TagsOptions,
};

/// Why a file name is not a valid distribution file name.
#[derive(Debug, thiserror::Error)]
pub enum FilenameError {
    /// The wheel name does not have 5 or 6 dash-separated parts.
    #[error(
        "`{0}` is not a valid wheel file name: expected `name-version(-build)?-python-abi-platform.whl`"
    )]
    WheelShape(String),
    /// A part of the name is invalid.
    #[error("`{filename}` has an invalid {part}: {message}")]
    InvalidPart {
        /// The whole file name.
        filename: String,
        /// Which part (`name`, `version`, `build tag`).
        part: &'static str,
        /// Why it is invalid.
        message: String,
    },
    /// The extension is not one of a distribution's.
    #[error("`{0}` is neither a wheel (.whl) nor a source distribution (.tar.gz, .zip)")]
    UnknownExtension(String),
    /// A source distribution name without a version.
    #[error("`{0}` is not a valid source distribution file name: expected `name-version.tar.gz`")]
    SdistShape(String),
}

/// A wheel's file name, e.g. `numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WheelFilename {
    /// The normalized project name.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// The optional build tag, e.g. `1` or `1local`.
    pub build: Option<BuildTag>,
    /// Python tags (`py3`, `cp312`), as written.
    pub python_tags: Vec<String>,
    /// ABI tags (`none`, `abi3`, `cp312`), as written.
    pub abi_tags: Vec<String>,
    /// Platform tags (`any`, `manylinux_2_17_x86_64`), as written.
    pub platform_tags: Vec<String>,
}

/// A wheel build tag: a number, then an optional string, compared as a tuple (PEP 427).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BuildTag {
    /// The leading digits.
    pub number: u64,
    /// The rest.
    pub suffix: String,
}

impl WheelFilename {
    /// Whether and how well this wheel fits an interpreter's tags; higher priority is better.
    pub fn compatibility(&self, tags: &Tags) -> TagCompatibility {
        let python: Vec<LanguageTag> = self
            .python_tags
            .iter()
            .filter_map(|tag| tag.parse().ok())
            .collect();
        let abi: Vec<AbiTag> = self
            .abi_tags
            .iter()
            .filter_map(|tag| tag.parse().ok())
            .collect();
        let platform: Vec<PlatformTag> = self
            .platform_tags
            .iter()
            .filter_map(|tag| tag.parse().ok())
            .collect();
        if python.is_empty() {
            return TagCompatibility::Incompatible(IncompatibleTag::Python);
        }
        if abi.is_empty() {
            return TagCompatibility::Incompatible(IncompatibleTag::Abi);
        }
        if platform.is_empty() {
            return TagCompatibility::Incompatible(IncompatibleTag::Platform);
        }
        tags.compatibility(python.iter(), abi.iter(), platform.iter())
    }

    /// Whether this wheel installs on an interpreter with these tags.
    pub fn is_compatible(&self, tags: &Tags) -> bool {
        self.compatibility(tags).is_compatible()
    }

    /// Whether the wheel is pure Python for any platform (`none-any`).
    pub fn is_universal(&self) -> bool {
        self.abi_tags.iter().all(|tag| tag == "none")
            && self.platform_tags.iter().all(|tag| tag == "any")
    }

    /// The `{python}-{abi}-{platform}` part, e.g. `py3-none-any`.
    pub fn tag_string(&self) -> String {
        format!(
            "{}-{}-{}",
            self.python_tags.join("."),
            self.abi_tags.join("."),
            self.platform_tags.join(".")
        )
    }

    /// Every expanded `python-abi-platform` tag triple the wheel declares.
    pub fn expanded_tags(&self) -> Vec<String> {
        let mut out = Vec::new();
        for python in &self.python_tags {
            for abi in &self.abi_tags {
                for platform in &self.platform_tags {
                    out.push(format!("{python}-{abi}-{platform}"));
                }
            }
        }
        out
    }

    /// The `.dist-info` directory name inside the wheel, e.g. `foo_bar-1.0.dist-info`.
    pub fn dist_info_dir(&self) -> String {
        format!(
            "{}-{}.dist-info",
            self.name.as_dist_info_name(),
            self.version
        )
    }

    /// The `.data` directory name inside the wheel.
    pub fn data_dir(&self) -> String {
        format!("{}-{}.data", self.name.as_dist_info_name(), self.version)
    }
}

impl FromStr for WheelFilename {
    type Err = FilenameError;

    fn from_str(filename: &str) -> Result<Self, Self::Err> {
        let stem = filename
            .strip_suffix(".whl")
            .ok_or_else(|| FilenameError::UnknownExtension(filename.to_string()))?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, python, abi, platform) = match parts.as_slice() {
            [name, version, python, abi, platform] => {
                (*name, *version, None, *python, *abi, *platform)
            }
            [name, version, build, python, abi, platform] => {
                (*name, *version, Some(*build), *python, *abi, *platform)
            }
            _ => return Err(FilenameError::WheelShape(filename.to_string())),
        };
        let invalid = |part: &'static str, message: String| FilenameError::InvalidPart {
            filename: filename.to_string(),
            part,
            message,
        };
        let name = PackageName::from_str(name).map_err(|err| invalid("name", err.to_string()))?;
        let version =
            Version::from_str(version).map_err(|err| invalid("version", err.to_string()))?;
        let build = build
            .map(|build| {
                let digits =
                    build.len() - build.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                if digits == 0 {
                    return Err(invalid(
                        "build tag",
                        format!("`{build}` must start with a digit"),
                    ));
                }
                Ok(BuildTag {
                    number: build[..digits]
                        .parse()
                        .map_err(|_| invalid("build tag", format!("`{build}` is too large")))?,
                    suffix: build[digits..].to_string(),
                })
            })
            .transpose()?;
        let split = |tags: &str| tags.split('.').map(str::to_string).collect::<Vec<_>>();
        if python.is_empty() || abi.is_empty() || platform.is_empty() {
            return Err(FilenameError::WheelShape(filename.to_string()));
        }
        Ok(Self {
            name,
            version,
            build,
            python_tags: split(python),
            abi_tags: split(abi),
            platform_tags: split(platform),
        })
    }
}

impl fmt::Display for WheelFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.name.as_dist_info_name(), self.version)?;
        if let Some(build) = &self.build {
            write!(f, "-{}{}", build.number, build.suffix)?;
        }
        write!(f, "-{}.whl", self.tag_string())
    }
}

/// A source distribution archive format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdistExtension {
    /// `.tar.gz` (PEP 625).
    TarGz,
    /// `.zip` (legacy).
    Zip,
    /// `.tar.bz2`, `.tar.xz`, `.tgz`, `.tar` (legacy, rare).
    OtherTar,
}

/// A source distribution's file name, e.g. `foo_bar-1.0.tar.gz`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SdistFilename {
    /// The normalized project name.
    pub name: PackageName,
    /// The version.
    pub version: Version,
    /// The archive format.
    pub extension: SdistExtension,
}

impl SdistFilename {
    fn split_extension(filename: &str) -> Option<(&str, SdistExtension)> {
        for (suffix, extension) in [
            (".tar.gz", SdistExtension::TarGz),
            (".zip", SdistExtension::Zip),
            (".tar.bz2", SdistExtension::OtherTar),
            (".tar.xz", SdistExtension::OtherTar),
            (".tgz", SdistExtension::OtherTar),
            (".tar", SdistExtension::OtherTar),
        ] {
            if let Some(stem) = filename.strip_suffix(suffix) {
                return Some((stem, extension));
            }
        }
        None
    }

    /// Parse knowing the project name, which legacy sdists need: their names may contain
    /// dashes (`python-dateutil-2.8.2.tar.gz`).
    pub fn parse_for(filename: &str, name: &PackageName) -> Result<Self, FilenameError> {
        let (stem, extension) = Self::split_extension(filename)
            .ok_or_else(|| FilenameError::UnknownExtension(filename.to_string()))?;
        // Try every dash as the name/version split, taking the one whose name matches.
        for (index, _) in stem.match_indices('-') {
            let (candidate, version) = (&stem[..index], &stem[index + 1..]);
            if PackageName::from_str(candidate).ok().as_ref() == Some(name)
                && let Ok(version) = Version::from_str(version)
            {
                return Ok(Self {
                    name: name.clone(),
                    version,
                    extension,
                });
            }
        }
        Err(FilenameError::SdistShape(filename.to_string()))
    }
}

impl FromStr for SdistFilename {
    type Err = FilenameError;

    /// Parse a PEP 625 name: the version follows the last dash.
    fn from_str(filename: &str) -> Result<Self, Self::Err> {
        let (stem, extension) = Self::split_extension(filename)
            .ok_or_else(|| FilenameError::UnknownExtension(filename.to_string()))?;
        let (name, version) = stem
            .rsplit_once('-')
            .ok_or_else(|| FilenameError::SdistShape(filename.to_string()))?;
        let invalid = |part: &'static str, message: String| FilenameError::InvalidPart {
            filename: filename.to_string(),
            part,
            message,
        };
        Ok(Self {
            name: PackageName::from_str(name).map_err(|err| invalid("name", err.to_string()))?,
            version: Version::from_str(version)
                .map_err(|err| invalid("version", err.to_string()))?,
            extension,
        })
    }
}

/// Any distribution file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DistFilename {
    /// A built distribution.
    Wheel(WheelFilename),
    /// A source distribution.
    Sdist(SdistFilename),
}

impl DistFilename {
    /// Parse a file name, using the project name when known (needed for legacy sdists).
    pub fn parse(filename: &str, name: Option<&PackageName>) -> Result<Self, FilenameError> {
        if filename.ends_with(".whl") {
            return filename.parse().map(Self::Wheel);
        }
        match name {
            Some(name) => SdistFilename::parse_for(filename, name).map(Self::Sdist),
            None => filename.parse().map(Self::Sdist),
        }
    }

    /// The project name.
    pub fn name(&self) -> &PackageName {
        match self {
            Self::Wheel(wheel) => &wheel.name,
            Self::Sdist(sdist) => &sdist.name,
        }
    }

    /// The version.
    pub fn version(&self) -> &Version {
        match self {
            Self::Wheel(wheel) => &wheel.version,
            Self::Sdist(sdist) => &sdist.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_with_compressed_tags() {
        let wheel: WheelFilename =
            "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
                .parse()
                .unwrap();
        assert_eq!(wheel.name.as_ref(), "numpy");
        assert_eq!(wheel.platform_tags.len(), 2);
        assert_eq!(wheel.expanded_tags().len(), 2);
        assert_eq!(
            wheel.to_string(),
            "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
        );
    }

    #[test]
    fn wheel_with_build_tag() {
        let wheel: WheelFilename = "Foo.Bar-1.0-2b-py2.py3-none-any.whl".parse().unwrap();
        assert_eq!(wheel.name.as_ref(), "foo-bar");
        assert_eq!(
            wheel.build,
            Some(BuildTag {
                number: 2,
                suffix: "b".into()
            })
        );
        assert!(wheel.is_universal());
        assert_eq!(wheel.dist_info_dir(), "foo_bar-1.0.dist-info");
    }

    #[test]
    fn bad_wheels() {
        assert!("foo-1.0-py3-none.whl".parse::<WheelFilename>().is_err());
        assert!(
            "foo-notaversion-py3-none-any.whl"
                .parse::<WheelFilename>()
                .is_err()
        );
        assert!(
            "foo-1.0-x-py3-none-any.whl"
                .parse::<WheelFilename>()
                .is_err()
        );
    }

    #[test]
    fn compatibility_with_tags() {
        let tags = Tags::from_env(
            Platform::new(
                Os::Manylinux {
                    major: 2,
                    minor: 36,
                },
                Arch::X86_64,
            ),
            (3, 11),
            "cpython",
            (3, 11),
            TagsOptions {
                manylinux_compatible: true,
                ..TagsOptions::default()
            },
        )
        .unwrap();
        let pure: WheelFilename = "a-1-py3-none-any.whl".parse().unwrap();
        let native: WheelFilename = "a-1-cp311-cp311-manylinux_2_17_x86_64.whl".parse().unwrap();
        let other: WheelFilename = "a-1-cp312-cp312-manylinux_2_17_x86_64.whl".parse().unwrap();
        let mac: WheelFilename = "a-1-cp311-cp311-macosx_11_0_arm64.whl".parse().unwrap();
        assert!(pure.is_compatible(&tags));
        assert!(native.compatibility(&tags) > pure.compatibility(&tags));
        assert!(!other.is_compatible(&tags));
        assert!(!mac.is_compatible(&tags));
    }

    #[test]
    fn sdists() {
        let sdist: SdistFilename = "foo_bar-1.0.tar.gz".parse().unwrap();
        assert_eq!(sdist.name.as_ref(), "foo-bar");
        let name: PackageName = "python-dateutil".parse().unwrap();
        let legacy = SdistFilename::parse_for("python-dateutil-2.8.2.tar.gz", &name).unwrap();
        assert_eq!(legacy.version.to_string(), "2.8.2");
        assert!(SdistFilename::parse_for("other-1.0.tar.gz", &name).is_err());
    }
}
