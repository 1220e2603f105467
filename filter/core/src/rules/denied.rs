//! `access-denied-probing`: many 401/403/404 answers on content paths.

use super::check::{tiered, Ctx, Finding, Rule};
use crate::alert::EntityKind;
use crate::rules::RuleId;

pub(crate) struct AccessDeniedProbing;

impl Rule for AccessDeniedProbing {
    fn id(&self) -> RuleId {
        RuleId::AccessDeniedProbing
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Session
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        if !matches!(cx.view.status, 401 | 403 | 404) || !cx.view.kind.is_content_read() {
            return None;
        }
        let count = u64::from(cx.state.denied.count);
        (count >= cx.threshold).then(|| Finding {
            count,
            threshold: cx.threshold,
            severity: tiered(count, cx.threshold, cx.params.severity),
            window_start: cx.state.denied.start,
            stage: 0,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        format!("got {} denied or missing answers on content within {}", f.count, cx.params.window)
    }
}
