//! `wharf build`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use wharf_cli::{BuildArgs, GlobalArgs};

use crate::printer::Printer;

pub(crate) async fn build(
    _global: &GlobalArgs,
    _args: BuildArgs,
    _printer: &Printer,
) -> Result<ExitCode> {
    bail!("`wharf build` is not implemented yet")
}
