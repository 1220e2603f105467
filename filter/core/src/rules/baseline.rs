//! `baseline-deviation`: a user's day so far against what is normal for them. Judged as the day
//! goes (the running count passes what the baseline allows), on three daily metrics: pages
//! read, exports and downloads, pages read by script. The baseline is the user's own last
//! fourteen active days once `warmup_days` of them exist, before that their team's or role's
//! member-days (a new hire is judged against colleagues, not against nothing).
//!
//! Allowed today: the largest of `factor` times the median day, twice the busiest day (or the
//! group's 95th percentile), and a floor per metric; multiplied by how far the whole team is
//! above its usual day (a release day is not one person's deviation). Work at an hour the
//! account never worked before, or mostly in spaces it never read, raises the severity.

use super::check::{Ctx, Finding, Rule};
use crate::alert::{EntityKind, Severity};
use crate::profile::{Metric, Profile};
use crate::rules::RuleId;

pub(crate) struct BaselineDeviation;

/// A team more than this far above its usual day scales everyone's allowance.
const SURGE: f64 = 1.5;

/// What one metric was judged against.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    metric: Metric,
    today: u64,
    allowed: u64,
    /// (median, busiest day, days) of the user's own history, or `None` for the group's.
    own: Option<(u32, u32, u8)>,
    unusual_hour: bool,
    new_spaces: bool,
}

/// The lowest allowance of a metric, from the rule's threshold (pages per day).
fn floor(metric: Metric, threshold: u64) -> u64 {
    match metric {
        Metric::Pages => threshold,
        Metric::Exports => (threshold / 4).max(5),
        Metric::Programmatic => threshold.saturating_mul(2),
    }
}

fn verdict(cx: &Ctx<'_, '_>, prof: &Profile) -> Option<Verdict> {
    let p = cx.params;
    let surge = cx.peer.map_or(1.0, |g| g.surge).max(1.0);
    let scale = if surge > SURGE { surge } else { 1.0 };
    let mut worst: Option<(f64, Verdict)> = None;
    for metric in Metric::ALL {
        let today = u64::from(prof.today[metric as usize]);
        if today == 0 {
            continue;
        }
        let own = prof.usual(metric).filter(|u| u64::from(u.days) >= p.warmup_days);
        let (median, high) = match (own, metric, cx.peer) {
            (Some(u), ..) => (u64::from(u.median), 2 * u64::from(u.max)),
            (None, Metric::Pages, Some(g)) => (u64::from(g.median), 2 * u64::from(g.p95)),
            _ => continue,
        };
        let base = ((median as f64 * p.factor) as u64).max(high).max(floor(metric, cx.threshold));
        let allowed = (base as f64 * scale).ceil() as u64;
        let ratio = today as f64 / allowed.max(1) as f64;
        if today > allowed && worst.is_none_or(|(r, _)| ratio > r) {
            let pages = u64::from(prof.today[Metric::Pages as usize]);
            let v = Verdict {
                metric,
                today,
                allowed,
                own: own.map(|u| (u.median, u.max, u.days)),
                unusual_hour: own.is_some() && prof.unusual_hour(cx.view.time),
                new_spaces: own.is_some()
                    && pages > 0
                    && 2 * u64::from(prof.new_space_reads) > pages,
            };
            worst = Some((ratio, v));
        }
    }
    worst.map(|(_, v)| v)
}

impl Rule for BaselineDeviation {
    fn id(&self) -> RuleId {
        RuleId::BaselineDeviation
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind == EntityKind::User
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        let prof = cx.state.profile.as_deref()?;
        let v = verdict(cx, prof)?;
        let mut severity = cx.params.severity;
        if v.today >= v.allowed.saturating_mul(3) {
            severity = severity.raised();
        }
        if v.unusual_hour {
            severity = severity.raised();
        }
        if v.new_spaces {
            severity = severity.raised();
        }
        if cx.peer.is_some_and(|g| g.shared) {
            // Most of the team is past twice its usual day too: a shared busy day.
            severity = severity.lowered();
        }
        Some(Finding {
            count: v.today,
            threshold: v.allowed,
            severity: severity.min(Severity::Critical),
            window_start: prof.day_start,
            stage: v.metric as u8,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        let Some(v) = cx.state.profile.as_deref().and_then(|p| verdict(cx, p)) else {
            return format!("read {} items today", f.count);
        };
        let basis = match (v.own, cx.peer) {
            (Some((median, max, days)), _) => {
                format!("own median {median} a day, busiest {max} over {days} days")
            }
            (None, Some(g)) => {
                format!(
                    "no history of their own; {} median {} a day (p95 {})",
                    g.name, g.median, g.p95
                )
            }
            (None, None) => String::new(),
        };
        let mut notes = String::new();
        if v.unusual_hour {
            notes.push_str(", at an hour they never worked before");
        }
        if v.new_spaces {
            notes.push_str(", mostly in spaces they never read before");
        }
        if let Some(g) = cx.peer.filter(|g| g.surge > SURGE) {
            notes.push_str(&format!(", while {} is at {:.1}x its usual day", g.name, g.surge));
        }
        if let Some(g) = cx.peer.filter(|g| g.shared) {
            notes.push_str(&format!(", while most of {} is past twice its usual day", g.name));
        }
        format!(
            "{} {} today ({basis}; allowed {}){notes}",
            match v.metric {
                Metric::Exports => "made",
                _ => "read",
            },
            format_args!("{} {}", v.today, v.metric.noun()),
            v.allowed
        )
    }
}
