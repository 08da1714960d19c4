//! Command-line argument definitions (clap) for wharf.
