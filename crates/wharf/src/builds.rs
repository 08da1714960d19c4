//! Builds inside installs: wharf-build's frontend wired to wharf's own resolver and
//! installer (for build environments), and the wheel cache for sdists, local directories
//! and git checkouts, so that a second install builds nothing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use futures::FutureExt;
use futures::future::BoxFuture;
use url::Url;
use wharf_build::git::GitUrl;
use wharf_build::{BuildEvent, DistKind, EnvInstaller, Frontend, InstallerError};
use wharf_cache::{Bucket, Cache, LockedFile};
use wharf_client::{DistFile, IndexClient};
use wharf_filename::{DistFilename, Tags};
use wharf_interpreter::Interpreter;
use wharf_metadata::{DirectUrl, DirectUrlInfo};
use wharf_pep::{PackageName, Requirement};
use wharf_resolver::{SourceBuilder, Upgrade};

use crate::error::Hinted;
use crate::operations::{self, Plan, RequirementSet, ResolveSettings, Target};
use crate::printer::Printer;

/// Builds deeper than this (a build requirement that must itself be built, and so on)
/// are refused: it is almost always a cycle.
const MAX_DEPTH: usize = 3;

/// A source to build before resolving: a local directory, a git URL or an sdist.
#[derive(Debug, Clone)]
pub(crate) enum SourceKind {
    Directory(PathBuf),
    Git(GitUrl),
    Sdist(Box<DistFile>),
}

/// What builds need from the command that runs them.
pub(crate) struct BuildSupport {
    pub cache: Cache,
    pub client: IndexClient,
    /// The interpreter wheels are built for.
    pub interpreter: Interpreter,
    pub tags: Arc<Tags>,
    pub link_mode: wharf_installer::LinkMode,
    pub printer: Printer,
    pub isolation: bool,
    pub config_settings: BTreeMap<String, Vec<String>>,
    /// `--hash` values an sdist must match (hash-checking mode).
    pub required_hashes: Option<HashMap<PackageName, Vec<String>>>,
    /// How many builds this one is nested in.
    pub depth: usize,
    /// Validates each built distribution before it is used or written out.
    pub check: Option<wharf_build::DistCheck>,
}

/// Parse `--config-setting KEY=VALUE` values.
pub(crate) fn config_settings(values: &[String]) -> Result<BTreeMap<String, Vec<String>>> {
    let mut settings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for value in values {
        let Some((key, setting)) = value.split_once('=') else {
            return Err(Hinted::new(
                format!("invalid --config-setting `{value}`"),
                "write it as KEY=VALUE, e.g. --config-setting=--build-option=--quiet",
            )
            .into());
        };
        settings
            .entry(key.to_string())
            .or_default()
            .push(setting.to_string());
    }
    Ok(settings)
}

/// What every built distribution must pass before it is used or written out: the
/// integrity part of `wharf check` (archive, paths, RECORD, names and tags). Index policy
/// (platform tags such as `linux_x86_64`, description rendering, license fields) is left to
/// `wharf check`, since a locally built wheel need not be uploadable.
fn dist_check() -> wharf_build::DistCheck {
    const INTEGRITY: &[&str] = &[
        "wheel-not-zip",
        "wheel-unsafe-path",
        "wheel-symlink",
        "wheel-duplicate-entry",
        "wheel-file-missing",
        "wheel-file-invalid",
        "wheel-tags",
        "dist-info-missing",
        "dist-info-multiple",
        "dist-info-name",
        "metadata-missing",
        "metadata-name-mismatch",
        "metadata-version-mismatch",
        "record-missing",
        "record-invalid",
        "record-unsafe-path",
        "record-duplicate",
        "record-no-hash",
        "record-hash-mismatch",
        "record-size-mismatch",
        "record-missing-file",
        "record-unlisted",
        "sdist-empty",
        "sdist-unsafe-path",
        "sdist-link-outside",
        "sdist-special-file",
        "pkg-info-missing",
    ];
    Arc::new(|path: &Path| {
        let report = wharf_dist_check::check_file(path).map_err(|err| err.to_string())?;
        let problems: Vec<String> = report
            .problems
            .iter()
            .filter(|problem| {
                problem.severity == wharf_dist_check::Severity::Error
                    && INTEGRITY.contains(&problem.code)
            })
            .map(|problem| problem.message.clone())
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    })
}

/// Where a source tree is unpacked or copied to be built: the system's temporary directory,
/// as pip and `python -m build` do. Not the cache: a cache that sits inside some project
/// (a Cargo workspace, say) would make build tools mistake the source for part of it —
/// maturin then fails with "current package believes it's in a workspace".
pub(crate) fn source_scratch() -> Result<tempfile::TempDir> {
    Ok(tempfile::Builder::new().prefix("wharf-build-").tempdir()?)
}

/// A local file as the client's [`DistFile`].
pub(crate) fn local_file(path: &Path, index: String) -> Result<DistFile> {
    let text = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let filename = DistFilename::parse(&text, None)
        .with_context(|| format!("`{text}` is not a distribution file name"))?;
    let url = Url::from_file_path(path)
        .map_err(|()| anyhow::anyhow!("{} is not an absolute path", path.display()))?;
    Ok(DistFile {
        filename,
        url,
        hashes: Vec::new(),
        requires_python: None,
        yanked: None,
        core_metadata: None,
        size: fs_err::metadata(path).ok().map(|m| m.len()),
        upload_time: None,
        index,
    })
}

/// A fingerprint of a source tree's files (paths, sizes, modification times), skipping
/// what builds and tools write, so that an unchanged tree reuses its wheel.
fn tree_fingerprint(root: &Path) -> String {
    const SKIP: &[&str] = &[
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        "build",
        "dist",
        "node_modules",
        "target",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
    ];
    let mut lines = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0
                || !(entry.file_type().is_dir()
                    && (SKIP.contains(&name.as_ref()) || name.ends_with(".egg-info")))
        });
    for entry in walker.flatten() {
        if entry.file_type().is_dir() {
            continue;
        }
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let modified = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |duration| duration.as_nanos());
        lines.push(format!(
            "{}\t{}\t{modified}",
            entry
                .path()
                .strip_prefix(root)
                .unwrap_or(entry.path())
                .display(),
            metadata.len()
        ));
    }
    wharf_cache::digest(&lines.join("\n"))
}

/// A wheel in `dir` that fits `tags`, if one was built there before.
fn cached_wheel(dir: &Path, tags: &Tags) -> Option<PathBuf> {
    let entries = fs_err::read_dir(dir).ok()?;
    entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .and_then(|name| name.parse::<wharf_filename::WheelFilename>().ok())
                .is_some_and(|wheel| wheel.is_compatible(tags))
        })
        .max()
}

impl BuildSupport {
    /// Builds for a command working on `interpreter`'s environment.
    pub fn new(
        context: &crate::settings::Context,
        client: &IndexClient,
        interpreter: &Interpreter,
        tags: Arc<Tags>,
        options: &wharf_cli::BuildOptionArgs,
        required_hashes: Option<HashMap<PackageName, Vec<String>>>,
        printer: &Printer,
    ) -> Result<Arc<Self>> {
        Ok(Arc::new(Self {
            cache: context.cache.clone(),
            client: client.clone(),
            interpreter: interpreter.clone(),
            tags,
            link_mode: context.link_mode()?,
            printer: printer.clone(),
            isolation: !options.no_isolation,
            config_settings: config_settings(&options.config_settings)?,
            required_hashes,
            depth: 0,
            check: Some(dist_check()),
        }))
    }

    /// A frontend that shows the backend's output under a spinner (every line with -v).
    fn frontend(self: &Arc<Self>, label: &str) -> (Frontend, indicatif::ProgressBar) {
        let spinner = self.printer.spinner(&format!("Building {label}"));
        let line_spinner = spinner.clone();
        let line_label = label.to_string();
        let printer = self.printer.clone();
        let event_spinner = spinner.clone();
        let event_label = label.to_string();
        let frontend = Frontend {
            cache: self.cache.clone(),
            interpreter: self.interpreter.clone(),
            installer: Arc::new(Installer(self.clone())),
            isolation: self.isolation,
            config_settings: self.config_settings.clone(),
            output: Arc::new(move |line: &str| {
                printer.detail(format!("  {line}"));
                let short: String = line.chars().take(70).collect();
                line_spinner.set_message(format!("Building {line_label}: {short}"));
            }),
            check: self.check.clone(),
            events: Arc::new(move |event| match event {
                BuildEvent::InstallingRequirements(requirements) => {
                    event_spinner.set_message(format!(
                        "Building {event_label}: installing {}",
                        requirements.join(", ")
                    ))
                }
                BuildEvent::Hook(hook) => {
                    event_spinner.set_message(format!("Building {event_label}: {hook}"));
                }
            }),
        };
        (frontend, spinner)
    }

    /// Build one wheel (or editable wheel) of `source_dir` into `out_dir`.
    pub async fn build_into(
        self: &Arc<Self>,
        label: &str,
        source_dir: &Path,
        out_dir: &Path,
        kind: DistKind,
    ) -> Result<PathBuf> {
        let (frontend, spinner) = self.frontend(label);
        let started = std::time::Instant::now();
        let result = frontend.build(source_dir, out_dir, kind).await;
        spinner.finish_and_clear();
        let built = result.map_err(|err| build_failure(label, err))?;
        self.printer.status(self.printer.dim(&format!(
            "Built {} in {}",
            built
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default(),
            operations::elapsed(started)
        )));
        Ok(built)
    }

    /// The wheel for an sdist and the sdist's sha256: from the build cache (keyed by that
    /// hash), or downloaded, unpacked safely and built now. Either way the wheel must be of
    /// the sdist's project and version.
    pub async fn sdist_wheel(
        self: &Arc<Self>,
        name: &PackageName,
        file: &DistFile,
    ) -> Result<(PathBuf, String)> {
        let label = file.filename_text();
        let (wheel, sha256) = self.find_or_build_sdist_wheel(name, file, &label).await?;
        check_built(&wheel, name, Some(file.filename.version()), &label)?;
        Ok((wheel, sha256))
    }

    async fn find_or_build_sdist_wheel(
        self: &Arc<Self>,
        name: &PackageName,
        file: &DistFile,
        label: &str,
    ) -> Result<(PathBuf, String)> {
        let builds = self.cache.bucket(Bucket::Builds)?.join("sdists");
        if let Some(sha256) = file.sha256()
            && let Some(wheel) = cached_wheel(&builds.join(sha256), &self.tags)
        {
            return Ok((wheel, sha256.to_string()));
        }
        let path = self
            .client
            .download(file)
            .await
            .with_context(|| format!("failed to download {label}"))?;
        let check = path.clone();
        let sha256 =
            tokio::task::spawn_blocking(move || wharf_installer::sha256_file(&check)).await??;
        if let Some(required) = self
            .required_hashes
            .as_ref()
            .and_then(|hashes| hashes.get(name))
        {
            operations::check_required_hash(label, name, &sha256, required)?;
        }
        let out = builds.join(&sha256);
        fs_err::create_dir_all(&out)?;
        let lock_path = builds.join(format!("{sha256}.lock"));
        let _lock = tokio::task::spawn_blocking(move || LockedFile::acquire(lock_path)).await??;
        if let Some(wheel) = cached_wheel(&out, &self.tags) {
            return Ok((wheel, sha256));
        }
        let scratch = source_scratch()?;
        let unpack_from = path.clone();
        let unpack_to = scratch.path().to_path_buf();
        let root = tokio::task::spawn_blocking(move || {
            wharf_build::unpack_sdist(&unpack_from, &unpack_to)
        })
        .await?
        .map_err(|err| build_failure(label, err))?;
        let wheel = self.build_into(label, &root, &out, DistKind::Wheel).await?;
        Ok((wheel, sha256))
    }

    /// Build a source given by URL or path before resolution: the wheel (as a local file)
    /// and the `direct_url.json` to record.
    pub async fn build_source(
        self: &Arc<Self>,
        kind: &SourceKind,
        editable: bool,
        name: Option<&PackageName>,
    ) -> Result<(DistFile, DirectUrl)> {
        let builds = self.cache.bucket(Bucket::Builds)?;
        match kind {
            SourceKind::Sdist(file) => {
                let name = name.unwrap_or_else(|| file.filename.name()).clone();
                let (wheel, sha256) = self.sdist_wheel(&name, file).await?;
                let label = format!("built from {}", file.filename_text());
                Ok((
                    local_file(&wheel, label)?,
                    operations::with_hash(operations::direct_url_of(file), &sha256),
                ))
            }
            SourceKind::Directory(dir) => {
                let dir = fs_err::canonicalize(dir)?;
                let url = Url::from_directory_path(&dir)
                    .map_err(|()| anyhow::anyhow!("{} is not an absolute path", dir.display()))?;
                let url_text = url.as_str().trim_end_matches('/').to_string();
                let label = dir.file_name().map_or_else(
                    || dir.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let place = builds.join("local").join(wharf_cache::digest(&url_text));
                let out = if editable {
                    // Editable wheels only point at the tree: build afresh each time.
                    let out = place.join("editable");
                    if out.exists() {
                        fs_err::remove_dir_all(&out)?;
                    }
                    out
                } else {
                    let fingerprint = {
                        let dir = dir.clone();
                        tokio::task::spawn_blocking(move || tree_fingerprint(&dir)).await?
                    };
                    let out = place.join(fingerprint);
                    if let Some(wheel) = cached_wheel(&out, &self.tags) {
                        check_built(&wheel, name.unwrap_or(&wheel_name(&wheel)?), None, &label)?;
                        return Ok((
                            local_file(&wheel, format!("built from {}", dir.display()))?,
                            DirectUrl::directory(url_text, false),
                        ));
                    }
                    // Older builds of this tree are stale now.
                    if place.is_dir() {
                        for entry in fs_err::read_dir(&place)?.flatten() {
                            let _ = fs_err::remove_dir_all(entry.path());
                        }
                    }
                    out
                };
                let kind = if editable {
                    DistKind::Editable
                } else {
                    DistKind::Wheel
                };
                let wheel = self.build_into(&label, &dir, &out, kind).await?;
                check_built(&wheel, name.unwrap_or(&wheel_name(&wheel)?), None, &label)?;
                Ok((
                    local_file(&wheel, format!("built from {}", dir.display()))?,
                    DirectUrl::directory(url_text, editable),
                ))
            }
            SourceKind::Git(git) => {
                let cache = self.cache.clone();
                let url = git.clone();
                let spinner = self
                    .printer
                    .spinner(&format!("Fetching {}", git.redacted()));
                let checkout =
                    tokio::task::spawn_blocking(move || wharf_build::git::checkout(&cache, &url))
                        .await?;
                spinner.finish_and_clear();
                let checkout = checkout?;
                let key = format!(
                    "{}{}",
                    checkout.commit,
                    git.subdirectory
                        .as_deref()
                        .map(|sub| format!("-{}", wharf_cache::digest(sub)))
                        .unwrap_or_default()
                );
                let out = builds.join("git-wheels").join(key);
                let label = format!("{}@{}", git.redacted(), &checkout.commit[..12]);
                let wheel = match cached_wheel(&out, &self.tags) {
                    Some(wheel) => wheel,
                    None => {
                        // Build from a private copy: backends write into the tree.
                        let scratch = source_scratch()?;
                        let copy = scratch.path().join("src");
                        copy_tree(&checkout.dir, &copy)?;
                        self.build_into(&label, &copy, &out, DistKind::Wheel)
                            .await?
                    }
                };
                check_built(&wheel, name.unwrap_or(&wheel_name(&wheel)?), None, &label)?;
                let direct = DirectUrl {
                    url: git.redacted(),
                    info: DirectUrlInfo::VcsInfo {
                        vcs: "git".to_string(),
                        commit_id: checkout.commit.clone(),
                        requested_revision: git.revision.clone(),
                    },
                    subdirectory: git.subdirectory.clone(),
                };
                Ok((local_file(&wheel, format!("built from {label}"))?, direct))
            }
        }
    }
}

/// Copy a checkout (without `.git`) for building.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|entry| entry.file_name() != ".git")
    {
        let entry = entry?;
        let relative = entry.path().strip_prefix(from)?;
        let target = to.join(relative);
        let kind = entry.file_type();
        if kind.is_dir() {
            fs_err::create_dir_all(&target)?;
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs_err::read_link(entry.path())?, &target)?;
        } else {
            fs_err::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn wheel_name(wheel: &Path) -> Result<PackageName> {
    let text = wheel
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(text
        .parse::<wharf_filename::WheelFilename>()
        .with_context(|| format!("`{text}` is not a wheel file name"))?
        .name
        .clone())
}

/// A built wheel must be the project (and version) that was asked for.
fn check_built(
    wheel: &Path,
    name: &PackageName,
    version: Option<&wharf_pep::Version>,
    label: &str,
) -> Result<()> {
    let text = wheel
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let filename = text
        .parse::<wharf_filename::WheelFilename>()
        .with_context(|| format!("`{text}` is not a wheel file name"))?;
    if &filename.name != name {
        bail!(
            "building {label} gave a wheel for `{}` ({text}), not `{name}`",
            filename.name
        );
    }
    if let Some(version) = version
        && &filename.version != version
    {
        bail!(
            "building {label} gave version {} ({text}), but the sdist is version {version}",
            filename.version
        );
    }
    Ok(())
}

/// The error of a failed build, with the backend's output.
pub(crate) fn build_failure(label: &str, err: wharf_build::BuildError) -> anyhow::Error {
    use wharf_build::BuildError;
    let hint = match &err {
        BuildError::BackendUnavailable { isolated: true, .. } => {
            "the backend must be listed in `[build-system] requires` of pyproject.toml"
        }
        BuildError::BackendUnavailable {
            isolated: false, ..
        } => "install the build requirements into the environment, or drop --no-isolation",
        BuildError::Requirements { .. } => {
            "the build requirements in `[build-system] requires` cannot be installed: check their names and versions against the index"
        }
        BuildError::HookFailed { .. } => {
            "the backend's output above says what went wrong; this is a problem of the project or a missing system dependency (compiler, headers), not of wharf"
        }
        BuildError::UnsafeArchive { .. } => {
            "the archive was refused whole and nothing was built; get the sdist from a trusted source"
        }
        BuildError::InvalidResult { .. } => {
            "the backend wrote a broken distribution and nothing was kept; report it to the project (`wharf check FILE` shows every problem)"
        }
        BuildError::NotAProject { .. } => {
            "a buildable project has pyproject.toml (or setup.py) at its root"
        }
        _ => "check the project's pyproject.toml and build backend",
    };
    let mut message = format!("failed to build {label}: {err}");
    if let Some(output) = err.output()
        && !output.trim().is_empty()
    {
        message.push_str("\n\n--- backend output ---\n");
        message.push_str(output.trim_end());
        message.push_str("\n--- end of backend output ---");
    }
    Hinted::new(message, hint).into()
}

/// [`BuildSupport`] shared with the resolver.
#[derive(Clone)]
pub(crate) struct SharedBuilds(pub Arc<BuildSupport>);

impl SourceBuilder for SharedBuilds {
    fn build_wheel<'a>(
        &'a self,
        name: &'a PackageName,
        file: &'a DistFile,
    ) -> BoxFuture<'a, Result<DistFile, Box<dyn std::error::Error + Send + Sync>>> {
        async move {
            let (wheel, _) = self.0.sdist_wheel(name, file).await.map_err(into_boxed)?;
            local_file(&wheel, format!("built from {}", file.filename_text())).map_err(into_boxed)
        }
        .boxed()
    }
}

fn into_boxed(err: anyhow::Error) -> Box<dyn std::error::Error + Send + Sync> {
    Box::new(crate::error::Carried(err))
}

/// Installs build requirements with wharf's own resolver and installer.
struct Installer(Arc<BuildSupport>);

impl Installer {
    /// Builds needed while installing build requirements run one level deeper.
    fn nested(&self, interpreter: &Interpreter, tags: Arc<Tags>) -> Option<SharedBuilds> {
        (self.0.depth + 1 < MAX_DEPTH).then(|| {
            SharedBuilds(Arc::new(BuildSupport {
                cache: self.0.cache.clone(),
                client: self.0.client.clone(),
                interpreter: interpreter.clone(),
                tags,
                link_mode: self.0.link_mode,
                printer: self.0.printer.clone(),
                isolation: true,
                config_settings: BTreeMap::new(),
                required_hashes: None,
                depth: self.0.depth + 1,
                check: self.0.check.clone(),
            }))
        })
    }

    async fn resolve_set(
        &self,
        interpreter: &Interpreter,
        set: &RequirementSet,
        no_deps: bool,
    ) -> Result<(
        wharf_resolver::Resolution,
        Arc<wharf_resolver::IndexProvider>,
    )> {
        let target = Target::of(interpreter)?;
        let builder = self.nested(interpreter, target.tags.clone());
        operations::resolve(
            set,
            &self.0.client,
            &target,
            ResolveSettings {
                pre: false,
                no_deps,
                upgrade: Upgrade::None,
                preferences: HashMap::new(),
                only_binary: Vec::new(),
                no_binary: Vec::new(),
                require_hashes: false,
                builder: builder.map(|b| Arc::new(b) as Arc<dyn SourceBuilder>),
            },
            &self.0.printer.nested(),
        )
        .await
    }
}

impl EnvInstaller for Installer {
    fn resolve<'a>(
        &'a self,
        interpreter: &'a Interpreter,
        requirements: &'a [Requirement],
    ) -> BoxFuture<'a, Result<Vec<String>, InstallerError>> {
        async move {
            let set = RequirementSet {
                requirements: requirements.to_vec(),
                ..RequirementSet::default()
            };
            let (resolution, _) = self
                .resolve_set(interpreter, &set, false)
                .await
                .map_err(|err| -> InstallerError { format!("{err:#}").into() })?;
            let mut pins: Vec<String> = resolution
                .packages
                .iter()
                .map(|package| format!("{}=={}", package.name, package.version))
                .collect();
            pins.sort();
            Ok(pins)
        }
        .boxed()
    }

    fn install<'a>(
        &'a self,
        venv: &'a Interpreter,
        pins: &'a [String],
    ) -> BoxFuture<'a, Result<(), InstallerError>> {
        async move {
            let result: Result<()> = async {
                let requirements = pins
                    .iter()
                    .map(|pin| pin.parse::<Requirement>())
                    .collect::<Result<Vec<_>, _>>()?;
                let set = RequirementSet {
                    requirements,
                    ..RequirementSet::default()
                };
                let (resolution, provider) = self.resolve_set(venv, &set, true).await?;
                let plan = Plan::new(&resolution, &provider, &BTreeMap::new(), &set, false).await?;
                let printer = self.0.printer.nested();
                let unpacked =
                    operations::fetch(&plan, &self.0.client, &self.0.cache, None, &printer).await?;
                let layout = crate::environment::layout(venv);
                let options = wharf_installer::InstallOptions {
                    link_mode: self.0.link_mode,
                    ..wharf_installer::InstallOptions::default()
                };
                operations::apply(plan, unpacked, layout, options, &printer).await?;
                Ok(())
            }
            .await;
            result.map_err(|err| -> InstallerError { format!("{err:#}").into() })
        }
        .boxed()
    }
}
