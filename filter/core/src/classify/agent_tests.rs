//! Agent table tests: real User-Agent strings of each kind, ordering between kinds, config.

use super::{AgentKind, AgentTable, ClassifyConfig};
use AgentKind::{AttackTool, Browser, Crawler, Empty, Other, Script};

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

fn table() -> AgentTable {
    AgentTable::new(&ClassifyConfig::default())
}

fn check(table: &AgentTable, cases: &[(&str, AgentKind)]) {
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|&(ua, want)| {
            let got = table.classify(ua);
            (got != want).then(|| format!("{ua:?}: got {got:?}, want {want:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "misclassified:\n{}", wrong.join("\n"));
}

#[test]
fn empty_agents() {
    check(&table(), &[("", Empty), ("-", Empty), ("  ", Empty), (" - ", Empty), ("\"-\"", Empty)]);
}

#[test]
fn browsers() {
    check(
        &table(),
        &[
            (CHROME, Browser),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", Browser),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15", Browser),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", Browser),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0", Browser),
            ("Opera/9.80 (Windows NT 6.1; WOW64) Presto/2.12.388 Version/12.18", Browser),
            ("Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko", Browser),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1", Browser),
            ("Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", Browser),
            ("MOZILLA/5.0 (X11) GECKO/20100101 FIREFOX/121.0", Browser),
        ],
    );
}

#[test]
fn scripts_and_libraries() {
    check(
        &table(),
        &[
            ("python-requests/2.31.0", Script),
            ("Python-urllib/3.11", Script),
            ("Python/3.11 aiohttp/3.9.1", Script),
            ("python-httpx/0.26.0", Script),
            ("curl/8.5.0", Script),
            ("Wget/1.21.4", Script),
            ("Go-http-client/1.1", Script),
            ("Go-http-client/2.0", Script),
            ("Java/17.0.9", Script),
            ("Java-http-client/21.0.1", Script),
            ("okhttp/4.12.0", Script),
            ("Apache-HttpClient/4.5.14 (Java/17.0.9)", Script),
            ("axios/1.6.2", Script),
            ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", Script),
            ("undici", Script),
            ("node", Script),
            ("Node", Script),
            ("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506", Script),
            ("Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.22631; en-US) PowerShell/7.4.0", Script),
            ("libwww-perl/6.72", Script),
            ("Scrapy/2.11.0 (+https://scrapy.org)", Script),
            ("atlassian-python-api", Script),
            ("Ruby", Script),
            ("Faraday v2.7.12", Script),
            ("reqwest/0.11", Script),
            ("HTTPie/3.2.2", Script),
            ("PostmanRuntime/7.36.0", Script),
            ("insomnia/8.5.1", Script),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", Script),
            ("Atlassian HttpClient 0.23.0 / JIRA-9.12.1 (9120001) / Default", Script),
        ],
    );
}

#[test]
fn attack_tools() {
    check(
        &table(),
        &[
            ("conkeyscan/1.0", AttackTool),
            ("confluence-dumper", AttackTool),
            ("AtlasReaper/1.0", AttackTool),
            ("Conf-Thief", AttackTool),
            ("ConfThief/0.1", AttackTool),
            ("sqlmap/1.7.12#stable (https://sqlmap.org)", AttackTool),
            ("Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000001)", AttackTool),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36 nuclei", AttackTool),
            ("Nuclei - Open-source project (github.com/projectdiscovery/nuclei)", AttackTool),
            ("gobuster/3.6", AttackTool),
            ("Fuzz Faster U Fool v2.1.0-dev", AttackTool),
            ("ffuf/2.1.0", AttackTool),
            ("DirBuster-1.0-RC1 (http://www.owasp.org/index.php/Category:OWASP_DirBuster_Project)", AttackTool),
            ("feroxbuster/2.10.1", AttackTool),
            ("Wfuzz/3.1.0", AttackTool),
            ("masscan/1.3 (https://github.com/robertdavidgraham/masscan)", AttackTool),
            ("Mozilla/5.0 zgrab/0.x", AttackTool),
            ("Burp Suite Professional", AttackTool),
            ("Mozilla/4.0 (Hydra)", AttackTool),
            ("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", AttackTool),
            // A tool wins over the library it is built on.
            ("python-requests/2.31.0 conkeyscan", AttackTool),
        ],
    );
}

#[test]
fn crawlers() {
    check(
        &table(),
        &[
            ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Crawler),
            ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/120.0.6099.216 Safari/537.36", Crawler),
            ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", Crawler),
            ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", Crawler),
            ("Slackbot 1.0 (+https://api.slack.com/robots)", Crawler),
            ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", Crawler),
            ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", Crawler),
            ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", Crawler),
            ("Mozilla/5.0 (compatible; SomeCrawler/1.0)", Crawler),
            ("Mozilla/5.0 (compatible; MyBot)", Crawler),
            ("ia_archiver", Crawler),
        ],
    );
}

#[test]
fn other_agents() {
    check(
        &table(),
        &[
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 com.atlassian.confluence/8.5", Other),
            ("ConfluenceMobile/5.2 (Android 14)", Other),
            ("Mozilla/5.0", Other),
            ("SomeInternalTool", Other),
            ("Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7)", Other),
            ("\u{fffd}\u{fffd}garbage\u{0}", Other),
            ("ünïcødé agent ✓", Other),
        ],
    );
}

#[test]
fn long_agent_does_not_panic() {
    let long = format!("{}{}", CHROME, " x".repeat(100_000));
    assert_eq!(table().classify(&long), Browser);
    let tool = format!("{}sqlmap", "a".repeat(100_000));
    assert_eq!(table().classify(&tool), AttackTool);
}

#[test]
fn config_extends_every_list() {
    let config = ClassifyConfig {
        script_agents: vec!["CorpSyncer".into(), "".into(), "   ".into()],
        attack_agents: vec!["evil-scraper".into()],
        crawler_agents: vec!["IntranetIndexer".into()],
        browser_agents: vec!["KioskShell/".into()],
        ..ClassifyConfig::default()
    };
    let t = AgentTable::new(&config);
    check(
        &t,
        &[
            ("corpsyncer/2.0", Script),
            ("Mozilla/5.0 Evil-Scraper/1", AttackTool),
            ("IntranetIndexer 3", Crawler),
            ("KioskShell/1.0", Browser),
            // Blank config entries must not match everything.
            ("SomeInternalTool", Other),
            // Built-ins still apply and the order still holds.
            (CHROME, Browser),
            ("KioskShell/1.0 python-requests/2.31", Script),
        ],
    );
    // The default table does not know the config names.
    assert_eq!(table().classify("CorpSyncer/2.0"), Other);
}

/// Every agent string the tests above use.
const SAMPLES: &[&str] = &[
    CHROME,
    "python-requests/2.31.0",
    "curl/8.5.0",
    "sqlmap/1.7.12#stable (https://sqlmap.org)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "ConfluenceMobile/5.2 (Android 14)",
    "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506",
    "SomeInternalTool",
];

#[test]
fn memo_never_changes_a_verdict() {
    let t = table();
    let fresh: Vec<AgentKind> = SAMPLES.iter().map(|ua| t.scan(ua)).collect();
    // Second and later calls come from the memo; interleave to exercise slot reuse.
    for round in 0..3 {
        for (ua, &want) in SAMPLES.iter().zip(&fresh) {
            assert_eq!(t.classify(ua), want, "round {round}: {ua}");
        }
    }
    // Fill the memo with many more distinct strings than it has slots, then check again:
    // evictions and tag checks must still give the scanned verdict.
    for i in 0..20_000 {
        let ua = format!("python-requests/2.{i}");
        assert_eq!(t.classify(&ua), Script, "{ua}");
        let ua = format!("Mozilla/5.0 (X11) Gecko/2010 Firefox/{i}.0");
        assert_eq!(t.classify(&ua), Browser, "{ua}");
    }
    for (ua, &want) in SAMPLES.iter().zip(&fresh) {
        assert_eq!(t.classify(ua), want, "after churn: {ua}");
    }
    // A clone starts with an empty memo and agrees.
    let c = t.clone();
    for (ua, &want) in SAMPLES.iter().zip(&fresh) {
        assert_eq!(c.classify(ua), want, "clone: {ua}");
    }
}

#[test]
fn memo_slots_round_trip_and_check_tags() {
    use super::memo::{hash, Memo};
    let memo = Memo::new();
    let a = hash(b"python-requests/2.31.0");
    let b = hash(b"python-requests/2.31.1");
    assert_ne!(a, b);
    assert_eq!(memo.get(a), None);
    for kind in [Browser, Script, AttackTool, Crawler, Empty, Other] {
        memo.put(a, kind);
        assert_eq!(memo.get(a), Some(kind));
    }
    // Same slot, different tag: not a hit.
    let same_slot = a ^ 0x10;
    assert_eq!(memo.get(same_slot), None);
    assert_eq!(hash(b""), hash(b""));
    assert_ne!(hash(b""), hash(b"\0"));
}
