//! `git+` URLs (`git+https://host/repo.git@v1.0#subdirectory=pkg`): a bare clone per
//! repository in the cache, fetched on use, and one checkout per commit.

use std::path::{Path, PathBuf};
use std::process::Command;

use wharf_cache::{Bucket, Cache, LockedFile};

use crate::BuildError;

/// A parsed `git+` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// The repository URL git understands (without `git+`, revision and fragment).
    pub repository: String,
    /// A branch, tag or commit; `None` for the default branch.
    pub revision: Option<String>,
    /// `#subdirectory=`: where the project is inside the repository.
    pub subdirectory: Option<String>,
}

impl GitUrl {
    /// Parse `git+SCHEME://…[@REV][#subdirectory=DIR]`. `None` when the URL is not `git+`.
    pub fn parse(url: &str) -> Option<Self> {
        let rest = url.strip_prefix("git+")?;
        let (rest, fragment) = match rest.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (rest, None),
        };
        let subdirectory = fragment.and_then(|fragment| {
            fragment
                .split('&')
                .find_map(|part| part.strip_prefix("subdirectory="))
                .map(str::to_string)
        });
        // The revision is an `@` after the authority (an `@` before it is user info).
        let path_start = rest
            .find("://")
            .map(|at| at + 3 + rest[at + 3..].find('/').unwrap_or(rest.len() - at - 3))
            .unwrap_or(0);
        let (repository, revision) = match rest[path_start..].rfind('@') {
            Some(at) => (
                rest[..path_start + at].to_string(),
                Some(rest[path_start + at + 1..].to_string()),
            ),
            None => (rest.to_string(), None),
        };
        Some(Self {
            repository,
            revision: revision.filter(|rev| !rev.is_empty()),
            subdirectory,
        })
    }

    /// The repository URL without credentials, for messages.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.repository) {
            Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
                let _ = url.set_username("");
                let _ = url.set_password(None);
                url.to_string()
            }
            _ => self.repository.clone(),
        }
    }
}

/// A checked-out commit.
#[derive(Debug, Clone)]
pub struct GitCheckout {
    /// The project directory (the checkout, or its subdirectory).
    pub dir: PathBuf,
    /// The full commit hash.
    pub commit: String,
}

fn git(args: &[&str], dir: Option<&Path>, url: &GitUrl) -> Result<String, BuildError> {
    let mut command = Command::new("git");
    command.args(args).env("GIT_TERMINAL_PROMPT", "0");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command.output().map_err(|err| {
        BuildError::Git(format!(
            "cannot run git ({err}); install git to use git+ URLs"
        ))
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // Git may echo the URL with its credentials: show the redacted form.
        let stderr = stderr.replace(&url.repository, &url.redacted());
        return Err(BuildError::Git(format!(
            "`git {}` for {}: {}",
            args.first().copied().unwrap_or_default(),
            url.redacted(),
            stderr.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn is_commit(revision: &str) -> bool {
    revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Check out `url` (fetching into the cache's clone of the repository first, unless the
/// revision is a full commit already checked out).
pub fn checkout(cache: &Cache, url: &GitUrl) -> Result<GitCheckout, BuildError> {
    let root = cache.bucket(Bucket::Builds)?.join("git");
    let checkouts = root.join("checkouts");
    fs_err::create_dir_all(&checkouts)?;
    let with_subdirectory = |dir: PathBuf, commit: String| -> Result<GitCheckout, BuildError> {
        let project = match &url.subdirectory {
            Some(sub) => {
                let path = dir.join(sub);
                if sub.split('/').any(|part| part == "..") || !path.is_dir() {
                    return Err(BuildError::Git(format!(
                        "{} has no directory `{sub}` at {commit}",
                        url.redacted()
                    )));
                }
                path
            }
            None => dir,
        };
        Ok(GitCheckout {
            dir: project,
            commit,
        })
    };
    if let Some(revision) = &url.revision
        && is_commit(revision)
    {
        let dir = checkouts.join(revision.to_ascii_lowercase());
        if dir.join(".wharf-complete").is_file() {
            return with_subdirectory(dir, revision.to_ascii_lowercase());
        }
    }
    let key = wharf_cache::digest(&url.repository);
    let db = root.join("db").join(&key[..20]);
    fs_err::create_dir_all(root.join("db"))?;
    let _lock = LockedFile::acquire(root.join("db").join(format!("{}.lock", &key[..20])))?;
    if !db.join("HEAD").is_file() {
        let _ = fs_err::remove_dir_all(&db);
        let db_text = db.to_string_lossy().into_owned();
        git(
            &["clone", "--bare", "--quiet", &url.repository, &db_text],
            None,
            url,
        )?;
    } else {
        git(
            &[
                "fetch",
                "--quiet",
                "--force",
                &url.repository,
                "+refs/heads/*:refs/heads/*",
                "+refs/tags/*:refs/tags/*",
                "+HEAD:refs/remotes/origin/HEAD",
            ],
            Some(&db),
            url,
        )?;
    }
    let revision = url.revision.as_deref().unwrap_or("HEAD");
    let commit = git(
        &["rev-parse", "--verify", &format!("{revision}^{{commit}}")],
        Some(&db),
        url,
    )
    .or_else(|_| {
        // A commit not reachable from a branch or tag: fetch it by name.
        git(
            &["fetch", "--quiet", &url.repository, revision],
            Some(&db),
            url,
        )?;
        git(
            &["rev-parse", "--verify", "FETCH_HEAD^{commit}"],
            Some(&db),
            url,
        )
    })
    .map_err(|_| {
        BuildError::Git(format!(
            "{} has no branch, tag or commit `{revision}`",
            url.redacted()
        ))
    })?;
    let dir = checkouts.join(&commit);
    if !dir.join(".wharf-complete").is_file() {
        let scratch = tempfile::Builder::new()
            .prefix(".checkout-")
            .tempdir_in(&checkouts)?;
        let work = scratch.path().join("tree");
        let work_text = work.to_string_lossy().into_owned();
        let db_text = db.to_string_lossy().into_owned();
        git(
            &[
                "clone",
                "--quiet",
                "--shared",
                "--no-checkout",
                &db_text,
                &work_text,
            ],
            None,
            url,
        )?;
        git(
            &["checkout", "--quiet", "--detach", &commit],
            Some(&work),
            url,
        )?;
        if work.join(".gitmodules").is_file() {
            git(
                &["submodule", "update", "--init", "--recursive", "--quiet"],
                Some(&work),
                url,
            )?;
        }
        fs_err::write(work.join(".wharf-complete"), &commit)?;
        if dir.exists() {
            fs_err::remove_dir_all(&dir)?;
        }
        fs_err::rename(&work, &dir)?;
    }
    with_subdirectory(dir, commit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_urls() {
        let url =
            GitUrl::parse("git+https://user:tok@host/org/repo.git@v1.0#subdirectory=pkg").unwrap();
        assert_eq!(url.repository, "https://user:tok@host/org/repo.git");
        assert_eq!(url.revision.as_deref(), Some("v1.0"));
        assert_eq!(url.subdirectory.as_deref(), Some("pkg"));
        assert_eq!(url.redacted(), "https://host/org/repo.git");
        let url = GitUrl::parse("git+ssh://git@host/repo").unwrap();
        assert_eq!(url.repository, "ssh://git@host/repo");
        assert_eq!(url.revision, None);
        let url = GitUrl::parse("git+file:///tmp/repo@main").unwrap();
        assert_eq!(url.repository, "file:///tmp/repo");
        assert_eq!(url.revision.as_deref(), Some("main"));
        assert!(GitUrl::parse("https://host/x.whl").is_none());
    }
}
