package io.envelopecrypt.connect.testing;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Deep equality for Connect values that Connect's own equals gets wrong: byte arrays inside lists and
 * maps (compared by identity there), ByteBuffer versus byte[] (both valid for BYTES), and maps whose
 * keys are byte arrays. Raw struct values are compared, so a null that Connect would replace with a
 * default is not equal to the default.
 */
public final class ConnectAssertions {
    private ConnectAssertions() {
    }

    public static void assertDeepEquals(Object expected, Object actual) {
        String diff = difference("value", expected, actual);
        if (diff != null) {
            throw new AssertionError(diff);
        }
    }

    public static boolean deepEquals(Object expected, Object actual) {
        return difference("", expected, actual) == null;
    }

    public static String difference(String path, Object expected, Object actual) {
        expected = normalize(expected);
        actual = normalize(actual);
        if (expected == null || actual == null) {
            return expected == actual ? null : path + ": expected " + describe(expected) + " but was " + describe(actual);
        }
        if (expected instanceof byte[] e && actual instanceof byte[] a) {
            return Arrays.equals(e, a) ? null : path + ": byte arrays differ";
        }
        if (expected.getClass() != actual.getClass()
                && !(expected instanceof Map && actual instanceof Map)
                && !(expected instanceof List && actual instanceof List)) {
            return path + ": expected a " + expected.getClass().getName() + " but was a " + actual.getClass().getName();
        }
        if (expected instanceof Struct e) {
            Struct a = (Struct) actual;
            String schemaDiff = schemaDifference(path + "<schema>", e.schema(), a.schema());
            if (schemaDiff != null) {
                return path + ": struct schemas differ: " + schemaDiff;
            }
            for (Field f : e.schema().fields()) {
                String d = difference(path + "." + f.name(), e.getWithoutDefault(f.name()), a.getWithoutDefault(f.name()));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (expected instanceof List<?> e) {
            List<?> a = (List<?>) actual;
            if (e.size() != a.size()) {
                return path + ": list sizes differ, " + e.size() + " vs " + a.size();
            }
            for (int i = 0; i < e.size(); i++) {
                String d = difference(path + "[" + i + "]", e.get(i), a.get(i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (expected instanceof Map<?, ?> e) {
            Map<?, ?> a = (Map<?, ?>) actual;
            if (e.size() != a.size()) {
                return path + ": map sizes differ, " + e.size() + " vs " + a.size();
            }
            List<Map.Entry<?, ?>> remaining = new ArrayList<>(a.entrySet());
            for (Map.Entry<?, ?> entry : e.entrySet()) {
                boolean found = false;
                for (Iterator<Map.Entry<?, ?>> it = remaining.iterator(); it.hasNext(); ) {
                    Map.Entry<?, ?> candidate = it.next();
                    if (deepEquals(entry.getKey(), candidate.getKey())) {
                        String d = difference(path + "{" + describe(entry.getKey()) + "}", entry.getValue(), candidate.getValue());
                        if (d != null) {
                            return d;
                        }
                        it.remove();
                        found = true;
                        break;
                    }
                }
                if (!found) {
                    return path + ": key " + describe(entry.getKey()) + " is missing";
                }
            }
            return null;
        }
        return expected.equals(actual) ? null : path + ": expected " + describe(expected) + " but was " + describe(actual);
    }

    public static void assertSchemaEquals(Schema expected, Schema actual) {
        String diff = schemaDifference("schema", expected, actual);
        if (diff != null) {
            throw new AssertionError("schemas differ: " + diff + "\n  expected " + expected + "\n  actual   " + actual);
        }
    }

    /**
     * Where two schemas differ in anything Connect's {@code ConnectSchema.equals} compares, or null. Compared
     * structurally rather than with {@code equals}, because a Struct default is a Struct of the schema builder
     * itself (as SchemaBuilder.defaultValue demands), and builders compare by identity.
     */
    public static String schemaDifference(String path, Schema e, Schema a) {
        if (e == a) {
            return null;
        }
        if (e == null || a == null) {
            return path + ": expected " + e + " but was " + a;
        }
        // A Struct default's schema is the builder whose default it is: compare each schema once per descent.
        Set<Schema> visiting = VISITING.get();
        if (!visiting.add(e)) {
            return null;
        }
        try {
            return schemaDifferenceOnce(path, e, a);
        } finally {
            visiting.remove(e);
        }
    }

    private static final ThreadLocal<Set<Schema>> VISITING =
            ThreadLocal.withInitial(() -> java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

    private static String schemaDifferenceOnce(String path, Schema e, Schema a) {
        if (e.type() != a.type() || e.isOptional() != a.isOptional() || !Objects.equals(e.name(), a.name())
                || !Objects.equals(e.version(), a.version()) || !Objects.equals(e.doc(), a.doc())
                || !Objects.equals(e.parameters(), a.parameters())) {
            return path + ": expected " + e.type() + " " + e.name() + " v" + e.version() + (e.isOptional() ? " optional" : "")
                    + " " + e.parameters() + " but was " + a.type() + " " + a.name() + " v" + a.version()
                    + (a.isOptional() ? " optional" : "") + " " + a.parameters();
        }
        String d = difference(path + "<default>", e.defaultValue(), a.defaultValue());
        if (d != null) {
            return d;
        }
        switch (e.type()) {
            case STRUCT -> {
                if (e.fields().size() != a.fields().size()) {
                    return path + ": field counts differ";
                }
                for (int i = 0; i < e.fields().size(); i++) {
                    Field ef = e.fields().get(i);
                    Field af = a.fields().get(i);
                    if (!ef.name().equals(af.name())) {
                        return path + ": field " + i + " is " + af.name() + ", expected " + ef.name();
                    }
                    String fd = schemaDifference(path + "." + ef.name(), ef.schema(), af.schema());
                    if (fd != null) {
                        return fd;
                    }
                }
                return null;
            }
            case ARRAY -> {
                return schemaDifference(path + "[]", e.valueSchema(), a.valueSchema());
            }
            case MAP -> {
                String kd = schemaDifference(path + "{key}", e.keySchema(), a.keySchema());
                return kd != null ? kd : schemaDifference(path + "{}", e.valueSchema(), a.valueSchema());
            }
            default -> {
                return null;
            }
        }
    }

    private static Object normalize(Object v) {
        if (v instanceof ByteBuffer bb) {
            byte[] out = new byte[bb.remaining()];
            bb.duplicate().get(out);
            return out;
        }
        return v;
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String s = v instanceof byte[] b ? Arrays.toString(b) : v.toString();
        return (s.length() > 80 ? s.substring(0, 80) + "..." : s) + " (" + v.getClass().getSimpleName() + ")";
    }

    /** A deep copy (by re-encoding) used to check that inputs are not mutated. */
    public static Object snapshot(Object v) {
        if (v instanceof java.util.Date d) {
            return new java.util.Date(d.getTime());
        }
        if (v instanceof byte[] b) {
            return b.clone();
        }
        if (v instanceof ByteBuffer bb) {
            byte[] out = new byte[bb.remaining()];
            bb.duplicate().get(out);
            return out;
        }
        if (v instanceof Struct s) {
            Struct copy = new Struct(s.schema());
            for (Field f : s.schema().fields()) {
                Object fv = s.getWithoutDefault(f.name());
                if (fv != null) {
                    copy.put(f, snapshot(fv));
                }
            }
            return copy;
        }
        if (v instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            for (Object o : l) {
                copy.add(snapshot(o));
            }
            return copy;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new java.util.LinkedHashMap<>();
            m.forEach((k, val) -> copy.put(snapshot(k), snapshot(val)));
            return copy;
        }
        return v;
    }
}
