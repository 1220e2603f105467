//! `programmatic-agent`: scripts, HTTP libraries and empty agents reading content.
//!
//! A steady small integration stays low; volume, breadth, or a browser account switching to a
//! script raise it.

use super::check::{tiered, Ctx, Finding, Rule};
use crate::alert::{EntityKind, Severity};
use crate::classify::AgentKind;
use crate::rules::RuleId;

pub(crate) struct ProgrammaticAgent;

impl Rule for ProgrammaticAgent {
    fn id(&self) -> RuleId {
        RuleId::ProgrammaticAgent
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Session
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        let v = cx.view;
        if v.agent_kind == AgentKind::Browser && v.kind.is_content_read() {
            return bare_browser(cx);
        }
        if !(v.agent_kind.is_programmatic() && v.kind.is_content_read()) {
            return None;
        }
        let count = u64::from(cx.state.programmatic.count);
        if count < cx.threshold {
            return None;
        }
        let mut severity = tiered(count, cx.threshold.saturating_mul(2), cx.params.severity);
        let switched = cx.kind == EntityKind::User && cx.state.saw_browser;
        if switched || v.agent_kind == AgentKind::AttackTool {
            severity = severity.max(Severity::Medium);
        }
        if cx.state.enumeration.pages.estimate() >= cx.threshold.saturating_mul(5) {
            severity = severity.raised();
        }
        Some(Finding {
            count,
            threshold: cx.threshold,
            severity,
            window_start: cx.state.programmatic.start,
            stage: u8::from(switched),
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        let v = cx.view;
        if f.stage == BARE_BROWSER {
            return format!(
                "read {} pages within {} with a browser agent but none of a browser's static \
                 resources or background calls",
                f.count, cx.params.window
            );
        }
        let agent = if v.agent.is_empty() { "no" } else { v.agent_kind.as_str() };
        let note = if f.stage > 0 { " after using a browser" } else { "" };
        format!(
            "read content {} times with {agent} agent{note} within {}",
            f.count, cx.params.window
        )
    }
}

/// The stage of a finding on a browser agent that does not behave like a browser.
const BARE_BROWSER: u8 = 2;

/// A script that claims to be a browser: pages only, not one of the static resources and
/// background calls a browser makes with every page.
fn bare_browser(cx: &Ctx<'_, '_>) -> Option<Finding> {
    let s = cx.state;
    let pages = u64::from(s.browser_pages.count);
    if pages < cx.threshold || s.browser_assets > 0 {
        return None;
    }
    Some(Finding {
        count: pages,
        threshold: cx.threshold,
        severity: tiered(pages, cx.threshold, cx.params.severity.max(Severity::Medium)),
        window_start: s.browser_pages.start,
        stage: BARE_BROWSER,
    })
}
