//! Upload distributions with the legacy upload API.
