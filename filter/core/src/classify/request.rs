//! Request classification table for Data Center and Cloud paths.
//!
//! A target is cut into path and query, the Cloud/API-gateway/context-path prefix is removed,
//! and the path is looked up in one anchored, case-insensitive prefix automaton (a DFA) built
//! from [`routes::ROUTES`] plus config entries. The DFA is walked byte by byte, so one pass
//! sees every table entry that is a prefix of the path and keeps the longest one whose
//! [`Fit`] accepts the rest. The matched route then reads ids and keys from the rest of the
//! path and the query string, borrowing from the target.

use super::paths::{self, with_params};
use super::query::Params;
use super::routes::{Fit, Route, ROUTES, STATIC_SUFFIXES};
use super::text::{find, starts_with_ignore_case};
use super::{AgentKind, ClassifyConfig, Request, RequestKind};
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

/// Path table for requests (built-in entries extended by config).
#[derive(Debug, Clone)]
pub struct RequestTable {
    /// Longest-prefix matcher over `rows`' patterns; `None` only if building it failed (then
    /// every request is `Other` rather than the engine failing to start).
    matcher: Option<DFA>,
    /// How to use each pattern, by pattern id.
    rows: Vec<(Fit, Route)>,
}

impl RequestTable {
    /// Built-in table extended by `config`.
    pub fn new(config: &ClassifyConfig) -> Self {
        let mut patterns: Vec<String> = Vec::with_capacity(ROUTES.len());
        let mut rows: Vec<(Fit, Route)> = Vec::with_capacity(ROUTES.len());
        for &(pattern, fit, route) in ROUTES {
            patterns.push(pattern.to_owned());
            rows.push((fit, route));
        }
        let extra = [
            (&config.background_paths, RequestKind::Background),
            (&config.static_paths, RequestKind::Static),
        ];
        for (list, kind) in extra {
            for prefix in list.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
                let prefix =
                    if prefix.starts_with('/') { prefix.to_owned() } else { format!("/{prefix}") };
                let row = (Fit::Prefix, Route::Fixed(kind));
                // A config entry equal to a built-in one replaces it (the automaton would
                // otherwise pick one of the two duplicates arbitrarily).
                match patterns.iter().position(|p| p.eq_ignore_ascii_case(&prefix)) {
                    Some(i) => rows[i] = row,
                    None => {
                        patterns.push(prefix);
                        rows.push(row);
                    }
                }
            }
        }
        let matcher = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .prefilter(false)
            .build(&patterns)
            .ok();
        RequestTable { matcher, rows }
    }

    /// Classifies one request target.
    pub fn classify<'a>(&self, method: &str, target: &'a str, agent: AgentKind) -> Request<'a> {
        // CORS preflights and the like read nothing, whatever path they name.
        if ["OPTIONS", "TRACE", "CONNECT"].iter().any(|m| method.eq_ignore_ascii_case(m)) {
            return Request::of_kind(RequestKind::Other);
        }
        let Some((path, query)) = split_target(target) else {
            return Request::of_kind(RequestKind::Other);
        };
        let path = strip_platform_prefix(path);
        // An unknown first segment is taken to be a Data Center context path (`/confluence`).
        let found = self.lookup(path).or_else(|| {
            let rest = find(path.get(1..)?, [b'/']).map(|i| &path[i + 1..])?;
            self.lookup(rest)
        });
        let request = match found {
            Some((route, p, end)) => self.route(route, p, end, query, method, agent),
            None => Request::of_kind(RequestKind::Other),
        };
        if request.kind == RequestKind::Other && has_static_suffix(path) {
            return Request::of_kind(RequestKind::Static);
        }
        // A browser rendering a page fetches its inline images from `/download/attachments/`:
        // that is page furniture, not a download. A script fetching the same image still counts.
        if request.kind == RequestKind::AttachmentDownload
            && agent == AgentKind::Browser
            && has_suffix(path, &IMAGE_SUFFIXES)
        {
            return Request::of_kind(RequestKind::Static);
        }
        request
    }

    /// The longest table entry that is a prefix of `path` and accepts the rest of it: its
    /// route, the path, and where the entry ended.
    fn lookup<'a>(&self, path: &'a str) -> Option<(Route, &'a str, usize)> {
        let dfa = self.matcher.as_ref()?;
        let mut sid = dfa.start_state(Anchored::Yes).ok()?;
        let mut best = None;
        for (i, &b) in path.as_bytes().iter().enumerate() {
            sid = dfa.next_state(Anchored::Yes, sid, b);
            if !dfa.is_special(sid) {
                continue;
            }
            if dfa.is_dead(sid) {
                break;
            }
            if !dfa.is_match(sid) {
                continue;
            }
            // Anchored and deduplicated: exactly one entry ends here, the one equal to
            // `path[..=i]`. Patterns are ASCII, so `i + 1` is a char boundary.
            let end = i + 1;
            let row = self.rows.get(dfa.match_pattern(sid, 0).as_usize());
            if let (Some(&(fit, route)), Some(rest)) = (row, path.get(end..)) {
                if fit.accepts(rest) {
                    best = Some((route, path, end));
                }
            }
        }
        best
    }

    fn route<'a>(
        &self,
        route: Route,
        path: &'a str,
        end: usize,
        query: &'a str,
        method: &str,
        agent: AgentKind,
    ) -> Request<'a> {
        let rest = path.get(end..).unwrap_or("");
        let write = is_write(method);
        match route {
            Route::Fixed(kind) if paths::uses_params(kind) => {
                with_params(kind, &Params::parse(query))
            }
            Route::Fixed(kind) => Request::of_kind(kind),
            Route::Display => paths::display(rest),
            // `end - 1` is the `x` of `/x`, so the page identity reads `x/CODE`.
            Route::TinyLink => paths::tiny_link(path.get(end.saturating_sub(1)..).unwrap_or("")),
            Route::Spaces => paths::spaces(rest, &Params::parse(query)),
            Route::RestContent => paths::rest_content(rest, &Params::parse(query), write),
            Route::RestSpace => paths::rest_space(rest, &Params::parse(query), method, write),
            Route::ApiV2 => paths::api_v2(rest, &Params::parse(query), write),
            Route::Attachments => paths::attachments(rest, &Params::parse(query)),
            Route::CurrentUser if agent == AgentKind::Browser => {
                Request::of_kind(RequestKind::Background)
            }
            Route::CurrentUser => Request::of_kind(RequestKind::Other),
            Route::SearchV3 => {
                let params = Params::parse(query);
                let kind = if params.has_search_text() {
                    RequestKind::Search
                } else {
                    RequestKind::Background
                };
                with_params(kind, &params)
            }
        }
    }
}

/// POST, PUT, DELETE and PATCH change things; an empty method (audit records) does not.
fn is_write(method: &str) -> bool {
    ["POST", "PUT", "DELETE", "PATCH"].iter().any(|m| method.eq_ignore_ascii_case(m))
}

/// Splits a request target into path and query: drops an absolute URI's scheme and authority,
/// the `#fragment` and `;jsessionid=`-style path parameters. `None` for `*`, authority-form
/// (`CONNECT host:443`) and anything else that is not a path.
fn split_target(target: &str) -> Option<(&str, &str)> {
    let mut t = target.trim();
    for scheme in ["http://", "https://"] {
        if starts_with_ignore_case(t, scheme) {
            let after = &t[scheme.len()..];
            // `http://host?x` has an empty path, which means `/`.
            t = find(after, [b'/', b'?']).map_or("/", |i| &after[i..]);
            if t.starts_with('?') {
                return Some(("/", query_of(t)));
            }
            break;
        }
    }
    let path_end = find(t, [b'?', b'#', b';']).unwrap_or(t.len());
    let path = &t[..path_end];
    path.starts_with('/').then(|| (path, query_of(&t[path_end..])))
}

/// The query string in what follows a path (`;params?query#fragment`), fragment included:
/// the query scanner stops at `#`, which saves a pass here.
fn query_of(after_path: &str) -> &str {
    match find(after_path, [b'?', b'#']) {
        Some(i) if after_path.as_bytes()[i] == b'?' => &after_path[i + 1..],
        _ => "",
    }
}

/// Removes the API gateway prefix (`/ex/confluence/{cloudId}`) and Cloud's `/wiki`.
fn strip_platform_prefix(mut path: &str) -> &str {
    const GATEWAY: &str = "/ex/confluence/";
    if starts_with_ignore_case(path, GATEWAY) {
        let after = &path[GATEWAY.len()..];
        path = find(after, [b'/']).map_or("", |i| &after[i..]);
    }
    if starts_with_ignore_case(path, "/wiki") {
        let rest = &path[5..];
        if rest.is_empty() || rest.starts_with('/') {
            path = rest;
        }
    }
    path
}

fn has_static_suffix(path: &str) -> bool {
    has_suffix(path, STATIC_SUFFIXES)
}

/// Image files a page shows inline.
const IMAGE_SUFFIXES: [&str; 8] =
    [".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".ico"];

/// Whether the last path segment ends with one of `suffixes` (ASCII case-insensitive).
fn has_suffix(path: &str, suffixes: &[&str]) -> bool {
    let last = path.bytes().rposition(|b| b == b'/').map_or(path, |i| &path[i + 1..]);
    suffixes.iter().any(|s| {
        last.len() > s.len()
            && last.as_bytes()[last.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
    })
}
