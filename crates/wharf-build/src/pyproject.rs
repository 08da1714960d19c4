//! The `[build-system]` table of pyproject.toml (PEP 517/518), with pip's fallback for
//! projects that have only `setup.py`.

use std::path::Path;

use wharf_pep::Requirement;

use crate::BuildError;

/// The backend pip uses for projects without `[build-system]`.
pub const LEGACY_BACKEND: &str = "setuptools.build_meta:__legacy__";
/// The requirement pip uses for projects without `[build-system]`.
pub const LEGACY_REQUIRES: &str = "setuptools>=40.8.0";

/// How a project is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSystem {
    /// `requires`: what the build environment needs before any hook runs.
    pub requires: Vec<Requirement>,
    /// `build-backend`, `module:object`.
    pub backend: String,
    /// `backend-path`: in-tree directories the backend is imported from.
    pub backend_path: Option<Vec<String>>,
    /// Whether this is pip's fallback for a project without `[build-system]`.
    pub legacy: bool,
}

impl BuildSystem {
    /// Read a project directory's build system.
    pub fn read(dir: &Path) -> Result<Self, BuildError> {
        let pyproject = dir.join("pyproject.toml");
        let has_setup_py = dir.join("setup.py").is_file();
        let text = match fs_err::read_to_string(&pyproject) {
            Ok(text) => Some(text),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(err.into()),
        };
        let Some(text) = text else {
            if !has_setup_py {
                return Err(BuildError::NotAProject {
                    path: dir.to_path_buf(),
                });
            }
            return Ok(Self::legacy());
        };
        let invalid = |message: String| BuildError::InvalidPyproject {
            path: pyproject.clone(),
            message,
        };
        let document: toml::Table =
            toml::from_str(&text).map_err(|err| invalid(err.to_string()))?;
        let Some(table) = document.get("build-system") else {
            if !has_setup_py && !document.contains_key("project") {
                return Err(BuildError::NotAProject {
                    path: dir.to_path_buf(),
                });
            }
            return Ok(Self::legacy());
        };
        let table = table
            .as_table()
            .ok_or_else(|| invalid("`build-system` is not a table".to_string()))?;
        let requires = match table.get("requires") {
            Some(value) => value
                .as_array()
                .ok_or_else(|| invalid("`build-system.requires` is not a list".to_string()))?
                .iter()
                .map(|item| {
                    let text = item.as_str().ok_or_else(|| {
                        invalid("`build-system.requires` holds a non-string".to_string())
                    })?;
                    text.parse::<Requirement>().map_err(|err| {
                        invalid(format!("`build-system.requires` entry `{text}`: {err}"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => {
                return Err(invalid(
                    "`[build-system]` has no `requires` (PEP 518 makes it mandatory)".to_string(),
                ));
            }
        };
        let backend = match table.get("build-backend") {
            Some(value) => value
                .as_str()
                .ok_or_else(|| invalid("`build-backend` is not a string".to_string()))?
                .to_string(),
            None => {
                return Ok(Self {
                    requires,
                    backend: LEGACY_BACKEND.to_string(),
                    backend_path: None,
                    legacy: true,
                });
            }
        };
        let backend_path = match table.get("backend-path") {
            Some(value) => {
                let list = value
                    .as_array()
                    .ok_or_else(|| invalid("`backend-path` is not a list".to_string()))?;
                let mut paths = Vec::new();
                for item in list {
                    let path = item
                        .as_str()
                        .ok_or_else(|| invalid("`backend-path` holds a non-string".to_string()))?;
                    // PEP 517: backend-path entries must stay inside the source tree.
                    let joined = std::path::absolute(dir.join(path))?;
                    let root = std::path::absolute(dir)?;
                    if !normalize(&joined).starts_with(normalize(&root)) {
                        return Err(invalid(format!(
                            "`backend-path` entry `{path}` points outside the project"
                        )));
                    }
                    paths.push(path.to_string());
                }
                Some(paths)
            }
            None => None,
        };
        Ok(Self {
            requires,
            backend,
            backend_path,
            legacy: false,
        })
    }

    fn legacy() -> Self {
        Self {
            requires: vec![LEGACY_REQUIRES.parse().expect("a valid requirement")],
            backend: LEGACY_BACKEND.to_string(),
            backend_path: None,
            legacy: true,
        }
    }
}

/// Remove `.` and resolve `..` lexically.
fn normalize(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            fs_err::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn reads_build_system() {
        let dir = project(&[(
            "pyproject.toml",
            "[build-system]\nrequires = [\"hatchling>=1.0\"]\nbuild-backend = \"hatchling.build\"\n",
        )]);
        let system = BuildSystem::read(dir.path()).unwrap();
        assert_eq!(system.backend, "hatchling.build");
        assert_eq!(system.requires.len(), 1);
        assert!(!system.legacy);
    }

    #[test]
    fn setup_py_only_uses_legacy_setuptools() {
        let dir = project(&[("setup.py", "")]);
        let system = BuildSystem::read(dir.path()).unwrap();
        assert_eq!(system.backend, LEGACY_BACKEND);
        assert_eq!(system.requires[0].to_string(), LEGACY_REQUIRES);
    }

    #[test]
    fn no_backend_means_legacy_with_given_requires() {
        let dir = project(&[
            (
                "pyproject.toml",
                "[build-system]\nrequires = [\"setuptools\", \"cython\"]\n",
            ),
            ("setup.py", ""),
        ]);
        let system = BuildSystem::read(dir.path()).unwrap();
        assert_eq!(system.backend, LEGACY_BACKEND);
        assert_eq!(system.requires.len(), 2);
    }

    #[test]
    fn not_a_project() {
        let dir = project(&[("README", "")]);
        assert!(matches!(
            BuildSystem::read(dir.path()),
            Err(BuildError::NotAProject { .. })
        ));
    }

    #[test]
    fn backend_path_outside_is_refused() {
        let dir = project(&[(
            "pyproject.toml",
            "[build-system]\nrequires = []\nbuild-backend = \"b\"\nbackend-path = [\"../x\"]\n",
        )]);
        let err = BuildSystem::read(dir.path()).unwrap_err();
        assert!(err.to_string().contains("outside"), "{err}");
    }

    #[test]
    fn bad_requirement_is_reported() {
        let dir = project(&[(
            "pyproject.toml",
            "[build-system]\nrequires = [\"foo >= \"]\nbuild-backend = \"b\"\n",
        )]);
        let err = BuildSystem::read(dir.path()).unwrap_err();
        assert!(err.to_string().contains("foo >="), "{err}");
    }
}
