//! One module per subcommand; [`run`] dispatches.

mod build;
mod bundle;
mod cache;
mod check;
mod check_dist;
mod compile;
mod config;
mod freeze;
mod index;
mod install;
mod list;
mod publish;
mod python;
mod show;
mod sync;
mod uninstall;
mod venv;
mod wheel;

use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{Cli, Command};

use crate::printer::Printer;

/// Run one parsed command line.
pub(crate) async fn run(cli: Cli, printer: Printer) -> Result<ExitCode> {
    let global = &cli.global;
    match cli.command {
        Command::Venv(args) => venv::venv(global, args, &printer).await,
        Command::Install(args) => install::install(global, args, &printer).await,
        Command::Uninstall(args) => uninstall::uninstall(global, args, &printer),
        Command::Freeze(args) => freeze::freeze(global, args, &printer),
        Command::List(args) => list::list(global, args, &printer).await,
        Command::Show(args) => show::show(global, args, &printer),
        Command::Check(args) => check::check(global, args, &printer),
        Command::Compile(args) => compile::compile(global, args, &printer).await,
        Command::Sync(args) => sync::sync(global, args, &printer).await,
        Command::Cache(command) => cache::cache(global, command, &printer),
        Command::Config(args) => config::config(global, args, &printer),
        Command::Python(command) => python::python(global, command, &printer),
        Command::Build(args) => build::build(global, args, &printer).await,
        Command::Wheel(args) => wheel::wheel(global, args, &printer).await,
        Command::Bundle(args) => bundle::bundle(global, args, &printer).await,
        Command::Index(args) => index::index(global, args, &printer).await,
        Command::Publish(args) => publish::publish(global, args, &printer).await,
    }
}
