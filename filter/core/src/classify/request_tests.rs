//! Request table tests: every known path for Data Center and Cloud, with the fields each one
//! yields, plus malformed targets and config extension.

use super::{AgentKind, ClassifyConfig, Pagination, RequestKind as K, RequestTable};
use std::borrow::Cow;

/// What one target should classify as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Want {
    pub kind: K,
    pub space: Option<&'static str>,
    pub page: Option<&'static str>,
    pub pagination: Option<Pagination<'static>>,
    pub query: Option<&'static str>,
}

pub(super) fn want(kind: K) -> Want {
    Want { kind, space: None, page: None, pagination: None, query: None }
}

impl Want {
    pub fn space(mut self, s: &'static str) -> Self {
        self.space = Some(s);
        self
    }
    pub fn page(mut self, p: &'static str) -> Self {
        self.page = Some(p);
        self
    }
    pub fn offset(mut self, n: u64) -> Self {
        self.pagination = Some(Pagination::Offset(n));
        self
    }
    pub fn cursor(mut self, c: &'static str) -> Self {
        self.pagination = Some(Pagination::Cursor(Cow::Borrowed(c)));
        self
    }
    pub fn query(mut self, q: &'static str) -> Self {
        self.query = Some(q);
        self
    }
}

/// Checks `(method, target, agent, want)` cases, reporting every mismatch at once.
pub(super) fn check(table: &RequestTable, cases: &[(&str, &str, AgentKind, Want)]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(method, target, agent, want)| {
            let r = table.classify(method, target, *agent);
            let same = r.kind == want.kind
                && r.space.as_deref() == want.space
                && r.page.as_deref() == want.page
                && r.pagination.as_ref() == want.pagination.as_ref()
                && r.query.as_deref() == want.query;
            (!same)
                .then(|| format!("{method} {target:?} ({agent:?}):\n  got  {r:?}\n  want {want:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{} misclassified:\n{}", wrong.len(), wrong.join("\n"));
}

pub(super) fn table() -> RequestTable {
    RequestTable::new(&ClassifyConfig::default())
}

const B: AgentKind = AgentKind::Browser;
const S: AgentKind = AgentKind::Script;

/// `cases` for GET by a script, each also checked under `/wiki` and `/confluence`.
fn check_everywhere(cases: &[(&str, Want)]) {
    let t = table();
    let mut all = Vec::new();
    for (target, want) in cases {
        for prefix in ["", "/wiki", "/confluence"] {
            let full: &'static str = Box::leak(format!("{prefix}{target}").into_boxed_str());
            all.push(("GET", full, S, want.clone()));
        }
    }
    check(&t, &all);
}

#[test]
fn page_views() {
    check_everywhere(&[
        ("/pages/viewpage.action?pageId=123456", want(K::PageView).page("123456")),
        (
            "/pages/viewpage.action?spaceKey=DEV&title=Home",
            want(K::PageView).space("DEV").page("DEV/Home"),
        ),
        ("/display/DEV/Release+Notes", want(K::PageView).space("DEV").page("DEV/Release+Notes")),
        ("/display/DEV/Release+Notes/", want(K::PageView).space("DEV").page("DEV/Release+Notes")),
        ("/display/DEV", want(K::PageView).space("DEV")),
        ("/display/DEV/", want(K::PageView).space("DEV")),
        ("/display/~jdoe/Notes", want(K::PageView).space("~jdoe").page("~jdoe/Notes")),
        (
            "/display/DEV/2024/01/15/Blog+Post",
            want(K::PageView).space("DEV").page("DEV/2024/01/15/Blog+Post"),
        ),
        ("/spaces/DEV/pages/98765/Release+Notes", want(K::PageView).space("DEV").page("98765")),
        ("/spaces/DEV/pages/98765", want(K::PageView).space("DEV").page("98765")),
        (
            "/spaces/DEV/blog/2024/01/15/4456789/Our+Blog",
            want(K::PageView).space("DEV").page("4456789"),
        ),
        ("/spaces/DEV/whiteboard/555001", want(K::PageView).space("DEV").page("555001")),
        ("/spaces/DEV/overview", want(K::PageView).space("DEV")),
        ("/spaces/DEV", want(K::PageView).space("DEV")),
        ("/spaces/viewspace.action?key=OPS", want(K::PageView).space("OPS")),
        ("/x/AbCd", want(K::PageView).page("x/AbCd")),
        ("/pages/viewrecentblogposts.action?key=DEV", want(K::PageView).space("DEV")),
        ("/pages/viewpageattachments.action?pageId=77", want(K::PageView).page("77")),
        ("/pages/viewpagesrc.action?pageId=77", want(K::PageView).page("77")),
        ("/plugins/viewsource/viewpagesrc.action?pageId=77", want(K::PageView).page("77")),
        (
            "/pages/diffpagesbyversion.action?pageId=77&selectedPageVersions=1",
            want(K::PageView).page("77"),
        ),
    ]);
}

#[test]
fn api_reads_and_listings() {
    check_everywhere(&[
        ("/rest/api/content/123456", want(K::ApiRead).page("123456")),
        ("/rest/api/content/123456?expand=body.storage,version", want(K::ApiRead).page("123456")),
        ("/rest/api/content/123456/history", want(K::ApiRead).page("123456")),
        (
            "/rest/api/content/123456/child/page?start=25&limit=25",
            want(K::ApiListing).page("123456").offset(25),
        ),
        ("/rest/api/content/123456/child", want(K::ApiListing).page("123456")),
        ("/rest/api/content/123456/child/attachment", want(K::ApiListing).page("123456")),
        ("/rest/api/content/123456/child/attachment/att789", want(K::ApiRead).page("123456")),
        ("/rest/api/content/123456/descendant/page", want(K::ApiListing).page("123456")),
        (
            "/rest/api/content?spaceKey=DEV&start=50&limit=25",
            want(K::ApiListing).space("DEV").offset(50),
        ),
        (
            "/rest/api/content?limit=25&start=0&type=page&spaceKey=DEV",
            want(K::ApiListing).space("DEV").offset(0),
        ),
        ("/rest/api/content/?spaceKey=DEV", want(K::ApiListing).space("DEV")),
        (
            "/rest/api/content?spaceKey=DEV&title=Home&expand=body.storage",
            want(K::ApiListing).space("DEV").page("DEV/Home"),
        ),
        (
            "/rest/api/content/scan?cursor=raNDoMsTRiNg&limit=100",
            want(K::ApiListing).cursor("raNDoMsTRiNg"),
        ),
        ("/rest/api/content/scan?spaceKey=HR&limit=100", want(K::ApiListing).space("HR")),
        ("/rest/api/space", want(K::ApiListing)),
        ("/rest/api/space?start=100&limit=50", want(K::ApiListing).offset(100)),
        ("/rest/api/space/DEV", want(K::ApiRead).space("DEV")),
        ("/rest/api/space/DEV/content?start=25", want(K::ApiListing).space("DEV").offset(25)),
        ("/rest/api/space/DEV/content/page", want(K::ApiListing).space("DEV")),
        ("/rest/api/group?start=0", want(K::ApiListing).offset(0)),
        ("/api/v2/pages/123456", want(K::ApiRead).page("123456")),
        ("/api/v2/pages/123456?body-format=storage", want(K::ApiRead).page("123456")),
        ("/api/v2/pages?cursor=abc&limit=250", want(K::ApiListing).cursor("abc")),
        ("/api/v2/pages?space-id=98304&limit=250", want(K::ApiListing).space("98304")),
        ("/api/v2/pages/123456/children", want(K::ApiListing).page("123456")),
        ("/api/v2/pages/123456/versions/3", want(K::ApiRead).page("123456")),
        ("/api/v2/blogposts/42", want(K::ApiRead).page("42")),
        ("/api/v2/spaces", want(K::ApiListing)),
        ("/api/v2/spaces?cursor=xyz", want(K::ApiListing).cursor("xyz")),
        ("/api/v2/spaces/98304", want(K::ApiRead).space("98304")),
        ("/api/v2/spaces/98304/pages?cursor=c2", want(K::ApiListing).space("98304").cursor("c2")),
        ("/rest/prototype/1/content/123", want(K::ApiRead)),
        ("/rpc/xmlrpc", want(K::ApiRead)),
    ]);
}

#[test]
fn searches() {
    check_everywhere(&[
        (
            "/rest/api/search?cql=text~%22password%22&limit=50",
            want(K::Search).query("text~\"password\""),
        ),
        (
            "/rest/api/search?limit=50&start=50&cql=type%3Dpage",
            want(K::Search).query("type=page").offset(50),
        ),
        (
            "/rest/api/search?cql=text~secret&cursor=nxt",
            want(K::Search).query("text~secret").cursor("nxt"),
        ),
        (
            "/rest/api/content/search?cql=space%3DDEV+and+text~token",
            want(K::Search).query("space=DEV and text~token"),
        ),
        (
            "/dosearchsite.action?queryString=aws+secret+key",
            want(K::Search).query("aws secret key"),
        ),
        ("/dosearchsite.action?where=DEV&queryString=vpn", want(K::Search).query("vpn")),
        ("/search?text=private%20key", want(K::Search).query("private key")),
        (
            "/rest/searchv3/1.0/search?queryString=password&type=page",
            want(K::Search).query("password"),
        ),
        ("/rest/quicknav/1/search?query=ssh", want(K::Search).query("ssh")),
        ("/rest/api/search", want(K::Search)),
    ]);
}

#[test]
fn exports_and_downloads() {
    check_everywhere(&[
        ("/spaces/flyingpdf/pdfpageexport.action?pageId=123", want(K::PageExport).page("123")),
        ("/exportword?pageId=123", want(K::PageExport).page("123")),
        ("/exporthtml?pageId=123", want(K::PageExport).page("123")),
        ("/services/api/v1/task/abc-123/progress", want(K::PageExport)),
        ("/services/api/v1/download/pdf?taskId=abc&cloudId=x", want(K::PageExport)),
        (
            "/plugins/servlet/scroll-pdf/api/public/1/export-sync?templateId=t&pageId=12",
            want(K::PageExport).page("12"),
        ),
        ("/spaces/exportspacexml.action?key=DEV", want(K::SpaceExport).space("DEV")),
        ("/spaces/exportspacehtml.action?key=DEV", want(K::SpaceExport).space("DEV")),
        ("/spaces/exportspacecsv.action?key=DEV", want(K::SpaceExport).space("DEV")),
        ("/spaces/doexportspace.action?key=DEV", want(K::SpaceExport).space("DEV")),
        ("/spaces/flyingpdf/doflyingpdf.action?key=DEV", want(K::SpaceExport).space("DEV")),
        ("/spaces/flyingpdf/flyingpdf.action?key=DEV", want(K::SpaceExport).space("DEV")),
        (
            "/download/attachments/123456/secrets.xlsx?version=1&api=v2",
            want(K::AttachmentDownload).page("123456"),
        ),
        ("/download/attachments/123456/diagram.png", want(K::AttachmentDownload).page("123456")),
        (
            "/pages/downloadallattachments.action?pageId=123456",
            want(K::AttachmentDownload).page("123456"),
        ),
        (
            "/rest/api/content/123456/child/attachment/att789/download",
            want(K::AttachmentDownload).page("123456"),
        ),
        ("/download/thumbnails/123456/diagram.png", want(K::Static)),
    ]);
}

#[test]
fn admin_login_static_background() {
    check_everywhere(&[
        ("/admin/viewgeneralconfig.action", want(K::Admin)),
        ("/admin/users/browseusers.action", want(K::Admin)),
        ("/rest/api/admin/user", want(K::Admin)),
        ("/rest/api/audit?startDate=1", want(K::Admin)),
        ("/plugins/servlet/upm", want(K::Admin)),
        ("/plugins/servlet/upm/manage/all", want(K::Admin)),
        ("/spaces/spacepermissions.action?key=DEV", want(K::Admin).space("DEV")),
        ("/login.action?os_destination=%2Findex.action", want(K::Login)),
        ("/dologin.action", want(K::Login)),
        ("/logout.action", want(K::Logout)),
        (
            "/s/en_GB/9012/abc/_/download/batch/com.atlassian:core/core.js?locale=en-GB",
            want(K::Static),
        ),
        ("/images/icons/profilepics/default.svg", want(K::Static)),
        ("/download/resources/com.atlassian.plugin:res/logo.png", want(K::Static)),
        ("/download/batch/abc/batch.css", want(K::Static)),
        ("/favicon.ico", want(K::Static)),
        ("/some/unknown/file.woff2", want(K::Static)),
        ("/unknown.JS", want(K::Static)),
        ("/rest/mywork/latest/status/notification/count", want(K::Background)),
        ("/rest/analytics/1.0/publish/bulk", want(K::Background)),
        (
            "/rest/quickreload/latest/2129924?since=1608256850024&_=1608256758069",
            want(K::Background),
        ),
        ("/rest/likes/1.0/content/123/likes", want(K::Background)),
        ("/rest/inlinecomments/1.0/comments?containerId=123", want(K::Background)),
        ("/rest/highlighting/1.0/panel-items", want(K::Background)),
        ("/rest/webResources/1.0/resources", want(K::Background)),
        ("/rest/nativemobile/1.0/info", want(K::Background)),
        ("/rest/shortcuts/latest/shortcuts/abc/en_GB", want(K::Background)),
        ("/rest/helptips/1.0/tips", want(K::Background)),
        ("/json/startheartbeatactivity.action", want(K::Background)),
        ("/rest/searchv3/1.0/recent", want(K::Background)),
    ]);
}

#[test]
fn edits_depend_on_page_actions_and_methods() {
    let t = table();
    check(
        &t,
        &[
            ("GET", "/pages/editpage.action?pageId=5", B, want(K::Edit).page("5")),
            ("POST", "/pages/doeditpage.action?pageId=5", B, want(K::Edit).page("5")),
            ("GET", "/pages/createpage.action?spaceKey=DEV", B, want(K::Edit).space("DEV")),
            (
                "GET",
                "/wiki/spaces/DEV/pages/edit-v2/98765",
                B,
                want(K::Edit).space("DEV").page("98765"),
            ),
            ("POST", "/rest/api/content", S, want(K::Edit)),
            ("PUT", "/rest/api/content/5", S, want(K::Edit).page("5")),
            ("delete", "/rest/api/content/5", S, want(K::Edit).page("5")),
            ("POST", "/rest/api/content/5/child/attachment", S, want(K::Edit).page("5")),
            ("POST", "/wiki/api/v2/pages", S, want(K::Edit)),
            ("PUT", "/wiki/api/v2/pages/5", S, want(K::Edit).page("5")),
            ("POST", "/rest/api/space", S, want(K::Edit)),
            ("DELETE", "/rest/api/space/DEV", S, want(K::Admin).space("DEV")),
            // Reads stay reads whatever the method spelling.
            ("HEAD", "/rest/api/content/5", S, want(K::ApiRead).page("5")),
            ("", "/rest/api/content/5", S, want(K::ApiRead).page("5")),
            // Searching and downloading by POST are still searches and downloads.
            ("POST", "/rest/api/content/search?cql=x", S, want(K::Search).query("x")),
            (
                "POST",
                "/rest/api/content/5/child/attachment/a1/download",
                S,
                want(K::AttachmentDownload).page("5"),
            ),
        ],
    );
}

#[test]
#[should_panic(expected = "1 misclassified")]
fn check_reports_a_wrong_field() {
    check(&table(), &[("GET", "/rest/api/content/5", S, want(K::ApiRead).page("6"))]);
}

#[test]
fn current_user_is_background_only_for_browsers() {
    let t = table();
    check(
        &t,
        &[
            ("GET", "/rest/api/user/current", B, want(K::Background)),
            ("GET", "/wiki/rest/api/user/current", B, want(K::Background)),
            ("GET", "/rest/api/user/current", S, want(K::Other)),
            ("GET", "/rest/api/user/current", AgentKind::Empty, want(K::Other)),
            ("GET", "/rest/api/user/current", AgentKind::AttackTool, want(K::Other)),
        ],
    );
}

#[test]
fn inline_images_are_page_furniture_for_browsers_only() {
    let t = RequestTable::new(&ClassifyConfig::default());
    let img = "/download/attachments/12345/diagram.PNG?version=1&api=v2";
    assert_eq!(t.classify("GET", img, AgentKind::Browser).kind, K::Static);
    assert_eq!(t.classify("GET", img, AgentKind::Script).kind, K::AttachmentDownload);
    let pdf = "/download/attachments/12345/contract.pdf";
    assert_eq!(t.classify("GET", pdf, AgentKind::Browser).kind, K::AttachmentDownload);
}
