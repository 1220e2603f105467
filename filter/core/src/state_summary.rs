//! What a state snapshot holds, told without restoring it: the version, the time its entities
//! span, how many of each it tracks and what each table weighs, the config it was written under,
//! and what it learned of each account and group. Hosts print it (`wikiwatch state show`,
//! `wikiwatch learn`); reading it changes nothing.

use crate::event::TimeMs;
use crate::profile::{Metric, Profile};
use crate::snapshot::{self, SnapshotError, State};
use crate::table::TableSnapshot;
use serde::Serialize;

/// What a state snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateSummary {
    /// Snapshot format version.
    pub version: u32,
    /// Size of the whole snapshot.
    pub bytes: u64,
    /// Fingerprint of the config it was written under (16 hex digits); see
    /// [`Engine::config_fingerprint`](crate::Engine::config_fingerprint).
    pub config: String,
    /// Earliest first-seen and latest last-seen time of the entities it holds.
    pub first: Option<TimeMs>,
    /// See `first`.
    pub last: Option<TimeMs>,
    /// Events and alerts counted over the state's whole life.
    pub events: u64,
    /// See `events`.
    pub alerts: u64,
    /// Per table: entries, entries evicted, encoded size.
    pub tables: Vec<TableSummary>,
    /// Every user with a profile, by login.
    pub users: Vec<UserSummary>,
    /// Every team and role baseline (`team:NAME`, `role:NAME`).
    pub groups: Vec<GroupSummary>,
}

/// One table of the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSummary {
    /// `users`, `ips`, `sessions`, `identity` (learned aliases, grants and creations, team and
    /// role baselines) or `clock` (event clock and counters).
    pub name: &'static str,
    /// Entries held.
    pub entries: u64,
    /// Entries evicted over the state's life (tables at their cap).
    pub evicted: u64,
    /// Encoded size.
    pub bytes: u64,
}

/// What the state learned of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSummary {
    /// Login name.
    pub user: String,
    /// First and last event seen.
    pub first_seen: TimeMs,
    /// See `first_seen`.
    pub last_seen: TimeMs,
    /// Closed days in its history (at most fourteen active days are kept).
    pub days: u8,
    /// Its usual day of page reads, once it has history.
    pub pages: Option<Typical>,
    /// Its usual day of exports and downloads.
    pub exports: Option<Typical>,
    /// Its usual day of pages read by script.
    pub programmatic: Option<Typical>,
    /// An audit record made it privileged (a group or permission grant).
    pub privileged_by_audit: bool,
}

/// A metric's usual day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Typical {
    /// Median day.
    pub median: u16,
    /// Largest day.
    pub max: u16,
    /// Busiest hour of any day.
    pub peak_hour: u16,
}

/// A team's or role's baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSummary {
    /// `team:NAME` or `role:NAME`.
    pub group: String,
    /// Member-days of page reads kept.
    pub member_days: u64,
    /// Median and 95th percentile member-day.
    pub median: u32,
    /// See `median`.
    pub p95: u32,
}

/// Reads a snapshot's summary; fails as [`Engine::restore`](crate::Engine::restore) would on a
/// damaged snapshot or one of another version.
pub fn describe_state(bytes: &[u8]) -> Result<StateSummary, SnapshotError> {
    let (meta, state) = snapshot::decode(bytes)?;
    let State { clock, counters, users, ips, sessions, learned } = &state;
    let table = |name, t: &TableSnapshot| TableSummary {
        name,
        entries: t.entries.len() as u64,
        evicted: t.evicted,
        bytes: size(t),
    };
    let identity_entries = learned.aliases.len() + learned.grants.len() + learned.created.len();
    let tables = vec![
        table("users", users),
        table("ips", ips),
        table("sessions", sessions),
        TableSummary {
            name: "identity",
            entries: (identity_entries + learned.peers.figures().count()) as u64,
            evicted: 0,
            bytes: size(learned),
        },
        TableSummary { name: "clock", entries: 1, evicted: 0, bytes: size(clock) + size(counters) },
    ];
    // Entries created without an event of their own (an address only counting accounts) have
    // no time.
    let entities = users.entries.iter().chain(&ips.entries).chain(&sessions.entries);
    let entities = entities.filter(|(_, e)| e.total > 0);
    let first = entities.clone().map(|(_, e)| e.first_seen).min();
    let last = entities.map(|(_, e)| e.last_seen).max();
    let users = users
        .entries
        .iter()
        .filter_map(|(login, e)| {
            let p: &Profile = e.profile.as_deref()?;
            let typical =
                |m| p.usual(m).map(|u| Typical { median: u.median, max: u.max, peak_hour: u.peak });
            Some(UserSummary {
                user: login.clone(),
                first_seen: e.first_seen,
                last_seen: e.last_seen,
                days: p.days,
                pages: typical(Metric::Pages),
                exports: typical(Metric::Exports),
                programmatic: typical(Metric::Programmatic),
                privileged_by_audit: learned.grants.contains_key(login),
            })
        })
        .collect();
    let groups = learned
        .peers
        .figures()
        .map(|(group, days, median, p95)| GroupSummary {
            group: group.to_string(),
            member_days: days as u64,
            median,
            p95,
        })
        .collect();
    Ok(StateSummary {
        version: snapshot::VERSION,
        bytes: bytes.len() as u64,
        config: format!("{:016x}", meta.config),
        first,
        last,
        events: counters.events,
        alerts: counters.alerts,
        tables,
        users,
        groups,
    })
}

/// Encoded size of a part of the state, with the snapshot's own encoding.
fn size<T: Serialize>(part: &T) -> u64 {
    postcard::to_allocvec(part).map_or(0, |v| v.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Engine, Format};

    const CONFIG: &str = r#"{"identity":{"users":{"alice":{"team":"eng","role":"dev"}}}}"#;

    fn line(day: u32, hour: u32, user: &str, page: u32) -> String {
        format!(
            "10.0.0.{page} - {user} [{day:02}/Oct/2026:{hour:02}:00:00 +0000] \
             \"GET /display/ENG/Page{page} HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\""
        )
    }

    #[test]
    fn a_summary_tells_what_the_state_learned_and_restoring_keeps_the_bytes() {
        let mut engine = Engine::from_json(CONFIG).expect("config");
        for day in 5..9 {
            for (i, user) in ["alice", "bob"].iter().enumerate() {
                for page in 0..(5 + 3 * i as u32) {
                    let l = line(day, 9 + page % 8, user, page);
                    let _ = engine.push_line(l.as_bytes(), Format::Combined, &mut Vec::new());
                }
            }
        }
        let bytes = engine.snapshot();
        let s = describe_state(&bytes).expect("describe");
        assert_eq!(s.version, snapshot::VERSION);
        assert_eq!(s.bytes, bytes.len() as u64);
        assert_eq!(s.config, engine.config_fingerprint());
        assert_eq!(s.events, 4 * 13);
        let names: Vec<_> = s.tables.iter().map(|t| t.name).collect();
        assert_eq!(names, ["users", "ips", "sessions", "identity", "clock"]);
        assert_eq!(s.tables[0].entries, 2);
        assert!(s.tables.iter().map(|t| t.bytes).sum::<u64>() < s.bytes);
        let alice = s.users.iter().find(|u| u.user == "alice").expect("alice");
        assert_eq!(alice.days, 3, "three closed days; the fourth is today");
        assert_eq!(alice.pages.map(|p| p.median), Some(5));
        let bob = s.users.iter().find(|u| u.user == "bob").expect("bob");
        assert_eq!(bob.pages.map(|p| p.max), Some(8));
        assert!(s.groups.iter().any(|g| g.group.contains("eng")), "{:?}", s.groups);
        assert_eq!(s.first.map(crate::alert::format_time).as_deref(), Some("2026-10-05T09:00:00Z"));

        let config = Config::from_json(CONFIG).expect("config");
        let restored = Engine::restore(config, &bytes).expect("restore");
        assert!(restored.snapshot() == bytes, "restore then snapshot gives the same bytes");
        let other = Engine::from_json("{}").expect("default");
        assert_ne!(other.config_fingerprint(), s.config, "another config, another fingerprint");
        assert!(describe_state(&bytes[..bytes.len() - 1]).is_err(), "a damaged state is refused");
    }
}
