package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Maps a Connect schema to an Avro schema that carries everything needed to rebuild the Connect schema
 * exactly ({@link ConnectToAvro}), and back ({@link AvroToConnect}); {@link CodecCompiler} compiles the pair into
 * a {@link ValueCodec}. This class holds the shared vocabulary and naming rules.
 *
 * <p>Avro cannot say everything a Connect schema says, so these properties fill the gaps (the same
 * {@code connect.*} vocabulary that Confluent's AvroConverter uses, where it has a term):
 * <ul>
 *   <li>{@code connect.name}, {@code connect.version}, {@code connect.doc}, {@code connect.parameters}:
 *       the Connect schema's own attributes (Avro names are sanitized; this keeps the original).</li>
 *   <li>{@code connect.type}: {@code int8}/{@code int16} on Avro ints, {@code map} on the array of
 *       key/value records used for maps whose keys are not plain strings.</li>
 *   <li>{@code connect.default}: the default value, base64 of its Avro binary encoding.</li>
 *   <li>{@code connect.optional: false}: a required schema with a default, written as a nullable union so
 *       that a null value (for which Connect substitutes the default) survives unchanged.</li>
 *   <li>{@code connect.field.name} on a field: the original field name when it is not a valid Avro name.</li>
 * </ul>
 * Optional schemas become {@code ["null", T]}. Date, Time, Timestamp and Decimal also carry the standard
 * Avro logical types, so generic Avro readers see them as dates, times and decimals.
 */
final class ConnectAvroMapping {
    static final String NAME = "connect.name";
    static final String VERSION = "connect.version";
    static final String DOC = "connect.doc";
    static final String PARAMETERS = "connect.parameters";
    static final String DEFAULT = "connect.default";
    static final String TYPE = "connect.type";
    static final String OPTIONAL = "connect.optional";
    static final String FIELD_NAME = "connect.field.name";
    static final String GENERATED_NAMESPACE = "io.envelopecrypt.connect.generated";
    static final String DECIMAL_PRECISION_PARAMETER = "connect.decimal.precision";
    static final int DEFAULT_DECIMAL_PRECISION = 64;
    static final int MAX_DEPTH = 256;

    private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> RESERVED = Set.of("null", "boolean", "int", "long", "float", "double",
            "bytes", "string", "record", "enum", "array", "map", "union", "fixed");

    private ConnectAvroMapping() {
    }

    static boolean isPlainStringKey(Schema key) {
        return key.type() == Schema.Type.STRING && !key.isOptional() && key.name() == null
                && key.version() == null && key.doc() == null && key.parameters() == null
                && key.defaultValue() == null;
    }

    static org.apache.avro.Schema nullSchema() {
        return org.apache.avro.Schema.create(org.apache.avro.Schema.Type.NULL);
    }

    static org.apache.avro.Schema primitive(org.apache.avro.Schema.Type type) {
        return org.apache.avro.Schema.create(type);
    }

    static org.apache.avro.Schema withProp(org.apache.avro.Schema a, String key, Object value) {
        a.addProp(key, value);
        return a;
    }

    static String sanitizeName(String name) {
        if (AVRO_NAME.matcher(name).matches() && !RESERVED.contains(name)) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c < 0x80 && (Character.isLetterOrDigit(c) || c == '_');
            sb.append(ok ? c : '_');
        }
        if (sb.length() == 0 || Character.isDigit(sb.charAt(0)) || RESERVED.contains(sb.toString())) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }

    static String sanitizeFullName(String name) {
        String[] parts = name.split("\\.", -1);
        StringBuilder sb = new StringBuilder();
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(sanitizeName(part));
        }
        return sb.length() == 0 ? "_" : sb.toString();
    }

    static String simpleName(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? fullName : fullName.substring(dot + 1);
    }

    static String namespace(String fullName) {
        int dot = fullName.lastIndexOf('.');
        return dot < 0 ? null : fullName.substring(0, dot);
    }

    static int decimalScale(Schema s) {
        String scale = s.parameters() == null ? null : s.parameters().get(Decimal.SCALE_FIELD);
        if (scale == null) {
            throw new DataException("Decimal schema without a '" + Decimal.SCALE_FIELD + "' parameter");
        }
        try {
            return Integer.parseInt(scale);
        } catch (NumberFormatException e) {
            throw new DataException("Decimal schema with a non-numeric scale parameter");
        }
    }

    static org.apache.avro.Schema nonNullBranch(org.apache.avro.Schema union) {
        List<org.apache.avro.Schema> types = union.getTypes();
        if (types.size() != 2 || types.get(0).getType() != org.apache.avro.Schema.Type.NULL
                || types.get(1).getType() == org.apache.avro.Schema.Type.NULL) {
            throw new MalformedPayloadException("only [\"null\", T] unions are used by this format");
        }
        return types.get(1);
    }
}
