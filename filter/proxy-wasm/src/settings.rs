//! The plugin configuration: the config JSON every host takes (docs/config.md) plus a `proxy`
//! section that only this module reads. Parsing is a pure function so it is table-tested.

use serde::Deserialize;
use wikiwatch_core::{Config, RuleId, Severity};

/// What the filter does with what it learns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Log alerts and tell the upstream (`x-wikiwatch` request header); never change a response.
    #[default]
    Detect,
    /// As detect, and answer 429 to entities the policy throttles.
    Enforce,
}

/// Where the engine runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum EngineMode {
    /// One engine per proxy, in the VM holding the leader lease: workers queue each request
    /// at log time, the leader judges on tick and queue-ready (Envoy, Kong, ngx_wasm_module).
    #[default]
    Proxy,
    /// One engine per VM, judging its own requests at response headers, with its own throttle
    /// table: for hosts that never call `on_log` or `on_tick` (APISIX). Counts are per worker.
    Worker,
}

/// The `proxy` section. Every field is optional; unknown keys are rejected.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct ProxySettings {
    /// `detect` (default) or `enforce`.
    pub mode: Mode,
    /// `proxy` (default) or `worker`.
    pub engine: EngineMode,
    /// Header carrying the client address when the peer is a load balancer
    /// (e.g. `x-forwarded-for`). Ignored while `trusted_hops` is 0.
    pub client_header: String,
    /// How many proxies in front of this one append to `client_header`: the client is the
    /// `trusted_hops`-th address from the right. 0 = use the peer address (`source.address`).
    #[cfg_attr(feature = "schema", schemars(range(max = 16)))]
    pub trusted_hops: u32,
    /// Cookies that identify a session (hashed at once, never stored).
    pub session_cookies: Vec<String>,
    /// Treat `Authorization: Bearer <token>` as the session (hashed at once, never stored).
    pub session_bearer: bool,
    /// Response header in which Confluence names the authenticated user.
    pub user_header: String,
    /// Request header added for the upstream with the rules active for the request's entities.
    pub upstream_header: String,
    /// What `enforce` throttles.
    pub enforce: EnforcePolicy,
    /// Optional collector that receives alert lines by `dispatch_http_call`.
    pub collector: Option<Collector>,
    /// Warm start: where the VM running the proxy's engine fetches a state file (what
    /// `wikiwatch learn` and `replay --state` write) by HTTP GET when it takes the engine:
    /// `upstream/path`, the upstream `host:port` for nginx and Kong (ngx_wasm_module), an
    /// Envoy cluster name for Envoy. Queued requests wait for it (at most 10 s). `engine: proxy`
    /// only.
    pub state_url: Option<String>,
    /// Warm start: a state file inline, base64 (for Envoy, whose plugin configuration has no
    /// size limit; nginx reads a directive's arguments through 4 KiB, so use `state_url`
    /// there). Not with `state_url`.
    pub state: Option<String>,
    /// Number of shared-data throttle slots (the bound on shared data, see the README).
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 65536)))]
    pub slots: u32,
    /// Tick period of every VM (leader lease, queue drain), in milliseconds.
    #[cfg_attr(feature = "schema", schemars(range(min = 10, max = 60000)))]
    pub tick_ms: u32,
    /// Number of shared-data slots mapping sessions and credentials to users (the bound on
    /// that map, see `identity`).
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 65536)))]
    pub identities: u32,
}

impl Default for ProxySettings {
    fn default() -> Self {
        ProxySettings {
            mode: Mode::Detect,
            engine: EngineMode::Proxy,
            client_header: "x-forwarded-for".into(),
            trusted_hops: 0,
            session_cookies: vec!["JSESSIONID".into()],
            session_bearer: true,
            user_header: "x-ausername".into(),
            upstream_header: "x-wikiwatch".into(),
            enforce: EnforcePolicy::default(),
            collector: None,
            state_url: None,
            state: None,
            slots: 4096,
            tick_ms: 200,
            identities: 4096,
        }
    }
}

/// Which alerts make an entity throttled in `enforce` mode.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct EnforcePolicy {
    /// Rule names whose alerts throttle; `*` = every rule.
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "wikiwatch_core::config::rule_names_schema")
    )]
    pub rules: Vec<String>,
    /// Lowest severity that throttles (`high` by default; `critical` is stricter).
    pub min_severity: Severity,
}

impl Default for EnforcePolicy {
    fn default() -> Self {
        EnforcePolicy {
            rules: ["burst-rate", "mass-enumeration", "bulk-export", "space-export"]
                .map(String::from)
                .to_vec(),
            min_severity: Severity::High,
        }
    }
}

impl EnforcePolicy {
    /// Whether an alert of `rule` at `severity` throttles.
    pub fn throttles(&self, rule: RuleId, severity: Severity) -> bool {
        severity >= self.min_severity && self.rules.iter().any(|r| r == "*" || r == rule.as_str())
    }
}

/// Where alerts are posted (an Envoy cluster name, or the host's equivalent).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Collector {
    /// Upstream cluster.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub cluster: String,
    /// Request path.
    #[serde(default = "default_collector_path")]
    pub path: String,
    /// `:authority` of the request.
    #[serde(default = "default_collector_authority")]
    pub authority: String,
    /// Call timeout in milliseconds.
    #[serde(default = "default_collector_timeout")]
    pub timeout_ms: u32,
}

impl Collector {
    /// Where its posts go.
    pub fn target(&self) -> crate::callout::Target {
        crate::callout::Target {
            upstream: self.cluster.clone(),
            path: self.path.clone(),
            authority: self.authority.clone(),
            timeout_ms: self.timeout_ms,
        }
    }
}

fn default_collector_path() -> String {
    "/alerts".into()
}
fn default_collector_authority() -> String {
    "wikiwatch-collector".into()
}
fn default_collector_timeout() -> u32 {
    2000
}

impl ProxySettings {
    /// The inline `state`, decoded (ASCII whitespace in it is ignored, so it may be wrapped).
    pub fn inline_state(&self) -> Result<Option<Vec<u8>>, String> {
        let Some(text) = &self.state else { return Ok(None) };
        let text: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
        match crate::request::base64(&text) {
            Some(bytes) if !bytes.is_empty() => Ok(Some(bytes)),
            _ => Err("config: proxy.state: not base64 of a state file".into()),
        }
    }

    /// Where `state_url` points, if set.
    pub fn state_target(&self) -> Option<crate::callout::Target> {
        let url = self.state_url.as_deref()?;
        crate::callout::Target::from_url(url, STATE_TIMEOUT_MS)
    }
}

/// How long the engine's VM waits for the state of `state_url` before it starts cold.
pub const STATE_TIMEOUT_MS: u32 = 10_000;

/// A rejected plugin configuration; displays as one log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError(pub String);

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

/// Splits and validates the plugin configuration. Empty input means all defaults.
pub fn parse(bytes: &[u8]) -> Result<(Config, ProxySettings), SettingsError> {
    let err = |m: String| SettingsError(format!("wikiwatch: bad plugin configuration: {m}"));
    // JSON text, or (Envoy, `configuration` typed as google.protobuf.Struct) the Struct's
    // protobuf bytes, whose first byte is the tag of its first entry.
    let json = match std::str::from_utf8(bytes) {
        Ok(text) if text.trim().is_empty() => {
            return Ok((Config::default(), ProxySettings::default()))
        }
        Ok(text) => {
            serde_json::from_str::<serde_json::Value>(text).map_err(|e| format!("config: {e}"))
        }
        Err(_) => Err("not UTF-8".into()),
    };
    let doc = match json {
        Ok(v) => v,
        Err(e) if bytes.first() == Some(&0x0a) => crate::pbstruct::decode(bytes)
            .map_err(|s| err(format!("{e} (nor a google.protobuf.Struct: {s})")))?,
        Err(e) => return Err(err(e)),
    };
    let (config, settings) = Config::from_document_with::<ProxySettings>(doc, "proxy")
        .map_err(|e| err(e.to_string()))?;
    validate(&settings).map_err(err)?;
    Ok((config, settings))
}

fn validate(s: &ProxySettings) -> Result<(), String> {
    let bad = |k: &str, m: &str| Err(format!("config: proxy.{k}: {m}"));
    for r in &s.enforce.rules {
        if r != "*" && r.parse::<RuleId>().is_err() {
            return bad("enforce.rules", &format!("unknown rule `{r}`"));
        }
    }
    if !(1..=65_536).contains(&s.slots) {
        return bad("slots", "must be 1..=65536");
    }
    if !(1..=65_536).contains(&s.identities) {
        return bad("identities", "must be 1..=65536");
    }
    if !(10..=60_000).contains(&s.tick_ms) {
        return bad("tick_ms", "must be 10..=60000");
    }
    if s.trusted_hops > 0 && s.client_header.trim().is_empty() {
        return bad("client_header", "must name a header when trusted_hops > 0");
    }
    if s.trusted_hops > 16 {
        return bad("trusted_hops", "must be 0..=16");
    }
    if s.user_header.trim().is_empty() || s.upstream_header.trim().is_empty() {
        return bad("user_header", "header names must not be empty");
    }
    if let Some(c) = &s.collector {
        if c.cluster.is_empty() {
            return bad("collector.cluster", "must not be empty");
        }
    }
    if let Some(url) = &s.state_url {
        if s.state_target().is_none() {
            return bad(
                "state_url",
                &format!("`{url}` is not `host:port/path` or `cluster/path` (no scheme)"),
            );
        }
        if s.engine == EngineMode::Worker {
            return bad("state_url", "needs `engine: proxy` (use `state` with `engine: worker`)");
        }
        if s.state.is_some() {
            return bad("state", "give `state` or `state_url`, not both");
        }
    }
    s.inline_state()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_default() {
        let (c, s) = parse(b"").unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(s, ProxySettings::default());
    }

    #[test]
    fn proxy_section_is_split_off() {
        let (c, s) = parse(
            br#"{"allow":[{"name":"bot","user_agents":["Googlebot"],"rules":["*"]}],
                 "proxy":{"mode":"enforce","trusted_hops":1,"enforce":{"rules":["*"],"min_severity":"critical"}}}"#,
        )
        .unwrap();
        assert_eq!(c.allow.len(), 1);
        assert_eq!(s.mode, Mode::Enforce);
        assert!(s.enforce.throttles(RuleId::SessionAnomaly, Severity::Critical));
        assert!(!s.enforce.throttles(RuleId::SessionAnomaly, Severity::High));
    }

    #[test]
    fn struct_bytes_read_as_the_json_would() {
        // {"proxy": {"slots": 64}} as google.protobuf.Struct wire bytes.
        let num = [&[0x11u8][..], &64f64.to_le_bytes()].concat();
        let entry = |k: &[u8], v: &[u8]| {
            let mut e = vec![0x0a, k.len() as u8];
            e.extend_from_slice(k);
            e.extend_from_slice(&[0x12, v.len() as u8]);
            e.extend_from_slice(v);
            let mut out = vec![0x0a, e.len() as u8];
            out.extend(e);
            out
        };
        let slots = entry(b"slots", &num);
        let mut inner = vec![0x2a, slots.len() as u8];
        inner.extend_from_slice(&slots);
        let (_, s) = parse(&entry(b"proxy", &inner)).unwrap();
        assert_eq!(s.slots, 64);
    }

    #[test]
    fn warm_start_sources() {
        let (_, s) = parse(br#"{"proxy":{"state_url":"127.0.0.1:9/w.state"}}"#).unwrap();
        let t = s.state_target().unwrap();
        assert_eq!((t.upstream.as_str(), t.path.as_str()), ("127.0.0.1:9", "/w.state"));
        assert_eq!(t.timeout_ms, STATE_TIMEOUT_MS);
        let (_, s) = parse(br#"{"proxy":{"state":"d2lr\naXdhdGNo"}}"#).unwrap();
        assert_eq!(s.inline_state().unwrap().as_deref(), Some(&b"wikiwatch"[..]));
        assert_eq!(ProxySettings::default().inline_state(), Ok(None));
    }

    #[test]
    fn rejections_name_the_key() {
        let cases: &[(&[u8], &str)] = &[
            (b"{", "config:"),
            (b"[]", "must be a JSON object"),
            (b"\xff", "not UTF-8"),
            (br#"{"proxy":{"mdoe":"enforce"}}"#, "unknown field `mdoe`"),
            (br#"{"proxy":{"mode":"block"}}"#, "proxy.mode"),
            (br#"{"proxy":{"engine":"leader"}}"#, "proxy.engine"),
            (br#"{"proxy":{"enforce":{"rules":["nope"]}}}"#, "unknown rule `nope`"),
            (br#"{"proxy":{"slots":0}}"#, "proxy.slots"),
            (br#"{"proxy":{"identities":0}}"#, "proxy.identities"),
            (br#"{"proxy":{"collector":{"path":"/x"}}}"#, "missing field `cluster`"),
            (br#"{"rulez":{}}"#, "rulez"),
            (br#"{"proxy":{"state_url":"http://h:1/s"}}"#, "proxy.state_url"),
            (br#"{"proxy":{"state_url":"h:1/s","engine":"worker"}}"#, "engine: proxy"),
            (br#"{"proxy":{"state_url":"h:1/s","state":"AAAA"}}"#, "not both"),
            (br#"{"proxy":{"state":"!!"}}"#, "proxy.state"),
        ];
        for (input, want) in cases {
            let e = parse(input).unwrap_err().to_string();
            assert!(e.contains(want), "{e:?} should contain {want:?}");
            assert!(e.starts_with("wikiwatch: bad plugin configuration: "), "{e}");
            assert!(!e.contains('\n'));
        }
    }
}
