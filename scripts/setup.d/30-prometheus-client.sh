#!/usr/bin/env bash
# prometheus_client from PyPI: the OpenMetrics and Prometheus text parsers host/tests/metrics.rs
# reads `--metrics` files with.
set -euo pipefail
VERSION=0.26.0
if ! python3 -c "import importlib.metadata as m, sys; sys.exit(m.version('prometheus_client') != '$VERSION')" 2>/dev/null; then
  echo "== setup: installing prometheus_client $VERSION" >&2
  python3 -m pip install -q --disable-pip-version-check "prometheus_client==$VERSION"
fi
