//! Validate wheels and sdists as a package index would.
