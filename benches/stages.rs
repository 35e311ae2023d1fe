//! Per-stage benchmarks (divan): `cargo bench --bench stages`.
//!
//! The input is `$NHISCAN_BENCH_INPUT` (files or directories, `:`-separated; for
//! example a synth output: `cargo run --release --example synth -- --provider aws
//! --identities 3000 --out /tmp/aws-3000`), or the four demo exports when unset.
//! Stages: `read` (the bytes), `serde_json_value` (the parse ceiling: the same bytes
//! into `serde_json::Value`), `load` (read, parse and join: what `scan` does before
//! the checks), `checks`, `report` and `render_json`. docs/performance.md records
//! the figures.

use std::path::PathBuf;
use std::sync::LazyLock;

use nhiscan::import::{self, LoadOptions, Loaded};
use nhiscan::report::Report;

fn main() {
    divan::main();
}

static INPUT: LazyLock<Vec<PathBuf>> =
    LazyLock::new(|| match std::env::var("NHISCAN_BENCH_INPUT") {
        Ok(v) if !v.is_empty() => v.split(':').map(PathBuf::from).collect(),
        _ => [
            "entra/contoso",
            "aws/demo-account",
            "gcp/demo-project",
            "k8s/demo-cluster",
        ]
        .iter()
        .map(|p| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("testdata")
                .join(p)
        })
        .collect(),
    });

/// Every file of the input, as `scan` would find them.
static FILES: LazyLock<Vec<PathBuf>> = LazyLock::new(|| {
    let mut files = Vec::new();
    for p in INPUT.iter() {
        if p.is_dir() {
            for e in walk(p) {
                files.push(e);
            }
        } else {
            files.push(p.clone());
        }
    }
    files.sort();
    files
});

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn now() -> jiff::Timestamp {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

fn load() -> Loaded {
    import::load(&INPUT, &LoadOptions::default())
}

static LOADED: LazyLock<Loaded> = LazyLock::new(load);

#[divan::bench(sample_count = 20)]
fn read() -> usize {
    FILES
        .iter()
        .map(|f| std::fs::read(f).map_or(0, |b| b.len()))
        .sum()
}

#[divan::bench(sample_count = 20)]
fn serde_json_value(bencher: divan::Bencher) {
    let texts: Vec<String> = FILES
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .filter(|t| t.trim_start().starts_with(['{', '[']))
        .collect();
    bencher.bench(|| {
        texts
            .iter()
            .map(|t| {
                serde_json::Deserializer::from_str(t)
                    .into_iter::<serde_json::Value>()
                    .filter(Result::is_ok)
                    .count()
            })
            .sum::<usize>()
    });
}

#[divan::bench(sample_count = 20)]
fn load_stage() -> usize {
    load().inventory.identities.len()
}

#[divan::bench(sample_count = 20)]
fn checks() -> usize {
    nhiscan::engine::run(&LOADED.inventory, now(), Default::default()).len()
}

#[divan::bench(sample_count = 20)]
fn report(bencher: divan::Bencher) {
    let findings = nhiscan::engine::run(&LOADED.inventory, now(), Default::default());
    bencher.bench(|| {
        Report::build(
            &LOADED.inventory,
            &findings,
            &LOADED.errors,
            now(),
            Default::default(),
        )
        .findings
        .len()
    });
}

#[divan::bench(sample_count = 20)]
fn render_json(bencher: divan::Bencher) {
    let findings = nhiscan::engine::run(&LOADED.inventory, now(), Default::default());
    let report = Report::build(
        &LOADED.inventory,
        &findings,
        &LOADED.errors,
        now(),
        Default::default(),
    );
    bencher.bench(|| {
        let mut sink = std::io::sink();
        nhiscan::report::json::write_report(&report, &mut sink).unwrap();
    });
}
