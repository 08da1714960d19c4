//! Resolution targets other than the running interpreter (`--python-version`, `--platform`):
//! the markers and tags such an environment would have.

use std::sync::Arc;

use anyhow::{Result, bail};
use wharf_filename::{Arch, Os, Platform, Tags, TagsOptions};
use wharf_interpreter::Interpreter;
use wharf_pep::{MarkerEnvironment, MarkerEnvironmentBuilder, Version};

use crate::operations::Target;

/// A target for a Python version and/or platform tag; what is not given comes from `base`.
pub(crate) fn custom(
    python_version: Option<&str>,
    platform: Option<&str>,
    base: Option<&Interpreter>,
) -> Result<Target> {
    let (major, minor, full) = match python_version {
        Some(text) => {
            let version: Version = text
                .parse()
                .map_err(|err| anyhow::anyhow!("invalid --python-version `{text}`: {err}"))?;
            let release = version.release();
            if release.len() < 2 || release[0] > 255 || release[1] > 255 {
                bail!("--python-version needs a major and minor version, like 3.9");
            }
            let full = if release.len() >= 3 {
                version.to_string()
            } else {
                format!("{}.{}.0", release[0], release[1])
            };
            (release[0] as u8, release[1] as u8, full)
        }
        None => match base {
            Some(base) => (
                base.python_version.0,
                base.python_version.1,
                base.version.to_string(),
            ),
            None => bail!("--python-version is required"),
        },
    };
    let (platform, system) = match platform {
        Some(tag) => parse_platform(tag)?,
        None => match base {
            Some(base) => (base.platform.clone(), system_of(base.platform.os())),
            None => bail!("--platform is required"),
        },
    };
    let machine = machine_name(&platform);
    let short = format!("{major}.{minor}");
    let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: &full,
        os_name: system.os_name,
        platform_machine: machine,
        platform_python_implementation: "CPython",
        platform_release: "",
        platform_system: system.platform_system,
        platform_version: "",
        python_full_version: &full,
        python_version: &short,
        sys_platform: system.sys_platform,
    })
    .map_err(|err| anyhow::anyhow!("invalid Python version: {err}"))?;
    let tags = Tags::from_env(
        platform,
        (major, minor),
        "cpython",
        (major, minor),
        TagsOptions {
            manylinux_compatible: true,
            is_cross: true,
            ..TagsOptions::default()
        },
    )?;
    Ok(Target {
        markers,
        python_version: full.parse()?,
        tags: Arc::new(tags),
    })
}

struct System {
    os_name: &'static str,
    platform_system: &'static str,
    sys_platform: &'static str,
}

fn system_of(os: &Os) -> System {
    match os {
        Os::Windows => System {
            os_name: "nt",
            platform_system: "Windows",
            sys_platform: "win32",
        },
        Os::Macos { .. } => System {
            os_name: "posix",
            platform_system: "Darwin",
            sys_platform: "darwin",
        },
        _ => System {
            os_name: "posix",
            platform_system: "Linux",
            sys_platform: "linux",
        },
    }
}

fn machine_name(platform: &Platform) -> &'static str {
    match (platform.os(), platform.arch()) {
        (Os::Windows, Arch::X86_64) => "AMD64",
        (Os::Windows, Arch::Aarch64) => "ARM64",
        (Os::Windows, Arch::X86) => "x86",
        (Os::Macos { .. }, Arch::Aarch64) => "arm64",
        (_, arch) => arch.name(),
    }
}

/// A platform tag such as `manylinux_2_17_x86_64`, `manylinux2014_aarch64`,
/// `musllinux_1_2_x86_64`, `macosx_11_0_arm64`, `win_amd64`.
fn parse_platform(tag: &str) -> Result<(Platform, System)> {
    let arch_of = |text: &str| -> Result<Arch> {
        Ok(match text {
            "x86_64" | "amd64" => Arch::X86_64,
            "aarch64" | "arm64" => Arch::Aarch64,
            "i686" | "x86" | "win32" => Arch::X86,
            "ppc64le" => Arch::Powerpc64Le,
            "s390x" => Arch::S390X,
            "armv7l" => Arch::Armv7L,
            other => bail!("unknown architecture `{other}` in platform `{tag}`"),
        })
    };
    let numbers = |rest: &str| -> Option<(u16, u16, String)> {
        let mut parts = rest.splitn(3, '_');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some((major, minor, parts.next()?.to_string()))
    };
    let platform = if let Some(rest) = tag.strip_prefix("manylinux_") {
        let (major, minor, arch) =
            numbers(rest).ok_or_else(|| anyhow::anyhow!("invalid platform `{tag}`"))?;
        Platform::new(Os::Manylinux { major, minor }, arch_of(&arch)?)
    } else if let Some(arch) = tag.strip_prefix("manylinux2014_") {
        Platform::new(
            Os::Manylinux {
                major: 2,
                minor: 17,
            },
            arch_of(arch)?,
        )
    } else if let Some(arch) = tag.strip_prefix("manylinux2010_") {
        Platform::new(
            Os::Manylinux {
                major: 2,
                minor: 12,
            },
            arch_of(arch)?,
        )
    } else if let Some(arch) = tag.strip_prefix("manylinux1_") {
        Platform::new(Os::Manylinux { major: 2, minor: 5 }, arch_of(arch)?)
    } else if let Some(rest) = tag.strip_prefix("musllinux_") {
        let (major, minor, arch) =
            numbers(rest).ok_or_else(|| anyhow::anyhow!("invalid platform `{tag}`"))?;
        Platform::new(Os::Musllinux { major, minor }, arch_of(&arch)?)
    } else if let Some(rest) = tag.strip_prefix("macosx_") {
        let (major, minor, arch) =
            numbers(rest).ok_or_else(|| anyhow::anyhow!("invalid platform `{tag}`"))?;
        Platform::new(Os::Macos { major, minor }, arch_of(&arch)?)
    } else if tag == "win_amd64" {
        Platform::new(Os::Windows, Arch::X86_64)
    } else if tag == "win_arm64" {
        Platform::new(Os::Windows, Arch::Aarch64)
    } else if tag == "win32" {
        Platform::new(Os::Windows, Arch::X86)
    } else if let Some(arch) = tag.strip_prefix("linux_") {
        Platform::new(
            Os::Manylinux {
                major: 2,
                minor: 17,
            },
            arch_of(arch)?,
        )
    } else {
        bail!(
            "unknown platform `{tag}`: use a wheel platform tag such as manylinux_2_17_x86_64, musllinux_1_2_x86_64, macosx_11_0_arm64 or win_amd64"
        );
    };
    let system = system_of(platform.os());
    Ok((platform, system))
}
