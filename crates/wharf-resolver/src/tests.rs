//! Resolver scenarios, written as data in `scenarios/*.toml` and solved against an
//! in-memory provider. Each file names the packages on the "index", the requirements,
//! and either the expected versions or phrases the error must contain.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use serde::Deserialize;
use wharf_metadata::CoreMetadata;
use wharf_pep::{MarkerEnvironment, MarkerEnvironmentBuilder, PackageName, Requirement, Version};

use crate::{
    Candidate, PrereleaseMode, Provider, ProviderError, ResolveError, ResolveOptions, Upgrade,
    VersionMap, resolve,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[allow(dead_code)]
    description: String,
    #[serde(default = "default_python")]
    python: String,
    requirements: Vec<String>,
    #[serde(default)]
    constraints: Vec<String>,
    #[serde(default)]
    pre: bool,
    #[serde(default)]
    no_deps: bool,
    #[serde(default)]
    preferences: BTreeMap<String, String>,
    #[serde(default)]
    upgrade: Vec<String>,
    packages: BTreeMap<String, BTreeMap<String, Release>>,
    expect: Expect,
}

fn default_python() -> String {
    "3.11.7".to_string()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Release {
    #[serde(default)]
    requires: Vec<String>,
    requires_python: Option<String>,
    #[serde(default)]
    yanked: bool,
    unusable: Option<String>,
    #[serde(default)]
    extras: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    invalid_metadata: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    resolution: Option<BTreeMap<String, String>>,
    #[serde(default)]
    error: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
}

struct MemoryProvider {
    packages: HashMap<PackageName, Vec<(Version, Release)>>,
}

fn metadata_text(name: &str, version: &str, release: &Release) -> String {
    let mut text = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    if let Some(requires_python) = &release.requires_python {
        text.push_str(&format!("Requires-Python: {requires_python}\n"));
    }
    for requirement in &release.requires {
        text.push_str(&format!("Requires-Dist: {requirement}\n"));
    }
    for (extra, requirements) in &release.extras {
        text.push_str(&format!("Provides-Extra: {extra}\n"));
        for requirement in requirements {
            let joiner = if requirement.contains(';') {
                " and"
            } else {
                " ;"
            };
            text.push_str(&format!(
                "Requires-Dist: {requirement}{joiner} extra == \"{extra}\"\n"
            ));
        }
    }
    text
}

impl Provider for MemoryProvider {
    fn versions<'a>(
        &'a self,
        name: &'a PackageName,
    ) -> BoxFuture<'a, Result<VersionMap, ProviderError>> {
        async move {
            let candidates = self
                .packages
                .get(name)
                .map(|releases| {
                    releases
                        .iter()
                        .map(|(version, release)| Candidate {
                            version: version.clone(),
                            yanked: release.yanked,
                            unusable: release.unusable.clone(),
                            needs_build: false,
                        })
                        .collect()
                })
                .unwrap_or_default();
            Ok(VersionMap::new(candidates, vec!["memory".to_string()]))
        }
        .boxed()
    }

    fn metadata<'a>(
        &'a self,
        name: &'a PackageName,
        version: &'a Version,
    ) -> BoxFuture<'a, Result<Arc<CoreMetadata>, ProviderError>> {
        async move {
            let (_, release) = self
                .packages
                .get(name)
                .and_then(|releases| releases.iter().find(|(v, _)| v == version))
                .ok_or_else(|| ProviderError::msg(format!("no {name} {version}")))?;
            if release.invalid_metadata {
                return Err(ProviderError::msg(format!(
                    "Requires-Dist `b >>> 1` of {name} {version} is invalid"
                ))
                .unusable_version());
            }
            let text = metadata_text(name.as_ref(), &version.to_string(), release);
            CoreMetadata::parse(text.as_bytes())
                .map(Arc::new)
                .map_err(|err| ProviderError::new("bad metadata", err))
        }
        .boxed()
    }
}

fn markers(python: &str) -> MarkerEnvironment {
    let short: String = python.split('.').take(2).collect::<Vec<_>>().join(".");
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: "cpython",
        implementation_version: python,
        os_name: "posix",
        platform_machine: "x86_64",
        platform_python_implementation: "CPython",
        platform_release: "6.1.0",
        platform_system: "Linux",
        platform_version: "#1 SMP",
        python_full_version: python,
        python_version: &short,
        sys_platform: "linux",
    })
    .unwrap()
}

fn run(path: &std::path::Path) -> Result<(), String> {
    let scenario: Scenario = toml::from_str(&fs_read(path)).map_err(|err| err.to_string())?;
    let mut packages: HashMap<PackageName, Vec<(Version, Release)>> = HashMap::new();
    for (name, releases) in scenario.packages {
        let name: PackageName = name.parse().unwrap();
        for (version, release) in releases {
            packages
                .entry(name.clone())
                .or_default()
                .push((version.parse().unwrap(), release));
        }
    }
    let parse = |text: &String| text.parse::<Requirement>().unwrap();
    let options = ResolveOptions {
        markers: markers(&scenario.python),
        python_version: scenario.python.parse().unwrap(),
        prerelease: if scenario.pre {
            PrereleaseMode::Allow
        } else {
            PrereleaseMode::IfNecessaryOrExplicit
        },
        upgrade: if scenario.upgrade.is_empty() {
            Upgrade::None
        } else {
            Upgrade::Packages(
                scenario
                    .upgrade
                    .iter()
                    .map(|n| n.parse().unwrap())
                    .collect::<HashSet<_>>(),
            )
        },
        preferences: scenario
            .preferences
            .iter()
            .map(|(name, version)| (name.parse().unwrap(), version.parse().unwrap()))
            .collect(),
        constraints: scenario.constraints.iter().map(parse).collect(),
        no_deps: scenario.no_deps,
    };
    let requirements = scenario.requirements.iter().map(parse).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let result = runtime.block_on(resolve(
        requirements,
        Arc::new(MemoryProvider { packages }),
        options,
    ));
    match (result, scenario.expect) {
        (
            Ok(resolution),
            Expect {
                resolution: Some(expected),
                absent,
                ..
            },
        ) => {
            let got: BTreeMap<String, String> = resolution
                .packages
                .iter()
                .map(|p| (p.name.to_string(), p.version.to_string()))
                .collect();
            if got != expected {
                return Err(format!("expected {expected:?}, got {got:?}"));
            }
            for name in absent {
                if got.contains_key(&name) {
                    return Err(format!("{name} should not be installed"));
                }
            }
            Ok(())
        }
        (
            Err(ResolveError::NoSolution { report, hints }),
            Expect {
                error,
                resolution: None,
                ..
            },
        ) => {
            let text = format!("{report}\n{}", hints.join("\n"));
            for phrase in &error {
                if !text.contains(phrase.as_str()) {
                    return Err(format!("error lacks `{phrase}`:\n{text}"));
                }
            }
            Ok(())
        }
        (Ok(resolution), _) => Err(format!(
            "expected an error, got {:?}",
            resolution
                .packages
                .iter()
                .map(|p| format!("{}=={}", p.name, p.version))
                .collect::<Vec<_>>()
        )),
        (Err(err), _) => Err(format!("unexpected error: {err}")),
    }
}

fn fs_read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn scenarios() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 10, "scenarios missing in {}", dir.display());
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|path| {
            run(path)
                .err()
                .map(|err| format!("{}: {err}", path.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
