//! JUnit XML output (`--format junit`) for CI test dashboards: GitLab
//! (`artifacts:reports:junit`), Jenkins (JUnit plugin) and Azure DevOps
//! (PublishTestResults, JUnit format).
//!
//! The document is a `<testsuites>` root with one `<testsuite>` per check of the
//! catalog, sorted by id, named `<ID> <name>`, with the check's title, severity and
//! framework ids as `<properties>`:
//!
//! - a check with findings has one `<testcase>` per identity it fired on
//!   (`classname` = check id, `name` = identity name, sorted by name; when two
//!   identities of one check share a name, each name is followed by the identity's
//!   kind and id so that names stay unique, as GitLab keeps only the first of
//!   duplicates), holding one `<failure message=… type=SEVERITY>` per finding,
//!   whose text lists the location, fingerprint and evidence;
//! - a check without findings has a single passing testcase named `no findings`,
//!   so that dashboards show it as passed.
//!
//! A case whose findings are all suppressed or in the `--baseline` holds a
//! `<skipped message=…>` instead (the suppression's reason), so that accepted
//! risks do not fail the dashboard.
//!
//! `tests` counts test cases, `failures` failing test cases and `skipped` skipped
//! ones, so `failures` is never above `tests`; the number of `<failure>` elements
//! is the number of findings that count. Input errors, if any, are a last suite, `nhiscan inputs`, with one
//! `<error>` per error. Every element has `time="0"` and no timestamp: the output
//! depends only on the report, so the same inputs and `--now` give byte-identical
//! XML. Only the standard attributes (`name`, `tests`, `failures`, `errors`,
//! `skipped`, `time`, `classname`, `message`, `type`) are written. Text is escaped
//! for XML 1.0, and characters XML 1.0 does not allow are dropped. The report holds
//! no secret values, so neither does the XML.

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{FindingOut, Report};
use crate::checks::meta::{ALL_META, CheckMeta};

/// Test cases per parallel rendering task: each task's buffer (about 25 KB) is
/// small enough for the allocator to reuse from task to task (see
/// `report::json`'s `CHUNK`).
const CASES_PER_CHUNK: usize = 32;

/// Writes the report as JUnit XML.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_chunked(report, out, CASES_PER_CHUNK)
}

fn write_chunked(report: &Report, out: &mut dyn Write, cases_per_chunk: usize) -> io::Result<()> {
    let mut metas: Vec<&'static CheckMeta> = ALL_META.iter().collect();
    metas.sort_by(|a, b| a.id.cmp(&b.id));

    // check id -> identity key -> positions of its findings, in report order.
    let findings = report.findings;
    let Grouped {
        subjects,
        positions,
        by_check,
    } = group(&findings);
    let of = |range: &Range<u32>| &positions[range.start as usize..range.end as usize];

    let case_count = |id: &str| by_check.get(id).map_or(1, Vec::len);
    // A case whose findings are all accepted (suppressed or in the baseline) is skipped.
    let failing_cases = |id: &str| {
        by_check.get(id).map_or(0, |cases| {
            cases
                .par_iter()
                .filter(|(_, range)| of(range).iter().any(|&n| findings.counts(n as usize)))
                .count()
        })
    };
    let errors = report.errors.len();
    let tests: usize = metas.iter().map(|m| case_count(&m.id)).sum::<usize>() + errors;
    let failing: BTreeMap<&str, usize> = metas
        .iter()
        .map(|m| (m.id.as_str(), failing_cases(&m.id)))
        .collect();
    let failures: usize = failing.values().sum();
    let skipped: usize = by_check.values().map(Vec::len).sum::<usize>() - failures;
    write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"nhiscan\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0\">\n"
    )?;

    // Test cases are rendered in parallel chunks, a batch at a time, and written in
    // order: a large report is never held in memory whole.
    let mut buf = String::new();
    for m in &metas {
        let cases = by_check.get(m.id.as_str());
        let failing = failing[m.id.as_str()];
        let skipped = cases.map_or(0, Vec::len) - failing;
        let _ = writeln!(
            buf,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failing}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
            attr(&format!("{} {}", m.id, m.name)),
            case_count(&m.id),
        );
        suite_properties(&mut buf, m);
        match cases {
            None => {
                let _ = writeln!(
                    buf,
                    "    <testcase classname=\"{}\" name=\"no findings\" time=\"0\"/>",
                    attr(&m.id)
                );
            }
            Some(cases) => {
                out.write_all(buf.as_bytes())?;
                buf.clear();
                // Cases are in the order of their subjects, which are sorted by name
                // first: a name two cases share is the name of a neighbour.
                let name_of = |k: usize| subjects[cases[k].0 as usize].0;
                let shared: Vec<bool> = (0..cases.len())
                    .map(|k| {
                        (k > 0 && name_of(k - 1) == name_of(k))
                            || (k + 1 < cases.len() && name_of(k + 1) == name_of(k))
                    })
                    .collect();
                let suite = SuiteText::of(m);
                let render = |(first, chunk): (usize, &[(u32, Range<u32>)])| -> String {
                    let mut s = String::new();
                    for (k, (subject, range)) in chunk.iter().enumerate() {
                        let (name, _, kind, id): Subject = subjects[*subject as usize];
                        let name = if shared[first + k] || name.is_empty() {
                            format!("{name} ({kind} {id})").trim_start().to_string()
                        } else {
                            name.to_string()
                        };
                        let _ = writeln!(
                            s,
                            "    <testcase classname=\"{}\" name=\"{}\" time=\"0\">",
                            attr(&m.id),
                            attr(&name)
                        );
                        let all: Vec<FindingOut> = of(range)
                            .iter()
                            .map(|&n| findings.get(n as usize))
                            .collect();
                        let counting: Vec<&FindingOut> = all.iter().filter(|f| counts(f)).collect();
                        if counting.is_empty() {
                            skipped_case(&mut s, &all);
                        }
                        for f in counting {
                            failure(&mut s, &suite, f);
                        }
                        s.push_str("    </testcase>\n");
                    }
                    s
                };
                // Each batch is written while the next one renders.
                let per_batch = cases_per_chunk * 4 * rayon::current_num_threads();
                let batches = cases.chunks(per_batch).enumerate();
                let render_batch = |(b, batch): (usize, &[(u32, Range<u32>)])| -> Vec<String> {
                    batch
                        .par_chunks(cases_per_chunk)
                        .enumerate()
                        .map(|(c, chunk)| render((b * per_batch + c * cases_per_chunk, chunk)))
                        .collect()
                };
                super::pipeline::pipeline(
                    batches,
                    None,
                    |batch| Ok(render_batch(batch)),
                    |parts| {
                        parts
                            .iter()
                            .try_for_each(|part| out.write_all(part.as_bytes()))
                    },
                )?;
            }
        }
        buf.push_str("  </testsuite>\n");
        out.write_all(buf.as_bytes())?;
        buf.clear();
    }

    if errors > 0 {
        let _ = writeln!(
            buf,
            "  <testsuite name=\"nhiscan inputs\" tests=\"{errors}\" failures=\"0\" errors=\"{errors}\" skipped=\"0\" time=\"0\">"
        );
        for (i, e) in report.errors.iter().enumerate() {
            let _ = writeln!(
                buf,
                "    <testcase classname=\"inputs\" name=\"input error {}\" time=\"0\">\n      <error message=\"{}\" type=\"input-error\">{}</error>\n    </testcase>",
                i + 1,
                attr(&e.message),
                text(&e.message)
            );
        }
        buf.push_str("  </testsuite>\n");
    }
    buf.push_str("</testsuites>\n");
    out.write_all(buf.as_bytes())
}

/// What a test case is about: the name, provider, kind and id of a finding's identity.
type Subject<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The findings grouped into test cases: per check id, the cases in order of
/// their subject, each a range of `positions` (report positions, in report order).
struct Grouped<'a> {
    /// Every distinct (name, provider, kind, id) a finding is about, sorted.
    subjects: Vec<Subject<'a>>,
    positions: Vec<u32>,
    /// Check id -> (index into `subjects`, range of `positions`).
    by_check: BTreeMap<&'a str, Vec<(u32, Range<u32>)>>,
}

/// Groups findings by check and subject. Each finding is sorted as one 8-byte
/// entry of ranks (check, subject) and position (16 bytes when the ranks do not
/// fit), not as its four strings.
fn group<'a>(findings: &super::Findings<'a>) -> Grouped<'a> {
    group_packing(findings, true)
}

/// [`group`]; `pack: false` sorts 16-byte entries even where 8 bytes would do.
fn group_packing<'a>(findings: &super::Findings<'a>, pack: bool) -> Grouped<'a> {
    // Identities are told apart by index, not by their strings: per identity one
    // finding's position, from which its strings are read once. Findings without
    // an identity (few) are told apart by the strings they show.
    type Seen<'a> = (
        FxHashSet<&'static str>,
        FxHashMap<u32, u32>,
        FxHashSet<Subject<'a>>,
    );
    let as_subject = |i: super::IdentityRef<'a>| (i.name, i.provider, i.kind, i.id);
    let (checks, firsts, others) = (0..findings.len())
        .into_par_iter()
        .fold(Seen::default, |(mut checks, mut firsts, mut others), n| {
            let (check, index, i) = findings.subject(n);
            checks.insert(check);
            match index {
                Some(index) => {
                    firsts.entry(index as u32).or_insert(n as u32);
                }
                None => {
                    others.insert(as_subject(i));
                }
            }
            (checks, firsts, others)
        })
        .reduce(Seen::default, |(mut c1, mut f1, mut o1), (c2, f2, o2)| {
            c1.extend(c2);
            f1.extend(f2);
            o1.extend(o2);
            (c1, f1, o1)
        });
    let mut checks: Vec<&str> = checks.into_iter().collect();
    checks.sort_unstable();
    let check_rank: FxHashMap<&str, u64> = checks.iter().copied().zip(0..).collect();
    // Subjects in order; equal strings (two identities alike in all four) share a rank.
    let identities = firsts.keys().max().map_or(0, |&m| m as usize + 1);
    let mut seen: Vec<(Subject, Option<u32>)> = firsts
        .into_iter()
        .map(|(index, n)| (as_subject(findings.subject(n as usize).2), Some(index)))
        .chain(others.into_iter().map(|s| (s, None)))
        .collect();
    seen.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut subjects: Vec<Subject> = Vec::new();
    let mut identity_rank = vec![0u64; identities];
    let mut other_rank: FxHashMap<Subject, u64> = FxHashMap::default();
    for (subject, index) in seen {
        if subjects.last() != Some(&subject) {
            subjects.push(subject);
        }
        let rank = subjects.len() as u64 - 1;
        match index {
            Some(index) => identity_rank[index as usize] = rank,
            None => {
                other_rank.insert(subject, rank);
            }
        }
    }
    // Check and subject ranks in one integer; the position breaks ties, so that
    // findings of one case stay in report order.
    let rank_of = |n: usize| {
        let (check, index, i) = findings.subject(n);
        let subject = match index {
            Some(index) => identity_rank[index],
            None => other_rank[&as_subject(i)],
        };
        (check_rank[check], subject)
    };
    // Packed into one 8-byte entry when the ranks fit (they always do in practice:
    // 256 checks, 16 million subjects), else into 16 bytes.
    let fits = pack
        && checks.len() <= 1 << 8
        && subjects.len() <= 1 << 24
        && u32::try_from(findings.len()).is_ok();
    let (positions, by_check) = if fits {
        let rows = sorted(findings.len(), |n| {
            let (check, subject) = rank_of(n);
            check << 56 | subject << 32 | n as u64
        });
        cases(
            &checks,
            rows.iter()
                .map(|&r| ((r >> 56) as usize, (r >> 32) as u32 & 0xFF_FFFF, r as u32)),
        )
    } else {
        let rows = sorted(findings.len(), |n| {
            let (check, subject) = rank_of(n);
            (check << 32 | subject, n as u32)
        });
        cases(
            &checks,
            rows.iter()
                .map(|&(key, n)| ((key >> 32) as usize, key as u32, n)),
        )
    };
    Grouped {
        subjects,
        positions,
        by_check,
    }
}

/// The entry of every position `0..len`, sorted.
fn sorted<T: Ord + Send>(len: usize, entry: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    let mut rows: Vec<T> = (0..len).into_par_iter().map(entry).collect();
    rows.par_sort_unstable();
    rows
}

/// Test cases from (check rank, subject rank, position) in sorted order: the
/// positions in that order, and per check id its cases, each a subject and a range
/// of the positions. Every list is allocated at its final size (a first pass counts
/// them): grown by doubling, they held up to twice their entries.
#[allow(clippy::type_complexity)]
fn cases<'c>(
    checks: &[&'c str],
    sorted: impl Iterator<Item = (usize, u32, u32)> + Clone,
) -> (Vec<u32>, BTreeMap<&'c str, Vec<(u32, Range<u32>)>>) {
    let mut counts = vec![0usize; checks.len()];
    let mut total = 0;
    let mut last = None;
    for (check, subject, _) in sorted.clone() {
        total += 1;
        if last != Some((check, subject)) {
            counts[check] += 1;
            last = Some((check, subject));
        }
    }
    let mut positions: Vec<u32> = Vec::with_capacity(total);
    let mut lists: Vec<Vec<(u32, Range<u32>)>> =
        counts.iter().map(|&c| Vec::with_capacity(c)).collect();
    for (check, subject, n) in sorted {
        let at = positions.len() as u32;
        positions.push(n);
        let cases = &mut lists[check];
        match cases.last_mut() {
            Some((last, range)) if *last == subject => range.end = at + 1,
            _ => cases.push((subject, at..at + 1)),
        }
    }
    let by_check = checks
        .iter()
        .copied()
        .zip(lists)
        .filter(|(_, cases)| !cases.is_empty())
        .collect();
    (positions, by_check)
}

/// Whether a finding counts for the gate: neither suppressed nor in the baseline.
fn counts(f: &FindingOut) -> bool {
    f.suppression.is_none() && f.baseline != Some("unchanged")
}

/// `<skipped>` for a case whose findings are all accepted risks or known.
fn skipped_case(s: &mut String, findings: &[FindingOut]) {
    let message = match findings.iter().find_map(|f| f.suppression) {
        Some(sup) => format!("suppressed: {} ({})", sup.reason, sup.source),
        None => "in the baseline".to_string(),
    };
    let _ = writeln!(s, "      <skipped message=\"{}\"/>", attr(&message));
}

fn suite_properties(s: &mut String, m: &CheckMeta) {
    s.push_str("    <properties>\n");
    let mut prop = |name: &str, value: &str| {
        let _ = writeln!(
            s,
            "      <property name=\"{}\" value=\"{}\"/>",
            attr(name),
            attr(value)
        );
    };
    prop("check_id", &m.id);
    prop("title", m.title.trim());
    prop("provider", &m.provider);
    prop("severity", m.severity.as_str());
    prop("owasp_nhi", &m.owasp.join(", "));
    prop("nist_csf", &m.nist.join(", "));
    s.push_str("    </properties>\n");
}

/// What every failure of one check repeats, escaped for XML text once: its
/// heading and the lines of its framework ids.
struct SuiteText {
    heading: String,
    frameworks: String,
}

impl SuiteText {
    fn of(m: &CheckMeta) -> SuiteText {
        SuiteText {
            heading: text(&format!("{} {}", m.id, m.name)),
            frameworks: text(&format!(
                "OWASP NHI Top 10 2025: {}\nNIST CSF 2.0: {}\n",
                m.owasp.join(", "),
                m.nist.join(", ")
            )),
        }
    }
}

fn failure(s: &mut String, suite: &SuiteText, f: &FindingOut) {
    let i = &f.identity;
    s.push_str("      <failure message=\"");
    escape_into(s, f.message, true);
    s.push_str("\" type=\"");
    s.push_str(f.severity.as_str());
    s.push_str("\">");
    // The text is escaped piece by piece as it is written: the same bytes as
    // escaping it whole, since no character spans two pieces.
    s.push_str(&suite.heading);
    s.push_str(": ");
    escape_into(s, f.title, false);
    s.push_str("\nSeverity: ");
    s.push_str(f.severity.as_str());
    s.push_str("\nIdentity: ");
    escape_into(s, i.name, false);
    s.push_str(" (");
    escape_into(s, i.provider, false);
    s.push(' ');
    escape_into(s, i.kind, false);
    if !i.id.is_empty() {
        s.push(' ');
        escape_into(s, i.id, false);
    }
    s.push_str(")\nLocation: ");
    escape_into(s, f.location.path, false);
    let _ = write!(s, ":{}", f.location.line);
    s.push_str("\nFingerprint: ");
    s.push_str(f.fingerprint.as_str());
    s.push('\n');
    s.push_str(&suite.frameworks);
    if !f.evidence.is_empty() {
        s.push_str("Evidence:\n");
        f.evidence.for_each(|key, value| {
            s.push_str("  ");
            escape_into(s, &key, false);
            s.push_str(": ");
            // Strings are written as their text, other values as compact JSON.
            match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(plain) if !plain.contains('\\') => escape_into(s, plain, false),
                Some(_) => {
                    let decoded: String = serde_json::from_str(value).unwrap_or_default();
                    escape_into(s, &decoded, false);
                }
                None => escape_into(s, value, false),
            }
            s.push('\n');
        });
    }
    s.push_str("</failure>\n");
}

/// Escapes text content for XML 1.0.
fn text(s: &str) -> String {
    escape(s, false)
}

/// Escapes an attribute value for XML 1.0; line breaks and tabs become character
/// references so that parsers do not normalise them to spaces.
fn attr(s: &str) -> String {
    escape(s, true)
}

/// Escapes `& < > " '` and drops the characters XML 1.0 does not allow (controls
/// other than tab, line feed and carriage return; U+FFFE and U+FFFF).
fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    escape_into(&mut out, s, attribute);
    out
}

/// The bytes that [`escape_into`] replaces or inspects: controls, markup, quotes,
/// and 0xEF, which starts U+FFFE and U+FFFF.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table[0xEF] = true;
    table
};

/// [`escape`], appending to `out`.
fn escape_into(out: &mut String, s: &str, attribute: bool) {
    let bytes = s.as_bytes();
    // Copy runs of ordinary text whole; only the bytes of `SPECIAL` start a
    // replacement.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !SPECIAL[usize::from(b)] {
            i += 1;
            continue;
        }
        out.push_str(&s[run..i]);
        let mut width = 1;
        match b {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\'' => out.push_str("&apos;"),
            b'\n' if attribute => out.push_str("&#10;"),
            b'\r' => out.push_str("&#13;"),
            b'\t' if attribute => out.push_str("&#9;"),
            b'\t' | b'\n' => out.push(b as char),
            // U+FFFE and U+FFFF (EF BF BE, EF BF BF) are dropped; other characters
            // starting with EF are kept whole.
            0xEF => {
                width = s[i..].chars().next().map_or(1, char::len_utf8);
                if !matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) {
                    out.push_str(&s[i..i + width]);
                }
            }
            _ => {} // other controls are not allowed in XML 1.0
        }
        i += width;
        run = i;
    }
    out.push_str(&s[run..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's XML, rendered `cases` test cases per parallel chunk.
    fn render(report: &Report, cases: usize) -> String {
        let mut out = Vec::new();
        write_chunked(report, &mut out, cases).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn chunked_rendering_gives_the_same_bytes_for_any_chunk_size() {
        let demo = crate::checks::testkit::demo();
        let report = demo.report();
        let whole = render(&report, 1 << 20);
        assert_eq!(
            whole.matches("<failure ").count(),
            report.findings.len(),
            "one failure per finding"
        );
        for cases in [1, 2, 5] {
            assert_eq!(render(&report, cases), whole, "{cases} cases per chunk");
        }
    }

    /// Findings group into the same cases whether their sort entries are packed
    /// into 8 bytes or not.
    #[test]
    fn packed_and_wide_sort_entries_group_alike() {
        let demo = crate::checks::testkit::scan("testdata");
        let report = demo.report();
        let (packed, wide) = (
            group_packing(&report.findings, true),
            group_packing(&report.findings, false),
        );
        assert!(packed.positions.len() > 100);
        assert_eq!(packed.subjects, wide.subjects);
        assert_eq!(packed.positions, wide.positions);
        assert_eq!(packed.by_check, wide.by_check);
        let cases: usize = packed.by_check.values().map(Vec::len).sum();
        assert!(
            cases < packed.positions.len(),
            "some cases hold several findings"
        );
    }

    #[test]
    fn identities_sharing_a_name_are_told_apart_in_every_chunking() {
        use crate::checks::testkit::{NOW, ts};
        let mut demo = crate::checks::testkit::scan("testdata");
        // A third of the identities share one name, so that the cases of a check
        // share it in runs that chunks cut anywhere.
        for (k, identity) in demo.loaded.inventory.identities.iter_mut().enumerate() {
            identity.name = match k % 3 {
                0 => "twin".to_string(),
                _ => format!("solo-{k}"),
            };
        }
        demo.findings = crate::engine::run(
            &demo.loaded.inventory,
            ts(NOW),
            crate::checks::Thresholds::default(),
        );
        let report = demo.report();
        let whole = render(&report, 1 << 20);
        for cases in [1, 2, 3] {
            assert_eq!(render(&report, cases), whole, "{cases} cases per chunk");
        }
        let mut shared_runs = 0;
        for suite in whole.split("<testsuite ").skip(1) {
            let names: Vec<&str> = suite
                .split("<testcase ")
                .skip(1)
                .filter_map(|case| case.split(" name=\"").nth(1)?.split('"').next())
                .collect();
            let twins = names.iter().filter(|n| n.starts_with("twin")).count();
            for name in &names {
                if name.starts_with("twin") && twins > 1 {
                    assert!(name.starts_with("twin (") && name.ends_with(')'), "{name}");
                } else {
                    assert!(!name.contains(" ("), "{name} is told apart for nothing");
                }
            }
            let unique: std::collections::BTreeSet<&&str> = names.iter().collect();
            assert_eq!(unique.len(), names.len(), "case names are unique");
            shared_runs += usize::from(twins > 2);
        }
        assert!(
            shared_runs >= 2,
            "checks with runs of shared names: {shared_runs}"
        );
    }

    #[test]
    fn grouping_by_ranks_matches_a_stable_sort_of_the_strings() {
        // All of testdata: every provider, and findings without an identity (told
        // apart by their strings rather than by an index).
        let scan = crate::checks::testkit::scan("testdata");
        let report = scan.report();
        let all = report.findings;
        assert!(
            (0..all.len()).any(|n| all.subject(n).1.is_none()),
            "some finding has no identity"
        );
        // The plain way: every finding's strings, sorted stably, then cut into runs.
        let mut rows: Vec<_> = (0..all.len())
            .map(|n| {
                let f = all.get(n);
                let i = f.identity;
                ((f.check_id, (i.name, i.provider, i.kind, i.id)), n as u32)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let mut expected: Vec<(&str, Subject, Vec<u32>)> = Vec::new();
        for ((check, key), n) in rows {
            match expected.last_mut() {
                Some((c, k, ns)) if *c == check && *k == key => ns.push(n),
                _ => expected.push((check, key, vec![n])),
            }
        }
        let g = group(&all);
        let got: Vec<(&str, Subject, Vec<u32>)> = g
            .by_check
            .iter()
            .flat_map(|(check, cases)| {
                cases.iter().map(|(subject, range)| {
                    let ns = g.positions[range.start as usize..range.end as usize].to_vec();
                    (*check, g.subjects[*subject as usize], ns)
                })
            })
            .collect();
        assert!(expected.len() > 10, "testdata has many cases");
        assert!(
            expected.iter().any(|(_, _, ns)| ns.len() > 1),
            "some case has several findings"
        );
        assert_eq!(got, expected);
    }

    #[test]
    fn failure_text_is_the_plain_text_escaped_whole() {
        // Every finding of testdata, whose evidence holds strings, numbers, lists,
        // nulls and text that needs escaping.
        let scan = crate::checks::testkit::scan("testdata");
        let report = scan.report();
        let all = report.findings;
        let mut escaped_evidence = false;
        for n in 0..all.len() {
            let f = all.get(n);
            let m = crate::checks::meta::lookup(f.check_id).unwrap();
            let i = &f.identity;
            // The text as written out plainly, then escaped in one go.
            let mut plain = format!(
                "{} {}: {}\nSeverity: {}\nIdentity: {} ({} {}{}{})\nLocation: {}:{}\nFingerprint: {}\nOWASP NHI Top 10 2025: {}\nNIST CSF 2.0: {}\n",
                m.id,
                m.name,
                f.title,
                f.severity.as_str(),
                i.name,
                i.provider,
                i.kind,
                if i.id.is_empty() { "" } else { " " },
                i.id,
                f.location.path,
                f.location.line,
                f.fingerprint,
                m.owasp.join(", "),
                m.nist.join(", "),
            );
            if !f.evidence.is_empty() {
                plain.push_str("Evidence:\n");
                for (k, v) in f.evidence.entries() {
                    let v = match v {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    };
                    escaped_evidence |= text(&v) != v;
                    plain.push_str(&format!("  {k}: {v}\n"));
                }
            }
            let expected = format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                attr(f.message),
                f.severity.as_str(),
                text(&plain)
            );
            let mut got = String::new();
            failure(&mut got, &SuiteText::of(m), &f);
            assert_eq!(got, expected);
        }
        assert!(escaped_evidence, "some evidence needs escaping");
    }

    #[test]
    fn escaping_covers_markup_quotes_and_forbidden_characters() {
        assert_eq!(
            text(r#"a & b < c > d "e" 'f'"#),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;"
        );
        assert_eq!(text("x\u{0}\u{1}\u{8}\u{b}\u{c}\u{1f}y"), "xy");
        assert_eq!(text("x\u{FFFE}\u{FFFF}y"), "xy");
        assert_eq!(text("line\nnext\ttab"), "line\nnext\ttab");
        assert_eq!(text("cr\r"), "cr&#13;");
        assert_eq!(attr("line\nnext\ttab"), "line&#10;next&#9;tab");
        assert_eq!(text("café 🔑 \u{D7FF}\u{E000}"), "café 🔑 \u{D7FF}\u{E000}");
        assert_eq!(text("]]>"), "]]&gt;");
    }
}
