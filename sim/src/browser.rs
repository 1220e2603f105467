//! What a browser sends when a person uses Confluence: the page, its static `/s/...`
//! resources, inline images, and the UI's own background `/rest/...` calls.

use crate::model::{form_enc, url, Client, Event, Ms, SECOND};
use crate::wiki::{attachment_path, page_path, pdf_temp_path, Page, Wiki};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Confluence build number and resource hash in `/s/` URLs.
const S: &str =
    "/s/d41d8cd98f00b204e9800998ecf8427e-CDN/en_GB/8804/5b2f8c1a6e0d9a3f7c4e2b1d0a9f8e7c6b5a4d3e";

/// Resources a cold cache fetches with a page.
const COLD: [(&str, u64); 8] = [
    ("/_/download/contextbatch/css/_super/batch.css", 412_330),
    ("/_/download/contextbatch/js/_super/batch.js?locale=en-GB", 1_840_221),
    ("/_/download/contextbatch/css/main,atl.general,-_super/batch.css?highlightactions=true", 88_120),
    ("/_/download/contextbatch/js/main,atl.general,-_super/batch.js?locale=en-GB&highlightactions=true", 640_875),
    ("/_/download/batch/com.atlassian.confluence.plugins.confluence-frontend:typography/com.atlassian.confluence.plugins.confluence-frontend:typography.css", 12_402),
    ("/_/images/icons/profilepics/default.svg", 1_214),
    ("/_/download/resources/com.atlassian.confluence.plugins.confluence-fonts:fonts/inter-regular.woff2", 98_120),
    ("/_/styles/colors.css?spaceKey=ENG", 3_940),
];

/// One browser tab of one person: remembers the last page (Referer) and whether the cache is warm.
#[derive(Debug, Clone)]
pub struct Browser {
    /// Who, from where, with what.
    pub client: Client,
    /// Resources already cached.
    pub warm: bool,
    /// Last URL shown (the next request's Referer).
    pub last: Option<String>,
}

impl Browser {
    /// A fresh tab with a cold cache.
    pub fn new(client: Client) -> Browser {
        Browser { client, warm: false, last: None }
    }

    /// Static resources and the UI's background calls after a document load at `t`.
    fn page_assets(
        &mut self,
        out: &mut Vec<Event>,
        rng: &mut ChaCha8Rng,
        t: Ms,
        page_url: &str,
        page_id: Option<u64>,
    ) {
        let c = &self.client;
        let mut at = t + rng.random_range(80..400);
        let referer = Some(page_url.to_string());
        if !self.warm {
            for (path, bytes) in COLD {
                out.push(c.req(
                    at,
                    "GET",
                    format!("{S}{path}"),
                    200,
                    rng.random_range(2..40),
                    bytes,
                    referer.clone(),
                ));
                at += rng.random_range(5..60);
            }
            self.warm = true;
        } else {
            for (path, _) in COLD.iter().take(rng.random_range(0..3)) {
                out.push(c.req(
                    at,
                    "GET",
                    format!("{S}{path}"),
                    304,
                    rng.random_range(1..6),
                    0,
                    referer.clone(),
                ));
                at += rng.random_range(5..40);
            }
        }
        at += rng.random_range(200..900);
        xhr(
            out,
            rng,
            c,
            &referer,
            at,
            format!("/rest/mywork/latest/status/notification/count?_={at}"),
            5..40,
            95,
        );
        if let Some(id) = page_id {
            at += rng.random_range(20..300);
            let likes = format!("/rest/likes/1.0/content/{id}/likes?commentLikes=true&_={at}");
            xhr(out, rng, c, &referer, at, likes, 5..60, 240);
            if rng.random_bool(0.6) {
                at += rng.random_range(20..300);
                let comments = format!("/rest/inlinecomments/1.0/comments?containerId={id}&_={at}");
                xhr(out, rng, c, &referer, at, comments, 5..80, 52);
            }
            if rng.random_bool(0.3) {
                at += rng.random_range(20..300);
                let panel = format!("/rest/highlighting/1.0/panel-items?pageId={id}&_={at}");
                xhr(out, rng, c, &referer, at, panel, 5..50, 410);
            }
        }
        at += rng.random_range(500..3000);
        out.push(c.req(
            at,
            "POST",
            "/rest/analytics/1.0/publish/bulk".into(),
            200,
            rng.random_range(3..30),
            0,
            referer,
        ));
    }

    /// Views `page` at `t`, staying `dwell` ms (the quick-reload poll runs while the tab is open).
    pub fn view(
        &mut self,
        out: &mut Vec<Event>,
        rng: &mut ChaCha8Rng,
        wiki: &Wiki,
        page: &Page,
        t: Ms,
        dwell: Ms,
    ) {
        let path = page_path(wiki, page, rng.random_bool(0.35));
        let status = if rng.random_bool(0.004) { 404 } else { 200 };
        let bytes = if status == 200 { rng.random_range(18_000..160_000) } else { 9_800 };
        out.push(self.client.req(
            t,
            "GET",
            path.clone(),
            status,
            rng.random_range(90..1600),
            bytes,
            self.last.take(),
        ));
        let page_url = url(&path);
        if status == 200 {
            for img in &page.images {
                let at = t + rng.random_range(300..1500);
                out.push(self.client.req(
                    at,
                    "GET",
                    attachment_path(page, img, 1),
                    200,
                    rng.random_range(5..90),
                    rng.random_range(20_000..400_000),
                    Some(page_url.clone()),
                ));
            }
            self.page_assets(out, rng, t, &page_url, Some(page.id));
            // Quick-reload polls every 30 s while the page is open (capped: tabs go idle).
            let polls = (dwell / (30 * SECOND)).min(8);
            for k in 1..=polls {
                let at = t + k * 30 * SECOND + rng.random_range(0..900);
                out.push(self.client.req(
                    at,
                    "GET",
                    format!("/rest/quickreload/latest/{}?since={}&_={at}", page.id, t),
                    204,
                    rng.random_range(2..25),
                    0,
                    Some(page_url.clone()),
                ));
            }
        }
        self.last = Some(page_url);
    }

    /// The dashboard (`/index.action`), typically first thing in the morning.
    pub fn dashboard(&mut self, out: &mut Vec<Event>, rng: &mut ChaCha8Rng, t: Ms) {
        out.push(self.client.req(
            t,
            "GET",
            "/index.action".into(),
            200,
            rng.random_range(150..900),
            rng.random_range(30_000..70_000),
            self.last.take(),
        ));
        let page_url = url("/index.action");
        self.page_assets(out, rng, t, &page_url, None);
        let at = t + rng.random_range(600..2000);
        out.push(self.client.req(at, "GET", format!("/rest/dashboardmacros/1.0/updates?maxResults=40&tab=all&showProfilePic=true&_={at}"), 200, rng.random_range(30..400), rng.random_range(2_000..30_000), Some(page_url.clone())));
        self.last = Some(page_url);
    }

    /// Logs in: login form, credentials post, redirect to the dashboard.
    pub fn login(&mut self, out: &mut Vec<Event>, rng: &mut ChaCha8Rng, t: Ms) -> Ms {
        let c = &self.client;
        out.push(Client { user: None, ..c.clone() }.req(
            t,
            "GET",
            "/login.action?os_destination=%2Findex.action".into(),
            200,
            rng.random_range(40..300),
            9_120,
            None,
        ));
        let t2 = t + rng.random_range(4..20) * SECOND;
        out.push(Client { user: None, ..c.clone() }.req(
            t2,
            "POST",
            "/dologin.action".into(),
            302,
            rng.random_range(80..600),
            0,
            Some(url("/login.action")),
        ));
        let t3 = t2 + rng.random_range(200..800);
        self.last = Some(url("/login.action"));
        self.dashboard(out, rng, t3);
        t3
    }

    /// A site search for `query`, typed into the quick-search box first.
    pub fn search(&mut self, out: &mut Vec<Event>, rng: &mut ChaCha8Rng, query: &str, t: Ms) {
        let referer = self.last.clone();
        let mut at = t;
        // Quick navigation fires as the user types (from the third character on).
        let chars: Vec<char> = query.chars().collect();
        for n in (3..=chars.len()).step_by(2) {
            let prefix: String = chars[..n].iter().collect();
            out.push(self.client.req(
                at,
                "GET",
                format!("/rest/quicknav/1/search?query={}&_={at}", form_enc(&prefix)),
                200,
                rng.random_range(20..200),
                rng.random_range(300..4_000),
                referer.clone(),
            ));
            at += rng.random_range(250..900);
        }
        let path = format!(
            "/dosearchsite.action?cql=siteSearch+~+%22{q}%22&queryString={q}",
            q = form_enc(query)
        );
        out.push(self.client.req(
            at,
            "GET",
            path.clone(),
            200,
            rng.random_range(150..1500),
            rng.random_range(25_000..90_000),
            referer,
        ));
        let page_url = url(&path);
        self.page_assets(out, rng, at, &page_url, None);
        self.last = Some(page_url);
    }

    /// Exports `page` to PDF and downloads the file.
    pub fn pdf_export(
        &mut self,
        out: &mut Vec<Event>,
        rng: &mut ChaCha8Rng,
        wiki: &Wiki,
        page: &Page,
        t: Ms,
    ) -> Ms {
        let took = rng.random_range(1_500..9_000);
        out.push(self.client.req(
            t,
            "GET",
            format!("/spaces/flyingpdf/pdfpageexport.action?pageId={}", page.id),
            302,
            took,
            0,
            self.last.clone(),
        ));
        let done = t + i64::from(took) + rng.random_range(100..400);
        let stamp = format!("{}-{}", done / 1000 % 100_000_000, rng.random_range(100..999));
        out.push(self.client.req(
            done,
            "GET",
            pdf_temp_path(wiki, page, &stamp),
            200,
            rng.random_range(20..300),
            rng.random_range(60_000..3_000_000),
            self.last.clone(),
        ));
        done
    }

    /// Downloads attachment `file` of `page`.
    pub fn download(
        &mut self,
        out: &mut Vec<Event>,
        rng: &mut ChaCha8Rng,
        page: &Page,
        file: &str,
        t: Ms,
    ) {
        out.push(self.client.req(
            t,
            "GET",
            attachment_path(page, file, rng.random_range(1..4)),
            200,
            rng.random_range(20..900),
            rng.random_range(40_000..8_000_000),
            self.last.clone(),
        ));
    }

    /// Opens the editor on `page`, edits for `typing` ms, saves, and lands on the page again.
    pub fn edit(
        &mut self,
        out: &mut Vec<Event>,
        rng: &mut ChaCha8Rng,
        wiki: &Wiki,
        page: &Page,
        t: Ms,
        typing: Ms,
    ) -> Ms {
        let path = format!("/pages/editpage.action?pageId={}", page.id);
        out.push(self.client.req(
            t,
            "GET",
            path.clone(),
            200,
            rng.random_range(200..1500),
            rng.random_range(60_000..200_000),
            self.last.take(),
        ));
        let editor = url(&path);
        self.page_assets(out, rng, t, &editor, None);
        let mut at = t;
        // The editor saves drafts every half minute or so while typing.
        while at + 40 * SECOND < t + typing {
            at += rng.random_range(25..45) * SECOND;
            out.push(self.client.req(
                at,
                "POST",
                "/rest/tinymce/1/drafts".into(),
                200,
                rng.random_range(20..200),
                310,
                Some(editor.clone()),
            ));
        }
        let save = t + typing;
        out.push(self.client.req(
            save,
            "POST",
            format!("/pages/doeditpage.action?pageId={}", page.id),
            302,
            rng.random_range(200..1500),
            0,
            Some(editor),
        ));
        self.last = Some(url(&path));
        let back = save + rng.random_range(300..900);
        let dwell = rng.random_range(5..60) * SECOND;
        self.view(out, rng, wiki, page, back, dwell);
        back
    }

    /// An admin console page.
    pub fn admin(&mut self, out: &mut Vec<Event>, rng: &mut ChaCha8Rng, path: &str, t: Ms) {
        out.push(self.client.req(
            t,
            "GET",
            path.to_string(),
            200,
            rng.random_range(100..2000),
            rng.random_range(20_000..90_000),
            self.last.take(),
        ));
        let page_url = url(path);
        self.page_assets(out, rng, t, &page_url, None);
        self.last = Some(page_url);
    }
}

/// One of the page's background XHR calls (`GET`, 200), taking a random time in `duration`.
#[allow(clippy::too_many_arguments)]
fn xhr(
    out: &mut Vec<Event>,
    rng: &mut ChaCha8Rng,
    c: &Client,
    referer: &Option<String>,
    at: Ms,
    target: String,
    duration: std::ops::Range<u32>,
    bytes: u64,
) {
    out.push(c.req(at, "GET", target, 200, rng.random_range(duration), bytes, referer.clone()));
}
