//! Find Python interpreters and read their markers, tags and paths with a cached probe.
//!
//! [`Interpreter::query`] runs a small Python script once per interpreter binary and caches
//! its answer; [`find_interpreter`] turns a `--python` request into an interpreter by
//! searching the active venv, `.venv`, PATH and pyenv; [`find_environment`] picks the
//! environment a command such as `install` works on.

mod discovery;
mod error;
mod interpreter;
mod platform;
mod request;

pub use discovery::{discover_all, find_environment, find_interpreter};
pub use error::InterpreterError;
pub use interpreter::{Interpreter, Scheme};
pub use request::PythonRequest;
