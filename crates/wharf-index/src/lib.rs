//! A static package index from a directory of distributions: PEP 503 HTML and PEP 691
//! JSON pages per normalized project name, PEP 658 `.metadata` files next to the wheels,
//! PEP 700 size and upload time, and a flat find-links page.
//!
//! Regeneration is incremental: a state file (`OUT/.wharf-index.json`) remembers each
//! file's size, mtime and hashes, so an unchanged file is only `stat`ed, never re-read;
//! pages are rendered in memory and written (temp file + rename) only when their bytes
//! differ from what is on disk.

mod render;
mod scan;
mod state;

use std::path::{Path, PathBuf};

pub use scan::Skipped;

/// Why the index could not be built. Bad individual files are not errors: they are
/// [`Skipped`] with a reason.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The distribution directory cannot be listed.
    #[error("cannot read the distribution directory {}", path.display())]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An output file cannot be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The base URL is not usable.
    #[error("invalid base URL `{0}`: expected an http(s):// or file:// URL")]
    BaseUrl(String),
}

/// What to index and where.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// The directory of wheels and sdists (not searched recursively).
    pub dir: PathBuf,
    /// Where the pages go (default: `dir`); pages under `OUT/simple/`.
    pub output: Option<PathBuf>,
    /// Where the distribution files are served from (default: links relative to the pages).
    pub base_url: Option<String>,
}

/// What a run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Summary {
    /// The distribution directory.
    pub dir: PathBuf,
    /// The output directory.
    pub output: PathBuf,
    /// Distribution files in the index.
    pub files: usize,
    /// Projects in the index.
    pub projects: usize,
    /// Files that had to be hashed (new or changed since the last run).
    pub hashed: usize,
    /// Pages and metadata files written, relative to the output directory.
    pub written: Vec<String>,
    /// Files left out, with the reason.
    pub skipped: Vec<Skipped>,
}

/// Build or refresh the index.
pub fn build_index(options: &IndexOptions) -> Result<Summary, IndexError> {
    let dir = options.dir.clone();
    let output = options.output.clone().unwrap_or_else(|| dir.clone());
    if let Some(base) = &options.base_url
        && !["http://", "https://", "file://"]
            .iter()
            .any(|scheme| base.starts_with(scheme))
    {
        return Err(IndexError::BaseUrl(base.clone()));
    }
    std::fs::create_dir_all(&output).map_err(|source| IndexError::Write {
        path: output.clone(),
        source,
    })?;
    let state_path = output.join(state::STATE_FILE);
    let previous = state::State::load(&state_path);
    let scanned = scan::scan(&dir, &previous)?;

    let mut written = Vec::new();
    // PEP 658 files first, so that pages never point at a metadata file not yet there.
    for (filename, metadata) in &scanned.new_metadata {
        let path = dir.join(format!("{filename}.metadata"));
        if write_if_changed(&path, metadata)? {
            written.push(display_relative(&path, &output));
        }
    }
    // Metadata files of wheels that are gone.
    for (filename, entry) in &previous.files {
        if entry.metadata_sha256.is_some() && !scanned.state.files.contains_key(filename) {
            let _ = fs_err::remove_file(dir.join(format!("{filename}.metadata")));
        }
    }

    let links = render::Links::new(&dir, &output, options.base_url.as_deref());
    let pages = render::pages(&scanned.state, &links);
    for (relative, bytes) in &pages.files {
        let path = output.join(relative);
        if write_if_changed(&path, bytes.as_bytes())? {
            written.push(relative.clone());
        }
    }
    // Projects that no longer have any file.
    let simple = output.join("simple");
    for project in previous.projects() {
        if !pages.projects.contains(&project) {
            let _ = fs_err::remove_dir_all(simple.join(&project));
        }
    }
    let state_bytes = scanned.state.to_bytes();
    write_if_changed(&state_path, &state_bytes)?;

    Ok(Summary {
        dir,
        output,
        files: scanned.state.files.len(),
        projects: pages.projects.len(),
        hashed: scanned.hashed,
        written,
        skipped: scanned.skipped,
    })
}

/// `path` relative to `base` for messages, or the full path when outside it.
fn display_relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Write `bytes` to `path` through a temporary file and a rename, unless the file already
/// holds exactly these bytes. Returns whether it wrote.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<bool, IndexError> {
    if let Ok(existing) = std::fs::read(path)
        && existing == bytes
    {
        return Ok(false);
    }
    let error = |source: std::io::Error| IndexError::Write {
        path: path.to_path_buf(),
        source,
    };
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(error)?;
    let mut temp = tempfile::NamedTempFile::new_in(parent).map_err(error)?;
    std::io::Write::write_all(&mut temp, bytes).map_err(error)?;
    // Readable by a web server, as a plain `open` would have made it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(error)?;
    }
    temp.persist(path).map_err(|err| error(err.error))?;
    Ok(true)
}
