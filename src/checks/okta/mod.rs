//! Okta checks, one module per family: `tokens` (SSWS API tokens), `apps`
//! (OAuth clients' management scopes and admin roles) and `secrets` (client
//! secrets). Each public function is one check with its metadata in
//! `checks/okta/<ID>.toml`.

use super::Ctx;
use crate::model::{Identity, IdentityKind, Provider};

pub mod apps;
pub mod secrets;
pub mod tokens;

/// The Okta OAuth client apps of this shard.
pub(crate) fn apps<'a>(ctx: &Ctx<'a>) -> impl Iterator<Item = (usize, &'a Identity)> + use<'a> {
    ctx.identities()
        .filter(|(_, i)| i.provider == Provider::Okta && i.kind == IdentityKind::OktaApp)
}
