//! Rendering errors: the whole cause chain, then a `hint:` with what to do next.

use std::fmt;

use crate::printer::Printer;

/// An error that carries advice for the user.
#[derive(Debug)]
pub struct Hinted {
    message: String,
    hint: String,
}

impl Hinted {
    /// An error message and what to do about it.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Hinted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Hinted {}

/// The user interrupted the command (Ctrl-C or SIGTERM); nothing was left half-done.
#[derive(Debug)]
pub struct Interrupted(pub String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// An error of ours passed through a library's `dyn Error` (the resolver's provider), so
/// that its causes and hints survive the trip.
#[derive(Debug)]
pub struct Carried(pub anyhow::Error);

impl fmt::Display for Carried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Carried {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Print `error: …`, each cause, and hints, to stderr.
pub(crate) fn render(printer: &Printer, error: &anyhow::Error) {
    let mut lines = vec![format!("{}: {error}", printer.paint_error("error"))];
    let mut previous = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        // A resolver explanation is the body of the message, not a cause.
        if let Some(wharf_resolver::ResolveError::NoSolution { report, .. }) =
            cause.downcast_ref::<wharf_resolver::ResolveError>()
        {
            if let Some(first) = lines.first_mut() {
                first.push(':');
            }
            lines.extend(report.lines().map(|line| format!("  {line}")));
            previous = text;
            continue;
        }
        // thiserror's `transparent` and `{0}` messages repeat their source: skip duplicates.
        if text.is_empty() || previous.contains(&text) {
            continue;
        }
        lines.push(format!("  {} {text}", printer.dim("caused by:")));
        previous = text;
    }
    for hint in hints(error) {
        lines.push(format!("{}: {hint}", printer.paint_hint("hint")));
    }
    anstream::eprintln!("{}", lines.join("\n"));
}

/// Advice for the errors we know.
fn hints(error: &anyhow::Error) -> Vec<String> {
    let mut hints = Vec::new();
    for cause in error.chain() {
        if let Some(hinted) = cause.downcast_ref::<Hinted>() {
            hints.push(hinted.hint.clone());
        }
        if let Some(Carried(inner)) = cause.downcast_ref::<Carried>() {
            hints.extend(self::hints(inner));
        }
        if let Some(wharf_resolver::ResolveError::NoSolution { hints: notes, .. }) =
            cause.downcast_ref::<wharf_resolver::ResolveError>()
        {
            hints.extend(notes.iter().cloned());
        }
        if let Some(wharf_venv::VenvError::NotEmpty { .. }) =
            cause.downcast_ref::<wharf_venv::VenvError>()
        {
            hints.push(
                "choose another directory, pass --clear to replace its contents, or --allow-existing to keep them"
                    .to_string(),
            );
        }
        if let Some(wharf_interpreter::InterpreterError::NoEnvironment { .. }) =
            cause.downcast_ref::<wharf_interpreter::InterpreterError>()
        {
            hints.push(
                "create one with `wharf venv`, or pass --venv DIR or --python PYTHON".to_string(),
            );
        }
    }
    hints.dedup();
    hints
}
