//! # wikiwatch-core
//!
//! The detection core of wikiwatch, MITRE ATT&CK analytic AN1019 (T1213.001: data from
//! Confluence). Pure Rust: no IO, no clock, no randomness; every host (CLI, component,
//! Fluent Bit, proxy, browser) runs this same code.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! line/record --decode--> AccessEvent --classify--> (RequestKind, AgentKind)
//!     --> entity state (table: users, ips, sessions; windows and sketches)
//!     --> rules --> alerts (cooldown, escalation) --> AlertSink
//! ```
//!
//! ```
//! use wikiwatch_core::{Engine, Config, Format};
//! let mut engine = Engine::new(Config::default()).unwrap();
//! let mut alerts = Vec::new();
//! let line = b"[18/Dec/2020:12:57:26 +1100] alice http-nio-8090-exec-6 10.0.0.5 GET /display/ENG/Home HTTP/1.1 200 12ms 7881 - Mozilla/5.0 (X11; Linux x86_64)";
//! engine.push_line(line, Format::Auto, &mut alerts).unwrap();
//! engine.finish(&mut alerts);
//! assert_eq!(engine.stats().events, 1);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod alert;
mod allow;
mod band;
pub mod bytes;
pub mod classify;
pub mod clock;
pub mod config;
mod config_error;
pub mod decode;
mod detect;
mod duration;
mod engine;
pub mod event;
mod evidence;
mod identity;
mod judge;
pub mod merge;
pub mod metrics;
mod pace;
mod params;
mod peers;
mod profile;
mod raise;
mod rule_id;
mod rules;
mod severity;
pub mod siem;
mod sketch;
mod snapshot;
mod state;
pub mod state_summary;
mod stats;
mod substrings;
mod table;
mod window;

pub use alert::{Alert, AlertSink, EntityKind, EntityRef, Evidence, Severity};
pub use allow::{AllowList, AllowMatch};
pub use band::{Band, Baseline, BaselineDays};
pub use classify::{AgentKind, RequestKind};
pub use config::{Config, ConfigError};
pub use decode::{batch_lines, DecodeError, Format};
pub use detect::session_id;
pub use duration::Duration;
pub use engine::{Engine, Outcome, RestoreError};
pub use event::{AccessEvent, AuditAction, TimeMs};
pub use evidence::mask_query;
pub use params::Params;
pub use rule_id::RuleId;
pub use siem::AlertFormat;
pub use sketch::hash32;
pub use snapshot::SnapshotError;
pub use state_summary::{describe_state, StateSummary};
pub use stats::Stats;
