package io.envelopecrypt.connect.envelope;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * The Connect schema of the envelope (version 2). Only types that every Avro converter maps cleanly are
 * used: strings, int32/int64, bytes, an optional string map. The field order keeps the original design's
 * fields first. Version 1, the pre-release format without key commitment or context, is not read.
 */
public final class EnvelopeSchema {
    public static final int VERSION = 2;
    public static final String DEFAULT_NAME = "io.envelopecrypt.EncryptedMessage";

    public static final String ENVELOPE_VERSION = "envelopeVersion";
    public static final String ID = "id";
    public static final String TIMESTAMP = "timestamp";
    public static final String EVENT_TYPE = "eventType";
    public static final String ENCRYPTED_PAYLOAD = "encryptedPayload";
    public static final String KEY_ID = "keyId";
    public static final String ENCRYPTION_ALGORITHM = "encryptionAlgorithm";
    public static final String IV = "iv";
    public static final String METADATA = "metadata";
    public static final String WRAPPED_DATA_KEY = "wrappedDataKey";
    public static final String DATA_KEY_WRAP_ALGORITHM = "dataKeyWrapAlgorithm";
    public static final String PAYLOAD_FORMAT = "payloadFormat";
    public static final String PAYLOAD_SCHEMA = "payloadSchema";
    public static final String CONTEXT = "context";
    public static final String DATA_KEY_COMMITMENT = "dataKeyCommitment";
    public static final String SIGNING_KEY_ID = "signingKeyId";
    public static final String DATA_KEY_SIGNATURE = "dataKeySignature";
    public static final String ADDITIONAL_WRAPPED_KEYS = "additionalWrappedKeys";
    /** The Connect/Avro name of the additional copies' record type, beside the envelope's own name. */
    public static final String WRAPPED_KEY_RECORD_SUFFIX = "WrappedDataKey";

    private EnvelopeSchema() {
    }

    /** The envelope schema under the given (configurable) name. */
    public static Schema build(String name) {
        return SchemaBuilder.struct()
                .name(name)
                .version(VERSION)
                .doc("A record value encrypted with AES-256-GCM under a data key wrapped by a key-encryption key.")
                .field(ENVELOPE_VERSION, doc(SchemaBuilder.int32(), "Envelope format version (2)."))
                .field(ID, doc(SchemaBuilder.string(), "Unique id of this record."))
                .field(TIMESTAMP, doc(SchemaBuilder.int64(), "Event time, milliseconds since the epoch."))
                .field(EVENT_TYPE, doc(SchemaBuilder.string().optional(), "Kind of event, if configured."))
                .field(ENCRYPTED_PAYLOAD, doc(SchemaBuilder.bytes(), "Ciphertext of the payload followed by the 16-byte GCM tag."))
                .field(KEY_ID, doc(SchemaBuilder.string(), "The exact key-encryption-key version that wrapped the data key."))
                .field(ENCRYPTION_ALGORITHM, doc(SchemaBuilder.string(), "Payload encryption algorithm (AES-256-GCM)."))
                .field(IV, doc(SchemaBuilder.bytes(), "The 12-byte GCM nonce of this record."))
                .field(METADATA, doc(SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).optional(),
                        "Cleartext, authenticated key/value metadata."))
                .field(WRAPPED_DATA_KEY, doc(SchemaBuilder.bytes(), "The data key, wrapped by the key-encryption key."))
                .field(DATA_KEY_WRAP_ALGORITHM, doc(SchemaBuilder.string(), "Wrap algorithm of the data key (RSA-OAEP-256, RSA-OAEP, A256KW)."))
                .field(PAYLOAD_FORMAT, doc(SchemaBuilder.string(), "Plaintext format: avro or avro-schemaless."))
                .field(PAYLOAD_SCHEMA, doc(SchemaBuilder.bytes().optional(),
                        "For format avro: the plaintext's Avro schema JSON, raw DEFLATE (RFC 1951). Absent for avro-schemaless."))
                .field(CONTEXT, doc(SchemaBuilder.string().optional(),
                        "What the envelope is bound to (its topic or a configured name), if configured; authenticated."))
                .field(DATA_KEY_COMMITMENT, doc(SchemaBuilder.bytes(),
                        "HMAC-SHA256 of a fixed label under the data key: ties the ciphertext to exactly one data key."))
                .field(SIGNING_KEY_ID, doc(SchemaBuilder.string().optional(),
                        "The signing key version that signed the data key's commitment, if signed."))
                .field(DATA_KEY_SIGNATURE, doc(SchemaBuilder.bytes().optional(),
                        "RS256 signature over the data key statement (label and commitment), if signed."))
                .field(ADDITIONAL_WRAPPED_KEYS, doc(SchemaBuilder.array(wrappedKeySchema(name)).optional(),
                        "More copies of the data key, one per further key-encryption key of the writer's keyring; "
                                + "absent for one KEK."))
                .build();
    }

    /** One more wrapped copy of the data key: the same three fields as the envelope's first copy. */
    public static Schema wrappedKeySchema(String envelopeName) {
        int dot = envelopeName.lastIndexOf('.');
        String name = (dot < 0 ? "" : envelopeName.substring(0, dot + 1)) + WRAPPED_KEY_RECORD_SUFFIX;
        return SchemaBuilder.struct().name(name)
                .field(KEY_ID, Schema.STRING_SCHEMA)
                .field(DATA_KEY_WRAP_ALGORITHM, Schema.STRING_SCHEMA)
                .field(WRAPPED_DATA_KEY, Schema.BYTES_SCHEMA)
                .build();
    }

    private static Schema doc(SchemaBuilder builder, String doc) {
        return builder.doc(doc).build();
    }
}
