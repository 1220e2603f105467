#!/usr/bin/env bash
# Prints the path of a Fluent Bit binary for the tests and benchmarks that run the real shipper:
# $FLUENT_BIT when it is set and executable, else the one ../shared/fluent-bit/build.sh builds
# (Fluent Bit 5.1.1 from its source, once; later calls reuse it).
#
#   export FLUENT_BIT=$(scripts/fluent-bit.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lib/host-binary.sh
. "$root/scripts/lib/host-binary.sh"
host_binary fluent-bit FLUENT_BIT "$root/../shared/fluent-bit/build.sh"
