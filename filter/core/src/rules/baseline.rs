//! `baseline-deviation`: a user's activity against what is normal for them, judged as the day
//! goes on three metrics (pages read, exports and downloads, pages read by script) and on two
//! horizons: the day so far, and the last hour.
//!
//! The day: allowed is the largest of `factor` times the user's median day, twice their busiest
//! day and a floor per metric. Their own last fourteen active days count once `warmup_days` of
//! them exist; before that their team's or role's member-days do (a new hire is judged against
//! colleagues, not against nothing). Each page the account edits today allows three more page
//! reads: a writer reviewing a space reads around what they change; a scraper changes nothing.
//!
//! The hour (the pace, for accounts with history): exports and scripted reads may reach four
//! times the user's busiest hour of those days or a small floor, whichever is larger. Out of
//! the account's usual context its busiest hour says nothing and half the floor is allowed, for
//! pages too: from an address new to it, mostly in spaces it never read or at an hour of the
//! day it never worked; for a privileged account, at such an hour from anywhere. A first script, a first run of exports, a
//! stolen account or an administrator's night shows within minutes. Pages read at a person's
//! usual hours and places are judged by the day: people have busy hours, and an insider who
//! reads all day at a human pace shows in the day's count.
//!
//! Both allowances are multiplied by how far the whole team is above its usual running total at
//! this time of day (a release day is not one person's deviation). Work at an hour the account
//! never worked before, or mostly in spaces it never read, raises the severity; a busy day most
//! of the team shares lowers it.

use super::check::{Ctx, Finding, Rule};
use crate::alert::{EntityKind, Severity};
use crate::band::Band;
use crate::pace::NEW_SPACE;
use crate::peers::PeerView;
use crate::profile::{Metric, Profile, Usual};
use crate::rules::{Params, RuleId};

pub(crate) struct BaselineDeviation;

/// A team more than this far above its usual running total scales everyone's allowance.
const SURGE: f64 = 1.5;

/// What one metric was judged against.
#[derive(Debug, Clone, Copy)]
struct Verdict {
    metric: Metric,
    /// Judged on the last hour, not the day so far.
    pace: bool,
    observed: u64,
    allowed: u64,
    /// The user's own history, or `None` when the group's member-days were the baseline.
    own: Option<Usual>,
    unusual_hour: bool,
    new_spaces: bool,
    new_address: bool,
    /// The pace was judged out of the account's usual context.
    out_of_context: bool,
}

/// The lowest daily allowance of a metric, from the rule's threshold (pages per day).
fn day_floor(metric: Metric, threshold: u64) -> u64 {
    match metric {
        Metric::Pages => threshold,
        Metric::Exports => (threshold / 4).max(5),
        Metric::Programmatic => threshold.saturating_mul(2),
    }
}

/// The lowest hourly allowance of a metric: a third of the daily page threshold in pages, a
/// handful of exports or scripted reads; half of it out of the account's usual context.
fn hour_floor(metric: Metric, threshold: u64, unusual: bool) -> u64 {
    let floor = match metric {
        Metric::Pages => threshold / 3,
        Metric::Exports => (threshold / 12).max(5),
        Metric::Programmatic => (threshold / 10).max(3),
    };
    if unusual {
        (floor / 2).max(3)
    } else {
        floor
    }
}

/// A surging team widens everyone's allowance by its surge.
fn scale(allowed: u64, peer: Option<&PeerView<'_>>) -> u64 {
    let surge = peer.map_or(1.0, |g| g.surge).max(1.0);
    if surge > SURGE {
        (allowed as f64 * surge).ceil() as u64
    } else {
        allowed
    }
}

/// The day criterion of one metric: the usual day, what is allowed today (surge included),
/// and the user's own history when that is the basis. `None` without a basis.
fn day_allowance(
    metric: Metric,
    prof: &Profile,
    p: &Params,
    threshold: u64,
    peer: Option<&PeerView<'_>>,
) -> Option<(u64, u64, Option<Usual>)> {
    let own = prof.usual(metric).filter(|u| u64::from(u.days) >= p.warmup_days);
    let (median, high) = match (own, metric, peer) {
        (Some(u), ..) => (u64::from(u.median), 2 * u64::from(u.max)),
        (None, Metric::Pages, Some(g)) => (u64::from(g.median), 2 * u64::from(g.p95)),
        _ => return None,
    };
    let mut day = ((median as f64 * p.factor) as u64).max(high).max(day_floor(metric, threshold));
    if metric == Metric::Pages {
        day = day.saturating_add(3 * u64::from(prof.edits));
    }
    Some((median, scale(day, peer), own))
}

/// The user's bands now, as the day criterion judges them (see [`Band`]).
pub(crate) fn bands(
    prof: &Profile,
    p: &Params,
    threshold: u64,
    peer: Option<&PeerView<'_>>,
) -> Vec<Band> {
    Metric::ALL
        .into_iter()
        .filter_map(|metric| {
            let (usual, allowed, own) = day_allowance(metric, prof, p, threshold, peer)?;
            Some(Band {
                metric: metric.key(),
                today: u64::from(prof.today[metric as usize]),
                usual,
                allowed,
                basis: match (own, peer) {
                    (None, Some(g)) => g.name.to_string(),
                    _ => "own".into(),
                },
                days: own.map_or(0, |u| u.days),
            })
        })
        .collect()
}

fn verdict(cx: &Ctx<'_, '_>, prof: &Profile) -> Option<Verdict> {
    let p = cx.params;
    let now = cx.view.time;
    let pages = u64::from(prof.today[Metric::Pages as usize]);
    let history = prof.days > 0;
    let unusual_hour = history && prof.unusual_hour(now);
    let new_spaces = history && pages > 0 && 2 * u64::from(prof.new_space_reads) > pages;
    let new_address = history && cx.view.ip_hash.is_some_and(|ip| prof.new_address(ip));
    // Only read with a history (through `new_address` and `own` below).
    let hour_new_spaces = history && {
        let hour_pages = prof.pace.at(Metric::Pages as usize, now);
        2 * prof.pace.at(NEW_SPACE, now) > hour_pages && hour_pages > 0
    };
    let out_of_context =
        (cx.privileged && unusual_hour) || (new_address && (hour_new_spaces || unusual_hour));
    let mut worst: Option<(f64, Verdict)> = None;
    for metric in Metric::ALL {
        let today = u64::from(prof.today[metric as usize]);
        if today == 0 {
            continue;
        }
        let Some((_, day, own)) = day_allowance(metric, prof, p, cx.threshold, cx.peer.as_ref())
        else {
            continue;
        };
        let in_context_pages = metric == Metric::Pages && !out_of_context;
        let hour = own.filter(|_| !in_context_pages).map(|u| {
            let floor = hour_floor(metric, cx.threshold, out_of_context);
            let usual = if out_of_context { 0 } else { 4 * u64::from(u.peak) };
            (
                true,
                u64::from(prof.pace.at(metric as usize, now)),
                scale(usual.max(floor), cx.peer.as_ref()),
            )
        });
        let day = Some((false, today, day));
        for (pace, observed, allowed) in [day, hour].into_iter().flatten() {
            let ratio = observed as f64 / allowed.max(1) as f64;
            if observed > allowed && worst.is_none_or(|(r, _)| ratio > r) {
                let v = Verdict {
                    metric,
                    pace,
                    observed,
                    allowed,
                    own,
                    unusual_hour: own.is_some() && unusual_hour,
                    new_spaces: own.is_some() && (new_spaces || (pace && hour_new_spaces)),
                    new_address: own.is_some() && new_address,
                    out_of_context,
                };
                worst = Some((ratio, v));
            }
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
        if v.observed >= v.allowed.saturating_mul(3) {
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
            count: v.observed,
            threshold: v.allowed,
            severity: severity.min(Severity::Critical),
            window_start: prof.day_start,
            // Each metric is its own kind of evidence; the day and the hour of one metric are
            // the same kind, so the day's count after an hourly line adds one only if worse.
            stage: v.metric as u8,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        let Some(v) = cx.state.profile.as_deref().and_then(|p| verdict(cx, p)) else {
            return format!("read {} items today", f.count);
        };
        let basis = match (v.own, cx.peer) {
            (Some(u), _) if v.pace && v.out_of_context => {
                format!("out of their usual hours or places; own busiest hour {}", u.peak)
            }
            (Some(u), _) if v.pace => {
                format!("own busiest hour {} over {} days", u.peak, u.days)
            }
            (Some(u), _) => {
                format!("own median {} a day, busiest {} over {} days", u.median, u.max, u.days)
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
        if v.new_address {
            notes.push_str(", from an address they never used before");
        }
        if let Some(g) = cx.peer.filter(|g| g.surge > SURGE) {
            let at = format!("{:.1}x its usual total by this time of day", g.surge);
            notes.push_str(&format!(", while {} is at {at}", g.name));
        }
        if let Some(g) = cx.peer.filter(|g| g.shared) {
            notes.push_str(&format!(", while most of {} is past twice its usual day", g.name));
        }
        format!(
            "{} {} {} ({basis}; allowed {}){notes}",
            match v.metric {
                Metric::Exports => "made",
                _ => "read",
            },
            format_args!("{} {}", v.observed, v.metric.noun()),
            if v.pace { "in the last hour" } else { "today" },
            v.allowed
        )
    }
}
