//! HTML output: one self-contained page a consultant can email.
//!
//! Everything is inline: the style sheet and scripts (from `src/report/html/`,
//! included at build time), the charts (SVG drawn here, so they need no
//! script), and the findings as one JSON data block that the script pages
//! through 100 rows at a time, so a report of 100,000 findings stays
//! responsive. A Content-Security-Policy with `default-src 'none'` and hashes of
//! the two scripts and the style sheet stops the page from loading anything,
//! even if a value from an export slipped through escaping.
//!
//! Text from the exports is escaped with [`escape`] in markup, and with `<`
//! written as `\u003c` in the data block, so it can neither close the block
//! (`</script>`) nor open a comment (`<!--`). The script builds the DOM with
//! `textContent`. The page depends only on the report: the same input and
//! `--now` give the same bytes.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};

use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Report;
use super::compliance::{Control, Framework, FrameworkView, Status};
use crate::checks::meta::{ALL_META, OWASP_NHI};
use crate::checks::{FrozenEvidence, Severity};
use crate::visibility::{AGE_BOUNDS_DAYS, AGE_BUCKETS};

const CSS: &str = include_str!("html/report.css");
/// Installs the error handlers before anything else runs (in `<head>`).
const GUARD_JS: &str = include_str!("html/guard.js");
/// Renders the findings table, the identity view and the filters.
const REPORT_JS: &str = include_str!("html/report.js");

/// Riskiest identities in the executive summary.
const TOP_IDENTITIES: usize = 5;

/// Accounts or projects listed per provider in the summary before "and N more".
const MAX_SCOPES: usize = 8;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Writes the HTML report. `holdings` is the inventory report of the same scan:
/// the identity view shows each listed identity's credentials and grants from it.
pub fn write(
    report: &Report,
    holdings: &super::inventory::InventoryReport,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut h = String::with_capacity(64 * 1024);
    head(&mut h, report);
    summary(&mut h, report);
    charts(&mut h, report);
    compliance(&mut h, report);
    visibility(&mut h, report);
    findings_section(&mut h, report);
    identities_section(&mut h);
    catalog(&mut h, report);
    footer(&mut h, report);
    out.write_all(h.as_bytes())?;
    out.write_all(b"<script type=\"application/json\" id=\"data\">")?;
    let mut w = ScriptSafe(&mut *out);
    serde_json::to_writer(&mut w, &data(report, holdings))?;
    out.write_all(b"</script>\n<script>")?;
    out.write_all(REPORT_JS.as_bytes())?;
    out.write_all(b"</script>\n</body>\n</html>\n")
}

/// `'sha256-…'` of a script or style element's text, for the CSP.
fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn head(h: &mut String, r: &Report) {
    let csp = format!(
        "default-src 'none'; script-src {} {}; style-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(GUARD_JS),
        csp_hash(REPORT_JS),
        csp_hash(CSS)
    );
    let title = match &r.tenant.id {
        Some(t) => format!("nhiscan report · {t} · {}", r.scanned_at),
        None => format!("nhiscan report · {}", r.scanned_at),
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"nhiscan {version}\">\n\
         <title>{title}</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         <style>{CSS}</style>\n<script>{GUARD_JS}</script>\n</head>\n<body>\n",
        csp = escape(&csp),
        version = escape(r.tool.version),
        title = escape(&title),
    );
    let _ = write!(
        h,
        "<header class=\"top\"><h1>nhiscan report</h1>\
         <p>Non-human identity posture · scanned at <time datetime=\"{t}\">{t}</time> · nhiscan {v}</p></header>\n\
         <nav class=\"toc\" aria-label=\"Sections\"><a href=\"#summary\">Summary</a><a href=\"#charts\">Charts</a>\
         <a href=\"#compliance\">Compliance</a><a href=\"#visibility\">Visibility</a><a href=\"#findings\">Findings</a>\
         <a href=\"#identities\">Identities</a><a href=\"#catalog\">Check catalog</a></nav>\n\
         <div id=\"js-errors\" class=\"js-errors\" role=\"alert\" hidden><strong>The page's script failed:</strong><ul></ul></div>\n\
         <noscript><p class=\"banner\">JavaScript is off: the summary, charts, compliance, visibility and the check catalog are shown, \
         but the findings table and the identity view need JavaScript. The JSON report (<code>--format json</code>) has every finding.</p></noscript>\n\
         <main>\n",
        t = escape(&r.scanned_at),
        v = escape(r.tool.version),
    );
}

fn sev_badge(sev: &str) -> String {
    format!("<span class=\"sev sev-{0}\">{0}</span>", escape(sev))
}

fn summary(h: &mut String, r: &Report) {
    let s = &r.summary;
    h.push_str("<section id=\"summary\"><h2>Executive summary</h2>\n<div class=\"cards\">\n");
    card(
        h,
        "Scan time",
        &format!("<time datetime=\"{0}\">{0}</time>", escape(&r.scanned_at)),
        "the clock for every age and expiry",
    );
    let (tenant, source) = match &r.tenant.id {
        Some(id) => (
            format!("<span class=\"mono\">{}</span>", escape(id)),
            match r.tenant.source {
                Some(src) => format!("source: {}", escape(&enum_str(&src))),
                None => String::new(),
            },
        ),
        None => (
            "none".to_string(),
            "no Entra home tenant in this scan".into(),
        ),
    };
    card(h, "Entra tenant", &tenant, &source);
    card(
        h,
        "Accounts and projects",
        &scopes(r),
        "named by the identities in findings and risk scores",
    );
    let read = r
        .inputs
        .iter()
        .filter(|i| i.format != "skipped" && i.format != "error")
        .count();
    card(
        h,
        "Inputs",
        &thousands(r.inputs.len()),
        &format!(
            "{} read · {} skipped · {} input error(s)",
            thousands(read),
            thousands(r.skipped.len()),
            thousands(r.errors.len())
        ),
    );
    card(
        h,
        "Identities",
        &thousands(s.identities),
        &format!(
            "{} with findings · {} credentials · {} grants",
            thousands(s.identities_with_findings),
            thousands(s.credentials),
            thousands(s.grants)
        ),
    );
    let sev_line: Vec<String> = Severity::ALL
        .iter()
        .map(|sev| {
            format!(
                "<span class=\"sev sev-{0}\">{1} {0}</span>",
                sev.as_str(),
                thousands(s.by_severity.get(sev.as_str()).copied().unwrap_or(0))
            )
        })
        .collect();
    card(
        h,
        "Findings",
        &thousands(s.findings),
        &format!("<span class=\"sevline\">{}</span>", sev_line.join(" ")),
    );
    card(
        h,
        "Visibility score",
        &format!(
            "{}<span class=\"outof\">/100</span>{}",
            r.visibility.score,
            gauge(r.visibility.score)
        ),
        "owners 40 %, last-use data 40 %, credentials within policy 20 %",
    );
    h.push_str("</div>\n");

    h.push_str("<h3>Top 5 riskiest identities</h3>\n");
    if r.risk.is_empty() {
        h.push_str("<p class=\"empty\">No identity has a risk score above zero.</p>\n");
    } else {
        h.push_str(
            "<table class=\"data top-risk\"><thead><tr><th>#</th><th>Identity</th><th>Provider</th><th>Kind</th>\
             <th class=\"num\">Score</th><th>Findings · privilege · exposure</th>\
             <th class=\"num\" title=\"critical / high / medium / low\">C/H/M/L</th><th>Tier</th></tr></thead><tbody>\n",
        );
        for (i, x) in r.risk.iter().take(TOP_IDENTITIES).enumerate() {
            let [c, hi, m, l] = x.counts;
            let _ = writeln!(
                h,
                "<tr><td>{n}</td><td><button type=\"button\" class=\"linklike\" data-risk=\"{i}\">{name}</button>\
                 <div class=\"sub mono\">{id}</div></td><td>{p}</td><td>{k}</td><td class=\"num\"><strong>{score}</strong></td>\
                 <td>{parts}</td><td class=\"num\">{c}/{hi}/{m}/{l}</td><td>{tier}</td></tr>",
                n = i + 1,
                name = escape(x.name),
                id = escape(x.id),
                p = escape(x.provider),
                k = escape(x.kind),
                score = x.score,
                parts = risk_parts(x.findings, x.privilege, x.exposure),
                tier = escape(x.highest_tier),
            );
        }
        h.push_str("</tbody></table>\n");
        let _ = writeln!(
            h,
            "<p class=\"caption\">{} identities have a risk score above zero. The score (0–100) adds findings (up to 60: critical 30, high 15, medium 6, low 2), \
             privilege (up to 25: Tier 0 25, Tier 1 12) and exposure (up to 15). It orders identities for triage; it is not a probability.</p>",
            thousands(r.risk.len())
        );
    }
    problems(h, r);
    h.push_str("</section>\n");
}

/// The three parts of a risk score as one stacked bar.
fn risk_parts(findings: u32, privilege: u32, exposure: u32) -> String {
    let mut s = String::from(
        "<svg class=\"parts\" width=\"200\" height=\"14\" viewBox=\"0 0 200 14\" role=\"img\">",
    );
    let _ = write!(
        s,
        "<title>findings {findings} · privilege {privilege} · exposure {exposure}</title>"
    );
    let mut x = 0;
    for (v, class) in [
        (findings, "p-findings"),
        (privilege, "p-privilege"),
        (exposure, "p-exposure"),
    ] {
        let w = (v * 2).min(200 - x);
        if w > 0 {
            let _ = write!(
                s,
                "<rect class=\"{class}\" x=\"{x}\" y=\"1\" width=\"{w}\" height=\"12\"/>"
            );
        }
        x += w;
    }
    let _ = write!(
        s,
        "<rect class=\"track\" x=\"{x}\" y=\"1\" width=\"{}\" height=\"12\"/></svg> \
         <span class=\"sub\">{findings} · {privilege} · {exposure}</span>",
        200 - x
    );
    s
}

/// A serde enum's string form (`organization_export`).
fn enum_str<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A count with thousands separators: 103,284.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn card(h: &mut String, label: &str, value_html: &str, sub_html: &str) {
    let _ = writeln!(
        h,
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{value_html}</div><div class=\"sub\">{sub_html}</div></div>",
        escape(label)
    );
}

/// A ring showing a 0–100 score.
fn gauge(score: u32) -> String {
    let score = score.min(100);
    // Circumference of r = 15.9155 is 100, so the dash length is the score.
    format!(
        "<svg class=\"gauge\" width=\"44\" height=\"44\" viewBox=\"0 0 36 36\" role=\"img\"><title>{score} of 100</title>\
         <circle class=\"track\" cx=\"18\" cy=\"18\" r=\"15.9155\" fill=\"none\" stroke-width=\"4\"/>\
         <circle class=\"{}\" cx=\"18\" cy=\"18\" r=\"15.9155\" fill=\"none\" stroke-width=\"4\" \
         stroke-dasharray=\"{score} {}\" transform=\"rotate(-90 18 18)\"/></svg>",
        score_class(score),
        100 - score
    )
}

fn score_class(score: u32) -> &'static str {
    match score {
        80.. => "good",
        50..80 => "fair",
        _ => "poor",
    }
}

/// AWS accounts and GCP projects named by the identities of the report, and
/// the identity count of each provider.
fn scopes(r: &Report) -> String {
    let mut aws = BTreeSet::new();
    let mut gcp = BTreeSet::new();
    let ids = r
        .findings
        .iter()
        .map(|f| (f.identity.provider, f.identity.id))
        .chain(r.risk.iter().map(|x| (x.provider, x.id)));
    for (provider, id) in ids {
        match provider {
            "aws" => {
                if let Some(account) = id
                    .strip_prefix("arn:")
                    .and_then(|rest| rest.split(':').nth(3))
                    .filter(|a| !a.is_empty())
                {
                    aws.insert(account);
                }
            }
            "gcp" => {
                let project = id
                    .rsplit_once('@')
                    .and_then(|(_, domain)| domain.strip_suffix(".iam.gserviceaccount.com"))
                    .or_else(|| {
                        id.strip_prefix("projects/")
                            .and_then(|rest| rest.split('/').next())
                    });
                // Google's service agents live in Google's projects (gcp-sa-*).
                if let Some(p) =
                    project.filter(|p| !p.is_empty() && *p != "-" && !p.starts_with("gcp-sa-"))
                {
                    gcp.insert(p);
                }
            }
            _ => {}
        }
    }
    let mut per_provider: Vec<(&str, usize)> = Vec::new();
    for g in &r.visibility.groups {
        match per_provider.last_mut() {
            Some((p, n)) if *p == g.provider => *n += g.total,
            _ => per_provider.push((&g.provider, g.total)),
        }
    }
    let mut lines = Vec::new();
    for (provider, n) in per_provider {
        let (label, named): (&str, &BTreeSet<&str>) = match provider {
            "aws" => ("AWS", &aws),
            "gcp" => ("Google Cloud", &gcp),
            "entra" => ("Entra ID", &BTreeSet::new()),
            "k8s" => ("Kubernetes", &BTreeSet::new()),
            "okta" => ("Okta", &BTreeSet::new()),
            "github" => ("GitHub", &BTreeSet::new()),
            _ => (provider, &BTreeSet::new()),
        };
        let mut line = format!(
            "<li><strong>{}</strong> · {} identities",
            escape(label),
            thousands(n)
        );
        if !named.is_empty() {
            let list: Vec<String> = named
                .iter()
                .take(MAX_SCOPES)
                .map(|a| format!("<span class=\"mono\">{}</span>", escape(a)))
                .collect();
            let _ = write!(line, " · {}", list.join(", "));
            if named.len() > MAX_SCOPES {
                let _ = write!(line, " and {} more", named.len() - MAX_SCOPES);
            }
        }
        line.push_str("</li>");
        lines.push(line);
    }
    if lines.is_empty() {
        return "none".into();
    }
    format!("<ul class=\"scopes\">{}</ul>", lines.concat())
}

fn problems(h: &mut String, r: &Report) {
    if r.errors.is_empty() && r.skipped.is_empty() && r.notes.is_empty() {
        return;
    }
    let open = if r.errors.is_empty() { "" } else { " open" };
    let _ = writeln!(
        h,
        "<details class=\"problems\"{open}><summary>Input problems and notes: {} error(s), {} skipped file(s), {} note(s)</summary><ul>",
        r.errors.len(),
        r.skipped.len(),
        r.notes.len()
    );
    for e in &r.errors {
        let _ = writeln!(
            h,
            "<li><span class=\"tag tag-error\">error</span> {}</li>",
            escape(&e.message)
        );
    }
    for s in &r.skipped {
        let _ = writeln!(
            h,
            "<li><span class=\"tag\">skipped</span> <span class=\"mono\">{}</span>: {}</li>",
            escape(&s.path),
            escape(&s.reason)
        );
    }
    for n in &r.notes {
        let _ = writeln!(h, "<li><span class=\"tag\">note</span> {}</li>", escape(n));
    }
    h.push_str("</ul></details>\n");
}

/// A horizontal bar chart: one row per (label, value, CSS class).
fn bar_chart(title: &str, rows: &[(String, usize, &str)]) -> String {
    const BAR_W: usize = 330;
    const ROW_H: usize = 24;
    let label_w = rows.iter().map(|r| text_width(&r.0)).max().unwrap_or(0) + 16;
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let height = rows.len() * ROW_H + 8;
    let width = label_w + BAR_W + text_width(&thousands(max)) + 16;
    let mut s = format!(
        "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = escape(title)
    );
    for (i, (label, value, class)) in rows.iter().enumerate() {
        let y = 4 + i * ROW_H;
        let w = if *value == 0 {
            0
        } else {
            (value * BAR_W).div_ceil(max).max(2)
        };
        let _ = write!(
            s,
            "<g><title>{l}: {value}</title><text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{l}</text>\
             <rect class=\"track\" x=\"{label_w}\" y=\"{y}\" width=\"{BAR_W}\" height=\"18\"/>\
             <rect class=\"{class}\" x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"18\"/>\
             <text class=\"value\" x=\"{vx}\" y=\"{ty}\">{v}</text></g>",
            v = thousands(*value),
            l = escape(label),
            lx = label_w - 8,
            ty = y + 13,
            vx = label_w + w + 6,
        );
    }
    s.push_str("</svg>");
    s
}

fn framework<'r>(r: &'r Report, f: Framework) -> Option<&'r FrameworkView> {
    r.compliance.iter().find(|v| v.framework == f)
}

fn charts(h: &mut String, r: &Report) {
    h.push_str("<section id=\"charts\"><h2>Findings by severity and OWASP NHI category</h2>\n<div class=\"charts\">\n");
    let rows: Vec<(String, usize, &str)> = Severity::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                r.summary.by_severity.get(s.as_str()).copied().unwrap_or(0),
                match s {
                    Severity::Critical => "bar sev-critical",
                    Severity::High => "bar sev-high",
                    Severity::Medium => "bar sev-medium",
                    Severity::Low => "bar sev-low",
                    Severity::Info => "bar sev-info",
                },
            )
        })
        .collect();
    let _ = writeln!(
        h,
        "<figure id=\"chart-severity\"><figcaption>Findings by severity</figcaption>{}</figure>",
        bar_chart("Findings by severity", &rows)
    );
    let owasp: Vec<(String, usize, &str)> = match framework(r, Framework::OwaspNhi) {
        Some(view) => view
            .controls
            .iter()
            .map(|c| {
                let short = c.id.split(':').next().unwrap_or(c.id);
                (format!("{short} {}", c.title), c.findings, "bar owasp")
            })
            .collect(),
        None => OWASP_NHI
            .iter()
            .map(|(id, t)| (format!("{id} {t}"), 0, "bar owasp"))
            .collect(),
    };
    let _ = writeln!(
        h,
        "<figure id=\"chart-owasp\"><figcaption>Findings by OWASP NHI Top 10 (2025) category</figcaption>{}\
         <p class=\"caption\">A check can map to more than one category, so the bars can add up to more than the number of findings.</p></figure>",
        bar_chart("Findings by OWASP NHI Top 10 category", &owasp)
    );
    h.push_str("</div>\n</section>\n");
}

fn status_badge(s: Status) -> String {
    let class = match s {
        Status::Fail => "fail",
        Status::Pass => "pass",
        Status::NotEvaluated => "na",
    };
    format!(
        "<span class=\"status status-{class}\">{}</span>",
        s.as_str()
    )
}

/// Failing and passing identities of each control, as stacked bars.
fn coverage_chart(title: &str, controls: &[&Control]) -> String {
    const BAR_W: usize = 300;
    const ROW_H: usize = 26;
    let label = |c: &Control| format!("{} {}", c.id, c.title);
    let value = |c: &Control| {
        if c.status == Status::NotEvaluated || c.evaluated == 0 {
            "not evaluated".to_string()
        } else {
            format!(
                "{} failing / {} evaluated",
                thousands(c.failing),
                thousands(c.evaluated)
            )
        }
    };
    let label_w = controls
        .iter()
        .map(|c| text_width(&label(c)))
        .max()
        .unwrap_or(0)
        + 16;
    let height = controls.len() * ROW_H + 8;
    let width = label_w
        + BAR_W
        + controls
            .iter()
            .map(|c| text_width(&value(c)))
            .max()
            .unwrap_or(0)
        + 16;
    let mut s = format!(
        "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = escape(title)
    );
    for (i, c) in controls.iter().enumerate() {
        let y = 4 + i * ROW_H;
        let ty = y + 14;
        let _ = write!(
            s,
            "<g><title>{id}: {status}; {f} failing, {p} passing of {e} evaluated identities; {n} finding(s)</title>\
             <text class=\"label\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{l}</text>",
            id = escape(c.id),
            status = c.status.as_str(),
            f = c.failing,
            p = c.passing,
            e = c.evaluated,
            n = c.findings,
            lx = label_w - 8,
            l = escape(&label(c)),
        );
        if c.status == Status::NotEvaluated || c.evaluated == 0 {
            let _ = write!(
                s,
                "<rect class=\"track\" x=\"{label_w}\" y=\"{y}\" width=\"{BAR_W}\" height=\"18\"/>"
            );
        } else {
            let fw = (c.failing * BAR_W).div_ceil(c.evaluated).min(BAR_W);
            let _ = write!(
                s,
                "<rect class=\"bar pass\" x=\"{label_w}\" y=\"{y}\" width=\"{BAR_W}\" height=\"18\"/>\
                 <rect class=\"bar fail\" x=\"{label_w}\" y=\"{y}\" width=\"{fw}\" height=\"18\"/>"
            );
        }
        let _ = write!(
            s,
            "<text class=\"value\" x=\"{vx}\" y=\"{ty}\">{v}</text></g>",
            vx = label_w + BAR_W + 6,
            v = value(c),
        );
    }
    s.push_str("</svg>");
    s
}

/// A generous estimate of the width of SVG text at 12px, so that labels fit
/// without measuring them in a browser.
fn text_width(s: &str) -> usize {
    s.chars().count() * 7
}

fn control_table(h: &mut String, view: &FrameworkView) {
    h.push_str(
        "<table class=\"data\"><thead><tr><th>Control</th><th>Title</th><th>Status</th><th class=\"num\">Evaluated</th>\
         <th class=\"num\">Failing</th><th class=\"num\">Passing</th><th class=\"num\">Findings</th><th>Checks</th></tr></thead><tbody>\n",
    );
    for c in &view.controls {
        let checks: Vec<String> = c
            .checks
            .iter()
            .map(|id| format!("<a href=\"#check-{0}\">{0}</a>", escape(id)))
            .collect();
        let _ = writeln!(
            h,
            "<tr><td class=\"mono nowrap\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"checks\">{}</td></tr>",
            escape(c.id),
            escape(c.title),
            status_badge(c.status),
            c.evaluated,
            c.failing,
            c.passing,
            c.findings,
            if checks.is_empty() {
                "<span class=\"sub\">no check maps here</span>".to_string()
            } else {
                checks.join(" ")
            }
        );
    }
    h.push_str("</tbody></table>\n");
}

fn compliance(h: &mut String, r: &Report) {
    h.push_str("<section id=\"compliance\"><h2>Compliance</h2>\n");
    h.push_str(
        "<p class=\"caption\">An identity is <em>evaluated</em> by a control when one of the control's checks applies to its provider, \
         and <em>failing</em> when one of those checks reported it. A control with no mapped check, or no identity of a mapped provider, \
         is not evaluated.</p>\n",
    );
    if let Some(nist) = framework(r, Framework::NistCsf) {
        let pr_aa: Vec<&Control> = nist
            .controls
            .iter()
            .filter(|c| c.id.starts_with("PR.AA"))
            .collect();
        let _ = writeln!(
            h,
            "<figure id=\"chart-nist\"><figcaption>NIST CSF 2.0 PR.AA (identity management, authentication and access control): failing vs evaluated identities</figcaption>{}</figure>",
            coverage_chart("NIST CSF PR.AA coverage", &pr_aa)
        );
        let _ = writeln!(h, "<h3>{}</h3>", escape(nist.title));
        control_table(h, nist);
    }
    if let Some(owasp) = framework(r, Framework::OwaspNhi) {
        let _ = writeln!(h, "<h3>{}</h3>", escape(owasp.title));
        control_table(h, owasp);
    }
    h.push_str("</section>\n");
}

/// A small horizontal meter for a percentage.
fn meter(pct: f64) -> String {
    let w = (pct.clamp(0.0, 100.0) * 0.8).round() as u32;
    format!(
        "<svg class=\"meter\" width=\"80\" height=\"10\" viewBox=\"0 0 80 10\" aria-hidden=\"true\">\
         <rect class=\"track\" width=\"80\" height=\"10\"/><rect class=\"{}\" width=\"{w}\" height=\"10\"/></svg>",
        score_class(pct.round() as u32)
    )
}

fn visibility(h: &mut String, r: &Report) {
    let v = &r.visibility;
    let _ = writeln!(
        h,
        "<section id=\"visibility\"><h2>Visibility</h2>\n<p>Visibility score <strong>{}/100</strong>: how much of the NHI estate \
         can be seen (owners 40 %, last-use data 40 %, credentials within policy 20 %). Unused means no sign-in for {} days. \
         First-party identities (the vendor's own) are left out of the coverage figures.</p>",
        v.score, v.unused_days
    );
    h.push_str(
        "<div class=\"scroll\"><table class=\"data vis\"><thead><tr><th>Provider</th><th>Kind</th><th class=\"num\">NHIs</th><th class=\"num\">1st / 3rd party</th>\
         <th>Owner coverage</th><th>Last-use coverage</th><th class=\"num\">Unused</th>\
         <th class=\"num\" title=\"secrets / certificates / federated / access keys / SSH keys\">Sec/Cert/Fed/Key/SSH</th>\
         <th class=\"num\">Past policy</th><th class=\"num\">Expiring ≤30 d / ≤90 d</th><th class=\"num\">Score</th></tr></thead><tbody>\n",
    );
    for g in &v.groups {
        let c = &g.credentials;
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} / {}</td>\
             <td class=\"cov\">{} {}/{} ({} %)</td><td class=\"cov\">{} {}/{} ({} %)</td><td class=\"num\">{} ({} %)</td>\
             <td class=\"num\">{}/{}/{}/{}/{}</td><td class=\"num\">{}/{} ({} %)</td><td class=\"num\">{} / {}</td>\
             <td class=\"num\"><strong>{}</strong></td></tr>",
            escape(&g.provider),
            escape(&g.kind),
            g.total,
            g.first_party,
            g.third_party,
            meter(if g.ownable == 0 { 100.0 } else { g.owned_pct }),
            g.owned,
            g.ownable,
            g.owned_pct,
            meter(if g.usable == 0 {
                100.0
            } else {
                g.with_last_use_pct
            }),
            g.with_last_use,
            g.usable,
            g.with_last_use_pct,
            g.unused,
            g.unused_pct,
            c.secret,
            c.certificate,
            c.federated,
            c.access_key,
            c.ssh_key,
            g.past_policy,
            g.expiring_credentials,
            g.past_policy_pct,
            g.expiring_within_warning,
            g.expiring_within_90_days,
            g.score
        );
    }
    h.push_str("</tbody></table></div>\n<div class=\"charts\">\n");
    let _ = writeln!(
        h,
        "<figure id=\"chart-ages\"><figcaption>Credential age</figcaption>{}\
         <p class=\"caption\">Valid secrets, certificates, access keys and SSH keys of identities that are not first-party, by days since creation. \
         Bars at or past the {}-day rotation window are highlighted. Federated credentials have no secret to age and are left out.</p></figure>",
        age_histogram(&v.credential_ages, r.thresholds.rotation_days),
        r.thresholds.rotation_days
    );
    let _ = writeln!(
        h,
        "<figure id=\"chart-expiry\"><figcaption>Expiry calendar: the next 90 days</figcaption>{}</figure>",
        expiry_calendar(
            &v.expiring_by_day,
            &r.scanned_at,
            r.thresholds.expiry_warning_days
        )
    );
    h.push_str("</div>\n</section>\n");
}

fn age_label(i: usize) -> String {
    fn d(days: i64) -> String {
        if days >= 365 && days % 365 == 0 {
            format!("{} y", days / 365)
        } else {
            format!("{days} d")
        }
    }
    match i {
        0 => format!("< {}", d(AGE_BOUNDS_DAYS[0])),
        i if i < AGE_BOUNDS_DAYS.len() => {
            format!("{}–{}", d(AGE_BOUNDS_DAYS[i - 1]), d(AGE_BOUNDS_DAYS[i]))
        }
        i if i == AGE_BOUNDS_DAYS.len() => format!("≥ {}", d(AGE_BOUNDS_DAYS[i - 1])),
        _ => "unknown".into(),
    }
}

/// Vertical bars, one per age bucket.
fn age_histogram(ages: &[usize; AGE_BUCKETS], rotation_days: i64) -> String {
    const BAR_W: usize = 56;
    const GAP: usize = 14;
    const PLOT_H: usize = 160;
    let max = ages.iter().copied().max().unwrap_or(0).max(1);
    let width = AGE_BUCKETS * (BAR_W + GAP) + GAP;
    let height = PLOT_H + 50;
    let mut s = format!(
        "<svg class=\"chart\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"Credential age histogram\"><title>Credential age histogram</title>"
    );
    let _ = write!(
        s,
        "<line class=\"axis\" x1=\"0\" y1=\"{y}\" x2=\"{width}\" y2=\"{y}\"/>",
        y = PLOT_H + 20
    );
    for (i, &n) in ages.iter().enumerate() {
        let x = GAP + i * (BAR_W + GAP);
        let bh = if n == 0 {
            0
        } else {
            (n * PLOT_H).div_ceil(max).max(2)
        };
        let y = PLOT_H + 20 - bh;
        let lower = match i {
            0 => 0,
            i => AGE_BOUNDS_DAYS.get(i - 1).copied().unwrap_or(i64::MAX),
        };
        let class = if i == AGE_BUCKETS - 1 {
            "bar age-unknown"
        } else if lower >= rotation_days {
            "bar age-old"
        } else {
            "bar age-ok"
        };
        let label = age_label(i);
        let _ = write!(
            s,
            "<g><title>{l}: {n} credential(s)</title><rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"{BAR_W}\" height=\"{bh}\"/>\
             <text class=\"value\" x=\"{cx}\" y=\"{vy}\" text-anchor=\"middle\">{n}</text>\
             <text class=\"label\" x=\"{cx}\" y=\"{ly}\" text-anchor=\"middle\">{l}</text></g>",
            l = escape(&label),
            cx = x + BAR_W / 2,
            vy = y.saturating_sub(4).max(12),
            ly = PLOT_H + 38,
        );
    }
    s.push_str("</svg>");
    s
}

fn calendar_class(n: usize) -> &'static str {
    match n {
        0 => "cal0",
        1 => "cal1",
        2..=3 => "cal2",
        4..=9 => "cal3",
        _ => "cal4",
    }
}

/// The next 90 days as a week-by-week grid (Monday first), each day shaded by
/// the credentials expiring on it, then the days with expiries as a list.
fn expiry_calendar(days: &[usize], scanned_at: &str, warning_days: i64) -> String {
    let Some(now) = crate::time::parse_timestamp(scanned_at) else {
        return "<p class=\"empty\">The scan time could not be read.</p>".into();
    };
    let start = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
    let date_of = |d: usize| {
        start
            .checked_add(jiff::Span::new().days(d as i64))
            .unwrap_or(start)
    };
    let offset = start.weekday().to_monday_zero_offset() as usize;
    const CELL: usize = 16;
    const STEP: usize = 19;
    const LEFT: usize = 34;
    const TOP: usize = 22;
    let weeks = (offset + days.len()).div_ceil(7);
    let width = LEFT + weeks * STEP + 10;
    let height = TOP + 7 * STEP + 34;
    let total: usize = days.iter().sum();
    let mut s = format!(
        "<svg class=\"chart calendar\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" \
         aria-label=\"Expiry calendar\"><title>Credentials expiring in the next 90 days: {total}</title>"
    );
    for (row, name) in [(0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")] {
        let _ = write!(
            s,
            "<text class=\"label\" x=\"0\" y=\"{}\">{name}</text>",
            TOP + row * STEP + 12
        );
    }
    let mut last_month = None;
    for (d, &n) in days.iter().enumerate() {
        let date = date_of(d);
        let pos = offset + d;
        let (col, row) = (pos / 7, pos % 7);
        let x = LEFT + col * STEP;
        let y = TOP + row * STEP;
        if last_month != Some(date.month()) && (row == 0 || d == 0) {
            let _ = write!(
                s,
                "<text class=\"label\" x=\"{x}\" y=\"14\">{}</text>",
                month_name(date.month())
            );
            last_month = Some(date.month());
        }
        let warn = if (d as i64) < warning_days {
            " warn"
        } else {
            ""
        };
        let _ = write!(
            s,
            "<rect class=\"{}{warn}\" x=\"{x}\" y=\"{y}\" width=\"{CELL}\" height=\"{CELL}\" rx=\"3\"><title>{date} ({}): {n} credential(s) expire</title></rect>",
            calendar_class(n),
            weekday_name(date.weekday()),
        );
    }
    // Legend.
    let ly = TOP + 7 * STEP + 14;
    let _ = write!(
        s,
        "<text class=\"label\" x=\"{LEFT}\" y=\"{}\">0</text>",
        ly + 12
    );
    for (i, (class, label)) in [
        ("cal0", ""),
        ("cal1", ""),
        ("cal2", ""),
        ("cal3", ""),
        ("cal4", "10+"),
    ]
    .iter()
    .enumerate()
    {
        let x = LEFT + 14 + i * STEP;
        let _ = write!(
            s,
            "<rect class=\"{class}\" x=\"{x}\" y=\"{ly}\" width=\"{CELL}\" height=\"{CELL}\" rx=\"3\"/>"
        );
        if !label.is_empty() {
            let _ = write!(
                s,
                "<text class=\"label\" x=\"{}\" y=\"{}\">{label}</text>",
                x + STEP,
                ly + 12
            );
        }
    }
    let _ = write!(
        s,
        "<rect class=\"cal0 warn\" x=\"{x}\" y=\"{ly}\" width=\"{CELL}\" height=\"{CELL}\" rx=\"3\"/>\
         <text class=\"label\" x=\"{tx}\" y=\"{ty}\">within {warning_days} days</text></svg>",
        x = LEFT + 14 + 7 * STEP,
        tx = LEFT + 14 + 8 * STEP,
        ty = ly + 12
    );
    let _ = write!(
        s,
        "<p class=\"caption\">{total} credential(s) expire in the 90 days from the scan time; outlined days are within the {warning_days}-day expiry warning window.</p>"
    );
    if total > 0 {
        s.push_str("<details><summary>Days with expiries</summary><table class=\"data compact\"><thead><tr><th>Day</th><th class=\"num\">Expiring</th></tr></thead><tbody>");
        for (d, &n) in days.iter().enumerate().filter(|(_, n)| **n > 0) {
            let date = date_of(d);
            let _ = write!(
                s,
                "<tr><td>{date} ({})</td><td class=\"num\">{n}</td></tr>",
                weekday_name(date.weekday())
            );
        }
        s.push_str("</tbody></table></details>");
    }
    s
}

fn month_name(m: i8) -> &'static str {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    NAMES[(m.clamp(1, 12) - 1) as usize]
}

fn weekday_name(w: jiff::civil::Weekday) -> &'static str {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    NAMES[w.to_monday_zero_offset() as usize]
}

fn findings_section(h: &mut String, r: &Report) {
    h.push_str(
        "<section id=\"findings\"><h2>Findings</h2>\n<div class=\"controls\" role=\"search\">\n",
    );
    h.push_str("<label>Severity <select id=\"f-sev\"><option value=\"\">all</option>");
    for (i, s) in Severity::ALL.iter().enumerate() {
        let n = r.summary.by_severity.get(s.as_str()).copied().unwrap_or(0);
        let _ = write!(h, "<option value=\"{i}\">{} ({n})</option>", s.as_str());
    }
    h.push_str(
        "</select></label>\n<label>Check <select id=\"f-check\"><option value=\"\">all</option>",
    );
    for (i, m) in ALL_META.iter().enumerate() {
        if let Some(n) = r.summary.by_check.get(m.id.as_str()) {
            let _ = write!(h, "<option value=\"{i}\">{} ({n})</option>", escape(&m.id));
        }
    }
    h.push_str("</select></label>\n<label>Provider <select id=\"f-provider\"><option value=\"\">all</option>");
    let providers: BTreeSet<&str> = r
        .findings
        .iter()
        .map(|f| f.provider)
        .chain(r.visibility.groups.iter().map(|g| g.provider.as_str()))
        .collect();
    for p in providers {
        let _ = write!(h, "<option value=\"{0}\">{0}</option>", escape(p));
    }
    h.push_str(
        "</select></label>\n<label class=\"grow\">Search <input id=\"f-text\" type=\"search\" \
         placeholder=\"identity, message, check, file, fingerprint…\" autocomplete=\"off\"></label>\n\
         <button type=\"button\" id=\"f-reset\">Reset</button>\n</div>\n\
         <p id=\"f-count\" class=\"count\" aria-live=\"polite\"></p>\n",
    );
    let _ = writeln!(
        h,
        "<table id=\"findings-table\" class=\"data findings\" data-rows=\"0\" data-total=\"0\" data-findings=\"{}\">\
         <thead><tr><th data-sort=\"sev\" aria-sort=\"none\" tabindex=\"0\">Severity</th><th data-sort=\"check\" aria-sort=\"none\" tabindex=\"0\">Check</th>\
         <th data-sort=\"identity\" aria-sort=\"none\" tabindex=\"0\">Identity</th><th data-sort=\"provider\" aria-sort=\"none\" tabindex=\"0\">Provider</th>\
         <th data-sort=\"message\" aria-sort=\"none\" tabindex=\"0\">Finding</th><th data-sort=\"location\" aria-sort=\"none\" tabindex=\"0\">Source</th></tr></thead>\
         <tbody></tbody></table>\n\
         <div class=\"pager\" id=\"f-pager\"><button type=\"button\" data-page=\"first\">« First</button><button type=\"button\" data-page=\"prev\">‹ Previous</button>\
         <span class=\"page\"></span><button type=\"button\" data-page=\"next\">Next ›</button><button type=\"button\" data-page=\"last\">Last »</button></div>\n\
         <p class=\"caption\">Click a column heading to sort, a row to see its evidence, an identity to open it below.</p>\n</section>",
        r.findings.len()
    );
}

fn identities_section(h: &mut String) {
    h.push_str(
        "<section id=\"identities\"><h2>Identities</h2>\n\
         <p class=\"caption\">Every identity with a finding or a risk score above zero, riskiest first. This report carries each identity's findings and \
         the parts of its risk score; its credentials and grants are in the inventory report (<code>nhiscan inventory --format json</code>).</p>\n\
         <div class=\"controls\"><label>Provider <select id=\"i-provider\"><option value=\"\">all</option></select></label>\n\
         <label class=\"grow\">Search <input id=\"i-text\" type=\"search\" placeholder=\"name or id…\" autocomplete=\"off\"></label></div>\n\
         <p id=\"i-count\" class=\"count\" aria-live=\"polite\"></p>\n\
         <div class=\"split\"><div><table id=\"identities-table\" class=\"data\" data-rows=\"0\" data-total=\"0\"><thead><tr>\
         <th data-sort=\"name\" aria-sort=\"none\" tabindex=\"0\">Identity</th><th data-sort=\"provider\" aria-sort=\"none\" tabindex=\"0\">Provider</th>\
         <th data-sort=\"kind\" aria-sort=\"none\" tabindex=\"0\">Kind</th><th data-sort=\"score\" aria-sort=\"descending\" tabindex=\"0\" class=\"num\">Score</th>\
         <th data-sort=\"findings\" aria-sort=\"none\" tabindex=\"0\" class=\"num\">Findings</th></tr></thead><tbody></tbody></table>\n\
         <div class=\"pager\" id=\"i-pager\"><button type=\"button\" data-page=\"first\">«</button><button type=\"button\" data-page=\"prev\">‹</button>\
         <span class=\"page\"></span><button type=\"button\" data-page=\"next\">›</button><button type=\"button\" data-page=\"last\">»</button></div></div>\n\
         <div id=\"identity-detail\" class=\"detail\" aria-live=\"polite\"><p class=\"empty\">Select an identity to see its findings and risk score.</p></div></div>\n\
         </section>\n",
    );
}

fn catalog(h: &mut String, r: &Report) {
    let _ = writeln!(
        h,
        "<section id=\"catalog\"><h2>Check catalog</h2>\n<p class=\"caption\">The {} checks of nhiscan {}. Severity is the base severity; \
         some checks raise or lower it by the identity's privilege. References are links to public documentation.</p>",
        ALL_META.len(),
        escape(r.tool.version)
    );
    h.push_str(
        "<table class=\"data catalog\"><thead><tr><th>ID</th><th>Severity</th><th>Title</th><th>OWASP NHI</th><th>NIST CSF 2.0</th>\
         <th class=\"num\">Findings</th><th>Remediation</th></tr></thead><tbody>\n",
    );
    for (i, m) in ALL_META.iter().enumerate() {
        let count = r.summary.by_check.get(m.id.as_str()).copied().unwrap_or(0);
        let count_html = if count == 0 {
            "0".to_string()
        } else {
            format!(
                "<button type=\"button\" class=\"linklike\" data-filter-check=\"{i}\">{count}</button>"
            )
        };
        let refs: Vec<String> = m
            .references
            .iter()
            .map(|u| {
                format!(
                    "<li><a href=\"{0}\" rel=\"noopener noreferrer\" target=\"_blank\">{0}</a></li>",
                    escape(u)
                )
            })
            .collect();
        let _ = writeln!(
            h,
            "<tr id=\"check-{id}\"><td class=\"mono nowrap\">{id}</td><td>{sev}</td><td>{title}<div class=\"sub mono\">{name}</div></td>\
             <td class=\"nowrap\">{owasp}</td><td class=\"nowrap\">{nist}</td><td class=\"num\">{count_html}</td>\
             <td><details><summary>Remediation</summary><div class=\"pre\">{rem}</div>{refs}</details></td></tr>",
            id = escape(&m.id),
            sev = sev_badge(m.severity.as_str()),
            title = escape(&m.title),
            name = escape(&m.name),
            owasp = escape(&m.owasp.join(" ")),
            nist = escape(&m.nist.join(" ")),
            rem = escape(m.remediation.trim()),
            refs = if refs.is_empty() {
                String::new()
            } else {
                format!("<ul class=\"refs\">{}</ul>", refs.concat())
            },
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn footer(h: &mut String, r: &Report) {
    let _ = writeln!(
        h,
        "</main>\n<footer><p>Generated by nhiscan {} from {} input file(s); clock {}. This file is self-contained: it loads nothing from the network. \
         It holds no secret values.</p></footer>",
        escape(r.tool.version),
        r.inputs.len(),
        escape(&r.scanned_at)
    );
}

/// The data block the script reads. Compact: checks, identities and paths are
/// listed once and findings refer to them by index.
#[derive(Serialize)]
struct Data<'a> {
    /// Severity names; findings carry an index into this (most severe first).
    severities: [&'static str; 5],
    /// Every check of the catalog: [id, title, OWASP ids, NIST ids].
    checks: Vec<(&'a str, &'a str, &'a [String], &'a [String])>,
    /// [id, name, kind, provider]: the identities of the risk list, riskiest
    /// first, then those of findings in finding order.
    identities: Vec<(&'a str, &'a str, &'a str, &'a str)>,
    /// [identity, score, findings part, privilege part, exposure part,
    /// [critical, high, medium, low], highest tier], in `Report::risk` order.
    risk: Vec<RiskRow<'a>>,
    paths: Vec<&'a str>,
    /// [severity, check, identity, message, path, line, fingerprint, evidence,
    /// accepted], where accepted says why the gate does not count it (a
    /// suppression or the baseline), or is null.
    findings: Vec<FindingRow<'a>>,
    /// Per identity (same index as `identities`): [credentials, grants], each
    /// capped at [`MAX_HOLDINGS`]; credentials are [kind, name or key id,
    /// created, expires, last used, active], grants [kind, resource,
    /// permission, tier], and the third element counts what the caps left out.
    holdings: Vec<(Vec<CredentialRow<'a>>, Vec<GrantRow<'a>>, usize)>,
}

/// Credentials or grants listed per identity; the rest are counted.
const MAX_HOLDINGS: usize = 200;

type CredentialRow<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<bool>,
);

type GrantRow<'a> = (&'a str, &'a str, &'a str, &'a str);

type RiskRow<'a> = (usize, u32, u32, u32, u32, [u32; 4], &'a str);

type FindingRow<'a> = (
    usize,
    usize,
    usize,
    &'a str,
    usize,
    u32,
    crate::checks::Fingerprint,
    FrozenEvidence<'a>,
    Option<String>,
);

fn data<'a>(r: &'a Report, holdings: &'a super::inventory::InventoryReport) -> Data<'a> {
    let check_index: HashMap<&str, usize> = ALL_META
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), i))
        .collect();
    let mut identities = Vec::new();
    let mut identity_index: HashMap<(&str, &str, &str, &str), usize> = HashMap::new();
    let mut intern = |key: (&'a str, &'a str, &'a str, &'a str)| -> usize {
        *identity_index.entry(key).or_insert_with(|| {
            identities.push(key);
            identities.len() - 1
        })
    };
    let risk = r
        .risk
        .iter()
        .map(|x| {
            let i = intern((x.id, x.name, x.kind, x.provider));
            (
                i,
                x.score,
                x.findings,
                x.privilege,
                x.exposure,
                x.counts,
                x.highest_tier,
            )
        })
        .collect();
    let mut paths = Vec::new();
    let mut path_index: HashMap<&str, usize> = HashMap::new();
    let findings = r
        .findings
        .iter()
        .map(|f| {
            let sev = Severity::ALL
                .iter()
                .position(|s| *s == f.severity)
                .unwrap_or(Severity::ALL.len() - 1);
            let identity = intern((
                f.identity.id,
                f.identity.name,
                f.identity.kind,
                f.identity.provider,
            ));
            let path = *path_index.entry(f.location.path).or_insert_with(|| {
                paths.push(f.location.path);
                paths.len() - 1
            });
            (
                sev,
                check_index.get(f.check_id).copied().unwrap_or(usize::MAX),
                identity,
                f.message,
                path,
                f.location.line,
                f.fingerprint,
                f.evidence,
                match (f.suppression, f.baseline) {
                    (Some(s), _) => Some(format!("suppressed: {} ({})", s.reason, s.source)),
                    (None, Some("unchanged")) => Some("in the baseline".to_string()),
                    _ => None,
                },
            )
        })
        .collect();
    Data {
        severities: Severity::ALL.map(Severity::as_str),
        checks: ALL_META
            .iter()
            .map(|m| {
                (
                    m.id.as_str(),
                    m.title.as_str(),
                    m.owasp.as_slice(),
                    m.nist.as_slice(),
                )
            })
            .collect(),
        holdings: holdings_of(&identities, holdings),
        identities,
        risk,
        paths,
        findings,
    }
}

/// The credentials and grants of each listed identity, from the inventory report.
fn holdings_of<'a>(
    identities: &[(&'a str, &'a str, &'a str, &'a str)],
    inventory: &'a super::inventory::InventoryReport,
) -> Vec<(Vec<CredentialRow<'a>>, Vec<GrantRow<'a>>, usize)> {
    let by_key: HashMap<(&str, &str), &super::inventory::IdentityOut> = inventory
        .identities
        .iter()
        .map(|i| ((i.provider, i.id.as_str()), i))
        .collect();
    identities
        .iter()
        .map(|&(id, _, _, provider)| {
            let Some(i) = by_key.get(&(provider, id)) else {
                return (Vec::new(), Vec::new(), 0);
            };
            let credentials = i
                .credentials
                .iter()
                .take(MAX_HOLDINGS)
                .map(|c| {
                    (
                        c.kind,
                        c.name
                            .as_deref()
                            .or(c.key_id.as_deref())
                            .unwrap_or_default(),
                        c.created.as_deref(),
                        c.expires.as_deref(),
                        c.last_used.as_deref(),
                        c.active,
                    )
                })
                .collect();
            let grants = i
                .grants
                .iter()
                .take(MAX_HOLDINGS)
                .map(|g| (g.kind, g.resource.as_str(), g.permission.as_str(), g.tier))
                .collect();
            let left_out = i.credentials.len().saturating_sub(MAX_HOLDINGS)
                + i.grants.len().saturating_sub(MAX_HOLDINGS);
            (credentials, grants, left_out)
        })
        .collect()
}

/// Writes JSON into a `<script>` element safely: every `<` becomes `\u003c`
/// (valid JSON, since `<` can only occur inside strings), so the text can
/// contain neither `</script` nor `<!--`.
struct ScriptSafe<W>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while let Some(i) = memchr::memchr(b'<', buf) {
            self.0.write_all(&buf[..i])?;
            self.0.write_all(b"\\u003c")?;
            buf = &buf[i + 1..];
        }
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_the_five_special_characters() {
        assert_eq!(escape("plain text"), "plain text");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("ünïcödé → ok"), "ünïcödé → ok");
    }

    #[test]
    fn json_in_the_data_block_cannot_close_the_script_or_open_a_comment() {
        let mut out = Vec::new();
        let value =
            serde_json::json!({"m": "</script><script>alert(1)</script><!-- x -->", "k": "a<b"});
        serde_json::to_writer(ScriptSafe(&mut out), &value).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('<'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn static_assets_cannot_end_their_elements_early() {
        for (name, text) in [("css", CSS), ("guard", GUARD_JS), ("report", REPORT_JS)] {
            let lower = text.to_ascii_lowercase();
            assert!(!lower.contains("</script"), "{name}");
            assert!(!lower.contains("</style"), "{name}");
            assert!(!lower.contains("<!--"), "{name}");
            assert!(
                !lower.contains("http://") && !lower.contains("https://"),
                "{name}"
            );
        }
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(103284), "103,284");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn age_labels_follow_the_bounds() {
        let labels: Vec<String> = (0..AGE_BUCKETS).map(age_label).collect();
        assert_eq!(
            labels,
            [
                "< 30 d",
                "30 d–90 d",
                "90 d–180 d",
                "180 d–1 y",
                "1 y–2 y",
                "≥ 2 y",
                "unknown"
            ]
        );
    }

    #[test]
    fn the_calendar_starts_on_the_scan_day_and_lists_expiring_days() {
        let mut days = vec![0; 90];
        days[3] = 2;
        let svg = expiry_calendar(&days, "2026-11-01T00:00:00Z", 30);
        assert!(svg.contains("2026-11-01 (Sun): 0 credential(s) expire"));
        assert!(svg.contains("2026-11-04 (Wed): 2 credential(s) expire"));
        assert!(svg.contains("<td>2026-11-04 (Wed)</td><td class=\"num\">2</td>"));
        assert!(svg.contains("2027-01-29"), "the 90th day");
        assert!(!svg.contains("2027-01-30"));
    }
}
