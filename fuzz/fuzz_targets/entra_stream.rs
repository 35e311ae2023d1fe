//! The block reader for large Entra lists (`import::entra::stream`) on arbitrary
//! bytes, with blocks of 1 to 1,009 bytes so that objects and characters are cut
//! everywhere. Whenever it takes a file, its records must be the whole-file
//! reader's, byte for byte of their debug form: a difference is a crash.
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
    let whole = entra::parse(&docs, &lines, 0, "input");
    match (streamed, whole) {
        (Ok(s), Ok(mut w)) => {
            if encoding != "utf-8" {
                w.format = format!("{} ({encoding})", w.format);
            }
            assert_eq!(format!("{:?}", s.records), format!("{w:?}"));
            assert_eq!(s.sha256, source::sha256_hex(data));
        }
        // Which of several errors a parallel parse reports first is not fixed.
        (Err(_), Err(_)) => {}
        (s, w) => panic!("streamed {:?} but whole {:?}", s.is_ok(), w.is_ok()),
    }
});
