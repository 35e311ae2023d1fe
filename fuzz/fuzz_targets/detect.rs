//! A whole file as `scan` reads it: decoding (BOM, UTF-16, YAML), detection by
//! content, the chosen importer, the join and every check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let loaded = nhiscan::import::load_bytes(data, None, &Default::default());
    let now: jiff::Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
    let _ = nhiscan::engine::run(&loaded.inventory, now, Default::default());
});
