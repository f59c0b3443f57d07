package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Keyrings across two vaults (two test doubles standing for two regions, each with its own Entra tenant) and
 * per-record key selection: what a data key wrapped by two regions survives, and what erasing one tenant's key does.
 */
class KeyringsAndTenantKeysTest {
    private static final Schema ORDER = SchemaBuilder.struct().name("Order").field("tenantId", Schema.STRING_SCHEMA)
            .field("card", Schema.STRING_SCHEMA).build();
    private static AzureTestSupport eastus;
    private static AzureTestSupport westeu;
    private final OpenTransforms open = new OpenTransforms();

    @BeforeAll
    static void start() throws IOException {
        eastus = new AzureTestSupport();
        westeu = new AzureTestSupport();
    }

    @AfterAll
    static void stop() throws IOException {
        eastus.close();
        westeu.close();
    }

    @AfterEach
    void reset() {
        open.close();
        for (AzureTestSupport region : List.of(eastus, westeu)) {
            region.vault.setUnavailable(false);
            region.resetPermissions();
        }
    }

    private static SourceRecord order(String tenant, int n) {
        Struct value = new Struct(ORDER).put("tenantId", tenant).put("card", "4111-" + tenant + "-" + n);
        return new SourceRecord(Map.of("p", 1), Map.of("o", n), "orders", 0, Schema.STRING_SCHEMA, "k" + n, ORDER, value,
                1_700_000_000_000L + n);
    }

    /** {@code base}'s settings plus westeu as a second keyring member, with its own vault and credential. */
    private static Map<String, Object> ring(Map<String, Object> base, boolean encrypting, String... aliases) {
        Map<String, Object> props = new HashMap<>(base);
        props.put("kek.ring", String.join(",", aliases));
        Map<String, Object> west = encrypting ? westeu.encryptConfig() : westeu.decryptConfig();
        for (String key : List.of("azure.keyvault.url", "azure.client.id", "azure.client.secret", "azure.authority.host",
                "azure.ssl.truststore.location")) {
            props.put("kek.ring.westeu." + key, west.get(key));
        }
        return props;
    }

    private static List<SourceRecord> encryptAll(EncryptPayload<SourceRecord> encrypt, List<SourceRecord> records) {
        List<SourceRecord> out = new ArrayList<>();
        records.forEach(r -> out.add(encrypt.apply(r)));
        return out;
    }

    private static List<SourceRecord> orders(int n) {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(order("tenant-" + (i % 5), i));
        }
        return out;
    }

    @Test
    void aDataKeyWrappedByBothRegionsDecryptsWithEitherDownAndWithTheSecondaryAlone() throws IOException {
        EncryptPayload<SourceRecord> encrypt = open.encryptor(ring(eastus.encryptConfig(), true, "eastus", "westeu"));
        List<SourceRecord> encrypted = encryptAll(encrypt, orders(20));
        Struct first = (Struct) encrypted.get(0).value();
        assertThat(first.getString(EnvelopeSchema.KEY_ID)).startsWith(eastus.vault.vaultUrl());
        List<Struct> copies = first.getArray(EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS);
        assertThat(copies).hasSize(1);
        assertThat(copies.get(0).getString(EnvelopeSchema.KEY_ID)).startsWith(westeu.vault.vaultUrl());

        DecryptPayload<SourceRecord> both = open.decryptor(ring(eastus.decryptConfig(), false, "eastus", "westeu"));
        long westBefore = westeu.vault.operationCount(westeu.decryptor, "keys/unwrapkey");
        assertDecrypts(both, encrypted);
        assertThat(westeu.vault.operationCount(westeu.decryptor, "keys/unwrapkey")).as("the first member serves while up")
                .isEqualTo(westBefore);

        eastus.vault.setUnavailable(true);
        assertDecrypts(open.decryptor(ring(eastus.decryptConfig(), false, "eastus", "westeu")), encrypted);
        eastus.vault.setUnavailable(false);
        westeu.vault.setUnavailable(true);
        assertDecrypts(open.decryptor(ring(eastus.decryptConfig(), false, "eastus", "westeu")), encrypted);
        eastus.vault.setUnavailable(true);
        DecryptPayload<SourceRecord> none = open.decryptor(ring(eastus.decryptConfig(), false, "eastus", "westeu"));
        assertThatThrownBy(() -> none.apply(encrypted.get(0))).as("no member reachable: retriable")
                .isInstanceOf(RetriableException.class).hasMessageContaining("Keyring member");
        eastus.vault.setUnavailable(false);
        westeu.vault.setUnavailable(false);

        // A sink configured only for the secondary region, the way a DR site would be.
        assertDecrypts(open.decryptor(westeu.decryptConfig()), encrypted);
        // A vault that holds no copy: a clear record-level refusal, without a call.
        try (AzureTestSupport elsewhere = new AzureTestSupport()) {
            DecryptPayload<SourceRecord> stranger = open.decryptor(elsewhere.decryptConfig());
            assertThatThrownBy(() -> stranger.apply(encrypted.get(0))).isInstanceOf(DataException.class)
                    .hasMessageContaining("none of them a key-encryption key this reader may use")
                    .hasMessageNotContaining("4111");
            assertThat(elsewhere.vault.operationCount("keys/unwrapkey")).isZero();
        }
    }

    @Test
    void encryptingWithTheSecondaryDownFailsClosedUnlessTheConfigurationAcceptsFewerCopies() {
        westeu.vault.setUnavailable(true);
        EncryptPayload<SourceRecord> strict = open.encryptor(ring(eastus.encryptConfig(), true, "eastus", "westeu"));
        assertThatThrownBy(() -> strict.apply(order("tenant-1", 1))).isInstanceOf(RetriableException.class)
                .hasMessageContaining("Keyring member 'westeu'");

        EncryptPayload<SourceRecord> lenient = open.encryptor(ring(eastus.encryptConfig("kek.ring.wrap.policy", "available"),
                true, "eastus", "westeu"));
        Struct envelope = (Struct) lenient.apply(order("tenant-1", 2)).value();
        assertThat(envelope.getArray(EnvelopeSchema.ADDITIONAL_WRAPPED_KEYS)).as("no westeu copy").isNull();
        assertThat(lenient.counters().gauges().get("data-keys-incomplete-total").getAsLong()).isEqualTo(1);
        westeu.vault.setUnavailable(false);
        assertDecrypts(open.decryptor(eastus.decryptConfig()), List.of(lenient.apply(order("tenant-1", 3))));
    }

    @Test
    void eachTenantHasItsOwnKeyAndErasingOneMakesExactlyItsRecordsUnreadable() {
        for (int t = 0; t < 5; t++) {
            eastus.vault.createRsaKey("tenant-" + t);
        }
        EncryptPayload<SourceRecord> encrypt = open.encryptor(eastus.encryptConfig("kek.key.template", "{field:tenantId}",
                "kek.key.allowed.pattern", "tenant-[0-9]{1,4}"));
        List<SourceRecord> encrypted = encryptAll(encrypt, orders(50));
        for (int i = 0; i < 50; i++) {
            assertThat(((Struct) encrypted.get(i).value()).getString(EnvelopeSchema.KEY_ID))
                    .contains("/keys/tenant-" + (i % 5) + "/");
        }
        assertThat(encrypt.counters().recordsForKey("tenant-3")).isEqualTo(10);
        assertThat(eastus.vault.operationCount(eastus.encryptor, "keys/get")).as("one data key per tenant, not per record")
                .isLessThanOrEqualTo(10);

        DecryptPayload<SourceRecord> reader = open.decryptor(eastus.decryptConfig("azure.keyvault.keys.allowed", "tenant-*"));
        assertDecrypts(reader, encrypted);
        assertThat(reader.counters().recordsForKey(eastus.vault.vaultUrl() + "/keys/tenant-3")).as("decrypted per key")
                .isEqualTo(10);

        eastus.vault.deleteKey("tenant-2");
        DecryptPayload<SourceRecord> afterErasure = open.decryptor(eastus.decryptConfig("azure.keyvault.keys.allowed", "tenant-*"));
        long callsBefore = eastus.vault.operationCount(eastus.decryptor, "keys/unwrapkey");
        int refused = 0;
        for (int i = 0; i < 50; i++) {
            SourceRecord r = encrypted.get(i);
            if (i % 5 == 2) {
                assertThatThrownBy(() -> afterErasure.apply(r)).isInstanceOf(ConnectException.class)
                        .hasMessageNotContaining("4111");
                refused++;
            } else {
                assertThat(((Struct) afterErasure.apply(r).value()).getString("card")).isEqualTo("4111-tenant-" + (i % 5) + "-" + i);
            }
        }
        assertThat(refused).isEqualTo(10);
        assertThat(eastus.vault.operationCount(eastus.decryptor, "keys/unwrapkey") - callsBefore)
                .as("four tenants' data keys, and one refused call for the erased tenant's").isEqualTo(5);

        // A source that makes a new data key for the erased tenant fails its records: nothing new under a key that is gone.
        EncryptPayload<SourceRecord> restarted = open.encryptor(eastus.encryptConfig("kek.key.template", "{field:tenantId}",
                "kek.key.allowed.pattern", "tenant-[0-9]{1,4}"));
        assertThatThrownBy(() -> restarted.apply(order("tenant-2", 99))).isInstanceOf(ConnectException.class)
                .hasMessageContaining("tenant-2").hasMessageNotContaining("4111");
        assertThat(((Struct) restarted.apply(order("tenant-3", 98)).value()).getString(EnvelopeSchema.KEY_ID))
                .contains("/keys/tenant-3/");
    }

    @Test
    void aRecordWithoutAnAllowedKeyNameFailsOrTakesTheFallbackKey() {
        eastus.vault.createRsaKey("tenant-default");
        Map<String, Object> strict = eastus.encryptConfig("kek.key.template", "tenant-{field:tenantId}",
                "kek.key.allowed.pattern", "tenant-[0-9]{1,4}");
        EncryptPayload<SourceRecord> encrypt = open.encryptor(strict);
        assertThatThrownBy(() -> encrypt.apply(order("../../secrets", 1))).isInstanceOf(DataException.class)
                .hasMessageContaining("does not match kek.key.allowed.pattern").hasMessageNotContaining("secrets");
        strict.put("kek.key.fallback", "tenant-default");
        EncryptPayload<SourceRecord> withFallback = open.encryptor(strict);
        Struct envelope = (Struct) withFallback.apply(order("not a tenant", 2)).value();
        assertThat(envelope.getString(EnvelopeSchema.KEY_ID)).contains("/keys/tenant-default/");
    }

    @Test
    void liveDataKeysAreBoundedByKeyCount() {
        for (int t = 10; t < 16; t++) {
            eastus.vault.createRsaKey("tenant-" + t);
        }
        EncryptPayload<SourceRecord> encrypt = open.encryptor(eastus.encryptConfig("kek.key.template", "tenant-{field:tenantId}",
                "kek.key.allowed.pattern", "tenant-[0-9]{1,4}", "kek.key.cache.max", "2"));
        for (int i = 0; i < 12; i++) {
            encrypt.apply(order(String.valueOf(10 + i % 6), i));
        }
        assertThat(encrypt.counters().gauges().get("selected-keys-live").getAsLong()).isEqualTo(2);
        assertThat(encrypt.counters().gauges().get("selected-keys-evicted-total").getAsLong()).isEqualTo(10);
    }

    private static void assertDecrypts(DecryptPayload<SourceRecord> decrypt, List<SourceRecord> encrypted) {
        for (SourceRecord r : encrypted) {
            Struct value = (Struct) decrypt.apply(r).value();
            assertThat(value.getString("card")).startsWith("4111-" + value.getString("tenantId"));
        }
    }
}
