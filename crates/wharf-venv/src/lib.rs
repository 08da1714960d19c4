//! Create PEP 405 virtual environments.
