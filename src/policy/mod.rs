//! Policy engines: what a principal may do, computed from its policy documents.
//!
//! Pure libraries with no knowledge of exports or reports; importers parse
//! documents with them and checks evaluate them.

pub mod aws;
pub mod aws_privesc;
