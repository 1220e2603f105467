//! What differs between the two audit APIs, behind one trait: the request of a page, how a
//! page gives its records and the position of the next one, a record's time and identity, and
//! what to check when the API refuses the credentials.

use anyhow::Result;
use serde_json::Value;
use xxhash_rust::xxh3::xxh3_64;

/// One audit API of one organization or site.
pub trait Api {
    /// `org` or `site`.
    fn kind(&self) -> &'static str;
    /// The organization id or the site's host name.
    fn name(&self) -> &str;
    /// `org ID` or `site HOST`, for messages.
    fn label(&self) -> String {
        format!("{} {}", self.kind(), self.name())
    }
    /// The checkpoint key in the state file.
    fn key(&self) -> String {
        format!("{}:{}", self.kind(), self.name())
    }
    /// The `Authorization` header value.
    fn authorization(&self) -> &str;
    /// URL and query of the page at `pos` (`None`: the first page) of the window.
    fn request(&self, from_ms: i64, to_ms: i64, pos: Option<&str>)
        -> (String, Vec<(&str, String)>);
    /// The records of a page (newest first) and the position of the next page, if any.
    fn page(&self, body: Value, pos: Option<&str>) -> Result<(Vec<Value>, Option<String>), String>;
    /// A record's time, epoch ms.
    fn time(&self, record: &Value) -> Option<i64>;
    /// What to check when the API answers 401 or 403.
    fn refused(&self, status: u16) -> String;
    /// A record's identity: its `id`, or a hash of the record for records that have none.
    fn id(&self, record: &Value) -> String {
        match record.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => format!("h:{:016x}", xxh3_64(record.to_string().as_bytes())),
        }
    }
}

/// Turns `--base-url` or the default into `scheme://host[:port]`. Credentials never travel in
/// clear text to another machine: plain `http` is for the loopback address only (tests, a
/// local proxy).
pub fn base_url(given: Option<&str>, default: String) -> Result<String, String> {
    let url = given.map_or(default, str::to_string);
    let url = url.trim().trim_end_matches('/').to_string();
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://") {
        let host = r.split(['/', '?']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(format!(
                "`{url}`: credentials are sent over https only (plain http to the loopback \
                 address is allowed, for tests and local proxies)"
            ));
        }
        r
    } else {
        return Err(format!("`{url}` is not an http(s) URL"));
    };
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(format!("`{url}` is not a base URL (scheme://host[:port][/prefix])"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_https_or_loopback() {
        let d = || "https://api.atlassian.com".to_string();
        assert_eq!(base_url(None, d()).unwrap(), "https://api.atlassian.com");
        assert_eq!(base_url(Some("http://127.0.0.1:8080/"), d()).unwrap(), "http://127.0.0.1:8080");
        assert_eq!(
            base_url(Some("https://proxy.corp/atl"), d()).unwrap(),
            "https://proxy.corp/atl"
        );
        for bad in
            ["http://evil.example", "http://10.0.0.1:80", "ftp://x", "https://", "https://x?y"]
        {
            assert!(base_url(Some(bad), d()).is_err(), "{bad}");
        }
    }
}
