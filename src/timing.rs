//! Stage timings for benchmarks: `NHISCAN_TIMINGS=1 nhiscan scan …` prints how
//! long each stage took to standard error, and on Linux the CPU time all threads
//! spent in it, the resident memory at its end and the peak so far. Reports never
//! contain timings.

use std::time::{Duration, Instant};

/// Durations of named stages, in the order they ran.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration, Option<Usage>)>,
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
            let usage = Self::enabled().then(Usage::now).flatten();
            self.stages.push((name, now - last, usage));
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

    /// One line per stage, e.g.
    /// `read+parse  1.234 s  cpu  2.31 s  RSS 312 MiB  peak 340 MiB`
    /// (mebibytes: 1 MiB is 1.048576 MB). The CPU time is that of all threads
    /// during the stage: twice the wall time when both of two cores were busy.
    pub fn render(&self) -> String {
        // CPU time so far at the end of the last stage that read it.
        let mut cpu_before = 0;
        self.stages
            .iter()
            .map(|(n, d, m)| {
                let cpu = match m.and_then(|m| m.cpu_ticks) {
                    Some(now) => {
                        let spent = now.saturating_sub(cpu_before);
                        cpu_before = now;
                        format!("  cpu {:>5.2} s", spent as f64 / TICKS_PER_SECOND)
                    }
                    None => String::new(),
                };
                let memory = m
                    .map(|m| {
                        format!(
                            "{cpu}  RSS {:>5} MiB  peak {:>5} MiB",
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

/// Clock ticks per second of `/proc/self/stat` (`USER_HZ`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// The process's resident memory and its peak, from `/proc/self/status`, and the
/// CPU time of all its threads so far, from `/proc/self/stat` (Linux only).
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub rss_kb: u64,
    pub peak_kb: u64,
    /// User and system time, in clock ticks.
    pub cpu_ticks: Option<u64>,
}

impl Usage {
    pub fn now() -> Option<Usage> {
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
        Some(Usage {
            rss_kb: field("VmRSS:")?,
            peak_kb: field("VmHWM:")?,
            cpu_ticks: cpu_ticks(),
        })
    }
}

/// `utime + stime` of `/proc/self/stat`: its 14th and 15th fields, counted after
/// the command name, which is in parentheses and may hold spaces.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each stage's CPU time is the difference from the last stage that read it.
    #[test]
    fn each_stage_shows_its_own_cpu_time() {
        let usage = |cpu_ticks| {
            Some(Usage {
                rss_kb: 2048,
                peak_kb: 4096,
                cpu_ticks,
            })
        };
        let timings = Timings {
            stages: vec![
                ("a", Duration::from_millis(50), usage(Some(5))),
                ("b", Duration::from_millis(10), usage(None)),
                ("c", Duration::from_millis(200), usage(Some(45))),
            ],
            last: None,
        };
        let lines: Vec<String> = timings
            .render()
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(
            lines,
            [
                "a 0.050 s cpu 0.05 s RSS 2 MiB peak 4 MiB",
                "b 0.010 s RSS 2 MiB peak 4 MiB",
                "c 0.200 s cpu 0.40 s RSS 2 MiB peak 4 MiB",
            ]
        );
    }
}
