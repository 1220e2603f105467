//! Named selections (`--scenario`): which attack styles and which optional benign traps a
//! corpus holds. `classic` is the default; `quiet` is the two-week baseline measurement.

use crate::plan::QUIET;

/// A benign trap that is only there when selected (the standing four always are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtraTrap {
    /// A user with no history reading 100+ onboarding pages a day from their first day.
    NewHire,
    /// A whole team reading two to three times its usual volume on one day.
    ReleaseDay,
}

impl ExtraTrap {
    /// Every optional trap.
    pub const ALL: [ExtraTrap; 2] = [ExtraTrap::NewHire, ExtraTrap::ReleaseDay];

    /// Stable name (`new-hire`), as in `truth.json`.
    pub fn name(self) -> &'static str {
        match self {
            ExtraTrap::NewHire => "new-hire",
            ExtraTrap::ReleaseDay => "release-day",
        }
    }

    /// What it does.
    pub fn description(self) -> &'static str {
        match self {
            ExtraTrap::NewHire => {
                "a user with no history (first day in the last week) reads 100+ onboarding and team pages every working day"
            }
            ExtraTrap::ReleaseDay => {
                "on one day of the last week a whole team reads two to three times its usual volume"
            }
        }
    }

    /// The trap named `name`.
    pub fn from_name(name: &str) -> Option<ExtraTrap> {
        ExtraTrap::ALL.into_iter().find(|t| t.name() == name.trim())
    }
}

/// A named selection of attack styles and optional traps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// Its name (`quiet`).
    pub name: &'static str,
    /// What it selects.
    pub description: &'static str,
    /// Attack styles, by number.
    pub attacks: &'static [u8],
    /// Optional traps.
    pub traps: &'static [ExtraTrap],
}

/// The presets: `classic` (the default selection) and `quiet`.
pub const PRESETS: [Preset; 2] = [
    Preset {
        name: "classic",
        description: "the nine first-wave attacks (1-9) and the four standing traps",
        attacks: &[1, 2, 3, 4, 5, 6, 7, 8, 9],
        traps: &[],
    },
    Preset {
        name: "quiet",
        description: "the quiet attacks (10-16), all in the last week, and the new-hire and release-day traps besides the standing four; use --days 14",
        attacks: &QUIET,
        traps: &ExtraTrap::ALL,
    },
];

/// The preset named `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name.trim())
}
