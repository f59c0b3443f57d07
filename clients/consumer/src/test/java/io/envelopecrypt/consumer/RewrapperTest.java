package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.engine.EnvelopeEncryptor;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeOpener;
import io.envelopecrypt.connect.envelope.MalformedEnvelopeException;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.kms.local.LocalKeyEncryptionKeyProvider;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** rewrap re-wraps data keys only of envelopes a reader would accept, and never touches their payloads. */
class RewrapperTest {
    private static final Schema ENVELOPE = SchemaBuilder.record("EncryptedMessage").namespace("io.envelopecrypt").fields()
            .requiredInt("envelopeVersion").requiredString("id").requiredLong("timestamp").optionalString("eventType")
            .requiredBytes("encryptedPayload").requiredString("keyId").requiredString("encryptionAlgorithm")
            .requiredBytes("iv").name("metadata").type().optional().map().values().stringType()
            .requiredBytes("wrappedDataKey").requiredString("dataKeyWrapAlgorithm").requiredString("payloadFormat")
            .optionalBytes("payloadSchema").optionalString("context").requiredBytes("dataKeyCommitment").endRecord();
    /** The commitment of the all-zero data key the fake KEK unwraps to. */
    private static final byte[] ZERO_KEY_COMMITMENT = EnvelopeOpener.commitmentOf(new byte[32]);

    private final AtomicInteger calls = new AtomicInteger();

    private final KeyEncryptionKeyProvider from = new Fake("from");
    private final KeyEncryptionKeyProvider to = new Fake("to");

    private final class Fake implements KeyEncryptionKeyProvider {
        private final String name;

        Fake(String name) {
            this.name = name;
        }

        @Override
        public WrappedKey wrap(byte[] dataKey) {
            calls.incrementAndGet();
            return new WrappedKey(name + ":kek", "A256KW", new byte[40]);
        }

        @Override
        public byte[] unwrap(WrappedKey wrappedKey) {
            calls.incrementAndGet();
            return new byte[32];
        }

        @Override
        public String description() {
            return name;
        }

        @Override
        public void close() {
        }
    }

    private static GenericRecord envelope(int version, String algorithm) {
        return envelope(version, algorithm, ZERO_KEY_COMMITMENT);
    }

    private static GenericRecord envelope(int version, String algorithm, byte[] commitment) {
        GenericRecord r = new GenericData.Record(ENVELOPE);
        r.put("envelopeVersion", version);
        r.put("id", "id-1");
        r.put("timestamp", 1L);
        r.put("encryptedPayload", ByteBuffer.wrap(new byte[32]));
        r.put("keyId", "from:kek");
        r.put("encryptionAlgorithm", algorithm);
        r.put("iv", ByteBuffer.wrap(new byte[12]));
        r.put("wrappedDataKey", ByteBuffer.wrap(new byte[40]));
        r.put("dataKeyWrapAlgorithm", "A256KW");
        r.put("payloadFormat", "avro-schemaless");
        r.put("dataKeyCommitment", ByteBuffer.wrap(commitment));
        return r;
    }

    @Test
    void envelopesNoReaderWouldAcceptAreRefusedBeforeTheirKeyIsUnwrapped() {
        try (Rewrapper rewrapper = new Rewrapper(from, to)) {
            assertThatThrownBy(() -> rewrapper.rewrap(envelope(1, "AES-256-GCM")))
                    .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("version 1");
            assertThatThrownBy(() -> rewrapper.rewrap(envelope(2, "AES-256-CBC")))
                    .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("encryption algorithm");
            assertThatThrownBy(() -> rewrapper.rewrap(envelope(2, "AES-256-GCM", new byte[31])))
                    .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("dataKeyCommitment");
            assertThat(calls).as("no key was unwrapped or wrapped").hasValue(0);

            GenericRecord moved = rewrapper.rewrap(envelope(2, "AES-256-GCM"));
            assertThat(moved.get("keyId")).isEqualTo("to:kek");
            assertThat(moved.get("encryptedPayload")).isEqualTo(ByteBuffer.wrap(new byte[32]));
            assertThat(moved.get("dataKeyCommitment")).isEqualTo(ByteBuffer.wrap(ZERO_KEY_COMMITMENT));
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void aDataKeyThatIsNotTheOneItsEnvelopeCommitsToIsNotRewrapped() {
        try (Rewrapper rewrapper = new Rewrapper(from, to)) {
            byte[] otherCommitment = ZERO_KEY_COMMITMENT.clone();
            otherCommitment[0] ^= 1;
            assertThatThrownBy(() -> rewrapper.rewrap(envelope(2, "AES-256-GCM", otherCommitment)))
                    .isInstanceOf(EnvelopeAuthenticationException.class).hasMessageContaining("not re-wrapped");
            assertThat(calls).as("unwrapped, never wrapped").hasValue(1);
            rewrapper.rewrap(envelope(2, "AES-256-GCM"));
            assertThatThrownBy(() -> rewrapper.rewrap(envelope(2, "AES-256-GCM", otherCommitment)))
                    .as("also once the same wrapped key was re-wrapped for a genuine envelope")
                    .isInstanceOf(EnvelopeAuthenticationException.class);
            assertThat(rewrapper.distinctKeys()).isEqualTo(1);
        }
    }

    private static LocalKeyEncryptionKeyProvider local(String name, String key32) {
        return new LocalKeyEncryptionKeyProvider(name, List.of(key32.getBytes(StandardCharsets.US_ASCII)));
    }

    private static final String OLD = "0123456789abcdef0123456789abcdef";
    private static final String NEW = "fedcba9876543210fedcba9876543210";

    /** A real envelope as the (pre-keyring) Avro record above: the schema has no additionalWrappedKeys yet. */
    private static GenericRecord asRecord(Envelope e) {
        GenericRecord r = new GenericData.Record(ENVELOPE);
        r.put("envelopeVersion", e.envelopeVersion());
        r.put("id", e.id());
        r.put("timestamp", e.timestamp());
        r.put("eventType", e.eventType());
        r.put("encryptedPayload", ByteBuffer.wrap(e.encryptedPayload()));
        r.put("keyId", e.keyId());
        r.put("encryptionAlgorithm", e.encryptionAlgorithm());
        r.put("iv", ByteBuffer.wrap(e.iv()));
        r.put("wrappedDataKey", ByteBuffer.wrap(e.wrappedDataKey()));
        r.put("dataKeyWrapAlgorithm", e.dataKeyWrapAlgorithm());
        r.put("payloadFormat", e.payloadFormat());
        r.put("dataKeyCommitment", ByteBuffer.wrap(e.dataKeyCommitment()));
        return r;
    }

    private static Object decryptWith(String name, String key, GenericRecord record) {
        try (EnvelopeDecryptor d = new EnvelopeDecryptor(local(name, key), 10, 60_000, Clock.systemUTC())) {
            return d.decrypt(EnvelopeRecords.fromAvro(record)).value();
        }
    }

    @Test
    void aKeyCanBeAddedToOldEnvelopesAndTheOldOneRemovedPayloadsUntouched() {
        Envelope written;
        try (EnvelopeEncryptor encryptor = new EnvelopeEncryptor(local("old", OLD), 100, 60_000, Clock.systemUTC(),
                new SecureRandom())) {
            written = encryptor.encrypt(null, "a secret", new EnvelopeHeader("id-1", 1L, null, null));
        }
        GenericRecord original = asRecord(written);
        GenericRecord added;
        try (Rewrapper adding = new Rewrapper(Keyring.of(local("old", OLD)), Keyring.of(local("new", NEW)), true, List.of())) {
            added = adding.rewrap(original);
        }
        assertThat(added.getSchema().getField("additionalWrappedKeys")).as("appended to the old schema").isNotNull();
        assertThat(EnvelopeRecords.fromAvro(added).wrappedKeys()).extracting(WrappedKey::keyId)
                .satisfiesExactly(id -> assertThat(id).startsWith("local:old/"), id -> assertThat(id).startsWith("local:new/"));
        assertThat(added.get("encryptedPayload")).isEqualTo(original.get("encryptedPayload"));
        assertThat(decryptWith("old", OLD, added)).isEqualTo("a secret");
        assertThat(decryptWith("new", NEW, added)).isEqualTo("a secret");

        GenericRecord retired;
        try (Rewrapper removing = new Rewrapper(null, null, false, List.of("local:old/"))) {
            retired = removing.rewrap(added);
            assertThatThrownBy(() -> new Rewrapper(null, null, false, List.of("local:")).rewrap(added))
                    .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("no wrapped data key");
        }
        assertThat(EnvelopeRecords.fromAvro(retired).wrappedKeys()).extracting(WrappedKey::keyId)
                .singleElement().satisfies(id -> assertThat(id).startsWith("local:new/"));
        assertThat(decryptWith("new", NEW, retired)).isEqualTo("a secret");
        assertThatThrownBy(() -> decryptWith("old", OLD, retired)).hasMessageContaining("none of them");
    }
}
