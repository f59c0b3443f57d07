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
            if (!Objects.equals(e.schema(), a.schema())) {
                return path + ": struct schemas differ:\n  expected " + e.schema() + "\n  actual   " + a.schema();
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
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError("schemas differ:\n  expected " + expected + "\n  actual   " + actual);
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
