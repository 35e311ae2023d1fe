//! GitHub checks, one module per kind of identity: `installations` (GitHub App
//! installations), `deploy_keys` and `pats` (fine-grained personal access
//! tokens). Each public function is one check with its metadata in
//! `checks/github/<ID>.toml`.

use super::Ctx;
use crate::model::{Identity, IdentityKind, Provider};

pub mod deploy_keys;
pub mod installations;
pub mod pats;

/// The GitHub identities of one kind in this shard.
pub(crate) fn of_kind<'a>(
    ctx: &Ctx<'a>,
    kind: IdentityKind,
) -> impl Iterator<Item = (usize, &'a Identity)> + use<'a> {
    ctx.identities()
        .filter(move |(_, i)| i.provider == Provider::Github && i.kind == kind)
}
