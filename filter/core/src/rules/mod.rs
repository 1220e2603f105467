//! The rules' implementations (docs/rules.md), one file per rule behind one `Rule` trait
//! (`check.rs`). Their names, settings and defaults live in `rule_id.rs` and `params.rs`.

pub(crate) mod baseline;
mod burst;
pub(crate) mod check;
mod denied;
mod enumeration;
mod export;
pub(crate) mod privilege;
mod programmatic;
pub(crate) mod search;
mod session;
pub(crate) mod shared_address;

use check::Rule;

pub(crate) use crate::params::Params;
pub(crate) use crate::rule_id::RuleId;

/// Something done with every windowed rule, each seen as its own type.
pub(crate) trait RuleVisitor {
    fn visit<R: Rule>(&mut self, rule: &R);
}

/// Visits the windowed rules in [`RuleId::ALL`] order (`privilege-change` is driven by audit
/// events). Statically dispatched: a table of `&dyn Rule` costs three indirect calls per rule
/// and entity on every event, which in a WebAssembly guest (a signature check and a deadline
/// check each) was a tenth of the run time whenever the optimiser chose not to devirtualise.
pub(crate) fn for_each_rule(v: &mut impl RuleVisitor) {
    v.visit(&burst::BurstRate);
    v.visit(&programmatic::ProgrammaticAgent);
    v.visit(&enumeration::MassEnumeration);
    v.visit(&export::BulkExport);
    v.visit(&export::SpaceExport);
    v.visit(&search::SensitiveSearch);
    v.visit(&baseline::BaselineDeviation);
    v.visit(&session::SessionAnomaly);
    v.visit(&denied::AccessDeniedProbing);
}
