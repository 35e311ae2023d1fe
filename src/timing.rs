//! Stage timings for benchmarks: `NHISCAN_TIMINGS=1 nhiscan scan …` prints how
//! long each stage took to standard error, and on Linux the resident memory at its end
//! and the peak so far. Reports never contain timings.

use std::time::{Duration, Instant};

/// Durations of named stages, in the order they ran.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration, Option<Memory>)>,
    last: Option<Instant>,
}

impl Timings {
    pub fn start() -> Timings {
        Timings {
            stages: Vec::new(),
            last: Some(Instant::now()),
        }
    }

    /// Ends the current stage under `name` and starts the next.
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        if let Some(last) = self.last {
            let memory = Self::enabled().then(Memory::now).flatten();
            self.stages.push((name, now - last, memory));
        }
        self.last = Some(now);
    }

    pub fn extend(&mut self, other: &Timings) {
        self.stages.extend(other.stages.iter().copied());
        self.last = Some(Instant::now());
    }

    pub fn enabled() -> bool {
        std::env::var_os("NHISCAN_TIMINGS").is_some()
    }

    /// One line per stage, e.g. `read+parse  1.234 s  RSS 312 MiB  peak 340 MiB`
    /// (mebibytes: 1 MiB is 1.048576 MB).
    pub fn render(&self) -> String {
        self.stages
            .iter()
            .map(|(n, d, m)| {
                let memory = m
                    .map(|m| {
                        format!(
                            "  RSS {:>5} MiB  peak {:>5} MiB",
                            m.rss_kb / 1024,
                            m.peak_kb / 1024
                        )
                    })
                    .unwrap_or_default();
                format!("{n:<12} {:>8.3} s{memory}\n", d.as_secs_f64())
            })
            .collect()
    }
}

/// The process's resident memory and its peak, from `/proc/self/status` (Linux only).
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss_kb: u64,
    pub peak_kb: u64,
}

impl Memory {
    pub fn now() -> Option<Memory> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            line[name.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        };
        Some(Memory {
            rss_kb: field("VmRSS:")?,
            peak_kb: field("VmHWM:")?,
        })
    }
}
