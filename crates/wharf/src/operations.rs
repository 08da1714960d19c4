//! The install pipeline shared by `install`, `sync` and `compile`: gather requirements,
//! resolve them, compare with what is installed, fetch and unpack wheels, then apply the
//! changes to the environment as one transaction.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context as _, Result, bail};
use futures::{FutureExt, StreamExt, TryStreamExt};
use url::Url;
use wharf_cache::Cache;
use wharf_client::{DistFile, IndexClient};
use wharf_filename::{DistFilename, Tags};
use wharf_installer::{InstalledDist, UnpackedWheel};
use wharf_metadata::{DirectUrl, DirectUrlInfo};
use wharf_pep::{ExtraName, MarkerEnvironment, PackageName, Requirement, Version, VersionOrUrl};
use wharf_requirements_txt::{RequirementSpec, RequirementsTxt, RequirementsTxtParser};
use wharf_resolver::{
    FileRules, IndexProvider, NameSet, PrereleaseMode, Resolution, ResolveOptions, SourceBuilder,
    Upgrade,
};

use crate::builds::{BuildSupport, SourceKind};

use crate::error::{Hinted, Interrupted};
use crate::printer::Printer;
use crate::settings::FileIndexOptions;

/// Everything the user asked for, from the command line and requirements files.
#[derive(Debug, Default)]
pub(crate) struct RequirementSet {
    /// Named requirements (URL requirements as `name @ url`).
    pub requirements: Vec<Requirement>,
    /// Constraints.
    pub constraints: Vec<Requirement>,
    /// Files for projects required by URL or path.
    pub direct: HashMap<PackageName, DistFile>,
    /// `--hash` values per project (sha256 hex only; others are checked by the client).
    pub hashes: HashMap<PackageName, Vec<String>>,
    /// Sources to build before resolving (local directories, git URLs, sdists, editables).
    pub sources: Vec<PendingSource>,
    /// `direct_url.json` for projects built from a source (instead of the file's URL).
    pub direct_urls: HashMap<PackageName, DirectUrl>,
    /// Projects whose file was built here (hashes apply to the source, not the wheel).
    pub built: std::collections::HashSet<PackageName>,
    /// Projects to reinstall even when the same version is installed (local trees).
    pub always_reinstall: std::collections::HashSet<PackageName>,
    /// Index options from requirements files.
    pub file_options: FileIndexOptions,
    /// A file asked for pre-releases.
    pub pre: bool,
    /// A file asked for hash checking, or some requirement has a hash.
    pub require_hashes: bool,
    /// `--only-binary` values from files.
    pub only_binary: Vec<String>,
    /// `--no-binary` values from files.
    pub no_binary: Vec<String>,
}

/// A requirement whose wheel must be built before resolution.
#[derive(Debug, Clone)]
pub(crate) struct PendingSource {
    /// Where it was given (`<command line>`, `file:line`).
    pub origin: String,
    /// As the user wrote it.
    pub given: String,
    /// The name, when given (`name @ url`).
    pub name: Option<PackageName>,
    pub extras: Vec<ExtraName>,
    pub marker: wharf_pep::MarkerTree,
    pub kind: SourceKind,
    pub editable: bool,
}

impl RequirementSet {
    /// Read the command line's requirements and `-r`/`-c` files.
    pub fn collect(
        packages: &[String],
        requirement_files: &[PathBuf],
        constraint_files: &[PathBuf],
        editables: &[String],
        printer: &Printer,
    ) -> Result<Self> {
        let working_dir = std::env::current_dir()?;
        let parser = RequirementsTxtParser::new(&working_dir);
        let mut set = Self::default();
        for package in packages {
            let parsed = parser
                .parse_str(package, Path::new("<command line>"))
                .with_context(|| format!("invalid requirement `{package}`"))?;
            set.absorb(parsed, printer)?;
        }
        for file in requirement_files {
            let parsed = parser.parse_file(file)?;
            set.absorb(parsed, printer)?;
        }
        for file in constraint_files {
            let parsed = parser.parse_constraints_file(file)?;
            set.absorb(parsed, printer)?;
        }
        for editable in editables {
            set.add_editable(editable, "<command line>")?;
        }
        Ok(set)
    }

    fn absorb(&mut self, parsed: RequirementsTxt, printer: &Printer) -> Result<()> {
        for warning in &parsed.warnings {
            printer.warn(format!("{}: {}", warning.origin, warning.message));
        }
        for entry in parsed.requirements {
            let requirement = match entry.requirement {
                RequirementSpec::Named(requirement) => {
                    if let Some(VersionOrUrl::Url(url)) = &requirement.version_or_url {
                        let verbatim = url.given().map_or_else(|| url.to_string(), str::to_string);
                        let url = url.to_url();
                        let direct = direct_file(&url, &verbatim, Some(&requirement.name))
                            .with_context(|| {
                                format!("{}: cannot use `{requirement}`", entry.origin)
                            })?;
                        match direct {
                            Direct::Wheel(file) => {
                                self.direct.insert(requirement.name.clone(), *file);
                            }
                            Direct::Source(kind) => {
                                self.sources.push(PendingSource {
                                    origin: entry.origin.to_string(),
                                    given: requirement.to_string(),
                                    name: Some(requirement.name.clone()),
                                    extras: requirement.extras.to_vec(),
                                    marker: requirement.marker,
                                    kind,
                                    editable: false,
                                });
                                continue;
                            }
                        }
                    }
                    requirement
                }
                RequirementSpec::Unnamed {
                    url,
                    extras,
                    marker,
                    given,
                } => {
                    let direct = direct_file(&url, &given, None)
                        .with_context(|| format!("{}: cannot use `{given}`", entry.origin))?;
                    let file = match direct {
                        Direct::Wheel(file) => *file,
                        Direct::Source(kind) => {
                            self.sources.push(PendingSource {
                                origin: entry.origin.to_string(),
                                given: given.clone(),
                                name: None,
                                extras: extras.clone(),
                                marker,
                                kind,
                                editable: false,
                            });
                            continue;
                        }
                    };
                    let name = file.filename.name().clone();
                    let text = format!(
                        "{name}{} @ {url}",
                        if extras.is_empty() {
                            String::new()
                        } else {
                            format!(
                                "[{}]",
                                extras
                                    .iter()
                                    .map(ExtraName::to_string)
                                    .collect::<Vec<_>>()
                                    .join(",")
                            )
                        }
                    );
                    let mut requirement: Requirement = text
                        .parse()
                        .with_context(|| format!("{}: cannot use `{given}`", entry.origin))?;
                    requirement.marker = marker;
                    self.direct.insert(name, file);
                    requirement
                }
            };
            if !entry.hashes.is_empty() {
                self.require_hashes = true;
                let list = self.hashes.entry(requirement.name.clone()).or_default();
                for hash in entry.hashes {
                    if let Some(hex) = hash.strip_prefix("sha256:") {
                        list.push(hex.to_ascii_lowercase());
                    }
                }
            }
            self.requirements.push(requirement);
        }
        for entry in parsed.constraints {
            if let RequirementSpec::Named(requirement) = entry.requirement {
                self.constraints.push(requirement);
            }
        }
        for editable in parsed.editables {
            self.add_editable(&editable.given, &editable.origin.to_string())?;
        }
        if parsed.index_url.is_some() {
            self.file_options.index_url = parsed.index_url;
        }
        self.file_options
            .extra_index_urls
            .extend(parsed.extra_index_urls);
        self.file_options.find_links.extend(parsed.find_links);
        self.file_options.no_index |= parsed.no_index;
        self.pre |= parsed.pre;
        self.require_hashes |= parsed.require_hashes;
        self.only_binary.extend(parsed.only_binary);
        self.no_binary.extend(parsed.no_binary);
        Ok(())
    }

    /// `-e PATH`: a local project installed in editable mode (PEP 660).
    fn add_editable(&mut self, given: &str, origin: &str) -> Result<()> {
        let text = given.trim();
        let (text, extras) = match text.strip_suffix(']').and_then(|t| t.rsplit_once('[')) {
            Some((path, extras)) => (
                path,
                extras
                    .split(',')
                    .map(|extra| extra.trim().parse::<ExtraName>())
                    .collect::<Result<Vec<_>, _>>()
                    .with_context(|| format!("{origin}: invalid extras in `{given}`"))?,
            ),
            None => (text, Vec::new()),
        };
        let path = if let Some(rest) = text.strip_prefix("file://") {
            Url::parse(&format!("file://{rest}"))
                .ok()
                .and_then(|url| url.to_file_path().ok())
                .with_context(|| format!("{origin}: `{given}` is not a local path"))?
        } else if text.contains("://") || text.starts_with("git+") {
            return Err(Hinted::new(
                format!("{origin}: cannot install `{given}` in editable mode: only local directories can be editable"),
                "clone the repository and run `wharf install -e ./checkout`, or drop -e to install from the URL",
            )
            .into());
        } else {
            PathBuf::from(text)
        };
        if !path.is_dir() {
            return Err(Hinted::new(
                format!("{origin}: `{given}` is not a directory"),
                "-e takes the path of a local project (the directory holding pyproject.toml or setup.py)",
            )
            .into());
        }
        self.sources.push(PendingSource {
            origin: origin.to_string(),
            given: given.to_string(),
            name: None,
            extras,
            marker: wharf_pep::MarkerTree::default(),
            kind: SourceKind::Directory(path),
            editable: true,
        });
        Ok(())
    }

    /// Build every pending source and add it as a `name @ url` requirement whose file is
    /// the built wheel.
    pub async fn build_sources(&mut self, builds: &Arc<BuildSupport>) -> Result<()> {
        for source in std::mem::take(&mut self.sources) {
            let (wheel, direct_url) = builds
                .build_source(&source.kind, source.editable, source.name.as_ref())
                .await
                .with_context(|| format!("{}: cannot install `{}`", source.origin, source.given))?;
            let name = wheel.filename.name().clone();
            let url_text = match &source.kind {
                SourceKind::Git(_) => format!("git+{}", direct_url.url),
                _ => direct_url.url.clone(),
            };
            let extras = if source.extras.is_empty() {
                String::new()
            } else {
                format!(
                    "[{}]",
                    source
                        .extras
                        .iter()
                        .map(ExtraName::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                )
            };
            let mut requirement: Requirement = format!("{name}{extras} @ {url_text}")
                .parse()
                .with_context(|| format!("{}: cannot use `{}`", source.origin, source.given))?;
            requirement.marker = source.marker;
            if matches!(source.kind, SourceKind::Directory(_)) {
                self.always_reinstall.insert(name.clone());
            }
            self.built.insert(name.clone());
            self.direct.insert(name.clone(), wheel);
            self.direct_urls.insert(name, direct_url);
            self.requirements.push(requirement);
        }
        Ok(())
    }

    /// Check hash-checking mode's rules.
    pub fn validate(&self, require_hashes: bool) -> Result<()> {
        if require_hashes {
            for requirement in &self.requirements {
                let pinned = match &requirement.version_or_url {
                    Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                        specifiers.len() == 1
                            && matches!(
                                specifiers.iter().next().map(|s| s.operator()),
                                Some(wharf_pep::Operator::Equal | wharf_pep::Operator::ExactEqual)
                            )
                    }
                    Some(VersionOrUrl::Url(_)) => true,
                    None => false,
                };
                if !pinned {
                    return Err(Hinted::new(
                        format!("`{requirement}` is not pinned with `==`, which hash-checking mode requires"),
                        "pin every requirement (`wharf compile --generate-hashes` writes such a file)",
                    )
                    .into());
                }
                if !self.hashes.contains_key(&requirement.name) {
                    return Err(Hinted::new(
                        format!("`{requirement}` has no --hash, which hash-checking mode requires"),
                        "add `--hash=sha256:…` for each file, or drop --require-hashes",
                    )
                    .into());
                }
            }
        }
        Ok(())
    }
}

/// What a `name @ url` or path requirement points at.
enum Direct {
    /// A wheel, installed as it is.
    Wheel(Box<DistFile>),
    /// Something to build first.
    Source(SourceKind),
}

/// Classify a `name @ url` or path requirement.
fn direct_file(url: &Url, verbatim: &str, name: Option<&PackageName>) -> Result<Direct> {
    if let Some(git) = wharf_build::git::GitUrl::parse(verbatim.trim())
        .or_else(|| wharf_build::git::GitUrl::parse(url.as_str()))
    {
        return Ok(Direct::Source(SourceKind::Git(git)));
    }
    if let Some(scheme) = ["hg+", "svn+", "bzr+"].iter().find(|scheme| {
        url.scheme().starts_with(&scheme[..scheme.len() - 1]) && url.scheme().contains('+')
    }) {
        return Err(Hinted::new(
            format!(
                "`{verbatim}` is a {} URL, which wharf cannot fetch",
                &scheme[..scheme.len() - 1]
            ),
            "only git+ URLs are supported: use a git repository, an sdist or a wheel",
        )
        .into());
    }
    let filename_text = url
        .path_segments()
        .and_then(|mut segments| segments.next_back().map(str::to_string))
        .unwrap_or_default();
    if url.scheme() == "file" {
        let path = url
            .to_file_path()
            .map_err(|()| anyhow::anyhow!("`{url}` is not a local path"))?;
        if path.is_dir() {
            return Ok(Direct::Source(SourceKind::Directory(path)));
        }
        if !path.exists() {
            bail!("{} does not exist", path.display());
        }
    }
    let filename = DistFilename::parse(&filename_text, name)
        .with_context(|| format!("`{filename_text}` is not a distribution file name"))?;
    if let Some(name) = name
        && filename.name() != name
    {
        bail!(
            "the file `{filename_text}` is for `{}`, not `{name}`",
            filename.name()
        );
    }
    let size = url
        .to_file_path()
        .ok()
        .and_then(|path| std::fs::metadata(path).ok())
        .map(|metadata| metadata.len());
    let hashes = url
        .fragment()
        .and_then(|fragment| fragment.split_once('='))
        .filter(|(algorithm, _)| *algorithm == "sha256")
        .map(|(algorithm, value)| vec![(algorithm.to_string(), value.to_ascii_lowercase())])
        .unwrap_or_default();
    let mut clean = url.clone();
    clean.set_fragment(None);
    let is_sdist = matches!(filename, DistFilename::Sdist(_));
    let file = DistFile {
        filename,
        url: clean,
        hashes,
        requires_python: None,
        yanked: None,
        core_metadata: None,
        size,
        upload_time: None,
        index: "direct URL".to_string(),
    };
    Ok(if is_sdist {
        Direct::Source(SourceKind::Sdist(Box::new(file)))
    } else {
        Direct::Wheel(Box::new(file))
    })
}

/// What the resolver targets.
pub(crate) struct Target {
    pub markers: MarkerEnvironment,
    pub python_version: Version,
    pub tags: Arc<Tags>,
}

impl Target {
    /// The target an interpreter's environment is.
    pub fn of(interpreter: &wharf_interpreter::Interpreter) -> Result<Self> {
        Ok(Self {
            markers: interpreter.markers.clone(),
            python_version: interpreter.version.clone(),
            tags: Arc::new(interpreter.tags()?),
        })
    }
}

/// Project names given on the command line (`--upgrade-package`), normalized.
pub(crate) fn package_names(names: &[String]) -> Result<std::collections::HashSet<PackageName>> {
    names
        .iter()
        .map(|name| {
            name.parse()
                .with_context(|| format!("invalid project name `{name}`"))
        })
        .collect()
}

/// Installed versions, which the resolver keeps when they fit.
pub(crate) fn preferences(
    installed: &BTreeMap<PackageName, InstalledDist>,
) -> HashMap<PackageName, Version> {
    installed
        .iter()
        .map(|(name, dist)| (name.clone(), dist.version.clone()))
        .collect()
}

/// Options for [`resolve`].
pub(crate) struct ResolveSettings {
    pub pre: bool,
    pub no_deps: bool,
    pub upgrade: Upgrade,
    pub preferences: HashMap<PackageName, Version>,
    pub only_binary: Vec<String>,
    pub no_binary: Vec<String>,
    pub require_hashes: bool,
    /// Builds sdists when no wheel fits; `None` uses wheels only.
    pub builder: Option<Arc<dyn SourceBuilder>>,
}

/// Resolve a requirement set for a target. Returns the resolution and the provider, which
/// knows which file to install for each chosen version.
pub(crate) async fn resolve(
    set: &RequirementSet,
    client: &IndexClient,
    target: &Target,
    settings: ResolveSettings,
    printer: &Printer,
) -> Result<(Resolution, Arc<IndexProvider>)> {
    let only_binary = NameSet::parse(
        set.only_binary
            .iter()
            .chain(&settings.only_binary)
            .map(String::as_str),
    )
    .map_err(anyhow::Error::msg)?;
    let no_binary = NameSet::parse(
        set.no_binary
            .iter()
            .chain(&settings.no_binary)
            .map(String::as_str),
    )
    .map_err(anyhow::Error::msg)?;
    let rules = FileRules {
        only_binary,
        no_binary,
        required_hashes: settings.require_hashes.then(|| set.hashes.clone()),
    };
    let mut provider = IndexProvider::new(
        client.clone(),
        target.tags.clone(),
        target.python_version.clone(),
        rules,
        set.direct.clone(),
    );
    if let Some(builder) = settings.builder {
        provider = provider.with_builder(builder);
    }
    let provider = Arc::new(provider);
    let options = ResolveOptions {
        markers: target.markers.clone(),
        python_version: target.python_version.clone(),
        prerelease: if settings.pre || set.pre {
            PrereleaseMode::Allow
        } else {
            PrereleaseMode::IfNecessaryOrExplicit
        },
        upgrade: settings.upgrade,
        preferences: settings.preferences,
        constraints: set.constraints.clone(),
        no_deps: settings.no_deps,
    };
    let spinner = printer.spinner("Resolving dependencies");
    let started = std::time::Instant::now();
    let resolution = wharf_resolver::resolve(set.requirements.clone(), provider.clone(), options)
        .await
        .map_err(|err| match err {
            wharf_resolver::ResolveError::NoSolution { .. } => {
                anyhow::Error::from(err).context("no set of versions satisfies the requirements")
            }
            other => anyhow::Error::from(other),
        })?;
    spinner.finish_and_clear();
    for warning in &resolution.warnings {
        printer.warn(warning);
    }
    printer.status(printer.dim(&format!(
        "Resolved {} package{} in {}",
        resolution.packages.len(),
        if resolution.packages.len() == 1 {
            ""
        } else {
            "s"
        },
        elapsed(started)
    )));
    Ok((resolution, provider))
}

/// "123ms" / "1.23s".
pub(crate) fn elapsed(started: std::time::Instant) -> String {
    let elapsed = started.elapsed();
    if elapsed.as_secs() >= 1 {
        format!("{:.2}s", elapsed.as_secs_f64())
    } else {
        format!("{}ms", elapsed.as_millis())
    }
}

/// One package to put into the environment.
#[derive(Debug, Clone)]
pub(crate) struct PlannedInstall {
    pub name: PackageName,
    pub version: Version,
    pub file: DistFile,
    pub requested: bool,
    pub direct_url: Option<DirectUrl>,
    pub replaces: Option<InstalledDist>,
    /// Built here from a source: required hashes were checked against the source.
    pub built: bool,
}

/// What a command will change.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub install: Vec<PlannedInstall>,
    pub remove: Vec<InstalledDist>,
}

impl Plan {
    /// Compare a resolution with what is installed; sdists chosen from an index are built
    /// now (or found in the build cache).
    pub async fn new(
        resolution: &Resolution,
        provider: &IndexProvider,
        installed: &BTreeMap<PackageName, InstalledDist>,
        set: &RequirementSet,
        reinstall: bool,
    ) -> Result<Self> {
        let mut plan = Self::default();
        for package in &resolution.packages {
            let direct_url = match set.direct_urls.get(&package.name) {
                Some(direct_url) => Some(direct_url.clone()),
                None => set.direct.get(&package.name).map(direct_url_of),
            };
            let existing = installed.get(&package.name);
            if let Some(existing) = existing {
                let same_source = match (&direct_url, &existing.direct_url) {
                    (None, None) => true,
                    (Some(wanted), Some(have)) => {
                        wanted.url == have.url
                            && match (&wanted.info, &have.info) {
                                (
                                    DirectUrlInfo::VcsInfo { commit_id: a, .. },
                                    DirectUrlInfo::VcsInfo { commit_id: b, .. },
                                ) => a == b,
                                (DirectUrlInfo::DirInfo { .. }, _) => false,
                                _ => true,
                            }
                    }
                    _ => false,
                };
                if existing.version == package.version
                    && same_source
                    && !(reinstall && package.direct)
                    && !set.always_reinstall.contains(&package.name)
                {
                    continue;
                }
            }
            let file = provider
                .installable_file(&package.name, &package.version)
                .await
                .map_err(anyhow::Error::from)?
                .with_context(|| {
                    format!(
                        "no file to install for {} {}",
                        package.name, package.version
                    )
                })?;
            plan.install.push(PlannedInstall {
                name: package.name.clone(),
                version: package.version.clone(),
                file,
                requested: package.direct,
                direct_url,
                replaces: existing.cloned(),
                built: provider.is_built(&package.name, &package.version)
                    || set.built.contains(&package.name),
            });
        }
        Ok(plan)
    }

    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.install.is_empty() && self.remove.is_empty()
    }
}

pub(crate) fn direct_url_of(file: &DistFile) -> DirectUrl {
    let mut url = file.url.clone();
    // PEP 610: never record credentials.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    DirectUrl {
        url: url.to_string(),
        info: DirectUrlInfo::ArchiveInfo {
            hash: file.sha256().map(|hash| format!("sha256={hash}")),
            hashes: file
                .sha256()
                .map(|hash| BTreeMap::from([("sha256".to_string(), hash.to_string())])),
        },
        subdirectory: None,
    }
}

/// Record the archive's sha256 in `direct_url.json` when the source gave none (local
/// files), as pip does.
pub(crate) fn with_hash(mut direct: DirectUrl, sha256: &str) -> DirectUrl {
    if let DirectUrlInfo::ArchiveInfo { hash, hashes } = &mut direct.info {
        if hash.is_none() {
            *hash = Some(format!("sha256={sha256}"));
        }
        hashes
            .get_or_insert_with(BTreeMap::new)
            .entry("sha256".to_string())
            .or_insert_with(|| sha256.to_string());
    }
    direct
}

/// Set by Ctrl-C / SIGTERM during an install.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether the user asked to stop.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Catch Ctrl-C and SIGTERM from now on: the install stops at the next safe point and
/// rolls back instead of dying half-way.
pub(crate) fn catch_interrupts() {
    tokio::spawn(async {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => return,
            };
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            INTERRUPTED.store(true, Ordering::SeqCst);
            INTERRUPT.notify_waiters();
        }
    });
}

/// Wakes [`until_interrupted`].
static INTERRUPT: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Wait until interrupted.
async fn until_interrupted() {
    loop {
        // Registered before the flag is checked, so a signal in between is not missed.
        let notified = INTERRUPT.notified();
        if interrupted() {
            return;
        }
        notified.await;
    }
}

/// Download (when not already unpacked in the cache) and unpack every planned wheel.
pub(crate) async fn fetch(
    plan: &Plan,
    client: &IndexClient,
    cache: &Cache,
    required_hashes: Option<&HashMap<PackageName, Vec<String>>>,
    printer: &Printer,
) -> Result<Vec<UnpackedWheel>> {
    let bar = printer.progress(plan.install.len() as u64, "Fetching");
    // Collected first: a stream over a closure trips rustc's higher-ranked lifetime check
    // when callers box this future (build environments are installed from inside one).
    let downloads: Vec<_> = plan
        .install
        .iter()
        .map(|planned| {
            let bar = bar.clone();
            async move {
                let result = fetch_one(planned, client, cache, required_hashes).await;
                bar.inc(1);
                result
            }
            .boxed()
        })
        .collect();
    let work = futures::stream::iter(downloads)
        .buffered(32)
        .try_collect::<Vec<_>>();
    let unpacked = tokio::select! {
        result = work => result?,
        () = until_interrupted() => {
            return Err(Interrupted("interrupted while downloading; the environment was not changed".to_string()).into());
        }
    };
    bar.finish_and_clear();
    Ok(unpacked)
}

async fn fetch_one(
    planned: &PlannedInstall,
    client: &IndexClient,
    cache: &Cache,
    required_hashes: Option<&HashMap<PackageName, Vec<String>>>,
) -> Result<UnpackedWheel> {
    let DistFilename::Wheel(filename) = &planned.file.filename else {
        bail!("{} is not a wheel", planned.file.filename_text());
    };
    // A wheel already unpacked under its index hash needs no download at all.
    if let Some(sha256) = planned.file.sha256() {
        let allowed = required_hashes
            .filter(|_| !planned.built)
            .and_then(|hashes| hashes.get(&planned.name))
            .is_none_or(|list| list.iter().any(|hash| hash.eq_ignore_ascii_case(sha256)));
        if allowed && let Some(unpacked) = UnpackedWheel::from_cache(cache, filename, sha256)? {
            return Ok(unpacked);
        }
    }
    let path = client
        .download(&planned.file)
        .await
        .with_context(|| format!("failed to download {}", planned.file.filename_text()))?;
    let cache = cache.clone();
    let expected = planned.file.sha256().map(str::to_string);
    let required = required_hashes
        .filter(|_| !planned.built)
        .and_then(|hashes| hashes.get(&planned.name))
        .cloned();
    let name = planned.name.clone();
    tokio::task::spawn_blocking(move || -> Result<UnpackedWheel> {
        let sha256 = wharf_installer::sha256_file(&path)?;
        if let Some(required) = required {
            check_required_hash(&path.display().to_string(), &name, &sha256, &required)?;
        }
        let unpacked =
            wharf_installer::unpack_wheel(&cache, &path, expected.as_deref().or(Some(&sha256)))?;
        Ok(unpacked)
    })
    .await?
}

/// Hash-checking mode: a file's sha256 must be one the requirements list for its project.
pub(crate) fn check_required_hash(
    label: &str,
    name: &PackageName,
    sha256: &str,
    required: &[String],
) -> Result<()> {
    if required
        .iter()
        .any(|hash| hash.eq_ignore_ascii_case(sha256))
    {
        return Ok(());
    }
    Err(Hinted::new(
        format!(
            "hash mismatch for {label} ({name}): the file has sha256:{sha256}, but the requirements allow only {}",
            required.iter().map(|h| format!("sha256:{h}")).collect::<Vec<_>>().join(", ")
        ),
        "the file differs from the one the requirements were written for: check the index, or update the hashes if the change is expected",
    )
    .into())
}

/// Fetch, unpack and apply a non-empty plan. Ctrl-C aborts the fetch with nothing
/// changed; during apply it is deferred, and reported by [`Outcome::finish`].
pub(crate) async fn execute(
    plan: Plan,
    client: &IndexClient,
    context: &crate::settings::Context,
    layout: wharf_installer::Layout,
    required_hashes: Option<&HashMap<PackageName, Vec<String>>>,
    printer: &Printer,
) -> Result<Outcome> {
    catch_interrupts();
    let unpacked = fetch(&plan, client, &context.cache, required_hashes, printer).await?;
    let options = wharf_installer::InstallOptions {
        link_mode: context.link_mode()?,
        compile_bytecode: context.settings.flag("compile-bytecode"),
        ..wharf_installer::InstallOptions::default()
    };
    apply(plan, unpacked, layout, options, printer).await
}

/// What [`apply`] changed.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// `(name, version, replaced version)`.
    pub installed: Vec<(PackageName, Version, Option<Version>)>,
    /// `(name, version)`.
    pub removed: Vec<(PackageName, Version)>,
    /// How long applying took.
    pub duration: std::time::Duration,
}

impl Outcome {
    /// Print what changed, then report a deferred interrupt as an error.
    pub fn finish(&self, printer: &Printer, started: std::time::Instant, json: bool) -> Result<()> {
        self.print(printer, started, json);
        if interrupted() {
            return Err(Interrupted(
                "interrupted: the changes were completed first, so that no package is left half-installed"
                    .to_string(),
            )
            .into());
        }
        Ok(())
    }

    /// Print the changes as `+`/`-` lines (and JSON on stdout when asked).
    pub fn print(&self, printer: &Printer, started: std::time::Instant, json: bool) {
        let count = self.installed.len();
        if count > 0 {
            printer.status(printer.dim(&format!(
                "Installed {count} package{} in {} ({} total)",
                if count == 1 { "" } else { "s" },
                format_duration(self.duration),
                elapsed(started)
            )));
        }
        if !self.removed.is_empty() {
            printer.status(printer.dim(&format!(
                "Removed {} package{}",
                self.removed.len(),
                if self.removed.len() == 1 { "" } else { "s" }
            )));
        }
        let mut lines: Vec<(String, String)> = Vec::new();
        for (name, version, old) in &self.installed {
            if let Some(old) = old {
                lines.push((
                    format!("{name} 0"),
                    format!(" {} {name}=={old}", printer.removed("-")),
                ));
            }
            lines.push((
                format!("{name} 1"),
                format!(" {} {name}=={version}", printer.added("+")),
            ));
        }
        for (name, version) in &self.removed {
            lines.push((
                format!("{name} 0"),
                format!(" {} {name}=={version}", printer.removed("-")),
            ));
        }
        lines.sort();
        for (_, line) in lines {
            printer.status(line);
        }
        if json {
            let installed: Vec<_> = self
                .installed
                .iter()
                .map(|(name, version, old)| serde_json::json!({"name": name.to_string(), "version": version.to_string(), "replaced": old.as_ref().map(ToString::to_string)}))
                .collect();
            let removed: Vec<_> = self
                .removed
                .iter()
                .map(|(name, version)| serde_json::json!({"name": name.to_string(), "version": version.to_string()}))
                .collect();
            printer.result(
                serde_json::json!({"installed": installed, "removed": removed}).to_string(),
            );
        }
    }
}

fn format_duration(duration: std::time::Duration) -> String {
    if duration.as_secs() >= 1 {
        format!("{:.2}s", duration.as_secs_f64())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

/// Put the unpacked wheels into the environment and remove what the plan removes. Each
/// package changes atomically (the installer journals it); packages are done in parallel.
/// Ctrl-C is deferred until this short phase ends.
pub(crate) async fn apply(
    plan: Plan,
    unpacked: Vec<UnpackedWheel>,
    layout: wharf_installer::Layout,
    options: wharf_installer::InstallOptions,
    printer: &Printer,
) -> Result<Outcome> {
    let bar = printer.progress(
        (plan.install.len() + plan.remove.len()) as u64,
        "Installing",
    );
    let progress = bar.clone();
    let outcome = tokio::task::spawn_blocking(move || -> Result<Outcome> {
        use rayon::prelude::*;
        let started = std::time::Instant::now();
        let results: Vec<Result<(PackageName, Version, Option<Version>)>> = plan
            .install
            .par_iter()
            .zip(unpacked.par_iter())
            .map(|(planned, unpacked)| {
                let options = wharf_installer::InstallOptions {
                    direct_url: planned
                        .direct_url
                        .clone()
                        .map(|direct| with_hash(direct, &unpacked.sha256)),
                    requested: planned.requested,
                    ..options.clone()
                };
                let result = match &planned.replaces {
                    Some(old) => wharf_installer::replace(unpacked, &layout, &options, old),
                    None => wharf_installer::install_wheel(unpacked, &layout, &options),
                };
                progress.inc(1);
                result
                    .map(|_| {
                        (
                            planned.name.clone(),
                            planned.version.clone(),
                            planned.replaces.as_ref().map(|old| old.version.clone()),
                        )
                    })
                    .with_context(|| format!("failed to install {}", planned.file.filename_text()))
            })
            .collect();
        let mut outcome = Outcome::default();
        let mut first_error = None;
        for result in results {
            match result {
                Ok(done) => outcome.installed.push(done),
                Err(err) => {
                    first_error.get_or_insert(err);
                }
            }
        }
        if first_error.is_none() {
            for dist in &plan.remove {
                match wharf_installer::uninstall(dist, &layout) {
                    Ok(_) => outcome
                        .removed
                        .push((dist.name.clone(), dist.version.clone())),
                    Err(err) => {
                        first_error.get_or_insert(
                            anyhow::Error::new(err)
                                .context(format!("failed to remove {}", dist.name)),
                        );
                        break;
                    }
                }
                progress.inc(1);
            }
        }
        outcome.duration = started.elapsed();
        match first_error {
            None => Ok(outcome),
            Some(err) => {
                let done: Vec<String> = outcome
                    .installed
                    .iter()
                    .map(|(name, version, _)| format!("{name}=={version}"))
                    .collect();
                Err(if done.is_empty() {
                    err.context("nothing was changed")
                } else {
                    err.context(format!(
                        "the failed package was left as it was; these were installed: {}",
                        done.join(", ")
                    ))
                })
            }
        }
    })
    .await??;
    bar.finish_and_clear();
    Ok(outcome)
}

/// pip's installation report (`--report`), version 1.
pub(crate) fn report_json(
    plan: &Plan,
    resolution: &Resolution,
    interpreter: &wharf_interpreter::Interpreter,
) -> serde_json::Value {
    let install: Vec<serde_json::Value> = plan
        .install
        .iter()
        .filter_map(|planned| {
            let package = resolution.packages.iter().find(|p| p.name == planned.name)?;
            let raw = &package.metadata.raw;
            let mut archive_info = serde_json::Map::new();
            if let Some(sha256) = planned.file.sha256() {
                archive_info.insert("hash".into(), format!("sha256={sha256}").into());
                archive_info.insert("hashes".into(), serde_json::json!({ "sha256": sha256 }));
            }
            let mut metadata = serde_json::Map::new();
            metadata.insert("metadata_version".into(), raw.metadata_version.clone().into());
            metadata.insert("name".into(), raw.name.clone().into());
            metadata.insert("version".into(), raw.version.clone().into());
            if let Some(summary) = &raw.summary {
                metadata.insert("summary".into(), summary.clone().into());
            }
            if !raw.requires_dist.is_empty() {
                metadata.insert("requires_dist".into(), raw.requires_dist.clone().into());
            }
            if let Some(requires_python) = &raw.requires_python {
                metadata.insert("requires_python".into(), requires_python.clone().into());
            }
            if !raw.provides_extras.is_empty() {
                metadata.insert("provides_extra".into(), raw.provides_extras.clone().into());
            }
            let mut entry = serde_json::json!({
                "download_info": { "url": wharf_client::mask_url(&planned.file.url), "archive_info": archive_info },
                "is_direct": planned.direct_url.is_some(),
                "is_yanked": planned.file.yanked.is_some(),
                "requested": package.direct,
                "metadata": metadata,
            });
            if !package.extras.is_empty() {
                entry["requested_extras"] =
                    package.extras.iter().map(ToString::to_string).collect::<Vec<_>>().into();
            }
            Some(entry)
        })
        .collect();
    serde_json::json!({
        "version": "1",
        "pip_version": concat!("wharf ", env!("CARGO_PKG_VERSION")),
        "install": install,
        "environment": serde_json::to_value(&interpreter.markers).unwrap_or_default(),
    })
}

/// Whether the environment already satisfies every requirement and, transitively, their
/// dependencies (with extras, markers and constraints); if so, how many installed packages
/// that takes. Used to answer "nothing to do" without asking any index.
pub(crate) fn already_satisfied(
    set: &RequirementSet,
    installed: &BTreeMap<PackageName, InstalledDist>,
    markers: &MarkerEnvironment,
) -> Option<usize> {
    let satisfies = |requirement: &Requirement, dist: &InstalledDist| -> bool {
        match &requirement.version_or_url {
            None => true,
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => specifiers.contains(&dist.version),
            // A URL requirement is satisfied by an install from the same URL only.
            Some(VersionOrUrl::Url(url)) => dist
                .direct_url
                .as_ref()
                .is_some_and(|direct| direct.url == url.to_url().to_string()),
        }
    };
    for constraint in &set.constraints {
        if let Some(dist) = installed.get(&constraint.name)
            && constraint.marker.evaluate(markers, &[])
            && !satisfies(constraint, dist)
        {
            return None;
        }
    }
    let mut seen: std::collections::HashSet<(PackageName, Option<ExtraName>)> =
        std::collections::HashSet::new();
    let mut queue: Vec<(Requirement, Vec<ExtraName>)> = set
        .requirements
        .iter()
        .map(|requirement| (requirement.clone(), Vec::new()))
        .collect();
    while let Some((requirement, active_extras)) = queue.pop() {
        if !requirement.marker.evaluate(markers, &active_extras) {
            continue;
        }
        let dist = installed.get(&requirement.name)?;
        if !satisfies(&requirement, dist) {
            return None;
        }
        let mut wanted: Vec<Option<ExtraName>> = vec![None];
        wanted.extend(requirement.extras.iter().cloned().map(Some));
        for extra in wanted {
            if !seen.insert((requirement.name.clone(), extra.clone())) {
                continue;
            }
            let metadata = dist.metadata().ok()?;
            if let Some(requires_python) = &metadata.requires_python {
                let python = markers.python_full_version().version.clone();
                if !requires_python.contains(&python) {
                    return None;
                }
            }
            let extras: Vec<ExtraName> = extra.into_iter().collect();
            for dependency in metadata.requires_dist {
                queue.push((dependency, extras.clone()));
            }
        }
    }
    Some(
        seen.iter()
            .map(|(name, _)| name)
            .collect::<std::collections::HashSet<_>>()
            .len(),
    )
}
