//! Reference data shipped with nhiscan (privilege tiers, first-party app lists),
//! embedded from `data/` at build time. Each data file states its provenance.

pub mod aws;
pub mod entra;
pub mod gcp;
