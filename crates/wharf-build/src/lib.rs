//! PEP 517/660 build frontend.
