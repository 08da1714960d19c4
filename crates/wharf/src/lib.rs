//! The `wharf` command: glue between the command line and the library crates.
//!
//! Each subcommand lives in `commands/`, one file each; they merge settings, call the
//! library crates and print. Nothing here implements a standard or talks HTTP directly.

mod builds;
mod collect;
mod commands;
mod environment;
mod error;
mod operations;
mod printer;
mod settings;
mod target;

use std::process::ExitCode;

use clap::Parser;
use wharf_cli::Cli;

pub use error::Hinted;
pub use printer::Printer;

/// Run wharf with the process's arguments and return its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    let printer = Printer::new(cli.global.quiet, cli.global.verbose);
    printer.init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("wharf")
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            error::render(&printer, &anyhow::Error::new(err));
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(commands::run(cli, printer.clone()));
    // Do not wait for background prefetches that nobody needs any more.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(err) => {
            error::render(&printer, &err);
            if err.downcast_ref::<error::Interrupted>().is_some() {
                ExitCode::from(130)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
