//! Routes whose meaning depends on the path below their table entry (ids, keys, sub-resources)
//! or on the method.

use super::query::{decode, Params};
use super::text::{cut, Segments};
use super::{Request, RequestKind as K};
use std::borrow::Cow;

/// Whether requests of `kind` carry anything worth reading from the query string.
pub(super) fn uses_params(kind: K) -> bool {
    !matches!(kind, K::Static | K::Background | K::Login | K::Logout)
}

/// A request of `kind` with space, page, pagination and search text taken from the query
/// string, as far as they mean something for that kind.
pub(super) fn with_params<'a>(kind: K, params: &Params<'a>) -> Request<'a> {
    let mut r = Request::of_kind(kind);
    if !uses_params(kind) {
        return r;
    }
    r.space = params.space();
    r.page = params.page();
    if matches!(kind, K::ApiListing | K::Search) {
        r.pagination = params.pagination();
    }
    if kind == K::Search {
        r.query = params.search_text();
    }
    r
}

/// Non-empty path segments of `rest`.
fn segments(rest: &str) -> Segments<'_> {
    Segments::new(rest)
}

fn is(seg: Option<&str>, name: &str) -> bool {
    seg.is_some_and(|s| s.eq_ignore_ascii_case(name))
}

fn numeric(seg: &str) -> bool {
    !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())
}

/// `/display/KEY/Title`: the page identity is `KEY/Title` exactly as written, borrowed (no
/// decoding: Confluence writes its own links one way, and decoding would allocate on the most
/// common page-view path).
pub(super) fn display(rest: &str) -> Request<'_> {
    let mut r = Request::of_kind(K::PageView);
    let rest = rest.trim_matches('/');
    let (key, title) = cut(rest, b'/');
    let title = title.unwrap_or("");
    if !key.is_empty() {
        r.space = Some(decode(key));
        if !title.trim_matches('/').is_empty() {
            r.page = Some(Cow::Borrowed(rest));
        }
    }
    r
}

/// `/x/CODE`: `tiny` is `x/CODE` (borrowed from the path, so it cannot collide with a page id).
pub(super) fn tiny_link(tiny: &str) -> Request<'_> {
    let mut r = Request::of_kind(K::PageView);
    let tiny = tiny.trim_end_matches('/');
    if tiny.len() > 2 {
        r.page = Some(Cow::Borrowed(tiny));
    }
    r
}

/// `/spaces/KEY/...` (Cloud, Data Center 8); unknown `/spaces/*.action` are Data Center actions.
pub(super) fn spaces<'a>(rest: &'a str, params: &Params<'a>) -> Request<'a> {
    let mut segs = segments(rest);
    let Some(key) = segs.next().filter(|k| !k.contains('.')) else {
        return with_params(K::Other, params);
    };
    let mut r = Request::of_kind(K::PageView);
    r.space = Some(decode(key));
    let section = segs.next();
    if section.is_none() || is(section, "overview") {
        return r;
    }
    if is(section, "settings") {
        r.kind = K::Admin;
        return r;
    }
    let blog = is(section, "blog");
    let content = ["pages", "whiteboard", "database", "folder", "embed"];
    if !blog && !content.iter().any(|c| is(section, c)) {
        r.kind = K::Other;
        return r;
    }
    // `/pages/ID/Title`, `/pages/edit-v2/ID`, `/blog/YYYY/MM/DD/ID/Title`: the id is the first
    // numeric segment, skipping a blog post's date parts.
    let mut date_parts = 0;
    for seg in segs {
        if numeric(seg) {
            if blog && date_parts < 3 && seg.len() <= 4 {
                date_parts += 1;
                continue;
            }
            r.page = Some(Cow::Borrowed(seg));
            break;
        }
        if ["edit-v2", "edit", "resumedraft", "create"].iter().any(|e| seg.eq_ignore_ascii_case(e))
        {
            r.kind = K::Edit;
        }
    }
    r
}

/// `/rest/api/content[/...]`: listing, scan, search, one item, its children, attachment
/// downloads; any write is an edit.
pub(super) fn rest_content<'a>(rest: &'a str, params: &Params<'a>, write: bool) -> Request<'a> {
    let mut segs = segments(rest);
    let Some(first) = segs.next() else {
        return with_params(if write { K::Edit } else { K::ApiListing }, params);
    };
    if first.eq_ignore_ascii_case("scan") {
        return with_params(K::ApiListing, params);
    }
    if first.eq_ignore_ascii_case("search") {
        return with_params(K::Search, params);
    }
    if first.eq_ignore_ascii_case("blueprint") {
        return with_params(if write { K::Edit } else { K::Other }, params);
    }
    let sub = segs.next();
    let kind = if is(sub, "child") {
        let child = segs.next();
        let (item, action) = (segs.next(), segs.next());
        if is(child, "attachment") && item.is_some() && is(action, "download") {
            K::AttachmentDownload
        } else if write {
            K::Edit
        } else if item.is_some() {
            // One child item (an attachment's metadata): a read.
            K::ApiRead
        } else {
            K::ApiListing
        }
    } else if is(sub, "export") {
        K::PageExport
    } else if write {
        K::Edit
    } else if is(sub, "descendant") {
        K::ApiListing
    } else {
        K::ApiRead
    };
    let mut r = with_params(kind, params);
    r.page = Some(Cow::Borrowed(first));
    r
}

/// `/rest/api/space[/KEY[/...]]`: the space list, one space, its content; writes change a
/// space (deleting one or its permissions is administration).
pub(super) fn rest_space<'a>(
    rest: &'a str,
    params: &Params<'a>,
    method: &str,
    write: bool,
) -> Request<'a> {
    let mut segs = segments(rest);
    let Some(key) = segs.next() else {
        return with_params(if write { K::Edit } else { K::ApiListing }, params);
    };
    let sub = segs.next();
    let kind = if is(sub, "permission") || is(sub, "permissions") {
        K::Admin
    } else if write {
        if method.eq_ignore_ascii_case("DELETE") && sub.is_none() {
            K::Admin
        } else {
            K::Edit
        }
    } else if is(sub, "content") {
        K::ApiListing
    } else {
        K::ApiRead
    };
    let mut r = with_params(kind, params);
    r.space = Some(decode(key));
    r
}

/// Cloud `/api/v2/{collection}[/{id}[/{sub}[/...]]]`: a collection is a listing, an item a
/// read, an item's sub-collection a listing; any write is an edit.
pub(super) fn api_v2<'a>(rest: &'a str, params: &Params<'a>, write: bool) -> Request<'a> {
    let mut segs = segments(rest);
    let Some(collection) = segs.next() else {
        return with_params(K::Other, params);
    };
    // `/api/v2/content/convert-ids-to-types` and friends are lookups, not content.
    if collection.eq_ignore_ascii_case("content") || collection.eq_ignore_ascii_case("users") {
        return with_params(K::Other, params);
    }
    let id = segs.next();
    let sub = segs.next();
    let deeper = segs.next();
    let kind = match (write, id, sub, deeper) {
        (true, ..) => K::Edit,
        (false, None, ..) | (false, Some(_), Some(_), None) => K::ApiListing,
        _ => K::ApiRead,
    };
    let mut r = with_params(kind, params);
    if let Some(id) = id {
        if collection.eq_ignore_ascii_case("spaces") {
            r.space = Some(decode(id));
        } else {
            r.page = Some(Cow::Borrowed(id));
        }
    }
    r
}

/// `/download/attachments/{pageId}/{file}`.
pub(super) fn attachments<'a>(rest: &'a str, params: &Params<'a>) -> Request<'a> {
    let mut r = with_params(K::AttachmentDownload, params);
    if let Some(page) = segments(rest).next() {
        r.page = Some(Cow::Borrowed(page));
    }
    r
}
