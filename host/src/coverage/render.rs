//! The coverage report as text for a terminal: one line per check, its evidence, and the fix
//! under anything not covered.

use std::fmt::Write as _;
use wikiwatch_report::coverage::{Report, Verdict};

/// Longest line of wrapped text.
const WIDTH: usize = 96;

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Covered => "ok  ",
        Verdict::Partial => "PART",
        Verdict::Missing => "MISS",
    }
}

/// `text` wrapped at word boundaries, each line indented by `indent`.
fn wrap(out: &mut String, indent: &str, text: &str) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > WIDTH {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

pub fn text(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "coverage of {} events over {} days ({} to {})",
        r.events,
        r.days,
        r.first.as_deref().unwrap_or("-"),
        r.last.as_deref().unwrap_or("-")
    );
    for i in &r.inputs {
        let _ = writeln!(
            out,
            "  {}: {} lines, {} events, {} rejected",
            i.input, i.lines, i.events, i.rejected
        );
    }
    for f in &r.facets {
        let _ = writeln!(out, "\n{} [{}]", f.facet, f.verdict.as_str());
        for c in &f.checks {
            let needed = if c.needed_by.is_empty() {
                String::new()
            } else {
                format!("  (needed by {})", c.needed_by.join(", "))
            };
            let _ = writeln!(out, "  {} {}{needed}", mark(c.verdict), c.check);
            wrap(&mut out, "         ", &c.evidence);
            if let Some(fix) = &c.fix {
                wrap(&mut out, "       > ", fix);
            }
        }
    }
    if r.ok {
        let _ = writeln!(out, "\nevery check an enabled rule needs is covered");
    } else {
        let _ = writeln!(out, "\nneeded and not covered: {}", r.uncovered.join(", "));
    }
    out
}
