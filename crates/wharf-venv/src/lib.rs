//! Create PEP 405 virtual environments.
//!
//! [`create_venv`] writes `pyvenv.cfg`, links the base interpreter into `bin/`, makes
//! `site-packages` and writes activation scripts for bash/zsh, fish, csh and PowerShell,
//! all computed from the base [`Interpreter`](wharf_interpreter::Interpreter)'s probe
//! without running Python. [`bundled_pip_wheel`] finds the pip wheel to seed it with.

mod activate;
mod create;
mod error;
mod seed;

pub use create::{Venv, VenvOptions, create_venv};
pub use error::VenvError;
pub use seed::bundled_pip_wheel;
