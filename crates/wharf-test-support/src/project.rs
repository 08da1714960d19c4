//! Source projects for build tests: a real PEP 517 backend (`wharf_test_backend`, shipped
//! as a fixture wheel so isolated builds install it from the local index) and projects
//! and sdists that use it, including hostile sdists.

use std::path::{Path, PathBuf};

use crate::wheel::WheelBuilder;

/// The fixture backend's source. It reads `wharf-test-project.json` from the project root:
/// `name`, `version`, `requires` (Requires-Dist), `packages` (directories to ship),
/// `extra_build_requires` (returned by `get_requires_for_build_*`), `crash` (the hook that
/// raises), `lying_record` (write a wrong hash into RECORD), `wrong_version` (the wheel's
/// version differs from the project's), `hold` (a path: `build_wheel` writes
/// `<hold>.started` and waits while `<hold>` exists).
pub const TEST_BACKEND: &str = r#"
import base64, hashlib, io, json, os, sys, tarfile, time, zipfile

def _config():
    with open("wharf-test-project.json", encoding="utf-8") as file:
        return json.load(file)

def _escaped(name):
    return name.replace("-", "_").replace(".", "_").lower()

def _maybe_crash(config, hook):
    if config.get("crash") == hook:
        print("test backend: about to fail in", hook)
        raise RuntimeError("the test backend was told to fail in " + hook)

def _metadata(config):
    lines = ["Metadata-Version: 2.1", "Name: " + config["name"], "Version: " + config["version"]]
    for requirement in config.get("requires", []):
        lines.append("Requires-Dist: " + requirement)
    return "\n".join(lines) + "\n"

def get_requires_for_build_wheel(config_settings=None):
    return _config().get("extra_build_requires", [])

get_requires_for_build_sdist = get_requires_for_build_wheel
get_requires_for_build_editable = get_requires_for_build_wheel

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    config = _config()
    _maybe_crash(config, "prepare_metadata_for_build_wheel")
    name = "%s-%s.dist-info" % (_escaped(config["name"]), config["version"])
    os.makedirs(os.path.join(metadata_directory, name), exist_ok=True)
    with open(os.path.join(metadata_directory, name, "METADATA"), "w") as file:
        file.write(_metadata(config))
    return name

def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

def _write_wheel(directory, config, files, config_settings):
    version = config.get("wrong_version", config["version"])
    escaped = _escaped(config["name"])
    dist_info = "%s-%s.dist-info" % (escaped, version)
    filename = "%s-%s-py3-none-any.whl" % (escaped, version)
    files = dict(files)
    if config_settings and "marker" in config_settings:
        files["%s_marker.txt" % escaped] = str(config_settings["marker"]).encode()
    files[dist_info + "/METADATA"] = _metadata(dict(config, version=version)).encode()
    files[dist_info + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: wharf-test-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = []
    for path, data in sorted(files.items()):
        digest = _record_hash(b"lie" if config.get("lying_record") else data)
        record.append("%s,%s,%d" % (path, digest, len(data)))
    record.append(dist_info + "/RECORD,,")
    files[dist_info + "/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(os.path.join(directory, filename), "w") as archive:
        for path, data in sorted(files.items()):
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return filename

def _package_files(config):
    files = {}
    for package in config.get("packages", []):
        for root, dirs, names in os.walk(package):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as file:
                    files[path.replace(os.sep, "/")] = file.read()
    return files

def _hold(config):
    # `hold`: write `<hold>.started`, then wait while the file `<hold>` exists.
    hold = config.get("hold")
    if hold:
        open(hold + ".started", "w").close()
        while os.path.exists(hold):
            time.sleep(0.05)

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    config = _config()
    _hold(config)
    print("test backend: building a wheel of", config["name"])
    sys.stderr.write("test backend: a line on stderr\n")
    _maybe_crash(config, "build_wheel")
    return _write_wheel(wheel_directory, config, _package_files(config), config_settings)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    config = _config()
    _maybe_crash(config, "build_editable")
    pth = "_%s_editable.pth" % _escaped(config["name"])
    return _write_wheel(wheel_directory, config, {pth: (os.getcwd() + "\n").encode()}, config_settings)

def build_sdist(sdist_directory, config_settings=None):
    config = _config()
    _maybe_crash(config, "build_sdist")
    base = "%s-%s" % (_escaped(config["name"]), config["version"])
    filename = base + ".tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as archive:
        def add(path, data):
            info = tarfile.TarInfo(base + "/" + path)
            info.size = len(data)
            info.mtime = 1577836800
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
        add("PKG-INFO", _metadata(config).encode())
        for name in ("pyproject.toml", "wharf-test-project.json"):
            with open(name, "rb") as file:
                add(name, file.read())
        for path, data in sorted(_package_files(config).items()):
            add(path, data)
    return filename
"#;

/// The fixture backend as a wheel (`wharf-test-backend 1.0`), for the local index.
pub fn backend_wheel() -> WheelBuilder {
    WheelBuilder::new("wharf-test-backend", "1.0")
        .without_module()
        .file("wharf_test_backend/__init__.py", TEST_BACKEND)
}

/// A project that builds with the fixture backend.
#[derive(Debug, Clone)]
pub struct ProjectBuilder {
    config: serde_json::Map<String, serde_json::Value>,
    build_requires: Vec<String>,
    backend: String,
    files: Vec<(String, String)>,
}

impl ProjectBuilder {
    /// A project `name` `version` with one module, `{name}.py`-style package `name/`.
    pub fn new(name: &str, version: &str) -> Self {
        let package = name.replace(['-', '.'], "_").to_lowercase();
        let mut config = serde_json::Map::new();
        config.insert("name".into(), name.into());
        config.insert("version".into(), version.into());
        config.insert("packages".into(), serde_json::json!([package]));
        Self {
            config,
            build_requires: vec!["wharf-test-backend".to_string()],
            backend: "wharf_test_backend".to_string(),
            files: vec![(
                format!("{package}/__init__.py"),
                format!("NAME = {name:?}\nVERSION = {version:?}\n"),
            )],
        }
    }

    /// A `Requires-Dist` of the built wheel.
    pub fn requires(mut self, requirement: &str) -> Self {
        self.config
            .entry("requires")
            .or_insert_with(|| serde_json::json!([]))
            .as_array_mut()
            .unwrap()
            .push(requirement.into());
        self
    }

    /// A backend option (`crash`, `lying_record`, `wrong_version`, `extra_build_requires`).
    pub fn option(mut self, key: &str, value: serde_json::Value) -> Self {
        self.config.insert(key.into(), value);
        self
    }

    /// Replace `[build-system] requires`.
    pub fn build_requires(mut self, requires: &[&str]) -> Self {
        self.build_requires = requires.iter().map(ToString::to_string).collect();
        self
    }

    /// Replace `build-backend`.
    pub fn backend(mut self, backend: &str) -> Self {
        self.backend = backend.to_string();
        self
    }

    /// Another file in the project.
    pub fn file(mut self, path: &str, contents: &str) -> Self {
        self.files.push((path.to_string(), contents.to_string()));
        self
    }

    /// Write the project into `dir` (created) and return it.
    pub fn write(&self, dir: &Path) -> PathBuf {
        fs_err::create_dir_all(dir).unwrap();
        let requires: Vec<String> = self
            .build_requires
            .iter()
            .map(|r| format!("{r:?}"))
            .collect();
        fs_err::write(
            dir.join("pyproject.toml"),
            format!(
                "[build-system]\nrequires = [{}]\nbuild-backend = {:?}\n",
                requires.join(", "),
                self.backend
            ),
        )
        .unwrap();
        fs_err::write(
            dir.join("wharf-test-project.json"),
            serde_json::to_string_pretty(&self.config).unwrap(),
        )
        .unwrap();
        for (path, contents) in &self.files {
            let target = dir.join(path);
            fs_err::create_dir_all(target.parent().unwrap()).unwrap();
            fs_err::write(target, contents).unwrap();
        }
        dir.to_path_buf()
    }

    /// The sdist file name (`{name}-{version}.tar.gz`, normalized).
    pub fn sdist_name(&self) -> String {
        format!(
            "{}-{}.tar.gz",
            self.config["name"]
                .as_str()
                .unwrap()
                .replace(['-', '.'], "_")
                .to_lowercase(),
            self.config["version"].as_str().unwrap()
        )
    }

    /// Write an sdist of the project into `dir` (as the backend would make it, built here
    /// in Rust) and return its path. `extra` adds raw tar members: `(path, kind)` where
    /// kind is `File(bytes)` or `Symlink(target)`, written verbatim (hostile paths too).
    pub fn sdist(&self, dir: &Path, extra: &[(&str, TarMember)]) -> PathBuf {
        let source = tempfile::tempdir().unwrap();
        self.write(source.path());
        let base = self.sdist_name().trim_end_matches(".tar.gz").to_string();
        let mut builder = tar::Builder::new(Vec::new());
        let mut add = |path: &str, member: &TarMember| {
            let mut header = tar::Header::new_gnu();
            match member {
                TarMember::File(data) => {
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_size(data.len() as u64);
                    header.set_mode(0o644);
                }
                TarMember::Symlink(target) => {
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_size(0);
                    header.set_mode(0o777);
                    let link = &mut header.as_old_mut().linkname;
                    link[..target.len()].copy_from_slice(target.as_bytes());
                }
            }
            header.set_mtime(1_577_836_800);
            let name = &mut header.as_old_mut().name;
            name[..path.len()].copy_from_slice(path.as_bytes());
            header.set_cksum();
            match member {
                TarMember::File(data) => builder.append(&header, data.as_slice()).unwrap(),
                TarMember::Symlink(_) => builder.append(&header, std::io::empty()).unwrap(),
            }
        };
        let mut pkg_info = format!(
            "Metadata-Version: 2.1\nName: {}\nVersion: {}\n",
            self.config["name"].as_str().unwrap(),
            self.config["version"].as_str().unwrap()
        );
        for requirement in self
            .config
            .get("requires")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            pkg_info.push_str(&format!(
                "Requires-Dist: {}\n",
                requirement.as_str().unwrap()
            ));
        }
        add(
            &format!("{base}/PKG-INFO"),
            &TarMember::File(pkg_info.into_bytes()),
        );
        let mut paths = vec![
            "pyproject.toml".to_string(),
            "wharf-test-project.json".to_string(),
        ];
        paths.extend(self.files.iter().map(|(path, _)| path.clone()));
        for path in paths {
            let data = fs_err::read(source.path().join(&path)).unwrap();
            add(&format!("{base}/{path}"), &TarMember::File(data));
        }
        for (path, member) in extra {
            add(path, member);
        }
        let data = builder.into_inner().unwrap();
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, &data).unwrap();
        let path = dir.join(self.sdist_name());
        fs_err::write(&path, encoder.finish().unwrap()).unwrap();
        path
    }
}

/// A raw member of a hand-made sdist.
#[derive(Debug, Clone)]
pub enum TarMember {
    File(Vec<u8>),
    Symlink(String),
}
