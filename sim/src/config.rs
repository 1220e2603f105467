//! The scenario config (`config.json`, docs/config.md) that goes with a generated corpus: who is
//! who, which automation is sanctioned, and a couple of rule overrides a real site would make.

use crate::population::Person;
use crate::traps::{Trap, BACKUP, INDEXER};
use serde_json::{json, Map, Value};

/// The config as JSON.
pub fn scenario_config(people: &[Person], traps: &[Trap]) -> Value {
    let mut users = Map::new();
    for p in people {
        let mut u = json!({"role": p.role, "team": p.team});
        if p.privileged {
            u["privileged"] = json!(true);
        }
        users.insert(p.name.to_string(), u);
    }
    for t in traps.iter().filter(|t| t.user.starts_with("svc-")) {
        users.insert(t.user.to_string(), json!({"role": "service", "team": "it"}));
    }
    let backup = &traps[BACKUP];
    let indexer = &traps[INDEXER];
    json!({
        "identity": {
            "users": users,
            "privileged_roles": ["admin"]
        },
        "allow": [
            {
                "name": "nightly-backup",
                "users": [backup.user.as_ref()],
                "ips": [format!("{}/32", backup.ips[0])],
                "user_agents": ["Apache-HttpClient"],
                "paths": ["/spaces/", "/download/temp/"],
                "rules": ["*"],
                "reason": "IT's nightly XML export of every space (backup job on the backup host, change CHG-1042)"
            },
            {
                "name": "search-indexer",
                "users": [indexer.user.as_ref()],
                "ips": [format!("{}/32", indexer.ips[0])],
                "user_agents": ["python-requests"],
                "paths": ["/rest/api/"],
                "rules": ["*"],
                "reason": "enterprise search crawls every page over REST each night to build its index"
            }
        ],
        "rules": {
            "sensitive-search": {
                "terms": ["cloudflared", "openconnect", "client-secret", "kdbx", "keytab"]
            },
            "burst-rate": {
                "roles": {"service": {"threshold": 600}}
            }
        }
    })
}
