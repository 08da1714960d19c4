//! The production [`Provider`]: versions and metadata from indexes and find-links through
//! the [`IndexClient`], filtered by what can actually be installed on the target (tags,
//! `--only-binary`/`--no-binary`, `Requires-Python`, required hashes).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::BoxFuture;
use wharf_client::{DistFile, IndexClient};
use wharf_filename::{DistFilename, TagCompatibility, Tags};
use wharf_metadata::CoreMetadata;
use wharf_pep::{PackageName, Version};

use crate::provider::{Candidate, Provider, ProviderError, VersionMap};

/// A set of project names given as pip does (`:all:`, `:none:`, names).
#[derive(Debug, Clone, Default)]
pub struct NameSet {
    all: bool,
    names: HashSet<PackageName>,
}

impl NameSet {
    /// Parse pip-style values: each may be a comma-separated list; `:all:` and `:none:`
    /// reset the set, later values win.
    pub fn parse<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut set = Self::default();
        for value in values {
            for item in value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
            {
                match item {
                    ":all:" => {
                        set.all = true;
                        set.names.clear();
                    }
                    ":none:" => {
                        set.all = false;
                        set.names.clear();
                    }
                    name => {
                        set.names.insert(
                            name.parse()
                                .map_err(|err| format!("invalid project name `{name}`: {err}"))?,
                        );
                    }
                }
            }
        }
        Ok(set)
    }

    /// Whether a project is in the set.
    pub fn contains(&self, name: &PackageName) -> bool {
        self.all || self.names.contains(name)
    }
}

/// How files are chosen.
#[derive(Debug, Clone, Default)]
pub struct FileRules {
    /// Never use sdists for these.
    pub only_binary: NameSet,
    /// Never use wheels for these.
    pub no_binary: NameSet,
    /// Hash-checking mode: for each project, the sha256 digests (hex) a file must have.
    pub required_hashes: Option<HashMap<PackageName, Vec<String>>>,
}

/// Builds wheels from source distributions for the provider (wharf's PEP 517 frontend,
/// supplied by the caller so the resolver does not depend on it).
pub trait SourceBuilder: Send + Sync {
    /// A wheel built from the sdist `file` (found in the build cache, or built now), as a
    /// local file.
    fn build_wheel<'a>(
        &'a self,
        name: &'a PackageName,
        file: &'a DistFile,
    ) -> BoxFuture<'a, Result<DistFile, Box<dyn std::error::Error + Send + Sync>>>;
}

/// A project's files (shared with the client) and, per version, the positions of its files.
struct ProjectIndex {
    files: Arc<wharf_client::ProjectFiles>,
    by_version: BTreeMap<Version, Vec<usize>>,
}

impl ProjectIndex {
    fn version_files(&self, version: &Version) -> impl Iterator<Item = &DistFile> {
        self.by_version
            .get(version)
            .into_iter()
            .flatten()
            .map(|&index| &self.files.files[index])
    }
}

/// Versions and metadata from indexes, for one target.
pub struct IndexProvider {
    client: IndexClient,
    tags: Arc<Tags>,
    python_version: Version,
    rules: FileRules,
    direct: HashMap<PackageName, DistFile>,
    files: Mutex<HashMap<PackageName, Arc<ProjectIndex>>>,
    builder: Option<Arc<dyn SourceBuilder>>,
    /// Wheels built from sdists, by project and version.
    built: Mutex<HashMap<(PackageName, Version), DistFile>>,
    /// What earlier resolutions found each project to depend on (read once, lazily).
    hints: std::sync::OnceLock<HashMap<PackageName, Vec<PackageName>>>,
}

/// The file, in the cache's index-page bucket, that keeps what each project depended on
/// when last resolved: names only, for fetching pages ahead of the solver.
/// One line per project: its name, then the names it depended on, separated by spaces.
const HINTS_FILE: &str = "dependency-hints-v1.txt";

impl IndexProvider {
    /// A provider for a target with these tags and Python version. `direct` maps projects
    /// required by URL or path to their one file.
    pub fn new(
        client: IndexClient,
        tags: Arc<Tags>,
        python_version: Version,
        rules: FileRules,
        direct: HashMap<PackageName, DistFile>,
    ) -> Self {
        Self {
            client,
            tags,
            python_version,
            rules,
            direct,
            files: Mutex::default(),
            builder: None,
            built: Mutex::default(),
            hints: std::sync::OnceLock::new(),
        }
    }

    fn hints_path(&self) -> std::path::PathBuf {
        self.client
            .cache()
            .root()
            .join(wharf_cache::Bucket::Simple.dir_name())
            .join(HINTS_FILE)
    }

    fn hints(&self) -> &HashMap<PackageName, Vec<PackageName>> {
        self.hints.get_or_init(|| {
            let text = std::fs::read_to_string(self.hints_path()).unwrap_or_default();
            text.lines()
                .filter_map(|line| {
                    let mut names = line
                        .split_whitespace()
                        .filter_map(|name| name.parse::<PackageName>().ok());
                    Some((names.next()?, names.collect()))
                })
                .collect()
        })
    }

    /// Let the provider use sdists, building them with `builder`.
    #[must_use]
    pub fn with_builder(mut self, builder: Arc<dyn SourceBuilder>) -> Self {
        self.builder = Some(builder);
        self
    }

    /// Whether the file for a version is a wheel built here from an sdist.
    pub fn is_built(&self, name: &PackageName, version: &Version) -> bool {
        self.built
            .lock()
            .unwrap()
            .contains_key(&(name.clone(), version.clone()))
    }

    /// The file to install for a chosen version, building it first when it is an sdist.
    pub async fn installable_file(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Option<DistFile>, ProviderError> {
        let Some(file) = self.best_file(name, version) else {
            return Ok(None);
        };
        if file.is_wheel() {
            return Ok(Some(file));
        }
        self.build(name, version, &file).await.map(Some)
    }

    async fn build(
        &self,
        name: &PackageName,
        version: &Version,
        file: &DistFile,
    ) -> Result<DistFile, ProviderError> {
        let Some(builder) = &self.builder else {
            return Err(ProviderError::msg(format!(
                "{} is a source distribution, and building is off",
                file.filename_text()
            )));
        };
        // A version whose sdist fails to build is skipped, like one with broken metadata:
        // backtracking often visits old releases that no longer build, which the final
        // choice never needs. The reason (with the backend's last words) is kept for the
        // report should no solution exist.
        let wheel = builder
            .build_wheel(name, file)
            .await
            .map_err(|err| ProviderError {
                message: {
                    let prefix = format!("failed to build {}: ", file.filename_text());
                    let summary = summarize_build_error(&*err);
                    format!(
                        "{prefix}{}",
                        summary.strip_prefix(&prefix).unwrap_or(&summary)
                    )
                },
                source: None,
                version_unusable: true,
            })?;
        self.built
            .lock()
            .unwrap()
            .insert((name.clone(), version.clone()), wheel.clone());
        Ok(wheel)
    }

    /// The file to install for a chosen version: the best-tagged usable wheel.
    pub fn best_file(&self, name: &PackageName, version: &Version) -> Option<DistFile> {
        if let Some(file) = self.direct.get(name) {
            return Some(file.clone());
        }
        if let Some(wheel) = self
            .built
            .lock()
            .unwrap()
            .get(&(name.clone(), version.clone()))
        {
            return Some(wheel.clone());
        }
        let project = self.files.lock().unwrap().get(name).cloned()?;
        project
            .version_files(version)
            .filter(|file| self.file_problem(name, file).is_none())
            .max_by_key(|file| match &file.filename {
                DistFilename::Wheel(wheel) => wheel.compatibility(&self.tags),
                DistFilename::Sdist(_) => {
                    TagCompatibility::Incompatible(wharf_filename::IncompatibleTag::Invalid)
                }
            })
            .cloned()
    }

    /// Every file listed for a version (for `--generate-hashes`).
    pub fn all_files(&self, name: &PackageName, version: &Version) -> Vec<DistFile> {
        if let Some(file) = self.direct.get(name) {
            return vec![file.clone()];
        }
        let project = self.files.lock().unwrap().get(name).cloned();
        project
            .map(|project| project.version_files(version).cloned().collect())
            .unwrap_or_default()
    }

    /// Why a file cannot be used on the target, if it cannot.
    fn file_problem(&self, name: &PackageName, file: &DistFile) -> Option<String> {
        if let Some(requires_python) = &file.requires_python
            && !requires_python.contains(&self.python_version)
        {
            return Some(format!("requires Python {requires_python}"));
        }
        if let Some(required) = self
            .rules
            .required_hashes
            .as_ref()
            .and_then(|h| h.get(name))
            && let Some(sha256) = file.sha256()
            && !required
                .iter()
                .any(|hash| hash.eq_ignore_ascii_case(sha256))
        {
            return Some("does not match the required hashes".to_string());
        }
        match &file.filename {
            DistFilename::Wheel(wheel) => {
                if self.rules.no_binary.contains(name) {
                    Some("is a wheel, and --no-binary excludes wheels".to_string())
                } else if !wheel.is_compatible(&self.tags) {
                    Some(format!(
                        "has tags {} that do not fit this interpreter",
                        wheel.tag_string()
                    ))
                } else {
                    None
                }
            }
            DistFilename::Sdist(_) => {
                if self.rules.only_binary.contains(name) {
                    Some("is a source distribution, and --only-binary excludes them".to_string())
                } else if self.builder.is_some() {
                    None
                } else {
                    Some("is a source distribution, which must be built, and building is off here (a --python-version/--platform target)".to_string())
                }
            }
        }
    }

    fn candidate(&self, name: &PackageName, version: &Version, files: &[&DistFile]) -> Candidate {
        let mut problems = Vec::new();
        let mut usable = Vec::new();
        for file in files {
            match self.file_problem(name, file) {
                None => usable.push(file),
                Some(problem) => problems.push(problem),
            }
        }
        let unusable = if usable.is_empty() {
            problems.sort();
            problems.dedup();
            Some(
                if let Some(rest) = problems
                    .first()
                    .and_then(|problem| problem.strip_prefix("is a source distribution, "))
                    .filter(|_| files.iter().all(|f| !f.is_wheel()) && problems.len() == 1)
                {
                    format!("has only a source distribution, {rest}")
                } else if files.iter().any(|f| f.is_wheel())
                    && problems
                        .iter()
                        .all(|p| p.starts_with("has tags") || p.starts_with("is a source"))
                {
                    format!(
                        "has no wheel for this interpreter ({} file{}: {})",
                        files.len(),
                        if files.len() == 1 { "" } else { "s" },
                        files
                            .iter()
                            .map(|f| match &f.filename {
                                DistFilename::Wheel(wheel) => wheel.tag_string(),
                                DistFilename::Sdist(_) => "sdist".to_string(),
                            })
                            .take(4)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    problems.join("; ")
                },
            )
        } else {
            None
        };
        Candidate {
            version: version.clone(),
            yanked: !usable.is_empty() && usable.iter().all(|file| file.yanked.is_some()),
            needs_build: !usable.is_empty() && usable.iter().all(|file| !file.is_wheel()),
            unusable,
        }
    }
}

/// One line for a failed build: the first line of the error's chain that says what failed,
/// and the backend's last line of output, if any.
fn summarize_build_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = current {
        chain.push(cause.to_string());
        current = cause.source();
    }
    let text = chain.join("\n");
    let mut headline = chain
        .last()
        .and_then(|last| last.lines().next())
        .unwrap_or_default()
        .to_string();
    if let Some((_, output)) = text.split_once("--- backend output ---") {
        let output = output
            .split("--- end of backend output ---")
            .next()
            .unwrap_or_default();
        let lines: Vec<&str> = output
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        // The last line that names an error (a traceback's last line, `error: …`), else
        // the last line.
        let last = lines
            .iter()
            .rev()
            .find(|line| line.contains("Error") || line.contains("error"))
            .or(lines.last());
        if let Some(last) = last {
            headline = format!("{headline}: {last}");
        }
    }
    headline
}

impl Provider for IndexProvider {
    fn remembered_dependencies(&self, name: &PackageName) -> Vec<PackageName> {
        self.hints().get(name).cloned().unwrap_or_default()
    }

    fn remember_dependencies(&self, dependencies: &BTreeMap<PackageName, Vec<PackageName>>) {
        let mut merged: BTreeMap<&PackageName, &Vec<PackageName>> = self.hints().iter().collect();
        let mut changed = false;
        for (name, list) in dependencies {
            if merged.get(name).is_none_or(|old| *old != list) {
                merged.insert(name, list);
                changed = true;
            }
        }
        if !changed {
            return;
        }
        let mut text = String::new();
        for (name, list) in merged {
            text.push_str(name.as_ref());
            for dependency in list {
                text.push(' ');
                text.push_str(dependency.as_ref());
            }
            text.push('\n');
        }
        // Only a guess for next time: failing to keep it changes nothing.
        let path = self.hints_path();
        if path
            .parent()
            .is_some_and(|dir| std::fs::create_dir_all(dir).is_ok())
        {
            let _ = wharf_cache::write_atomic(&path, text.as_bytes());
        }
    }

    fn versions<'a>(
        &'a self,
        name: &'a PackageName,
    ) -> BoxFuture<'a, Result<VersionMap, ProviderError>> {
        async move {
            if let Some(file) = self.direct.get(name) {
                let version = file.filename.version().clone();
                let candidate = Candidate {
                    version: version.clone(),
                    yanked: false,
                    needs_build: false,
                    unusable: match &file.filename {
                        DistFilename::Wheel(wheel) if !wheel.is_compatible(&self.tags) => Some(format!(
                            "has tags {} that do not fit this interpreter",
                            wheel.tag_string()
                        )),
                        DistFilename::Sdist(_) => Some("is a source distribution, which must be built, and building is off here (a --python-version/--platform target)".to_string()),
                        _ => None,
                    },
                };
                return Ok(VersionMap::new(vec![candidate], vec![file.url.to_string()]));
            }
            let project = self.client.project(name).await.map_err(|err| {
                ProviderError::new(format!("could not list the files of `{name}`"), err)
            })?;
            let mut by_version: BTreeMap<Version, Vec<usize>> = BTreeMap::new();
            for (index, file) in project.files.iter().enumerate() {
                by_version
                    .entry(file.filename.version().clone())
                    .or_default()
                    .push(index);
            }
            let index = ProjectIndex {
                files: project.clone(),
                by_version,
            };
            let candidates = index
                .by_version
                .keys()
                .map(|version| {
                    let files: Vec<&DistFile> = index.version_files(version).collect();
                    self.candidate(name, version, &files)
                })
                .collect();
            let searched = project.searched.clone();
            self.files.lock().unwrap().insert(name.clone(), Arc::new(index));
            Ok(VersionMap::new(candidates, searched))
        }
        .boxed()
    }

    fn metadata<'a>(
        &'a self,
        name: &'a PackageName,
        version: &'a Version,
    ) -> BoxFuture<'a, Result<Arc<CoreMetadata>, ProviderError>> {
        async move {
            let mut file = self.best_file(name, version).ok_or_else(|| {
                ProviderError::msg(format!("no usable file for `{name}` {version}"))
            })?;
            if !file.is_wheel() {
                file = self.build(name, version, &file).await?;
            }
            self.client.metadata(&file).await.map_err(|err| {
                let broken = matches!(
                    err,
                    wharf_client::ClientError::Metadata { .. }
                        | wharf_client::ClientError::MetadataMismatch { .. }
                        | wharf_client::ClientError::InvalidWheel { .. }
                );
                let error = ProviderError::new(
                    format!("could not read the metadata of {}", file.filename_text()),
                    err,
                );
                if broken {
                    error.unusable_version()
                } else {
                    error
                }
            })
        }
        .boxed()
    }
}
