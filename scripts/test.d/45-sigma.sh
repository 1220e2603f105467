#!/usr/bin/env bash
# Parses every Sigma rule in examples/sigma/ with pySigma, converts the single-event rules to
# Elasticsearch Lucene queries (proof they are usable as shipped) and checks that their agent
# lists, credential terms and export paths are the core's own (tests/sigma/check_rules.py).
# pySigma lives in a venv under target/ (made once, reused while the requirements are unchanged).
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/sigma-venv
req=tests/sigma/requirements.txt
if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$venv/requirements.txt"
fi
"$venv/bin/python" tests/sigma/check_rules.py examples/sigma
