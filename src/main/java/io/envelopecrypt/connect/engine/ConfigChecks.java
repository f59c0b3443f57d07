package io.envelopecrypt.connect.engine;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Makes Connect's {@code PUT /connector-plugins/.../config/validate} report what would stop a task from starting,
 * on the key to fix, once. A ConfigDef's validators see one value; its recommenders see every parsed value, and a
 * {@link ConfigException} a recommender throws becomes that key's error. So every key gets a recommender that
 * reports the problems found between settings for it, and every validator is wrapped so that it stays quiet about a
 * value that failed to parse or is missing (Kafka has already reported that) and names an unresolved
 * {@code ${provider:...}} reference as such.
 */
public final class ConfigChecks {
    private static final Pattern UNRESOLVED = Pattern.compile(".*\\$\\{[^}]*}.*", Pattern.DOTALL);

    private ConfigChecks() {
    }

    /**
     * A copy of {@code def} whose keys report {@code problems.apply(parsed).get(key)} at validation time.
     *
     * @param problems from every parsed setting to the problems between them, by the key that should change
     */
    public static ConfigDef withChecks(ConfigDef def, Function<Map<String, Object>, Map<String, String>> problems) {
        ConfigDef out = new ConfigDef();
        for (ConfigDef.ConfigKey k : def.configKeys().values()) {
            out.define(new ConfigDef.ConfigKey(k.name, k.type, k.defaultValue, quiet(k.validator), k.importance,
                    k.documentation, k.group, k.orderInGroup, k.width, k.displayName, k.dependents,
                    new Problems(k.name, k.recommender, problems), k.internalConfig));
        }
        return out;
    }

    /** Throws the first problem, as the task would fail on it, when settings are parsed outside validation. */
    public static void throwFirst(Map<String, String> problems) {
        problems.entrySet().stream().findFirst().ifPresent(e -> {
            throw new ConfigException(e.getKey() + ": " + e.getValue());
        });
    }

    private static ConfigDef.Validator quiet(ConfigDef.Validator base) {
        if (base == null) {
            return null;
        }
        return ConfigDef.LambdaValidator.with((name, value) -> {
            if (value == null) {
                return; // missing or unparsable: Kafka's own message says so, once
            }
            if (value instanceof String s && UNRESOLVED.matcher(s).matches()) {
                throw new ConfigException(name, s, "this looks like an unresolved config provider reference: is the "
                        + "environment variable or file it names set on the worker, and the provider declared in the "
                        + "worker's config.providers?");
            }
            base.ensureValid(name, value);
        }, base::toString);
    }

    /** Reports the problem found for its key, and otherwise defers to the key's own recommender. */
    private record Problems(String key, ConfigDef.Recommender base,
                            Function<Map<String, Object>, Map<String, String>> problems) implements ConfigDef.Recommender {
        @Override
        public List<Object> validValues(String name, Map<String, Object> parsedConfig) {
            String problem = problems.apply(parsedConfig).get(key);
            if (problem != null) {
                throw new ConfigException(problem);
            }
            return base == null ? List.of() : base.validValues(name, parsedConfig);
        }

        @Override
        public boolean visible(String name, Map<String, Object> parsedConfig) {
            return base == null || base.visible(name, parsedConfig);
        }
    }
}
