//! The verdicts: each AN1019 facet judged from what was counted, with the rules that need it
//! and the Confluence setting that brings it back.

use super::advice as fix;
use super::report::{Check, Facet, Input, Verdict};
use super::tally::{Tally, UserForm};
use wikiwatch_core::{Config, RequestKind as K, RuleId};

const DAY_MS: f64 = 86_400_000.0;
/// History a user's baseline needs (14 active days, learned over about a month).
const BASELINE_DAYS: f64 = 30.0;
/// History an investigation needs.
const INVESTIGATION_DAYS: f64 = 90.0;

/// What the verdicts need besides the counts.
pub struct Context<'a> {
    pub config: &'a Config,
    /// Privileged accounts known: (login, `config` or `audit`).
    pub privileged: Vec<(String, &'static str)>,
}

fn pct(n: u64, of: u64) -> String {
    if of == 0 {
        return "0%".into();
    }
    let tenths = n * 1000 / of;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

struct Checks<'a> {
    config: &'a Config,
    out: Vec<Check>,
}

impl Checks<'_> {
    fn add(
        &mut self,
        check: &'static str,
        verdict: Verdict,
        evidence: String,
        fix: Option<String>,
        rules: &[RuleId],
    ) {
        let needed_by =
            rules.iter().filter(|r| self.config.params(**r).enabled).map(|r| r.as_str()).collect();
        let fix = if verdict == Verdict::Covered { None } else { fix };
        self.out.push(Check { check, verdict, evidence, fix, needed_by });
    }

    fn facet(self, name: &'static str) -> Facet {
        Facet::new(name, self.out)
    }
}

/// Every facet, in the order AN1019 asks.
pub fn facets(t: &Tally, inputs: &[Input], ctx: &Context<'_>) -> Vec<Facet> {
    let new = || Checks { config: ctx.config, out: Vec::new() };
    vec![
        who(t, new()),
        where_from(t, new()),
        with_what(t, new()),
        what(t, new()),
        when(t, inputs, new()),
        identity(t, ctx, new()),
    ]
}

fn who(t: &Tally, mut c: Checks<'_>) -> Facet {
    let forms = t.user_forms();
    let named =
        forms.iter().map(|(f, n)| format!("{n} {}", f.as_str())).collect::<Vec<_>>().join(", ");
    // Audit records always name an account: the access log is where users go missing.
    let (named_events, of, what) = if t.access > 0 {
        (t.access_with_user, t.access, "access events")
    } else {
        (t.with_user, t.events, "events")
    };
    let evidence = format!(
        "{named_events} of {of} {what} name a user ({} anonymous); {} distinct users{}",
        pct(of - named_events, of),
        t.users.len(),
        if named.is_empty() { String::new() } else { format!(": {named}") }
    );
    let addresses = forms.get(&UserForm::Address).copied().unwrap_or(0);
    let (verdict, advice) = if named_events == 0 {
        (Verdict::Missing, fix::USER_MISSING.to_string())
    } else if addresses > 0 {
        (Verdict::Partial, format!("{}{}`.", fix::USER_IS_ADDRESS, fix::PATTERN_WITH_CLIENT))
    } else if named_events * 2 < of {
        (Verdict::Partial, fix::USER_FEW.to_string())
    } else {
        (Verdict::Covered, String::new())
    };
    use RuleId as R;
    let rules = [R::BaselineDeviation, R::SessionAnomaly, R::SharedAddress];
    c.add("user", verdict, evidence, Some(advice), &rules);
    c.facet("who")
}

fn where_from(t: &Tally, mut c: Checks<'_>) -> Facet {
    let mut top: Vec<(&String, &u64)> = t.addresses.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let shown = top
        .iter()
        .take(3)
        .map(|(a, n)| format!("{a} {}", pct(**n, t.with_client)))
        .collect::<Vec<_>>()
        .join(", ");
    let users_on = |a: &str| t.address_users.get(a).map_or(0, |s| s.len());
    let evidence = format!(
        "{} of {} access events have a client address; {} distinct addresses{}",
        t.access_with_client,
        t.access,
        t.addresses.len(),
        if shown.is_empty() { String::new() } else { format!(", most: {shown}") }
    );
    let pattern = fix::PATTERN_WITH_CLIENT;
    let (verdict, advice) = if t.with_client == 0 {
        (Verdict::Missing, format!("{}{pattern}`.", fix::ADDRESS_MISSING))
    } else if t.addresses.len() <= 2 && t.users.len() >= 3 {
        let advice = format!("{}{pattern}{}", fix::ADDRESS_PROXY, fix::ADDRESS_PROXY_TAIL);
        (Verdict::Missing, advice)
    } else if top.first().is_some_and(|(a, n)| **n * 2 > t.with_client && users_on(a) >= 3) {
        (Verdict::Partial, format!("{}{pattern}`.", fix::ADDRESS_SHARED))
    } else {
        (Verdict::Covered, String::new())
    };
    let rules = [RuleId::SharedAddress, RuleId::SessionAnomaly];
    c.add("client-address", verdict, evidence, Some(advice), &rules);
    c.facet("where-from")
}

fn with_what(t: &Tally, mut c: Checks<'_>) -> Facet {
    let kinds =
        t.agent_kinds.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
    let evidence = format!(
        "{} of {} access events have a User-Agent; {} distinct agents ({kinds})",
        t.access_with_agent,
        t.access,
        t.agents.len()
    );
    let (verdict, advice) = if t.access > 0 && t.access_with_agent == 0 {
        (Verdict::Missing, fix::AGENT_MISSING)
    } else if t.access_with_agent * 2 < t.access {
        (Verdict::Partial, fix::AGENT_FEW)
    } else if t.access == 0 {
        (Verdict::Missing, fix::AGENT_MISSING)
    } else {
        (Verdict::Covered, "")
    };
    c.add("user-agent", verdict, evidence, Some(advice.into()), &[RuleId::ProgrammaticAgent]);
    let evidence = format!(
        "{} of {} access events have a session; {} distinct sessions",
        t.access_with_session,
        t.access,
        t.sessions.len()
    );
    let verdict = if t.access_with_session == 0 {
        Verdict::Missing
    } else if t.access_with_session * 2 < t.access {
        Verdict::Partial
    } else {
        Verdict::Covered
    };
    c.add(
        "session",
        verdict,
        evidence,
        Some(fix::SESSION_MISSING.into()),
        &[RuleId::SessionAnomaly],
    );
    c.facet("with-what")
}

fn seen(n: u64, what: &str) -> (Verdict, String) {
    let verdict = if n > 0 { Verdict::Covered } else { Verdict::Missing };
    (verdict, format!("{n} {what}"))
}

fn what(t: &Tally, mut c: Checks<'_>) -> Facet {
    use RuleId as R;
    let (v, e) = seen(t.kind(K::PageView), "page views");
    c.add("page-views", v, e, Some(fix::PAGE_VIEWS_MISSING.into()), &[R::MassEnumeration]);
    let api = t.kind(K::ApiRead) + t.kind(K::ApiListing);
    let (v, e) = seen(api, "REST API reads and listings");
    c.add("api-reads", v, e, Some(fix::API_MISSING.into()), &[R::ProgrammaticAgent]);
    let (v, e) = seen(t.kind(K::Search), "searches");
    c.add("searches", v, e, Some(fix::SEARCH_MISSING.into()), &[R::SensitiveSearch]);
    let (v, e) = seen(t.kind(K::AttachmentDownload), "attachment downloads");
    c.add("attachment-downloads", v, e, Some(fix::DOWNLOAD_MISSING.into()), &[R::BulkExport]);
    let (pages, spaces) = (t.kind(K::PageExport), t.kind(K::SpaceExport));
    let (v, advice) = match (pages > 0, spaces > 0) {
        (true, true) => (Verdict::Covered, ""),
        (false, false) => (Verdict::Missing, fix::EXPORT_MISSING),
        _ => (Verdict::Partial, fix::EXPORT_SOME),
    };
    let e = format!("{pages} page exports, {spaces} space exports");
    c.add("exports", v, e, Some(advice.into()), &[R::BulkExport, R::SpaceExport]);
    let a = &t.audit;
    let e = format!(
        "{} audit records: {} user management, {} permissions, {} end-user (page views), {} \
         exports and imports, {} security, {} other",
        t.audit_records,
        a.user_management,
        a.permissions,
        a.page_views,
        a.exports,
        a.security,
        a.other
    );
    let (v, advice) = if t.audit_records == 0 {
        (Verdict::Missing, fix::AUDIT_MISSING)
    } else if a.user_management + a.permissions == 0 {
        (Verdict::Partial, fix::AUDIT_NO_GRANTS)
    } else if a.page_views == 0 {
        (Verdict::Partial, fix::AUDIT_NO_END_USER)
    } else {
        (Verdict::Covered, "")
    };
    c.add("audit", v, e, Some(advice.into()), &[R::PrivilegeChange]);
    let e = format!(
        "{} of {} access events have an HTTP status; {} denied content reads",
        t.with_status, t.access, t.denied
    );
    let v = if t.with_status > 0 { Verdict::Covered } else { Verdict::Missing };
    c.add("status", v, e, Some(fix::STATUS_MISSING.into()), &[R::AccessDeniedProbing]);
    c.facet("what")
}

/// Days between the first and last event.
pub fn span_days(t: &Tally) -> f64 {
    match (t.all.first, t.all.last) {
        (Some(f), Some(l)) => (l - f) as f64 / DAY_MS,
        _ => 0.0,
    }
}

fn when(t: &Tally, inputs: &[Input], mut c: Checks<'_>) -> Facet {
    let days = span_days(t);
    let span = format!(
        "{days:.1} days, {} to {}",
        t.all.first.map(wikiwatch_core::alert::format_time).unwrap_or_else(|| "-".into()),
        t.all.last.map(wikiwatch_core::alert::format_time).unwrap_or_else(|| "-".into())
    );
    let by = |need: f64, half: f64| {
        if days >= need {
            Verdict::Covered
        } else if days >= half {
            Verdict::Partial
        } else {
            Verdict::Missing
        }
    };
    let e = format!("{span}; a baseline needs {BASELINE_DAYS} days");
    let v = by(BASELINE_DAYS, 14.0);
    c.add("retention-baselines", v, e, Some(fix::RETENTION.into()), &[RuleId::BaselineDeviation]);
    let e = format!("{span}; an investigation needs {INVESTIGATION_DAYS} days");
    let v = by(INVESTIGATION_DAYS, BASELINE_DAYS);
    c.add("retention-investigations", v, e, Some(fix::RETENTION.into()), &[]);
    let gaps: Vec<String> = inputs
        .iter()
        .flat_map(|i| {
            i.gaps
                .iter()
                .map(move |g| format!("{}: {} to {} ({} h)", i.input, g.from, g.to, g.hours))
        })
        .collect();
    let e = if gaps.is_empty() {
        "no stretch without events".to_string()
    } else {
        let more = gaps.len().saturating_sub(5);
        let mut e =
            format!("{} without events: {}", gaps.len(), gaps[..gaps.len().min(5)].join("; "));
        if more > 0 {
            e.push_str(&format!("; {more} more"));
        }
        e
    };
    let v = if gaps.is_empty() { Verdict::Covered } else { Verdict::Partial };
    c.add("gaps", v, e, Some(fix::GAPS.into()), &[]);
    let (late, future): (u64, u64) =
        inputs.iter().fold((0, 0), |(l, f), i| (l + i.out_of_order, f + i.future));
    let per = inputs
        .iter()
        .filter(|i| i.out_of_order + i.future > 0)
        .map(|i| format!("{}: {} out of order, {} ahead", i.input, i.out_of_order, i.future))
        .collect::<Vec<_>>()
        .join("; ");
    let e = if per.is_empty() {
        "no event out of order or dated ahead of its source".to_string()
    } else {
        per
    };
    let v = if late + future == 0 { Verdict::Covered } else { Verdict::Partial };
    c.add("clock", v, e, Some(fix::CLOCK.into()), &[]);
    c.facet("when")
}

fn identity(t: &Tally, ctx: &Context<'_>, mut c: Checks<'_>) -> Facet {
    let names = |from: &str| {
        ctx.privileged
            .iter()
            .filter(|(_, s)| *s == from)
            .map(|(u, _)| u.as_str())
            .collect::<Vec<_>>()
    };
    let (config, audit) = (names("config"), names("audit"));
    let list = |v: &[&str]| {
        let mut s = v.iter().take(5).copied().collect::<Vec<_>>().join(", ");
        if v.len() > 5 {
            s.push_str(&format!(", {} more", v.len() - 5));
        }
        s
    };
    let e = format!(
        "{} privileged accounts from the config ({}), {} learned from audit records ({})",
        config.len(),
        list(&config),
        audit.len(),
        list(&audit)
    );
    let v = if ctx.privileged.is_empty() { Verdict::Missing } else { Verdict::Covered };
    c.add("privileged-accounts", v, e, Some(fix::PRIVILEGED_MISSING.into()), &[]);
    let users = &ctx.config.identity.users;
    let placed = t
        .users
        .keys()
        .filter(|u| users.get(*u).is_some_and(|i| i.team.is_some() || i.role.is_some()))
        .count();
    let e = format!("{placed} of {} users seen have a team or role in the config", t.users.len());
    let v = if t.users.is_empty() || placed == t.users.len() {
        Verdict::Covered
    } else if placed > 0 {
        Verdict::Partial
    } else {
        Verdict::Missing
    };
    c.add("teams-and-roles", v, e, Some(fix::ROLES_MISSING.into()), &[]);
    c.facet("identity")
}
