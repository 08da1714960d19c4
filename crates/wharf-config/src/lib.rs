//! Settings from the command line, environment, wharf.toml, pyproject.toml and the user config file.
