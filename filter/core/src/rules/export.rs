//! `bulk-export` (page exports, attachment downloads) and `space-export` (whole spaces).

use super::check::{tiered, Ctx, Finding, Rule};
use crate::alert::{EntityKind, Severity};
use crate::classify::RequestKind;
use crate::rules::RuleId;

pub(crate) struct BulkExport;

impl Rule for BulkExport {
    fn id(&self) -> RuleId {
        RuleId::BulkExport
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Session
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        if cx.view.export_weight == 0 || cx.view.kind == RequestKind::SpaceExport {
            return None;
        }
        let count = u64::from(cx.state.exports.count);
        (count >= cx.threshold).then(|| Finding {
            count,
            threshold: cx.threshold,
            severity: tiered(count, cx.threshold, cx.params.severity),
            window_start: cx.state.exports.start,
            stage: 0,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        format!(
            "exported or downloaded {} pages and attachments within {}",
            f.count, cx.params.window
        )
    }
}

pub(crate) struct SpaceExport;

impl Rule for SpaceExport {
    fn id(&self) -> RuleId {
        RuleId::SpaceExport
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Session
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        if cx.view.kind != RequestKind::SpaceExport {
            return None;
        }
        let count = u64::from(cx.state.space_exports.count);
        if count < cx.threshold {
            return None;
        }
        // Any space export outside an allow entry is at least high; several are critical.
        let mut severity = cx.params.severity.max(Severity::High);
        if count >= 3 {
            severity = Severity::Critical;
        }
        Some(Finding {
            count,
            threshold: cx.threshold,
            severity,
            window_start: cx.state.space_exports.start,
            stage: 0,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        let space = cx.view.space.map(|s| format!(" (last: {s})")).unwrap_or_default();
        format!("exported {} whole spaces within {}{space}", f.count, cx.params.window)
    }
}
