//! Where output goes: results to stdout, progress and messages to stderr, quieter or
//! louder with `-q`/`-v`, no colours when `NO_COLOR` is set or stderr is not a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use owo_colors::OwoColorize;

/// How much to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `-qq`: errors only.
    Silent,
    /// `-q`: results and warnings.
    Quiet,
    /// Progress and summaries.
    Default,
    /// `-v`: decisions and fetches.
    Verbose,
    /// `-vv`: debug logs.
    Debug,
}

/// The one place that prints.
#[derive(Debug, Clone)]
pub struct Printer {
    level: Level,
    color: bool,
    progress: bool,
}

impl Printer {
    /// A printer for `-q`/`-v` counts.
    pub fn new(quiet: u8, verbose: u8) -> Self {
        let level = match (quiet, verbose) {
            (0, 0) => Level::Default,
            (1, _) => Level::Quiet,
            (q, _) if q >= 2 => Level::Silent,
            (_, 1) => Level::Verbose,
            _ => Level::Debug,
        };
        let terminal = std::io::stderr().is_terminal();
        let color = terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Self {
            level,
            color,
            progress: terminal && level == Level::Default,
        }
    }

    /// A printer for work nested in other work (build environments): its summaries only
    /// show with -v, and it draws no progress bars of its own.
    pub fn nested(&self) -> Self {
        Self {
            level: if self.level == Level::Default {
                Level::Quiet
            } else {
                self.level
            },
            color: self.color,
            progress: false,
        }
    }

    /// Route `tracing` logs to stderr for `-v`/`-vv` (or `RUST_LOG`).
    pub fn init_logging(&self) {
        let default = match self.level {
            Level::Debug => {
                "wharf=debug,wharf_client=debug,wharf_resolver=debug,wharf_installer=debug,wharf_interpreter=debug"
            }
            Level::Verbose => {
                "wharf=info,wharf_client=info,wharf_installer=info,wharf_resolver=info"
            }
            _ => "warn",
        };
        let filter = tracing_subscriber::EnvFilter::try_from_env("WHARF_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(self.color)
            .without_time()
            .with_target(false)
            .try_init();
    }

    /// The level.
    pub fn level(&self) -> Level {
        self.level
    }

    /// A status line on stderr (hidden by `-q`).
    pub fn status(&self, message: impl AsRef<str>) {
        if self.level >= Level::Default {
            anstream::eprintln!("{}", message.as_ref());
        }
    }

    /// A detail on stderr, shown with `-v`.
    pub fn detail(&self, message: impl AsRef<str>) {
        if self.level >= Level::Verbose {
            anstream::eprintln!("{}", message.as_ref());
        }
    }

    /// A warning on stderr (hidden by `-qq`).
    pub fn warn(&self, message: impl AsRef<str>) {
        if self.level >= Level::Quiet {
            anstream::eprintln!("{}: {}", self.paint_warning("warning"), message.as_ref());
        }
    }

    /// A result on stdout (always shown).
    pub fn result(&self, message: impl AsRef<str>) {
        anstream::println!("{}", message.as_ref());
    }

    /// Bold, green text for added things when colours are on.
    pub fn added(&self, text: &str) -> String {
        if self.color {
            text.green().bold().to_string()
        } else {
            text.to_string()
        }
    }

    /// Red text for removed things when colours are on.
    pub fn removed(&self, text: &str) -> String {
        if self.color {
            text.red().bold().to_string()
        } else {
            text.to_string()
        }
    }

    /// Dim text for less important parts.
    pub fn dim(&self, text: &str) -> String {
        if self.color {
            text.dimmed().to_string()
        } else {
            text.to_string()
        }
    }

    pub(crate) fn paint_error(&self, text: &str) -> String {
        if self.color {
            text.red().bold().to_string()
        } else {
            text.to_string()
        }
    }

    pub(crate) fn paint_warning(&self, text: &str) -> String {
        if self.color {
            text.yellow().bold().to_string()
        } else {
            text.to_string()
        }
    }

    pub(crate) fn paint_hint(&self, text: &str) -> String {
        if self.color {
            text.cyan().bold().to_string()
        } else {
            text.to_string()
        }
    }

    /// A progress bar over `len` steps on stderr; invisible when quiet or not a terminal.
    pub fn progress(&self, len: u64, message: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner:.cyan} {msg} [{bar:30.cyan/blue}] {pos}/{len}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A spinner with a message on stderr; invisible when quiet or not a terminal.
    pub fn spinner(&self, message: &str) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner:.cyan} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}
