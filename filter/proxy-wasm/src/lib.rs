//! # wikiwatch-proxy-wasm
//!
//! The wikiwatch detector as a proxy-wasm 0.2.1 filter (Envoy, Istio, Kong with
//! ngx_wasm_module, APISIX). An adapter only: it turns requests into
//! [`wikiwatch_core::AccessEvent`]s and alerts into log lines and throttle decisions.
//!
//! Proxies run one VM per worker thread, but counts must be per proxy, so:
//!
//! ```text
//! worker VM (each):  request headers --lookup--> shared-data slots --> x-wikiwatch / 429
//!                    (and shared-data identities: which user a session or credential is)
//!                    log phase --enqueue compact event--> shared queue "wikiwatch_events"
//! leader VM (one, holds the lease in shared data "wikiwatch/leader"):
//!                    tick / queue-ready --dequeue--> Engine::push_event --> alert JSON at warn,
//!                    optional collector POST, rule-active-until decisions into the slots,
//!                    and which user each answered request's session or credential belongs to
//! ```
//!
//! The modules below `host`, `root` and `http` are pure and run natively in unit tests.
#![warn(missing_docs)]

pub mod identity;
pub mod lease;
pub mod local;
pub mod metrics;
pub mod pbstruct;
pub mod request;
pub mod settings;
pub mod shared;
pub mod slots;
pub mod wire;

pub mod callout;
pub mod host;
pub mod http;
pub mod judge;
pub mod root;
pub mod warm;

/// The module's entry point (`_initialize`, run once per VM): registers the root context.
mod entry {
    proxy_wasm::main! {{
        proxy_wasm::set_root_context(|_| -> Box<dyn proxy_wasm::traits::RootContext> {
            Box::new(crate::root::Root::new())
        });
    }}
}
