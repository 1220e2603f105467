//! Request classification table for Data Center and Cloud paths.
//!
//! A target is cut into path and query, the Cloud/API-gateway/context-path prefix is removed,
//! and the path is looked up in one anchored, case-insensitive longest-prefix automaton built
//! from [`routes::ROUTES`] plus config entries. The matched route then reads ids and keys from
//! the rest of the path and the query string, borrowing from the target.

use super::paths::{self, with_params};
use super::query::Params;
use super::routes::{Fit, Route, ROUTES, STATIC_SUFFIXES};
use super::{AgentKind, ClassifyConfig, Request, RequestKind};
use aho_corasick::{AhoCorasick, Anchored, Input, MatchKind, StartKind};

/// Path table for requests (built-in entries extended by config).
#[derive(Debug, Clone)]
pub struct RequestTable {
    /// Longest-prefix matcher over `rows`' patterns; `None` only if building it failed (then
    /// every request is `Other` rather than the engine failing to start).
    matcher: Option<AhoCorasick>,
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
        let matcher = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(&patterns)
            .ok();
        RequestTable { matcher, rows }
    }

    /// Classifies one request target.
    pub fn classify<'a>(&self, method: &str, target: &'a str, agent: AgentKind) -> Request<'a> {
        let Some((path, query)) = split_target(target) else {
            return Request::of_kind(RequestKind::Other);
        };
        let path = strip_platform_prefix(path);
        // An unknown first segment is taken to be a Data Center context path (`/confluence`).
        let found = self.lookup(path).or_else(|| {
            let rest = path.get(1..)?.find('/').map(|i| &path[i + 1..])?;
            self.lookup(rest)
        });
        let request = match found {
            Some((route, p, end)) => self.route(route, p, end, query, method, agent),
            None => Request::of_kind(RequestKind::Other),
        };
        if request.kind == RequestKind::Other && has_static_suffix(path) {
            return Request::of_kind(RequestKind::Static);
        }
        request
    }

    /// The longest table entry that accepts `path`: its route, the path, and where it ended.
    fn lookup<'a>(&self, path: &'a str) -> Option<(Route, &'a str, usize)> {
        let matcher = self.matcher.as_ref()?;
        let mut hay = path;
        // The longest match may not accept the rest of the path (`/rest/api/content` against
        // `/rest/api/contentbody/..`); then look for the longest entry that is a strict
        // prefix of it. Each round drops at least one byte, and patterns are few and short.
        loop {
            let m = matcher.try_find(Input::new(hay).anchored(Anchored::Yes)).ok()??;
            let (fit, route) = *self.rows.get(m.pattern().as_usize())?;
            if fit.accepts(path.get(m.end()..)?) {
                return Some((route, path, m.end()));
            }
            // Patterns are ASCII, so `m.end() - 1` is a char boundary.
            hay = path.get(..m.end().checked_sub(1)?)?;
        }
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
            Route::Fixed(kind) => with_params(kind, &Params::parse(query)),
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
        if t.len() >= scheme.len()
            && t.as_bytes()[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes())
        {
            let after = &t[scheme.len()..];
            t = after.find(['/', '?']).map_or("/", |i| &after[i..]);
            break;
        }
    }
    let t = t.split('#').next().unwrap_or("");
    let (path, query) = t.split_once('?').unwrap_or((t, ""));
    let path = path.split(';').next().unwrap_or("");
    // `http://host?x` has an empty path, which means `/`.
    let path = if path.is_empty() && t.starts_with('?') { "/" } else { path };
    path.starts_with('/').then_some((path, query))
}

/// Removes the API gateway prefix (`/ex/confluence/{cloudId}`) and Cloud's `/wiki`.
fn strip_platform_prefix(mut path: &str) -> &str {
    const GATEWAY: &str = "/ex/confluence/";
    if starts_with_ignore_case(path, GATEWAY) {
        let after = &path[GATEWAY.len()..];
        path = after.find('/').map_or("", |i| &after[i..]);
    }
    if starts_with_ignore_case(path, "/wiki") {
        let rest = &path[5..];
        if rest.is_empty() || rest.starts_with('/') {
            path = rest;
        }
    }
    path
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn has_static_suffix(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    STATIC_SUFFIXES.iter().any(|s| {
        last.len() > s.len()
            && last.as_bytes()[last.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
    })
}
