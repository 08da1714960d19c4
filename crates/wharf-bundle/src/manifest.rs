//! `.wharf/bundle.json`: what a bundle holds and where it runs. The same entry, targets and
//! environment (without the file lists) are embedded in `__main__.py` as the warm-path
//! configuration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The format version written and understood.
pub const FORMAT: u32 = 1;

/// What a bundle runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Entry {
    /// `module:function` (called, its result is the exit status), or a module run as
    /// `__main__` when `function` is `None`.
    Module {
        /// The dotted module name.
        module: String,
        /// The dotted attribute path within the module.
        function: Option<String>,
    },
    /// A script shipped in the bundle, relative to the extraction directory.
    Script {
        /// E.g. `script/app.py`.
        script: String,
    },
    /// A `.data/scripts` file of a dependency, relative to the extraction directory.
    WheelScript {
        /// E.g. `bin/tool`.
        wheel_script: String,
    },
}

/// A platform a target needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformRequirement {
    /// `linux`, `darwin` or `windows`.
    pub os: String,
    /// `x86_64`, `aarch64`, `AMD64`, …
    pub arch: String,
    /// `glibc`, `musl`, or none (a plain `linux_*` wheel, or not Linux).
    pub libc: Option<String>,
    /// The oldest libc the wheels accept.
    pub libc_min: Option<(u16, u16)>,
}

/// One target as the manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetManifest {
    /// Directory name of its extraction.
    pub key: String,
    /// For messages, e.g. `CPython 3.11, manylinux_2_17_x86_64`.
    pub description: String,
    /// `sys.implementation.name` required, if any.
    pub implementation: Option<String>,
    /// The exact `major.minor` required, if any.
    pub python: Option<(u8, u8)>,
    /// The oldest `major.minor` accepted, if any.
    pub python_min: Option<(u8, u8)>,
    /// The platform required; none when every wheel is pure.
    pub platform: Option<PlatformRequirement>,
    /// Whether a wheel ships a top-level `.pth` file (processed with `site.addsitedir`).
    pub pth: bool,
    /// The wheels, by file name.
    #[serde(default)]
    pub wheels: Vec<String>,
    /// The member holding precompiled bytecode, if any.
    #[serde(default)]
    pub pyc: Option<String>,
}

/// One wheel in the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WheelInfo {
    /// The project name as the wheel's file name gives it.
    pub name: String,
    /// The version.
    pub version: String,
    /// Hex sha256 of the member.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// Another verified member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    /// Hex sha256.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// How the bundle was made. Nothing here depends on the clock or on paths, so that the same
/// inputs give the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildInfo {
    /// `wharf X.Y.Z`.
    pub tool: String,
    /// The timestamp members carry (`SOURCE_DATE_EPOCH`, else 1980-01-01), RFC 3339.
    pub created: String,
    /// The requirements as given.
    pub requirements: Vec<String>,
    /// The building interpreter's version, if one was used.
    pub python: Option<String>,
    /// The interpreter line.
    pub shebang: String,
}

/// `.wharf/bundle.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// sha256 of the bootstrap sources this bundle was written with.
    pub bootstrap: String,
    /// The bundle's name (the output file's stem).
    pub name: String,
    /// What runs; none gives a Python REPL with the dependencies importable.
    pub entry: Option<Entry>,
    /// The console script the entry came from, if any.
    pub console_script: Option<String>,
    /// Environment defaults set before the entry runs.
    pub inject_env: BTreeMap<String, String>,
    /// Where the bundle runs, in order of preference.
    pub targets: Vec<TargetManifest>,
    /// Every wheel, by file name.
    pub wheels: BTreeMap<String, WheelInfo>,
    /// Every other verified member, by member path.
    pub files: BTreeMap<String, FileInfo>,
    /// How it was made.
    pub build: BuildInfo,
}

impl Manifest {
    /// The warm-path configuration embedded in `__main__.py`: the manifest without file
    /// lists, plus the id.
    pub(crate) fn runtime_config(&self, id: &str) -> serde_json::Value {
        // The targets as recorded, less what only the first run reads.
        let targets: Vec<serde_json::Value> = self
            .targets
            .iter()
            .map(|target| {
                let mut value = serde_json::to_value(target).expect("a target serializes");
                if let Some(fields) = value.as_object_mut() {
                    fields.remove("wheels");
                    fields.remove("pyc");
                }
                value
            })
            .collect();
        serde_json::json!({
            "id": id,
            "name": self.name,
            "entry": self.entry,
            "console_script": self.console_script,
            "inject_env": self.inject_env,
            "targets": targets,
        })
    }
}
