//! What an analyst asks after an alert: which incidents, who is busiest, and for one entity and
//! time span, what was read, exported and downloaded. Pure like the core (no IO, no clock), so
//! the CLI (`wikiwatch scope`, `wikiwatch report`) and the browser module give the same answer
//! from the same lines.
//!
//! - [`coverage`]: what the logs can show, per AN1019 facet, and what to change.
//! - [`entity`]: which entity (`user:`, `ip:`, `session:`) and whether an event is theirs.
//! - [`gather`]: the per-entity tables (kinds, spaces, pages, searches, exports, ...).
//! - [`pages`]: one page, one identity (id and `KEY/Title` spellings joined by Referer or session).
//! - [`incidents`]: alerts grouped by entity and incident; the busiest entities.
//! - [`exposure`]: the exposure report of one entity.
//! - [`report`]: the driver that feeds events and alerts to all of them.
//! - [`html`]: the self-contained HTML rendering (inline CSS and SVG).

#![forbid(unsafe_code)]

pub mod coverage;
pub mod entity;
pub mod exposure;
pub mod gather;
pub mod html;
pub mod incidents;
pub mod pages;
pub mod report;
mod svg;

pub use entity::Entity;
pub use gather::{Gather, Seen};
pub use report::{Report, ReportOptions, Reporter};
