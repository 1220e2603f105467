//! From finding to alert: privilege raises severity, cooldown swallows repeats unless the
//! evidence escalates, allow entries suppress (and are counted), and the alert is written.

use crate::alert::{Alert, AlertSink, EntityKind, EntityRef, Severity, Window};
use crate::allow::AllowMatch;
use crate::event::TimeMs;
use crate::identity::{Directory, Learned};
use crate::rules::check::Finding;
use crate::rules::RuleId;
use crate::state::{EntityState, Memo};
use crate::stats::Counters;

/// Within cooldown, an entity alerts again only when its count has grown this many times.
const ESCALATION_FACTOR: u64 = 4;

/// The entity an alert would be about, and the event's allow match.
#[derive(Debug)]
pub(crate) struct Raise<'a> {
    pub kind: EntityKind,
    pub key: &'a str,
    pub privileged: bool,
    pub now: TimeMs,
    pub allow: Option<AllowMatch>,
}

/// A finding that is due to alert (past cooldown, or escalated).
#[derive(Debug)]
pub(crate) struct Pending {
    pub id: RuleId,
    pub finding: Finding,
    pub severity: Severity,
    pub what: String,
}

impl Pending {
    /// `Some` when the finding should alert now; the sentence is added with [`Pending::with`].
    pub fn new(
        id: RuleId,
        finding: Finding,
        r: &Raise<'_>,
        state: &EntityState,
        cooldown: i64,
    ) -> Option<Pending> {
        let severity = if r.privileged && id != RuleId::PrivilegeChange {
            finding.severity.raised()
        } else {
            finding.severity
        };
        if let Some(m) = state.memo(id) {
            // An alert dated after `now` (a bad timestamp) by more than the cooldown does not
            // silence the rule.
            let cooling = (-cooldown..cooldown).contains(&(r.now - m.at));
            let escalated = severity > m.severity
                || finding.stage > m.stage
                || finding.count >= m.count.saturating_mul(ESCALATION_FACTOR);
            if cooling && !escalated {
                return None;
            }
        }
        Some(Pending { id, finding, severity, what: String::new() })
    }

    /// The rule's half of the summary sentence.
    pub fn with(self, what: String) -> Pending {
        Pending { what, ..self }
    }
}

/// Remembers the alert for cooldown, then suppresses it (allow entry), folds it into the
/// entity's incident of the day (same or lower severity, a rule the incident has seen), or
/// sends it.
pub(crate) fn raise(
    counters: &mut Counters,
    dir: &Directory,
    learned: &Learned,
    state: &mut EntityState,
    r: &Raise<'_>,
    p: Pending,
    sink: &mut dyn AlertSink,
) {
    let Pending { id, finding: f, severity, what } = p;
    state.remember(Memo { rule: id, at: r.now, count: f.count, severity, stage: f.stage });
    if let Some(m) = r.allow.filter(|m| m.suppresses(id)) {
        counters.suppressed[m.index] += 1;
        return;
    }
    let Some(incident) = state.incident_line(r.kind, r.key, r.now, (id, f.stage), severity) else {
        counters.merged += 1;
        return;
    };
    let mut evidence = state.evidence.as_deref().map(|e| e.to_alert()).unwrap_or_default();
    if r.kind == EntityKind::User {
        evidence.privilege_source = learned.grants.get(r.key).map(|g| g.source.clone());
        evidence.aliases = dir.aliases_of(r.key, learned);
    }
    let alert = Alert {
        time_ms: r.now,
        rule: id,
        severity,
        entity: EntityRef { kind: r.kind, id: r.key.to_string() },
        incident,
        window: Window { start_ms: f.window_start.min(r.now), end_ms: r.now },
        count: f.count,
        threshold: f.threshold,
        privileged: r.privileged,
        summary: format!("{} {what} (threshold {})", r.key, f.threshold),
        evidence,
        techniques: id.techniques(),
    };
    counters.alert(&alert);
    sink.alert(alert);
}
