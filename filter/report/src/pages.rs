//! One page, one identity: Confluence names a page by id (`?pageId=216065`,
//! `/rest/api/content/216065`) and by space and title (`/display/QA/Page+216065`). A browser
//! that loads `/display/KEY/Title` asks for the page's likes, comments or highlights by id
//! within seconds: such a background call joins the two spellings when its Referer is the
//! title-form page (Confluence's access log, nginx and Apache logs have it), or, without a
//! Referer, when it follows the title view in the same session. Anything not joined that way is
//! counted as logged, and the report says counts may include both spellings.

use crate::gather::Seen;
use std::borrow::Cow;
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
    /// Takes note of one request (`page` as the classifier names it). `from_title` gives the
    /// title-form page its Referer names, if any; it is asked only of a call by id that could
    /// join one.
    pub fn observe<'t>(
        &mut self,
        session: Option<&str>,
        time_ms: i64,
        kind: RequestKind,
        page: Option<&str>,
        target: &str,
        from_title: impl FnOnce() -> Option<Cow<'t, str>>,
    ) {
        // Only the page's own background calls join: a read by id that a title-form page links
        // to is another page.
        if !kind.is_content_read() {
            if let Some((id, title)) = page_id_in(target).zip(from_title()) {
                self.link(&title, id);
                return;
            }
        }
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
            self.link(&title, id);
        }
    }

    /// Records that `title` is page `id` (the first id seen for a title stays).
    fn link(&mut self, title: &str, id: &str) {
        if !self.links.contains_key(title) && self.links.len() < MAX_LINKS {
            self.links.insert(title.to_string(), id.to_string());
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
        ids.observe(
            Some("s1"),
            1_000,
            view,
            Some("QA/Page+216065"),
            "/display/QA/Page+216065",
            || None,
        );
        ids.observe(
            Some("s1"),
            1_400,
            bg,
            None,
            "/rest/likes/1.0/content/216065/likes?x=1",
            || None,
        );
        // Another session's call by id does not join a title it never viewed.
        ids.observe(Some("s2"), 1_500, view, Some("QA/Other"), "/display/QA/Other", || None);
        ids.observe(Some("s3"), 1_600, bg, None, "/rest/likes/1.0/content/9/likes", || None);
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
        ids.observe(Some("s"), 0, RequestKind::PageView, Some("QA/T"), "/display/QA/T", || None);
        ids.observe(Some("s"), 500, RequestKind::ApiRead, Some("7"), "/rest/api/content/7", || {
            None
        });
        ids.observe(Some("s"), LINK_MS + 1, RequestKind::Background, None, "/x?pageId=8", || None);
        assert_eq!(ids.id_of("QA/T"), None);
        assert_eq!(page_id_in("/rest/inlinecomments/1.0/comments?containerId=42&_=1"), Some("42"));
        assert_eq!(page_id_in("/rest/analytics/1.0/publish/bulk"), None);
    }

    #[test]
    fn a_background_call_from_a_title_page_joins_without_a_session() {
        let mut ids = PageIds::default();
        let (bg, read) = (RequestKind::Background, RequestKind::PageView);
        let t = || Some(Cow::Borrowed("QA/Page+216065"));
        ids.observe(None, 0, bg, None, "/rest/likes/1.0/content/216065/likes", t);
        // A page the title-form page links to, read by id, is another page.
        let b = || Some(Cow::Borrowed("QA/B"));
        ids.observe(None, 9, read, Some("77"), "/pages/viewpage.action?pageId=77", b);
        assert_eq!(ids.id_of("QA/Page+216065"), Some("216065"));
        assert_eq!(ids.id_of("QA/B"), None);
    }
}
