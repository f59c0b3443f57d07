#!/usr/bin/env bash
# Coverage-guided fuzzing of the decoders with Jazzer (src/test/java/.../fuzz/DecoderFuzzTest.java).
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Each target runs for the given time (default 20 s, the CI budget; use 600 or more for a real session).
# New interesting inputs go to .cifuzz-corpus (not committed); a crash fails the run and leaves its
# input in src/test/resources/.../DecoderFuzzTestInputs/<target>/, where every later `mvn test`
# replays it. To keep a longer session's corpus, copy it into the same directory:
#   cp .cifuzz-corpus/io.envelopecrypt.connect.fuzz.DecoderFuzzTest/<target>/* \
#      src/test/resources/io/envelopecrypt/connect/fuzz/DecoderFuzzTestInputs/<target>/
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(plaintextDecoder payloadSchemaAndPlaintext envelopeAtTheSink authenticatedPlaintext)
fi
for t in "${targets[@]}"; do
  echo "== Fuzzing DecoderFuzzTest#$t for ${seconds} s"
  log=target/fuzz-$t.log
  # -am builds the test kit in the same reactor: nothing has to be installed in ~/.m2 first.
  if ! JAZZER_FUZZ=1 mvn -B -ntp -f build/pom.xml -pl :kafka-connect-envelope-encryption -am test -Dtest="DecoderFuzzTest#$t" -Dsurefire.failIfNoSpecifiedTests=false -Dhostile.writer.skip=true \
      -Djazzer.internal.arg.0=fuzz "-Djazzer.internal.arg.1=-max_total_time=$seconds" > "$log" 2>&1; then
    tail -80 "$log"
    echo "== Fuzzing $t found a problem (full log: $log)" >&2
    exit 1
  fi
  grep -E '^Done [0-9]+ runs' "$log" || { tail -40 "$log"; echo "== no fuzzing summary in $log" >&2; exit 1; }
done
