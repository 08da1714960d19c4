//! Where a set of wheels runs: the interpreter and platform a bundle target needs, derived
//! from the wheels' tags, so that a bundle of pure wheels runs anywhere and one with
//! `manylinux_2_17` wheels on any glibc from 2.17.

use wharf_filename::WheelFilename;

use crate::manifest::PlatformRequirement;

/// What a target needs of the interpreter that runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRequirement {
    /// `sys.implementation.name`, when a wheel is built for one.
    pub implementation: Option<String>,
    /// The exact `major.minor`, when a wheel is built for one ABI.
    pub python: Option<(u8, u8)>,
    /// The oldest `major.minor` otherwise: the version the dependencies were resolved for.
    pub python_min: Option<(u8, u8)>,
    /// The platform, when a wheel is not pure.
    pub platform: Option<PlatformRequirement>,
}

impl TargetRequirement {
    /// A directory-safe key, e.g. `cp311-linux-x86_64-glibc2.17` or `py3.11-any`.
    pub fn key(&self) -> String {
        let python = match (self.python, self.python_min) {
            (Some((major, minor)), _) => {
                format!(
                    "{}{major}{minor}",
                    short_implementation(&self.implementation)
                )
            }
            (None, Some((major, minor))) => format!("py{major}.{minor}"),
            (None, None) => "py3".to_string(),
        };
        let platform = match &self.platform {
            None => "any".to_string(),
            Some(platform) => {
                let mut text = format!("{}-{}", platform.os, platform.arch);
                if let Some(libc) = &platform.libc {
                    text.push('-');
                    text.push_str(libc);
                    if let Some((major, minor)) = platform.libc_min {
                        text.push_str(&format!("{major}.{minor}"));
                    }
                }
                text
            }
        };
        format!("{python}-{platform}")
    }

    /// For messages, e.g. `CPython 3.11 on linux x86_64 (glibc 2.17 or newer)`.
    pub fn description(&self) -> String {
        let python = match (self.python, self.python_min) {
            (Some((major, minor)), _) => {
                format!(
                    "{} {major}.{minor}",
                    long_implementation(&self.implementation)
                )
            }
            (None, Some((major, minor))) => {
                format!(
                    "{} {major}.{minor} or newer",
                    long_implementation(&self.implementation)
                )
            }
            (None, None) => long_implementation(&self.implementation).to_string(),
        };
        let platform = match &self.platform {
            None => "any platform".to_string(),
            Some(platform) => {
                let mut text = format!("{} {}", platform.os, platform.arch);
                match (&platform.libc, platform.libc_min) {
                    (Some(libc), Some((major, minor))) => {
                        text.push_str(&format!(" ({libc} {major}.{minor} or newer)"))
                    }
                    (Some(libc), None) => text.push_str(&format!(" ({libc})")),
                    _ => {}
                }
                text
            }
        };
        format!("{python} on {platform}")
    }
}

fn short_implementation(implementation: &Option<String>) -> &'static str {
    match implementation.as_deref() {
        Some("pypy") => "pp",
        Some("cpython") => "cp",
        _ => "py",
    }
}

fn long_implementation(implementation: &Option<String>) -> &'static str {
    match implementation.as_deref() {
        Some("pypy") => "PyPy",
        Some("cpython") => "CPython",
        _ => "Python",
    }
}

/// What running `wheels` needs, for a target resolved for Python `version` on `os`
/// (`sys.platform`: `linux`, `darwin`, `win32`) and `arch` (`platform.machine()`).
pub fn requirement_of(
    wheels: &[WheelFilename],
    version: (u8, u8),
    os: &str,
    arch: &str,
) -> TargetRequirement {
    let mut implementation = None;
    let mut exact = false;
    let mut platform: Option<PlatformRequirement> = None;
    for wheel in wheels {
        let abi_specific = !wheel.abi_tags.is_empty()
            && wheel
                .abi_tags
                .iter()
                .all(|abi| abi != "none" && abi != "abi3");
        let python_specific = wheel
            .python_tags
            .iter()
            .all(|tag| tag.starts_with("cp") || tag.starts_with("pp"));
        if abi_specific || python_specific {
            implementation = Some(implementation_of(&wheel.python_tags));
            if abi_specific || wheel.abi_tags.iter().any(|abi| abi == "none") {
                exact = true;
            }
        } else if wheel.abi_tags.iter().any(|abi| abi == "abi3") {
            implementation = Some(implementation_of(&wheel.python_tags));
        }
        if wheel.platform_tags.iter().all(|tag| tag == "any") {
            continue;
        }
        let (libc, libc_min) = libc_of(&wheel.platform_tags);
        let os = match os {
            "win32" => "windows",
            other if other.starts_with("linux") => "linux",
            other => other,
        };
        let current = platform.get_or_insert_with(|| PlatformRequirement {
            os: os.to_string(),
            arch: arch.to_string(),
            libc: None,
            libc_min: None,
        });
        if libc.is_some() && current.libc.is_none() {
            current.libc = libc.clone();
        }
        if current.libc == libc
            && let Some(min) = libc_min
        {
            current.libc_min = Some(current.libc_min.map_or(min, |old| old.max(min)));
        }
    }
    TargetRequirement {
        implementation,
        python: exact.then_some(version),
        python_min: (!exact).then_some(version),
        platform,
    }
}

fn implementation_of(python_tags: &[String]) -> String {
    if python_tags.iter().any(|tag| tag.starts_with("pp")) {
        "pypy".to_string()
    } else {
        "cpython".to_string()
    }
}

/// The libc a wheel's platform tags need: the family and the oldest version any of its
/// tags accepts.
fn libc_of(tags: &[String]) -> (Option<String>, Option<(u16, u16)>) {
    let mut family = None;
    let mut oldest: Option<(u16, u16)> = None;
    for tag in tags {
        let (name, version) = if let Some(rest) = tag.strip_prefix("manylinux_") {
            ("glibc", numbers(rest))
        } else if tag.starts_with("manylinux2014_") {
            ("glibc", Some((2, 17)))
        } else if tag.starts_with("manylinux2010_") {
            ("glibc", Some((2, 12)))
        } else if tag.starts_with("manylinux1_") {
            ("glibc", Some((2, 5)))
        } else if let Some(rest) = tag.strip_prefix("musllinux_") {
            ("musl", numbers(rest))
        } else {
            continue;
        };
        family = Some(name.to_string());
        if let Some(version) = version {
            oldest = Some(oldest.map_or(version, |old| old.min(version)));
        }
    }
    (family, oldest)
}

fn numbers(rest: &str) -> Option<(u16, u16)> {
    let mut parts = rest.splitn(3, '_');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel(name: &str) -> WheelFilename {
        name.parse().unwrap()
    }

    #[test]
    fn pure_wheels_run_anywhere_from_the_resolved_version() {
        let requirement = requirement_of(
            &[wheel("click-8.1.7-py3-none-any.whl")],
            (3, 11),
            "linux",
            "x86_64",
        );
        assert_eq!(requirement.python, None);
        assert_eq!(requirement.python_min, Some((3, 11)));
        assert_eq!(requirement.platform, None);
        assert_eq!(requirement.key(), "py3.11-any");
        assert_eq!(
            requirement.description(),
            "Python 3.11 or newer on any platform"
        );
    }

    #[test]
    fn manylinux_wheels_need_the_newest_glibc_any_of_them_needs() {
        let requirement = requirement_of(
            &[
                wheel("click-8.1.7-py3-none-any.whl"),
                wheel(
                    "markupsafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                ),
                wheel("pyyaml-6.0.1-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.whl"),
                wheel("orjson-3.10.0-cp311-cp311-manylinux_2_28_x86_64.whl"),
            ],
            (3, 11),
            "linux",
            "x86_64",
        );
        assert_eq!(requirement.implementation.as_deref(), Some("cpython"));
        assert_eq!(requirement.python, Some((3, 11)));
        let platform = requirement.platform.clone().unwrap();
        assert_eq!(platform.libc.as_deref(), Some("glibc"));
        assert_eq!(platform.libc_min, Some((2, 28)));
        assert_eq!(requirement.key(), "cp311-linux-x86_64-glibc2.28");
    }

    #[test]
    fn abi3_wheels_accept_newer_versions() {
        let requirement = requirement_of(
            &[wheel(
                "cryptography-42.0.0-cp39-abi3-manylinux_2_28_x86_64.whl",
            )],
            (3, 11),
            "linux",
            "x86_64",
        );
        assert_eq!(requirement.python, None);
        assert_eq!(requirement.python_min, Some((3, 11)));
        assert_eq!(requirement.implementation.as_deref(), Some("cpython"));
    }

    #[test]
    fn local_linux_wheels_need_no_particular_libc() {
        let requirement = requirement_of(
            &[wheel("native-1.0-cp311-cp311-linux_x86_64.whl")],
            (3, 11),
            "linux",
            "x86_64",
        );
        let platform = requirement.platform.unwrap();
        assert_eq!(platform.libc, None);
        assert_eq!(platform.os, "linux");
    }
}
