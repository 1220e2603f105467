//! One page, one identity: Confluence names a page by id (`?pageId=216065`,
//! `/rest/api/content/216065`) and by space and title (`/display/QA/Page+216065`). The core's
//! event does not carry the Referer the access log has (the decoders read past it), so the two
//! spellings are joined only where the session shows it: a browser that
//! loads `/display/KEY/Title` asks for the page's likes, comments or highlights by id within
//! seconds, in the same session. Anything not joined that way is counted as logged, and the
//! report says counts may include both spellings.

use crate::gather::Seen;
use std::collections::BTreeMap;
use wikiwatch_core::RequestKind;

/// How long after a title-form view a background call by id still belongs to it.
const LINK_MS: i64 = 60_000;
/// Sessions whose last title-form view is remembered.
const MAX_SESSIONS: usize = 10_000;
/// Title-to-id links kept.
const MAX_LINKS: usize = 100_000;
/// Spellings listed per merged page.
const MAX_SPELLINGS: usize = 4;

/// Joins title-form and id-form page names seen in one session.
#[derive(Debug, Default, Clone)]
pub struct PageIds {
    last_title: BTreeMap<String, (i64, String)>,
    links: BTreeMap<String, String>,
}

/// Whether a page name is the `KEY/Title` spelling (not an id, not a tiny link `x/CODE`).
pub fn is_title(page: &str) -> bool {
    page.contains('/') && !page.starts_with("x/")
}

/// The page id a background call names: `/rest/likes/1.0/content/ID/...`, `containerId=ID`,
/// `pageId=ID`.
pub fn page_id_in(target: &str) -> Option<&str> {
    let after = |marker: &str| {
        let i = target.find(marker)? + marker.len();
        let rest = &target[i..];
        let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    };
    after("/content/").or_else(|| after("containerId=")).or_else(|| after("pageId="))
}

impl PageIds {
    /// Takes note of one request of a session (`page` as the classifier names it).
    pub fn observe(
        &mut self,
        session: Option<&str>,
        time_ms: i64,
        kind: RequestKind,
        page: Option<&str>,
        target: &str,
    ) {
        let Some(session) = session else { return };
        if kind == RequestKind::PageView {
            if let Some(p) = page.filter(|p| is_title(p)) {
                if self.last_title.len() < MAX_SESSIONS || self.last_title.contains_key(session) {
                    self.last_title.insert(session.to_string(), (time_ms, p.to_string()));
                }
                return;
            }
        }
        // Only the page's own background calls join: a content read by id right after a
        // title view may be a different page.
        if kind.is_content_read() {
            return;
        }
        let Some(id) = page_id_in(target) else { return };
        let Some((t0, _)) = self.last_title.get(session) else { return };
        if time_ms < *t0 || time_ms - t0 > LINK_MS {
            return;
        }
        if let Some((_, title)) = self.last_title.remove(session) {
            if self.links.len() < MAX_LINKS || self.links.contains_key(&title) {
                self.links.entry(title).or_insert_with(|| id.to_string());
            }
        }
    }

    /// The id a title-form name was joined to.
    pub fn id_of(&self, title: &str) -> Option<&str> {
        self.links.get(title).map(String::as_str)
    }

    /// Pages merged by identity: each row under its id when known, with the spellings seen;
    /// and whether some counts may still include both spellings of one page (a title never
    /// joined to an id while pages were also read by id).
    pub fn merge(&self, pages: &BTreeMap<String, Seen>) -> (BTreeMap<String, PageRow>, bool) {
        let mut out: BTreeMap<String, PageRow> = BTreeMap::new();
        let (mut loose_title, mut by_id) = (false, false);
        for (name, seen) in pages {
            let id = if is_title(name) { self.id_of(name) } else { None };
            match (is_title(name), id) {
                (true, None) => loose_title = true,
                (false, _) => by_id = true,
                _ => {}
            }
            let row = out.entry(id.unwrap_or(name).to_string()).or_default();
            row.seen.merge(seen);
            if row.spellings.len() < MAX_SPELLINGS {
                row.spellings.push(name.clone());
            }
        }
        (out, loose_title && by_id)
    }
}

/// A page under its one identity.
#[derive(Debug, Default, Clone)]
pub struct PageRow {
    /// Reads, bytes, first and last.
    pub seen: Seen,
    /// The names it was logged under (at most four).
    pub spellings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(count: u64, bytes: u64, t: i64) -> Seen {
        Seen { count, bytes, first: t, last: t }
    }

    #[test]
    fn a_title_view_and_its_background_call_by_id_are_one_page() {
        let mut ids = PageIds::default();
        let (view, bg) = (RequestKind::PageView, RequestKind::Background);
        ids.observe(Some("s1"), 1_000, view, Some("QA/Page+216065"), "/display/QA/Page+216065");
        ids.observe(Some("s1"), 1_400, bg, None, "/rest/likes/1.0/content/216065/likes?x=1");
        // Another session's call by id does not join a title it never viewed.
        ids.observe(Some("s2"), 1_500, view, Some("QA/Other"), "/display/QA/Other");
        ids.observe(Some("s3"), 1_600, bg, None, "/rest/likes/1.0/content/9/likes");
        assert_eq!(ids.id_of("QA/Page+216065"), Some("216065"));
        assert_eq!(ids.id_of("QA/Other"), None);
        let mut pages = BTreeMap::new();
        pages.insert("QA/Page+216065".to_string(), seen(2, 10, 1_000));
        pages.insert("216065".to_string(), seen(1, 5, 9_000));
        let (merged, ambiguous) = ids.merge(&pages);
        assert_eq!(merged.len(), 1);
        let row = &merged["216065"];
        assert_eq!((row.seen.count, row.seen.bytes), (3, 15));
        assert_eq!((row.seen.first, row.seen.last), (1_000, 9_000));
        assert_eq!(row.spellings, ["216065", "QA/Page+216065"]);
        assert!(!ambiguous);
        // A title never joined while pages were read by id: counts may include both.
        pages.insert("QA/Other".to_string(), seen(1, 1, 2_000));
        assert!(ids.merge(&pages).1);
    }

    #[test]
    fn a_late_or_content_call_by_id_does_not_join() {
        let mut ids = PageIds::default();
        ids.observe(Some("s"), 0, RequestKind::PageView, Some("QA/T"), "/display/QA/T");
        ids.observe(Some("s"), 500, RequestKind::ApiRead, Some("7"), "/rest/api/content/7");
        ids.observe(Some("s"), LINK_MS + 1, RequestKind::Background, None, "/x?pageId=8");
        assert_eq!(ids.id_of("QA/T"), None);
        assert_eq!(page_id_in("/rest/inlinecomments/1.0/comments?containerId=42&_=1"), Some("42"));
        assert_eq!(page_id_in("/rest/analytics/1.0/publish/bulk"), None);
    }
}
