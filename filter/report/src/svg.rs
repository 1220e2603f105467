//! Inline SVG plots for the HTML report: activity per hour, and a user's days against their
//! baseline band (the band drawn behind the bars).

use std::fmt::Write as _;
use wikiwatch_core::BaselineDays;

const W: f64 = 720.0;
const H: f64 = 160.0;
const PAD: f64 = 24.0;

/// Bars of `(label, count)` with the first and last label under the axis.
pub fn bars(points: &[(String, u64)], title: &str) -> String {
    let mut s = String::new();
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1) as f64;
    let n = points.len().max(1) as f64;
    let bw = (W - 2.0 * PAD) / n;
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{}\">",
        crate::html::esc(title)
    );
    let _ = write!(
        s,
        "<line x1=\"{PAD}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" class=\"axis\"/>",
        H - PAD,
        W - PAD
    );
    for (i, (label, v)) in points.iter().enumerate() {
        let h = (*v as f64 / max) * (H - 2.0 * PAD);
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.2}\" height=\"{:.1}\" class=\"bar\"><title>{} {v}</title></rect>",
            PAD + i as f64 * bw,
            H - PAD - h,
            (bw - 0.5).max(0.5),
            h,
            crate::html::esc(label)
        );
    }
    if let (Some(a), Some(b)) = (points.first(), points.last()) {
        let _ = write!(
            s,
            "<text x=\"{PAD}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><text x=\"{PAD}\" y=\"14\">max {max}</text>",
            H - 6.0,
            crate::html::esc(&a.0),
            W - PAD,
            H - 6.0,
            crate::html::esc(&b.0)
        );
    }
    s.push_str("</svg>");
    s
}

/// Pages read per day as bars, each over its band from the usual day to what was allowed.
pub fn band(days: &BaselineDays) -> String {
    let rows: Vec<(String, u64, u64, u64)> = days
        .iter()
        .filter_map(|b| {
            let p = b.bands.iter().find(|x| x.metric == "pages")?;
            Some((b.date.clone(), p.today, p.usual, p.allowed))
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let max = rows.iter().map(|r| r.1.max(r.3)).max().unwrap_or(1).max(1) as f64;
    let bw = (W - 2.0 * PAD) / rows.len() as f64;
    let y = |v: u64| H - PAD - (v as f64 / max) * (H - 2.0 * PAD);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"pages read per day against the baseline\">"
    );
    for (i, (date, today, usual, allowed)) in rows.iter().enumerate() {
        let x = PAD + i as f64 * bw;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.2}\" height=\"{:.1}\" class=\"band\"/>",
            y(*allowed),
            (y(*usual) - y(*allowed)).max(0.5)
        );
        let over = if today > allowed { " over" } else { "" };
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.2}\" height=\"{:.1}\" class=\"bar{over}\"><title>{date}: {today} read, usual {usual}, allowed {allowed}</title></rect>",
            x + bw * 0.25,
            y(*today),
            bw * 0.5,
            H - PAD - y(*today)
        );
    }
    let _ = write!(s, "<text x=\"{PAD}\" y=\"14\">max {max}</text></svg>");
    s
}
