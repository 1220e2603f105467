//! The per-request filter: reads who and what at request headers (and which users its session,
//! credential or sender were answered as, `crate::identity`), checks the shared throttle table,
//! completes the event at response headers, and queues it for the leader at log time (or, in
//! `engine: worker` mode, judges it at once in this VM's own engine).

use crate::host::HostMetrics;
use crate::judge;
use crate::request::{self, Pairs, MAX_FIELD};
use crate::settings::Mode;
use crate::shared::Shared;
use crate::slots::{self, EntityKey};
use crate::wire::WireEvent;
use crate::{host, identity};
use proxy_wasm::hostcalls;
use proxy_wasm::traits::{Context, HttpContext};
use proxy_wasm::types::{Action, MapType};
use std::rc::Rc;
use wikiwatch_core::{EntityKind, RuleId};

/// One HTTP stream.
#[derive(Debug)]
pub struct Filter {
    shared: Option<Rc<Shared>>,
    event: WireEvent,
    /// Answered locally (429): not an access Confluence saw, so not queued.
    throttled: bool,
    /// Request headers were seen (a stream reset before them queues nothing).
    started: bool,
}

impl Filter {
    /// A filter; `None` shared state (configuration failed) makes it a pass-through.
    pub fn new(shared: Option<Rc<Shared>>) -> Filter {
        Filter { shared, event: WireEvent::default(), throttled: false, started: false }
    }
}

impl Context for Filter {}

impl HttpContext for Filter {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let Some(shared) = self.shared.clone() else {
            return Action::Continue;
        };
        let s = &shared.settings;
        let store = shared.store();
        let now = host::now_ms();
        self.started = true;
        // One host call for the whole map (not one per header).
        let map = host::header_map(MapType::HttpRequestHeaders);
        let h = Pairs::parse(&map);
        let authorization = h.get("authorization");
        let forwarded = if s.trusted_hops > 0 { h.get(&s.client_header) } else { None };
        let client = request::client(forwarded, s.trusted_hops, None)
            .or_else(|| host::peer_address().and_then(|p| request::client(None, 0, Some(&p))));
        let cookie = if s.session_cookies.is_empty() { None } else { h.get("cookie") };
        let session = request::session(cookie, authorization, &s.session_cookies, s.session_bearer)
            .map(request::session_hash);
        let credential =
            request::credential(authorization, s.session_bearer).map(request::session_hash);
        let basic_user = request::basic_user(authorization);
        let client_tagged = h.get(&s.upstream_header).is_some();
        self.event = WireEvent {
            time_ms: now,
            method: h.text(":method", 32),
            target: h.text(":path", MAX_FIELD),
            agent: h.text("user-agent", 1024),
            client,
            session,
            credential,
            user: basic_user,
            ..WireEvent::default()
        };

        // The users this request's session, credential or sender were last answered as.
        let ev = &self.event;
        let mut users: Vec<String> = ev.user.iter().cloned().collect();
        for id in identity::of(
            ev.session.as_deref(),
            ev.credential.as_deref(),
            ev.client.as_deref(),
            &ev.agent,
        ) {
            let found = identity::lookup(store, s.identities, &id, now, shared.identity_ttl_ms);
            if let Some(u) = found.filter(|u| !users.contains(u)) {
                users.push(u);
            }
        }

        // Rules active for any entity of this request, and the latest throttle end.
        let keys = [
            ev.client.as_deref().map(|c| EntityKey::new(EntityKind::Ip, c)),
            ev.session.as_deref().map(|c| EntityKey::new(EntityKind::Session, c)),
        ]
        .into_iter()
        .flatten()
        .chain(users.iter().map(|u| EntityKey::new(EntityKind::User, u)));
        let mut active = [false; RuleId::ALL.len()];
        let mut throttle_until: Option<i64> = None;
        for key in keys {
            let Some(entry) = slots::lookup(store, s.slots, &key) else {
                continue;
            };
            for a in entry.active(now) {
                active[a.rule.index()] = true;
                if s.enforce.throttles(a.rule, a.severity) {
                    throttle_until = Some(throttle_until.map_or(a.until_ms, |u| u.max(a.until_ms)));
                }
            }
        }
        let names: Vec<&str> =
            RuleId::ALL.iter().filter(|r| active[r.index()]).map(|r| r.as_str()).collect();
        let names = names.join(",");

        if let (Mode::Enforce, Some(until)) = (s.mode, throttle_until) {
            // Allow-listed only as every user it is known as: a Basic name a client claims
            // cannot lift the throttle of the user its session belongs to.
            let who = if users.is_empty() {
                vec![None]
            } else {
                users.iter().map(|u| Some(u.as_str())).collect()
            };
            let allowed = who.into_iter().all(|u| {
                shared.allow.check(u, ev.client.as_deref(), &ev.agent, &ev.target).is_some()
            });
            if !allowed {
                let retry = ((until - now + 999) / 1000).max(1).to_string();
                let sent = hostcalls::send_http_response(
                    429,
                    vec![
                        ("retry-after", &retry),
                        ("content-type", "text/plain"),
                        (&s.upstream_header, &names),
                    ],
                    Some(b"Too Many Requests: automated bulk access to Confluence is throttled\n"),
                );
                if sent.is_ok() {
                    shared.metrics.throttled(&mut HostMetrics);
                    self.throttled = true;
                    return Action::Pause;
                }
            }
        }
        // Replace any client-sent value, so the upstream can trust the header: emptied rather
        // than removed when no rule is active, because nginx's proxy_pass still sends a header
        // that ngx_wasm_module removed.
        if !names.is_empty() || client_tagged {
            let _ = hostcalls::set_map_value(
                MapType::HttpRequestHeaders,
                &s.upstream_header,
                Some(names.as_str()),
            );
        }
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let Some(shared) = &self.shared else {
            return Action::Continue;
        };
        if !self.started || self.throttled {
            return Action::Continue;
        }
        let map = host::header_map(MapType::HttpResponseHeaders);
        let h = Pairs::parse(&map);
        self.event.status = h.text(":status", 8).trim().parse().unwrap_or(0);
        self.event.bytes = h.text("content-length", 24).trim().parse().unwrap_or(0);
        if let Some(u) = h.get(&shared.settings.user_header) {
            let u = request::text(u, 256);
            let u = u.trim();
            // Read exactly as the access log's `%{X-AUSERNAME}o` field is: `-` means nobody.
            self.event.user = (!u.is_empty() && u != "-").then(|| u.to_string());
        }
        if let Some(w) = &shared.worker {
            // No log phase, no tick: the request is judged now, by this VM's engine.
            if let Some(j) = w.judge.borrow_mut().as_mut() {
                let mut lines = Vec::new();
                j.event(shared, &w.store, &self.event, &mut lines);
                j.sync_metrics(&mut HostMetrics);
                judge::emit(shared, &mut j.counters, &lines);
            }
        }
        Action::Continue
    }

    fn on_log(&mut self) {
        let Some(shared) = &self.shared else { return };
        if !self.started || self.throttled || shared.worker.is_some() {
            return;
        }
        // Queue full or gone: the event is lost (and counted), the request is not (fail open).
        let queued = shared.queue.get().is_some_and(|q| host::enqueue(q, &self.event.encode()));
        if !queued {
            shared.metrics.queue_drop(&mut HostMetrics);
        }
    }
}
