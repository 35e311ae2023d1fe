//! The `nhiscan` binary: parses arguments, runs the command, maps the outcome to
//! an exit code (see `nhiscan --help`).

use std::process::ExitCode;

use clap::Parser;
use nhiscan::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(cli::exit::USAGE)
        }
    }
}

/// mimalloc: the import stages allocate millions of small strings on rayon's
/// threads, where glibc's per-thread arenas grow by `mprotect` calls; see
/// docs/performance.md for the measured difference. Its v2 line (the `v2`
/// feature) touches less fresh memory than v3 here: faster on small and large
/// scans alike, with a lower peak on large ones (measured in the same page).
/// The `system-alloc` feature keeps the system allocator, for heap profilers such
/// as heaptrack that trace `malloc`.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
