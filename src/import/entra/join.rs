//! Joining Entra records from every file into the inventory (formats.md §1.5–1.10).
//!
//! - Records are merged across files and de-duplicated by object id.
//! - An application and its service principal (same appId) become one identity.
//! - `clientId`, `resourceId` and `principalId` are SP object ids; an appRoleId is
//!   resolved against the resource SP's own `appRoles`, never by GUID alone.
//! - Sign-in activity joins by appId, credential activity by keyId.
//! - The home tenant comes from `--tenant-id`, an organization export, or the
//!   tenant that owns the exported application objects.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::id::Id;
use super::records::*;
use crate::import::LoadOptions;
use crate::model::{
    AuthSettings, Consent, ConsentType, Credential, CredentialHost, CredentialKind, Federation,
    Grant, GrantKind, Identity, IdentityKind, InventoryBuilder, Origin, Owner, PrincipalKind,
    Provider, SecretExposure, TenantSource, Tier, User,
};
use crate::reference::entra::{ENTRA, EntraReference, MICROSOFT_GRAPH};

/// All records of all files, merged.
#[derive(Default)]
struct Merged {
    sps: Vec<RawSp>,
    apps: Vec<RawApp>,
    assignments: Vec<RawAssignment>,
    consents: Vec<RawConsent>,
    users: Vec<RawUser>,
    users_present: bool,
    organizations: Vec<String>,
    role_assignments: Vec<RawRoleAssignment>,
    sp_activity: HashMap<Id, Option<jiff::Timestamp>>,
    sp_activity_present: bool,
    credential_activity: HashMap<Id, Option<jiff::Timestamp>>,
    owner_pages: HashMap<Id, Vec<Owner>>,
    fic_pages: HashMap<Id, Vec<RawFic>>,
    exposures: Vec<RawExposure>,
    orphan_fics: usize,
    duplicates: usize,
}

fn merge(mut files: Vec<FileRecords>) -> Merged {
    // The large lists are moved, not copied, when one file holds them all (the
    // usual case): a copy of 100,000 SP records would double them for a while.
    let mut m = Merged {
        sps: concat(files.iter_mut().map(|f| std::mem::take(&mut f.sps))),
        apps: concat(files.iter_mut().map(|f| std::mem::take(&mut f.apps))),
        assignments: concat(files.iter_mut().map(|f| std::mem::take(&mut f.assignments))),
        consents: concat(files.iter_mut().map(|f| std::mem::take(&mut f.consents))),
        ..Merged::default()
    };
    // SPs and applications are de-duplicated side by side.
    let (sp_duplicates, app_duplicates) = rayon::join(
        || {
            dedupe(
                &mut m.sps,
                |sp| &sp.id,
                |kept, sp| {
                    if kept.owners.is_none() {
                        kept.owners = sp.owners.take();
                    }
                    kept.assignments.append(&mut sp.assignments);
                    if kept.creds.is_empty() {
                        kept.creds = std::mem::take(&mut sp.creds);
                    }
                },
            )
        },
        || {
            dedupe(
                &mut m.apps,
                |app| &app.id,
                |kept, app| {
                    if kept.owners.is_none() {
                        kept.owners = app.owners.take();
                    }
                    if kept.fics.is_empty() {
                        kept.fics = std::mem::take(&mut app.fics);
                    }
                    if kept.creds.is_empty() {
                        kept.creds = std::mem::take(&mut app.creds);
                    }
                },
            )
        },
    );
    m.duplicates += sp_duplicates + app_duplicates;
    for f in files {
        m.users.extend(f.users);
        m.users_present |= f.users_present;
        m.organizations.extend(f.organizations);
        m.role_assignments.extend(f.role_assignments);
        m.sp_activity_present |= f.sp_activity_present;
        for (app, last) in f.sp_activity {
            let e = m.sp_activity.entry(app).or_insert(None);
            *e = (*e).max(last);
        }
        for (key, last) in f.credential_activity {
            let e = m.credential_activity.entry(key).or_insert(None);
            *e = (*e).max(last);
        }
        for page in f.owner_pages {
            m.owner_pages
                .entry(page.parent_id)
                .or_default()
                .extend(page.owners);
        }
        for page in f.fic_pages {
            m.fic_pages
                .entry(page.app_object_id)
                .or_default()
                .extend(page.fics);
        }
        m.exposures.extend(f.exposures);
        m.orphan_fics += f.orphan_fics;
    }
    m
}

/// The lists one after the other; the only non-empty one itself, without a copy.
fn concat<T>(lists: impl Iterator<Item = Vec<T>>) -> Vec<T> {
    let lists: Vec<Vec<T>> = lists.filter(|l| !l.is_empty()).collect();
    if lists.len() == 1 {
        return lists.into_iter().next().unwrap_or_default();
    }
    let mut out = Vec::with_capacity(lists.iter().map(Vec::len).sum());
    for list in lists {
        out.extend(list);
    }
    out
}

/// Keeps the first record of each id, in order, after `absorb`ing every later
/// record of that id into it; returns how many were dropped.
fn dedupe<T, K: Eq + std::hash::Hash>(
    records: &mut Vec<T>,
    id: impl Fn(&T) -> &K,
    mut absorb: impl FnMut(&mut T, &mut T),
) -> usize {
    // Sized once, and each id hashed once.
    let mut first: HashMap<&K, usize> =
        HashMap::with_capacity_and_hasher(records.len(), Default::default());
    let mut later: Vec<(usize, usize)> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        match first.entry(id(r)) {
            Entry::Occupied(k) => later.push((*k.get(), i)),
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    drop(first);
    if later.is_empty() {
        return 0;
    }
    let mut dropped = vec![false; records.len()];
    for &(k, i) in &later {
        // k < i: the kept record comes first.
        let (head, tail) = records.split_at_mut(i);
        absorb(&mut head[k], &mut tail[0]);
        dropped[i] = true;
    }
    let mut i = 0;
    records.retain(|_| {
        let keep = !dropped[i];
        i += 1;
        keep
    });
    later.len()
}

/// The home tenant and how it was found.
fn home_tenant(m: &Merged, options: &LoadOptions) -> Option<(String, TenantSource)> {
    if let Some(t) = &options.tenant_id {
        return Some((t.to_ascii_lowercase(), TenantSource::CommandLine));
    }
    if let Some(t) = m.organizations.first() {
        return Some((t.clone(), TenantSource::OrganizationExport));
    }
    // The tenant that owns the SPs of exported application objects.
    let app_ids: HashSet<&Id> = m.apps.iter().filter_map(|a| a.app_id.as_ref()).collect();
    let mut votes: HashMap<&Id, usize> = HashMap::default();
    for sp in &m.sps {
        if let (Some(app), Some(org)) = (sp.app_id.as_ref(), sp.owner_org.as_ref())
            && app_ids.contains(app)
            && !ENTRA.is_microsoft_tenant(&org.text())
        {
            *votes.entry(org).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
        .map(|(t, _)| (String::from(t), TenantSource::Inferred))
}

/// Adds the Entra records of every file to the inventory being built.
pub fn join(files: Vec<FileRecords>, options: &LoadOptions, b: &mut InventoryBuilder) {
    if files.is_empty() && options.tenant_id.is_none() {
        return;
    }
    let mut m = merge(files);
    // Credentials, owners and federated credentials move into the inventory: taken
    // out of the records first, so that the join does not hold two copies of them.
    let sp_parts: Vec<SpParts> = m.sps.iter_mut().map(SpParts::take).collect();
    // Assignments and delegated grants become grants, and are freed as soon as they
    // have: taken out of the records too, in the order they are read.
    let standalone = std::mem::take(&mut m.assignments);
    let expanded: Vec<Vec<RawAssignment>> = m
        .sps
        .iter_mut()
        .map(|sp| std::mem::take(&mut sp.assignments))
        .collect();
    let consents = std::mem::take(&mut m.consents);
    let mut app_parts: Vec<AppParts> = m.apps.iter_mut().map(AppParts::take).collect();
    let home = home_tenant(&m, options);
    let home_id = home.as_ref().map(|(t, _)| t.as_str());

    // app object id → identity, and SP object id → identity, sized once. Their
    // keys are copies (16 bytes for a GUID), so that the SP and application
    // records can be freed before the grants are built.
    let mut app_identity: HashMap<Id, usize> =
        HashMap::with_capacity_and_hasher(m.apps.len(), Default::default());
    let mut sp_identity: HashMap<Id, usize> =
        HashMap::with_capacity_and_hasher(m.sps.len(), Default::default());
    let mut used_apps = vec![false; m.apps.len()];

    // Each SP (with its application, if exported) becomes an identity and its
    // credentials, built in parallel and added in export order.
    // Each application's parts go to the last SP that uses it and are copied for
    // the others (several SPs of one appId are rare: duplicates across tenants).
    let sp_apps: Vec<Option<usize>> = {
        let app_by_appid: HashMap<&Id, usize> = m
            .apps
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((a.app_id.as_ref()?, i)))
            .collect();
        m.sps
            .iter()
            .map(|sp| {
                sp.app_id
                    .as_ref()
                    .and_then(|a| app_by_appid.get(a))
                    .copied()
            })
            .collect()
    };
    let mut claims = vec![0usize; m.apps.len()];
    for &a in sp_apps.iter().flatten() {
        claims[a] += 1;
    }
    let lone_apps = claims.iter().filter(|&&c| c == 0).count();
    let apps_of_sps: Vec<Option<AppParts>> = sp_apps
        .iter()
        .map(|a| {
            a.map(|a| {
                claims[a] -= 1;
                match claims[a] {
                    0 => std::mem::take(&mut app_parts[a]),
                    _ => app_parts[a].clone(),
                }
            })
        })
        .collect();
    // Identities and credentials are written straight into lists of their final
    // size (credentials: an upper bound, trimmed by `finish`), a slice of SPs at a
    // time: only one slice's credentials wait beside their identities for an
    // index, where converting every SP at once held all credentials twice.
    let most_creds: usize = sp_parts
        .par_iter()
        .zip(apps_of_sps.par_iter())
        .zip(sp_apps.par_iter())
        .map(|((parts, app_part), app)| {
            let paged = app.map_or(0, |i| m.fic_pages.get(&m.apps[i].id).map_or(0, Vec::len));
            parts.creds.len()
                + app_part
                    .as_ref()
                    .map_or(0, |p| p.creds.len() + p.fics.len())
                + paged
        })
        .sum();
    let base = b.inventory.identities.len();
    b.inventory
        .identities
        .reserve_exact(m.sps.len() + lone_apps);
    b.inventory.credentials.reserve_exact(most_creds);
    let mut parts_left = sp_parts.into_iter().zip(apps_of_sps);
    for (slice, (sps, apps)) in m
        .sps
        .chunks(SPS_AT_ONCE)
        .zip(sp_apps.chunks(SPS_AT_ONCE))
        .enumerate()
    {
        let parts: Vec<(SpParts, Option<AppParts>)> = parts_left.by_ref().take(sps.len()).collect();
        let mut sp_creds: Vec<Vec<Credential>> = Vec::with_capacity(sps.len());
        let mut identities: Vec<Identity> = Vec::with_capacity(sps.len());
        sps.par_iter()
            .zip(apps.par_iter())
            .zip(parts.into_par_iter())
            .map(|((sp, app), (parts, app_part))| {
                let app = app.map(|i| &m.apps[i]);
                let mut creds = Vec::new();
                credentials_of(parts.creds, CredentialHost::ServicePrincipal, &mut creds);
                let (app_owners, app_creds) = match (app, app_part) {
                    (Some(app), Some(p)) => {
                        app_credentials_of(app, p.creds, p.fics, &m, &mut creds);
                        (p.owners, true)
                    }
                    _ => (None, false),
                };
                debug_assert_eq!(app.is_some(), app_creds);
                let identity =
                    sp_identity_of(sp, app, parts.owners, app_owners, &m, home_id, options);
                (identity, creds)
            })
            .unzip_into_vecs(&mut identities, &mut sp_creds);
        b.inventory.identities.append(&mut identities);
        let first = base + slice * SPS_AT_ONCE;
        // The id maps are filled while the credentials move into the inventory.
        rayon::join(
            || {
                for (k, (sp, app)) in sps.iter().zip(apps).enumerate() {
                    let idx = first + k;
                    sp_identity.insert(sp.id.clone(), idx);
                    if let Some(i) = *app {
                        used_apps[i] = true;
                        app_identity.insert(m.apps[i].id.clone(), idx);
                    }
                }
            },
            || {
                for (k, creds) in sp_creds.into_iter().enumerate() {
                    add_credentials(b, first + k, creds);
                }
            },
        );
    }
    // Applications without a service principal in the export.
    let lone: Vec<(usize, Identity, Vec<Credential>)> = m
        .apps
        .par_iter()
        .zip(app_parts.into_par_iter())
        .enumerate()
        .filter(|(i, _)| !used_apps[*i])
        .map(|(i, (app, parts))| {
            let mut creds = Vec::new();
            app_credentials_of(app, parts.creds, parts.fics, &m, &mut creds);
            (i, app_identity_of(app, parts.owners, &m, home_id), creds)
        })
        .collect();
    b.inventory
        .credentials
        .reserve_exact(lone.iter().map(|(_, _, c)| c.len()).sum::<usize>());
    for (i, identity, creds) in lone {
        let idx = b.add_identity(identity);
        app_identity.insert(m.apps[i].id.clone(), idx);
        add_credentials(b, idx, creds);
    }

    // The grants need only the resource SPs of the SP records; the rest are freed
    // before the grants list is reserved.
    let mut pool = Pool::default();
    let resources = Resources::take(&mut m.sps, &standalone, &expanded, &consents, &mut pool);
    pool.add_scopes(&consents);
    drop((std::mem::take(&mut m.sps), std::mem::take(&mut m.apps)));

    let mut notes = Vec::new();
    // The grants list is reserved once for every assignment, consent scope and role
    // assignment (an upper bound: duplicates and users' assignments are dropped).
    // Grown from the assignments' grants to the consents', it was copied, and both
    // copies were held at the join's peak.
    let most = standalone.len()
        + expanded.iter().map(Vec::len).sum::<usize>()
        + consents.iter().map(|c| c.scopes.len()).sum::<usize>()
        + m.role_assignments.len();
    b.inventory.grants.reserve_exact(most);
    add_assignments(
        b,
        standalone,
        expanded,
        &sp_identity,
        &resources,
        &pool,
        &mut notes,
    );
    add_consents(b, consents, &sp_identity, &resources, &pool, &mut notes);
    add_roles(b, &m, &sp_identity);

    // Owners: fill in what the users export knows.
    let users: HashMap<&str, &RawUser> = m.users.iter().map(|u| (u.id.as_str(), u)).collect();
    for identity in b
        .inventory
        .identities
        .iter_mut()
        .filter(|i| i.provider == Provider::Entra)
    {
        if let Some(owners) = &mut identity.owners {
            for o in owners.iter_mut() {
                if let Some(u) = users.get(o.id.as_str()) {
                    o.kind = PrincipalKind::User;
                    o.enabled = o.enabled.or(u.enabled);
                    o.guest = Some(o.guest.unwrap_or(false) || u.guest);
                    o.name = o.name.take().or_else(|| u.upn.clone());
                }
            }
        }
    }
    drop(users);

    // Activity.
    if m.sp_activity_present {
        for identity in b
            .inventory
            .identities
            .iter_mut()
            .filter(|i| i.provider == Provider::Entra)
        {
            identity.activity_known = identity.kind != IdentityKind::Application;
            if let Some(app) = &identity.app_id {
                identity.last_used = m.sp_activity.get(&Id::new(app)).copied().flatten();
            }
        }
    }
    for c in b
        .inventory
        .credentials
        .iter_mut()
        .filter(|c| c.kind != CredentialKind::AccessKey)
    {
        if let Some(k) = &c.key_id {
            c.last_used = m.credential_activity.get(&Id::new(k)).copied().flatten();
        }
    }

    for e in &m.exposures {
        let identity = e
            .parent_id
            .as_ref()
            .and_then(|p| sp_identity.get(p).or_else(|| app_identity.get(p)).copied());
        b.inventory.exposures.push(SecretExposure {
            provider: Provider::Entra,
            identity,
            what: e.what,
            key_id: e.key_id.clone(),
            source: e.source,
        });
    }

    for parent in m.owner_pages.keys() {
        if !sp_identity.contains_key(parent) && !app_identity.contains_key(parent) {
            notes.push(format!(
                "owners listed for object {parent}, which is not in the export"
            ));
        }
    }
    for parent in m.fic_pages.keys() {
        if !app_identity.contains_key(parent) {
            notes.push(format!(
                "federated credentials listed for application {parent}, which is not in the export"
            ));
        }
    }
    if m.orphan_fics > 0 {
        notes.push(format!(
            "{} federated identity credentials were read without their application; export them per application so that @odata.context names it (applications('<id>')/federatedIdentityCredentials)",
            m.orphan_fics
        ));
    }
    if m.duplicates > 0 {
        notes.push(format!(
            "{} duplicate service principal or application records (same id in several files) were merged",
            m.duplicates
        ));
    }
    notes.sort();

    let inv = &mut b.inventory;
    inv.users = m
        .users
        .iter()
        .map(|u| User {
            id: u.id.clone(),
            name: u.upn.clone(),
            enabled: u.enabled,
            guest: u.guest,
        })
        .collect();
    inv.users_known = m.users_present;
    inv.activity_known = m.sp_activity_present;
    inv.notes.extend(notes);
    if let Some((t, s)) = home {
        inv.home_tenant = Some(t);
        inv.tenant_source = Some(s);
    }
    drop((app_identity, sp_identity));
    // Freeing the remaining raw records takes a while; nothing waits for it.
    rayon::spawn(move || drop(m));
}

/// What an SP record gives its identity by value.
struct SpParts {
    creds: Vec<RawCred>,
    owners: Option<Vec<Owner>>,
}

impl SpParts {
    fn take(sp: &mut RawSp) -> SpParts {
        SpParts {
            creds: std::mem::take(&mut sp.creds),
            owners: sp.owners.take(),
        }
    }
}

/// What an application record gives its identity by value.
#[derive(Clone, Default)]
struct AppParts {
    creds: Vec<RawCred>,
    owners: Option<Vec<Owner>>,
    fics: Vec<RawFic>,
}

impl AppParts {
    fn take(app: &mut RawApp) -> AppParts {
        AppParts {
            creds: std::mem::take(&mut app.creds),
            owners: app.owners.take(),
            fics: std::mem::take(&mut app.fics),
        }
    }
}

/// The identity of a service principal, merged with its application object.
fn sp_identity_of(
    sp: &RawSp,
    app: Option<&RawApp>,
    sp_owners: Option<Vec<Owner>>,
    app_owners: Option<Vec<Owner>>,
    m: &Merged,
    home_id: Option<&str>,
    options: &LoadOptions,
) -> Identity {
    let managed = sp
        .sp_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("ManagedIdentity"));
    Identity {
        provider: Provider::Entra,
        kind: if managed {
            IdentityKind::ManagedIdentity
        } else {
            IdentityKind::ServicePrincipal
        },
        id: String::from(&sp.id),
        key: sp.app_id.as_ref().unwrap_or(&sp.id).into(),
        name: sp
            .name
            .clone()
            .or_else(|| app.and_then(|a| a.name.clone()))
            .unwrap_or_else(|| String::from(&sp.id)),
        app_id: sp.app_id.as_ref().map(String::from),
        app_object_id: app.map(|a| String::from(&a.id)),
        publisher_tenant: sp.owner_org.as_ref().map(String::from),
        origin: origin_of(sp, app.is_some(), managed, home_id, options),
        verified_publisher: sp
            .verified_publisher
            .clone()
            .or_else(|| app.and_then(|a| a.verified_publisher.clone())),
        enabled: sp.enabled,
        created: sp.created.or(app.and_then(|a| a.created)),
        last_used: None,
        activity_known: false,
        owners: owners_of([
            sp_owners.map(Cow::Owned),
            app_owners.map(Cow::Owned),
            m.owner_pages
                .get(&sp.id)
                .map(|o| Cow::Borrowed(o.as_slice())),
            app.and_then(|a| m.owner_pages.get(&a.id))
                .map(|o| Cow::Borrowed(o.as_slice())),
        ]),
        settings: app.map(settings_of).unwrap_or_default(),
        human_login: None,
        source: sp.source,
    }
}

/// The identity of an application object whose service principal is not exported.
fn app_identity_of(
    app: &RawApp,
    owners: Option<Vec<Owner>>,
    m: &Merged,
    home_id: Option<&str>,
) -> Identity {
    Identity {
        provider: Provider::Entra,
        kind: IdentityKind::Application,
        id: String::from(&app.id),
        key: app.app_id.as_ref().unwrap_or(&app.id).into(),
        name: app.name.clone().unwrap_or_else(|| String::from(&app.id)),
        app_id: app.app_id.as_ref().map(String::from),
        app_object_id: Some(String::from(&app.id)),
        publisher_tenant: home_id.map(str::to_string),
        origin: Origin::Home,
        verified_publisher: app.verified_publisher.clone(),
        enabled: None,
        created: app.created,
        last_used: None,
        activity_known: false,
        owners: owners_of([
            owners.map(Cow::Owned),
            m.owner_pages
                .get(&app.id)
                .map(|o| Cow::Borrowed(o.as_slice())),
        ]),
        settings: settings_of(app),
        human_login: None,
        source: app.source,
    }
}

/// Adds an identity's credentials, built without it, to the inventory.
fn add_credentials(b: &mut InventoryBuilder, identity: usize, mut creds: Vec<Credential>) {
    for c in &mut creds {
        c.identity = identity;
    }
    b.inventory.credentials.append(&mut creds);
}

/// What grants need of the service principals they name as resources: their
/// names, appIds and app roles, moved out of the SP records into shared strings.
struct Resource {
    name: Option<Arc<str>>,
    app_id: Option<Arc<str>>,
    app_roles: Vec<AppRole>,
}

/// An app role a resource SP exposes.
struct AppRole {
    id: Id,
    /// The id's text, shared by every grant of the role.
    id_text: Arc<str>,
    value: Arc<str>,
}

/// The resource SPs of every assignment and consent, by object id.
struct Resources(HashMap<Id, Resource>);

impl Resources {
    fn take(
        sps: &mut [RawSp],
        standalone: &[RawAssignment],
        expanded: &[Vec<RawAssignment>],
        consents: &[RawConsent],
        pool: &mut Pool,
    ) -> Resources {
        let named: HashSet<&Id> = standalone
            .iter()
            .chain(expanded.iter().flatten())
            .map(|a| &a.resource_id)
            .chain(consents.iter().map(|c| &c.resource_id))
            .collect();
        let mut resources = HashMap::default();
        // The merge left one SP record per id.
        for sp in sps.iter_mut().filter(|sp| named.contains(&sp.id)) {
            let resource = Resource {
                name: sp.name.take().map(|n| pool.intern(&n)),
                app_id: sp.app_id.take().map(|a| pool.intern(&a.text())),
                app_roles: std::mem::take(&mut sp.app_roles)
                    .into_iter()
                    .map(|(id, value)| AppRole {
                        id_text: pool.intern(&id.text()),
                        value: pool.intern(&value),
                        id,
                    })
                    .collect(),
            };
            resources.insert(sp.id.clone(), resource);
        }
        Resources(resources)
    }
}

/// One shared copy of each string that grants repeat: the names and app ids of
/// resource service principals, their app role values and ids, and delegated scope
/// names. 336,000 grants of a 100,000-SP tenant name a few hundred distinct strings.
#[derive(Default)]
struct Pool(HashSet<Arc<str>>);

impl Pool {
    /// The shared copy of `s`, added when it is new.
    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(s) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(s);
        self.0.insert(shared.clone());
        shared
    }

    fn add_scopes(&mut self, consents: &[RawConsent]) {
        for c in consents {
            for scope in &c.scopes {
                self.intern(scope);
            }
        }
    }

    /// The shared copy of `s`, or a new one when `s` is not pooled.
    fn share(&self, s: &str) -> Arc<str> {
        self.0.get(s).cloned().unwrap_or_else(|| Arc::from(s))
    }
}

fn origin_of(
    sp: &RawSp,
    has_app: bool,
    managed: bool,
    home: Option<&str>,
    options: &LoadOptions,
) -> Origin {
    let owner_text = sp.owner_org.as_ref().map(Id::text);
    let owner = owner_text.as_deref();
    let app_text = sp.app_id.as_ref().map(Id::text);
    if managed {
        return Origin::Home;
    }
    // The first-party list is used only when the SP does not name its owner tenant:
    // a non-Microsoft owner tenant wins over a (community-contributed) list entry.
    let listed_first_party = |a: &str| {
        ENTRA.is_first_party_app(a)
            || options
                .first_party_app_ids
                .iter()
                .any(|x| x.eq_ignore_ascii_case(a))
    };
    if owner.is_some_and(|o| ENTRA.is_microsoft_tenant(o))
        || (!has_app && owner.is_none() && app_text.as_deref().is_some_and(listed_first_party))
    {
        return Origin::FirstParty;
    }
    let own_tenant = |o: &str| {
        home.is_some_and(|h| h.eq_ignore_ascii_case(o))
            || options
                .home_tenants
                .iter()
                .any(|t| t.eq_ignore_ascii_case(o))
    };
    match (owner, home) {
        _ if has_app => Origin::Home,
        (Some(o), _) if own_tenant(o) => Origin::Home,
        (Some(_), Some(_)) => Origin::ThirdParty,
        (Some(_), None) if !options.home_tenants.is_empty() => Origin::ThirdParty,
        _ => Origin::Unknown,
    }
}

fn settings_of(app: &RawApp) -> AuthSettings {
    AuthSettings {
        implicit_access_tokens: app.implicit_access_tokens,
        public_client_fallback: app.public_client_fallback,
        multi_tenant: app.multi_tenant,
    }
}

/// The union of every owners list the exports gave, in order (first of each id
/// wins); `None` when none did. Owned lists are moved, borrowed ones copied.
fn owners_of<const N: usize>(lists: [Option<Cow<'_, [Owner]>>; N]) -> Option<Vec<Owner>> {
    if lists.iter().all(Option::is_none) {
        return None;
    }
    let mut out: Vec<Owner> = Vec::new();
    for o in lists.into_iter().flatten().flat_map(Cow::into_owned) {
        if !out.iter().any(|x| x.id == o.id) {
            out.push(o);
        }
    }
    Some(out)
}

/// Credentials read from an object's `passwordCredentials` and `keyCredentials`
/// (their `identity` is set when they are added).
fn credentials_of(creds: Vec<RawCred>, host: CredentialHost, out: &mut Vec<Credential>) {
    // A SAML signing certificate is stored as a Sign key, a Verify key and a
    // password credential sharing one customKeyIdentifier: all three are token
    // signing material, not client credentials.
    let signing_parts: Vec<bool> = {
        let signing: HashSet<&str> = creds
            .iter()
            .filter(|c| c.usage.as_deref() == Some("Sign"))
            .filter_map(|c| c.custom_key_identifier.as_deref())
            .collect();
        creds
            .iter()
            .map(|c| {
                c.custom_key_identifier
                    .as_deref()
                    .is_some_and(|k| signing.contains(k))
            })
            .collect()
    };
    out.reserve(creds.len());
    for (c, signing_part) in creds.into_iter().zip(signing_parts) {
        out.push(Credential {
            identity: usize::MAX,
            kind: match c.kind {
                RawCredKind::Password => CredentialKind::Secret,
                RawCredKind::Key => CredentialKind::Certificate,
            },
            host,
            key_id: c.key_id.as_ref().map(String::from),
            name: c.name,
            usage: if signing_part {
                Some("Sign".to_string())
            } else {
                c.usage
            },
            created: c.start,
            expires: c.end,
            last_used: None,
            federation: None,
            active: None,
            source: c.source,
        });
    }
}

/// An application object's credentials: secrets, certificates and federated ones.
/// Federated credentials are de-duplicated by issuer, subject, expression and name:
/// the inline list first, then the app's `federatedIdentityCredentials` pages.
fn app_credentials_of(
    app: &RawApp,
    creds: Vec<RawCred>,
    fics: Vec<RawFic>,
    m: &Merged,
    out: &mut Vec<Credential>,
) {
    credentials_of(creds, CredentialHost::Application, out);
    let paged = m.fic_pages.get(&app.id).map(Vec::as_slice).unwrap_or(&[]);
    let mut kept: Vec<RawFic> = Vec::new();
    let same = |a: &RawFic, b: &RawFic| {
        (&a.issuer, &a.subject, &a.expression, &a.name)
            == (&b.issuer, &b.subject, &b.expression, &b.name)
    };
    for f in fics
        .into_iter()
        .map(Cow::Owned)
        .chain(paged.iter().map(Cow::Borrowed))
    {
        if !kept.iter().any(|k| same(k, &f)) {
            kept.push(f.into_owned());
        }
    }
    for f in kept {
        out.push(Credential {
            identity: usize::MAX,
            kind: CredentialKind::Federated,
            host: CredentialHost::Application,
            key_id: f.id,
            name: f.name,
            usage: None,
            created: None,
            expires: None,
            last_used: None,
            federation: Some(Box::new(Federation {
                issuer: f.issuer,
                subject: f.subject,
                expression: f.expression,
                audiences: f.audiences,
            })),
            active: None,
            source: f.source,
        });
    }
}

fn add_assignments(
    b: &mut InventoryBuilder,
    standalone: Vec<RawAssignment>,
    expanded: Vec<Vec<RawAssignment>>,
    sp_identity: &HashMap<Id, usize>,
    resources: &Resources,
    pool: &Pool,
    notes: &mut Vec<String>,
) {
    // Sequential: de-duplicate (an assignment may be both expanded and standalone)
    // and keep those held by service principals in the export.
    let count = standalone.len() + expanded.iter().map(Vec::len).sum::<usize>();
    let mut seen: HashSet<Cow<str>> = HashSet::with_capacity_and_hasher(count, Default::default());
    let mut missing_principal = 0;
    let mut todo: Vec<(&RawAssignment, usize)> = Vec::with_capacity(count);
    let all = standalone.iter().chain(expanded.iter().flatten());
    for a in all {
        let key = match &a.id {
            Some(id) => Cow::Borrowed(id.as_str()),
            None => Cow::Owned(format!(
                "{}|{}|{}",
                a.principal_id, a.resource_id, a.app_role_id
            )),
        };
        if !seen.insert(key) {
            continue;
        }
        if a.principal_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("User") || t.eq_ignore_ascii_case("Group"))
        {
            continue;
        }
        let Some(&identity) = sp_identity.get(&a.principal_id) else {
            missing_principal += 1;
            continue;
        };
        if a.app_role_id != Id::NIL {
            todo.push((a, identity));
        }
    }
    // Parallel: resolve each appRoleId against its resource's app roles.
    // Grants are written straight into the inventory's list, grown once.
    let unresolved = std::sync::atomic::AtomicUsize::new(0);
    b.inventory.grants.reserve_exact(todo.len());
    b.inventory
        .grants
        .par_extend(todo.par_iter().map(|&(a, identity)| {
            let (grant, resolved) = resolve_assignment(a, identity, resources, pool);
            if !resolved {
                unresolved.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            grant
        }));
    let unresolved = unresolved.into_inner();
    // Freed here, before the delegated grants are built in the memory they held.
    drop(seen);
    drop((standalone, expanded));
    if missing_principal > 0 {
        let reason = format!(
            "{missing_principal} app role assignments name a service principal that is not in the export"
        );
        b.inventory.gaps.push(crate::model::Gap {
            provider: "entra",
            reason: reason.clone(),
        });
        notes.push(reason);
    }
    if unresolved > 0 {
        notes.push(format!(
            "{unresolved} app role assignments could not be resolved to a permission name (export the resource service principals with their appRoles)"
        ));
    }
}

/// One application permission grant; `false` when the permission name is unknown.
fn resolve_assignment(
    a: &RawAssignment,
    identity: usize,
    resources: &Resources,
    pool: &Pool,
) -> (Grant, bool) {
    let resource = resources.0.get(&a.resource_id);
    let role = resource.and_then(|r| r.app_roles.iter().find(|role| role.id == a.app_role_id));
    let (resource_app_id, value, note) = match resource {
        Some(r) => (r.app_id.clone(), role.map(|role| role.value.clone()), None),
        None if a.resource_name.as_deref() == Some("Microsoft Graph") => (
            Some(pool.share(MICROSOFT_GRAPH)),
            ENTRA
                .app_permission_by_id(MICROSOFT_GRAPH, &a.app_role_id.text())
                .map(|p| pool.share(&p.value)),
            Some(
                "resolved with nhiscan's Microsoft Graph table: the resource service principal is not in the export",
            ),
        ),
        None => (None, None, None),
    };
    let found = value.is_some();
    let tier = match (&resource_app_id, &value) {
        (Some(r), Some(v)) => EntraReference::tier(ENTRA.app_permission(r, v)),
        _ => Tier::Unclassified,
    };
    let grant = Grant {
        identity,
        kind: GrantKind::ApplicationPermission,
        resource: match resource.and_then(|r| r.name.clone()) {
            Some(name) => name,
            None => pool.share(a.resource_name.as_deref().unwrap_or(&a.resource_id.text())),
        },
        resource_app_id,
        permission: value.unwrap_or_else(|| format!("appRole {}", a.app_role_id).into()),
        permission_id: Some(match role {
            Some(role) => role.id_text.clone(),
            None => pool.share(&a.app_role_id.text()),
        }),
        tier,
        consent: None,
        scope: None,
        resolution_note: note,
        source: a.source,
    };
    (grant, found)
}

/// How many service principals become identities, in parallel, at a time.
const SPS_AT_ONCE: usize = 8192;

/// How many delegated permission grants (consents) are converted, in parallel, at a time.
const CONSENTS_AT_ONCE: usize = 4096;

fn add_consents(
    b: &mut InventoryBuilder,
    consents: Vec<RawConsent>,
    sp_identity: &HashMap<Id, usize>,
    resources: &Resources,
    pool: &Pool,
    notes: &mut Vec<String>,
) {
    let mut missing_client = 0;
    let mut seen: HashSet<Cow<str>> =
        HashSet::with_capacity_and_hasher(consents.len(), Default::default());
    let mut todo: Vec<(&RawConsent, usize)> = Vec::with_capacity(consents.len());
    for c in &consents {
        let key = match &c.id {
            Some(id) => Cow::Borrowed(id.as_str()),
            None => Cow::Owned(format!(
                "{}|{}|{:?}|{}",
                c.client_id,
                c.resource_id,
                c.principal_id,
                c.scopes.join(" ")
            )),
        };
        if !seen.insert(key) {
            continue;
        }
        match sp_identity.get(&c.client_id) {
            Some(&identity) => todo.push((c, identity)),
            None => missing_client += 1,
        }
    }
    // One grant per scope, reserved exactly: `reserve` would double a list of a few
    // hundred thousand grants. They are built in parallel a slice of consents at a
    // time, so that only that slice's grants are ever held twice.
    b.inventory
        .grants
        .reserve_exact(todo.iter().map(|(c, _)| c.scopes.len()).sum::<usize>());
    for slice in todo.chunks(CONSENTS_AT_ONCE) {
        let grants: Vec<Vec<Grant>> = slice
            .par_iter()
            .map(|&(c, identity)| consent_grants(c, identity, resources, pool))
            .collect();
        b.inventory.grants.extend(grants.into_iter().flatten());
    }
    drop(seen);
    drop(consents);
    if missing_client > 0 {
        let reason = format!(
            "{missing_client} delegated permission grants name a client service principal that is not in the export"
        );
        b.inventory.gaps.push(crate::model::Gap {
            provider: "entra",
            reason: reason.clone(),
        });
        notes.push(reason);
    }
}

/// One delegated grant per scope of a consent.
fn consent_grants(
    c: &RawConsent,
    identity: usize,
    resources: &Resources,
    pool: &Pool,
) -> Vec<Grant> {
    let resource = resources.0.get(&c.resource_id);
    let resource_app_id = resource.and_then(|r| r.app_id.clone());
    // Scope names are names, not GUIDs: an unknown resource is looked up as Graph.
    let lookup_app = resource_app_id.as_deref().unwrap_or(MICROSOFT_GRAPH);
    c.scopes
        .iter()
        .map(|scope| Grant {
            identity,
            kind: GrantKind::DelegatedPermission,
            resource: match resource.and_then(|r| r.name.clone()) {
                Some(name) => name,
                None => pool.share(&c.resource_id.text()),
            },
            resource_app_id: resource_app_id.clone(),
            permission: pool.share(scope),
            permission_id: None,
            tier: EntraReference::tier(ENTRA.scope(lookup_app, scope)),
            consent: Some(Consent {
                kind: if c.all_principals {
                    ConsentType::AllPrincipals
                } else {
                    ConsentType::Principal
                },
                principal_id: c.principal_id.as_ref().map(String::from),
            }),
            scope: None,
            resolution_note: resource.is_none().then_some(
                "resource service principal not in the export; scope tier looked up as Microsoft Graph",
            ),
            source: c.source,
        })
        .collect()
}

fn add_roles(b: &mut InventoryBuilder, m: &Merged, sp_identity: &HashMap<Id, usize>) {
    let mut seen = HashSet::default();
    let mut shared: HashMap<String, Arc<str>> = HashMap::default();
    let mut share = |s: String| -> Arc<str> {
        shared
            .entry(s)
            .or_insert_with_key(|k| Arc::from(k.as_str()))
            .clone()
    };
    for r in &m.role_assignments {
        let Some(&identity) = sp_identity.get(&r.principal_id) else {
            continue; // users and groups hold roles too; they are not NHIs
        };
        let scope = r.scope.clone().filter(|s| s != "/");
        if !seen.insert((identity, r.role_id.clone(), scope.clone())) {
            continue;
        }
        let known = ENTRA.role(&r.role_id);
        b.inventory.grants.push(Grant {
            identity,
            kind: GrantKind::DirectoryRole,
            resource: "Entra directory".into(),
            resource_app_id: None,
            permission: share(
                known
                    .map(|k| k.name.clone())
                    .or_else(|| r.role_name.clone())
                    .unwrap_or_else(|| format!("directory role {}", r.role_id)),
            ),
            permission_id: Some(share(r.role_id.clone())),
            tier: known
                .map(|k| Tier::from_number(k.tier))
                .unwrap_or(Tier::Unclassified),
            consent: None,
            scope,
            resolution_note: None,
            source: r.source,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provenance;

    #[test]
    fn consents_become_one_grant_per_scope_in_order_across_conversion_slices() {
        let client = |i: usize| Id::new(&format!("client-{}", i % 7));
        let resource = Resource {
            name: Some("Microsoft Graph".into()),
            app_id: Some(MICROSOFT_GRAPH.into()),
            app_roles: Vec::new(),
        };
        // More consents than one slice converts at a time, some repeated, one whose
        // client is not in the export, and a varying number of scopes.
        let n = 2 * CONSENTS_AT_ONCE + 123;
        let mut consents: Vec<RawConsent> = (0..n)
            .map(|i| RawConsent {
                id: Some(format!("consent-{i}")),
                client_id: if i == 5 { "gone".into() } else { client(i) },
                all_principals: i % 2 == 0,
                principal_id: None,
                resource_id: Id::new("graph-sp"),
                scopes: (0..1 + i % 3).map(|k| format!("Scope{i}.{k}")).collect(),
                source: Provenance {
                    file: 0,
                    line: i as u32 + 1,
                },
            })
            .collect();
        consents.push(RawConsent {
            source: Provenance { file: 0, line: 1 },
            ..consents[40].clone()
        });
        let sp_identity: HashMap<Id, usize> = (0..7).map(|k| (client(k), k)).collect();
        let resources = Resources([(Id::new("graph-sp"), resource)].into_iter().collect());
        let mut pool = Pool::default();
        let expected: Vec<(usize, String, u32)> = consents[..n]
            .iter()
            .filter(|c| c.client_id != Id::new("gone"))
            .flat_map(|c| {
                let identity = sp_identity[&c.client_id];
                c.scopes
                    .iter()
                    .map(move |s| (identity, s.clone(), c.source.line))
            })
            .collect();
        pool.add_scopes(&consents);
        let mut b = InventoryBuilder::new();
        let mut notes = Vec::new();
        add_consents(
            &mut b,
            consents,
            &sp_identity,
            &resources,
            &pool,
            &mut notes,
        );
        let got: Vec<(usize, String, u32)> = b
            .inventory
            .grants
            .iter()
            .map(|g| (g.identity, g.permission.to_string(), g.source.line))
            .collect();
        assert!(expected.len() > 2 * CONSENTS_AT_ONCE);
        assert_eq!(got, expected);
        assert_eq!(notes.len(), 1, "the missing client is noted: {notes:?}");
    }

    /// SPs become identities a slice at a time: across slice boundaries, each
    /// identity keeps its place and exactly its own credentials.
    #[test]
    fn service_principals_keep_their_credentials_across_conversion_slices() {
        let n = 2 * SPS_AT_ONCE + 3;
        let sps: Vec<RawSp> = (0..n)
            .map(|i| RawSp {
                id: Id::new(&format!("sp-{i}")),
                app_id: Some(Id::new(&format!("app-{i}"))),
                name: Some(format!("name-{i}")),
                sp_type: None,
                owner_org: None,
                enabled: Some(true),
                created: None,
                verified_publisher: None,
                app_roles: Vec::new(),
                // 0, 1 or 2 credentials, so that the credential list and the
                // identity list do not advance together.
                creds: (0..i % 3)
                    .map(|c| RawCred {
                        kind: RawCredKind::Password,
                        key_id: Some(Id::new(&format!("key-{i}-{c}"))),
                        name: None,
                        start: None,
                        end: None,
                        usage: None,
                        key_type: None,
                        custom_key_identifier: None,
                        source: Provenance::default(),
                    })
                    .collect(),
                owners: None,
                assignments: Vec::new(),
                source: Provenance {
                    file: 0,
                    line: u32::try_from(i).unwrap(),
                },
            })
            .collect();
        let files = vec![FileRecords {
            sps,
            ..FileRecords::default()
        }];
        let mut b = InventoryBuilder::new();
        join(files, &LoadOptions::default(), &mut b);
        let inv = b.finish();
        assert_eq!(inv.identities.len(), n);
        for (i, identity) in inv.identities.iter().enumerate() {
            assert_eq!(identity.id, format!("sp-{i}"));
            assert_eq!(identity.source.line as usize, i);
            let keys: Vec<&str> = inv
                .credentials_of(i)
                .iter()
                .filter_map(|c| c.key_id.as_deref())
                .collect();
            let expected: Vec<String> = (0..i % 3).map(|c| format!("key-{i}-{c}")).collect();
            assert_eq!(keys, expected, "identity {i}");
        }
        assert_eq!(inv.credentials.len(), (0..n).map(|i| i % 3).sum::<usize>());
    }

    #[test]
    fn dedupe_keeps_the_first_of_each_id_in_order_and_absorbs_the_rest() {
        let mut records = vec![
            ("a".to_string(), vec![1]),
            ("b".to_string(), vec![2]),
            ("a".to_string(), vec![3]),
            ("c".to_string(), vec![4]),
            ("a".to_string(), vec![5]),
            ("b".to_string(), vec![6]),
        ];
        let dropped = dedupe(
            &mut records,
            |r| &r.0,
            |kept, later| {
                kept.1.append(&mut later.1);
            },
        );
        assert_eq!(dropped, 3);
        assert_eq!(
            records,
            [
                ("a".to_string(), vec![1, 3, 5]),
                ("b".to_string(), vec![2, 6]),
                ("c".to_string(), vec![4]),
            ]
        );
        let mut unique = vec![("x".to_string(), 1)];
        assert_eq!(dedupe(&mut unique, |r| &r.0, |_, _| unreachable!()), 0);
    }

    #[test]
    fn concat_moves_a_single_list_and_joins_several_in_order() {
        let one = vec![1, 2, 3];
        let ptr = one.as_ptr();
        let moved = concat(vec![Vec::new(), one, Vec::new()].into_iter());
        assert_eq!(moved.as_ptr(), ptr, "moved, not copied");
        assert_eq!(
            concat(vec![vec![1], vec![], vec![2, 3]].into_iter()),
            [1, 2, 3]
        );
        assert!(concat(Vec::<Vec<u8>>::new().into_iter()).is_empty());
    }
}
