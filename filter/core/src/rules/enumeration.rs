//! `mass-enumeration`: distinct pages, distinct spaces and pagination walks per window.
//!
//! Fires on breadth, not rate, so a slow crawl that never bursts is still caught.

use super::check::{tiered, Ctx, Finding, Rule};
use crate::alert::EntityKind;
use crate::rules::RuleId;
use crate::sketch::LinearCounter;

pub(crate) struct MassEnumeration;

impl Rule for MassEnumeration {
    fn id(&self) -> RuleId {
        RuleId::MassEnumeration
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Session
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        if !cx.view.kind.is_content_read() {
            return None;
        }
        let e = &cx.state.enumeration;
        let steps = u64::from(e.pagination);
        let p = cx.params;
        let by_steps = steps >= p.pagination_threshold;
        // Every content read in the window is counted, and only they insert pages: when even
        // that many distinct pages would be too few for either page criterion below, counting
        // the sketch's bits (on every read of every entity) can be skipped.
        if !by_steps && LinearCounter::most(e.window.count) < cx.threshold / 4 {
            return None;
        }
        let pages = e.pages.estimate();
        let spaces = e.spaces.estimate();
        let by_pages = pages >= cx.threshold;
        // Many spaces with a fair number of pages: a crawler walks the whole wiki, people do not.
        let by_spaces = spaces >= p.space_threshold && pages >= cx.threshold / 4;
        if !(by_pages || by_spaces || by_steps) {
            return None;
        }
        // Report the criterion that fired, against its own threshold.
        let (count, threshold) = if by_pages {
            (pages, cx.threshold)
        } else if by_spaces {
            (spaces, p.space_threshold)
        } else {
            (steps, p.pagination_threshold)
        };
        let mut severity = tiered(count, threshold, p.severity);
        if (by_pages as u8 + by_spaces as u8 + by_steps as u8) >= 2 {
            severity = severity.max(p.severity.raised());
        }
        Some(Finding { count, threshold, severity, window_start: e.window.start, stage: 0 })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, _: &Finding) -> String {
        let e = &cx.state.enumeration;
        format!(
            "read {} distinct pages in {} spaces ({} pagination steps) within {}",
            e.pages.estimate(),
            e.spaces.estimate(),
            e.pagination,
            cx.params.window
        )
    }
}
