//! `nhiscan collect`: fetch the exports live, with a read-only token, into the
//! files `scan` reads, plus a `manifest.json` that says what could not be had.
//!
//! - [`http`]: one GET with retries (`Retry-After`, rate-limit resets, backoff with
//!   jitter, timeouts); failures are classified, never dropped.
//! - [`Run`]: the output directory, the manifest (resumable: endpoints already
//!   complete are skipped on a second run), pagination, bounded concurrency for
//!   per-object calls, progress bars on a terminal.
//! - [`entra`], [`okta`], [`github`]: what each collector fetches and where it
//!   writes it (docs/collect.md).
//!
//! The token comes from an environment variable or a command's output. It is kept
//! in memory only, sent only in the `Authorization` header, and never written to a
//! file, a log or an error message.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

pub mod entra;
pub mod github;
pub mod http;
pub mod okta;

pub use http::{Failure, Http, RetryPolicy};

/// A bearer token or API key, never printed.
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

impl Token {
    /// From an environment variable.
    pub fn from_env(var: &str) -> Result<Token, String> {
        match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Token(v.trim().to_string())),
            Ok(_) => Err(format!("the environment variable {var} is empty")),
            Err(_) => Err(format!("the environment variable {var} is not set")),
        }
    }

    /// From the standard output of a shell command, such as
    /// `az account get-access-token --resource-type ms-graph --query accessToken -o tsv`.
    /// Its output is never shown, not even when it fails.
    pub fn from_command(command: &str) -> Result<Token, String> {
        let out = std::process::Command::new("sh")
            .args(["-c", command])
            .stderr(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run the token command: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "the token command failed ({}); run it yourself to see why",
                out.status
            ));
        }
        let text = String::from_utf8(out.stdout)
            .map_err(|_| "the token command's output is not text".to_string())?;
        let token = text.trim();
        if token.is_empty() || token.contains(char::is_whitespace) {
            return Err("the token command did not print exactly one token".into());
        }
        Ok(Token(token.to_string()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Three base64url parts: an OAuth access token rather than an API key.
    pub fn looks_like_jwt(&self) -> bool {
        self.0.split('.').count() == 3 && self.0.starts_with("eyJ")
    }
}

/// How an endpoint ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Complete,
    Incomplete,
    Forbidden,
}

/// One endpoint in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Endpoint {
    pub name: String,
    /// The first URL (per-object endpoints: with `{id}`), without host.
    pub path: String,
    pub status: Status,
    pub pages: usize,
    pub records: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default)]
    pub errors: Vec<String>,
    /// Per-object endpoints: the objects whose calls failed (fetched again on resume).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_objects: Vec<String>,
}

impl Endpoint {
    fn new(name: &str, path: &str) -> Endpoint {
        Endpoint {
            name: name.to_string(),
            path: path.to_string(),
            status: Status::Complete,
            pages: 0,
            records: 0,
            reason: None,
            errors: Vec::new(),
            failed_objects: Vec::new(),
        }
    }

    /// Records a failure: forbidden stays forbidden, anything else is incomplete.
    fn fail(&mut self, f: &Failure) {
        match f {
            Failure::Forbidden(m) => {
                if self.status == Status::Complete {
                    self.status = Status::Forbidden;
                }
                self.reason.get_or_insert_with(|| m.clone());
            }
            Failure::Exhausted(m) | Failure::Rejected(m) => {
                self.status = Status::Incomplete;
                if self.errors.len() < 20 {
                    self.errors.push(m.clone());
                }
            }
        }
    }
}

/// `manifest.json`, as `scan` reads it (src/import/manifest.rs).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub nhiscan_manifest: u32,
    pub tool: String,
    pub provider: String,
    #[serde(default)]
    pub tenant: Option<String>,
    pub started: String,
    #[serde(default)]
    pub finished: Option<String>,
    pub endpoints: Vec<Endpoint>,
}

/// Settings shared by the collectors.
#[derive(Debug)]
pub struct Options {
    pub out: PathBuf,
    pub token: Token,
    /// Per-object calls in flight at once.
    pub concurrency: usize,
    pub policy: RetryPolicy,
    pub quiet: bool,
}

/// One collection run: the output directory, the manifest, progress.
pub struct Run {
    pub out: PathBuf,
    pub http: Arc<Http>,
    pub concurrency: usize,
    manifest: Manifest,
    /// Endpoints complete in an earlier run, by name.
    previous: BTreeMap<String, Endpoint>,
    progress: MultiProgress,
}

impl Run {
    pub fn start(options: &Options, provider: &str, scheme: &str) -> Result<Run, String> {
        std::fs::create_dir_all(&options.out)
            .map_err(|e| format!("cannot create {}: {e}", options.out.display()))?;
        let previous = read_manifest(&options.out)
            .map(|m| {
                m.endpoints
                    .into_iter()
                    .map(|e| (e.name.clone(), e))
                    .collect()
            })
            .unwrap_or_default();
        let http = Http::new(&options.token, scheme, options.policy)?;
        let target = if options.quiet
            || !std::io::stderr().is_terminal()
            || std::env::var_os("CI").is_some()
        {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        Ok(Run {
            out: options.out.clone(),
            http: Arc::new(http),
            concurrency: options.concurrency.max(1),
            manifest: Manifest {
                nhiscan_manifest: crate::import::manifest::VERSION,
                tool: format!("nhiscan {}", env!("CARGO_PKG_VERSION")),
                provider: provider.to_string(),
                tenant: None,
                started: crate::time::format(jiff::Timestamp::now()),
                finished: None,
                endpoints: Vec::new(),
            },
            previous,
            progress: MultiProgress::with_draw_target(target),
        })
    }

    pub fn set_tenant(&mut self, tenant: Option<String>) {
        if tenant.is_some() {
            self.manifest.tenant = tenant;
        }
    }

    /// The earlier run's entry for an endpoint, when it was complete: the
    /// endpoint is not fetched again.
    pub fn done_before(&mut self, name: &str) -> bool {
        match self.previous.get(name) {
            Some(e) if e.status == Status::Complete => {
                self.manifest.endpoints.push(e.clone());
                true
            }
            _ => false,
        }
    }

    /// Objects of a per-object endpoint still to fetch: all of them, or on a
    /// resumed run, those that failed last time (the others' files exist).
    pub fn objects_to_fetch(&self, name: &str, all: Vec<String>) -> Vec<String> {
        match self.previous.get(name) {
            Some(e) if e.status != Status::Complete && !e.failed_objects.is_empty() => {
                let failed: std::collections::BTreeSet<&str> =
                    e.failed_objects.iter().map(String::as_str).collect();
                all.into_iter()
                    .filter(|o| failed.contains(o.as_str()))
                    .collect()
            }
            _ => all,
        }
    }

    /// The earlier run's counts for a per-object endpoint being resumed.
    pub fn previous_counts(&self, name: &str) -> (usize, usize) {
        self.previous
            .get(name)
            .filter(|e| !e.failed_objects.is_empty())
            .map_or((0, 0), |e| (e.pages, e.records))
    }

    pub fn bar(&self, name: &str) -> ProgressBar {
        let bar = self.progress.add(ProgressBar::no_length());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {prefix:<34} {pos:>8} records  {per_sec:>12}  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(name.to_string());
        bar
    }

    pub fn record(&mut self, endpoint: Endpoint) {
        self.manifest.endpoints.push(endpoint);
        // Written after every endpoint, so that an interrupted run can resume.
        let _ = self.write_manifest();
    }

    fn write_manifest(&self) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(&self.manifest)?;
        let tmp = self.out.join("manifest.json.tmp");
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(tmp, self.out.join("manifest.json"))
    }

    /// Writes the final manifest and returns it.
    pub fn finish(mut self) -> Result<Manifest, String> {
        self.manifest.finished = Some(crate::time::format(jiff::Timestamp::now()));
        self.write_manifest().map_err(|e| {
            format!(
                "cannot write {}: {e}",
                self.out.join("manifest.json").display()
            )
        })?;
        let _ = self.progress.clear();
        Ok(self.manifest)
    }

    /// Writes one file under the output directory, creating its directory.
    pub fn write(&self, relative: &str, text: &str) -> Result<(), String> {
        write_file(&self.out, relative, text)
    }
}

pub(crate) fn write_file(out: &Path, relative: &str, text: &str) -> Result<(), String> {
    let path = out.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn read_manifest(out: &Path) -> Option<Manifest> {
    let text = std::fs::read_to_string(out.join("manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// A file-name-safe form of an object id or name.
pub(crate) fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Fetches every page of a list that pages with a `Link: rel="next"` header (Okta,
/// GitHub) and merges the items (found by `items`) into one JSON array, written to
/// `relative`. Returns the endpoint's record for the manifest.
pub(crate) async fn link_paged_list(
    run: &Run,
    name: &str,
    first_url: &str,
    relative: &str,
    items: fn(&serde_json::Value) -> Option<&Vec<serde_json::Value>>,
    bar: &ProgressBar,
) -> (Endpoint, Vec<serde_json::Value>) {
    let mut endpoint = Endpoint::new(name, &path_of(first_url));
    let mut all: Vec<serde_json::Value> = Vec::new();
    let mut url = Some(first_url.to_string());
    while let Some(u) = url.take() {
        match run.http.get(&u).await {
            Ok(page) => {
                endpoint.pages += 1;
                match items(&page.json) {
                    Some(list) => {
                        all.extend(list.iter().cloned());
                        bar.set_position(all.len() as u64);
                    }
                    None => {
                        endpoint.fail(&Failure::Rejected(format!(
                            "page {} of {} is not the expected list",
                            endpoint.pages,
                            path_of(&u)
                        )));
                        break;
                    }
                }
                url = page.next_link;
            }
            Err(f) => {
                endpoint.fail(&f);
                break;
            }
        }
    }
    endpoint.records = all.len();
    if endpoint.pages > 0
        && let Err(e) = run.write(
            relative,
            &(pretty(&serde_json::Value::Array(all.clone())) + "\n"),
        )
    {
        endpoint.fail(&Failure::Rejected(e));
    }
    bar.finish_with_message(status_word(&endpoint));
    (endpoint, all)
}

/// Runs `fetch` for every object with at most `run.concurrency` in flight, and
/// folds the outcomes into one endpoint record.
pub(crate) async fn per_object<F, Fut>(
    run: &Run,
    name: &str,
    path: &str,
    objects: Vec<String>,
    fetch: F,
) -> Endpoint
where
    F: Fn(Arc<Http>, String) -> Fut,
    Fut: std::future::Future<Output = Result<(usize, usize), Failure>> + Send + 'static,
{
    let mut endpoint = Endpoint::new(name, path);
    let (pages, records) = run.previous_counts(name);
    endpoint.pages = pages;
    endpoint.records = records;
    let bar = run.bar(name);
    bar.set_length(objects.len() as u64);
    let semaphore = Arc::new(tokio::sync::Semaphore::new(run.concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, id) in objects.into_iter().enumerate() {
        let permit = semaphore.clone();
        let fut = fetch(run.http.clone(), id.clone());
        tasks.spawn(async move {
            let _permit = permit.acquire_owned().await;
            (i, id, fut.await)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        if let Ok(outcome) = done {
            bar.inc(1);
            outcomes.push(outcome);
        }
    }
    // In object order, so that the manifest does not depend on timing.
    outcomes.sort_by_key(|(i, _, _)| *i);
    for (_, id, outcome) in outcomes {
        match outcome {
            Ok((p, r)) => {
                endpoint.pages += p;
                endpoint.records += r;
            }
            Err(f) => {
                if !matches!(f, Failure::Forbidden(_)) {
                    endpoint.failed_objects.push(id.clone());
                }
                let tagged = match &f {
                    Failure::Forbidden(m) => Failure::Forbidden(format!("{id}: {m}")),
                    Failure::Exhausted(m) => Failure::Exhausted(format!("{id}: {m}")),
                    Failure::Rejected(m) => Failure::Rejected(format!("{id}: {m}")),
                };
                endpoint.fail(&tagged);
            }
        }
    }
    bar.finish_with_message(status_word(&endpoint));
    endpoint
}

pub(crate) fn status_word(e: &Endpoint) -> &'static str {
    match e.status {
        Status::Complete => "complete",
        Status::Incomplete => "INCOMPLETE",
        Status::Forbidden => "forbidden",
    }
}

/// The path and query of a URL, for the manifest (no host: national clouds and
/// test servers differ only there).
pub(crate) fn path_of(url: &str) -> String {
    match url.split_once("://") {
        Some((_, rest)) => rest
            .find('/')
            .map_or("/".to_string(), |i| rest[i..].to_string()),
        None => url.to_string(),
    }
}

pub(crate) fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// One line per endpoint that is not complete, for the terminal.
pub fn summary(m: &Manifest) -> Vec<String> {
    m.endpoints
        .iter()
        .filter(|e| e.status != Status::Complete)
        .map(|e| {
            let why = e
                .reason
                .clone()
                .or_else(|| e.errors.first().cloned())
                .unwrap_or_default();
            format!("{}: {} ({why})", e.name, status_word(e).to_lowercase())
        })
        .collect()
}
