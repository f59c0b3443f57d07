package io.envelopecrypt.connect.transforms;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.transforms.field.FieldSyntaxVersion;
import org.apache.kafka.connect.transforms.field.SingleFieldPath;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Where an envelope header value comes from: {@code uuid}, {@code topic}, {@code record} (the record
 * timestamp), {@code wallclock}, {@code none}, {@code static:<text>}, {@code field:<path>} (a field of the
 * value, in Kafka's field path syntax of KIP-821: dots separate nested fields, and a name that contains dots is
 * written in backticks, e.g. {@code field:`order.id`}) or {@code header:<name>} (the last header with that name).
 *
 * <p>Values taken from fields or headers are written to the envelope in the clear.
 */
public record ValueSource(Kind kind, String argument, SingleFieldPath path) {

    public enum Kind {
        UUID("uuid"), TOPIC("topic"), RECORD_TIMESTAMP("record"), WALLCLOCK("wallclock"), NONE("none"),
        STATIC("static:"), FIELD("field:"), HEADER("header:");

        final String spelling;

        Kind(String spelling) {
            this.spelling = spelling;
        }

        boolean takesArgument() {
            return spelling.endsWith(":");
        }
    }

    public static ValueSource parse(String spec, Set<Kind> allowed) {
        String s = spec == null ? "" : spec.trim();
        for (Kind kind : Kind.values()) {
            if (kind.takesArgument() && s.toLowerCase(Locale.ROOT).startsWith(kind.spelling)) {
                String arg = s.substring(kind.spelling.length());
                if (arg.isEmpty() && kind != Kind.STATIC) {
                    throw new IllegalArgumentException("'" + kind.spelling + "' needs a name after the colon");
                }
                return check(new ValueSource(kind, arg, kind == Kind.FIELD ? fieldPath(arg) : null), allowed);
            }
            if (!kind.takesArgument() && s.equalsIgnoreCase(kind.spelling)) {
                return check(new ValueSource(kind, null, null), allowed);
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not one of " + describe(allowed));
    }

    private static ValueSource check(ValueSource source, Set<Kind> allowed) {
        if (!allowed.contains(source.kind)) {
            throw new IllegalArgumentException("'" + source.kind.spelling + "' is not allowed here; use one of "
                    + describe(allowed));
        }
        return source;
    }

    private static SingleFieldPath fieldPath(String path) {
        // Kafka's parser reads "a..b" as a path with an empty name; here that is always a typo.
        for (String segment : path.replaceAll("`(?:[^`\\\\]|\\\\.)*`", "q").split("\\.", -1)) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("field path '" + path + "' has an empty segment");
            }
        }
        try {
            return new SingleFieldPath(path, FieldSyntaxVersion.V2);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("field path '" + path + "' is not valid: " + e.getMessage());
        }
    }

    static String describe(Set<Kind> allowed) {
        StringJoiner j = new StringJoiner(", ");
        for (Kind k : allowed) {
            j.add(k.takesArgument() ? k.spelling + "<" + (k == Kind.FIELD ? "path" : k == Kind.HEADER ? "name" : "text") + ">" : k.spelling);
        }
        return j.toString();
    }

    /** The value as text, or null when the source has none for this record. */
    String text(ConnectRecord<?> record) {
        return switch (kind) {
            case UUID -> uuidV7();
            case TOPIC -> record.topic();
            case RECORD_TIMESTAMP -> record.timestamp() == null ? null : record.timestamp().toString();
            case WALLCLOCK -> Long.toString(System.currentTimeMillis());
            case NONE -> null;
            case STATIC -> argument;
            case FIELD -> asText(fieldValue(record.value()));
            case HEADER -> asText(headerValue(record));
        };
    }

    /** The value as epoch milliseconds, or null when the source has none for this record. */
    Long millis(ConnectRecord<?> record, long now) {
        Object v = switch (kind) {
            case RECORD_TIMESTAMP -> record.timestamp();
            case WALLCLOCK -> now;
            case FIELD -> fieldValue(record.value());
            case HEADER -> headerValue(record);
            case STATIC -> argument;
            default -> null;
        };
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof java.util.Date d) {
            return d.getTime();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new DataException("The timestamp source " + this + " is not a number of milliseconds");
            }
        }
        throw new DataException("The timestamp source " + this + " is a " + v.getClass().getSimpleName()
                + ", not a number of milliseconds");
    }

    @SuppressWarnings("unchecked")
    private Object fieldValue(Object value) {
        if (value instanceof Struct struct) {
            return path.valueFrom(struct);
        }
        if (value instanceof Map<?, ?> map) {
            return path.valueFrom((Map<String, Object>) map);
        }
        return null;
    }

    private Object headerValue(ConnectRecord<?> record) {
        Header h = record.headers().lastWithName(argument);
        return h == null ? null : h.value();
    }

    private String asText(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (v instanceof java.util.Date d) {
            return Long.toString(d.getTime());
        }
        throw new DataException("The envelope header source " + this + " is a " + v.getClass().getSimpleName()
                + "; only strings, numbers, booleans and timestamps can be copied into the envelope");
    }

    /** A time-ordered UUID (RFC 9562 version 7): unique, and sorts by creation time. */
    static String uuidV7() {
        return io.envelopecrypt.connect.envelope.EnvelopeHeader.newId();
    }

    @Override
    public String toString() {
        return kind.takesArgument() ? kind.spelling + argument : kind.spelling;
    }

    /** Validates a single source spec in a ConfigDef. */
    static final class Validator implements ConfigDef.Validator {
        private final Set<Kind> allowed;

        Validator(Kind first, Kind... rest) {
            this.allowed = EnumSet.of(first, rest);
        }

        Set<Kind> allowed() {
            return allowed;
        }

        @Override
        public void ensureValid(String name, Object value) {
            try {
                parse((String) value, allowed);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return describe(allowed);
        }
    }

    /** A named metadata entry, {@code name=source}. */
    record MetadataEntry(String name, ValueSource source) {
        static final Set<Kind> ALLOWED = EnumSet.of(Kind.STATIC, Kind.FIELD, Kind.HEADER, Kind.TOPIC, Kind.RECORD_TIMESTAMP);

        static List<MetadataEntry> parseAll(List<String> entries) {
            List<MetadataEntry> out = new ArrayList<>();
            for (String entry : entries) {
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("'" + entry + "' is not name=source");
                }
                String name = entry.substring(0, eq).trim();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("'" + entry + "' has an empty name");
                }
                if (out.stream().anyMatch(e -> e.name.equals(name))) {
                    throw new IllegalArgumentException("metadata name '" + name + "' appears twice");
                }
                out.add(new MetadataEntry(name, parse(entry.substring(eq + 1), ALLOWED)));
            }
            return out;
        }
    }

    /** Validates a list of metadata entries in a ConfigDef. */
    static final class MetadataValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                @SuppressWarnings("unchecked")
                List<String> entries = (List<String>) value;
                MetadataEntry.parseAll(entries);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "comma-separated name=source entries, source one of " + describe(MetadataEntry.ALLOWED);
        }
    }
}
