//! Stage timings for benchmarks: `NHISCAN_TIMINGS=1 nhiscan scan …` prints how
//! long each stage took to standard error. Reports never contain timings.

use std::time::{Duration, Instant};

/// Durations of named stages, in the order they ran.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration)>,
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
            self.stages.push((name, now - last));
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

    /// One line per stage, e.g. `read+parse  1.234 s`.
    pub fn render(&self) -> String {
        self.stages
            .iter()
            .map(|(n, d)| format!("{n:<12} {:>8.3} s\n", d.as_secs_f64()))
            .collect()
    }
}
