#!/usr/bin/env bash
# The demo: builds the project if needed, then starts an embedded Kafka broker, Apicurio Registry and a
# Kafka Connect worker with the plugin on plugin.path, and streams encrypted payment events through it.
# Options: ./demo.sh --help. Ctrl-C stops everything. DEMO_JAVA_OPTS passes JVM options to the demo.
set -euo pipefail
cd "$(dirname "$0")"

for arg in "$@"; do
  if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
    cat testing/demo/src/main/resources/io/envelopecrypt/demo/usage.txt
    exit 0
  fi
done

# Rebuilt only when a source, build or configuration file changed since the last build (or it never ran): the
# reference is this script's own marker of its last build, or the build's classpath file for a build run by hand.
stamp=testing/demo/target/demo.classpath
built=testing/demo/target/.demo-built
reference=$built
[ -f "$built" ] || reference=$stamp
if [ ! -f "$stamp" ] || ! ls target/kafka-connect-envelope-encryption-*.zip >/dev/null 2>&1 \
   || [ -n "$(find . -path ./target -prune -o -path '*/target' -prune -o -path ./.git -prune -o \
        \( -name '*.java' -o -name 'pom.xml' -o -name '*.json' -o -name '*.properties' -o -name '*.txt' \) \
        -newer "$reference" -print -quit)" ]; then
  if [ ! -d "$HOME/.m2/repository/org/apache/kafka/connect-runtime" ]; then
    echo "Building the plugin and the demo; this first build downloads Kafka, Apicurio Registry and the Azure SDK (about 300 MB)..."
  else
    echo "Building the plugin and the demo (sources changed since the last build)..."
  fi
  mvn -B -q -ntp -f build/pom.xml install -DskipTests
  touch "$built"
fi

# shellcheck disable=SC2086
exec java ${DEMO_JAVA_OPTS:-} -cp "testing/demo/target/classes:$(cat "$stamp")" io.envelopecrypt.demo.Demo "$@"
