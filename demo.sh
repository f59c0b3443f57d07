#!/usr/bin/env bash
# The demo: builds the project if needed, then starts an embedded Kafka broker, Apicurio Registry and a
# Kafka Connect worker with the plugin on plugin.path, and streams encrypted payment events through it.
# Options: ./demo.sh --help. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"

stamp=testing/demo/target/demo.classpath
if [ ! -f "$stamp" ] || [ ! -f target/kafka-connect-envelope-encryption-*.zip ] \
   || [ -n "$(find . -path ./target -prune -o -path '*/target' -prune -o \
        \( -name '*.java' -o -name 'pom.xml' -o -name '*.json' -o -name '*.properties' \) -newer "$stamp" -print -quit)" ]; then
  echo "Building the plugin and the demo (the first run downloads Kafka, Apicurio Registry and the Azure SDK, about 300 MB)..."
  mvn -B -q -ntp -f build/pom.xml install -DskipTests
fi

exec java ${DEMO_JAVA_OPTS:-} -cp "testing/demo/target/classes:$(cat "$stamp")" io.envelopecrypt.demo.Demo "$@"
