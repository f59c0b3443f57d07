#!/usr/bin/env bash
# Runs the benchmarks of docs/performance.md. Builds what is missing first.
#
#   scripts/bench.sh jmh [JMH options]        JMH microbenchmarks of EncryptPayload/DecryptPayload
#                                             e.g. scripts/bench.sh jmh -prof gc -p payload=struct-1KB
#   scripts/bench.sh codec [JMH options]      JMH: the plaintext codec vs Avro's, direct Struct slots vs Struct.put
#   scripts/bench.sh serde [JMH options]      JMH: EnvelopeSerializer / EnvelopeDeserializer on the same engine
#   scripts/bench.sh pipeline [options]       the pipeline benchmark on the embedded stack
#                                             (--records N --rounds R --kek local|keyvault|both --out FILE)
#   scripts/bench.sh costs [options]          Key Vault calls per million records (--records N)
#   scripts/bench.sh sizes [records]          bytes per record of each envelope variant, from the format
#
# Results go to stdout and testing/benchmarks/target/.
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-}
shift || true
cp_file=testing/benchmarks/target/benchmarks.classpath
if [ ! -f "$cp_file" ] || [ ! -f target/kafka-connect-envelope-encryption-*.zip ] \
   || [ -n "$(find src clients/consumer/src testing/benchmarks/src testing/connectors/src testing/harness/src -newer "$cp_file" -print -quit)" ]; then
  mvn -B -q -ntp -f build/pom.xml install -DskipTests
fi
cp="testing/benchmarks/target/classes:$(cat "$cp_file")"
java=${BENCH_JAVA:-java}

case "$what" in
  jmh) exec "$java" -cp "$cp" org.openjdk.jmh.Main TransformBenchmark -rf json \
         -rff "${JMH_RESULT:-testing/benchmarks/target/jmh-result.json}" "$@" ;;
  codec) exec "$java" -cp "$cp" org.openjdk.jmh.Main CodecBenchmark -rf json \
         -rff "${JMH_RESULT:-testing/benchmarks/target/jmh-codec.json}" "$@" ;;
  serde) exec "$java" -cp "$cp" org.openjdk.jmh.Main SerdeBenchmark -rf json \
         -rff "${JMH_RESULT:-testing/benchmarks/target/jmh-serde.json}" "$@" ;;
  pipeline) exec "$java" -Xmx2g -cp "$cp" io.envelopecrypt.benchmarks.PipelineBenchmark "$@" ;;
  costs) exec "$java" -Xmx2g -cp "$cp" io.envelopecrypt.benchmarks.KeyVaultCosts "$@" ;;
  sizes) exec "$java" -cp "$cp" io.envelopecrypt.benchmarks.EnvelopeSizes "$@" ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
