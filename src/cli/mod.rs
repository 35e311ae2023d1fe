//! The command line: clap definitions and the subcommands' glue.
//!
//! Parsing and validation happen here; the work is done by the library
//! (import → engine → report). This module maps outcomes to exit codes.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;

use crate::checks::meta::{ALL_META, lookup};
use crate::checks::{Severity, Thresholds};
use crate::config::Config;
use crate::import::{self, LoadOptions};
use crate::report::{self, Report, inventory::InventoryReport, table};
use crate::triage::{Baseline, Gate, SuppressionStatus, Triage};

const EXIT_CODES: &str = "\
Exit codes:
  0  scan completed; no new, unsuppressed finding at or above --fail-on
  1  the --fail-on gate tripped
  2  usage error (bad arguments, unwritable --output)
  3  unreadable or invalid input or config (the report is still written for the files that were read)
  4  incomplete input: a collection manifest marks missing data, or grants name objects
     missing from the export (--allow-incomplete accepts it)

Configuration: ./nhiscan.toml or --config FILE, and .nhiscan-ignore.toml beside it
(`nhiscan init` writes a commented default; docs/configuration.md).";

/// nhiscan: posture scanner for non-human identities (service principals, app
/// registrations, managed identities and their secrets, grants and owners).
#[derive(Debug, Parser)]
#[command(name = "nhiscan", version, about, after_help = EXIT_CODES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan exports and print the risk report (findings).
    #[command(after_help = EXIT_CODES)]
    Scan(ScanArgs),
    /// Print the visibility report: who owns what, what is used, what expires.
    #[command(after_help = EXIT_CODES)]
    Inventory(InputArgs),
    /// Print the compliance view of a scan: per control of a framework, the
    /// checks, the identities evaluated, failing and passing.
    #[command(after_help = EXIT_CODES)]
    Report(ReportArgs),
    /// List the check catalog.
    Checks(CatalogArgs),
    /// Print one check in full.
    Explain {
        /// Check id (ENTRA-001) or name (app-permission-tier0).
        id: String,
    },
    /// Fetch the exports live with a read-only token (Entra ID, Okta, GitHub) into
    /// a directory that `scan` reads, with a manifest of what could not be had.
    #[command(subcommand)]
    Collect(CollectCommand),
    /// Write a commented default nhiscan.toml.
    Init {
        /// Where to write it.
        #[arg(default_value = crate::config::FILE_NAME)]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CollectCommand {
    /// Microsoft Entra ID, through Microsoft Graph (docs/collect.md lists the permissions).
    Entra {
        #[command(flatten)]
        common: CollectArgs,
        /// The Graph endpoint, for national clouds (https://graph.microsoft.us, …) and tests.
        #[arg(long, value_name = "URL", default_value = crate::collect::entra::GRAPH)]
        graph_url: String,
    },
    /// Okta: apps, their grants, client secrets and admin roles; API tokens and their owners.
    Okta {
        #[command(flatten)]
        common: CollectArgs,
        /// The org URL, for example https://example.okta.com.
        #[arg(long, value_name = "URL")]
        org_url: String,
    },
    /// GitHub: an organisation's app installations, deploy keys and fine-grained PATs.
    Github {
        #[command(flatten)]
        common: CollectArgs,
        /// The organisation.
        #[arg(long)]
        org: String,
        /// The API endpoint, for GitHub Enterprise Server and tests.
        #[arg(long, value_name = "URL", default_value = crate::collect::github::API)]
        api_url: String,
    },
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The directory to write into. Running again into it resumes: endpoints already
    /// complete are not fetched again.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Read the token from this environment variable.
    #[arg(long, value_name = "VAR", required_unless_present = "token_command")]
    pub token_env: Option<String>,
    /// Run this command and use its output as the token, for example
    /// "az account get-access-token --resource-type ms-graph --query accessToken -o tsv".
    #[arg(long, value_name = "COMMAND", conflicts_with = "token_env")]
    pub token_command: Option<String>,
    /// Per-object requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Attempts per request, the first included.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub attempts: u32,
    /// Timeout of one request, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub timeout: f64,
    /// First retry delay in seconds (doubles per attempt, capped at 30 s, with jitter).
    #[arg(long, value_name = "SECONDS", default_value_t = 0.5)]
    pub retry_delay: f64,
    /// No progress bars (they are off anyway when standard error is not a terminal, or in CI).
    #[arg(long, short)]
    pub quiet: bool,
}

/// A report format. `scan` writes every one; `inventory` and `checks` write
/// table and JSON.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// Human-readable tables (the default).
    Table,
    /// The full report, documented in docs/json-report.md.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.
    Sarif,
    /// One self-contained HTML file for people.
    Html,
    /// OCSF 1.8 Detection Finding records (JSON array).
    Ocsf,
    /// One row per finding.
    Csv,
    /// A summary and the top findings, for PR comments and step summaries.
    Markdown,
    /// JUnit XML: a test case per check and identity, a failure per finding.
    Junit,
}

impl Format {
    /// The file name used for this format under `--output-dir`.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Table => "nhiscan.txt",
            Format::Json => "nhiscan.json",
            Format::Sarif => "nhiscan.sarif",
            Format::Html => "nhiscan.html",
            Format::Ocsf => "nhiscan.ocsf.json",
            Format::Csv => "nhiscan.csv",
            Format::Markdown => "nhiscan.md",
            Format::Junit => "nhiscan.junit.xml",
        }
    }

    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    None,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::None => None,
        }
    }
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// Export files or directories (recursed). Formats are detected by content.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format; several, comma-separated, with --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Format::Table])]
    pub format: Vec<Format>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write one file per --format into DIR (created if missing), named
    /// nhiscan.txt, .json, .sarif, .html, .ocsf.json, .csv, .md, .junit.xml.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// The clock for every age and expiry, RFC 3339 (default: now). Recorded in the report.
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    pub now: Option<Timestamp>,
    /// The home tenant id (default: from an organization export, else inferred).
    #[arg(long, value_name = "GUID")]
    pub tenant_id: Option<String>,
    /// Names the resource of a bare GCP `get-iam-policy` file, which does not say
    /// (repeatable), e.g. `sa-policy.json=projects/p/serviceAccounts/a@p.iam.gserviceaccount.com`.
    #[arg(long = "gcp-resource", value_name = "FILE=RESOURCE", value_parser = parse_pair)]
    pub gcp_resources: Vec<(String, String)>,
    /// The configuration file (default: ./nhiscan.toml if present). A named file
    /// that is missing is an error.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore ./nhiscan.toml and .nhiscan-ignore.toml: built-in defaults only.
    #[arg(long)]
    pub no_config: bool,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((f, r)) if !f.is_empty() && !r.is_empty() => Ok((f.to_string(), r.to_string())),
        _ => Err("expected FILE=RESOURCE".into()),
    }
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Exit 1 when a finding of this severity or worse is reported and is neither
    /// suppressed nor in the --baseline (default: the config's, else none).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Only findings whose fingerprint is not in this baseline count for the gate;
    /// baseline findings no longer found are reported as fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record this scan's findings (their fingerprints) as a baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Do not exit 4 on incomplete input (the gaps are still reported).
    #[arg(long)]
    pub allow_incomplete: bool,
    /// An AWS account id the organisation knows and trusts (repeatable); roles
    /// trusting other accounts are reported by AWS-009.
    #[arg(long = "trusted-aws-account", value_name = "ACCOUNT_ID", value_parser = parse_account)]
    pub trusted_aws_accounts: Vec<String>,
}

fn parse_account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err("an AWS account id is 12 digits".into())
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// The framework whose controls to show.
    #[arg(long, value_enum)]
    pub framework: FrameworkArg,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FrameworkArg {
    /// OWASP Non-Human Identities Top 10 (2025): NHI1..NHI10.
    OwaspNhi,
    /// NIST CSF 2.0: PR.AA-01..05, ID.AM and DE.CM where mapped.
    NistCsf,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

fn parse_now(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>()
        .map_err(|e| format!("not an RFC 3339 timestamp ({e}); example: 2026-11-01T00:00:00Z"))
}

/// Process exit codes.
pub mod exit {
    pub const OK: u8 = 0;
    pub const GATE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const INPUT: u8 = 3;
    pub const INCOMPLETE: u8 = 4;
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Inventory(args) => inventory(args),
        Command::Report(args) => compliance_report(args),
        Command::Checks(args) => {
            let mut out = std::io::stdout().lock();
            match args.format {
                Format::Table => table::write_catalog(&ALL_META, terminal_style(None), &mut out)?,
                Format::Json => report::json::write(&*ALL_META, &mut out)?,
                other => return Ok(unsupported("checks", other)),
            }
            Ok(exit::OK)
        }
        Command::Collect(c) => collect(c),
        Command::Init { path, force } => match crate::config::init(&path, force) {
            Ok(p) => {
                eprintln!("nhiscan: wrote {}", p.display());
                Ok(exit::OK)
            }
            Err(e) => {
                eprintln!("error: {e}");
                Ok(exit::USAGE)
            }
        },
        Command::Explain { id } => match lookup(&id) {
            Some(m) => {
                table::write_explain(m, &mut std::io::stdout().lock())?;
                Ok(exit::OK)
            }
            None => {
                eprintln!("error: no check named {id:?}; `nhiscan checks` lists them");
                Ok(exit::USAGE)
            }
        },
    }
}

/// `nhiscan collect …`: exit 0 when every endpoint is complete, 4 when one is not
/// (the manifest says which), 2 for a token or argument problem.
fn collect(command: CollectCommand) -> Result<u8> {
    use crate::collect::{Options, RetryPolicy, Token};
    let (common, provider) = match &command {
        CollectCommand::Entra { common, .. } => (common, "entra"),
        CollectCommand::Okta { common, .. } => (common, "okta"),
        CollectCommand::Github { common, .. } => (common, "github"),
    };
    let token = match (&common.token_env, &common.token_command) {
        (Some(var), _) => Token::from_env(var),
        (None, Some(cmd)) => Token::from_command(cmd),
        (None, None) => Err("give --token-env VAR or --token-command COMMAND".into()),
    };
    let token = match token {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let seconds = |s: f64| std::time::Duration::from_secs_f64(s.clamp(0.0, 3600.0));
    let policy = RetryPolicy {
        attempts: common.attempts,
        base_delay: seconds(common.retry_delay),
        timeout: seconds(common.timeout.max(0.1)),
        ..RetryPolicy::default()
    };
    // Okta API tokens use the SSWS scheme; OAuth access tokens (JWTs) are bearer tokens.
    let scheme = match &command {
        CollectCommand::Okta { .. } if token_is_jwt(&token) => "Bearer",
        CollectCommand::Okta { .. } => "SSWS",
        _ => "Bearer",
    };
    let options = Options {
        out: common.out.clone(),
        token,
        concurrency: usize::from(common.concurrency),
        policy,
        quiet: common.quiet,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let manifest = runtime.block_on(async {
        let mut run = crate::collect::Run::start(&options, provider, scheme)?;
        match &command {
            CollectCommand::Entra { graph_url, .. } => {
                crate::collect::entra::collect(&mut run, graph_url).await?
            }
            CollectCommand::Okta { org_url, .. } => {
                crate::collect::okta::collect(&mut run, org_url).await?
            }
            CollectCommand::Github { org, api_url, .. } => {
                crate::collect::github::collect(&mut run, api_url, org).await?
            }
        }
        run.finish()
    });
    let manifest = match manifest {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::INPUT);
        }
    };
    let problems = crate::collect::summary(&manifest);
    for p in &problems {
        eprintln!("warning: {p}");
    }
    let records: usize = manifest.endpoints.iter().map(|e| e.records).sum();
    eprintln!(
        "nhiscan: collected {records} records from {} endpoints into {}; {}",
        manifest.endpoints.len(),
        options.out.display(),
        if problems.is_empty() {
            "all complete".to_string()
        } else {
            format!(
                "{} not complete (manifest.json says why; `scan` exits 4 on it unless --allow-incomplete)",
                problems.len()
            )
        }
    );
    Ok(if problems.is_empty() {
        exit::OK
    } else {
        exit::INCOMPLETE
    })
}

fn token_is_jwt(token: &crate::collect::Token) -> bool {
    token.looks_like_jwt()
}

/// Reads the configuration the input arguments point at.
fn config(args: &InputArgs) -> std::result::Result<Config, crate::config::ConfigError> {
    if args.no_config {
        return Ok(Config::default());
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    Config::discover(args.config.as_deref(), &cwd)
}

fn load(args: &InputArgs, config: &Config) -> (import::Loaded, Timestamp) {
    let now = args.now.unwrap_or_else(Timestamp::now);
    // The embedded tables every scan needs are parsed from TOML on first use (about
    // 3 ms): parse them on a worker while this thread reads the files.
    rayon::spawn(|| {
        std::sync::LazyLock::force(&crate::checks::meta::ALL_META);
        std::sync::LazyLock::force(&crate::policy::aws_privesc::INDEX);
    });
    let loaded = import::load(
        &args.paths,
        &LoadOptions {
            tenant_id: args.tenant_id.clone(),
            gcp_resources: args.gcp_resources.clone(),
            home_tenants: config.home_tenants.clone(),
            first_party_app_ids: config.first_party_app_ids.clone(),
        },
    );
    (loaded, now)
}

/// One scan's results: the loaded inventory, the findings and the clock.
struct Scanned {
    loaded: import::Loaded,
    findings: Vec<crate::checks::Settled>,
    now: Timestamp,
    thresholds: Thresholds,
    timings: crate::timing::Timings,
}

fn run_scan(args: &ScanArgs, config: &Config) -> Scanned {
    let (loaded, now) = load(&args.input, config);
    let mut timings = crate::timing::Timings::start();
    let settings = settings(args, config);
    let findings = crate::engine::run_settings(&loaded.inventory, now, &settings);
    timings.lap("checks");
    Scanned {
        loaded,
        findings,
        now,
        thresholds: settings.thresholds,
        timings,
    }
}

/// The engine's settings: the config, with command-line flags added.
fn settings(args: &ScanArgs, config: &Config) -> crate::engine::Settings {
    let mut trusted_aws_accounts = config.trusted_aws_accounts.clone();
    trusted_aws_accounts.extend(args.trusted_aws_accounts.iter().cloned());
    trusted_aws_accounts.sort();
    trusted_aws_accounts.dedup();
    let checks = (config.enabled.is_some() || !config.disabled.is_empty()).then(|| {
        crate::checks::registry::ALL
            .iter()
            .map(|c| c.id)
            .filter(|id| config.runs(id))
            .collect()
    });
    crate::engine::Settings {
        thresholds: config.thresholds,
        trusted_aws_accounts,
        trusted_github_orgs: config.trusted_github_orgs.clone(),
        known_vendor_app_ids: config.known_vendor_app_ids.clone(),
        checks,
        severity: config.severity.clone(),
    }
}

/// The gate's threshold: `--fail-on`, else the config's.
fn fail_on(args: &ScanArgs, config: &Config) -> Option<Severity> {
    match args.fail_on {
        Some(f) => f.threshold(),
        None => config.fail_on,
    }
}

/// Prints a config problem and returns exit 3.
fn config_failed(e: &crate::config::ConfigError) -> u8 {
    eprintln!("error: {e}");
    exit::INPUT
}

fn scan(args: ScanArgs) -> Result<u8> {
    if let Some(code) = check_outputs(&args.input, &[]) {
        return Ok(code);
    }
    let config = match config(&args.input) {
        Ok(c) => c,
        Err(e) => return Ok(config_failed(&e)),
    };
    let baseline = match &args.baseline {
        Some(path) => match Baseline::read(path) {
            Ok(b) => Some((path.display().to_string(), b)),
            Err(e) => return Ok(config_failed(&e)),
        },
        None => None,
    };
    let Scanned {
        loaded,
        findings,
        now,
        thresholds,
        mut timings,
    } = run_scan(&args, &config);
    let triage = Triage::new(
        &loaded.inventory,
        &findings,
        &config.suppressions,
        baseline.as_ref().map(|(p, b)| (p.as_str(), b)),
        now,
    );
    let gate = Gate::evaluate(
        &findings,
        &triage,
        fail_on(&args, &config),
        loaded.inventory.gaps.len(),
        args.allow_incomplete || config.allow_incomplete,
        loaded.errors.len(),
    );
    let report = Report::build(
        &loaded.inventory,
        &findings,
        &loaded.errors,
        now,
        thresholds,
    )
    .with_triage(&triage, &gate, &config.sources);
    timings.lap("report");
    emit_all(&args.input, |format, out, style| match format {
        Format::Table => table::write_report(&report, style, out),
        Format::Json => report::json::write_report(&report, out),
        Format::Csv => report::csv::write(&report, out),
        Format::Markdown => report::markdown::write(&report, out),
        Format::Sarif => report::sarif::write(&report, out),
        Format::Ocsf => report::ocsf::write(&report, out),
        Format::Junit => report::junit::write(&report, out),
        Format::Html => {
            let holdings =
                InventoryReport::build(&loaded.inventory, &loaded.errors, now, thresholds);
            report::html::write(&report, &holdings, out)
        }
    })?;
    if let Some(path) = &args.write_baseline {
        let b = Baseline::of(&loaded.inventory, &findings, now);
        write_file(path, |w, _| report::json::write(&b, w))?;
    }
    timings.lap("render");
    if crate::timing::Timings::enabled() {
        let mut all = loaded.timings.clone();
        all.extend(&timings);
        eprint!("{}", all.render());
    }
    for e in &loaded.errors {
        eprintln!("error: {e}");
    }
    for o in &triage.suppressions {
        match o.status {
            SuppressionStatus::Expired => eprintln!(
                "warning: {}: suppression expired on {} and no longer applies ({} finding(s) match it)",
                o.suppression.source,
                o.suppression.expires.as_deref().unwrap_or("?"),
                o.matched
            ),
            SuppressionStatus::Stale => eprintln!(
                "warning: {}: suppression matches no finding (stale: remove it, or fix its selector)",
                o.suppression.source
            ),
            SuppressionStatus::Active => {}
        }
    }
    eprintln!("{}", gate.summary);
    let code = gate.exit_code;
    // The process ends next: freeing a large inventory object by object would only
    // add to the wall time.
    std::mem::forget(report);
    std::mem::forget(findings);
    std::mem::forget(loaded);
    Ok(code)
}

/// `nhiscan report --framework F`: the compliance view alone.
fn compliance_report(args: ReportArgs) -> Result<u8> {
    use crate::report::compliance::{self, Framework};
    if let Some(code) = check_outputs(&args.scan.input, &[Format::Table, Format::Json]) {
        return Ok(code);
    }
    let config = match config(&args.scan.input) {
        Ok(c) => c,
        Err(e) => return Ok(config_failed(&e)),
    };
    let scanned = run_scan(&args.scan, &config);
    let framework = match args.framework {
        FrameworkArg::OwaspNhi => Framework::OwaspNhi,
        FrameworkArg::NistCsf => Framework::NistCsf,
    };
    let view = compliance::view(&scanned.loaded.inventory, &scanned.findings, framework);
    emit_all(&args.scan.input, |format, out, style| match format {
        Format::Table => table::write_compliance(&view, style, out),
        _ => report::json::write(&view, out),
    })?;
    for e in &scanned.loaded.errors {
        eprintln!("error: {e}");
    }
    let triage = Triage::new(
        &scanned.loaded.inventory,
        &scanned.findings,
        &config.suppressions,
        None,
        scanned.now,
    );
    let gate = Gate::evaluate(
        &scanned.findings,
        &triage,
        fail_on(&args.scan, &config),
        scanned.loaded.inventory.gaps.len(),
        args.scan.allow_incomplete || config.allow_incomplete,
        scanned.loaded.errors.len(),
    );
    eprintln!("{}", gate.summary);
    Ok(gate.exit_code)
}

fn inventory(args: InputArgs) -> Result<u8> {
    let config = match config(&args) {
        Ok(c) => c,
        Err(e) => return Ok(config_failed(&e)),
    };
    let (loaded, now) = load(&args, &config);
    let report = InventoryReport::build(&loaded.inventory, &loaded.errors, now, config.thresholds);
    if let Some(code) = check_outputs(&args, &[Format::Table, Format::Json]) {
        return Ok(code);
    }
    emit_all(&args, |format, out, style| match format {
        Format::Table => table::write_inventory(&report, style, out),
        Format::Json => report::json::write(&report, out),
        _ => unreachable!("check_outputs allows table and json only"),
    })?;
    for e in &loaded.errors {
        eprintln!("error: {e}");
    }
    Ok(if loaded.errors.is_empty() {
        exit::OK
    } else {
        exit::INPUT
    })
}

/// Colour and width for standard output, or plain fixed-width for a file.
fn terminal_style(output: Option<&PathBuf>) -> table::Style {
    let tty = output.is_none() && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    table::Style {
        color: tty && !no_color,
        width: if tty {
            comfy_table::Table::new().width()
        } else {
            None
        },
    }
}

fn unsupported(command: &str, format: Format) -> u8 {
    eprintln!(
        "error: `nhiscan {command}` writes table or json, not {}",
        format.name()
    );
    exit::USAGE
}

/// Validates the format list against the output options (and, when `only` is
/// not empty, against the formats the command writes). Returns the exit code to
/// stop with, if any.
fn check_outputs(args: &InputArgs, only: &[Format]) -> Option<u8> {
    let command = if only.is_empty() {
        "scan"
    } else {
        "inventory/report"
    };
    if let Some(&f) = args
        .format
        .iter()
        .find(|f| !only.is_empty() && !only.contains(f))
    {
        return Some(unsupported(command, f));
    }
    if args.format.len() > 1 && args.output_dir.is_none() {
        eprintln!(
            "error: several formats need --output-dir DIR (one file per format); --output and standard output take one"
        );
        return Some(exit::USAGE);
    }
    None
}

/// Writes every requested format: to `--output-dir`, one file each, or to
/// `--output` or standard output.
fn emit_all(
    args: &InputArgs,
    render: impl Fn(Format, &mut dyn Write, table::Style) -> std::io::Result<()> + Sync,
) -> Result<()> {
    use rayon::prelude::*;
    let mut formats = args.format.clone();
    formats.sort();
    formats.dedup();
    match &args.output_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            // Each format goes to its own file, so they are written in parallel.
            formats.par_iter().try_for_each(|&format| {
                let path = dir.join(format.file_name());
                write_file(&path, |w, style| render(format, w, style))
            })
        }
        None => emit(args, |w, style| render(formats[0], w, style)),
    }
}

/// Writes a report to `path`. A regular file already there is written over from
/// its start and then cut to the report's length, rather than truncated when
/// opened: ext4 makes a file that was truncated to nothing write itself to disk
/// when it is closed (its `auto_da_alloc` safeguard), so rewriting last run's
/// report waited for the disk, 0.25 s for a 505 MB JSON report and 0.6 s for a
/// 1.6 GB OCSF one (docs/performance.md). Devices and pipes are written as they are.
fn write_file(
    path: &std::path::Path,
    render: impl FnOnce(&mut dyn Write, table::Style) -> std::io::Result<()>,
) -> Result<()> {
    use std::io::Seek;
    let context = || format!("cannot write {}", path.display());
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(context)?;
    let regular = file.metadata().with_context(context)?.is_file();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let written =
        render(&mut w, terminal_style(Some(&path.to_path_buf()))).and_then(|()| w.flush());
    if regular {
        // Cut what is left of the old file, after a failed write too.
        let mut file = w
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(context)?;
        let end = file.stream_position().with_context(context)?;
        file.set_len(end).with_context(context)?;
    }
    written.with_context(context)
}

/// Writes a report to `--output` or standard output.
fn emit(
    args: &InputArgs,
    render: impl FnOnce(&mut dyn Write, table::Style) -> std::io::Result<()>,
) -> Result<()> {
    let style = terminal_style(args.output.as_ref());
    match &args.output {
        Some(path) => write_file(path, render)?,
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
            let result = render(&mut w, style).and_then(|()| w.flush());
            if let Err(e) = result
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e.into());
            }
        }
    }
    Ok(())
}
