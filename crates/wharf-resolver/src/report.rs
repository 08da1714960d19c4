//! Turning PubGrub's derivation tree into sentences a person can act on.

use std::collections::BTreeMap;
use std::ops::Bound;

use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, Ranges, ReportFormatter,
    Reporter, Term,
};
use wharf_pep::{PackageName, Version};

use crate::package::ResolverPackage;
use crate::solver::{PrereleaseMode, ResolveOptions};

type Tree = DerivationTree<ResolverPackage, Ranges<Version>, String>;

/// The conflict chain as numbered sentences.
pub(crate) fn explain(tree: &Tree, facts: &crate::solver::FactsView<'_>) -> String {
    // The versions that exist, to state ranges in their terms: `black>=22.1,<23.1` rather
    // than a union of every exact version PubGrub ruled out one by one.
    let mut versions = BTreeMap::new();
    for package in tree.packages() {
        if let Some(name) = package.name()
            && let Some(map) = facts.cached_versions(name)
        {
            versions.insert(
                name.clone(),
                map.candidates.iter().map(|c| c.version.clone()).collect(),
            );
        }
    }
    DefaultStringReporter::report_with_formatter(tree, &Formatter { versions })
}

/// Notes about versions that were never candidates (yanked, wrong Python, pre-releases,
/// nothing to install), which PubGrub's chain cannot show.
pub(crate) fn hints(
    tree: &Tree,
    facts: &crate::solver::FactsView<'_>,
    rejected: &BTreeMap<PackageName, Vec<(Version, String)>>,
    options: &ResolveOptions,
) -> Vec<String> {
    let mut hints = Vec::new();
    let mut relevant: BTreeMap<PackageName, Ranges<Version>> = BTreeMap::new();
    mentioned_ranges(tree, &mut relevant);
    let mut names: Vec<&PackageName> = tree
        .packages()
        .into_iter()
        .filter_map(|p| p.name())
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let Some(versions) = facts.cached_versions(name) else {
            continue;
        };
        if versions.candidates.is_empty() {
            if versions.searched.is_empty() {
                hints.push(format!("`{name}` was not found"));
            } else {
                hints.push(format!(
                    "`{name}` was not found in {}",
                    versions.searched.join(", ")
                ));
            }
            continue;
        }
        let usable: Vec<&Version> = versions
            .candidates
            .iter()
            .filter(|c| c.unusable.is_none() && !c.yanked)
            .map(|c| &c.version)
            .collect();
        let shown: Vec<String> = usable.iter().rev().take(8).map(|v| v.to_string()).collect();
        if !shown.is_empty() {
            let more = usable.len().saturating_sub(shown.len());
            hints.push(format!(
                "available versions of {name}: {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} older")
                } else {
                    String::new()
                }
            ));
        }
        let in_range = |version: &Version| {
            relevant
                .get(name)
                .is_none_or(|range| range.contains(version))
        };
        for candidate in versions
            .candidates
            .iter()
            .rev()
            .filter(|candidate| in_range(&candidate.version))
            .take(10)
        {
            if let Some(reason) = &candidate.unusable {
                hints.push(format!(
                    "{name} {} was skipped: {reason}",
                    candidate.version
                ));
            }
        }
        let yanked: Vec<String> = versions
            .candidates
            .iter()
            .filter(|c| c.yanked && in_range(&c.version))
            .map(|c| c.version.to_string())
            .collect();
        if !yanked.is_empty() {
            hints.push(format!(
                "{name} {} {} yanked; a yanked version is used only when pinned with `==`",
                yanked.join(", "),
                if yanked.len() == 1 { "is" } else { "are" }
            ));
        }
        if options.prerelease != PrereleaseMode::Allow
            && versions
                .candidates
                .iter()
                .any(|c| c.version.any_prerelease() && c.unusable.is_none())
            && usable.iter().all(|v| v.any_prerelease())
        {
            hints.push(format!(
                "{name} has only pre-releases; pass `--pre` to allow them"
            ));
        }
        if let Some(list) = rejected.get(name) {
            for (version, reason) in list.iter().take(10) {
                hints.push(format!("{name} {version} cannot be used: it {reason}"));
            }
        }
    }
    hints.dedup();
    hints
}

/// The union of the ranges the conflict mentions for each project: only versions there
/// are worth explaining.
fn mentioned_ranges(tree: &Tree, out: &mut BTreeMap<PackageName, Ranges<Version>>) {
    let mut add = |package: &ResolverPackage, range: &Ranges<Version>| {
        if let Some(name) = package.name() {
            let entry = out.entry(name.clone()).or_insert_with(Ranges::empty);
            *entry = entry.union(range);
        }
    };
    match tree {
        DerivationTree::External(External::NoVersions(package, range))
        | DerivationTree::External(External::Custom(package, range, _)) => add(package, range),
        DerivationTree::External(External::FromDependencyOf(_, _, dependency, range)) => {
            add(dependency, range);
        }
        DerivationTree::External(External::NotRoot(..)) => {}
        DerivationTree::Derived(derived) => {
            mentioned_ranges(&derived.cause1, out);
            mentioned_ranges(&derived.cause2, out);
        }
    }
}

/// PEP 440-style text for a version range.
pub(crate) fn format_range(range: &Ranges<Version>) -> String {
    let range = wharf_pep::strip_local_version_sentinels(range);
    let mut parts = Vec::new();
    for (lower, upper) in range.iter() {
        let text = match (lower, upper) {
            (Bound::Unbounded, Bound::Unbounded) => "*".to_string(),
            (Bound::Included(a), Bound::Included(b)) if a == b => format!("=={a}"),
            (lower, upper) => {
                let mut bounds = Vec::new();
                match lower {
                    Bound::Included(v) => bounds.push(format!(">={v}")),
                    Bound::Excluded(v) => bounds.push(format!(">{v}")),
                    Bound::Unbounded => {}
                }
                match upper {
                    Bound::Included(v) => bounds.push(format!("<={v}")),
                    Bound::Excluded(v) => bounds.push(format!("<{v}")),
                    Bound::Unbounded => {}
                }
                bounds.join(",")
            }
        };
        parts.push(text);
    }
    if parts.is_empty() {
        "(no version)".to_string()
    } else {
        parts.join(" | ")
    }
}

fn package_range(package: &ResolverPackage, range: &Ranges<Version>) -> String {
    match package {
        ResolverPackage::Root => "your requirements".to_string(),
        _ if range == &Ranges::full() => format!("every version of {package}"),
        _ if range.is_empty() => format!("{package} with a specifier no version can satisfy"),
        _ => {
            let text = format_range(range);
            if text.contains(" | ") {
                format!("{package} ({text})")
            } else {
                format!("{package}{text}")
            }
        }
    }
}

impl Formatter {
    /// A range in terms of the versions that exist.
    fn simplified(&self, package: &ResolverPackage, range: &Ranges<Version>) -> Ranges<Version> {
        match package.name().and_then(|name| self.versions.get(name)) {
            Some(versions) if !range.is_empty() => range.simplify(versions.iter()),
            _ => range.clone(),
        }
    }

    fn package_range(&self, package: &ResolverPackage, range: &Ranges<Version>) -> String {
        package_range(package, &self.simplified(package, range))
    }
}

struct Formatter {
    /// Every known version of each project, ascending.
    versions: BTreeMap<PackageName, Vec<Version>>,
}

impl ReportFormatter<ResolverPackage, Ranges<Version>, String> for Formatter {
    type Output = String;

    fn format_external(
        &self,
        external: &External<ResolverPackage, Ranges<Version>, String>,
    ) -> String {
        match external {
            External::NotRoot(package, version) => {
                format!("we are solving for {package} {version}")
            }
            External::NoVersions(package, range) => {
                if range == &Ranges::full() {
                    format!("there is no usable version of {package}")
                } else {
                    format!(
                        "there is no usable version of {}",
                        self.package_range(package, range)
                    )
                }
            }
            External::FromDependencyOf(package, range, dependency, dependency_range) => {
                if *package == ResolverPackage::Root {
                    format!(
                        "you require {}",
                        self.package_range(dependency, dependency_range)
                    )
                } else {
                    format!(
                        "{} depends on {}",
                        self.package_range(package, range),
                        self.package_range(dependency, dependency_range)
                    )
                }
            }
            External::Custom(package, range, reason) => {
                format!(
                    "{} cannot be used: it {reason}",
                    self.package_range(package, range)
                )
            }
        }
    }

    fn format_terms(&self, terms: &Map<ResolverPackage, Term<Ranges<Version>>>) -> String {
        let terms: Vec<_> = terms.iter().collect();
        match terms.as_slice() {
            [] => "version solving failed".to_string(),
            [(ResolverPackage::Root, Term::Positive(_))] => {
                "your requirements cannot be satisfied".to_string()
            }
            [(package, Term::Positive(range))] => {
                format!("{} cannot be used", self.package_range(package, range))
            }
            [(package, Term::Negative(range))] => {
                format!("{} is required", self.package_range(package, range))
            }
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))]
            | [(p2, Term::Negative(r2)), (p1, Term::Positive(r1))] => self.format_external(
                &External::FromDependencyOf((*p1).clone(), r1.clone(), (*p2).clone(), r2.clone()),
            ),
            slice
                if slice
                    .iter()
                    .all(|(_, term)| matches!(term, Term::Positive(_))) =>
            {
                let mut parts: Vec<String> = slice
                    .iter()
                    .map(|(package, term)| match term {
                        Term::Positive(range) | Term::Negative(range) => {
                            self.package_range(package, range)
                        }
                    })
                    .collect();
                let last = parts.pop().unwrap_or_default();
                format!("{} and {last} cannot be used together", parts.join(", "))
            }
            slice => {
                let parts: Vec<String> = slice
                    .iter()
                    .map(|(package, term)| match term {
                        Term::Positive(range) => self.package_range(package, range),
                        Term::Negative(range) => {
                            format!("not {}", self.package_range(package, range))
                        }
                    })
                    .collect();
                format!("{} cannot all be used together", parts.join(", "))
            }
        }
    }

    fn explain_both_external(
        &self,
        external1: &External<ResolverPackage, Ranges<Version>, String>,
        external2: &External<ResolverPackage, Ranges<Version>, String>,
        current_terms: &Map<ResolverPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "Because {} and {}, {}.",
            self.format_external(external1),
            self.format_external(external2),
            self.format_terms(current_terms)
        )
    }

    fn explain_both_ref(
        &self,
        ref_id1: usize,
        derived1: &Derived<ResolverPackage, Ranges<Version>, String>,
        ref_id2: usize,
        derived2: &Derived<ResolverPackage, Ranges<Version>, String>,
        current_terms: &Map<ResolverPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "Because {} ({ref_id1}) and {} ({ref_id2}), {}.",
            self.format_terms(&derived1.terms),
            self.format_terms(&derived2.terms),
            self.format_terms(current_terms)
        )
    }

    fn explain_ref_and_external(
        &self,
        ref_id: usize,
        derived: &Derived<ResolverPackage, Ranges<Version>, String>,
        external: &External<ResolverPackage, Ranges<Version>, String>,
        current_terms: &Map<ResolverPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "Because {} ({ref_id}) and {}, {}.",
            self.format_terms(&derived.terms),
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_external(
        &self,
        external: &External<ResolverPackage, Ranges<Version>, String>,
        current_terms: &Map<ResolverPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "And because {}, {}.",
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_ref(
        &self,
        ref_id: usize,
        derived: &Derived<ResolverPackage, Ranges<Version>, String>,
        current_terms: &Map<ResolverPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "And because {} ({ref_id}), {}.",
            self.format_terms(&derived.terms),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_prior_and_external(
        &self,
        prior_external: &External<ResolverPackage, Ranges<Version>, String>,
        external: &External<ResolverPackage, Ranges<Version>, String>,
        current_terms: &Map<ResolverPackage, Term<Ranges<Version>>>,
    ) -> String {
        format!(
            "And because {} and {}, {}.",
            self.format_external(prior_external),
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }
}
