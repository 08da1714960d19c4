//! `wharf check DIST...`: validate wheels and sdists as an index would before an upload
//! (the checks live in `wharf-dist-check`; this prints the reports).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;
use wharf_cli::{CheckArgs, GlobalArgs};
use wharf_dist_check::{DistKind, Problem, Report, Severity};

use crate::printer::Printer;

/// One file's result as `--json` prints it.
#[derive(Serialize)]
struct JsonReport<'a> {
    path: String,
    kind: Option<DistKind>,
    passed: bool,
    errors: usize,
    warnings: usize,
    problems: &'a [Problem],
}

pub(crate) fn check_dists(
    _global: &GlobalArgs,
    args: CheckArgs,
    printer: &Printer,
) -> Result<ExitCode> {
    let reports: Vec<Report> = expand(&args.dists).iter().map(|path| check(path)).collect();
    let failed = reports
        .iter()
        .filter(|report| !report.passed(args.strict))
        .count();
    if args.json {
        let json: Vec<JsonReport<'_>> = reports
            .iter()
            .map(|report| JsonReport {
                path: report.path.display().to_string(),
                kind: report.kind,
                passed: report.passed(args.strict),
                errors: count(report, Severity::Error),
                warnings: count(report, Severity::Warning),
                problems: &report.problems,
            })
            .collect();
        printer.result(serde_json::to_string_pretty(&json)?);
    } else {
        for report in &reports {
            print_report(printer, report, args.strict);
        }
        if failed > 0 {
            let warnings_only = reports
                .iter()
                .filter(|report| !report.passed(args.strict))
                .all(|report| !report.has_errors());
            let hint = if warnings_only {
                "--strict fails on warnings; fix them, or check without --strict".to_string()
            } else if reports.len() == 1 {
                "an index would reject this file; fix the errors above and rebuild it".to_string()
            } else {
                format!(
                    "an index would reject {failed} of {} files; fix the errors above and rebuild them",
                    reports.len()
                )
            };
            printer.status(format!("{}: {hint}", printer.paint_hint("hint")));
        }
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A directory stands for the distributions in it (as `twine check dist/*` would).
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        let entries = path.is_dir().then(|| fs_err::read_dir(path).ok()).flatten();
        match entries {
            Some(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                    .filter(|path| {
                        let name = path.file_name().unwrap_or_default().to_string_lossy();
                        name.ends_with(".whl")
                            || name.ends_with(".tar.gz")
                            || name.ends_with(".zip")
                    })
                    .collect();
                found.sort();
                out.extend(found);
            }
            None => out.push(path.clone()),
        }
    }
    out
}

/// Check one file; a file that cannot be read is a failed report, so that the others are
/// still checked.
fn check(path: &Path) -> Report {
    wharf_dist_check::check_file(path).unwrap_or_else(|err| {
        let cause = std::error::Error::source(&err)
            .map(|source| format!(": {source}"))
            .unwrap_or_default();
        Report {
            path: path.to_path_buf(),
            kind: None,
            problems: vec![Problem::error("unreadable", format!("{err}{cause}"))],
        }
    })
}

fn count(report: &Report, severity: Severity) -> usize {
    report
        .problems
        .iter()
        .filter(|problem| problem.severity == severity)
        .count()
}

fn print_report(printer: &Printer, report: &Report, strict: bool) {
    let status = if report.has_errors() {
        printer.removed("FAILED")
    } else if report.has_warnings() && strict {
        printer.removed("FAILED due to warnings")
    } else if report.has_warnings() {
        printer.dim("PASSED with warnings")
    } else {
        printer.added("PASSED")
    };
    printer.result(format!("Checking {}: {status}", report.path.display()));
    for problem in &report.problems {
        let label = match problem.severity {
            Severity::Error => printer.paint_error("error"),
            Severity::Warning => printer.paint_warning("warning"),
        };
        printer.result(format!("  {label}: {}", problem.message));
    }
}
