//! The simulated wiki: spaces, pages, attachments and inline images, and their URLs.

use crate::model::{enc, form_enc};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One space.
#[derive(Debug, Clone)]
pub struct Space {
    /// Space key (`ENG`).
    pub key: &'static str,
    /// Readable by anonymous visitors.
    pub public: bool,
    /// Readable only by its team (others get 403/404).
    pub restricted: bool,
    /// Indices into [`Wiki::pages`].
    pub pages: Vec<usize>,
}

/// One page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Content id.
    pub id: u64,
    /// Index into [`Wiki::spaces`].
    pub space: usize,
    /// Title.
    pub title: String,
    /// Attached documents (downloaded on purpose).
    pub attachments: Vec<String>,
    /// Inline images (loaded by the browser with the page).
    pub images: Vec<String>,
    /// Mentions credentials (what keyword hunts find).
    pub sensitive: bool,
}

/// The whole wiki.
#[derive(Debug, Clone)]
pub struct Wiki {
    /// Spaces, public knowledge base last.
    pub spaces: Vec<Space>,
    /// Pages of all spaces.
    pub pages: Vec<Page>,
}

/// Space keys with their relative sizes and whether they are restricted.
const SPACES: [(&str, u32, bool); 14] = [
    ("ENG", 14, false),
    ("OPS", 9, false),
    ("SEC", 4, true),
    ("IT", 6, false),
    ("HR", 5, true),
    ("FIN", 4, true),
    ("SALES", 6, false),
    ("MKT", 5, false),
    ("DOCS", 10, false),
    ("PM", 6, false),
    ("LEGAL", 3, true),
    ("SUP", 8, false),
    ("ARCH", 4, false),
    ("PUB", 6, false),
];

const TOPICS: [&str; 40] = [
    "Onboarding",
    "Release",
    "Deployment",
    "Architecture",
    "Roadmap",
    "Incident",
    "Runbook",
    "Kubernetes",
    "Billing",
    "Payroll",
    "Holiday",
    "Expense",
    "Travel",
    "Customer",
    "Pricing",
    "Brand",
    "Campaign",
    "Quarterly",
    "Planning",
    "Retrospective",
    "Security",
    "Backup",
    "Monitoring",
    "Database",
    "Network",
    "Laptop",
    "Office",
    "Benefits",
    "Hiring",
    "Contract",
    "Vendor",
    "Support",
    "Escalation",
    "API",
    "Mobile",
    "Search",
    "Storage",
    "Identity",
    "Compliance",
    "Training",
];
const KINDS: [&str; 20] = [
    "Guide",
    "Notes",
    "Overview",
    "Checklist",
    "Process",
    "FAQ",
    "Policy",
    "Meeting Notes",
    "Design",
    "Requirements",
    "How-to",
    "Template",
    "Report",
    "Review",
    "Plan",
    "Postmortem",
    "Handbook",
    "Decision Log",
    "Status",
    "Reference",
];
const SENSITIVE: [&str; 8] = [
    "Service Account Credentials",
    "Production Passwords",
    "API Keys Rotation",
    "VPN Access and Secrets",
    "Root Access Procedure",
    "Shared Admin Logins",
    "SSH Keys Inventory",
    "Cloud Access Tokens",
];
const DOC_EXT: [&str; 6] = ["pdf", "xlsx", "docx", "pptx", "zip", "csv"];

impl Wiki {
    /// A wiki of about `pages` pages, the same for the same seed.
    pub fn new(seed: u64, pages: usize) -> Wiki {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x57_4b_49);
        let total_weight: u32 = SPACES.iter().map(|s| s.1).sum();
        let mut id = 65_537_u64;
        let mut wiki = Wiki { spaces: Vec::new(), pages: Vec::new() };
        for (si, &(key, weight, restricted)) in SPACES.iter().enumerate() {
            let n = (pages as u64 * u64::from(weight) / u64::from(total_weight)).max(12) as usize;
            let mut space =
                Space { key, public: key == "PUB", restricted, pages: Vec::with_capacity(n) };
            for i in 0..n {
                let sensitive =
                    matches!(key, "OPS" | "ENG" | "IT" | "SEC") && rng.random_bool(0.03);
                let title = if sensitive {
                    format!("{} {}", SENSITIVE[rng.random_range(0..SENSITIVE.len())], i)
                } else if i == 0 {
                    format!("{key} Home")
                } else {
                    let t = TOPICS[rng.random_range(0..TOPICS.len())];
                    let k = KINDS[rng.random_range(0..KINDS.len())];
                    // Titles are unique within a space, as Confluence requires.
                    format!("{t} {k} {i}")
                };
                let attachments = (0..rng.random_range(0..4_usize).saturating_sub(1))
                    .map(|a| {
                        let t = TOPICS[rng.random_range(0..TOPICS.len())];
                        let e = DOC_EXT[rng.random_range(0..DOC_EXT.len())];
                        format!("{t}-{i}-{a}.{e}")
                    })
                    .collect();
                let images = if rng.random_bool(0.4) {
                    (0..rng.random_range(1..4)).map(|m| format!("image-{i}-{m}.png")).collect()
                } else {
                    Vec::new()
                };
                id += rng.random_range(1..40_u64);
                space.pages.push(wiki.pages.len());
                wiki.pages.push(Page { id, space: si, title, attachments, images, sensitive });
            }
            wiki.spaces.push(space);
        }
        wiki
    }

    /// Index of a space by key.
    pub fn space(&self, key: &str) -> Option<usize> {
        self.spaces.iter().position(|s| s.key == key)
    }

    /// A page of space `s`, popular pages (low indices) more likely.
    pub fn pick_page(&self, rng: &mut ChaCha8Rng, s: usize) -> &Page {
        let pages = &self.spaces[s].pages;
        let x: f64 = rng.random();
        let i = ((x * x * x) * pages.len() as f64) as usize;
        &self.pages[pages[i.min(pages.len() - 1)]]
    }

    /// Pages that mention credentials.
    pub fn sensitive_pages(&self) -> Vec<&Page> {
        self.pages.iter().filter(|p| p.sensitive).collect()
    }

    /// Key of a page's space.
    pub fn key_of(&self, p: &Page) -> &'static str {
        self.spaces[p.space].key
    }
}

/// The browser URL of a page: `/display/KEY/Title` or `viewpage.action` (as Confluence links both).
pub fn page_path(wiki: &Wiki, p: &Page, by_id: bool) -> String {
    if by_id {
        format!("/pages/viewpage.action?pageId={}", p.id)
    } else {
        format!("/display/{}/{}", wiki.key_of(p), form_enc(&p.title))
    }
}

/// Download URL of an attachment or inline image of a page.
pub fn attachment_path(p: &Page, file: &str, version: u32) -> String {
    format!(
        "/download/attachments/{}/{}?version={version}&modificationDate={}&api=v2",
        p.id,
        enc(file),
        1_760_000_000_000_u64 + p.id * 977
    )
}

/// The temporary file a PDF export redirects to.
pub fn pdf_temp_path(wiki: &Wiki, p: &Page, stamp: &str) -> String {
    format!(
        "/download/temp/pdfexport-{stamp}/{}-{}-{stamp}.pdf?contentType=application/pdf",
        wiki.key_of(p),
        enc(&p.title.replace(' ', ""))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiki_is_deterministic_and_sized() {
        let a = Wiki::new(7, 1000);
        let b = Wiki::new(7, 1000);
        assert_eq!(a.pages.len(), b.pages.len());
        assert!(a.pages.iter().zip(&b.pages).all(|(x, y)| x.id == y.id && x.title == y.title));
        assert!((900..1300).contains(&a.pages.len()), "{}", a.pages.len());
        assert!(!a.sensitive_pages().is_empty());
        assert!(a.space("PUB").is_some_and(|s| a.spaces[s].public));
    }
}
