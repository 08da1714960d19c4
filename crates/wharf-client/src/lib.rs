//! Index client: PEP 503/691 pages, PEP 658 metadata, find-links, HTTP cache, credentials.
