//! The attack styles the simulator knows, and one planned attack. The planner (`attacks.rs`),
//! the renderers (`crawlers.rs`, `hunters.rs`, `insiders.rs`), the scenario and the truth
//! file all share these.

use crate::model::{Actor, Client, Ms};
use std::rc::Rc;

/// One attack style: a kind of scraping, modelled on a real tool or incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackStyle {
    /// Its number: its position in [`ATTACKS`], counted from 1. Stable: `truth.json` writes
    /// it as `id`, and the CLI's `--attacks` accepts it.
    pub id: u8,
    /// Stable kebab-case name (`rest-crawl`), written as `name` in `truth.json`.
    pub name: &'static str,
    /// The real tool or incident it is modelled on.
    pub model: &'static str,
    /// What it does.
    pub description: &'static str,
}

/// REST crawl of every space with python-requests.
pub const REST_CRAWL: u8 = 1;
/// Credential-keyword searches, then a PDF export of each hit.
pub const KEYWORD_HUNT_EXPORT: u8 = 2;
/// A burst of CQL searches with a browser user agent.
pub const SEARCH_BURST: u8 = 3;
/// Attachment searches and downloads with no user agent.
pub const ATTACHMENT_HUNT: u8 = 4;
/// A privileged account exporting spaces after hours.
pub const PRIVILEGED_EXPORT: u8 = 5;
/// An insider reading slowly all day from their own browser.
pub const SLOW_AND_LOW: u8 = 6;
/// One account spread over dozens of proxy addresses.
pub const DISTRIBUTED_ACCOUNT: u8 = 7;
/// A few credential searches and page reads at very low volume.
pub const CREDENTIAL_HUNT: u8 = 8;
/// An anonymous crawler with curl.
pub const ANONYMOUS_CRAWLER: u8 = 9;
/// An employee reading 8-12 times their usual volume, a page every two minutes, for three days.
pub const INSIDER_CREEP: u8 = 10;
/// A script with a full Chrome agent reading pages only, at night.
pub const FAKE_CHROME_SCRIPT: u8 = 11;
/// Twenty office accounts reading outside their teams from one outside address.
pub const STOLEN_ACCOUNTS: u8 = 12;
/// An administrator reading HR, legal and finance spaces at 2 a.m.
pub const ADMIN_SMALL_HOURS: u8 = 13;
/// Page PDF exports spread over a working day.
pub const SLOW_EXPORT: u8 = 14;
/// Attachment downloads spread over a working day.
pub const SLOW_ATTACHMENTS: u8 = 15;
/// REST content reads with a script agent spread over a working day.
pub const SLOW_API_READS: u8 = 16;

/// How many styles the first wave has (1 to 9): the default selection, and what `generate`
/// embeds. The quiet styles ([`QUIET`]) come after them.
pub const FIRST_WAVE: u8 = 9;
/// The quiet styles: each attacker stays under every fixed per-window threshold of the
/// detector's defaults, so only per-person baselines can tell them apart.
pub const QUIET: [u8; 7] = [
    INSIDER_CREEP,
    FAKE_CHROME_SCRIPT,
    STOLEN_ACCOUNTS,
    ADMIN_SMALL_HOURS,
    SLOW_EXPORT,
    SLOW_ATTACHMENTS,
    SLOW_API_READS,
];

const fn style(
    id: u8,
    name: &'static str,
    model: &'static str,
    description: &'static str,
) -> AttackStyle {
    AttackStyle { id, name, model, description }
}

/// Every attack style, in number order (`ATTACKS[i].id == i + 1`).
#[rustfmt::skip]
pub const ATTACKS: [AttackStyle; 16] = [
    style(REST_CRAWL, "rest-crawl", "confluence-dumper / atlassian-python-api",
     "REST crawl with python-requests: list spaces, paginate content, read each page body, grab attachments"),
    style(KEYWORD_HUNT_EXPORT, "keyword-hunt-export", "Conf-Thief",
     "CQL searches for credential terms, then a PDF export of each hit"),
    style(SEARCH_BURST, "search-burst", "conkeyscan",
     "CQL search burst with a Chrome user agent at tens of requests per second"),
    style(ATTACHMENT_HUNT, "attachment-hunt", "AtlasReaper",
     "no user agent at all: attachment searches, then downloads"),
    style(PRIVILEGED_EXPORT, "privileged-export", "admin account after hours",
     "a privileged account exporting several spaces and many pages after hours"),
    style(SLOW_AND_LOW, "slow-and-low", "insider with their own browser",
     "one page every ~10 s for a working day across many spaces, from the user's own browser"),
    style(DISTRIBUTED_ACCOUNT, "distributed-account", "residential proxy network",
     "one account from dozens of outside addresses, each quiet on its own"),
    style(CREDENTIAL_HUNT, "credential-hunt", "2023 Cloudflare intrusion",
     "a dozen credential searches and a few page reads, at very low volume"),
    style(ANONYMOUS_CRAWLER, "anonymous-crawler", "curl",
     "an anonymous crawler with curl hitting public and restricted spaces (many 401/403/404)"),
    style(INSIDER_CREEP, "insider-creep", "insider collecting before leaving",
     "an employee reads 8-12x their usual daily volume on three working days, office hours, own browser, a page every ~2 min"),
    style(FAKE_CHROME_SCRIPT, "fake-chrome-script", "headless script with a copied Chrome agent",
     "an existing account reads a few hundred pages at night, seconds apart, pages only (no resources, no XHR, no referer)"),
    style(STOLEN_ACCOUNTS, "stolen-accounts-one-address", "phished credentials used from one machine",
     "twenty office accounts each read a few dozen pages outside their team from one new outside address within two hours"),
    style(ADMIN_SMALL_HOURS, "admin-small-hours", "administrator browsing at night",
     "an administrator reads a few hundred HR, legal and finance pages from about 2 a.m. with their usual browser"),
    style(SLOW_EXPORT, "slow-export", "Conf-Thief, slowed down",
     "page PDF exports from the user's own browser, a few minutes apart over a working day"),
    style(SLOW_ATTACHMENTS, "slow-attachments", "AtlasReaper, slowed down",
     "attachment downloads without a user agent from a hosting address, a few minutes apart over a working day"),
    style(SLOW_API_READS, "slow-api-reads", "confluence-dumper, slowed down",
     "REST content reads with python-requests from the user's workstation, about one a minute over a working day"),
];

/// The attack style with this number (`"4"`) or name (`"attachment-hunt"`).
pub fn attack_style(number_or_name: &str) -> Option<&'static AttackStyle> {
    let key = number_or_name.trim();
    ATTACKS.iter().find(|a| a.name == key || key.parse::<u8>().ok() == Some(a.id))
}

/// One planned attack.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Attack style number (an [`AttackStyle::id`]).
    pub id: u8,
    /// Day it happens.
    pub day: u32,
    /// Planned start (the truth file records the first and last event actually written).
    pub start: Ms,
    /// Account used (`None` for anonymous).
    pub user: Option<Rc<str>>,
    /// Index of that account's owner in the population, if any.
    pub person: Option<usize>,
    /// Addresses the attacker uses.
    pub ips: Vec<Rc<str>>,
    /// User-Agent, `None` for none.
    pub agent: Option<Rc<str>>,
    /// Further days it runs on (after `day`).
    pub also: Vec<u32>,
    /// Further accounts it uses (indices into the population).
    pub accounts: Vec<usize>,
    /// Reads a day it aims at (styles sized by the attacker's habits; 0 otherwise).
    pub volume: u32,
    /// Entities the ground truth names (`user`/`ip`, id); empty for the first-wave styles,
    /// whose truth is their account and addresses.
    pub entities: Vec<(&'static str, Rc<str>)>,
}

impl Plan {
    /// The attacker as a client on its first address.
    pub fn client(&self) -> Client {
        Client {
            user: self.user.clone(),
            ip: self.ips[0].clone(),
            agent: self.agent.clone(),
            actor: Actor::Attack(self.id),
        }
    }

    /// Its attack style.
    pub fn style(&self) -> &'static AttackStyle {
        &ATTACKS[usize::from(self.id - 1)]
    }

    /// Whether it runs on day `d`.
    pub fn on(&self, d: u32) -> bool {
        self.day == d || self.also.contains(&d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_are_numbered_in_order_and_found_by_number_or_name() {
        for (i, a) in ATTACKS.iter().enumerate() {
            assert_eq!(usize::from(a.id), i + 1);
            assert_eq!(attack_style(a.name), Some(a));
            assert_eq!(attack_style(&a.id.to_string()), Some(a));
        }
        assert_eq!(attack_style("0"), None);
        assert_eq!(attack_style(&(ATTACKS.len() + 1).to_string()), None);
        assert_eq!(attack_style("insider-creep").map(|a| a.id), Some(INSIDER_CREEP));
        assert!(QUIET.iter().all(|&id| id > FIRST_WAVE));
        assert_eq!(attack_style("nope"), None);
    }
}
