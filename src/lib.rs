//! nhiscan: a posture scanner for non-human identities.
//!
//! Data flows one way (docs/architecture.md):
//! `import` (files → records → joined [`model::Inventory`]) → `checks` (pure
//! functions, run in parallel by [`engine`]) → `report` (JSON, tables) with
//! [`visibility`] computed beside the findings. Library code never prints; the
//! `cli` module is the only place that talks to the terminal.
#![forbid(unsafe_code)]
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod checks;
pub mod cli;
pub mod collect;
pub mod config;
pub mod engine;
pub mod import;
pub mod json_string;
pub mod model;
pub mod policy;
pub mod reference;
pub mod reorder;
pub mod report;
pub mod time;
pub mod timing;
pub mod triage;
pub mod visibility;
