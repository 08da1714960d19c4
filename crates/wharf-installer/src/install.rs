//! Installing an unpacked wheel into an environment (PEP 427's "spread" step), and
//! replacing an installed version with it, as one transaction each.
//!
//! The plan (every file's destination) is computed first, then a [`Transaction`] is
//! journaled, then files are linked from the cache in parallel, and the new RECORD is
//! written last, just before the commit: a `.dist-info` without RECORD is never a
//! finished install.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rayon::prelude::*;
use wharf_cache::COMPLETE_MARKER;
use wharf_metadata::{DirectUrl, EntryPoints, HashDigest, Record, RecordEntry, WheelFile};

use crate::layout::relative_slash;
use crate::link::Linker;
use crate::site_packages::{DistKind, InstalledDist};
use crate::transaction::Transaction;
use crate::uninstall::removal_paths;
use crate::{InstallError, Layout, LinkMode, UnpackedWheel};

/// How to install a wheel.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// How files get from the cache into the environment.
    pub link_mode: LinkMode,
    /// The tool name written to INSTALLER.
    pub installer: String,
    /// Written as `direct_url.json` (PEP 610) for URL and path installs.
    pub direct_url: Option<DirectUrl>,
    /// The user asked for this distribution by name: write REQUESTED.
    pub requested: bool,
    /// Compile `.py` files to bytecode with the layout's interpreter (and record the
    /// `.pyc` files so that uninstall removes them).
    pub compile_bytecode: bool,
}

impl Default for InstallOptions {
    fn default() -> Self {
        Self {
            link_mode: LinkMode::default(),
            installer: "wharf".to_string(),
            direct_url: None,
            requested: false,
            compile_bytecode: false,
        }
    }
}

/// What to do for one destination file.
#[derive(Debug)]
enum Action {
    /// Link (or copy) a file from the cache.
    Link(PathBuf),
    /// Write generated content.
    Write { contents: Vec<u8>, executable: bool },
    /// A `.pyc` file `compileall` may create.
    Bytecode,
    /// The RECORD file, written last.
    Record,
}

#[derive(Debug)]
struct Planned {
    target: PathBuf,
    action: Action,
    /// The hash and size from the wheel's RECORD (for linked files).
    hash: Option<HashDigest>,
    size: Option<u64>,
}

/// Install `unpacked` into `layout`. The distribution must not be installed already (use
/// [`replace`] for that). On any error, nothing of it is left in the environment.
pub fn install_wheel(
    unpacked: &UnpackedWheel,
    layout: &Layout,
    options: &InstallOptions,
) -> Result<InstalledDist, InstallError> {
    install(unpacked, layout, options, None)
}

/// Replace the installed `old` distribution (any version) with `unpacked`. On any error the
/// old distribution is left exactly as it was.
pub fn replace(
    unpacked: &UnpackedWheel,
    layout: &Layout,
    options: &InstallOptions,
    old: &InstalledDist,
) -> Result<InstalledDist, InstallError> {
    install(unpacked, layout, options, Some(old))
}

fn install(
    unpacked: &UnpackedWheel,
    layout: &Layout,
    options: &InstallOptions,
    old: Option<&InstalledDist>,
) -> Result<InstalledDist, InstallError> {
    let wheel_name = unpacked.filename.to_string();
    let source_dist_info = unpacked.dist_info();
    let wheel_file = WheelFile::parse(&fs_err::read_to_string(source_dist_info.join("WHEEL"))?)
        .map_err(|source| InstallError::WheelFile {
            wheel: wheel_name.clone(),
            source,
        })?;
    let root = if wheel_file.root_is_purelib {
        &layout.purelib
    } else {
        &layout.platlib
    };
    let plan = plan(unpacked, layout, options, root, &wheel_name)?;
    let old_paths = match old {
        Some(old) => removal_paths(old, layout)?.0,
        None => Vec::new(),
    };
    let transaction = Transaction::begin(
        root,
        layout.fixed_roots(),
        old_paths,
        plan.iter().map(|planned| planned.target.clone()).collect(),
    )?;
    let result = apply(&transaction, &plan, layout, options, root);
    match result {
        Ok(()) => transaction.commit()?,
        Err(err) => {
            if let Err(rollback) = transaction.rollback() {
                tracing::error!("failed to roll back the install of {wheel_name}: {rollback}");
            }
            return Err(err);
        }
    }
    let dist_info = root.join(&unpacked.dist_info_name);
    Ok(InstalledDist {
        name: unpacked.filename.name.clone(),
        version: unpacked.filename.version.clone(),
        dist_info,
        installer: Some(options.installer.clone()),
        editable: options
            .direct_url
            .as_ref()
            .is_some_and(DirectUrl::is_editable),
        direct_url: options.direct_url.clone(),
        requested: options.requested,
        kind: DistKind::DistInfo,
    })
}

/// Every destination file of the wheel, generated files included, RECORD last.
fn plan(
    unpacked: &UnpackedWheel,
    layout: &Layout,
    options: &InstallOptions,
    root: &Path,
    wheel_name: &str,
) -> Result<Vec<Planned>, InstallError> {
    let source_dist_info = unpacked.dist_info();
    let record = Record::parse(&fs_err::read_to_string(source_dist_info.join("RECORD"))?).map_err(
        |source| InstallError::Record {
            location: wheel_name.to_string(),
            source,
        },
    )?;
    let data_prefix = format!("{}/", unpacked.data_dir_name());
    let record_path = format!("{}/RECORD", unpacked.dist_info_name);
    let mut plan = Plan::default();
    let mut header_name: Option<String> = None;

    // RECORD, verified against the zip at unpack time, is the list of files: a file missing
    // from the cache entry then fails the install instead of being silently skipped.
    for entry in &record.entries {
        let relative = entry.path.as_str();
        if relative == record_path || relative.ends_with('/') || relative == COMPLETE_MARKER {
            continue;
        }
        let source = unpacked.path.join(relative);
        let (hash, size) = (entry.hash.clone(), entry.size);
        let Some(rest) = relative.strip_prefix(&data_prefix) else {
            plan.add(Planned {
                target: root.join(relative),
                action: Action::Link(source),
                hash,
                size,
            });
            continue;
        };
        let (scheme, path) = rest
            .split_once('/')
            .ok_or_else(|| InstallError::DataScheme {
                wheel: wheel_name.to_string(),
                scheme: rest.to_string(),
            })?;
        let target = match scheme {
            "purelib" => layout.purelib.join(path),
            "platlib" => layout.platlib.join(path),
            "data" => layout.data.join(path),
            "headers" => {
                let name = match &header_name {
                    Some(name) => name.clone(),
                    None => {
                        let name = metadata_name(&source_dist_info, unpacked);
                        header_name = Some(name.clone());
                        name
                    }
                };
                layout.include.join(name).join(path)
            }
            "scripts" => {
                // Scripts are written, not linked: pip makes them executable whatever the
                // zip says, and changing the mode of a hardlink would change the cache.
                let content = fs_err::read(&source)?;
                let contents = crate::scripts::rewrite_shebang(&content, &layout.python_executable)
                    .unwrap_or(content);
                plan.add(Planned {
                    target: layout.scripts.join(path),
                    action: Action::Write {
                        contents,
                        executable: true,
                    },
                    hash: None,
                    size: None,
                });
                continue;
            }
            other => {
                return Err(InstallError::DataScheme {
                    wheel: wheel_name.to_string(),
                    scheme: other.to_string(),
                });
            }
        };
        plan.add(Planned {
            target,
            action: Action::Link(source),
            hash,
            size,
        });
    }

    let entry_points_path = source_dist_info.join("entry_points.txt");
    if entry_points_path.is_file() {
        let entry_points = EntryPoints::parse(&fs_err::read_to_string(&entry_points_path)?)
            .map_err(|source| InstallError::EntryPoints {
                wheel: wheel_name.to_string(),
                source,
            })?;
        for entry_point in entry_points
            .console_scripts
            .iter()
            .chain(&entry_points.gui_scripts)
        {
            let name = &entry_point.name;
            if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
                return Err(InstallError::ScriptName {
                    wheel: wheel_name.to_string(),
                    name: name.clone(),
                });
            }
            let object =
                entry_point
                    .object
                    .as_deref()
                    .ok_or_else(|| InstallError::ScriptTarget {
                        wheel: wheel_name.to_string(),
                        name: name.clone(),
                        module: entry_point.module.clone(),
                    })?;
            plan.add(Planned {
                target: layout.scripts.join(name),
                action: Action::Write {
                    contents: crate::scripts::launcher(
                        entry_point,
                        object,
                        &layout.python_executable,
                    )
                    .into_bytes(),
                    executable: true,
                },
                hash: None,
                size: None,
            });
        }
    }

    let dist_info = root.join(&unpacked.dist_info_name);
    let mut generated = vec![("INSTALLER", format!("{}\n", options.installer))];
    if options.requested {
        generated.push(("REQUESTED", String::new()));
    }
    if let Some(direct_url) = &options.direct_url {
        generated.push(("direct_url.json", direct_url.to_json()));
    }
    for (file, contents) in generated {
        plan.add(Planned {
            target: dist_info.join(file),
            action: Action::Write {
                contents: contents.into_bytes(),
                executable: false,
            },
            hash: None,
            size: None,
        });
    }

    if options.compile_bytecode {
        let cache_tag = layout.cache_tag();
        let sources: Vec<PathBuf> = plan
            .files
            .iter()
            .filter(|planned| is_compilable(&planned.target, layout))
            .map(|planned| planned.target.clone())
            .collect();
        for source in sources {
            let (Some(parent), Some(stem)) = (source.parent(), source.file_stem()) else {
                continue;
            };
            let pyc = parent
                .join("__pycache__")
                .join(format!("{}.{cache_tag}.pyc", stem.to_string_lossy()));
            plan.add(Planned {
                target: pyc,
                action: Action::Bytecode,
                hash: None,
                size: None,
            });
        }
    }
    plan.add(Planned {
        target: dist_info.join("RECORD"),
        action: Action::Record,
        hash: None,
        size: None,
    });
    Ok(plan.files)
}

/// The files of an install, one per destination.
#[derive(Debug, Default)]
struct Plan {
    files: Vec<Planned>,
    positions: HashMap<PathBuf, usize>,
}

impl Plan {
    /// Add a file; a later entry for the same destination wins (entry points over
    /// `.data/scripts`, generated dist-info files over copies from the wheel), as with pip.
    fn add(&mut self, planned: Planned) {
        match self.positions.get(&planned.target) {
            Some(&position) => self.files[position] = planned,
            None => {
                self.positions
                    .insert(planned.target.clone(), self.files.len());
                self.files.push(planned);
            }
        }
    }
}

/// The project name as METADATA writes it (headers go to `include/<Name>`, as with pip).
fn metadata_name(dist_info: &Path, unpacked: &UnpackedWheel) -> String {
    fs_err::read_to_string(dist_info.join("METADATA"))
        .ok()
        .and_then(|text| {
            text.lines()
                .take_while(|line| !line.is_empty())
                .find_map(|line| {
                    line.strip_prefix("Name:")
                        .map(|name| name.trim().to_string())
                })
        })
        .unwrap_or_else(|| unpacked.filename.name.to_string())
}

fn is_compilable(target: &Path, layout: &Layout) -> bool {
    target
        .extension()
        .is_some_and(|extension| extension == "py")
        && (target.starts_with(&layout.purelib) || target.starts_with(&layout.platlib))
}

/// Carry out the plan inside the transaction.
fn apply(
    transaction: &Transaction,
    plan: &[Planned],
    layout: &Layout,
    options: &InstallOptions,
    root: &Path,
) -> Result<(), InstallError> {
    transaction.move_old()?;
    let parents: BTreeSet<&Path> = plan
        .iter()
        .filter_map(|planned| planned.target.parent())
        .collect();
    for parent in parents {
        fs_err::create_dir_all(parent)?;
    }
    let linker = Linker::new(options.link_mode);
    plan.par_iter()
        .enumerate()
        .try_for_each(|(index, planned)| -> Result<(), InstallError> {
            transaction.stash_new(index)?;
            match &planned.action {
                Action::Link(source) => linker.link(source, &planned.target)?,
                Action::Write {
                    contents,
                    executable,
                } => write_new(&planned.target, contents, *executable)?,
                Action::Bytecode | Action::Record => {}
            }
            Ok(())
        })?;
    if options.compile_bytecode {
        compile(plan, layout);
    }

    // The new RECORD, every path relative to the .dist-info's parent.
    let mut entries = Vec::with_capacity(plan.len());
    let mut record_target = None;
    for planned in plan {
        let path = relative_slash(&planned.target, root);
        let (hash, size) = match &planned.action {
            Action::Record => {
                record_target = Some(&planned.target);
                (None, None)
            }
            Action::Write { contents, .. } => (
                Some(HashDigest::sha256_of(contents)),
                Some(contents.len() as u64),
            ),
            Action::Link(_) if planned.hash.is_some() && planned.size.is_some() => {
                (planned.hash.clone(), planned.size)
            }
            Action::Link(_) => {
                let contents = fs_err::read(&planned.target)?;
                (
                    Some(HashDigest::sha256_of(&contents)),
                    Some(contents.len() as u64),
                )
            }
            Action::Bytecode => match std::fs::read(&planned.target) {
                Ok(contents) => (
                    Some(HashDigest::sha256_of(&contents)),
                    Some(contents.len() as u64),
                ),
                // Not compiled (a syntax error, or Python 2 code): nothing to record.
                Err(_) => continue,
            },
        };
        entries.push(RecordEntry { path, hash, size });
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let record = Record { entries };
    if let Some(target) = record_target {
        write_new(target, record.to_csv().as_bytes(), false)?;
    }
    Ok(())
}

/// Write a file that does not exist yet.
fn write_new(path: &Path, contents: &[u8], executable: bool) -> Result<(), InstallError> {
    let mut options = fs_err::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt;
        options.mode(if executable { 0o755 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = executable;
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    Ok(())
}

/// Compile the installed `.py` files with the environment's interpreter, one process per
/// wheel. Failures only warn, as with pip: a module with a syntax error for this Python
/// (a vendored Python 2 file) must not fail the install.
fn compile(plan: &[Planned], layout: &Layout) {
    let sources: Vec<&Path> = plan
        .iter()
        .filter(|planned| matches!(planned.action, Action::Link(_)))
        .map(|planned| planned.target.as_path())
        .filter(|target| is_compilable(target, layout))
        .collect();
    if sources.is_empty() {
        return;
    }
    let mut list = String::new();
    for source in sources {
        list.push_str(&source.to_string_lossy());
        list.push('\n');
    }
    let child = Command::new(&layout.python_executable)
        .args(["-m", "compileall", "-q", "-i", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(err) => {
            tracing::warn!(
                "failed to run {} to compile bytecode: {err}",
                layout.python_executable.display()
            );
            return;
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(list.as_bytes());
    }
    match child.wait_with_output() {
        Ok(output) if output.status.success() => {}
        Ok(output) => tracing::warn!(
            "compiling bytecode failed for some files: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        Err(err) => tracing::warn!("compiling bytecode failed: {err}"),
    }
}
