//! The filter's own work per record, natively: every line of a log wrapped as `tail` sends it
//! (`{"log":"<line>"}`) and run through one [`Filter`] under the default config, as the
//! module does inside Fluent Bit, minus the host. Profile it to see where a record's time goes
//! before changing anything (an interpreter or AOT code cannot be symbolised as easily):
//!
//! ```text
//! cargo build --release --workspace --examples
//! valgrind --tool=callgrind target/release/examples/filter_loop LOG
//! ```
//!
//! Prints the records, the output bytes and the alerts raised.

use wikiwatch_core::Config;
use wikiwatch_fluent_bit::Filter;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: filter_loop LOG");
        std::process::exit(2);
    };
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("filter_loop: {path}: {e}");
            std::process::exit(1);
        }
    };
    let records: Vec<Vec<u8>> = text
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let line = String::from_utf8_lossy(line);
            let mut record = b"{\"log\":".to_vec();
            wikiwatch_fluent_bit::annotation::string(&mut record, &line);
            record.push(b'}');
            record
        })
        .collect();
    let mut log = |line: &str| eprintln!("{line}");
    let mut filter = Filter::new(Config::default(), &mut log);
    let (mut bytes, mut alerts) = (0usize, 0usize);
    for (i, record) in records.iter().enumerate() {
        let out = filter.filter(1_700_000_000 + i as u32, 0, record, &mut log);
        bytes += out.len();
        alerts += count(out, b"\"rule\":");
    }
    println!("{} records, {bytes} bytes out, {alerts} alerts", records.len());
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}
