package org.apache.kafka.common.utils;

/**
 * A bridge for the FileStream connectors on the test workers, nothing else. Kafka 4.4 moved this class to
 * {@code org.apache.kafka.common.utils.internals}; connect-file 4.4.0 is refused by this build's Maven mirror, and
 * the newest it serves (4.3.1) calls {@code AppInfoParser.getVersion()} at its old place. This jar comes after the
 * worker's own jars on the test workers' classpath, so on Kafka 3.9 workers the real class wins and this one is
 * never loaded. Users' 4.4 installations ship connect-file 4.4, which needs no bridge.
 */
public final class AppInfoParser {
    private AppInfoParser() {
    }

    public static String getVersion() {
        return org.apache.kafka.common.utils.internals.AppInfoParser.getVersion();
    }
}
