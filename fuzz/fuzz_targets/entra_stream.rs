//! The block reader for large Entra lists (`import::entra::stream`) on arbitrary
//! bytes, with blocks of 1 to 1,009 bytes so that objects and characters are cut
//! everywhere. Whenever it takes a file, the whole-file reader must read it
//! without error and give the same records, byte for byte of their debug form: a
//! difference is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nhiscan::import::{documents, entra, json::LineIndex, source};

fuzz_target!(|data: &[u8]| {
    let Some((&first, data)) = data.split_first() else {
        return;
    };
    let block = 1 + usize::from(first) * 4;
    let Some(streamed) = entra::stream::read(data, block, 0, "input") else {
        return;
    };
    let Ok((text, encoding)) = source::decode(data) else {
        panic!("streamed a file the whole-file reader cannot decode");
    };
    let docs = documents(&text).expect("streamed a file that is not JSON");
    let lines = LineIndex::new(&text);
    let mut whole = entra::parse(&docs, &lines, 0, "input")
        .expect("streamed a file the whole-file reader rejects");
    if encoding != "utf-8" {
        whole.format = format!("{} ({encoding})", whole.format);
    }
    assert_eq!(format!("{:?}", streamed.records), format!("{whole:?}"));
    assert_eq!(streamed.sha256, source::sha256_hex(data));
});
