//! Request and agent classification (docs/architecture.md), driven by tables config can extend.

mod agent;
mod memo;
mod paths;
mod query;
mod request;
mod routes;
mod text;

/// How much an export-like request weighs in `bulk-export`.
pub(crate) fn export_weight(kind: RequestKind, has_page: bool, target: &str) -> u32 {
    match kind {
        // Cloud's PDF export polls its task without naming the page: count the start only.
        RequestKind::PageExport if !has_page => 0,
        // Download-all zips every attachment of a page.
        RequestKind::AttachmentDownload if target.contains("downloadallattachments") => 5,
        RequestKind::PageExport | RequestKind::AttachmentDownload | RequestKind::SpaceExport => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod agent_tests;
#[cfg(test)]
mod request_edge_tests;
#[cfg(test)]
mod request_tests;

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

pub use agent::AgentTable;
pub use request::RequestTable;

/// What a request does to Confluence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum RequestKind {
    /// A page rendered for a person (`/display/..`, `viewpage.action`, Cloud `/wiki/spaces/../pages/..`).
    PageView,
    /// A REST read of one piece of content (`/rest/api/content/{id}`, `/wiki/api/v2/pages/{id}`).
    ApiRead,
    /// A REST listing: spaces, content of a space, pagination by start/limit or cursor, scans.
    ApiListing,
    /// A search: CQL over REST or the site search page; the query text is kept.
    Search,
    /// One page exported to PDF, Word or HTML.
    PageExport,
    /// A whole space exported.
    SpaceExport,
    /// An attachment downloaded (or all attachments of a page).
    AttachmentDownload,
    /// Creating or editing content.
    Edit,
    /// Administration pages and admin REST endpoints.
    Admin,
    /// Log in.
    Login,
    /// Log out.
    Logout,
    /// Static resources (`/s/..` batches, images, fonts).
    Static,
    /// The browser UI's own XHR traffic (`/rest/mywork`, `/rest/analytics`, ...): not programmatic use.
    Background,
    /// Anything else.
    Other,
}

impl RequestKind {
    /// Every kind, in a fixed order (for tables and stats).
    pub const ALL: [RequestKind; 14] = [
        RequestKind::PageView,
        RequestKind::ApiRead,
        RequestKind::ApiListing,
        RequestKind::Search,
        RequestKind::PageExport,
        RequestKind::SpaceExport,
        RequestKind::AttachmentDownload,
        RequestKind::Edit,
        RequestKind::Admin,
        RequestKind::Login,
        RequestKind::Logout,
        RequestKind::Static,
        RequestKind::Background,
        RequestKind::Other,
    ];

    /// The kebab-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::PageView => "page-view",
            RequestKind::ApiRead => "api-read",
            RequestKind::ApiListing => "api-listing",
            RequestKind::Search => "search",
            RequestKind::PageExport => "page-export",
            RequestKind::SpaceExport => "space-export",
            RequestKind::AttachmentDownload => "attachment-download",
            RequestKind::Edit => "edit",
            RequestKind::Admin => "admin",
            RequestKind::Login => "login",
            RequestKind::Logout => "logout",
            RequestKind::Static => "static",
            RequestKind::Background => "background",
            RequestKind::Other => "other",
        }
    }

    /// Reads content a scraper would want (pages, API reads and listings, exports, attachments).
    pub fn is_content_read(self) -> bool {
        matches!(
            self,
            RequestKind::PageView
                | RequestKind::ApiRead
                | RequestKind::ApiListing
                | RequestKind::Search
                | RequestKind::PageExport
                | RequestKind::SpaceExport
                | RequestKind::AttachmentDownload
        )
    }
}

/// Who (or what) sent the request, judged from the User-Agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum AgentKind {
    /// A web browser.
    Browser,
    /// A script or HTTP library (python-requests, curl, Go-http-client, ...).
    Script,
    /// A known attack or scraping tool.
    AttackTool,
    /// A crawler or bot.
    Crawler,
    /// No agent at all, or `-`.
    Empty,
    /// Something else (Confluence's own mobile apps, unknown clients).
    Other,
}

impl AgentKind {
    /// Every kind, in declaration order (`kind as usize` indexes it).
    pub const ALL: [AgentKind; 6] = [
        AgentKind::Browser,
        AgentKind::Script,
        AgentKind::AttackTool,
        AgentKind::Crawler,
        AgentKind::Empty,
        AgentKind::Other,
    ];

    /// The kebab-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentKind::Browser => "browser",
            AgentKind::Script => "script",
            AgentKind::AttackTool => "attack-tool",
            AgentKind::Crawler => "crawler",
            AgentKind::Empty => "empty",
            AgentKind::Other => "other",
        }
    }

    /// Script, attack tool or empty agent: a sign of programmatic use.
    pub fn is_programmatic(self) -> bool {
        matches!(self, AgentKind::Script | AgentKind::AttackTool | AgentKind::Empty)
    }
}

/// Where a listing request is in a pagination walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pagination<'a> {
    /// `start=N` (Data Center REST); N > 0 means the walk is past its first page.
    Offset(u64),
    /// `cursor=...` (Cloud v2, `/content/scan`).
    Cursor(Cow<'a, str>),
}

/// A classified request: its kind and what it touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// What the request does.
    pub kind: RequestKind,
    /// Space key, when the path or query names one.
    pub space: Option<Cow<'a, str>>,
    /// A stable identity of the page or content item (page id, or `KEY/Title`), for distinct counts.
    pub page: Option<Cow<'a, str>>,
    /// Pagination position of a listing.
    pub pagination: Option<Pagination<'a>>,
    /// Search text (CQL or site-search query), percent-decoded.
    pub query: Option<Cow<'a, str>>,
}

impl<'a> Request<'a> {
    /// A request of `kind` with nothing else known.
    pub fn of_kind(kind: RequestKind) -> Self {
        Request { kind, space: None, page: None, pagination: None, query: None }
    }
}

/// Extra classification data from config (`"classify"` key); each list extends the built-in table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ClassifyConfig {
    /// Extra User-Agent substrings (case-insensitive) that mean a script or HTTP library.
    pub script_agents: Vec<String>,
    /// Extra User-Agent substrings that mean a known attack or scraping tool.
    pub attack_agents: Vec<String>,
    /// Extra User-Agent substrings that mean a crawler or bot.
    pub crawler_agents: Vec<String>,
    /// Extra User-Agent substrings that mean a browser.
    pub browser_agents: Vec<String>,
    /// Extra path prefixes (after any `/wiki` or context path) that are the browser UI's own background calls.
    pub background_paths: Vec<String>,
    /// Extra path prefixes that are static resources.
    pub static_paths: Vec<String>,
}

/// Both tables, built once from config.
#[derive(Debug, Clone)]
pub struct Classifier {
    agents: AgentTable,
    requests: RequestTable,
}

impl Classifier {
    /// Builds the built-in tables extended by `config`.
    pub fn new(config: &ClassifyConfig) -> Self {
        Classifier { agents: AgentTable::new(config), requests: RequestTable::new(config) }
    }

    /// Classifies a User-Agent string.
    pub fn agent(&self, user_agent: &str) -> AgentKind {
        self.agents.classify(user_agent)
    }

    /// [`Classifier::agent`] of a string whose `sketch::hash64` the caller already has.
    pub(crate) fn agent_hashed(&self, user_agent: &str, hash64: u64) -> AgentKind {
        self.agents.classify_hashed(user_agent, Some(hash64))
    }

    /// Classifies a request target (path and query); `agent` decides the few endpoints that
    /// are UI traffic only when a browser calls them.
    pub fn request<'a>(&self, method: &str, target: &'a str, agent: AgentKind) -> Request<'a> {
        self.requests.classify(method, target, agent)
    }
}
