package io.envelopecrypt.connect.transforms;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code kek.key.template}: the key-encryption key name a record selects, as literal text with references to the
 * record in braces, e.g. {@code tenant-{field:tenantId}} or {@code {header:tenant}-kek}. References are
 * {@link ValueSource}s ({@code field:<path>}, {@code header:<name>}, {@code topic}); a record without a value for
 * one has no key name (the engine then applies {@code kek.key.fallback} or fails the record).
 */
final class KeyNameTemplate {
    private static final Set<ValueSource.Kind> REFERENCES =
            EnumSet.of(ValueSource.Kind.FIELD, ValueSource.Kind.HEADER, ValueSource.Kind.TOPIC);

    /** Literal strings and ValueSources, in order. */
    private final List<Object> parts;
    private final String spec;

    private KeyNameTemplate(String spec, List<Object> parts) {
        this.spec = spec;
        this.parts = parts;
    }

    static KeyNameTemplate parse(String spec) {
        List<Object> parts = new ArrayList<>();
        int i = 0;
        boolean referenced = false;
        while (i < spec.length()) {
            int open = spec.indexOf('{', i);
            int strayClose = spec.indexOf('}', i);
            if (strayClose >= 0 && (open < 0 || strayClose < open)) {
                throw new IllegalArgumentException("'}' without '{' at position " + strayClose);
            }
            if (open < 0) {
                parts.add(spec.substring(i));
                break;
            }
            if (open > i) {
                parts.add(spec.substring(i, open));
            }
            int close = spec.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("'{' at position " + open + " is not closed");
            }
            parts.add(ValueSource.parse(spec.substring(open + 1, close), REFERENCES));
            referenced = true;
            i = close + 1;
        }
        if (!referenced) {
            throw new IllegalArgumentException("refers to nothing in the record; use {field:<path>}, {header:<name>} or "
                    + "{topic} (for one key for every record, set the provider's key name instead)");
        }
        return new KeyNameTemplate(spec, List.copyOf(parts));
    }

    /** The key name this record selects, or null when a reference has no value in it. */
    String render(ConnectRecord<?> record) {
        StringBuilder sb = new StringBuilder(32);
        for (Object part : parts) {
            if (part instanceof ValueSource source) {
                String v = source.text(record);
                if (v == null) {
                    return null;
                }
                sb.append(v);
            } else {
                sb.append((String) part);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return spec;
    }

    /** Validates a template in a ConfigDef (null: no per-record selection). */
    static final class Validator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            try {
                parse(value.toString());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "text with {field:<path>}, {header:<name>} or {topic} references";
        }
    }
}
