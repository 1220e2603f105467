"""Checks the Sigma rule pack: every rule parses with pySigma without an error, every
single-event rule converts to an Elasticsearch Lucene query, and the values the rules match on
are the core's own (agent lists, credential terms, export paths), so the pack cannot drift
from what wikiwatch detects."""

import re
import sys
from pathlib import Path

from sigma.backends.elasticsearch import LuceneBackend
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.rule import SigmaRule

ROOT = Path(__file__).resolve().parents[2]


def rust_list(path, name):
    text = (ROOT / path).read_text()
    m = re.search(r"(?:static|const) " + name + r": &\[&str\] = &\[(.*?)\];", text, re.S)
    if not m:
        sys.exit(f"{path}: no list {name}")
    body = re.sub(r"^\s*//[^\n]*", "", m.group(1), flags=re.M)
    return re.findall(r'"((?:[^"\\]|\\.)*)"', body)


def rust_routes(kind):
    text = (ROOT / "filter/core/src/classify/routes.rs").read_text()
    return re.findall(r'\("([^"]+)", Exact, Fixed\(K::' + kind + r"\)\)", text)


def values(rule, name):
    for det in rule.detection.detections[name].detection_items:
        raw = det.original_value
        yield from (str(v) for v in (raw if isinstance(raw, list) else [raw]))


def main(folder):
    files = sorted(Path(folder).glob("*.yml"))
    if not files:
        sys.exit(f"no rules in {folder}")
    errors = []
    texts = [f.read_text() for f in files]
    coll = SigmaCollection.from_yaml("\n---\n".join(texts), collect_errors=True)
    coll.resolve_rule_references()
    for rule in coll.rules:
        for e in rule.errors:
            errors.append(f"{rule.source or rule.title}: {e}")
    if len(coll.rules) != len(files):
        errors.append(f"{len(files)} files but {len(coll.rules)} rules parsed")
    backend = LuceneBackend()
    by_name = {}
    for rule in coll.rules:
        by_name[rule.name] = rule
        if isinstance(rule, SigmaRule):
            queries = backend.convert_rule(rule)
            if not queries or not all(queries):
                errors.append(f"{rule.title}: no Lucene query")
            else:
                print(f"ok   {rule.name}: {len(queries[0])}-byte Lucene query")
        elif isinstance(rule, SigmaCorrelationRule):
            print(f"ok   {rule.name}: correlation over {[r.reference for r in rule.rules]}")

    def same(label, got, want):
        got, want = sorted(set(got)), sorted(set(want))
        if got != want:
            errors.append(f"{label}: missing {sorted(set(want) - set(got))}, "
                          f"extra {sorted(set(got) - set(want))}")

    agents = by_name["wikiwatch_confluence_rest_api_scripted_agent"]
    same("scripted agents", values(agents, "selection_agent_token"),
         rust_list("filter/core/src/classify/agent.rs", "SCRIPTS"))
    same("scripted agents (exact)", values(agents, "selection_agent_exact"),
         rust_list("filter/core/src/classify/agent.rs", "SCRIPT_EXACT"))
    terms = rust_list("filter/core/src/rules/search.rs", "TERMS")
    want = terms + [t.replace(" ", s) for t in terms if " " in t for s in ("%20", "+")]
    same("credential terms",
         values(by_name["wikiwatch_confluence_credential_search"], "selection_term"), want)
    same("space exports", values(by_name["wikiwatch_confluence_space_export"], "selection"),
         rust_routes("SpaceExport"))
    for e in errors:
        print(f"FAIL {e}")
    print(f"{len(coll.rules)} Sigma rules, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ROOT / "examples/sigma"))
