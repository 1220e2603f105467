//! Request table tests for odd targets, borrowing and config extension.

use super::request_tests::{check, table, want};
use super::{AgentKind, ClassifyConfig, Pagination, RequestKind as K, RequestTable};
use std::borrow::Cow;

const S: AgentKind = AgentKind::Script;

#[test]
fn odd_targets_never_panic_and_fall_back_to_other() {
    let t = table();
    check(
        &t,
        &[
            ("GET", "", S, want(K::Other)),
            ("GET", "/", S, want(K::Other)),
            ("GET", "/wiki", S, want(K::Other)),
            ("GET", "/wiki/", S, want(K::Other)),
            ("OPTIONS", "*", S, want(K::Other)),
            ("CONNECT", "confluence.example.com:443", S, want(K::Other)),
            ("GET", "?", S, want(K::Other)),
            ("GET", "//", S, want(K::Other)),
            ("GET", "/display", S, want(K::PageView)),
            ("GET", "/x/", S, want(K::PageView)),
            ("GET", "/rest/api/content//", S, want(K::ApiListing)),
            ("GET", "/rest/api/contentbody/convert/view", S, want(K::Other)),
            ("GET", "/rest/api/spacex", S, want(K::Other)),
            ("GET", "/administrators.action", S, want(K::Other)),
            ("GET", "/\u{fffd}\u{fffd}/\u{0}%%%", S, want(K::Other)),
            (
                "GET",
                "/display/\u{e9}t\u{e9}/\u{fffd}",
                S,
                want(K::PageView).space("\u{e9}t\u{e9}").page("\u{e9}t\u{e9}/\u{fffd}"),
            ),
            (
                "GET",
                "/rest/api/search?cql=%ZZ%2&start=-1&start=5",
                S,
                want(K::Search).query("%ZZ%2"),
            ),
            ("GET", "/rest/api/search?cql=%ff%fe", S, want(K::Search).query("\u{fffd}\u{fffd}")),
            ("GET", "/rest/api/search?cql&start&=x&&", S, want(K::Search)),
            ("GET", "/pages/viewpage.action?pageId=", S, want(K::PageView)),
            ("GET", "/index.action", S, want(K::Other)),
            ("OPTIONS", "/rest/api/content/5", S, want(K::Other)),
            ("options", "/wiki/api/v2/pages/5", S, want(K::Other)),
            ("GET", "/pages/unknownthing.action?pageId=9", S, want(K::Other).page("9")),
            ("GET", "/spaces/unknown.action?key=DEV", S, want(K::Other).space("DEV")),
            ("GET", "/spaces/flyingpdf/other.action?key=DEV", S, want(K::Other).space("DEV")),
        ],
    );
    // Huge and adversarial targets: no panic, bounded work.
    let huge = format!("/rest/api/content/1?{}", "a=b&".repeat(100_000));
    assert_eq!(t.classify("GET", &huge, S).kind, K::ApiRead);
    let deep = "/x".repeat(50_000);
    let _ = t.classify("GET", &deep, S);
    let slashes = "/".repeat(100_000);
    assert_eq!(t.classify("GET", &slashes, S).kind, K::Other);
}

#[test]
fn absolute_uris_fragments_and_path_parameters() {
    let t = table();
    check(
        &t,
        &[
            (
                "GET",
                "http://wiki.corp:8090/pages/viewpage.action?pageId=7",
                S,
                want(K::PageView).page("7"),
            ),
            (
                "GET",
                "HTTPS://example.atlassian.net/wiki/api/v2/pages/7",
                S,
                want(K::ApiRead).page("7"),
            ),
            ("GET", "https://example.atlassian.net", S, want(K::Other)),
            ("GET", "https://example.atlassian.net?x=1", S, want(K::Other)),
            (
                "GET",
                "/display/DEV/Page#section",
                S,
                want(K::PageView).space("DEV").page("DEV/Page"),
            ),
            ("GET", "/login.action;jsessionid=ABCDEF", S, want(K::Login)),
            (
                "GET",
                "/rest/api/content/55;jsessionid=AB?expand=body",
                S,
                want(K::ApiRead).page("55"),
            ),
            ("GET", "  /rest/api/space/DEV  ", S, want(K::ApiRead).space("DEV")),
            // Atlassian API gateway form used by OAuth apps.
            ("GET", "/ex/confluence/1a2b3c/wiki/rest/api/content/9", S, want(K::ApiRead).page("9")),
            ("GET", "/ex/confluence/1a2b3c/wiki/api/v2/spaces", S, want(K::ApiListing)),
            // Case does not matter for the table.
            ("GET", "/WIKI/REST/API/CONTENT/9", S, want(K::ApiRead).page("9")),
            ("GET", "/Pages/ViewPage.action?PAGEID=9", S, want(K::PageView).page("9")),
            // Any single context path, not only /confluence.
            ("GET", "/kb/display/DEV/Page", S, want(K::PageView).space("DEV").page("DEV/Page")),
            ("GET", "/kb/unknown/thing", S, want(K::Other)),
        ],
    );
}

#[test]
fn values_borrow_unless_decoding_changes_them() {
    let t = table();
    let r = t.classify("GET", "/rest/api/content?spaceKey=DEV&start=25", S);
    assert!(matches!(r.space, Some(Cow::Borrowed("DEV"))), "{r:?}");
    let r = t.classify("GET", "/pages/viewpage.action?pageId=42", S);
    assert!(matches!(r.page, Some(Cow::Borrowed("42"))), "{r:?}");
    let r = t.classify("GET", "/display/DEV/My+Page", S);
    assert!(matches!(r.page, Some(Cow::Borrowed("DEV/My+Page"))), "{r:?}");
    let r = t.classify("GET", "/rest/api/search?cql=type=page", S);
    assert!(matches!(r.query, Some(Cow::Borrowed("type=page"))), "{r:?}");
    let r = t.classify("GET", "/rest/api/search?cql=100%", S);
    assert!(matches!(r.query, Some(Cow::Borrowed("100%"))), "{r:?}");
    let r = t.classify("GET", "/rest/api/content/scan?cursor=abc", S);
    assert!(matches!(r.pagination, Some(Pagination::Cursor(Cow::Borrowed("abc")))), "{r:?}");
    // Decoding that changes the text allocates.
    let r = t.classify("GET", "/rest/api/search?cql=text~%22pass%22", S);
    assert!(matches!(r.query, Some(Cow::Owned(ref q)) if q == "text~\"pass\""), "{r:?}");
    let r = t.classify("GET", "/rest/api/space?spaceKey=%7Ejdoe", S);
    assert_eq!(r.space.as_deref(), Some("~jdoe"));
    let r = t.classify("GET", "/dosearchsite.action?queryString=caf%C3%A9+menu", S);
    assert_eq!(r.query.as_deref(), Some("caf\u{e9} menu"));
}

#[test]
fn first_occurrence_of_a_parameter_wins() {
    let t = table();
    check(
        &t,
        &[
            ("GET", "/rest/api/content?spaceKey=A&spaceKey=B", S, want(K::ApiListing).space("A")),
            ("GET", "/rest/api/content?key=K&spaceKey=S", S, want(K::ApiListing).space("S")),
            ("GET", "/rest/api/content?start=5&start=10", S, want(K::ApiListing).offset(5)),
            ("GET", "/rest/api/search?query=q&cql=c", S, want(K::Search).query("c")),
        ],
    );
}

#[test]
fn config_extends_background_and_static_prefixes() {
    let config = ClassifyConfig {
        background_paths: vec!["/rest/corp-telemetry".into(), "rest/poller/".into(), " ".into()],
        static_paths: vec!["/assets/".into(), "/rest/mywork".into()],
        ..ClassifyConfig::default()
    };
    let t = RequestTable::new(&config);
    check(
        &t,
        &[
            ("POST", "/rest/corp-telemetry/v1/events", S, want(K::Background)),
            // Config prefixes are raw prefixes, as written.
            ("POST", "/rest/corp-telemetry-ext", S, want(K::Background)),
            ("GET", "/rest/poller/status", S, want(K::Background)),
            ("GET", "/wiki/rest/poller/status", S, want(K::Background)),
            ("GET", "/confluence/assets/app.bundle", S, want(K::Static)),
            // A config entry equal to a built-in one replaces it.
            ("GET", "/rest/mywork/latest/status", S, want(K::Static)),
            // A blank entry adds nothing; built-ins still hold.
            ("GET", "/rest/api/content/1", S, want(K::ApiRead).page("1")),
            ("GET", "/login.action", S, want(K::Login)),
        ],
    );
    assert_eq!(table().classify("POST", "/rest/corp-telemetry/v1", S).kind, K::Other);
}
