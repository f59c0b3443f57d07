#!/usr/bin/env bash
# Creates (or updates) the Python environment of examples/python in target/python-venv, with the pinned
# packages of examples/python/requirements.txt from PyPI, and prints its interpreter's path.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" >&2
fi
stamp="$venv/.requirements"
if ! cmp -s examples/python/requirements.txt "$stamp"; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r examples/python/requirements.txt >&2
  cp examples/python/requirements.txt "$stamp"
fi
echo "$PWD/$venv/bin/python"
