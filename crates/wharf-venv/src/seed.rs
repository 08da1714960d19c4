//! The pip wheel an interpreter ships for `ensurepip`, used to seed environments
//! (`wharf venv --seed`) without the network.

use std::path::{Path, PathBuf};

use wharf_filename::WheelFilename;
use wharf_interpreter::Interpreter;

/// The newest pip wheel among `dir`'s files.
fn newest_pip_wheel(dir: &Path) -> Option<PathBuf> {
    fs_err::read_dir(dir)
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let wheel: WheelFilename = name.parse().ok()?;
            (wheel.name.as_ref() == "pip").then(|| (wheel.version, entry.path()))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, path)| path)
}

/// The pip wheel bundled with `base`: in `ensurepip/_bundled/` of its standard library,
/// or where distributors that unbundle it put it (`share/python-wheels`, Debian and
/// Fedora). `None` when the interpreter has none.
pub fn bundled_pip_wheel(base: &Interpreter) -> Option<PathBuf> {
    newest_pip_wheel(&base.stdlib.join("ensurepip").join("_bundled"))
        .or_else(|| newest_pip_wheel(&base.base_prefix.join("share").join("python-wheels")))
}
