//! pip's requirements and constraints file format.
