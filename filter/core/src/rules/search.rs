//! `sensitive-search`: searches for credential-like terms. Fires at low volume on purpose: the
//! most damaging intrusions (2023's Cloudflare) read few pages after a handful of searches.

use super::check::{Ctx, Finding, Rule};
use crate::alert::{EntityKind, Severity};
use crate::rules::RuleId;

/// Built-in credential-like terms (lowercase); `rules.sensitive-search.terms` adds more.
pub const TERMS: &[&str] = &[
    "password",
    "passwd",
    "passwort",
    "secret",
    "token",
    "api key",
    "apikey",
    "api_key",
    "private key",
    "ssh key",
    "id_rsa",
    "vpn",
    "openconnect",
    "aws_secret_access_key",
    "aws_access_key_id",
    "credential",
    "remote access",
    "keystore",
    "kubeconfig",
    "begin rsa",
    "client_secret",
    "login details",
    "root access",
    "admin account",
];

/// The credential-like terms a search query mentions, as bits (built-in terms first, then
/// config terms; terms past 64 share the last bit). Zero when the query is innocent.
///
/// Rules count distinct *terms*, not distinct queries: quick-search fires on every keystroke,
/// so "passw", "password", "password reset" are one person looking for one thing.
pub fn sensitive_terms(query: &str, extra: &[String]) -> u64 {
    let q = query.to_lowercase();
    let bit = |i: usize| 1u64 << i.min(63);
    let builtin =
        TERMS.iter().enumerate().filter(|(_, t)| q.contains(*t)).fold(0, |m, (i, _)| m | bit(i));
    extra
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty() && q.contains(&t.to_lowercase()))
        .fold(builtin, |m, (i, _)| m | bit(TERMS.len() + i))
}

pub(crate) struct SensitiveSearch;

impl Rule for SensitiveSearch {
    fn id(&self) -> RuleId {
        RuleId::SensitiveSearch
    }
    fn applies_to(&self, kind: EntityKind) -> bool {
        kind != EntityKind::Session
    }
    fn check(&self, cx: &Ctx<'_, '_>) -> Option<Finding> {
        if cx.view.sensitive == 0 {
            return None;
        }
        let count = u64::from(cx.state.sensitive.count);
        let distinct = u64::from(cx.state.sensitive_terms.count_ones());
        if count < cx.threshold {
            return None;
        }
        // One search for "vpn" is an employee; a hunt across several credential terms is not.
        let base = cx.params.severity;
        let severity = match distinct {
            0..=2 => Severity::Low,
            3..=5 => base,
            _ => base.raised(),
        };
        let severity =
            if cx.view.agent_kind.is_programmatic() { severity.raised() } else { severity };
        Some(Finding {
            count,
            threshold: cx.threshold,
            severity,
            window_start: cx.state.sensitive.start,
            stage: 0,
        })
    }
    fn describe(&self, cx: &Ctx<'_, '_>, f: &Finding) -> String {
        let q: String = cx.view.query.unwrap_or_default().chars().take(80).collect();
        format!(
            "searched for credential terms {} times ({} distinct terms) within {}, last \"{q}\"",
            f.count,
            cx.state.sensitive_terms.count_ones(),
            cx.params.window
        )
    }
}
