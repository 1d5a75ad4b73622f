//! Test-only support shared by the end-to-end and fault suites: a
//! linearizability checker for histories recorded against real clusters.
//! The suites themselves live in `e2e/`.

pub mod linearizability;
