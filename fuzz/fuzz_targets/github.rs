//! The github importer's entry point on arbitrary bytes, detection skipped, then the
//! join and every check: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nhiscan::model::Provider;

fuzz_target!(|data: &[u8]| {
    let loaded = nhiscan::import::load_bytes(data, Some(Provider::Github), &Default::default());
    let now: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
    let _ = nhiscan::engine::run(&loaded.inventory, now, Default::default());
});
