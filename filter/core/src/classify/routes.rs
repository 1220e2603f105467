//! The built-in path table: every Confluence path prefix the classifier knows, in one place.
//!
//! Paths are matched after the context path (`/wiki` on Cloud, e.g. `/confluence` on Data
//! Center) is removed, case-insensitively, longest prefix first.

use super::RequestKind;

/// How much of the path a table entry must cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fit {
    /// The whole path (a trailing `/` allowed): `/login.action`.
    Exact,
    /// The path or anything below it: `/rest/mywork` matches `/rest/mywork` and
    /// `/rest/mywork/latest/status` but not `/rest/myworkspace`.
    Tree,
    /// A raw string prefix (config entries: the user wrote a prefix, honour it as written).
    Prefix,
}

impl Fit {
    /// Whether an entry with this fit accepts `rest`, the path left after the pattern.
    pub(super) fn accepts(self, rest: &str) -> bool {
        match self {
            Fit::Exact => rest.is_empty() || rest == "/",
            Fit::Tree => rest.is_empty() || rest.starts_with('/'),
            Fit::Prefix => true,
        }
    }
}

/// What to do with a path once its table entry is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    /// A fixed kind; space, page, pagination and search text come from the query string.
    Fixed(RequestKind),
    /// `/display/KEY/Title`.
    Display,
    /// `/x/CODE` tiny links.
    TinyLink,
    /// `/spaces/KEY/...` (Cloud and Data Center 8 page paths; known DC actions have entries).
    Spaces,
    /// `/rest/api/content[/{id}[/...]]`.
    RestContent,
    /// `/rest/api/space[/KEY[/...]]`.
    RestSpace,
    /// Cloud `/api/v2/{collection}[/{id}[/...]]`.
    ApiV2,
    /// `/download/attachments/{pageId}/{file}`.
    Attachments,
    /// `/rest/api/user/current`: the UI asks it on every page; scripts use it to test tokens.
    CurrentUser,
    /// `/rest/searchv3/..`: a search when it carries query text, the UI's own calls otherwise.
    SearchV3,
}

use Fit::{Exact, Tree};
use RequestKind as K;
use Route::Fixed;

const VIEW: Route = Fixed(K::PageView);
const EDIT: Route = Fixed(K::Edit);
const ADMIN: Route = Fixed(K::Admin);
const LOGIN: Route = Fixed(K::Login);
const STATIC: Route = Fixed(K::Static);
const BG: Route = Fixed(K::Background);
const OTHER: Route = Fixed(K::Other);

/// The built-in table. Order does not matter (the longest matching entry wins); entries are
/// grouped by kind for reading. Broad catch-alls (`/rest`, `/pages`, `/plugins`, ...) exist so
/// that an unknown path under a Confluence root is not mistaken for a context path.
pub(super) static ROUTES: &[(&str, Fit, Route)] = &[
    // Page views.
    ("/pages/viewpage.action", Exact, VIEW),
    ("/pages/viewpageattachments.action", Exact, VIEW),
    ("/pages/viewinfo.action", Exact, VIEW),
    ("/pages/viewpreviousversions.action", Exact, VIEW),
    ("/pages/viewpagesrc.action", Exact, VIEW),
    ("/plugins/viewsource/viewpagesrc.action", Exact, VIEW),
    ("/pages/diffpages.action", Exact, VIEW),
    ("/pages/diffpagesbyversion.action", Exact, VIEW),
    ("/pages/viewrecentblogposts.action", Exact, VIEW),
    ("/pages/listpages.action", Exact, VIEW),
    ("/pages/listpages-dirview.action", Exact, VIEW),
    ("/pages/listpages-alphaview.action", Exact, VIEW),
    ("/collector/pages.action", Exact, VIEW),
    ("/spaces/viewspace.action", Exact, VIEW),
    ("/display", Tree, Route::Display),
    ("/x", Tree, Route::TinyLink),
    ("/spaces", Tree, Route::Spaces),
    // REST and RPC reads and listings.
    ("/rest/api/content", Tree, Route::RestContent),
    ("/rest/api/space", Tree, Route::RestSpace),
    ("/rest/api/group", Tree, Fixed(K::ApiListing)),
    ("/rest/api/user/current", Exact, Route::CurrentUser),
    ("/rest/prototype/1/content", Tree, Fixed(K::ApiRead)),
    ("/rest/prototype/1/space", Tree, Fixed(K::ApiListing)),
    ("/rest/prototype/1/search", Tree, Fixed(K::Search)),
    // Legacy remote APIs: mostly getPage/getPages calls by old integrations and tools.
    ("/rpc/xmlrpc", Tree, Fixed(K::ApiRead)),
    ("/rpc/json-rpc", Tree, Fixed(K::ApiRead)),
    ("/rpc/soap-axis", Tree, Fixed(K::ApiRead)),
    ("/api/v2", Tree, Route::ApiV2),
    // Search.
    ("/rest/api/search", Tree, Fixed(K::Search)),
    ("/dosearchsite.action", Exact, Fixed(K::Search)),
    ("/search", Tree, Fixed(K::Search)),
    ("/rest/searchv3", Tree, Route::SearchV3),
    ("/rest/quicknav", Tree, Fixed(K::Search)),
    // Page exports (Data Center direct, Cloud task start/poll/download, Scroll exporters).
    ("/spaces/flyingpdf/pdfpageexport.action", Exact, Fixed(K::PageExport)),
    ("/exportword", Exact, Fixed(K::PageExport)),
    ("/exporthtml", Exact, Fixed(K::PageExport)),
    ("/services/api/v1/task", Tree, Fixed(K::PageExport)),
    ("/services/api/v1/download/pdf", Exact, Fixed(K::PageExport)),
    ("/plugins/servlet/scroll-pdf", Tree, Fixed(K::PageExport)),
    ("/plugins/servlet/scroll-office", Tree, Fixed(K::PageExport)),
    ("/plugins/servlet/scroll-html", Tree, Fixed(K::PageExport)),
    // Space exports.
    ("/spaces/exportspacexml.action", Exact, Fixed(K::SpaceExport)),
    ("/spaces/exportspacehtml.action", Exact, Fixed(K::SpaceExport)),
    ("/spaces/exportspacecsv.action", Exact, Fixed(K::SpaceExport)),
    ("/spaces/doexportspace.action", Exact, Fixed(K::SpaceExport)),
    ("/spaces/flyingpdf/doflyingpdf.action", Exact, Fixed(K::SpaceExport)),
    ("/spaces/flyingpdf/flyingpdf.action", Exact, Fixed(K::SpaceExport)),
    // `flyingpdf` is not a space key: keep other actions under it away from `Route::Spaces`.
    ("/spaces/flyingpdf", Tree, OTHER),
    // Attachments.
    ("/download/attachments", Tree, Route::Attachments),
    ("/pages/downloadallattachments.action", Exact, Fixed(K::AttachmentDownload)),
    // Edits (page and blog actions; REST writes are decided by method in their routes).
    ("/pages/editpage.action", Exact, EDIT),
    ("/pages/doeditpage.action", Exact, EDIT),
    ("/pages/createpage.action", Exact, EDIT),
    ("/pages/docreatepage.action", Exact, EDIT),
    ("/pages/createblogpost.action", Exact, EDIT),
    ("/pages/docreateblogpost.action", Exact, EDIT),
    ("/pages/editblogpost.action", Exact, EDIT),
    ("/pages/doeditblogpost.action", Exact, EDIT),
    ("/pages/removepage.action", Exact, EDIT),
    ("/pages/doremovepage.action", Exact, EDIT),
    ("/pages/copypage.action", Exact, EDIT),
    ("/pages/docopypage.action", Exact, EDIT),
    ("/pages/movepage.action", Exact, EDIT),
    ("/pages/resumedraft.action", Exact, EDIT),
    ("/pages/attachfile.action", Exact, EDIT),
    ("/pages/doattachfile.action", Exact, EDIT),
    ("/pages/removeattachment.action", Exact, EDIT),
    ("/pages/editattachment.action", Exact, EDIT),
    ("/pages/doeditattachment.action", Exact, EDIT),
    ("/pages/revertpagebacktoversion.action", Exact, EDIT),
    // Administration.
    ("/admin", Tree, ADMIN),
    ("/rest/api/admin", Tree, ADMIN),
    ("/rest/api/audit", Tree, ADMIN),
    ("/rest/api/settings", Tree, ADMIN),
    ("/rest/plugins", Tree, ADMIN),
    ("/rest/troubleshooting", Tree, ADMIN),
    ("/plugins/servlet/upm", Tree, ADMIN),
    ("/plugins/servlet/applinks", Tree, ADMIN),
    ("/plugins/servlet/troubleshooting", Tree, ADMIN),
    ("/spaces/spacepermissions.action", Exact, ADMIN),
    ("/spaces/editspacepermissions.action", Exact, ADMIN),
    ("/spaces/editspace.action", Exact, ADMIN),
    ("/spaces/doeditspace.action", Exact, ADMIN),
    ("/spaces/removespace.action", Exact, ADMIN),
    ("/spaces/doremovespace.action", Exact, ADMIN),
    // Log in and out (including websudo and SSO entry points).
    ("/login.action", Exact, LOGIN),
    ("/dologin.action", Exact, LOGIN),
    ("/authenticate.action", Exact, LOGIN),
    ("/doauthenticate.action", Exact, LOGIN),
    ("/forgotuserpassword.action", Exact, LOGIN),
    ("/plugins/servlet/samlsso", Tree, LOGIN),
    ("/plugins/servlet/oidc", Tree, LOGIN),
    ("/logout.action", Exact, Fixed(K::Logout)),
    // Static resources.
    ("/s", Tree, STATIC),
    ("/images", Tree, STATIC),
    ("/styles", Tree, STATIC),
    ("/includes", Tree, STATIC),
    ("/favicon.ico", Exact, STATIC),
    ("/download/resources", Tree, STATIC),
    ("/download/batch", Tree, STATIC),
    ("/download/contextbatch", Tree, STATIC),
    ("/download/superbatch", Tree, STATIC),
    // Thumbnails are what every page view with images loads: counting them as attachment
    // downloads would make image-heavy reading look like bulk download.
    ("/download/thumbnails", Tree, STATIC),
    ("/plugins/servlet/confluence/placeholder", Tree, STATIC),
    // The browser UI's own calls.
    ("/json", Tree, BG),
    ("/rest/api/accessmode", Exact, BG),
    ("/rest/mywork", Tree, BG),
    ("/rest/analytics", Tree, BG),
    ("/rest/confanalytics", Tree, BG),
    ("/rest/quickreload", Tree, BG),
    ("/rest/likes", Tree, BG),
    ("/rest/inlinecomments", Tree, BG),
    ("/rest/highlighting", Tree, BG),
    ("/rest/webresources", Tree, BG),
    ("/rest/nativemobile", Tree, BG),
    ("/rest/mobile", Tree, BG),
    ("/rest/shortcuts", Tree, BG),
    ("/rest/helptips", Tree, BG),
    ("/rest/tinymce", Tree, BG),
    ("/rest/synchrony", Tree, BG),
    ("/rest/synchrony-interop", Tree, BG),
    ("/rest/ui", Tree, BG),
    ("/rest/emoticons", Tree, BG),
    ("/rest/watch-button", Tree, BG),
    ("/rest/create-dialog", Tree, BG),
    ("/rest/recentlyviewed", Tree, BG),
    ("/rest/menu", Tree, BG),
    ("/rest/mentions", Tree, BG),
    ("/rest/share-page", Tree, BG),
    ("/rest/nps", Tree, BG),
    ("/rest/onboarding", Tree, BG),
    ("/rest/jiraanywhere", Tree, BG),
    ("/rest/jira-metadata", Tree, BG),
    ("/rest/gadget", Tree, BG),
    ("/rest/experimental", Tree, BG),
    ("/plugins/pagetree", Tree, BG),
    ("/plugins/servlet/notifications-miniview", Tree, BG),
    ("/plugins/editor-loader", Tree, BG),
    ("/synchrony", Tree, BG),
    ("/cgraphql", Tree, BG),
    ("/gateway/api", Tree, BG),
    // Catch-alls under Confluence's own roots (see the table comment).
    ("/rest", Tree, OTHER),
    ("/rest/api", Tree, OTHER),
    ("/pages", Tree, OTHER),
    ("/plugins", Tree, OTHER),
    ("/download", Tree, OTHER),
    ("/users", Tree, OTHER),
    ("/index.action", Exact, OTHER),
    ("/dashboard.action", Exact, OTHER),
];

/// File endings that mark a static resource when no table entry claims the path.
pub(super) static STATIC_SUFFIXES: &[&str] = &[
    ".css", ".js", ".mjs", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
];
