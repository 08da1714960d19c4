//! The PubGrub dependency provider and the [`resolve`] entry point.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use pubgrub::{
    Dependencies, DependencyProvider, PackageResolutionStatistics, PubGrubError, Ranges,
};
use tokio::sync::OnceCell;
use wharf_metadata::CoreMetadata;
use wharf_pep::{
    ExtraName, MarkerEnvironment, Operator, PackageName, Requirement, Version, VersionOrUrl,
};

use crate::package::ResolverPackage;
use crate::provider::{Provider, ProviderError, VersionMap};
use crate::report;

/// When pre-releases may be chosen (PEP 440).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrereleaseMode {
    /// pip's and PEP 440's default: a pre-release is chosen for a project only when a
    /// requirement names a pre-release explicitly, or when no final release fits.
    #[default]
    IfNecessaryOrExplicit,
    /// `--pre`: pre-releases compete with final releases.
    Allow,
}

/// Which installed or locked versions may be replaced by newer ones.
#[derive(Debug, Clone, Default)]
pub enum Upgrade {
    /// Keep every preferred version that still fits.
    #[default]
    None,
    /// Ignore all preferences.
    All,
    /// Ignore the preferences of these projects.
    Packages(HashSet<PackageName>),
}

impl Upgrade {
    fn allows(&self, name: &PackageName) -> bool {
        match self {
            Self::None => false,
            Self::All => true,
            Self::Packages(names) => names.contains(name),
        }
    }
}

/// What to resolve for, and by which rules.
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    /// The target environment's markers.
    pub markers: MarkerEnvironment,
    /// The target's full Python version, for `Requires-Python`.
    pub python_version: Version,
    /// Pre-release rules.
    pub prerelease: PrereleaseMode,
    /// Which preferences to ignore.
    pub upgrade: Upgrade,
    /// Versions to keep when they fit (installed or previously pinned).
    pub preferences: HashMap<PackageName, Version>,
    /// Constraints (`-c`): narrow versions of projects that are required, add none.
    pub constraints: Vec<Requirement>,
    /// Resolve only the given requirements, not their dependencies.
    pub no_deps: bool,
}

/// One chosen project.
#[derive(Debug, Clone)]
pub struct ResolvedPackage {
    /// The project.
    pub name: PackageName,
    /// The chosen version.
    pub version: Version,
    /// Extras that were enabled for it.
    pub extras: Vec<ExtraName>,
    /// Whether the user asked for it directly.
    pub direct: bool,
    /// Who requires it (`-r requirements.in` is shown as "your requirements").
    pub required_by: Vec<String>,
    /// Its core metadata.
    pub metadata: Arc<CoreMetadata>,
}

/// A complete, consistent set of versions.
#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// The chosen projects, sorted by name.
    pub packages: Vec<ResolvedPackage>,
    /// Things worth telling the user (e.g. an extra that does not exist).
    pub warnings: Vec<String>,
}

/// Why resolution failed.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The requirements cannot all be satisfied; the message explains the conflict chain.
    #[error("{report}")]
    NoSolution {
        /// The human explanation.
        report: String,
        /// Extra notes (skipped versions and why, what to try).
        hints: Vec<String>,
    },
    /// A provider failed while looking something up.
    #[error("failed to {action}")]
    Provider {
        /// What was being done, naming the project.
        action: String,
        /// The provider's error.
        #[source]
        source: Arc<ProviderError>,
    },
    /// The solver thread panicked or was cancelled.
    #[error("the resolver stopped unexpectedly: {0}")]
    Internal(String),
}

type VersionsCell = Arc<OnceCell<Result<Arc<VersionMap>, Arc<ProviderError>>>>;
type MetadataCell = Arc<OnceCell<Result<Arc<CoreMetadata>, Arc<ProviderError>>>>;

/// Answers shared by the solver thread and prefetch tasks.
struct Facts {
    provider: Arc<dyn Provider>,
    versions: Mutex<HashMap<PackageName, VersionsCell>>,
    metadata: Mutex<HashMap<(PackageName, Version), MetadataCell>>,
}

impl Facts {
    async fn versions(&self, name: &PackageName) -> Result<Arc<VersionMap>, Arc<ProviderError>> {
        let cell = self
            .versions
            .lock()
            .unwrap()
            .entry(name.clone())
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            self.provider
                .versions(name)
                .await
                .map(Arc::new)
                .map_err(Arc::new)
        })
        .await
        .clone()
    }

    async fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Arc<CoreMetadata>, Arc<ProviderError>> {
        let cell = self
            .metadata
            .lock()
            .unwrap()
            .entry((name.clone(), version.clone()))
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            self.provider
                .metadata(name, version)
                .await
                .map_err(Arc::new)
        })
        .await
        .clone()
    }

    fn cached_versions(&self, name: &PackageName) -> Option<Arc<VersionMap>> {
        let cell = self.versions.lock().unwrap().get(name).cloned()?;
        cell.get().and_then(|result| result.as_ref().ok().cloned())
    }
}

/// Read access to the facts gathered so far, for reports.
pub(crate) struct FactsView<'a>(&'a Facts);

impl FactsView<'_> {
    pub(crate) fn cached_versions(&self, name: &PackageName) -> Option<Arc<VersionMap>> {
        self.0.cached_versions(name)
    }
}

/// Per-project rules learned from the requirements seen so far.
#[derive(Default)]
struct Learned {
    /// Discovery order, for priorities.
    discovery: HashMap<PackageName, usize>,
    /// Versions pinned with `==`/`===` somewhere: yanked files are allowed for them.
    exact_pins: HashMap<PackageName, HashSet<Version>>,
    /// Projects some requirement names a pre-release for.
    explicit_prerelease: HashSet<PackageName>,
    /// Dependency edges: (dependent, its version) → dependencies.
    edges: HashMap<(ResolverPackage, Version), Vec<ResolverPackage>>,
    /// For each project, the range each (dependent, version) requires of it: with
    /// `chosen`, the specifiers pip would intersect to decide whether pre-releases are
    /// "necessary".
    requested: HashMap<PackageName, HashMap<(ResolverPackage, Version), Ranges<Version>>>,
    /// The version last chosen for each package. A dependent counts as active when its
    /// requirements were read for this version.
    chosen: HashMap<ResolverPackage, Version>,
    /// Warnings.
    warnings: BTreeSet<String>,
    /// Versions rejected for reasons outside PubGrub, by project (for hints).
    rejected: BTreeMap<PackageName, Vec<(Version, String)>>,
}

impl Learned {
    /// The intersection of what the active dependents require of a project. A dependent
    /// that backtracking has undone but not yet decided again may still count; that only
    /// narrows the range.
    fn specified_range(&self, name: &PackageName) -> Ranges<Version> {
        let mut specified = Ranges::full();
        for ((dependent, version), range) in self.requested.get(name).into_iter().flatten() {
            let active =
                *dependent == ResolverPackage::Root || self.chosen.get(dependent) == Some(version);
            if active {
                specified = specified.intersection(range);
            }
        }
        specified
    }
}

struct Solver {
    facts: Arc<Facts>,
    runtime: tokio::runtime::Handle,
    options: ResolveOptions,
    requirements: Vec<Requirement>,
    constraints: HashMap<PackageName, Ranges<Version>>,
    learned: RefCell<Learned>,
}

/// An error and its causes on one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn root_version() -> Version {
    Version::new([0])
}

impl Solver {
    fn versions(&self, name: &PackageName) -> Result<Arc<VersionMap>, ResolveError> {
        self.runtime
            .block_on(self.facts.versions(name))
            .map_err(|source| ResolveError::Provider {
                action: format!("list the versions of `{name}`"),
                source,
            })
    }

    fn metadata(
        &self,
        name: &PackageName,
        version: &Version,
    ) -> Result<Arc<CoreMetadata>, ResolveError> {
        self.runtime
            .block_on(self.facts.metadata(name, version))
            .map_err(|source| ResolveError::Provider {
                action: format!("read the metadata of `{name}` {version}"),
                source,
            })
    }

    /// Turn requirements into PubGrub dependencies, learning pins and pre-release wishes.
    fn dependencies_of<'a>(
        &self,
        requirements: impl Iterator<Item = &'a Requirement>,
    ) -> Vec<(ResolverPackage, Ranges<Version>)> {
        let mut learned = self.learned.borrow_mut();
        let mut merged: Vec<(ResolverPackage, Ranges<Version>)> = Vec::new();
        for requirement in requirements {
            let name = &requirement.name;
            let next = learned.discovery.len();
            learned.discovery.entry(name.clone()).or_insert(next);
            let mut range = match &requirement.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                    for specifier in specifiers.iter() {
                        if specifier.version().any_prerelease() {
                            learned.explicit_prerelease.insert(name.clone());
                        }
                        if matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual) {
                            learned
                                .exact_pins
                                .entry(name.clone())
                                .or_default()
                                .insert(specifier.version().clone());
                        }
                    }
                    Ranges::from(specifiers.clone())
                }
                // A URL requirement: the provider offers exactly the version at that URL.
                Some(VersionOrUrl::Url(_)) | None => Ranges::full(),
            };
            if let Some(constraint) = self.constraints.get(name) {
                range = range.intersection(constraint);
            }
            let mut add = |package: ResolverPackage, range: &Ranges<Version>| {
                if let Some((_, existing)) = merged.iter_mut().find(|(p, _)| *p == package) {
                    *existing = existing.intersection(range);
                } else {
                    merged.push((package, range.clone()));
                }
            };
            add(ResolverPackage::Package(name.clone()), &range);
            for extra in &requirement.extras {
                add(ResolverPackage::Extra(name.clone(), extra.clone()), &range);
            }
        }
        merged
    }

    /// Start fetching what the solver will probably ask for next.
    fn prefetch(&self, dependencies: &[(ResolverPackage, Ranges<Version>)]) {
        for (package, range) in dependencies {
            let Some(name) = package.name().cloned() else {
                continue;
            };
            if matches!(package, ResolverPackage::Extra(..)) {
                continue;
            }
            let facts = self.facts.clone();
            let range = range.clone();
            let preferred = self.options.preferences.get(&name).cloned();
            self.runtime.spawn(async move {
                let Ok(versions) = facts.versions(&name).await else {
                    return;
                };
                let guess = preferred.filter(|v| range.contains(v)).or_else(|| {
                    versions
                        .candidates
                        .iter()
                        .rev()
                        .find(|candidate| {
                            candidate.unusable.is_none()
                                && !candidate.yanked
                                && !candidate.version.any_prerelease()
                                && range.contains(&candidate.version)
                        })
                        .map(|candidate| candidate.version.clone())
                });
                let costly = |version: &Version| {
                    versions
                        .candidates
                        .iter()
                        .any(|candidate| &candidate.version == version && candidate.needs_build)
                };
                // A guess is not worth a build: metadata from an sdist is fetched only
                // when the solver really asks for it.
                if let Some(version) = guess.filter(|version| !costly(version)) {
                    let _ = facts.metadata(&name, &version).await;
                }
            });
        }
    }

    /// Start fetching the versions of every project the last resolutions reached from these
    /// (transitively), all at once: in the common case of an unchanged tree every page is
    /// then on its way before the solver asks.
    fn prefetch_remembered(&self, roots: &[(ResolverPackage, Ranges<Version>)]) {
        let mut queue: Vec<PackageName> = roots
            .iter()
            .filter_map(|(package, _)| package.name().cloned())
            .collect();
        let mut seen: HashSet<PackageName> = queue.iter().cloned().collect();
        let mut guesses = Vec::new();
        while let Some(name) = queue.pop() {
            for dependency in self.facts.provider.remembered_dependencies(&name) {
                if seen.len() < 2000 && seen.insert(dependency.clone()) {
                    guesses.push(dependency.clone());
                    queue.push(dependency);
                }
            }
        }
        for name in guesses {
            let facts = self.facts.clone();
            self.runtime.spawn(async move {
                let _ = facts.versions(&name).await;
            });
        }
    }

    fn choose(
        &self,
        name: &PackageName,
        range: &Ranges<Version>,
    ) -> Result<Option<Version>, ResolveError> {
        let versions = self.versions(name)?;
        let learned = self.learned.borrow();
        let pins = learned.exact_pins.get(name);
        let usable = |version: &Version| {
            versions.get(version).is_some_and(|candidate| {
                candidate.unusable.is_none()
                    && (!candidate.yanked || pins.is_some_and(|pins| pins.contains(version)))
            })
        };
        if !self.options.upgrade.allows(name)
            && let Some(preferred) = self.options.preferences.get(name)
            && range.contains(preferred)
            && usable(preferred)
        {
            return Ok(Some(preferred.clone()));
        }
        // PEP 440 as pip applies it: pre-releases are acceptable when no final release fits
        // the *requirements* (the specifiers of the dependents chosen now). `range` is not
        // that: it also lacks the versions backtracking has ruled out, and when those were
        // all the final releases, pip reports a conflict rather than reaching for a
        // pre-release (`black` with `click<8` must not become `black 21.12b0`).
        let allow_prerelease = self.options.prerelease == PrereleaseMode::Allow
            || learned.explicit_prerelease.contains(name)
            || {
                let specified = learned.specified_range(name);
                !versions.candidates.iter().any(|candidate| {
                    candidate.unusable.is_none()
                        && !candidate.version.any_prerelease()
                        && specified.contains(&candidate.version)
                })
            };
        for candidate in versions.candidates.iter().rev() {
            let version = &candidate.version;
            if !range.contains(version) || !usable(version) {
                continue;
            }
            if version.any_prerelease() && !allow_prerelease {
                continue;
            }
            return Ok(Some(version.clone()));
        }
        Ok(None)
    }

    fn record_rejection(&self, name: &PackageName, version: &Version, reason: String) {
        let mut learned = self.learned.borrow_mut();
        let list = learned.rejected.entry(name.clone()).or_default();
        if !list.iter().any(|(v, _)| v == version) {
            list.push((version.clone(), reason));
        }
    }
}

impl DependencyProvider for Solver {
    type P = ResolverPackage;
    type V = Version;
    type VS = Ranges<Version>;
    type M = String;
    type Priority = (bool, u32, Reverse<usize>);
    type Err = ResolveError;

    fn prioritize(
        &self,
        package: &ResolverPackage,
        range: &Ranges<Version>,
        statistics: &PackageResolutionStatistics,
    ) -> Self::Priority {
        let discovery = package
            .name()
            .and_then(|name| self.learned.borrow().discovery.get(name).copied())
            .unwrap_or(0);
        (
            range.as_singleton().is_some() || *package == ResolverPackage::Root,
            statistics.conflict_count(),
            Reverse(discovery),
        )
    }

    fn choose_version(
        &self,
        package: &ResolverPackage,
        range: &Ranges<Version>,
    ) -> Result<Option<Version>, ResolveError> {
        let chosen = match package {
            ResolverPackage::Root => Some(root_version()),
            ResolverPackage::Package(name) | ResolverPackage::Extra(name, _) => {
                self.choose(name, range)?
            }
        };
        if let Some(version) = &chosen {
            self.learned
                .borrow_mut()
                .chosen
                .insert(package.clone(), version.clone());
        }
        Ok(chosen)
    }

    fn get_dependencies(
        &self,
        package: &ResolverPackage,
        version: &Version,
    ) -> Result<Dependencies<ResolverPackage, Ranges<Version>, String>, ResolveError> {
        let dependencies = match package {
            ResolverPackage::Root => {
                let requirements: Vec<&Requirement> = self
                    .requirements
                    .iter()
                    .filter(|requirement| requirement.marker.evaluate(&self.options.markers, &[]))
                    .collect();
                self.dependencies_of(requirements.into_iter())
            }
            ResolverPackage::Package(name) => {
                let metadata = match self.metadata(name, version) {
                    Ok(metadata) => metadata,
                    Err(ResolveError::Provider { source, .. }) if source.version_unusable => {
                        let reason = format!("has unusable metadata ({})", error_chain(&*source));
                        self.record_rejection(name, version, reason.clone());
                        return Ok(Dependencies::Unavailable(reason));
                    }
                    Err(err) => return Err(err),
                };
                if metadata.name != *name || metadata.version != *version {
                    return Ok(Dependencies::Unavailable(format!(
                        "its metadata describes {} {} instead",
                        metadata.name, metadata.version
                    )));
                }
                if let Some(requires_python) = &metadata.requires_python
                    && !requires_python.contains(&self.options.python_version)
                {
                    let reason = format!("requires Python {requires_python}");
                    self.record_rejection(name, version, reason.clone());
                    return Ok(Dependencies::Unavailable(reason));
                }
                if self.options.no_deps {
                    Vec::new()
                } else {
                    let requirements: Vec<&Requirement> = metadata
                        .requires_dist
                        .iter()
                        .filter(|requirement| {
                            requirement.marker.evaluate(&self.options.markers, &[])
                        })
                        .collect();
                    self.dependencies_of(requirements.into_iter())
                }
            }
            ResolverPackage::Extra(name, extra) => {
                let metadata = match self.metadata(name, version) {
                    Ok(metadata) => metadata,
                    Err(ResolveError::Provider { source, .. }) if source.version_unusable => {
                        return Ok(Dependencies::Unavailable(
                            "has unusable metadata".to_string(),
                        ));
                    }
                    Err(err) => return Err(err),
                };
                let mut dependencies = vec![(
                    ResolverPackage::Package(name.clone()),
                    Ranges::singleton(version.clone()),
                )];
                if !metadata.provides_extras.contains(extra)
                    && !metadata
                        .requires_dist
                        .iter()
                        .any(|r| r.marker.top_level_extra_name().as_deref() == Some(extra))
                {
                    self.learned.borrow_mut().warnings.insert(format!(
                        "{name} {version} does not provide the extra `{extra}`"
                    ));
                }
                if !self.options.no_deps {
                    let extras = std::slice::from_ref(extra);
                    let requirements: Vec<&Requirement> = metadata
                        .requires_dist
                        .iter()
                        .filter(|requirement| {
                            requirement.marker.evaluate(&self.options.markers, extras)
                                && !requirement.marker.evaluate(&self.options.markers, &[])
                        })
                        .collect();
                    dependencies.extend(self.dependencies_of(requirements.into_iter()));
                }
                dependencies
            }
        };
        self.prefetch(&dependencies);
        let mut learned = self.learned.borrow_mut();
        for (dependency, range) in &dependencies {
            if let ResolverPackage::Package(name) = dependency {
                learned
                    .requested
                    .entry(name.clone())
                    .or_default()
                    .insert((package.clone(), version.clone()), range.clone());
            }
        }
        learned.edges.insert(
            (package.clone(), version.clone()),
            dependencies.iter().map(|(p, _)| p.clone()).collect(),
        );
        drop(learned);
        Ok(Dependencies::Available(dependencies.into_iter().collect()))
    }
}

/// Resolve `requirements` with facts from `provider`.
///
/// Must be called inside a tokio runtime; the solver itself runs on a blocking thread.
pub async fn resolve(
    requirements: Vec<Requirement>,
    provider: Arc<dyn Provider>,
    options: ResolveOptions,
) -> Result<Resolution, ResolveError> {
    let runtime = tokio::runtime::Handle::current();
    let facts = Arc::new(Facts {
        provider,
        versions: Mutex::default(),
        metadata: Mutex::default(),
    });
    let mut constraints: HashMap<PackageName, Ranges<Version>> = HashMap::new();
    for constraint in &options.constraints {
        if !constraint.marker.evaluate(&options.markers, &[]) {
            continue;
        }
        if let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &constraint.version_or_url {
            let range = Ranges::from(specifiers.clone());
            constraints
                .entry(constraint.name.clone())
                .and_modify(|existing| *existing = existing.intersection(&range))
                .or_insert(range);
        }
    }
    let solver = Solver {
        facts: facts.clone(),
        runtime,
        options,
        requirements,
        constraints,
        learned: RefCell::default(),
    };
    tokio::task::spawn_blocking(move || solve(solver))
        .await
        .map_err(|err| ResolveError::Internal(err.to_string()))?
}

fn solve(solver: Solver) -> Result<Resolution, ResolveError> {
    // Fetch what the root needs before the solver asks, all at once.
    let root_dependencies = solver.dependencies_of(solver.requirements.iter());
    solver.prefetch(&root_dependencies);
    solver.prefetch_remembered(&root_dependencies);
    match pubgrub::resolve(&solver, ResolverPackage::Root, root_version()) {
        Ok(selected) => finish(&solver, selected),
        Err(PubGrubError::NoSolution(tree)) => {
            let report = report::explain(&tree, &FactsView(&solver.facts));
            let hints = report::hints(
                &tree,
                &FactsView(&solver.facts),
                &solver.learned.borrow().rejected,
                &solver.options,
            );
            Err(ResolveError::NoSolution { report, hints })
        }
        Err(PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(PubGrubError::ErrorChoosingVersion { source, .. }) => Err(source),
        Err(PubGrubError::ErrorInShouldCancel(source)) => Err(source),
    }
}

fn finish(
    solver: &Solver,
    selected: pubgrub::SelectedDependencies<ResolverPackage, Version>,
) -> Result<Resolution, ResolveError> {
    let learned = solver.learned.borrow();
    let mut packages: BTreeMap<PackageName, ResolvedPackage> = BTreeMap::new();
    let mut extras: BTreeMap<PackageName, Vec<ExtraName>> = BTreeMap::new();
    let mut required_by: BTreeMap<PackageName, BTreeSet<String>> = BTreeMap::new();
    let direct: HashSet<&PackageName> = solver.requirements.iter().map(|r| &r.name).collect();
    let mut remembered: BTreeMap<PackageName, Vec<PackageName>> = BTreeMap::new();
    for (package, version) in selected.iter() {
        let Some(dependencies) = learned.edges.get(&(package.clone(), version.clone())) else {
            continue;
        };
        if let Some(name) = package.name() {
            let entry = remembered.entry(name.clone()).or_default();
            entry.extend(
                dependencies
                    .iter()
                    .filter_map(|dependency| dependency.name())
                    .filter(|dependency| *dependency != name)
                    .cloned(),
            );
            entry.sort();
            entry.dedup();
        }
        for dependency in dependencies {
            let Some(name) = dependency.name() else {
                continue;
            };
            // `foo[bar]` depends on `foo`: not worth showing.
            if package.name() == Some(name) {
                continue;
            }
            let by = match package {
                ResolverPackage::Root => "your requirements".to_string(),
                ResolverPackage::Package(name) | ResolverPackage::Extra(name, _) => {
                    name.to_string()
                }
            };
            required_by.entry(name.clone()).or_default().insert(by);
        }
    }
    for (package, version) in selected.iter() {
        match package {
            ResolverPackage::Root => {}
            ResolverPackage::Package(name) => {
                let metadata = solver.metadata(name, version)?;
                packages.insert(
                    name.clone(),
                    ResolvedPackage {
                        name: name.clone(),
                        version: version.clone(),
                        extras: Vec::new(),
                        direct: direct.contains(name),
                        required_by: Vec::new(),
                        metadata,
                    },
                );
            }
            ResolverPackage::Extra(name, extra) => {
                extras.entry(name.clone()).or_default().push(extra.clone());
            }
        }
    }
    for (name, package) in &mut packages {
        if let Some(mut list) = extras.remove(name) {
            list.sort();
            package.extras = list;
        }
        if let Some(by) = required_by.remove(name) {
            package.required_by = by.into_iter().collect();
        }
    }
    solver.facts.provider.remember_dependencies(&remembered);
    Ok(Resolution {
        packages: packages.into_values().collect(),
        warnings: learned.warnings.iter().cloned().collect(),
    })
}
