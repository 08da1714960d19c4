//! `wharf wheel`.

use std::process::ExitCode;

use anyhow::{Result, bail};
use wharf_cli::{GlobalArgs, WheelArgs};

use crate::printer::Printer;

pub(crate) async fn wheel(
    _global: &GlobalArgs,
    _args: WheelArgs,
    _printer: &Printer,
) -> Result<ExitCode> {
    bail!("`wharf wheel` is not implemented yet")
}
