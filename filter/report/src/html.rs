//! The report as one self-contained HTML file: inline CSS and SVG, no script, nothing loaded
//! from elsewhere, so it can be mailed or attached to a ticket as it is.

use crate::exposure::{Exposure, Row};
use crate::report::Report;
use crate::svg;
use std::fmt::Write as _;

const CSS: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}\
td.n{text-align:right}.sensitive{background:#fde8e8}.note{color:#a33}\
.sev-critical{color:#900;font-weight:bold}.sev-high{color:#c30}.sev-medium{color:#a70}\
svg{width:100%;max-width:720px;height:auto;border:1px solid #eee}svg text{font-size:10px;fill:#555}\
.bar{fill:#3a6ea5}.bar.over{fill:#c33}.band{fill:#cde3c8}.axis{stroke:#999}\
pre{white-space:pre-wrap;font-size:12px}";

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

fn rows_table(out: &mut String, title: &str, rows: &[Row]) {
    if rows.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<h2>{} ({})</h2><table><tr><th>count</th><th>bytes</th><th>first</th><th>last</th><th>what</th></tr>",
        esc(title),
        rows.len()
    );
    for r in rows {
        let _ = write!(
            out,
            "<tr><td class=n>{}</td><td class=n>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.count,
            r.bytes,
            r.first,
            r.last,
            esc(&r.name)
        );
    }
    out.push_str("</table>");
}

fn exposure(out: &mut String, x: &Exposure) {
    let _ = write!(out, "<h1>Exposure report: {}</h1>", esc(&x.entity));
    let span = |t: &Option<String>| t.clone().unwrap_or_else(|| "-".into());
    let _ = write!(
        out,
        "<p>Span asked for: {} to {}. {} events; first access {}, last access {}.</p>",
        span(&x.from),
        span(&x.to),
        x.events,
        span(&x.first),
        span(&x.last)
    );
    if x.events == 0 {
        out.push_str(
            "<p><strong>Nothing to report:</strong> no request of this entity in the span.</p>",
        );
        return;
    }
    let t = &x.totals;
    let _ = write!(
        out,
        "<p>Read {} pages ({} distinct, {} bytes); {} exports ({} bytes); {} downloads ({} bytes); {} searches; {} denied.</p>",
        t.pages_read, t.distinct_pages, t.read_bytes, t.exports, t.export_bytes, t.downloads,
        t.download_bytes, t.searches, x.denied
    );
    if !x.sensitive.is_empty() {
        out.push_str("<h2>Sensitive spaces</h2>");
    }
    spaces(out, "sensitive", x.sensitive.iter());
    if let Some(p) = &x.after_privilege {
        let _ = write!(
            out,
            "<h2>After the privilege change</h2><p>Granted at {}: {}. From then on: {} pages read, {} exports, {} downloads, {} bytes exported or downloaded.</p><table><tr><th>time</th><th>what</th><th>space</th><th>bytes</th><th>detail</th></tr>",
            p.granted,
            esc(&p.grants.join("; ")),
            p.pages_read,
            p.exports,
            p.downloads,
            p.bytes
        );
        for s in &p.steps {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td>{}</td></tr>",
                s.time,
                s.what,
                esc(s.space.as_deref().unwrap_or("")),
                s.bytes,
                esc(&s.detail)
            );
        }
        out.push_str("</table>");
    }
    out.push_str("<h2>Activity per hour</h2>");
    out.push_str(&svg::bars(&x.activity, "events per hour"));
    let band = svg::band(&x.baseline);
    if !band.is_empty() {
        out.push_str(
            "<h2>Pages read per day against the baseline (band: usual day to allowed)</h2>",
        );
        out.push_str(&band);
    }
    out.push_str("<h2>Spaces</h2>");
    spaces(out, "", x.spaces.iter());
    if !x.pages.is_empty() {
        let _ = write!(out, "<h2>Pages read ({})</h2>", x.pages.len());
        if let Some(n) = &x.pages_note {
            let _ = write!(out, "<p class=note>{}</p>", esc(n));
        }
        out.push_str("<table><tr><th>reads</th><th>bytes</th><th>first</th><th>last</th><th>page</th><th>spellings</th></tr>");
        for p in &x.pages {
            let _ = write!(
                out,
                "<tr><td class=n>{}</td><td class=n>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                p.count,
                p.bytes,
                p.first,
                p.last,
                esc(&p.page),
                esc(&p.spellings.join(", "))
            );
        }
        out.push_str("</table>");
    }
    rows_table(out, "Exports", &x.exports);
    rows_table(out, "Downloads", &x.downloads);
    rows_table(out, "Searches", &x.searches);
    rows_table(out, "Addresses", &x.addresses);
    rows_table(out, "User agents", &x.user_agents);
    rows_table(out, "Audit actions", &x.audit);
}

fn spaces<'a>(
    out: &mut String,
    class: &str,
    rows: impl Iterator<Item = &'a crate::exposure::SpaceRow>,
) {
    let mut any = false;
    for s in rows {
        if !any {
            out.push_str("<table><tr><th>space</th><th>label</th><th>requests</th><th>bytes</th><th>exported</th><th>exported bytes</th><th>first</th><th>last</th></tr>");
            any = true;
        }
        let class = if s.label.is_some() { "sensitive" } else { class };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.space),
            esc(s.label.as_deref().unwrap_or("")),
            s.requests,
            s.bytes,
            s.exported,
            s.exported_bytes,
            s.first,
            s.last
        );
    }
    if any {
        out.push_str("</table>");
    }
}

/// The whole report as HTML.
pub fn to_html(r: &Report) -> String {
    let title = r
        .exposure
        .as_ref()
        .map_or("Incidents".to_string(), |x| format!("Exposure report: {}", x.entity));
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>wikiwatch: {}</title><style>{CSS}</style></head><body>",
        esc(&title)
    );
    if let Some(x) = &r.exposure {
        exposure(&mut out, x);
    }
    let _ = write!(out, "<h2>Incidents ({})</h2>", r.incidents.len());
    if !r.incidents.is_empty() {
        out.push_str("<table><tr><th>severity</th><th>entity</th><th>incident</th><th>first</th><th>last</th><th>rules</th><th>alerts</th><th>summary and alerts</th></tr>");
        for i in &r.incidents {
            let _ = write!(
                out,
                "<tr><td class=\"sev-{0}\">{0}</td><td>{1}:{2}</td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td class=n>{7}</td><td><details><summary>{8}</summary><pre>",
                i.severity,
                i.kind,
                esc(&i.id),
                i.incident,
                i.first,
                i.last,
                i.rules.join(", "),
                i.alerts,
                esc(&i.summary)
            );
            for l in &i.lines {
                out.push_str(&esc(&l.to_string()));
                out.push('\n');
            }
            out.push_str("</pre></details></td></tr>");
        }
        out.push_str("</table>");
    }
    let allowed = if r.include_allowed { "allow-listed included" } else { "allow-listed left out" };
    let _ =
        write!(out, "<h2>Busiest ({allowed})</h2><table><tr><th>entity</th><th>requests</th></tr>");
    for b in &r.busiest {
        let _ = write!(
            out,
            "<tr><td>{}{}</td><td class=n>{}</td></tr>",
            esc(&b.entity),
            if b.allowed { " (allow-listed)" } else { "" },
            b.requests
        );
    }
    let _ = writeln!(
        out,
        "</table><p>{} lines read, {} rejected.</p></body></html>",
        r.input.lines, r.input.rejected
    );
    out
}
