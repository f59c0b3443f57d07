#!/usr/bin/env bash
# Runs every test: unit and property tests, the plugin archive checks, and (as they are added) the
# Key Vault and end-to-end suites. Needs a JDK 17+ and Maven; see README.md.
set -euo pipefail
cd "$(dirname "$0")"
exec mvn -B -ntp verify "$@"
