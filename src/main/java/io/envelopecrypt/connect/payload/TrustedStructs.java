package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Fills Structs whose values are valid by construction (decoded from a payload by codecs compiled from the
 * very same schema, or an envelope built by this plugin) without {@link Struct#put}'s validation.
 *
 * <p>{@code Struct.put} validates every value, recursively for nested Structs and arrays of Structs (so a
 * decoded tree is validated once per level it sits under), and builds an error-location string on each
 * call whether or not the value is valid. On the per-record path that was a third of the bytes allocated and
 * a quarter of the CPU time of decrypting a 1 KB record. Here the value goes into the same slot
 * {@code put(Field, value)} writes after validating. If a future Kafka changes {@code Struct}'s layout, this
 * falls back to {@code put}, which is slower but always correct; tests check both paths give equal Structs.
 * The system property {@code envelopecrypt.struct.direct=false} forces the {@code put} path (the benchmark
 * measures both that way; docs/performance.md has the numbers that justify keeping this class).
 */
public final class TrustedStructs {
    private static final Logger log = LoggerFactory.getLogger(TrustedStructs.class);
    private static final VarHandle VALUES = valuesHandle();

    private TrustedStructs() {
    }

    private static VarHandle valuesHandle() {
        if ("false".equalsIgnoreCase(System.getProperty("envelopecrypt.struct.direct"))) {
            return null;
        }
        try {
            VarHandle h = MethodHandles.privateLookupIn(Struct.class, MethodHandles.lookup())
                    .findVarHandle(Struct.class, "values", Object[].class);
            // Check it is the array put() writes to before trusting it.
            Struct probe = new Struct(org.apache.kafka.connect.data.SchemaBuilder.struct()
                    .field("f", org.apache.kafka.connect.data.Schema.INT32_SCHEMA).build());
            probe.put("f", 42);
            Object[] values = (Object[]) h.get(probe);
            if (values.length == 1 && Integer.valueOf(42).equals(values[0])) {
                return h;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Struct values are not directly accessible ({}); using Struct.put", e.toString());
        }
        return null;
    }

    /** Whether the fast path is in use (false: every value goes through {@code Struct.put}). */
    public static boolean direct() {
        return VALUES != null;
    }

    /**
     * The slots of a new Struct, to be filled by field index, or null when the fast path is unavailable and
     * {@link #put} must be used.
     */
    public static Object[] slots(Struct struct) {
        return VALUES == null ? null : (Object[]) VALUES.get(struct);
    }

    /** Sets a field of {@code struct}, whose slots are {@code slots} (from {@link #slots}, may be null). */
    public static void put(Struct struct, Object[] slots, Field field, Object value) {
        if (slots != null) {
            slots[field.index()] = value;
        } else {
            struct.put(field, value);
        }
    }
}
