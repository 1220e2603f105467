//! The organization audit log: `GET /admin/v1/orgs/{orgId}/events` on api.atlassian.com,
//! with an organization API key as bearer token. `from` and `to` are epoch milliseconds; a
//! page is `{"data": [...], "links": {"next": URL}, "meta": {"next": CURSOR}}`, newest first.

use super::api::{base_url, Api};
use super::args::PullOrgArgs;
use super::auth;
use crate::fail::usage;
use anyhow::Result;
use chrono::DateTime;
use serde_json::Value;

/// The environment variable holding the organization API key.
pub const KEY_VAR: &str = "WIKIWATCH_ATLASSIAN_API_KEY";

/// One organization's events.
#[derive(Debug)]
pub struct Org {
    org_id: String,
    url: String,
    authorization: String,
}

impl Org {
    /// Checks the arguments and reads the key from the environment.
    pub fn new(args: &PullOrgArgs) -> Result<Org> {
        let id = args.org_id.trim();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)) {
            return Err(usage(format!("--org-id `{id}` is not an organization id")));
        }
        let base = base_url(args.common.base_url.as_deref(), "https://api.atlassian.com".into())
            .map_err(|e| usage(format!("--base-url {e}")))?;
        let key = auth::env(
            KEY_VAR,
            "an organization API key (admin.atlassian.com, Settings, API keys)",
        )?;
        Ok(Org {
            org_id: id.to_string(),
            url: format!("{base}/admin/v1/orgs/{id}/events"),
            authorization: format!("Bearer {key}"),
        })
    }
}

/// The cursor of the next page: `meta.next`, else the `cursor` of the `links.next` URL (or
/// `links.next` itself when it is a bare cursor, as some Admin API endpoints give it).
fn next_cursor(body: &Value) -> Option<String> {
    fn nonempty(v: Option<&Value>) -> Option<&str> {
        v?.as_str().map(str::trim).filter(|s| !s.is_empty())
    }
    if let Some(c) = nonempty(body.pointer("/meta/next")) {
        return Some(c.to_string());
    }
    let link = nonempty(body.pointer("/links/next"))?;
    if !link.contains("://") && !link.starts_with('/') {
        return Some(link.to_string());
    }
    let query = link.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.into_owned())
}

impl Api for Org {
    fn kind(&self) -> &'static str {
        "org"
    }

    fn name(&self) -> &str {
        &self.org_id
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
        let mut q = vec![("from", from_ms.to_string()), ("to", to_ms.to_string())];
        if let Some(c) = pos {
            q.push(("cursor", c.to_string()));
        }
        (self.url.clone(), q)
    }

    fn page(
        &self,
        mut body: Value,
        _pos: Option<&str>,
    ) -> Result<(Vec<Value>, Option<String>), String> {
        let next = next_cursor(&body);
        match body.get_mut("data").map(Value::take) {
            Some(Value::Array(records)) => Ok((records, next)),
            Some(_) => Err("`data` is not a list".into()),
            None => Err("no `data` list".into()),
        }
    }

    fn time(&self, record: &Value) -> Option<i64> {
        let t = record.pointer("/attributes/time")?;
        match t {
            Value::String(s) => DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp_millis()),
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    fn refused(&self, status: u16) -> String {
        if status == 401 {
            format!(
                "the organization events API answered 401 Unauthorized: check {KEY_VAR} (an \
                 API key of organization {}, not expired or revoked)",
                self.org_id
            )
        } else {
            format!(
                "the organization events API answered 403 Forbidden: the API key in {KEY_VAR} \
                 cannot read the audit log of organization {} (the organization audit log \
                 needs Atlassian Guard Standard or Premium; check the key's organization and \
                 scopes)",
                self.org_id
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn next_cursor_from_meta_link_or_bare() {
        assert_eq!(next_cursor(&json!({"meta": {"next": "abc"}})), Some("abc".into()));
        assert_eq!(
            next_cursor(
                &json!({"links": {"next": "https://api.atlassian.com/admin/v1/orgs/o/events?cursor=a%2Bb%3D&from=1"}})
            ),
            Some("a+b=".into())
        );
        assert_eq!(next_cursor(&json!({"links": {"next": "Y3Vyc29y"}})), Some("Y3Vyc29y".into()));
        assert_eq!(next_cursor(&json!({"links": {"self": "x", "next": null}, "meta": {}})), None);
        assert_eq!(next_cursor(&json!({"links": {"next": ""}})), None);
    }

    #[test]
    fn percent_decoding_keeps_bad_escapes() {
        let cursor = |c: &str| next_cursor(&json!({"links": {"next": format!("/x?cursor={c}")}}));
        assert_eq!(cursor("a%2Fb%3d%").as_deref(), Some("a/b=%"));
        assert_eq!(cursor("%zz%4").as_deref(), Some("%zz%4"));
    }
}
