//! The baseline band of `wikiwatch scope`: for each day a user was active, what they read
//! beside what their baseline called usual and allowed that day, drawn as a text bar.
//!
//! The figures are the core's (`Engine::baseline`, asked after each of the user's events, so a
//! day's row is that day's final count against that day's band).

use std::fmt::Write as _;
use wikiwatch_core::{Band, Baseline, BaselineDays};

/// Width of the bar.
const WIDTH: u64 = 32;

/// The text rows of a user's days: the pages bar with its band, then any other metric that was
/// active.
pub fn to_text(days: &BaselineDays, out: &mut String) {
    let pages = |b: &Baseline| b.bands.iter().find(|x| x.metric == "pages").cloned();
    let scale =
        days.iter().filter_map(pages).map(|p| p.today.max(p.allowed)).max().unwrap_or(1).max(1);
    out.push_str(
            "\ndays against the baseline (pages; # read, | usual day, . up to what is allowed, ! past it)\n",
        );
    for b in days.iter() {
        let date = &b.date;
        let Some(p) = pages(b) else {
            let _ = writeln!(
                out,
                "  {date}  no baseline yet (too little history of their own, their team or role)"
            );
            continue;
        };
        let over = if p.today > p.allowed { "  OVER" } else { "" };
        let _ = write!(
            out,
            "  {date}  {}  {:>6} read, usual {} ({}), allowed {}{over}",
            bar(&p, scale),
            p.today,
            p.usual,
            basis(&p),
            p.allowed
        );
        for o in b.bands.iter().filter(|x| x.metric != "pages" && x.today > 0) {
            let _ = write!(out, "; {} {} of {}", o.metric, o.today, o.allowed);
        }
        out.push('\n');
    }
}

fn basis(p: &Band) -> String {
    match p.days {
        0 => p.basis.clone(),
        n => format!("own, {n} days"),
    }
}

/// `#` up to today's count (`!` past the allowance), `.` from there to the allowance, `|` at
/// the usual day when the count has not reached it.
fn bar(p: &Band, scale: u64) -> String {
    let at = |v: u64| (v * WIDTH).div_ceil(scale).min(WIDTH);
    let (read, allowed, usual) = (at(p.today), at(p.allowed), at(p.usual));
    (1..=WIDTH)
        .map(|i| match i {
            i if i <= read && i > allowed => '!',
            i if i <= read => '#',
            i if i == usual.max(1) => '|',
            i if i <= allowed => '.',
            _ => ' ',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(today: u64, usual: u64, allowed: u64) -> Band {
        Band { metric: "pages", today, usual, allowed, basis: "own".into(), days: 9 }
    }

    #[test]
    fn the_bar_shows_count_band_and_excess() {
        assert_eq!(
            bar(&band(8, 16, 32), 32),
            format!("{}{}|{}{}", "#".repeat(8), ".".repeat(7), ".".repeat(16), "")
        );
        assert_eq!(bar(&band(32, 4, 16), 32), format!("{}{}", "#".repeat(16), "!".repeat(16)));
        assert_eq!(bar(&band(0, 0, 16), 32), format!("|{}{}", ".".repeat(15), " ".repeat(16)));
    }
}
