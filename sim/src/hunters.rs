//! Attacks by hunting tools, each modelled on the real tool's request pattern:
//! Conf-Thief (2), conkeyscan (3), AtlasReaper (4).

use crate::crawlers::Pace;
use crate::model::{enc, Event, SECOND};
use crate::plan::Plan;
use crate::traps::shuffle_prefix;
use crate::wiki::{attachment_path, pdf_temp_path, Page, Wiki};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

const THIEF_TERMS: [&str; 13] = [
    "password",
    "passwd",
    "credentials",
    "secret",
    "api key",
    "apikey",
    "token",
    "private key",
    "ssh",
    "vpn",
    "aws_access_key_id",
    "confidential",
    "login",
];

/// Pages a keyword search "finds": the credential pages first, then popular pages.
fn hits(rng: &mut ChaCha8Rng, wiki: &Wiki, n: usize) -> Vec<Page> {
    let mut v: Vec<Page> = wiki.sensitive_pages().into_iter().cloned().collect();
    while v.len() < n {
        let s = rng.random_range(0..wiki.spaces.len());
        let page = wiki.pick_page(rng, s).clone();
        if !v.iter().any(|p| p.id == page.id) {
            v.push(page);
        }
    }
    v.truncate(n);
    v
}

/// 2: Conf-Thief: CQL text searches for its keyword list, then a PDF export of every hit.
pub fn keyword_hunt_export(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan, wiki: &Wiki) {
    let c = plan.client();
    let mut p = Pace { t: plan.start, lo: 300, hi: 1500 };
    let mut terms = THIEF_TERMS.to_vec();
    let n = rng.random_range(6..=10);
    shuffle_prefix(rng, &mut terms, n);
    for term in &terms[..n] {
        let cql = enc(&format!("text~\"{term}\""));
        out.push(c.req(
            p.next(rng),
            "GET",
            format!("/rest/api/search?cql={cql}&limit=100"),
            200,
            rng.random_range(100..1500),
            rng.random_range(2_000..60_000),
            None,
        ));
    }
    let n_hits = rng.random_range(15..50);
    for page in hits(rng, wiki, n_hits) {
        let took = rng.random_range(1_500..6_000);
        out.push(c.req(
            p.next(rng),
            "GET",
            format!("/spaces/flyingpdf/pdfpageexport.action?pageId={}", page.id),
            302,
            took,
            0,
            None,
        ));
        p.t += i64::from(took);
        let stamp = format!("{}-{}", p.t / 1000 % 100_000_000, rng.random_range(100..999));
        out.push(c.req(
            p.next(rng),
            "GET",
            pdf_temp_path(wiki, &page, &stamp),
            200,
            rng.random_range(20..300),
            rng.random_range(60_000..3_000_000),
            None,
        ));
    }
}

const SCAN_TERMS: [&str; 40] = [
    "password",
    "passwort",
    "pwd",
    "secret",
    "credential",
    "api_key",
    "apikey",
    "token",
    "bearer",
    "private key",
    "BEGIN RSA",
    "ssh-rsa",
    "aws_secret_access_key",
    "AKIA",
    "client_secret",
    "connection string",
    "jdbc:",
    "mongodb://",
    "postgres://",
    "smtp",
    "ldap",
    "kerberos",
    "keytab",
    "vault",
    "kubeconfig",
    "docker login",
    "npm token",
    "github token",
    "slack token",
    "webhook",
    "sas token",
    "service account",
    "root",
    "admin",
    "login",
    "vpn",
    "wifi password",
    "pin",
    "passphrase",
    "certificate",
];

/// 3: conkeyscan: many threads running CQL keyword searches and paging through the results
/// at tens of requests per second, behind a random Chrome user agent.
pub fn search_burst(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan) {
    let c = plan.client();
    let rate = rng.random_range(15..40); // requests per second
    let mut t = plan.start;
    let mut terms = SCAN_TERMS.to_vec();
    let n = rng.random_range(25..=40);
    shuffle_prefix(rng, &mut terms, n);
    // One worker per keyword pages through its results until they run out; the pool
    // interleaves them, so the log shows every keyword's page N before page N+1.
    let pages: Vec<usize> = (0..n).map(|_| rng.random_range(2..12)).collect();
    let deepest = pages.iter().copied().max().unwrap_or(0);
    for round in 0..deepest {
        for (term, _) in terms[..n].iter().zip(&pages).filter(|(_, &p)| p > round) {
            let cql = enc(&format!("text ~ \"{term}\""));
            let path = format!(
                "/rest/api/search?cql={cql}&start={}&limit=50&excerpt=highlight",
                round * 50
            );
            out.push(c.req(
                t,
                "GET",
                path,
                200,
                rng.random_range(40..900),
                rng.random_range(300..40_000),
                None,
            ));
            t += rng.random_range(0..2 * 1000 / rate);
        }
    }
}

/// 4: AtlasReaper: an operator running commands (list spaces, attachment searches, then a
/// download loop), the tool sending no User-Agent at all.
pub fn attachment_hunt(out: &mut Vec<Event>, rng: &mut ChaCha8Rng, plan: &Plan, wiki: &Wiki) {
    let c = plan.client();
    let mut p = Pace { t: plan.start, lo: 150, hi: 700 };
    out.push(c.req(
        p.t,
        "GET",
        "/rest/api/space?start=0&limit=250".into(),
        200,
        rng.random_range(40..300),
        21_000,
        None,
    ));
    p.t += rng.random_range(20..90) * SECOND;
    for ext in ["xlsx", "docx", "pdf", "zip", "csv", "kdbx"].iter().take(rng.random_range(3..7)) {
        let cql = enc(&format!("type=attachment AND title~\"*.{ext}\""));
        for start in [0, 100] {
            out.push(c.req(
                p.next(rng),
                "GET",
                format!(
                    "/rest/api/content/search?cql={cql}&start={start}&limit=100&expand=container"
                ),
                200,
                rng.random_range(100..1500),
                rng.random_range(5_000..80_000),
                None,
            ));
        }
        p.t += rng.random_range(15..60) * SECOND;
    }
    let mut with_files: Vec<&Page> =
        wiki.pages.iter().filter(|pg| !pg.attachments.is_empty()).collect();
    let n = rng.random_range(40..120).min(with_files.len());
    shuffle_prefix(rng, &mut with_files, n);
    for page in &with_files[..n] {
        for f in &page.attachments {
            out.push(c.req(
                p.next(rng),
                "GET",
                attachment_path(page, f, 1),
                200,
                rng.random_range(30..2000),
                rng.random_range(30_000..6_000_000),
                None,
            ));
        }
    }
}
