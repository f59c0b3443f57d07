package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.registry.SchemaRegistryException;
import io.envelopecrypt.connect.registry.SchemaRegistryUnavailableException;
import io.envelopecrypt.connect.testing.FakeSchemaRegistry;
import io.envelopecrypt.connect.testing.MutableClock;
import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.envelopecrypt.connect.testing.ConnectAssertions.assertDeepEquals;
import static io.envelopecrypt.connect.testing.ConnectAssertions.assertSchemaEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code payload.schema.location=registry} and {@code payload.compression} through the engines: what envelopes
 * carry, that readers resolve and check the schema, and every way a registry can fail or lie.
 */
class PayloadSchemaRegistryTest {
    private static final Schema ORDER = SchemaBuilder.struct().name("shop.Order").version(3).doc("An order")
            .field("id", Schema.STRING_SCHEMA)
            .field("amount", Decimal.builder(2).optional().build())
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
    private final MutableClock clock = new MutableClock(1_000_000L);
    private final FakeSchemaRegistry registry = new FakeSchemaRegistry();

    @AfterEach
    void stop() {
        registry.close();
    }

    private static Struct order(int n) {
        return new Struct(ORDER).put("id", "order-" + n).put("amount", new BigDecimal("12.34"))
                .put("note", "leave it with the neighbours, please ".repeat(3));
    }

    private static EnvelopeHeader header(int n) {
        return new EnvelopeHeader("id-" + n, 1_700_000_000_000L, "orders", null);
    }

    private Map<String, Object> writer(Object... more) {
        Map<String, Object> props = TestKeys.localConfig(TestKeys.LOCAL_KEY, "payload.schema.location", "registry",
                "schema.registry.url", registry.url());
        for (int i = 0; i < more.length; i += 2) {
            props.put((String) more[i], more[i + 1]);
        }
        return props;
    }

    private EnvelopeEncryptor encryptor(Map<String, Object> props) {
        return EnvelopeEncryptor.create(new EncryptorConfig(props), KekCallListener.NONE, clock);
    }

    private EnvelopeDecryptor decryptor(String registryUrl) {
        Map<String, Object> props = TestKeys.localConfig();
        if (registryUrl != null) {
            props.put("schema.registry.url", registryUrl);
        }
        return EnvelopeDecryptor.create(new DecryptorConfig(props), KekCallListener.NONE, clock);
    }

    private static int schemaId(Envelope e) {
        return ByteBuffer.wrap(e.payloadSchema()).getInt();
    }

    @Test
    void envelopesCarryAReferenceToTheRegisteredSchemaAndReadersResolveIt() {
        try (EnvelopeEncryptor encryptor = encryptor(writer());
             EnvelopeDecryptor decryptor = decryptor(registry.url())) {
            Envelope first = encryptor.encrypt("orders", ORDER, order(1), header(1));
            assertThat(first.payloadFormat()).isEqualTo("avro-registry");
            assertThat(first.payloadSchema()).hasSize(PayloadCodec.REGISTRY_REFERENCE_BYTES);
            assertThat(registry.subjects()).containsExactly("orders-payload");
            assertThat(registry.schemas()).containsKey(schemaId(first));
            int afterFirst = registry.requests();
            for (int n = 2; n <= 50; n++) {
                PlaintextValue back = decryptor.decrypt("orders", encryptor.encrypt("orders", ORDER, order(n), header(n)));
                assertSchemaEquals(ORDER, back.schema());
                assertDeepEquals(order(n), back.value());
            }
            assertThat(registry.requests() - afterFirst).as("one fetch by the reader for 49 records").isEqualTo(1);
        }
    }

    @Test
    void registryEnvelopesAreSmallerAndCompressionShrinksThemFurther() {
        try (EnvelopeEncryptor inline = encryptor(TestKeys.localConfig());
             EnvelopeEncryptor registered = encryptor(writer());
             EnvelopeEncryptor compressed = encryptor(writer("payload.compression", "zstd"));
             EnvelopeDecryptor decryptor = decryptor(registry.url())) {
            Envelope a = inline.encrypt("orders", ORDER, order(1), header(1));
            Envelope b = registered.encrypt("orders", ORDER, order(1), header(1));
            Envelope c = compressed.encrypt("orders", ORDER, order(1), header(1));
            assertThat(b.payloadSchema().length).isLessThan(a.payloadSchema().length);
            assertThat(c.payloadFormat()).isEqualTo("avro-registry+zstd");
            assertThat(c.encryptedPayload().length).isLessThan(b.encryptedPayload().length);
            for (Envelope e : List.of(a, b, c)) {
                assertDeepEquals(order(1), decryptor.decrypt("orders", e).value());
            }
        }
    }

    @Test
    void everyCompressionRoundTripsSchemaAwareAndSchemalessValues() {
        Map<String, Object> schemaless = new HashMap<>(Map.of("id", "order-1", "amount", 1234L, "tags", List.of("a", "b")));
        for (String codec : List.of("none", "lz4", "zstd", "snappy")) {
            try (EnvelopeEncryptor encryptor = encryptor(TestKeys.localConfig(TestKeys.LOCAL_KEY, "payload.compression", codec));
                 EnvelopeDecryptor decryptor = decryptor(null)) {
                Envelope withSchema = encryptor.encrypt("orders", ORDER, order(1), header(1));
                Envelope without = encryptor.encrypt("orders", null, schemaless, header(2));
                String suffix = codec.equals("none") ? "" : "+" + codec;
                assertThat(withSchema.payloadFormat()).isEqualTo("avro" + suffix);
                assertThat(without.payloadFormat()).isEqualTo("avro-schemaless" + suffix);
                assertDeepEquals(order(1), decryptor.decrypt(withSchema).value());
                assertDeepEquals(schemaless, decryptor.decrypt(without).value());
            }
        }
    }

    @Test
    void aRegistryThatServesAnotherSchemaFailsAuthenticationInsteadOfDecodingWrongly() {
        try (EnvelopeEncryptor encryptor = encryptor(writer());
             EnvelopeDecryptor decryptor = decryptor(registry.url())) {
            Envelope e = encryptor.encrypt("orders", ORDER, order(1), header(1));
            int id = schemaId(e);
            // Same shape, two string fields swapped: it would decode without error, into the wrong fields.
            registry.tamper(id, registry.schemas().get(id).replace("\"id\"", "\"tmp\"").replace("\"note\"", "\"id\"")
                    .replace("\"tmp\"", "\"note\""));
            assertThatThrownBy(() -> decryptor.decrypt("orders", e)).isInstanceOf(EnvelopeAuthenticationException.class)
                    .hasMessageContaining("different schema under id " + id);
        }
    }

    @Test
    void aRegistryThatIsDownIsRetriableOnBothSidesAndNothingIsLostOnceItIsBack() {
        try (EnvelopeEncryptor encryptor = encryptor(writer());
             EnvelopeDecryptor decryptor = decryptor(registry.url())) {
            registry.answerAll(503);
            assertThatThrownBy(() -> encryptor.encrypt("orders", ORDER, order(1), header(1)))
                    .isInstanceOf(SchemaRegistryUnavailableException.class).isInstanceOf(RetriableException.class)
                    .hasMessageContaining("HTTP 503");
            registry.answerAll(0);
            Envelope e = encryptor.encrypt("orders", ORDER, order(1), header(1));
            registry.answerAll(503);
            assertThatThrownBy(() -> decryptor.decrypt("orders", e)).isInstanceOf(RetriableException.class);
            registry.answerAll(0);
            assertDeepEquals(order(1), decryptor.decrypt("orders", e).value());
        }
        String unreachable = "http://127.0.0.1:1";
        try (EnvelopeEncryptor encryptor = encryptor(writer("schema.registry.url", unreachable))) {
            assertThatThrownBy(() -> encryptor.encrypt("orders", ORDER, order(1), header(1)))
                    .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("unreachable");
        }
    }

    @Test
    void refusalsAreClearPermanentErrorsThatNameTheSubjectAndNoSecret() {
        registry.makeIncompatible("orders-payload");
        try (EnvelopeEncryptor encryptor = encryptor(writer())) {
            assertThatThrownBy(() -> encryptor.encrypt("orders", ORDER, order(1), header(1)))
                    .isInstanceOf(SchemaRegistryException.class).isNotInstanceOf(RetriableException.class)
                    .hasMessageContaining("'orders-payload'").hasMessageContaining("HTTP 409").hasMessageContaining("incompatible");
        }
        registry.requireAuthorization("Basic " + java.util.Base64.getEncoder().encodeToString("sr-user:right".getBytes()));
        try (EnvelopeEncryptor encryptor = encryptor(writer("basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "sr-user:s3cr3t-wrong"))) {
            assertThatThrownBy(() -> encryptor.encrypt("invoices", ORDER, order(1), header(1)))
                    .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("HTTP 401")
                    .hasMessageContaining("basic.auth.user.info").hasMessageNotContaining("s3cr3t");
        }
        try (EnvelopeEncryptor encryptor = encryptor(writer("basic.auth.credentials.source", "USER_INFO",
                "basic.auth.user.info", "sr-user:right"))) {
            assertThat(encryptor.encrypt("invoices", ORDER, order(1), header(1)).payloadFormat()).isEqualTo("avro-registry");
        }
    }

    @Test
    void credentialsInTheUrlAuthenticateAndAppearInNoMessage() {
        registry.requireAuthorization("Basic " + java.util.Base64.getEncoder().encodeToString("sr-user:url-s3cret".getBytes()));
        String withCredentials = registry.url().replace("http://", "http://sr-user:url-s3cret@");
        try (EnvelopeEncryptor encryptor = encryptor(writer("schema.registry.url", withCredentials))) {
            assertThat(encryptor.encrypt("orders", ORDER, order(1), header(1)).payloadFormat()).isEqualTo("avro-registry");
            registry.answerAll(503);
            assertThatThrownBy(() -> encryptor.encrypt("invoices", ORDER, order(1), header(1)))
                    .isInstanceOf(SchemaRegistryUnavailableException.class).hasMessageNotContaining("url-s3cret");
        }
    }

    @Test
    void withoutAutoRegistrationOnlyRegisteredSchemasAreUsed() {
        try (EnvelopeEncryptor lookupOnly = encryptor(writer("payload.schema.auto.register", false))) {
            assertThatThrownBy(() -> lookupOnly.encrypt("orders", ORDER, order(1), header(1)))
                    .isInstanceOf(SchemaRegistryException.class).hasMessageContaining("'orders-payload'")
                    .hasMessageContaining("HTTP 404").hasMessageContaining("register it there first");
        }
        try (EnvelopeEncryptor registering = encryptor(writer());
             EnvelopeEncryptor lookupOnly = encryptor(writer("payload.schema.auto.register", false))) {
            Envelope registered = registering.encrypt("orders", ORDER, order(1), header(1));
            assertThat(schemaId(lookupOnly.encrypt("orders", ORDER, order(2), header(2)))).isEqualTo(schemaId(registered));
        }
    }

    @Test
    void subjectsFollowTheConfiguredStrategy() {
        try (EnvelopeEncryptor byRecord = encryptor(writer("payload.schema.subject.name.strategy", "record"));
             EnvelopeEncryptor byTopicRecord = encryptor(writer("payload.schema.subject.name.strategy", "topic-record"))) {
            byRecord.encrypt("orders", ORDER, order(1), header(1));
            byTopicRecord.encrypt("orders", ORDER, order(1), header(1));
        }
        assertThat(registry.subjects()).containsExactlyInAnyOrder("shop.Order", "orders-shop.Order");
    }

    @Test
    void oneReaderReadsInlineAndRegistryEnvelopesMixedDuringAMigration() {
        try (EnvelopeEncryptor before = encryptor(TestKeys.localConfig());
             EnvelopeEncryptor after = encryptor(writer("payload.compression", "lz4"));
             EnvelopeDecryptor decryptor = decryptor(registry.url())) {
            for (int n = 0; n < 10; n++) {
                EnvelopeEncryptor writer = n % 2 == 0 ? before : after;
                assertDeepEquals(order(n), decryptor.decrypt("orders", writer.encrypt("orders", ORDER, order(n), header(n))).value());
            }
        }
    }

    @Test
    void idsTheRegistryDoesNotHaveAreNotAskedForAgainForAMinute() {
        try (FakeSchemaRegistry other = new FakeSchemaRegistry();
             EnvelopeEncryptor encryptor = encryptor(writer());
             EnvelopeDecryptor decryptor = decryptor(other.url())) {
            Envelope e = encryptor.encrypt("orders", ORDER, order(1), header(1));
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> decryptor.decrypt("orders", e)).isInstanceOf(SchemaRegistryException.class)
                        .hasMessageContaining("id " + schemaId(e)).hasMessageContaining("404");
            }
            assertThat(other.requests()).as("one call for five records naming a missing id").isEqualTo(1);
            clock.advance(RegistryLookups.MISSING_TTL_MS);
            assertThatThrownBy(() -> decryptor.decrypt("orders", e)).isInstanceOf(SchemaRegistryException.class);
            assertThat(other.requests()).as("asked again after a minute").isEqualTo(2);
        }
    }

    @Test
    void aReaderWithoutARegistrySaysWhatItNeeds() {
        try (EnvelopeEncryptor encryptor = encryptor(writer());
             EnvelopeDecryptor decryptor = decryptor(null)) {
            Envelope e = encryptor.encrypt("orders", ORDER, order(1), header(1));
            assertThatThrownBy(() -> decryptor.decrypt("orders", e)).isInstanceOf(ConnectException.class)
                    .hasMessageContaining("schema.registry.url").hasMessageContaining("schema id " + schemaId(e));
        }
    }

    @Test
    void theFormatIsAuthenticatedSoCompressionCannotBeStrippedOrSwapped() {
        try (EnvelopeEncryptor encryptor = encryptor(writer("payload.compression", "snappy"));
             EnvelopeDecryptor decryptor = decryptor(registry.url())) {
            Envelope e = encryptor.encrypt("orders", ORDER, order(1), header(1));
            for (String format : List.of("avro-registry", "avro-registry+lz4")) {
                Envelope altered = new Envelope(e.envelopeVersion(), e.id(), e.timestamp(), e.eventType(), e.encryptedPayload(),
                        e.keyId(), e.encryptionAlgorithm(), e.iv(), e.metadata(), e.wrappedDataKey(), e.dataKeyWrapAlgorithm(),
                        format, e.payloadSchema(), e.context(), e.dataKeyCommitment(), e.signingKeyId(), e.dataKeySignature(),
                        e.additionalWrappedKeys());
                assertThatThrownBy(() -> decryptor.decrypt("orders", altered)).isInstanceOf(EnvelopeAuthenticationException.class);
            }
        }
    }
}
