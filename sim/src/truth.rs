//! The ground truth written next to the logs: every attack (who, from where, first and last
//! event time) and every benign trap entity.

use crate::model::{Actor, Event, Ms};
use crate::plan::{Plan, ATTACKS};
use crate::traps::Trap;
use serde::{Deserialize, Serialize};

/// `truth.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Truth {
    /// Generator seed.
    pub seed: u64,
    /// Days generated.
    pub days: u32,
    /// Employees in the population.
    pub users: usize,
    /// Lines written (per format).
    pub lines: u64,
    /// First event time (RFC 3339 UTC).
    pub first: String,
    /// Last event time.
    pub last: String,
    /// The attacks, in style-number order.
    pub attacks: Vec<AttackTruth>,
    /// Benign activity that looks suspicious and must not raise anything above low.
    pub benign_traps: Vec<TrapTruth>,
}

/// One attack.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttackTruth {
    /// Number of the attack style (1..=16): its [`AttackStyle::id`](crate::AttackStyle::id), the
    /// position in the simulator's list [`ATTACKS`](crate::ATTACKS), stable across versions.
    pub id: u8,
    /// Stable kebab-case name of the attack style (`rest-crawl`).
    pub name: String,
    /// The real tool or incident it is modelled on.
    pub model: String,
    /// What it does.
    pub description: String,
    /// Account used, if any.
    pub user: Option<String>,
    /// Addresses used.
    pub ips: Vec<String>,
    /// User-Agent used (`null`: none sent).
    pub user_agent: Option<String>,
    /// First event time (RFC 3339 UTC).
    pub start: String,
    /// Last event time.
    pub end: String,
    /// First event time, ms since epoch.
    pub start_ms: Ms,
    /// Last event time, ms since epoch.
    pub end_ms: Ms,
    /// Requests it made.
    pub events: u64,
    /// The entities an alert must name to find it (quiet styles only; the first-wave styles'
    /// are their account and addresses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<EntityTruth>,
}

/// An entity of an attack, as alerts name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityTruth {
    /// `user` or `ip`.
    pub kind: String,
    /// The account or address.
    pub id: String,
}

/// One benign trap.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrapTruth {
    /// Short name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Its account (empty for the cluster: it is about every entity).
    pub user: String,
    /// All its accounts when it is a team (`release-day`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// Its addresses.
    pub ips: Vec<String>,
    /// Its User-Agent.
    pub user_agent: String,
    /// Allow-listed in the scenario config.
    pub allow_listed: bool,
    /// Requests it made.
    pub events: u64,
}

fn rfc3339(ms: Ms) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// Accumulates first/last/count per actor while events are written.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    lines: u64,
    span: Option<(Ms, Ms)>,
    attacks: [Option<(Ms, Ms, u64)>; ATTACKS.len() + 1],
    traps: Vec<u64>,
}

impl Recorder {
    /// Counts one written event.
    pub fn record(&mut self, e: &Event) {
        self.lines += 1;
        let (a, b) = self.span.unwrap_or((e.time_ms, e.time_ms));
        self.span = Some((a.min(e.time_ms), b.max(e.time_ms)));
        match e.actor {
            Actor::Attack(id) => {
                let slot = &mut self.attacks[usize::from(id).min(ATTACKS.len())];
                let (s, t, n) = slot.unwrap_or((e.time_ms, e.time_ms, 0));
                *slot = Some((s.min(e.time_ms), t.max(e.time_ms), n + 1));
            }
            Actor::Trap(i) => self.count_trap(i),
            Actor::Population => {}
        }
    }

    /// Counts one event of trap `i` (the cluster's come from the node they were written to).
    pub fn count_trap(&mut self, i: usize) {
        if self.traps.len() <= i {
            self.traps.resize(i + 1, 0);
        }
        self.traps[i] += 1;
    }

    /// The truth file's content.
    pub fn finish(
        &self,
        seed: u64,
        days: u32,
        users: usize,
        plans: &[Plan],
        traps: &[Trap],
    ) -> Truth {
        let (first, last) = self.span.unwrap_or((0, 0));
        let attacks = plans
            .iter()
            .filter_map(|p| {
                let (start, end, n) = self.attacks[usize::from(p.id)]?;
                let style = p.style();
                Some(AttackTruth {
                    id: style.id,
                    name: style.name.into(),
                    model: style.model.into(),
                    description: style.description.into(),
                    user: p.user.as_deref().map(String::from),
                    ips: p.ips.iter().map(|i| i.to_string()).collect(),
                    user_agent: p.agent.as_deref().map(String::from),
                    start: rfc3339(start),
                    end: rfc3339(end),
                    start_ms: start,
                    end_ms: end,
                    events: n,
                    entities: p
                        .entities
                        .iter()
                        .map(|(kind, id)| EntityTruth {
                            kind: kind.to_string(),
                            id: id.to_string(),
                        })
                        .collect(),
                })
            })
            .collect();
        let benign_traps = traps
            .iter()
            .enumerate()
            .map(|(i, t)| TrapTruth {
                name: t.name.into(),
                description: t.description.into(),
                user: t.user.to_string(),
                users: t.users.iter().map(|u| u.to_string()).collect(),
                ips: t.ips.iter().map(|i| i.to_string()).collect(),
                user_agent: t.agent.to_string(),
                allow_listed: t.allow_listed,
                events: self.traps.get(i).copied().unwrap_or(0),
            })
            .collect();
        Truth {
            seed,
            days,
            users,
            lines: self.lines,
            first: rfc3339(first),
            last: rfc3339(last),
            attacks,
            benign_traps,
        }
    }
}
