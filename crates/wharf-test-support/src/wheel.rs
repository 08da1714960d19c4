//! Wheels built in code for tests: real zip files with METADATA, WHEEL, entry points and a
//! RECORD that matches, plus switches that make them bad in one precise way (an unrecorded
//! file, a wrong hash, a path escaping the install root) for error-path tests.
//!
//! Output is deterministic (fixed timestamps, fixed entry order), so a wheel built twice has
//! the same bytes and the same sha256.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// One file to put into the zip.
#[derive(Debug, Clone)]
struct Entry {
    path: String,
    contents: Vec<u8>,
    mode: u32,
    recorded: bool,
}

/// Builds a wheel file. Every method takes and returns the builder, so a fixture reads
/// as one expression: `WheelBuilder::new("a", "1.0").requires("b>=1").build(dir)`.
#[derive(Debug, Clone)]
pub struct WheelBuilder {
    name: String,
    version: String,
    tag: String,
    build_tag: Option<String>,
    requires_python: Option<String>,
    requires: Vec<String>,
    extras: Vec<String>,
    metadata_fields: Vec<(String, String)>,
    entries: Vec<Entry>,
    console_scripts: Vec<(String, String)>,
    gui_scripts: Vec<(String, String)>,
    wrong_hashes: BTreeSet<String>,
    wheel_version: String,
    root_is_purelib: Option<bool>,
    module: bool,
    dist_info: bool,
}

impl WheelBuilder {
    /// A `py3-none-any` wheel holding the module `<name_underscored>/__init__.py` with
    /// `__version__ = "<version>"`.
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.to_string(),
            version: version.to_string(),
            tag: "py3-none-any".to_string(),
            build_tag: None,
            requires_python: None,
            requires: Vec::new(),
            extras: Vec::new(),
            metadata_fields: Vec::new(),
            entries: Vec::new(),
            console_scripts: Vec::new(),
            gui_scripts: Vec::new(),
            wrong_hashes: BTreeSet::new(),
            wheel_version: "1.0".to_string(),
            root_is_purelib: None,
            module: true,
            dist_info: true,
        }
    }

    /// The `python-abi-platform` tag, e.g. `cp311-cp311-manylinux_2_17_x86_64`. A tag other
    /// than `none-any` makes the root platlib unless [`Self::root_is_purelib`] says otherwise.
    pub fn tag(mut self, tag: &str) -> Self {
        self.tag = tag.to_string();
        self
    }

    /// A build tag, e.g. `1`, placed in the file name and in WHEEL.
    pub fn build_tag(mut self, build: &str) -> Self {
        self.build_tag = Some(build.to_string());
        self
    }

    /// A `Requires-Dist` line (may include extras and markers).
    pub fn requires(mut self, requirement: &str) -> Self {
        self.requires.push(requirement.to_string());
        self
    }

    /// `Provides-Extra: <extra>` and a `Requires-Dist` for each requirement, with
    /// `extra == "<extra>"` added to its marker.
    pub fn extra(mut self, extra: &str, requirements: &[&str]) -> Self {
        self.extras.push(extra.to_string());
        for requirement in requirements {
            let line = match requirement.split_once(';') {
                Some((requirement, marker)) => format!(
                    "{}; ({}) and extra == \"{extra}\"",
                    requirement.trim(),
                    marker.trim()
                ),
                None => format!("{}; extra == \"{extra}\"", requirement.trim()),
            };
            self.requires.push(line);
        }
        self
    }

    /// `Requires-Python`.
    pub fn requires_python(mut self, spec: &str) -> Self {
        self.requires_python = Some(spec.to_string());
        self
    }

    /// Any other METADATA header, e.g. `("Summary", "A test package")`.
    pub fn metadata_field(mut self, field: &str, value: &str) -> Self {
        self.metadata_fields
            .push((field.to_string(), value.to_string()));
        self
    }

    /// A file at `path` in the wheel root (e.g. `pkg/data.txt`), recorded in RECORD.
    pub fn file(self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.entry(path.to_string(), contents.into(), 0o644, true)
    }

    /// Like [`Self::file`], with the executable bits set in the zip's attributes.
    pub fn executable_file(self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.entry(path.to_string(), contents.into(), 0o755, true)
    }

    /// A file under `<name>-<version>.data/<scheme>/<path>`; scheme is one of `scripts`,
    /// `data`, `headers`, `purelib`, `platlib`. Scripts are executable.
    pub fn data_file(self, scheme: &str, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        let mode = if scheme == "scripts" { 0o755 } else { 0o644 };
        let full = format!("{}/{scheme}/{path}", self.data_dir());
        self.entry(full, contents.into(), mode, true)
    }

    /// A `console_scripts` entry point, target `module:function`.
    pub fn console_script(mut self, name: &str, target: &str) -> Self {
        self.console_scripts
            .push((name.to_string(), target.to_string()));
        self
    }

    /// A `gui_scripts` entry point, target `module:function`.
    pub fn gui_script(mut self, name: &str, target: &str) -> Self {
        self.gui_scripts
            .push((name.to_string(), target.to_string()));
        self
    }

    /// A file present in the zip but absent from RECORD (a bad wheel).
    pub fn unrecorded_file(self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.entry(path.to_string(), contents.into(), 0o644, false)
    }

    /// RECORD lists a wrong hash for `path` (a bad wheel). `path` is the path in the zip.
    pub fn wrong_hash(mut self, path: &str) -> Self {
        self.wrong_hashes.insert(path.to_string());
        self
    }

    /// An entry with exactly this zip path, even `../evil` or `/abs` (a bad wheel). It is
    /// listed in RECORD with its correct hash, so that only the path is wrong.
    pub fn raw_entry(self, zip_path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.entry(zip_path.to_string(), contents.into(), 0o644, true)
    }

    /// The `Wheel-Version` written to WHEEL (default `1.0`).
    pub fn wheel_version(mut self, version: &str) -> Self {
        self.wheel_version = version.to_string();
        self
    }

    /// `Root-Is-Purelib` (default: true for `none-any` tags).
    pub fn root_is_purelib(mut self, purelib: bool) -> Self {
        self.root_is_purelib = Some(purelib);
        self
    }

    /// Leave out the default `<name>/__init__.py`.
    pub fn without_module(mut self) -> Self {
        self.module = false;
        self
    }

    /// Leave out the whole `.dist-info` directory (a bad wheel).
    pub fn without_dist_info(mut self) -> Self {
        self.dist_info = false;
        self
    }

    fn entry(mut self, path: String, contents: Vec<u8>, mode: u32, recorded: bool) -> Self {
        self.entries.push(Entry {
            path,
            contents,
            mode,
            recorded,
        });
        self
    }

    /// The name as written in file names and `.dist-info` (PEP 427 escaping).
    pub fn escaped_name(&self) -> String {
        let mut out = String::new();
        let mut previous_separator = false;
        for char in self.name.chars() {
            if char.is_ascii_alphanumeric() {
                out.push(char.to_ascii_lowercase());
                previous_separator = false;
            } else if !previous_separator {
                out.push('_');
                previous_separator = true;
            }
        }
        out
    }

    /// The importable module name of the default module.
    pub fn module_name(&self) -> String {
        self.escaped_name()
    }

    /// `<name>-<version>.dist-info`.
    pub fn dist_info_dir(&self) -> String {
        format!("{}-{}.dist-info", self.escaped_name(), self.version)
    }

    /// `<name>-<version>.data`.
    pub fn data_dir(&self) -> String {
        format!("{}-{}.data", self.escaped_name(), self.version)
    }

    /// The wheel's file name, e.g. `foo_bar-1.0-py3-none-any.whl`.
    pub fn filename(&self) -> String {
        match &self.build_tag {
            Some(build) => format!(
                "{}-{}-{build}-{}.whl",
                self.escaped_name(),
                self.version,
                self.tag
            ),
            None => format!("{}-{}-{}.whl", self.escaped_name(), self.version, self.tag),
        }
    }

    /// The METADATA file (also what an index serves as the PEP 658 metadata file).
    pub fn metadata_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Metadata-Version: 2.1");
        let _ = writeln!(out, "Name: {}", self.name);
        let _ = writeln!(out, "Version: {}", self.version);
        for (field, value) in &self.metadata_fields {
            let _ = writeln!(out, "{field}: {value}");
        }
        if let Some(requires_python) = &self.requires_python {
            let _ = writeln!(out, "Requires-Python: {requires_python}");
        }
        for extra in &self.extras {
            let _ = writeln!(out, "Provides-Extra: {extra}");
        }
        for requirement in &self.requires {
            let _ = writeln!(out, "Requires-Dist: {requirement}");
        }
        out
    }

    /// The WHEEL file.
    pub fn wheel_text(&self) -> String {
        let purelib = self
            .root_is_purelib
            .unwrap_or_else(|| self.tag.ends_with("-none-any"));
        let mut out = format!(
            "Wheel-Version: {}\nGenerator: wharf-test-support\nRoot-Is-Purelib: {purelib}\n",
            self.wheel_version
        );
        let mut parts = self.tag.splitn(3, '-');
        let (python, abi, platform) = (
            parts.next().unwrap_or("py3"),
            parts.next().unwrap_or("none"),
            parts.next().unwrap_or("any"),
        );
        for python in python.split('.') {
            for abi in abi.split('.') {
                for platform in platform.split('.') {
                    let _ = writeln!(out, "Tag: {python}-{abi}-{platform}");
                }
            }
        }
        if let Some(build) = &self.build_tag {
            let _ = writeln!(out, "Build: {build}");
        }
        out
    }

    fn entry_points_text(&self) -> Option<String> {
        if self.console_scripts.is_empty() && self.gui_scripts.is_empty() {
            return None;
        }
        let mut out = String::new();
        for (section, scripts) in [
            ("console_scripts", &self.console_scripts),
            ("gui_scripts", &self.gui_scripts),
        ] {
            if scripts.is_empty() {
                continue;
            }
            let _ = writeln!(out, "[{section}]");
            for (name, target) in scripts {
                let _ = writeln!(out, "{name} = {target}");
            }
            out.push('\n');
        }
        Some(out)
    }

    /// Every entry in zip order: the payload first, the `.dist-info` last (as PEP 427
    /// recommends), RECORD at the very end.
    fn all_entries(&self) -> Vec<Entry> {
        let mut entries = Vec::new();
        let default_module = format!("{}/__init__.py", self.module_name());
        // A file given for the default module's path replaces the generated one.
        if self.module
            && !self
                .entries
                .iter()
                .any(|entry| entry.path == default_module)
        {
            entries.push(Entry {
                path: format!("{}/__init__.py", self.module_name()),
                contents: format!("__version__ = \"{}\"\n", self.version).into_bytes(),
                mode: 0o644,
                recorded: true,
            });
        }
        entries.extend(self.entries.iter().cloned());
        if self.dist_info {
            let dist_info = self.dist_info_dir();
            let mut generated = vec![
                ("METADATA", self.metadata_text()),
                ("WHEEL", self.wheel_text()),
            ];
            if let Some(entry_points) = self.entry_points_text() {
                generated.push(("entry_points.txt", entry_points));
            }
            for (file, contents) in generated {
                entries.push(Entry {
                    path: format!("{dist_info}/{file}"),
                    contents: contents.into_bytes(),
                    mode: 0o644,
                    recorded: true,
                });
            }
        }
        entries
    }

    fn record_text(&self, entries: &[Entry]) -> String {
        let mut out = String::new();
        for entry in entries.iter().filter(|entry| entry.recorded) {
            let digest = if self.wrong_hashes.contains(&entry.path) {
                Sha256::digest(b"not the contents")
            } else {
                Sha256::digest(&entry.contents)
            };
            let path = if entry.path.contains([',', '"']) {
                format!("\"{}\"", entry.path.replace('"', "\"\""))
            } else {
                entry.path.clone()
            };
            let _ = writeln!(
                out,
                "{path},sha256={},{}",
                URL_SAFE_NO_PAD.encode(digest),
                entry.contents.len()
            );
        }
        if self.dist_info {
            let _ = writeln!(out, "{}/RECORD,,", self.dist_info_dir());
        }
        out
    }

    /// The wheel's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let entries = self.all_entries();
        let record = self.record_text(&entries);
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(DateTime::DEFAULT);
        let mut write = |path: &str, contents: &[u8], mode: u32| {
            writer
                .start_file(path, options.unix_permissions(mode))
                .unwrap_or_else(|err| panic!("failed to add {path} to the test wheel: {err}"));
            writer
                .write_all(contents)
                .unwrap_or_else(|err| panic!("failed to write {path} into the test wheel: {err}"));
        };
        for entry in &entries {
            write(&entry.path, &entry.contents, entry.mode);
        }
        if self.dist_info {
            write(
                &format!("{}/RECORD", self.dist_info_dir()),
                record.as_bytes(),
                0o644,
            );
        }
        writer
            .finish()
            .expect("finishing an in-memory zip cannot fail")
            .into_inner()
    }

    /// Write `dir/<filename>` and return its path.
    pub fn build(&self, dir: &Path) -> PathBuf {
        let path = dir.join(self.filename());
        fs_err::create_dir_all(dir).expect("failed to create the wheel's directory");
        fs_err::write(&path, self.to_bytes()).expect("failed to write the test wheel");
        path
    }

    /// The hex sha256 of the wheel's bytes (what an index lists in `#sha256=`).
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn read_zip(bytes: Vec<u8>) -> Vec<(String, String)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..archive.len())
            .map(|index| {
                let mut file = archive.by_index(index).unwrap();
                let mut text = String::new();
                file.read_to_string(&mut text).unwrap();
                (file.name().unwrap().to_string(), text)
            })
            .collect()
    }

    #[test]
    fn builds_a_consistent_wheel() {
        let builder = WheelBuilder::new("Foo-Bar", "1.0")
            .requires("idna>=2")
            .extra("socks", &["pysocks; python_version >= '3'"])
            .file("foo_bar/data.txt", "hello")
            .data_file("scripts", "tool", "#!python\nprint(1)\n")
            .console_script("foo", "foo_bar:main");
        assert_eq!(builder.filename(), "foo_bar-1.0-py3-none-any.whl");
        let entries = read_zip(builder.to_bytes());
        let names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "foo_bar/__init__.py",
                "foo_bar/data.txt",
                "foo_bar-1.0.data/scripts/tool",
                "foo_bar-1.0.dist-info/METADATA",
                "foo_bar-1.0.dist-info/WHEEL",
                "foo_bar-1.0.dist-info/entry_points.txt",
                "foo_bar-1.0.dist-info/RECORD",
            ]
        );
        let metadata = &entries[3].1;
        assert!(
            metadata
                .contains("Requires-Dist: pysocks; (python_version >= '3') and extra == \"socks\"")
        );
        let record = &entries[6].1;
        assert!(
            record.contains(
                "foo_bar/data.txt,sha256=LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ,5\n"
            )
        );
        assert!(record.ends_with("foo_bar-1.0.dist-info/RECORD,,\n"));
    }

    #[test]
    fn is_deterministic() {
        let builder = WheelBuilder::new("a", "1").tag("cp311-cp311-manylinux_2_17_x86_64");
        assert_eq!(builder.to_bytes(), builder.to_bytes());
        assert!(builder.wheel_text().contains("Root-Is-Purelib: false"));
        let dir = tempfile::tempdir().unwrap();
        let path = builder.build(dir.path());
        assert!(path.ends_with("a-1-cp311-cp311-manylinux_2_17_x86_64.whl"));
    }

    #[test]
    fn bad_inputs_are_written_as_asked() {
        let builder = WheelBuilder::new("a", "1")
            .raw_entry("../evil", "x")
            .unrecorded_file("a/extra.py", "")
            .wrong_hash("a/__init__.py");
        let entries = read_zip(builder.to_bytes());
        assert!(entries.iter().any(|(name, _)| name == "../evil"));
        let record = &entries.last().unwrap().1;
        assert!(!record.contains("a/extra.py"));
        assert!(record.contains("../evil,"));
    }
}
