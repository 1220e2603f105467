//! The site audit log of Confluence Cloud: `GET /wiki/rest/api/audit` on the site, with an
//! account's e-mail and API token in basic auth (the account needs the Confluence
//! Administrator global permission). `startDate` and `endDate` are epoch milliseconds; pages
//! are offset pages `{"results": [...], "start", "limit", "size", "_links": {"next"}}`,
//! newest first. Its records have no id: they are known by a hash of their content.

use super::api::{base_url, Api};
use super::args::PullSiteArgs;
use super::auth;
use crate::fail::usage;
use anyhow::Result;
use serde_json::Value;

/// The environment variable holding the account's e-mail.
pub const EMAIL_VAR: &str = "WIKIWATCH_ATLASSIAN_EMAIL";
/// The environment variable holding the account's API token.
pub const TOKEN_VAR: &str = "WIKIWATCH_ATLASSIAN_API_TOKEN";

/// One site's audit log.
#[derive(Debug)]
pub struct Site {
    host: String,
    url: String,
    limit: u32,
    authorization: String,
}

/// `acme.atlassian.net`, also given as `https://acme.atlassian.net/wiki/`.
fn site_host(given: &str) -> Option<&str> {
    let s = given.trim();
    let s = s.strip_prefix("https://").unwrap_or(s);
    let s = s.trim_end_matches('/');
    let s = s.strip_suffix("/wiki").unwrap_or(s);
    let ok = !s.is_empty()
        && s.contains('.')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    ok.then_some(s)
}

impl Site {
    /// Checks the arguments and reads the credentials from the environment.
    pub fn new(args: &PullSiteArgs) -> Result<Site> {
        let host = site_host(&args.site).ok_or_else(|| {
            usage(format!("--site `{}` is not a site host name (NAME.atlassian.net)", args.site))
        })?;
        let base = base_url(args.common.base_url.as_deref(), format!("https://{host}"))
            .map_err(|e| usage(format!("--base-url {e}")))?;
        let email = auth::env(EMAIL_VAR, "the e-mail of a Confluence administrator account")?;
        let token = auth::env(TOKEN_VAR, "an API token of that account (id.atlassian.com)")?;
        Ok(Site {
            host: host.to_string(),
            url: format!("{base}/wiki/rest/api/audit"),
            limit: args.page_size,
            authorization: auth::basic(&email, &token),
        })
    }
}

impl Api for Site {
    fn kind(&self) -> &'static str {
        "site"
    }

    fn name(&self) -> &str {
        &self.host
    }

    fn authorization(&self) -> &str {
        &self.authorization
    }

    fn request(
        &self,
        from_ms: i64,
        to_ms: i64,
        pos: Option<&str>,
    ) -> (String, Vec<(&str, String)>) {
        let q = vec![
            ("startDate", from_ms.to_string()),
            ("endDate", to_ms.to_string()),
            ("start", pos.unwrap_or("0").to_string()),
            ("limit", self.limit.to_string()),
        ];
        (self.url.clone(), q)
    }

    fn page(
        &self,
        mut body: Value,
        pos: Option<&str>,
    ) -> Result<(Vec<Value>, Option<String>), String> {
        let records = match body.get_mut("results").map(Value::take) {
            Some(Value::Array(r)) => r,
            Some(_) => return Err("`results` is not a list".into()),
            None => return Err("no `results` list".into()),
        };
        // The next offset is counted from what came back, whatever `limit` the site applied.
        let start = body
            .get("start")
            .and_then(Value::as_u64)
            .or_else(|| pos.and_then(|p| p.parse().ok()))
            .unwrap_or(0);
        let size = body.get("size").and_then(Value::as_u64).unwrap_or(records.len() as u64);
        let more =
            body.pointer("/_links/next").and_then(Value::as_str).is_some_and(|s| !s.is_empty());
        let next = (more && size > 0).then(|| (start + size).to_string());
        Ok((records, next))
    }

    fn time(&self, record: &Value) -> Option<i64> {
        record.get("creationDate")?.as_i64()
    }

    fn refused(&self, status: u16) -> String {
        if status == 401 {
            format!(
                "the site audit API of {} answered 401 Unauthorized: check {EMAIL_VAR} and \
                 {TOKEN_VAR} (the account's e-mail and one of its API tokens, not expired)",
                self.host
            )
        } else {
            format!(
                "the site audit API of {} answered 403 Forbidden: the account in {EMAIL_VAR} \
                 needs the Confluence Administrator global permission, and the site audit log \
                 needs a Standard, Premium or Enterprise plan",
                self.host
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_hosts() {
        assert_eq!(site_host("acme.atlassian.net"), Some("acme.atlassian.net"));
        assert_eq!(site_host("https://acme.atlassian.net/wiki/"), Some("acme.atlassian.net"));
        for bad in ["", "acme", "acme.atlassian.net/x", "http://acme.atlassian.net", "a b.net"] {
            assert_eq!(site_host(bad), None, "{bad}");
        }
    }
}
