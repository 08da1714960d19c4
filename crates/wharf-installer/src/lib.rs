//! Install, uninstall and inventory wheels in an environment (PEP 427, PEP 376, PEP 610).
