//! The coverage report: per facet, checks with a verdict, the evidence and the fix. Its JSON
//! form is a contract (docs/cli.md).

use serde::Serialize;

/// How well the logs show one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Covered,
    Partial,
    Missing,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Covered => "covered",
            Verdict::Partial => "partial",
            Verdict::Missing => "missing",
        }
    }
}

/// One thing looked for.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable name (`user`, `client-address`, ...).
    pub check: &'static str,
    pub verdict: Verdict,
    /// What the logs showed.
    pub evidence: String,
    /// What to change; `None` when covered.
    pub fix: Option<String>,
    /// Enabled rules that need it (empty: reported, not needed by a rule).
    pub needed_by: Vec<&'static str>,
}

/// One AN1019 facet.
#[derive(Debug, Clone, Serialize)]
pub struct Facet {
    /// `who`, `where-from`, `with-what`, `what`, `when`, `identity`.
    pub facet: &'static str,
    /// The worst verdict of its checks.
    pub verdict: Verdict,
    pub checks: Vec<Check>,
}

impl Facet {
    pub fn new(facet: &'static str, checks: Vec<Check>) -> Facet {
        let verdict = checks.iter().map(|c| c.verdict).max().unwrap_or(Verdict::Covered);
        Facet { facet, verdict, checks }
    }
}

/// A stretch of time without events.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub from: String,
    pub to: String,
    pub hours: i64,
}

/// One input.
#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub input: String,
    pub format: &'static str,
    pub lines: u64,
    pub events: u64,
    pub rejected: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Events written older than the source's clock by more than the late tolerance.
    pub out_of_order: u64,
    /// Events dated ahead of the source's clock that it then came back from.
    pub future: u64,
    pub gaps: Vec<Gap>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub inputs: Vec<Input>,
    pub events: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    pub days: f64,
    pub facets: Vec<Facet>,
    /// Checks an enabled rule needs that are not covered, as `facet/check`.
    pub uncovered: Vec<String>,
    /// Every check an enabled rule needs is covered (exit 0; otherwise exit 5).
    pub ok: bool,
}
