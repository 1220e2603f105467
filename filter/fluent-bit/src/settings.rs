//! The `fluent_bit` section of the config file: what only this module acts on. The rest of
//! the document is the config every host shares. The CLI checks the section and leaves it
//! (it makes and checks this module's files); the proxy and the browser module refuse it as
//! the unknown key it is to them.

use serde::Deserialize;

/// The config file's section of its own (`{"fluent_bit": {...}}`). Every field is optional;
/// unknown keys are refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct FluentBitSettings {
    /// Which records carry the `wikiwatch` annotation.
    pub annotate: Annotate,
}

/// Which access-event records leave the filter with the `wikiwatch` field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Annotate {
    /// Every access event: request and agent kinds, user, address, session and alerts, for
    /// dashboards and routing on any of them.
    #[default]
    All,
    /// Only the records that raised an alert; every other record leaves exactly as it came.
    /// For pipelines that route alerts and want no enrichment: Fluent Bit no longer parses
    /// and writes a longer record each time, which is most of what the filter costs it.
    Alerts,
}

/// The section's name in the config document.
pub const SECTION: &str = "fluent_bit";
