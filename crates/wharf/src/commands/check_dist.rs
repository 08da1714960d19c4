//! `wharf check DIST...`: validate wheels and sdists as an index would.

use std::process::ExitCode;

use anyhow::{Result, bail};
use wharf_cli::{CheckArgs, GlobalArgs};

use crate::printer::Printer;

pub(crate) fn check_dists(
    _global: &GlobalArgs,
    _args: CheckArgs,
    _printer: &Printer,
) -> Result<ExitCode> {
    bail!("`wharf check DIST` is not implemented yet")
}
