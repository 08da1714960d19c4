//! `wharf publish`: upload wheels and sdists with the legacy upload API (what twine uses),
//! then report what was uploaded, skipped or failed.
//!
//! Every file is checked and hashed, and the URL and credentials worked out, before the
//! first upload; uploads stop at the first failure, as twine's do, so that a release is not
//! published piecemeal past a problem.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use wharf_cli::{GlobalArgs, PublishArgs};
use wharf_publish::{
    Distribution, Environment, Outcome, Progress, PublishError, Target, TargetRequest,
    UploadFailure, UploadOptions, Uploader, find_distributions, resolve_target,
};

use crate::error::Hinted;
use crate::printer::Printer;
use crate::settings::Context;

pub(crate) async fn publish(
    global: &GlobalArgs,
    args: PublishArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let context = Context::load(global, Vec::new())?;
    if context.settings.flag("offline") && !args.dry_run {
        return Err(Hinted::new(
            "cannot publish while offline",
            "drop --offline (or unset WHARF_OFFLINE), or pass --dry-run to only check the files",
        )
        .into());
    }
    let options = upload_options(&context)?;

    let working_dir = std::env::current_dir().context("failed to read the working directory")?;
    let paths = args.dists.clone();
    let distributions =
        tokio::task::spawn_blocking(move || find_distributions(&paths, &working_dir))
            .await
            .context("the task reading the distributions failed")?
            .map_err(hinted)?;

    let request = TargetRequest {
        repository_url: args.repository_url.clone(),
        repository: args.repository.clone(),
        username: args.username.clone(),
        password: args.password.clone(),
        token: args.token.clone(),
        allow_anonymous: args.dry_run,
    };
    let var = |name: &str| std::env::var(name).ok();
    let environment = Environment {
        var: &var,
        pypirc: std::env::var_os("HOME")
            .filter(|home| !home.is_empty())
            .map(|home| PathBuf::from(home).join(".pypirc")),
        netrc: &wharf_client::netrc_credentials,
    };
    let target = resolve_target(&request, &environment).map_err(hinted)?;
    match &target.credentials {
        Some(credentials) => printer.detail(format!(
            "Uploading as `{}` (credentials from {})",
            credentials.username, credentials.source
        )),
        None => printer.detail("Uploading without credentials"),
    }
    printer.detail(format!("Upload URL from {}", target.url_source));

    if args.dry_run {
        if target.credentials.is_none() && target.is_pypi() {
            printer.warn(format!(
                "no credentials for {}: pass --token or set WHARF_PUBLISH_TOKEN to upload",
                target.display_url()
            ));
        }
        let entries: Vec<Entry> = distributions
            .iter()
            .map(|distribution| Entry {
                distribution,
                result: EntryResult::WouldUpload,
            })
            .collect();
        report(printer, &args, &target, &entries)?;
        printer.status(format!(
            "Checked {}; nothing was uploaded (--dry-run)",
            count(entries.len(), "distribution")
        ));
        return Ok(ExitCode::SUCCESS);
    }

    printer.status(format!(
        "Uploading {} to {}",
        count(distributions.len(), "distribution"),
        target.display_url()
    ));
    let start = Instant::now();
    let uploader = Uploader::new(target.clone(), options.clone()).map_err(hinted)?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut failure: Option<(&Distribution, UploadFailure)> = None;
    for distribution in &distributions {
        if failure.is_some() {
            entries.push(Entry {
                distribution,
                result: EntryResult::NotAttempted,
            });
            continue;
        }
        let bar = printer.progress(distribution.size, &distribution.filename);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner:.cyan} {msg} [{bar:30.cyan/blue}] {bytes}/{total_bytes}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        let progress = Arc::new(BarProgress {
            bar: bar.clone(),
            printer: printer.clone(),
            filename: distribution.filename.clone(),
            attempts: options.attempts,
        });
        let outcome = uploader
            .upload(distribution, args.skip_existing, progress)
            .await;
        bar.finish_and_clear();
        let result = match outcome {
            Outcome::Uploaded { status, attempts } => EntryResult::Uploaded { status, attempts },
            Outcome::Skipped { status, reason } => EntryResult::Skipped { status, reason },
            Outcome::Failed(upload_failure) => {
                failure = Some((distribution, upload_failure.clone()));
                EntryResult::Failed(upload_failure)
            }
        };
        if !args.json {
            printer.result(line(&Entry {
                distribution,
                result: result.clone(),
            }));
        }
        entries.push(Entry {
            distribution,
            result,
        });
    }
    if args.json {
        report(printer, &args, &target, &entries)?;
    } else {
        for entry in entries
            .iter()
            .filter(|entry| matches!(entry.result, EntryResult::NotAttempted))
        {
            printer.result(line(entry));
        }
    }
    let uploaded = entries
        .iter()
        .filter(|entry| matches!(entry.result, EntryResult::Uploaded { .. }))
        .count();
    let skipped = entries
        .iter()
        .filter(|entry| matches!(entry.result, EntryResult::Skipped { .. }))
        .count();
    let mut summary = format!("{uploaded} uploaded");
    if skipped > 0 {
        summary.push_str(&format!(", {skipped} skipped (already on the index)"));
    }
    if let Some((distribution, upload_failure)) = failure {
        let not_attempted = entries.len() - uploaded - skipped - 1;
        summary.push_str(", 1 failed");
        if not_attempted > 0 {
            summary.push_str(&format!(", {not_attempted} not attempted"));
        }
        printer.status(summary);
        let hint = failure_hint(&upload_failure, &target);
        let message = format!(
            "failed to upload {} to {}",
            distribution.filename,
            target.display_url()
        );
        return Err(
            anyhow::Error::new(Hinted::new(upload_failure.to_string(), hint)).context(message),
        );
    }
    printer.status(format!("{summary} in {:.1?}", start.elapsed()));
    Ok(ExitCode::SUCCESS)
}

/// Timeout from the shared `timeout` setting; the first retry delay from
/// `WHARF_PUBLISH_RETRY_DELAY` (seconds; default 1, doubling per retry).
fn upload_options(context: &Context) -> Result<UploadOptions> {
    let mut options = UploadOptions::default();
    if let Some(timeout) = context.settings.string("timeout") {
        let seconds: f64 = timeout.parse().map_err(|_| {
            Hinted::new(
                format!("timeout `{timeout}` is not a number of seconds"),
                "set WHARF_HTTP_TIMEOUT to e.g. 30",
            )
        })?;
        options.timeout = Duration::from_secs_f64(seconds.max(0.1));
    }
    if let Some(delay) = std::env::var("WHARF_PUBLISH_RETRY_DELAY")
        .ok()
        .filter(|delay| !delay.trim().is_empty())
    {
        let seconds: f64 = delay
            .trim()
            .parse()
            .ok()
            .filter(|seconds: &f64| seconds.is_finite() && *seconds >= 0.0)
            .ok_or_else(|| {
                Hinted::new(
                    format!("WHARF_PUBLISH_RETRY_DELAY `{delay}` is not a number of seconds"),
                    "set it to e.g. 0.5, or unset it for the default (1 second)",
                )
            })?;
        options.retry_delay = Duration::from_secs_f64(seconds);
    }
    Ok(options)
}

/// A progress bar in bytes that restarts on a retry and says why it retries.
struct BarProgress {
    bar: ProgressBar,
    printer: Printer,
    filename: String,
    attempts: u32,
}

impl Progress for BarProgress {
    fn attempt(&self, _attempt: u32) {
        self.bar.set_position(0);
    }

    fn sent(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn retrying(&self, attempt: u32, delay: Duration, reason: &str) {
        self.bar.suspend(|| {
            self.printer.warn(format!(
                "uploading {} failed ({reason}); retrying in {delay:.1?} (attempt {} of {})",
                self.filename,
                attempt + 1,
                self.attempts
            ));
        });
    }
}

/// One file in the report.
struct Entry<'a> {
    distribution: &'a Distribution,
    result: EntryResult,
}

#[derive(Clone)]
enum EntryResult {
    WouldUpload,
    Uploaded { status: u16, attempts: u32 },
    Skipped { status: u16, reason: String },
    Failed(UploadFailure),
    NotAttempted,
}

impl EntryResult {
    fn label(&self) -> &'static str {
        match self {
            Self::WouldUpload => "would-upload",
            Self::Uploaded { .. } => "uploaded",
            Self::Skipped { .. } => "skipped",
            Self::Failed(_) => "failed",
            Self::NotAttempted => "not-attempted",
        }
    }
}

/// The human line for one file.
fn line(entry: &Entry<'_>) -> String {
    let distribution = entry.distribution;
    let name = &distribution.filename;
    match &entry.result {
        EntryResult::WouldUpload => format!(
            "Would upload {name} ({}, {} {})",
            HumanBytes(distribution.size),
            distribution.metadata.raw.name.trim(),
            distribution.metadata.version
        ),
        EntryResult::Uploaded { attempts, .. } => {
            let retried = if *attempts > 1 {
                format!(", after {attempts} attempts")
            } else {
                String::new()
            };
            format!(
                "Uploaded {name} ({}{retried})",
                HumanBytes(distribution.size)
            )
        }
        EntryResult::Skipped { status, reason } => {
            format!("Skipped {name}: the index already has it ({status}: {reason})")
        }
        EntryResult::Failed(failure) => format!("Failed {name}: {failure}"),
        EntryResult::NotAttempted => {
            format!("Not uploaded {name}: stopped after the failure above")
        }
    }
}

/// The JSON report (with `--json`), or the dry run's lines.
fn report(
    printer: &Printer,
    args: &PublishArgs,
    target: &Target,
    entries: &[Entry<'_>],
) -> Result<()> {
    if !args.json {
        for entry in entries {
            printer.result(line(entry));
        }
        return Ok(());
    }
    let items: Vec<serde_json::Value> = entries
        .iter()
        .map(|entry| {
            let distribution = entry.distribution;
            let (http_status, message, attempts) = match &entry.result {
                EntryResult::Uploaded { status, attempts } => {
                    (Some(*status), None, Some(*attempts))
                }
                EntryResult::Skipped { status, reason } => {
                    (Some(*status), Some(reason.clone()), None)
                }
                EntryResult::Failed(failure) => {
                    let attempts = match failure {
                        UploadFailure::Status { attempts, .. }
                        | UploadFailure::Connection { attempts, .. } => Some(*attempts),
                        _ => None,
                    };
                    (failure.status(), Some(failure.to_string()), attempts)
                }
                EntryResult::WouldUpload | EntryResult::NotAttempted => (None, None, None),
            };
            serde_json::json!({
                "file": distribution.filename,
                "path": distribution.path,
                "name": distribution.metadata.raw.name.trim(),
                "version": distribution.metadata.version.to_string(),
                "filetype": distribution.kind.filetype(),
                "pyversion": distribution.pyversion,
                "size": distribution.size,
                "sha256": distribution.digests.sha256,
                "repository": target.display_url(),
                "status": entry.result.label(),
                "http_status": http_status,
                "attempts": attempts,
                "message": message,
            })
        })
        .collect();
    printer.result(serde_json::to_string_pretty(&items)?);
    Ok(())
}

fn count(number: usize, noun: &str) -> String {
    if number == 1 {
        format!("1 {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

/// What to do about a failed upload.
fn failure_hint(failure: &UploadFailure, target: &Target) -> String {
    match failure {
        UploadFailure::Status {
            already_exists: true,
            ..
        } => "the index already has this file; pass --skip-existing to skip the files it has, or publish a new version".to_string(),
        UploadFailure::Status { status: 401 | 403, .. } => match &target.credentials {
            Some(credentials) if credentials.is_token() => format!(
                "the index refused the API token (from {}); check that it is valid and may upload to this project",
                credentials.source
            ),
            Some(credentials) => format!(
                "the index refused the credentials of user `{}` (from {}); check them, or pass --token, or -u and --password",
                credentials.username, credentials.source
            ),
            None => "no credentials were sent; pass --token (or set WHARF_PUBLISH_TOKEN), or -u and --password, or add them to ~/.pypirc".to_string(),
        },
        UploadFailure::Status { status: 404 | 405, .. } => format!(
            "check the upload URL (from {}): PyPI's is {}, and pypiserver takes uploads at its root URL",
            target.url_source,
            wharf_publish::PYPI_UPLOAD_URL
        ),
        UploadFailure::Status { status, .. } if *status >= 500 || *status == 429 => {
            "the server kept failing; try again later".to_string()
        }
        UploadFailure::Status { .. } => {
            "the index refused the file; `wharf check DIST` validates a distribution as an index would".to_string()
        }
        UploadFailure::Redirect { .. } => {
            "an upload is never redirected: pass the URL it pointed to with --repository-url".to_string()
        }
        UploadFailure::Connection { .. } => format!(
            "check the upload URL (from {}) and that the server is reachable",
            target.url_source
        ),
        UploadFailure::Read { .. } => "check that the file is readable and was not changed while uploading".to_string(),
    }
}

/// A library error with advice, keeping its cause as a `caused by:` line.
fn hinted(err: PublishError) -> anyhow::Error {
    let hint = match &err {
        PublishError::NotFound(_) | PublishError::NoDistributions(_) => {
            Some("build the project first (`wharf build`), or pass the wheels and sdists to upload")
        }
        PublishError::UnknownFormat { .. } | PublishError::InvalidFilename { .. } => {
            Some("only wheels and sdists (.tar.gz, .zip) with standard file names can be uploaded")
        }
        PublishError::Metadata { .. } | PublishError::Mismatch { .. } => {
            Some("rebuild the distribution; `wharf check DIST` says more about what is wrong")
        }
        PublishError::UnknownRepository { .. } => Some(
            "add a section with `repository`, `username` and `password` to ~/.pypirc, or pass --repository-url",
        ),
        PublishError::Pypirc { .. } => {
            Some("fix the file, or pass --repository-url and the credentials as flags")
        }
        PublishError::InvalidUrl { .. } => {
            Some("pass an http(s) upload URL, e.g. https://upload.pypi.org/legacy/")
        }
        PublishError::MissingPassword { .. } => Some(
            "pass --password, set WHARF_PUBLISH_PASSWORD, or add a password to the ~/.pypirc section",
        ),
        PublishError::CredentialsRequired { .. } => Some(
            "create an API token on the index and pass it with --token, set WHARF_PUBLISH_TOKEN, or add it to ~/.pypirc",
        ),
        PublishError::Io { .. } | PublishError::Client(_) => None,
    };
    let Some(hint) = hint else {
        return err.into();
    };
    let message = err.to_string();
    match std::error::Error::source(&err) {
        Some(source) => anyhow::Error::new(Hinted::new(source.to_string(), hint)).context(message),
        None => Hinted::new(message, hint).into(),
    }
}
