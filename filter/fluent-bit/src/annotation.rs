//! The `wikiwatch` field added to each record, written straight into the output buffer.
//!
//! ```json
//! "wikiwatch": {"request": "api-listing", "agent": "script", "user": "mallory",
//!               "ip": "10.1.0.17", "session": null, "allowed_by": null,
//!               "alert_severity": "high", "alerts": [ ... ]}
//! ```
//! Keys are always present (null when unknown) so routing rules and dashboards can rely on
//! them. `alert_severity` is the highest severity among `alerts` (null when there are none):
//! a plain string, so `rewrite_tag` can route on it (`$wikiwatch['alert_severity']`).
//! `late: true` and `events: N` appear only when they apply. Each element of `alerts` is the
//! docs/alerts.md alert object, byte for byte what the CLI prints on its own line, or its ECS
//! or OCSF form when the config's `output` asks for it.

use wikiwatch_core::bytes::json_plain;
use wikiwatch_core::{Alert, AlertFormat, Outcome};

/// What one record told the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Outcome of the record's last event.
    pub outcome: Outcome,
    /// User of the record's last event.
    pub user: Option<String>,
    /// Client address of the record's last event.
    pub ip: Option<String>,
    /// Events the record held (audit pages hold several).
    pub events: usize,
}

/// Appends `"wikiwatch":{...}` (without a leading comma) to `out`.
pub fn write(out: &mut Vec<u8>, note: &Annotation, alerts: &[Alert], form: AlertFormat) {
    out.extend_from_slice(b"\"wikiwatch\":{\"request\":");
    string(out, note.outcome.request.as_str());
    out.extend_from_slice(b",\"agent\":");
    string(out, note.outcome.agent.as_str());
    out.extend_from_slice(b",\"user\":");
    opt_string(out, note.user.as_deref());
    out.extend_from_slice(b",\"ip\":");
    opt_string(out, note.ip.as_deref());
    out.extend_from_slice(b",\"session\":");
    opt_string(out, note.outcome.session.as_deref());
    out.extend_from_slice(b",\"allowed_by\":");
    opt_string(out, note.outcome.allowed_by.as_deref());
    out.extend_from_slice(b",\"alert_severity\":");
    opt_string(out, alerts.iter().map(|a| a.severity).max().map(|s| s.as_str()));
    if note.outcome.late {
        out.extend_from_slice(b",\"late\":true");
    }
    if note.events != 1 {
        out.extend_from_slice(format!(",\"events\":{}", note.events).as_bytes());
    }
    out.extend_from_slice(b",\"alerts\":[");
    for (i, alert) in alerts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(alert.render(form).as_bytes());
    }
    out.extend_from_slice(b"]}");
}

/// Appends `"wikiwatch":{"error":"..."}` for records that could not be read at all.
pub fn write_error(out: &mut Vec<u8>, error: &str) {
    out.extend_from_slice(b"\"wikiwatch\":{\"error\":");
    string(out, error);
    out.push(b'}');
}

/// Appends `s` as a JSON string. serde_json escapes every control character, so the output
/// never holds a raw NUL (the host reads the result up to the first NUL).
pub fn string(out: &mut Vec<u8>, s: &str) {
    // What serde_json escapes is exactly what `json_plain` looks for; most strings here (names,
    // addresses, kinds) have none of it and are copied eight bytes a step, not escaped byte by
    // byte.
    if json_plain(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail, and a &str always serialises.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wikiwatch_core::{AgentKind, RequestKind};

    fn note(user: Option<&str>) -> Annotation {
        Annotation {
            outcome: Outcome {
                request: RequestKind::ApiListing,
                agent: AgentKind::Script,
                session: None,
                allowed_by: None,
                late: false,
            },
            user: user.map(str::to_owned),
            ip: Some("10.1.0.17".into()),
            events: 1,
        }
    }

    #[test]
    fn shape() {
        let mut out = Vec::new();
        write(&mut out, &note(Some("mal\"lory\u{0}")), &[], AlertFormat::Native);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\0'));
        let v: serde_json::Value = serde_json::from_str(&format!("{{{text}}}")).unwrap();
        let w = &v["wikiwatch"];
        assert_eq!(w["request"], RequestKind::ApiListing.as_str());
        assert_eq!(w["agent"], AgentKind::Script.as_str());
        assert_eq!(w["user"], "mal\"lory\u{0}");
        assert_eq!(w["ip"], "10.1.0.17");
        assert!(w["session"].is_null() && w["allowed_by"].is_null());
        assert!(w["alert_severity"].is_null());
        assert_eq!(w["alerts"], serde_json::json!([]));
        assert!(w.get("late").is_none() && w.get("events").is_none());
    }

    /// The copy taken for plain strings is what serde_json writes for them.
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let samples = [
            "",
            "mallory",
            "10.1.0.17",
            "é ü 漢",
            "a\"b",
            "a\\b",
            "\u{0}",
            "\u{1f}x",
            "\u{7f}",
            "tab\there",
            "line\nbreak",
            "\u{2028}",
        ];
        for s in samples {
            let mut ours = Vec::new();
            string(&mut ours, s);
            assert_eq!(ours, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn error_shape() {
        let mut out = b"{".to_vec();
        write_error(&mut out, "record is not a JSON object");
        out.push(b'}');
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["wikiwatch"]["error"], "record is not a JSON object");
    }
}
