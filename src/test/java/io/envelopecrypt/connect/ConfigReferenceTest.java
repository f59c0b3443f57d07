package io.envelopecrypt.connect;

import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * docs/configuration.md is generated from the ConfigDefs; this test fails when it drifts.
 * Regenerate with {@code mvn test -Dtest=ConfigReferenceTest -Dconfig.reference.update=true}.
 */
class ConfigReferenceTest {
    private static final Path REFERENCE = Path.of("docs", "configuration.md");

    @Test
    void referenceMatchesTheConfigDefs() throws IOException {
        String readme = Files.readString(REFERENCE, StandardCharsets.UTF_8);
        String updated = readme;
        for (Map.Entry<String, ConfigDef> e : Map.of("EncryptPayload", EncryptPayload.CONFIG_DEF,
                "DecryptPayload", DecryptPayload.CONFIG_DEF).entrySet()) {
            updated = replaceSection(updated, e.getKey(), table(e.getValue()));
        }
        if (Boolean.getBoolean("config.reference.update")) {
            Files.writeString(REFERENCE, updated, StandardCharsets.UTF_8);
            // Never a pass: a run that regenerates the file proves nothing about it.
            fail("Regenerated docs/configuration.md: review the diff, then run again without -Dconfig.reference.update");
        }
        assertThat(readme).as("docs/configuration.md is stale; regenerate with -Dconfig.reference.update=true")
                .isEqualTo(updated);
    }

    static String replaceSection(String readme, String name, String content) {
        String start = "<!-- config-reference:" + name + ":start -->";
        String end = "<!-- config-reference:" + name + ":end -->";
        int s = readme.indexOf(start);
        int t = readme.indexOf(end);
        assertThat(s).as("docs/configuration.md has the marker " + start).isGreaterThanOrEqualTo(0);
        assertThat(t).as("docs/configuration.md has the marker " + end).isGreaterThan(s);
        return readme.substring(0, s + start.length()) + "\n" + content + readme.substring(t);
    }

    static String table(ConfigDef def) {
        StringBuilder sb = new StringBuilder();
        String group = null;
        List<ConfigDef.ConfigKey> keys = def.configKeys().values().stream().toList();
        for (String g : def.groups()) {
            for (ConfigDef.ConfigKey k : keys) {
                if (!g.equals(k.group)) {
                    continue;
                }
                if (!g.equals(group)) {
                    group = g;
                    sb.append("\n**").append(g).append("**\n\n");
                    sb.append("| Key | Type | Default | Valid values | Importance | Description |\n");
                    sb.append("|---|---|---|---|---|---|\n");
                }
                sb.append("| `").append(k.name).append("` | ").append(k.type.name().toLowerCase())
                        .append(" | ").append(defaultOf(k)).append(" | ")
                        .append(k.validator == null ? "" : "`" + k.validator.toString().replace("`", "'") + "`")
                        .append(" | ").append(k.importance.name().toLowerCase())
                        .append(" | ").append(escape(k.documentation)).append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String defaultOf(ConfigDef.ConfigKey k) {
        if (!k.hasDefault()) {
            return "(required)";
        }
        Object d = k.defaultValue;
        if (d == null) {
            return "";
        }
        if (d instanceof Password) {
            return "[hidden]";
        }
        if (d instanceof List<?> l) {
            return l.isEmpty() ? "\"\"" : "`" + String.join(",", l.stream().map(Object::toString).toList()) + "`";
        }
        return "`" + d + "`";
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;");
    }
}
