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

/// A finished build.
#[derive(Debug, Clone)]
pub struct Built {
    /// The distribution, in the output directory.
    pub path: PathBuf,
    /// The build requirements it was built with (exact versions).
    pub build_requirements: Vec<String>,
}

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

    /// Build one distribution of `source_dir` into `out_dir`. The backend writes into a
    /// scratch directory inside `out_dir`; only a complete, well-named result is moved
    /// into place, so a failure leaves `out_dir` as it was.
    pub async fn build(
        &self,
        source_dir: &Path,
        out_dir: &Path,
        kind: DistKind,
    ) -> Result<Built, BuildError> {
        let system = BuildSystem::read(source_dir)?;
        let settings = self.settings_json();
        let runner = runner_script(&self.cache)?;
        let mut env = None;
        if self.isolation {
            (self.events)(BuildEvent::InstallingRequirements(
                system.requires.iter().map(ToString::to_string).collect(),
            ));
            env = Some(
                BuildEnv::get(
                    &self.cache,
                    &self.interpreter,
                    self.installer.as_ref(),
                    &system.requires,
                )
                .await?,
            );
        }
        let hooks = |env: &Option<BuildEnv>| Hooks {
            python: env.as_ref().map_or_else(
                || self.interpreter.executable.clone(),
                |env| env.interpreter.executable.clone(),
            ),
            env_bin: env.as_ref().map(|env| env.root.join("bin")),
            env_root: env.as_ref().map(|env| env.root.clone()),
            source_dir,
            system: &system,
            config_settings: &settings,
            runner: runner.clone(),
            output: self.output.clone(),
        };
        let requires_hook = format!("get_requires_for_build_{}", kind.suffix());
        (self.events)(BuildEvent::Hook(requires_hook.clone()));
        let extra = match hooks(&env)
            .call(&requires_hook, serde_json::Map::new())
            .await?
        {
            HookReply::Return(value) => parse_requirements(&requires_hook, &value)?,
            HookReply::Unsupported => Vec::new(),
        };
        if self.isolation && !extra.is_empty() {
            let mut all = system.requires.clone();
            for requirement in extra {
                if !all.contains(&requirement) {
                    all.push(requirement);
                }
            }
            (self.events)(BuildEvent::InstallingRequirements(
                all.iter().map(ToString::to_string).collect(),
            ));
            env = Some(
                BuildEnv::get(
                    &self.cache,
                    &self.interpreter,
                    self.installer.as_ref(),
                    &all,
                )
                .await?,
            );
        }

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
        let reply = hooks(&env).call(kind.hook(), fields).await?;
        let HookReply::Return(value) = reply else {
            return Err(BuildError::Unsupported {
                backend: system.backend.clone(),
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
        Ok(Built {
            path,
            build_requirements: env.map(|env| env.pins).unwrap_or_default(),
        })
    }

    /// `prepare_metadata_for_build_wheel`: the `.dist-info` directory the wheel will have,
    /// written under `out_dir`. `None` when the backend does not offer the hook (build the
    /// wheel instead).
    pub async fn prepare_metadata(
        &self,
        source_dir: &Path,
        out_dir: &Path,
    ) -> Result<Option<PathBuf>, BuildError> {
        let system = BuildSystem::read(source_dir)?;
        let settings = self.settings_json();
        let runner = runner_script(&self.cache)?;
        let mut requirements = system.requires.clone();
        let mut env = None;
        for round in 0..2 {
            if self.isolation {
                env = Some(
                    BuildEnv::get(
                        &self.cache,
                        &self.interpreter,
                        self.installer.as_ref(),
                        &requirements,
                    )
                    .await?,
                );
            }
            if round == 1 {
                break;
            }
            let hooks = Hooks {
                python: env.as_ref().map_or_else(
                    || self.interpreter.executable.clone(),
                    |env: &BuildEnv| env.interpreter.executable.clone(),
                ),
                env_bin: env.as_ref().map(|env| env.root.join("bin")),
                env_root: env.as_ref().map(|env| env.root.clone()),
                source_dir,
                system: &system,
                config_settings: &settings,
                runner: runner.clone(),
                output: self.output.clone(),
            };
            let hook = "get_requires_for_build_wheel";
            let extra = match hooks.call(hook, serde_json::Map::new()).await? {
                HookReply::Return(value) => parse_requirements(hook, &value)?,
                HookReply::Unsupported => Vec::new(),
            };
            let before = requirements.len();
            for requirement in extra {
                if !requirements.contains(&requirement) {
                    requirements.push(requirement);
                }
            }
            if requirements.len() == before || !self.isolation {
                break;
            }
        }
        let hooks = Hooks {
            python: env.as_ref().map_or_else(
                || self.interpreter.executable.clone(),
                |env: &BuildEnv| env.interpreter.executable.clone(),
            ),
            env_bin: env.as_ref().map(|env| env.root.join("bin")),
            env_root: env.as_ref().map(|env| env.root.clone()),
            source_dir,
            system: &system,
            config_settings: &settings,
            runner,
            output: self.output.clone(),
        };
        fs_err::create_dir_all(out_dir)?;
        let mut fields = serde_json::Map::new();
        fields.insert(
            "metadata_directory".into(),
            out_dir.to_string_lossy().into_owned().into(),
        );
        let hook = "prepare_metadata_for_build_wheel";
        match hooks.call(hook, fields).await? {
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
