//! User-Agent classification table.
//!
//! Every built-in substring lives in the lists below; config lists extend them. All patterns
//! go into one case-insensitive Aho-Corasick automaton, so a User-Agent is scanned once,
//! without allocating, and the most telling category found anywhere in it wins:
//! attack tool, then crawler, then script, then a known non-browser app, then browser. That
//! order is what makes `Mozilla/5.0 (compatible; Googlebot/2.1)` a crawler and
//! `Mozilla/5.0 ... WindowsPowerShell/5.1` a script, while a plain browser string (even one a
//! script sends to pass as a browser) stays a browser.

use super::memo::{hash, Memo};
use super::{AgentKind, ClassifyConfig};
use crate::substrings;
use aho_corasick::dfa::DFA;
use std::ops::ControlFlow;

/// Known attack, recon and scraping tools (several name Confluence outright).
pub(super) static ATTACK_TOOLS: &[&str] = &[
    "conkeyscan",
    "confluence-dumper",
    "confluence_dumper",
    "atlasreaper",
    "conf-thief",
    "confthief",
    "sqlmap",
    "nikto",
    "nuclei",
    "gobuster",
    "ffuf",
    "fuzz faster u fool",
    "dirbuster",
    "dirsearch",
    "feroxbuster",
    "wfuzz",
    "masscan",
    "zgrab",
    "burp",
    "hydra",
    "nmap",
    "ncrack",
    "patator",
    "openvas",
    "nessus",
    "acunetix",
    "netsparker",
    "invicti",
    "wpscan",
    "whatweb",
    "zaproxy",
    "owasp zap",
    "arachni",
    "skipfish",
    "w3af",
    "commix",
    "xsstrike",
    "dalfox",
    "jaeles",
    "hakrawler",
    "gospider",
    "interactsh",
    "metasploit",
    "havij",
    "sqlninja",
];

/// Crawlers, link-preview fetchers and monitoring bots.
pub(super) static CRAWLERS: &[&str] = &[
    // Generic tokens: `bot` only where it ends a product name, so device names that merely
    // contain the letters (`CUBOT X30`) do not turn phones into crawlers.
    "bot/",
    "bot;",
    "bot)",
    "bot-",
    "bot+",
    "robot",
    "spider",
    "crawl",
    "slurp",
    "archiver",
    "googlebot",
    "googleother",
    "google-inspectiontool",
    "mediapartners-google",
    "adsbot-google",
    "feedfetcher-google",
    "apis-google",
    "bingbot",
    "bingpreview",
    "msnbot",
    "slackbot",
    "slack-imgproxy",
    "facebookexternalhit",
    "facebot",
    "twitterbot",
    "linkedinbot",
    "discordbot",
    "telegrambot",
    "whatsapp",
    "applebot",
    "duckduckbot",
    "yandexbot",
    "baiduspider",
    "ahrefsbot",
    "semrushbot",
    "mj12bot",
    "dotbot",
    "petalbot",
    "bytespider",
    "gptbot",
    "chatgpt-user",
    "claudebot",
    "ccbot",
    "perplexitybot",
    "amazonbot",
    "pinterest/",
    "skypeuripreview",
    "microsoftpreview",
    "embedly",
    "uptimerobot",
    "pingdom",
];

/// Scripts, HTTP libraries, CLI clients and browser automation.
pub(super) static SCRIPTS: &[&str] = &[
    "python-requests",
    "python-urllib",
    "python-httpx",
    "python/",
    "aiohttp",
    "httpx",
    "urllib3",
    "httplib2",
    "pycurl",
    "curl",
    "wget",
    "go-http-client",
    "go-resty",
    "fasthttp",
    "java/",
    "java-http-client",
    "okhttp",
    "apache-httpclient",
    "apache-httpasyncclient",
    "atlassian httpclient",
    "jersey/",
    "axios",
    "node-fetch",
    "undici",
    "node.js",
    "node/",
    "got (https://github.com/sindresorhus/got)",
    "deno/",
    "bun/",
    "powershell",
    "libwww-perl",
    "lwp::",
    "scrapy",
    "atlassian-python-api",
    "ruby",
    "faraday",
    "reqwest",
    "httpie",
    "postmanruntime",
    "insomnia",
    "guzzlehttp",
    "restsharp",
    "winhttp",
    "dart:io",
    "ktor-client",
    "headlesschrome",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    "jmeter",
    "gatling",
    "k6/",
    "locust",
    "apachebench",
];

/// Whole User-Agent values (compared case-insensitively) that name a runtime and nothing else:
/// Node's built-in fetch sends just `node`.
pub(super) static SCRIPT_EXACT: &[&str] = &["node", "java", "python", "go", "deno", "bun"];

/// Atlassian's own mobile apps: they embed a browser engine, so they must be recognised
/// before the browser tokens are.
pub(super) static APPS: &[&str] = &[
    "com.atlassian.confluence",
    "confluencemobile",
    "confluence mobile",
    "atlassianmobileapp",
    "confluence-android",
    "confluence-ios",
];

/// Browser engines and products.
pub(super) static BROWSERS: &[&str] = &[
    "chrome/",
    "chromium/",
    "firefox/",
    "safari/",
    "edg/",
    "edge/",
    "edga/",
    "edgios/",
    "opr/",
    "opera",
    "msie ",
    "trident/",
    "crios/",
    "fxios/",
    "samsungbrowser/",
    "vivaldi/",
    "yabrowser/",
    "applewebkit/",
    "gecko/",
    "like gecko",
];

/// Categories in the order they win, best first.
const RANKED: [AgentKind; 5] = [
    AgentKind::AttackTool,
    AgentKind::Crawler,
    AgentKind::Script,
    AgentKind::Other,
    AgentKind::Browser,
];

/// Substring table for agents (built-in entries extended by config).
#[derive(Debug, Clone)]
pub struct AgentTable {
    /// All substrings, case-insensitive; `None` only if building failed (then everything not
    /// empty is `Other` rather than the engine failing to start).
    matcher: Option<DFA>,
    /// Index into [`RANKED`] of each pattern, by pattern id.
    rank: Vec<u8>,
    /// Verdicts for recently seen strings, so repeated agents skip the scan.
    memo: Memo,
}

impl AgentTable {
    /// Built-in table extended by `config`.
    pub fn new(config: &ClassifyConfig) -> Self {
        let lists: [(&[&str], &[String]); 5] = [
            (ATTACK_TOOLS, &config.attack_agents),
            (CRAWLERS, &config.crawler_agents),
            (SCRIPTS, &config.script_agents),
            (APPS, &[]),
            (BROWSERS, &config.browser_agents),
        ];
        let mut patterns: Vec<&str> = Vec::new();
        let mut rank = Vec::new();
        for (i, (builtin, extra)) in (0u8..).zip(lists) {
            let extra = extra.iter().map(|s| s.trim()).filter(|s| !s.is_empty());
            for pattern in builtin.iter().copied().chain(extra) {
                patterns.push(pattern);
                rank.push(i);
            }
        }
        AgentTable { matcher: substrings::matcher(&patterns), rank, memo: Memo::new() }
    }

    /// Classifies one User-Agent string.
    pub fn classify(&self, ua: &str) -> AgentKind {
        self.classify_hashed(ua, None)
    }

    /// Like [`AgentTable::classify`], given `hash(ua)` when the caller has it.
    pub(super) fn classify_hashed(&self, ua: &str, hashed: Option<u64>) -> AgentKind {
        let whole = ua.len();
        let ua = ua.trim();
        if ua.is_empty() || ua == "-" || ua == "\"-\"" {
            return AgentKind::Empty;
        }
        if SCRIPT_EXACT.iter().any(|s| ua.eq_ignore_ascii_case(s)) {
            return AgentKind::Script;
        }
        // The caller's hash is of the untrimmed string.
        let key = match hashed {
            Some(h) if ua.len() == whole => h,
            _ => hash(ua.as_bytes()),
        };
        if let Some(kind) = self.memo.get(key) {
            return kind;
        }
        let kind = self.scan(ua);
        self.memo.put(key, kind);
        kind
    }

    /// The most telling category among all table entries found in `ua`.
    pub(super) fn scan(&self, ua: &str) -> AgentKind {
        let Some(dfa) = &self.matcher else {
            return AgentKind::Other;
        };
        // A hand-rolled walk rather than `find_overlapping_iter`: a third of the instructions,
        // which matters for floods of never-seen agents that miss the memo.
        let mut best = RANKED.len();
        substrings::each(dfa, ua.as_bytes(), |pattern| {
            best = best.min(self.rank.get(pattern).map_or(best, |&r| usize::from(r)));
            if best == 0 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        RANKED.get(best).copied().unwrap_or(AgentKind::Other)
    }
}
