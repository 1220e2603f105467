//! The harness's "Log coverage": `wikiwatch-report`'s coverage over the same files, read as
//! `wikiwatch coverage FILE...` reads them (each file's clock judged in the order written, all
//! merged by event time through the core's merge), so the JSON is the one the CLI writes.

use crate::lines::lines;
use wasm_bindgen::prelude::*;
use wikiwatch_core::decode::Decoder;
use wikiwatch_core::merge::Merge;
use wikiwatch_core::Config;
use wikiwatch_report::coverage::{ClockCheck, Coverage, InputRead, Report};

/// The coverage report of `inputs` (each a whole file's text, named by the same index of
/// `labels`) under `config_json` (empty: the default config), read in `format` (`auto` when
/// omitted), with gaps of at least `gap_hours` (24 when omitted): the JSON text `wikiwatch
/// coverage --json` writes for the same files, config and options. Files are read as they
/// stand: unlike the CLI, a file out of time order is not sorted first.
#[wasm_bindgen]
pub fn coverage(
    inputs: Vec<String>,
    labels: Vec<String>,
    config_json: &str,
    format: Option<String>,
    gap_hours: Option<u32>,
) -> Result<String, JsError> {
    if labels.len() != inputs.len() {
        return Err(JsError::new("coverage: one label per input"));
    }
    let gap = gap_hours.unwrap_or(24);
    if !(1..=8760).contains(&gap) {
        return Err(JsError::new("coverage: gap_hours must be 1 to 8760"));
    }
    let config = crate::parse_config(config_json)?;
    let format = crate::parse_format(format)?;
    let texts: Vec<&[u8]> = inputs.iter().map(|t| t.as_bytes()).collect();
    let report =
        of_texts(&texts, &labels, config, format, i64::from(gap)).map_err(|e| JsError::new(&e))?;
    let json = serde_json::to_string_pretty(&report).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(json + "\n")
}

/// The report of whole texts; native, so it is tested without a browser.
pub fn of_texts(
    texts: &[&[u8]],
    labels: &[String],
    config: Config,
    format: wikiwatch_core::Format,
    gap_hours: i64,
) -> Result<Report, String> {
    let limits = &config.limits;
    let (late_ms, ahead_ms) = (limits.late_tolerance.as_ms(), limits.ahead_tolerance.as_ms());
    let clocks: Vec<ClockCheck> = texts
        .iter()
        .map(|text| {
            let mut clock = ClockCheck::default();
            let mut decoder = Decoder::new(format, config.decode.clone());
            for line in lines(text) {
                let _ =
                    decoder.decode(line, &mut |ev| clock.observe(ev.time_ms, late_ms, ahead_ms));
            }
            clock
        })
        .collect();
    let mut merge = Merge::default();
    let mut readers: Vec<_> = texts
        .iter()
        .map(|text| {
            merge.add(format, config.decode.clone());
            lines(text)
        })
        .collect();
    let mut coverage = Coverage::new(config, texts.len()).map_err(|e| format!("config: {e}"))?;
    loop {
        while let Some(i) = merge.hungry() {
            match readers[i].next() {
                // A rejected line is counted in the merge's per-input counts.
                Some(line) => drop(merge.push_line(i, line, 0)),
                None => drop(merge.end(i)),
            }
        }
        merge.drain(&mut |i, _, ev| coverage.event(i, &ev));
        if merge.is_done() {
            break;
        }
    }
    let read: Vec<InputRead> = merge
        .counts()
        .into_iter()
        .zip(labels)
        .zip(clocks)
        .map(|((c, label), clock)| InputRead {
            label: label.clone(),
            format: format.as_str(),
            lines: c.lines,
            events: c.events,
            rejected: c.rejected,
            clock,
        })
        .collect();
    Ok(coverage.finish(&read, gap_hours))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wikiwatch_core::Format;

    const UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

    fn access(minute: u32, user: &str, agent: &str) -> String {
        format!(
            "[01/Jun/2026:09:{minute:02}:00 +0000] {user} exec-1 192.0.2.10 GET \
             /display/ENG/Page{minute} HTTP/1.1 200 12ms 900 - {agent}"
        )
        .trim_end()
        .to_string()
    }

    #[test]
    fn two_texts_are_counted_per_input_and_judged_together() {
        let a: String = (0..30).map(|m| access(m, "alice", UA) + "\n").collect();
        let b: String = (0..20).map(|m| access(m, "bob", "") + "\n").collect::<String>()
            + "not a log line\n  \n";
        let labels = ["a.log".to_string(), "b.log".to_string()];
        let report =
            of_texts(&[a.as_bytes(), b.as_bytes()], &labels, Config::default(), Format::Auto, 24)
                .unwrap();
        let counts: Vec<_> = report
            .inputs
            .iter()
            .map(|i| (i.input.as_str(), i.lines, i.events, i.rejected))
            .collect();
        assert_eq!(counts, [("a.log", 30, 30, 0), ("b.log", 21, 20, 1)]);
        assert_eq!(report.events, 50);
        let agent = report.facets.iter().find(|f| f.facet == "with-what").unwrap();
        let check = agent.checks.iter().find(|c| c.check == "user-agent").unwrap();
        assert!(check.evidence.starts_with("30 of 50"), "{}", check.evidence);
    }
}
