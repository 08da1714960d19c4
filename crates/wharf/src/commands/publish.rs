//! `wharf publish`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use wharf_cli::{GlobalArgs, PublishArgs};

use crate::printer::Printer;

pub(crate) async fn publish(
    _global: &GlobalArgs,
    _args: PublishArgs,
    _printer: &Printer,
) -> Result<ExitCode> {
    bail!("`wharf publish` is not implemented yet")
}
