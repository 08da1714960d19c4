//! The PEP 517/660 frontend: build environment, `get_requires_for_build_*`, then one
//! build hook, with the result moved into the output directory only when complete.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use wharf_cache::Cache;
use wharf_filename::DistFilename;
use wharf_interpreter::Interpreter;

use crate::env::{BuildEnv, EnvInstaller};
use crate::hooks::{HookReply, Hooks, OutputSink, runner_script};
use crate::{BuildError, BuildSystem};

/// What to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistKind {
    Sdist,
    Wheel,
    /// A PEP 660 editable wheel.
    Editable,
}

impl DistKind {
    fn suffix(self) -> &'static str {
        match self {
            Self::Sdist => "sdist",
            Self::Wheel => "wheel",
            Self::Editable => "editable",
        }
    }

    fn hook(self) -> &'static str {
        match self {
            Self::Sdist => "build_sdist",
            Self::Wheel => "build_wheel",
            Self::Editable => "build_editable",
        }
    }
}

/// Progress of a build, for the caller's display.
#[derive(Debug, Clone)]
pub enum BuildEvent {
    /// Installing build requirements.
    InstallingRequirements(Vec<String>),
    /// Calling a hook.
    Hook(String),
}

/// A PEP 517 frontend bound to an interpreter, a cache and an installer.
#[derive(Clone)]
pub struct Frontend {
    pub cache: Cache,
    /// The interpreter builds run with (the base of isolated environments).
    pub interpreter: Interpreter,
    /// Installs build requirements.
    pub installer: Arc<dyn EnvInstaller>,
    /// Build in an isolated environment (default); otherwise in `interpreter` itself.
    pub isolation: bool,
    /// `--config-setting` values; a key given several times becomes a list.
    pub config_settings: BTreeMap<String, Vec<String>>,
    /// Each line the backend prints.
    pub output: OutputSink,
    /// Each step, for progress display.
    pub events: Arc<dyn Fn(BuildEvent) + Send + Sync>,
    /// Checks a built distribution before it is moved into the output directory (an
    /// error message refuses it).
    pub check: Option<DistCheck>,
}

/// A check of a built distribution: `Err(message)` refuses it.
pub type DistCheck = Arc<dyn Fn(&Path) -> Result<(), String> + Send + Sync>;

impl Frontend {
    fn settings_json(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .config_settings
            .iter()
            .map(|(key, values)| {
                let value = if values.len() == 1 {
                    values[0].clone().into()
                } else {
                    values.clone().into()
                };
                (key.clone(), value)
            })
            .collect();
        serde_json::Value::Object(map)
    }

    /// Read the build system, make its environment, and extend it with what
    /// `requires_hook` (`get_requires_for_build_*`) asks for.
    async fn prepare<'a>(
        &'a self,
        source_dir: &'a Path,
        requires_hook: &str,
    ) -> Result<Prepared<'a>, BuildError> {
        let mut prepared = Prepared {
            frontend: self,
            source_dir,
            system: BuildSystem::read(source_dir)?,
            settings: self.settings_json(),
            runner: runner_script(&self.cache)?,
            env: None,
        };
        prepared.env = self.environment(&prepared.system.requires).await?;
        (self.events)(BuildEvent::Hook(requires_hook.to_string()));
        let extra = match prepared
            .hooks()
            .call(requires_hook, serde_json::Map::new())
            .await?
        {
            HookReply::Return(value) => parse_requirements(requires_hook, &value)?,
            HookReply::Unsupported => Vec::new(),
        };
        let mut all = prepared.system.requires.clone();
        for requirement in extra {
            if !all.contains(&requirement) {
                all.push(requirement);
            }
        }
        if all.len() > prepared.system.requires.len() {
            prepared.env = self.environment(&all).await?;
        }
        Ok(prepared)
    }

    /// The isolated environment holding `requirements` (`None` without isolation).
    async fn environment(
        &self,
        requirements: &[wharf_pep::Requirement],
    ) -> Result<Option<BuildEnv>, BuildError> {
        if !self.isolation {
            return Ok(None);
        }
        (self.events)(BuildEvent::InstallingRequirements(
            requirements.iter().map(ToString::to_string).collect(),
        ));
        let env = BuildEnv::get(
            &self.cache,
            &self.interpreter,
            self.installer.as_ref(),
            requirements,
        )
        .await?;
        Ok(Some(env))
    }

    /// Build one distribution of `source_dir` into `out_dir` and return its path. The
    /// backend writes into a scratch directory inside `out_dir`; only a complete,
    /// well-named result that passes the check is moved into place, so a failure leaves
    /// `out_dir` as it was.
    pub async fn build(
        &self,
        source_dir: &Path,
        out_dir: &Path,
        kind: DistKind,
    ) -> Result<PathBuf, BuildError> {
        let requires_hook = format!("get_requires_for_build_{}", kind.suffix());
        let prepared = self.prepare(source_dir, &requires_hook).await?;
        fs_err::create_dir_all(out_dir)?;
        let staging = tempfile::Builder::new()
            .prefix(".wharf-build-")
            .tempdir_in(out_dir)?;
        (self.events)(BuildEvent::Hook(kind.hook().to_string()));
        let mut fields = serde_json::Map::new();
        fields.insert(
            "output_directory".into(),
            staging.path().to_string_lossy().into_owned().into(),
        );
        let reply = prepared.hooks().call(kind.hook(), fields).await?;
        let HookReply::Return(value) = reply else {
            return Err(BuildError::Unsupported {
                backend: prepared.system.backend.clone(),
                hook: kind.hook().to_string(),
            });
        };
        let basename = value.as_str().ok_or_else(|| BuildError::BadReturn {
            hook: kind.hook().to_string(),
            message: format!("{value} instead of a file name"),
        })?;
        let produced = staging.path().join(basename);
        if basename.contains(['/', '\\']) || !produced.is_file() {
            return Err(BuildError::BadReturn {
                hook: kind.hook().to_string(),
                message: format!("`{basename}`, which is not a file it wrote"),
            });
        }
        let well_named = match DistFilename::parse(basename, None) {
            Ok(DistFilename::Wheel(_)) => kind != DistKind::Sdist,
            Ok(DistFilename::Sdist(_)) => kind == DistKind::Sdist,
            Err(_) => false,
        };
        if !well_named {
            return Err(BuildError::BadReturn {
                hook: kind.hook().to_string(),
                message: format!(
                    "`{basename}`, which is not a valid {} file name",
                    kind.suffix()
                ),
            });
        }
        if let Some(check) = &self.check {
            let check = check.clone();
            let candidate = produced.clone();
            tokio::task::spawn_blocking(move || check(&candidate))
                .await
                .map_err(std::io::Error::other)?
                .map_err(|message| BuildError::InvalidResult {
                    file: basename.to_string(),
                    message,
                })?;
        }
        let path = out_dir.join(basename);
        fs_err::rename(&produced, &path)?;
        Ok(path)
    }

    /// `prepare_metadata_for_build_wheel`: the `.dist-info` directory the wheel will have,
    /// written under `out_dir`. `None` when the backend does not offer the hook (build the
    /// wheel instead).
    pub async fn prepare_metadata(
        &self,
        source_dir: &Path,
        out_dir: &Path,
    ) -> Result<Option<PathBuf>, BuildError> {
        let prepared = self
            .prepare(source_dir, "get_requires_for_build_wheel")
            .await?;
        fs_err::create_dir_all(out_dir)?;
        let mut fields = serde_json::Map::new();
        fields.insert(
            "metadata_directory".into(),
            out_dir.to_string_lossy().into_owned().into(),
        );
        let hook = "prepare_metadata_for_build_wheel";
        match prepared.hooks().call(hook, fields).await? {
            HookReply::Unsupported => Ok(None),
            HookReply::Return(value) => {
                let name = value.as_str().ok_or_else(|| BuildError::BadReturn {
                    hook: hook.to_string(),
                    message: format!("{value} instead of a directory name"),
                })?;
                let path = out_dir.join(name);
                if !name.ends_with(".dist-info") || !path.join("METADATA").is_file() {
                    return Err(BuildError::BadReturn {
                        hook: hook.to_string(),
                        message: format!(
                            "`{name}`, which is not a .dist-info directory with METADATA"
                        ),
                    });
                }
                Ok(Some(path))
            }
        }
    }
}

/// A project ready for its build hook: build system, environment, settings.
struct Prepared<'a> {
    frontend: &'a Frontend,
    source_dir: &'a Path,
    system: BuildSystem,
    settings: serde_json::Value,
    runner: PathBuf,
    env: Option<BuildEnv>,
}

impl Prepared<'_> {
    /// Hooks run with the environment's interpreter, or the frontend's without isolation.
    fn hooks(&self) -> Hooks<'_> {
        Hooks {
            python: self.env.as_ref().map_or_else(
                || self.frontend.interpreter.executable.clone(),
                |env| env.interpreter.executable.clone(),
            ),
            env_bin: self.env.as_ref().map(|env| env.root.join("bin")),
            env_root: self.env.as_ref().map(|env| env.root.clone()),
            source_dir: self.source_dir,
            system: &self.system,
            config_settings: &self.settings,
            runner: self.runner.clone(),
            output: self.frontend.output.clone(),
        }
    }
}

fn parse_requirements(
    hook: &str,
    value: &serde_json::Value,
) -> Result<Vec<wharf_pep::Requirement>, BuildError> {
    let bad = |message: String| BuildError::BadReturn {
        hook: hook.to_string(),
        message,
    };
    let list = value
        .as_array()
        .ok_or_else(|| bad(format!("{value} instead of a list of requirements")))?;
    list.iter()
        .map(|item| {
            let text = item
                .as_str()
                .ok_or_else(|| bad(format!("{item} in its list of requirements")))?;
            text.parse()
                .map_err(|err| bad(format!("the invalid requirement `{text}`: {err}")))
        })
        .collect()
}
