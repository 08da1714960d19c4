//! `wharf index`: a static PEP 503/691 index from a directory of distributions.

use std::process::ExitCode;

use anyhow::Result;
use wharf_cli::{GlobalArgs, IndexDirArgs};

use crate::error::Hinted;
use crate::printer::Printer;

pub(crate) async fn index(
    _global: &GlobalArgs,
    args: IndexDirArgs,
    _printer: &Printer,
) -> Result<ExitCode> {
    Err(Hinted::new(
        format!(
            "cannot index {}: `wharf index` is not implemented yet",
            args.dir.display()
        ),
        "serve the directory as find-links (`-f DIR`) in the meantime",
    )
    .into())
}
