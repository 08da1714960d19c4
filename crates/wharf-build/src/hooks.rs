//! Calling one backend hook in a subprocess, streaming what it prints.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use wharf_cache::{Bucket, Cache};

use crate::{BuildError, BuildSystem};

const RUNNER: &str = include_str!("hook_runner.py");

/// Receives each line a backend prints, as it prints it.
pub type OutputSink = Arc<dyn Fn(&str) + Send + Sync>;

/// What a hook answered.
#[derive(Debug)]
pub(crate) enum HookReply {
    Return(serde_json::Value),
    Unsupported,
}

/// Everything needed to call hooks of one project's backend.
pub(crate) struct Hooks<'a> {
    pub python: PathBuf,
    /// The build environment's `bin` directory, put first on PATH (isolated builds).
    pub env_bin: Option<PathBuf>,
    pub env_root: Option<PathBuf>,
    pub source_dir: &'a Path,
    pub system: &'a BuildSystem,
    pub config_settings: &'a serde_json::Value,
    pub runner: PathBuf,
    pub output: OutputSink,
}

/// Write the runner script into the cache once (named by its content).
pub(crate) fn runner_script(cache: &Cache) -> Result<PathBuf, BuildError> {
    let dir = cache.bucket(Bucket::Builds)?.join("runner");
    let path = dir.join(format!("{}.py", &wharf_cache::digest(RUNNER)[..16]));
    if !path.is_file() {
        fs_err::create_dir_all(&dir)?;
        wharf_cache::write_atomic(&path, RUNNER.as_bytes())?;
    }
    Ok(path)
}

impl Hooks<'_> {
    /// Call `hook` with these extra request fields.
    pub async fn call(
        &self,
        hook: &str,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Result<HookReply, BuildError> {
        let scratch = tempfile::tempdir()?;
        let input = scratch.path().join("input.json");
        let output_file = scratch.path().join("output.json");
        let mut request = fields;
        request.insert("backend".into(), self.system.backend.clone().into());
        request.insert(
            "backend_path".into(),
            serde_json::to_value(&self.system.backend_path).unwrap_or_default(),
        );
        request.insert("config_settings".into(), self.config_settings.clone());
        fs_err::write(&input, serde_json::to_vec(&request).unwrap_or_default())?;

        let mut command = tokio::process::Command::new(&self.python);
        command
            .arg(&self.runner)
            .arg(hook)
            .arg(&input)
            .arg(&output_file)
            .current_dir(self.source_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .env("PYTHONIOENCODING", "utf-8")
            .env("PYTHONUNBUFFERED", "1");
        if let (Some(bin), Some(root)) = (&self.env_bin, &self.env_root) {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut paths = vec![bin.clone()];
            paths.extend(std::env::split_paths(&path));
            command
                .env(
                    "PATH",
                    std::env::join_paths(paths).unwrap_or_else(|_| OsString::from(bin)),
                )
                .env("VIRTUAL_ENV", root)
                .env("PYTHONNOUSERSITE", "1")
                .env_remove("PYTHONPATH")
                .env_remove("PYTHONHOME");
        }
        tracing::debug!(
            "running {hook} of {} in {}",
            self.system.backend,
            self.source_dir.display()
        );
        let mut child = command.spawn().map_err(|source| BuildError::Spawn {
            python: self.python.clone(),
            source,
        })?;
        let captured = Arc::new(Mutex::new(String::new()));
        let stdout = child
            .stdout
            .take()
            .map(|out| pump(out, captured.clone(), self.output.clone()));
        let stderr = child
            .stderr
            .take()
            .map(|err| pump(err, captured.clone(), self.output.clone()));
        let status = child.wait().await?;
        if let Some(task) = stdout {
            let _ = task.await;
        }
        if let Some(task) = stderr {
            let _ = task.await;
        }
        let printed = std::mem::take(&mut *captured.lock().unwrap());
        if !status.success() {
            return Err(BuildError::HookFailed {
                backend: self.system.backend.clone(),
                hook: hook.to_string(),
                status: status
                    .code()
                    .map_or_else(|| "killed by a signal".to_string(), |code| code.to_string()),
                output: printed,
            });
        }
        let reply: serde_json::Value = match fs_err::read(&output_file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|err| BuildError::BadReturn {
                hook: hook.to_string(),
                message: format!("an unreadable answer: {err}"),
            })?,
            Err(_) => {
                return Err(BuildError::HookFailed {
                    backend: self.system.backend.clone(),
                    hook: hook.to_string(),
                    status: "0 without an answer".to_string(),
                    output: printed,
                });
            }
        };
        if let Some(traceback) = reply.get("backend_unavailable") {
            return Err(BuildError::BackendUnavailable {
                backend: self.system.backend.clone(),
                isolated: self.env_root.is_some(),
                traceback: traceback.as_str().unwrap_or_default().to_string(),
            });
        }
        if let Some(message) = reply.get("backend_invalid") {
            return Err(BuildError::BackendInvalid(
                message.as_str().unwrap_or_default().to_string(),
            ));
        }
        if reply.get("unsupported").is_some() {
            return Ok(HookReply::Unsupported);
        }
        Ok(HookReply::Return(
            reply.get("return").cloned().unwrap_or_default(),
        ))
    }
}

/// Forward a pipe line by line to the sink, keeping a copy.
fn pump(
    reader: impl AsyncRead + Unpin + Send + 'static,
    captured: Arc<Mutex<String>>,
    sink: OutputSink,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut lines = BufReader::new(reader);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match lines.read_until(b'\n', &mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&buffer);
                    let line = text.trim_end_matches(['\n', '\r']);
                    sink(line);
                    let mut all = captured.lock().unwrap();
                    all.push_str(line);
                    all.push('\n');
                }
            }
        }
    })
}
