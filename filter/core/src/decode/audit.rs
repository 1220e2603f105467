//! `audit` (alias `cloud-audit`): Atlassian audit records in the four shapes Atlassian writes,
//! one JSON object per line or a page of them (`results`, `data`, `entities`, or a bare array).
//!
//! 1. Data Center audit files (`<home>/log/audit/*.jsonl`): `auditType`, `author`,
//!    `affectedObjects`, `changedValues`, `extraAttributes`, `source`, `timestamp{epochSecond,nano}`.
//! 2. Data Center audit REST (`/rest/auditing/1.0/events`): the same with `type` for `auditType`
//!    and an ISO 8601 `timestamp`.
//! 3. Confluence Cloud (`/wiki/rest/api/audit`, also the legacy DC `/rest/api/audit`): `author`,
//!    `remoteAddress`, `creationDate` (epoch ms), `summary`, `affectedObject`, `associatedObjects`.
//! 4. Atlassian organization events (`/admin/v1/orgs/{id}/events`): `attributes{action, actor,
//!    container, context, time, location}`.
//!
//! Events carry `method` and `target` empty and status 0: what happened is in `audit`.

use super::audit_action::{self, Change, Facts, Obj};
use super::{json, reason};
use crate::event::{AccessEvent, TimeMs};
use serde_json::Value;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    DcFile,
    DcRest,
    Cloud,
    Org,
}

fn shape(v: &Value) -> Option<Shape> {
    let has_obj = |k: &str| v.get(k).is_some_and(Value::is_object);
    Some(if has_obj("attributes") {
        Shape::Org
    } else if has_obj("auditType") {
        Shape::DcFile
    } else if has_obj("type") {
        Shape::DcRest
    } else if ["creationDate", "summary", "remoteAddress"].iter().any(|k| v.get(k).is_some()) {
        Shape::Cloud
    } else if has_obj("author") {
        // An author but no action container: DC-shaped, decoded for what it carries.
        Shape::DcFile
    } else {
        return None;
    })
}

/// The records of a page, or `None` when `v` is a single record.
fn page(v: &Value) -> Option<&Vec<Value>> {
    match v {
        Value::Array(items) => Some(items),
        Value::Object(o) => {
            ["results", "data", "entities"].iter().find_map(|k| o.get(*k)?.as_array())
        }
        _ => None,
    }
}

/// Whether a parsed JSON line looks like audit data (used by `auto`).
pub(crate) fn is_audit(v: &Value) -> bool {
    page(v).is_some() || shape(v).is_some()
}

/// Decodes a line holding one record or a page: each event goes to `out`. Records of a page
/// that do not decode are counted in `skipped`; the line fails only if none decoded.
pub(crate) fn decode(
    v: &Value,
    out: &mut dyn FnMut(AccessEvent<'_>),
    skipped: &mut u64,
) -> Result<usize, &'static str> {
    let Some(items) = page(v) else {
        out(record(v)?);
        return Ok(1);
    };
    let mut first_err = None;
    let mut events = Vec::with_capacity(items.len());
    for item in items {
        match record(item) {
            Ok(e) => events.push(e),
            Err(why) => {
                *skipped += 1;
                first_err.get_or_insert(why);
            }
        }
    }
    // The audit APIs page newest first: a page's records go out oldest first (stable for ties).
    events.sort_by_key(|e| e.time_ms);
    let n = events.len();
    events.into_iter().for_each(&mut *out);
    match first_err {
        Some(why) if n == 0 => {
            // The line is rejected as a whole; its records are not counted twice.
            *skipped -= items.len() as u64;
            Err(why)
        }
        _ => Ok(n),
    }
}

fn s<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)?.as_str().map(str::trim).filter(|s| !s.is_empty())
}

fn arr<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn time_of(v: &Value, shape: Shape) -> Result<TimeMs, &'static str> {
    let t = match shape {
        Shape::Org => v.get("attributes").and_then(|a| a.get("time")),
        Shape::Cloud => v.get("creationDate").or_else(|| v.get("timestamp")),
        Shape::DcFile | Shape::DcRest => v.get("timestamp").or_else(|| v.get("creationDate")),
    };
    match t.ok_or(reason::MISSING_TIME)? {
        Value::Object(o) => {
            let secs = o.get("epochSecond").and_then(Value::as_i64).ok_or(reason::BAD_TIMESTAMP)?;
            let nano = o.get("nano").and_then(Value::as_i64).unwrap_or(0);
            if !(0..1_000_000_000).contains(&nano) || !(0..=253_402_300_799).contains(&secs) {
                return Err(reason::BAD_TIMESTAMP);
            }
            Ok(secs * 1000 + nano / 1_000_000)
        }
        other => json::time_of(other),
    }
}

fn first_addr(a: &str) -> &str {
    a.split(',').next().unwrap_or(a).trim()
}

/// Decodes one record.
fn record(v: &Value) -> Result<AccessEvent<'_>, &'static str> {
    let shape = shape(v).ok_or(reason::NOT_AUDIT)?;
    let time_ms = time_of(v, shape)?;
    let mut f = Facts::default();
    let mut names: Vec<&str> = Vec::new();
    let (user, client) = match shape {
        Shape::DcFile | Shape::DcRest => {
            let kind = if shape == Shape::DcFile { "auditType" } else { "type" };
            let t = v.get(kind).or_else(|| v.get("auditType")).or_else(|| v.get("type"));
            f.key = t.and_then(|t| s(t, "actionI18nKey"));
            f.text = t.and_then(|t| s(t, "action"));
            dc_objects(v, &mut f);
            let author = v.get("author");
            // The login is in the author's URI (`...viewuser.action?username=admin`); `name` is
            // the display name and `id` the user key: both become aliases.
            let login = author.and_then(|a| {
                s(a, "uri")
                    .and_then(|u| audit_action::query_param(u, "username"))
                    .or_else(|| s(a, "username"))
                    .or_else(|| s(a, "name"))
                    .or_else(|| s(a, "id"))
            });
            names.extend(author.into_iter().flat_map(|a| [s(a, "name"), s(a, "id")]).flatten());
            (login, s(v, "source").map(first_addr))
        }
        Shape::Cloud => {
            f.text = s(v, "summary");
            cloud_objects(v, &mut f);
            let author = v.get("author");
            // A real username (Data Center's legacy audit API) is the login. Cloud copies the
            // account id into `username`, and its grants and affected objects name accounts by
            // display name, so there the display name is; the ids become aliases.
            let user = author.and_then(|a| {
                s(a, "username")
                    .filter(|u| Some(*u) != s(a, "accountId"))
                    .or_else(|| s(a, "displayName"))
                    .or_else(|| s(a, "publicName"))
                    .or_else(|| s(a, "accountId"))
            });
            let others = ["accountId", "username", "userKey", "email", "publicName"];
            names.extend(author.into_iter().flat_map(|a| others.map(|k| s(a, k))).flatten());
            (user, s(v, "remoteAddress").map(first_addr))
        }
        Shape::Org => {
            let a = &v["attributes"];
            f.key = s(a, "action");
            org_objects(a, &mut f);
            let actor = a.get("actor");
            let user =
                actor.and_then(|x| s(x, "name").or_else(|| s(x, "email")).or_else(|| s(x, "id")));
            names.extend(actor.into_iter().flat_map(|x| [s(x, "id"), s(x, "email")]).flatten());
            let ip = a
                .get("location")
                .and_then(|l| s(l, "ip"))
                .or_else(|| s(a, "ip"))
                .or_else(|| s(a, "remoteAddress"));
            (user, ip.map(first_addr))
        }
    };
    let audit = audit_action::action(&f).ok_or(reason::MISSING_ACTION)?;
    // Atlassian writes "Unknown user" as the public name of every hidden profile.
    names.retain(|n| Some(*n) != user && !n.eq_ignore_ascii_case("unknown user"));
    names.dedup();
    Ok(AccessEvent {
        time_ms,
        user: user.map(Cow::Borrowed),
        client: client.filter(|c| !c.is_empty()).map(Cow::Borrowed),
        session: None,
        method: Cow::Borrowed(""),
        target: Cow::Borrowed(""),
        status: 0,
        bytes: 0,
        agent: Cow::Borrowed(""),
        referer: None,
        audit: Some(audit),
        aliases: names.into_iter().map(Cow::Borrowed).collect(),
    })
}

fn dc_objects<'v>(v: &'v Value, f: &mut Facts<'v>) {
    for o in arr(v, "affectedObjects").iter().chain(arr(v, "affected_objects")) {
        f.objects.push(Obj {
            kind: s(o, "type").unwrap_or(""),
            name: s(o, "name"),
            id: s(o, "id"),
            uri: s(o, "uri"),
        });
    }
    for c in arr(v, "changedValues").iter().chain(arr(v, "changed_values")) {
        let key = s(c, "key").or_else(|| s(c, "i18nKey")).unwrap_or("");
        f.changes.push(Change { key, to: s(c, "to") });
    }
    for x in arr(v, "extraAttributes").iter().chain(arr(v, "extra_attributes")) {
        let key = s(x, "name").or_else(|| s(x, "nameI18nKey")).unwrap_or("");
        f.changes.push(Change { key, to: s(x, "value") });
    }
}

fn cloud_objects<'v>(v: &'v Value, f: &mut Facts<'v>) {
    let affected = v.get("affectedObject").into_iter();
    for o in affected.chain(arr(v, "associatedObjects")) {
        f.objects.push(Obj {
            kind: s(o, "objectType").unwrap_or(""),
            name: s(o, "name"),
            id: None,
            uri: None,
        });
    }
    for c in arr(v, "changedValues") {
        f.changes.push(Change { key: s(c, "name").unwrap_or(""), to: s(c, "newValue") });
    }
}

fn org_objects<'v>(a: &'v Value, f: &mut Facts<'v>) {
    for o in arr(a, "context").iter().chain(arr(a, "container")) {
        let at = o.get("attributes").unwrap_or(&Value::Null);
        let name = s(at, "name")
            .or_else(|| s(at, "displayName"))
            .or_else(|| s(at, "email"))
            .or_else(|| s(at, "key"))
            .or_else(|| s(at, "siteName"));
        f.objects.push(Obj { kind: s(o, "type").unwrap_or(""), name, id: s(o, "id"), uri: None });
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
