#!/usr/bin/env bash
# Runs every test: unit and property tests, the plugin archive checks, the Azure Key Vault tests, the
# end-to-end suite on real Kafka Connect workers (4.1 and 3.9) with a schema registry, the demo, the
# documented outside-Connect decryption example in Python, and a short fuzzing session on the decoders.
# Needs a JDK 17+, Maven, a Java 21+ runtime for the registry (found in /usr/lib/jvm or APICURIO_JAVA_HOME)
# and Python 3; see README.md.
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -ntp verify "$@"

echo "== Decrypting the documented test vector outside Kafka Connect (examples/python)"
venv=target/python-example
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r examples/python/requirements.txt
"$venv/bin/python" examples/python/decrypt_envelope.py docs/envelope-test-vector.json > /dev/null
if [ "${FUZZ_SECONDS:-20}" != 0 ]; then
  echo "== Fuzzing the decoders, ${FUZZ_SECONDS:-20} s per target (FUZZ_SECONDS=0 skips; see scripts/fuzz.sh)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
fi
echo "== All tests passed"
