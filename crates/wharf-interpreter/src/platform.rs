//! Turn the facts the probe reports (sys.platform, machine, C library and its version)
//! into the [`Platform`] that wheel tags are computed from.
//!
//! Kept in Rust rather than in the probe so that the rules are unit-tested here and the
//! probe stays a plain fact-gatherer.

use serde::{Deserialize, Serialize};
use wharf_filename::{Arch, Os, Platform};

/// The platform facts printed by the probe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PlatformFacts {
    /// `platform.machine()`.
    pub(crate) machine: String,
    /// `sys.platform`.
    pub(crate) system: String,
    /// `glibc` or `musl` on Linux.
    #[serde(default)]
    pub(crate) libc: Option<String>,
    /// The C library's `major.minor` version.
    #[serde(default)]
    pub(crate) libc_version: Option<String>,
    /// What the distributor's `_manylinux` module says (PEP 600); true without one.
    #[serde(default)]
    pub(crate) manylinux_compatible: Option<bool>,
    /// `platform.mac_ver()[0]` on macOS.
    #[serde(default)]
    pub(crate) macos_version: Option<String>,
    /// `platform.release()` on other systems.
    #[serde(default)]
    pub(crate) release: Option<String>,
}

/// The interpreter's architecture. A 32-bit interpreter on a 64-bit kernel reports the
/// kernel's machine, but needs 32-bit wheels.
fn arch(machine: &str, pointer_size_64: bool) -> Result<Arch, String> {
    let arch = match machine.to_ascii_lowercase().as_str() {
        "x86_64" | "amd64" => Arch::X86_64,
        "i386" | "i486" | "i586" | "i686" | "x86" => Arch::X86,
        "aarch64" | "arm64" | "aarch64_be" => Arch::Aarch64,
        "armv7l" | "armv8l" => Arch::Armv7L,
        "armv6l" => Arch::Armv6L,
        "armv5tel" => Arch::Armv5TEL,
        "ppc64le" => Arch::Powerpc64Le,
        "ppc64" => Arch::Powerpc64,
        "ppc" | "powerpc" => Arch::Powerpc,
        "s390x" => Arch::S390X,
        "riscv64" => Arch::Riscv64,
        "loongarch64" => Arch::LoongArch64,
        "wasm32" => Arch::Wasm32,
        other => return Err(format!("unknown machine architecture `{other}`")),
    };
    Ok(match (arch, pointer_size_64) {
        (Arch::X86_64, false) => Arch::X86,
        (Arch::Aarch64, false) => Arch::Armv7L,
        (arch, _) => arch,
    })
}

/// Parse `major.minor[.patch]` into its first two numbers.
fn major_minor(text: &str) -> Option<(u16, u16)> {
    let mut parts = text.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |minor| {
        // Tolerate suffixes such as `2.35-ubuntu`.
        let digits: String = minor.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })?;
    Some((major, minor))
}

impl PlatformFacts {
    /// The wheel platform, or why it cannot be determined.
    pub(crate) fn to_platform(&self, pointer_size_64: bool) -> Result<Platform, String> {
        let arch = arch(&self.machine, pointer_size_64)?;
        let system = self.system.as_str();
        let release = || self.release.clone().unwrap_or_default();
        let os = if system.starts_with("linux") {
            let version = self.libc_version.as_deref().and_then(major_minor);
            match (self.libc.as_deref(), version) {
                (Some("glibc"), Some((major, minor))) => Os::Manylinux { major, minor },
                (Some("musl"), Some((major, minor))) => Os::Musllinux { major, minor },
                _ => {
                    return Err(
                        "could not determine the C library (neither glibc nor musl was detected)"
                            .to_string(),
                    );
                }
            }
        } else if system == "darwin" {
            let version = self.macos_version.as_deref().unwrap_or_default();
            let (major, minor) = major_minor(version)
                .ok_or_else(|| format!("could not parse the macOS version `{version}`"))?;
            Os::Macos { major, minor }
        } else if system == "win32" || system == "cygwin" {
            Os::Windows
        } else if system.starts_with("freebsd") {
            Os::FreeBsd { release: release() }
        } else if system.starts_with("netbsd") {
            Os::NetBsd { release: release() }
        } else if system.starts_with("openbsd") {
            Os::OpenBsd { release: release() }
        } else if system.starts_with("dragonfly") {
            Os::Dragonfly { release: release() }
        } else if system.starts_with("sunos") {
            Os::Illumos {
                release: release(),
                arch: self.machine.clone(),
            }
        } else if system.starts_with("haiku") {
            Os::Haiku { release: release() }
        } else {
            return Err(format!("unsupported platform `{system}`"));
        };
        Ok(Platform::new(os, arch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(system: &str, machine: &str) -> PlatformFacts {
        PlatformFacts {
            machine: machine.to_string(),
            system: system.to_string(),
            ..PlatformFacts::default()
        }
    }

    #[test]
    fn glibc_linux() {
        let facts = PlatformFacts {
            libc: Some("glibc".to_string()),
            libc_version: Some("2.36".to_string()),
            ..facts("linux", "x86_64")
        };
        let platform = facts.to_platform(true).unwrap();
        assert_eq!(
            platform.os(),
            &Os::Manylinux {
                major: 2,
                minor: 36
            }
        );
        assert_eq!(platform.arch(), Arch::X86_64);
    }

    #[test]
    fn thirty_two_bit_interpreter_on_a_sixty_four_bit_kernel() {
        let facts = PlatformFacts {
            libc: Some("glibc".to_string()),
            libc_version: Some("2.17".to_string()),
            ..facts("linux", "x86_64")
        };
        assert_eq!(facts.to_platform(false).unwrap().arch(), Arch::X86);
    }

    #[test]
    fn musl_linux() {
        let facts = PlatformFacts {
            libc: Some("musl".to_string()),
            libc_version: Some("1.2".to_string()),
            ..facts("linux", "aarch64")
        };
        let platform = facts.to_platform(true).unwrap();
        assert_eq!(platform.os(), &Os::Musllinux { major: 1, minor: 2 });
        assert_eq!(platform.arch(), Arch::Aarch64);
    }

    #[test]
    fn linux_without_a_known_libc_is_an_error() {
        assert!(facts("linux", "x86_64").to_platform(true).is_err());
    }

    #[test]
    fn macos_and_windows() {
        let mac = PlatformFacts {
            macos_version: Some("14.2.1".to_string()),
            ..facts("darwin", "arm64")
        };
        let platform = mac.to_platform(true).unwrap();
        assert_eq!(
            platform.os(),
            &Os::Macos {
                major: 14,
                minor: 2
            }
        );
        assert_eq!(platform.arch(), Arch::Aarch64);

        let windows = facts("win32", "AMD64").to_platform(true).unwrap();
        assert_eq!(windows.os(), &Os::Windows);
        assert_eq!(windows.arch(), Arch::X86_64);
    }

    #[test]
    fn unknown_machine() {
        assert!(facts("win32", "vax").to_platform(true).is_err());
    }
}
