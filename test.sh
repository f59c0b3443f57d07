#!/usr/bin/env bash
# Runs every test: unit and property tests, the plugin archive checks, the Azure Key Vault tests, the
# end-to-end suite on real Kafka Connect workers (4.4 and 3.9) with a schema registry (with the CLI and the
# Python consumer on a real topic), the demo, the test vectors decrypted in Python, and a short fuzzing
# session on the decoders.
# Needs a JDK 17+, Maven, a Java 21+ runtime for the registry (found in /usr/lib/jvm or APICURIO_JAVA_HOME)
# and Python 3; see README.md.
set -euo pipefail
cd "$(dirname "$0")"

# The whole build (build/pom.xml aggregates the plugin at the root, clients/ and testing/); no extra
# arguments: what runs here is what CI runs.
mvn -B -ntp -f build/pom.xml verify
echo "== Every module with tests ran some, and none was skipped"
python3 scripts/check-test-reports.py

echo "== The test vectors, decrypted in Python from the specification alone (examples/python)"
python=$(scripts/python-env.sh)
"$python" -m pytest -q -p no:cacheprovider examples/python/test_vectors.py
"$python" examples/python/decrypt_envelope.py > /dev/null
fuzz_seconds=${FUZZ_SECONDS:-20}
if [ "${CI:-}" = true ] && [ "$fuzz_seconds" -lt 20 ]; then
  echo "FUZZ_SECONDS=$fuzz_seconds: CI fuzzes each decoder for at least 20 s" >&2
  exit 1
fi
if [ "$fuzz_seconds" != 0 ]; then
  echo "== Fuzzing the decoders, $fuzz_seconds s per target (see scripts/fuzz.sh)"
  scripts/fuzz.sh "$fuzz_seconds"
else
  echo "== FUZZING SKIPPED (FUZZ_SECONDS=0): this run does not check the decoders against fuzzed input"
fi
echo "== All tests passed"
