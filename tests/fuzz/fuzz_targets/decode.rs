//! Decoders: the first byte picks the format, the rest is split into lines (or, with bit 7 set,
//! kept as one line with its newlines). Every line decodes into events or is rejected with a
//! reason; the count returned is the number of events handed out; decoding is deterministic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wikiwatch_core::decode::{DecodeConfig, Decoder};
use wikiwatch_fuzz::FORMATS;

fn run(decoder: &mut Decoder, line: &[u8]) -> (Result<usize, String>, Vec<String>) {
    let mut events = Vec::new();
    let r = decoder.decode(line, &mut |ev| events.push(format!("{ev:?}")));
    (r.map_err(|e| e.to_string()), events)
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let format = FORMATS[usize::from(pick) % FORMATS.len()];
    let mut decoder = Decoder::new(format, DecodeConfig::default());
    let lines: Vec<&[u8]> =
        if pick & 0x80 != 0 { vec![rest] } else { rest.split(|b| *b == b'\n').collect() };
    for line in lines {
        let (r, events) = run(&mut decoder, line);
        match &r {
            Ok(n) => assert_eq!(*n, events.len(), "returned count = events handed out"),
            Err(reason) => assert!(!reason.is_empty(), "a rejection has a reason"),
        }
        // A fresh decoder of the format this one settled on reads the line the same way.
        let mut again = Decoder::new(format, DecodeConfig::default());
        assert_eq!(run(&mut again, line).1.len(), events.len(), "decoding is deterministic");
    }
});
