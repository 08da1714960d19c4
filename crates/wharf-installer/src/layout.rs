//! Where the parts of a wheel go in an environment (the install scheme), and the
//! path arithmetic RECORD needs.

use std::path::{Component, Path, PathBuf};

/// An environment's install scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Pure-Python packages (`site-packages`).
    pub purelib: PathBuf,
    /// Platform-specific packages (the same directory in a venv on most systems).
    pub platlib: PathBuf,
    /// Console scripts (`bin`, `Scripts` on Windows).
    pub scripts: PathBuf,
    /// The `data` scheme: the environment's prefix.
    pub data: PathBuf,
    /// C headers; a wheel's headers go to `include/<name>`.
    pub include: PathBuf,
    /// The interpreter written into script shebangs.
    pub python_executable: PathBuf,
    /// The interpreter's `(major, minor)` version, for bytecode file names.
    pub python_version: (u8, u8),
}

impl Layout {
    /// The directories that hold distributions (purelib, then platlib when different).
    pub fn site_packages(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.purelib.clone()];
        if self.platlib != self.purelib {
            dirs.push(self.platlib.clone());
        }
        dirs
    }

    /// Every directory files may be installed into: files outside these are never touched
    /// by an uninstall.
    pub(crate) fn roots(&self) -> Vec<PathBuf> {
        let mut roots = self.fixed_roots();
        let include = normalize(&self.include);
        if !roots.contains(&include) {
            roots.push(include);
        }
        roots
    }

    /// The directories an environment always has, never removed when emptied. The include
    /// directory is not one of them: it is created by the first wheel with headers.
    pub(crate) fn fixed_roots(&self) -> Vec<PathBuf> {
        let mut roots = Vec::new();
        for dir in [&self.purelib, &self.platlib, &self.scripts, &self.data] {
            let dir = normalize(dir);
            if !roots.contains(&dir) {
                roots.push(dir);
            }
        }
        roots
    }

    /// The bytecode cache tag, e.g. `cpython-311`.
    pub(crate) fn cache_tag(&self) -> String {
        format!("cpython-{}{}", self.python_version.0, self.python_version.1)
    }
}

/// Resolve `.` and `..` lexically (without touching the file system).
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `path` relative to `base` as a `/`-separated string, with `..` where needed
/// (`../../../bin/tool` for a script, as pip writes in RECORD).
pub(crate) fn relative_slash(path: &Path, base: &Path) -> String {
    let path = normalize(path);
    let base = normalize(base);
    let path_components: Vec<_> = path.components().collect();
    let base_components: Vec<_> = base.components().collect();
    let common = path_components
        .iter()
        .zip(&base_components)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..base_components.len() {
        parts.push("..".to_string());
    }
    for component in &path_components[common..] {
        parts.push(component.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_as_pip_writes_them() {
        let site = Path::new("/v/lib/python3.11/site-packages");
        assert_eq!(
            relative_slash(Path::new("/v/bin/tool"), site),
            "../../../bin/tool"
        );
        assert_eq!(
            relative_slash(Path::new("/v/lib/python3.11/site-packages/a/b.py"), site),
            "a/b.py"
        );
        assert_eq!(
            normalize(Path::new("/v/lib/./x/../y")),
            PathBuf::from("/v/lib/y")
        );
    }

    #[test]
    fn one_site_packages_and_the_cache_tag() {
        let site = PathBuf::from("/v/lib/python3.12/site-packages");
        let layout = Layout {
            purelib: site.clone(),
            platlib: site,
            scripts: PathBuf::from("/v/bin"),
            data: PathBuf::from("/v"),
            include: PathBuf::from("/v/include/site/python3.12"),
            python_executable: PathBuf::from("/v/bin/python"),
            python_version: (3, 12),
        };
        assert_eq!(layout.site_packages().len(), 1);
        assert_eq!(layout.cache_tag(), "cpython-312");
    }
}
