package io.envelopecrypt.demo;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The decrypting settings of the demo's sink as a properties file for the envelopecrypt CLI: the sink's
 * {@code transforms.decrypt.*} settings, with the {@code ${env:...}} references the worker resolves from its
 * environment filled in, and {@code ${file:...}} references left to the CLI's own FileConfigProvider.
 */
final class CliSettings {
    private static final String PREFIX = "transforms.decrypt.";
    private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    private CliSettings() {
    }

    static String fromSink(Map<String, String> sinkConfig, Map<String, String> workerEnvironment) {
        Map<String, String> out = new TreeMap<>();
        sinkConfig.forEach((k, v) -> {
            if (k.startsWith(PREFIX) && !k.equals(PREFIX + "type") && v != null) {
                out.put(k.substring(PREFIX.length()), resolveEnv(v, workerEnvironment));
            }
        });
        StringBuilder p = new StringBuilder("# The demo sink's DecryptPayload settings, for envelopecrypt decrypt --kek-config.\n"
                + "# Development values of a throw-away stack: never keep keys or secrets in plain files in production.\n"
                + "config.providers=file\n"
                + "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n");
        out.forEach((k, v) -> p.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        return p.toString();
    }

    private static String resolveEnv(String value, Map<String, String> workerEnvironment) {
        Matcher m = ENV.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = workerEnvironment.getOrDefault(m.group(1), System.getenv(m.group(1)));
            m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        return m.appendTail(sb).toString();
    }
}
