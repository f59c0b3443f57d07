#!/usr/bin/env bash
# Runs every test: unit and property tests, the plugin archive checks, the Azure Key Vault tests, the
# end-to-end suite on real Kafka Connect workers (4.1 and 3.9) with a schema registry (with the CLI and the
# Python consumer on a real topic), the demo, the test vectors decrypted in Python, and a short fuzzing
# session on the decoders.
# Needs a JDK 17+, Maven, a Java 21+ runtime for the registry (found in /usr/lib/jvm or APICURIO_JAVA_HOME)
# and Python 3; see README.md.
set -euo pipefail
cd "$(dirname "$0")"

# The whole build (build/pom.xml aggregates the plugin at the root, clients/ and testing/); no extra
# arguments: what runs here is what CI runs.
mvn -B -ntp -f build/pom.xml verify

echo "== The test vectors, decrypted in Python from the specification alone (examples/python)"
python=$(scripts/python-env.sh)
"$python" -m pytest -q -p no:cacheprovider examples/python/test_vectors.py
"$python" examples/python/decrypt_envelope.py > /dev/null
if [ "${FUZZ_SECONDS:-20}" != 0 ]; then
  echo "== Fuzzing the decoders, ${FUZZ_SECONDS:-20} s per target (FUZZ_SECONDS=0 skips; see scripts/fuzz.sh)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
fi
echo "== All tests passed"
