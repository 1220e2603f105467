//! `sensitive-search`: searches for credential-like terms. Fires at low volume on purpose: the
//! most damaging intrusions (2023's Cloudflare) read few pages after a handful of searches.

use super::check::{Ctx, Finding, Rule};
use crate::alert::{EntityKind, Severity};
use crate::rules::RuleId;
use crate::substrings;
use aho_corasick::dfa::DFA;
use std::ops::ControlFlow;

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

/// Finds the credential-like terms a search query mentions.
///
/// Rules count distinct *terms*, not distinct queries: quick-search fires on every keystroke,
/// so "passw", "password", "password reset" are one person looking for one thing.
///
/// All terms live in one automaton, so a query is scanned once rather than once per term (a
/// substring search per term is cheap natively, where the standard library has a SIMD fast
/// path, and not in a WebAssembly guest).
#[derive(Debug, Clone)]
pub struct SensitiveTerms {
    matcher: Option<DFA>,
    /// Bit of each pattern.
    bits: Vec<u64>,
}

impl SensitiveTerms {
    /// The built-in [`TERMS`] and `extra` (compared in lowercase; empty ones ignored).
    pub fn new(extra: &[String]) -> SensitiveTerms {
        let bit = |i: usize| 1u64 << i.min(63);
        let extra = extra.iter().map(|t| t.to_lowercase());
        let (patterns, bits): (Vec<String>, Vec<u64>) = TERMS
            .iter()
            .map(|t| (*t).to_owned())
            .chain(extra)
            .enumerate()
            .filter(|(_, t)| !t.is_empty())
            .map(|(i, t)| (t, bit(i)))
            .unzip();
        // Patterns are lowercase; ASCII case-insensitivity spares lowercasing ASCII queries.
        SensitiveTerms { matcher: substrings::matcher(&patterns), bits }
    }

    /// The terms `query` mentions, as bits (built-in terms first, then config terms; terms
    /// past 64 share the last bit). Zero when the query is innocent.
    pub fn bits(&self, query: &str) -> u64 {
        let Some(m) = &self.matcher else { return 0 };
        let scan = |q: &str| {
            let mut found = 0;
            substrings::each(m, q.as_bytes(), |pattern| {
                found |= self.bits.get(pattern).copied().unwrap_or(0);
                ControlFlow::Continue(())
            });
            found
        };
        if query.is_ascii() {
            scan(query)
        } else {
            scan(&query.to_lowercase())
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_found_once_each_in_any_case() {
        let t = SensitiveTerms::new(&["Contraseña".into(), String::new(), "vault".into()]);
        let bit = |term: &str| 1u64 << TERMS.iter().position(|t| *t == term).unwrap();
        assert_eq!(t.bits("how do I reset my PassWord"), bit("password"));
        // Overlapping terms each count.
        assert_eq!(
            t.bits("AWS_SECRET_ACCESS_KEY api_key"),
            bit("aws_secret_access_key") | bit("secret") | bit("api_key")
        );
        assert_eq!(t.bits("VPN vpn"), bit("vpn"));
        assert_eq!(t.bits("quarterly roadmap"), 0);
        // Config terms follow the built-ins (the empty one keeps its place); non-ASCII ones
        // match whatever the query's case.
        assert_eq!(t.bits("CONTRASEÑA del wifi"), 1 << TERMS.len());
        assert_eq!(t.bits("Vault tokens"), 1 << (TERMS.len() + 2) | bit("token"));
    }
}
