//! Isolated build environments: a virtual environment per exact set of build
//! requirements, installed by the caller's installer and kept in the cache.

use std::path::PathBuf;

use futures::future::BoxFuture;
use wharf_cache::{Bucket, Cache, LockedFile};
use wharf_interpreter::Interpreter;
use wharf_pep::Requirement;

use crate::BuildError;

/// An error from the caller's installer.
pub type InstallerError = Box<dyn std::error::Error + Send + Sync>;

/// How build requirements get resolved and installed: wharf's own resolver and
/// installer, provided by the caller (this crate does not depend on them).
pub trait EnvInstaller: Send + Sync {
    /// Resolve requirements for an interpreter into exact pins (`name==version`), sorted.
    fn resolve<'a>(
        &'a self,
        interpreter: &'a Interpreter,
        requirements: &'a [Requirement],
    ) -> BoxFuture<'a, Result<Vec<String>, InstallerError>>;

    /// Install exactly these pins (no dependencies) into the environment of `venv`.
    fn install<'a>(
        &'a self,
        venv: &'a Interpreter,
        pins: &'a [String],
    ) -> BoxFuture<'a, Result<(), InstallerError>>;
}

/// A ready build environment.
#[derive(Debug, Clone)]
pub struct BuildEnv {
    /// The environment's directory.
    pub root: PathBuf,
    /// Its interpreter.
    pub interpreter: Interpreter,
    /// What is installed in it.
    pub pins: Vec<String>,
}

const COMPLETE: &str = ".wharf-build-env-complete";

/// Render an installer error with its causes.
fn chain(error: &InstallerError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl BuildEnv {
    /// The environment for `requirements` on `base`: found in the cache by the exact
    /// versions they resolve to, or created and installed now.
    pub async fn get(
        cache: &Cache,
        base: &Interpreter,
        installer: &dyn EnvInstaller,
        requirements: &[Requirement],
    ) -> Result<Self, BuildError> {
        let describe = || {
            requirements
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let pins = if requirements.is_empty() {
            Vec::new()
        } else {
            installer
                .resolve(base, requirements)
                .await
                .map_err(|err| BuildError::Requirements {
                    requirements: describe(),
                    message: chain(&err),
                })?
        };
        let key = wharf_cache::digest(&format!(
            "{}\n{}\n{}",
            base.base_executable.display(),
            base.version,
            pins.join("\n")
        ));
        let envs = cache.bucket(Bucket::Builds)?.join("envs");
        fs_err::create_dir_all(&envs)?;
        let root = envs.join(&key[..20]);
        let lock_path = envs.join(format!("{}.lock", &key[..20]));
        let _lock = tokio::task::spawn_blocking(move || LockedFile::acquire(lock_path))
            .await
            .map_err(std::io::Error::other)??;
        if root.join(COMPLETE).is_file()
            && let Ok(interpreter) = Interpreter::query(&root.join("bin").join("python"), cache)
        {
            return Ok(Self {
                root,
                interpreter,
                pins,
            });
        }
        if root.exists() {
            fs_err::remove_dir_all(&root)?;
        }
        let venv = wharf_venv::create_venv(&root, base, &wharf_venv::VenvOptions::default())?;
        let result = async {
            if !pins.is_empty() {
                installer
                    .install(&venv.interpreter, &pins)
                    .await
                    .map_err(|err| BuildError::Requirements {
                        requirements: describe(),
                        message: chain(&err),
                    })?;
            }
            let _ = venv.interpreter.remember(cache);
            fs_err::write(root.join(COMPLETE), pins.join("\n"))?;
            Ok::<(), BuildError>(())
        }
        .await;
        if let Err(err) = result {
            let _ = fs_err::remove_dir_all(&root);
            return Err(err);
        }
        Ok(Self {
            root,
            interpreter: venv.interpreter,
            pins,
        })
    }
}
