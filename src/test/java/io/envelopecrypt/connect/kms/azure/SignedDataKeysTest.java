package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.engine.DataKeyRejectedException;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Finding 2 of the hostile-writer review: in the default local wrap mode, whoever holds the KEK's public half
 * (keys/get) and can write to the topic makes envelopes every sink accepts. With
 * {@code azure.keyvault.signing.key.name}, each data key's commitment is signed by a separate Key Vault key that
 * only the encrypting identity may use, and readers accept only data keys signed by it, checked before any unwrap.
 */
class SignedDataKeysTest {
    private static final String SIGNING_KEY = "payments-signing";
    private static AzureTestSupport azure;
    private final OpenTransforms open = new OpenTransforms();

    @BeforeAll
    static void start() throws IOException {
        azure = new AzureTestSupport();
        azure.vault.createRsaKey(SIGNING_KEY, 2048, List.of("sign", "verify"));
    }

    @AfterAll
    static void stop() throws IOException {
        azure.close();
    }

    @AfterEach
    void reset() throws Exception {
        azure.resetPermissions();
        open.close();
    }

    private static SourceRecord record(String value) {
        return new SourceRecord(Map.of("p", 1), Map.of("o", 1), "payments", 0, Schema.STRING_SCHEMA, "k",
                Schema.STRING_SCHEMA, value, 1_700_000_000_000L);
    }

    /** Roles as the docs give them: the writer reads the KEK and signs; the forger can only read keys. */
    private void leastPrivilege(String forger) {
        azure.vault.setPermissions(Map.of(
                azure.encryptor, List.of("keys/get", "keys/sign"),
                azure.decryptor, List.of("keys/get", "keys/unwrapkey"),
                forger, List.of("keys/get")));
    }

    @Test
    void genuineDataKeysAreSignedOnceAndForgeriesWithThePublicKeyAloneAreRefusedWithoutAnUnwrap() {
        String forger = azure.vault.registerApp("forger-secret-value-3");
        leastPrivilege(forger);
        EncryptPayload<SourceRecord> writer = open.encryptor(azure.encryptConfig("azure.keyvault.signing.key.name", SIGNING_KEY,
                "dek.max.records", "50"));
        long signsBefore = azure.vault.operationCount("keys/sign");
        List<SourceRecord> genuine = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            genuine.add(writer.apply(record("card 4111111111111111 #" + i)));
        }
        assertThat(azure.vault.operationCount("keys/sign") - signsBefore).as("one sign call per data key").isEqualTo(3);
        Struct first = (Struct) genuine.get(0).value();
        assertThat(first.getString(EnvelopeSchema.SIGNING_KEY_ID))
                .isEqualTo(azure.vault.vaultUrl() + "/keys/" + SIGNING_KEY + "/" + azure.vault.latestVersion(SIGNING_KEY));
        assertThat(first.getBytes(EnvelopeSchema.DATA_KEY_SIGNATURE)).hasSize(256);

        // The forger holds keys/get on the KEK, enough for the default local wrap mode, but cannot sign.
        EncryptPayload<SourceRecord> forging = open.encryptor(azure.config(forger, "forger-secret-value-3"));
        SourceRecord forged = forging.apply(record("pay the forger"));
        assertThat(((Struct) forged.value()).getString(EnvelopeSchema.SIGNING_KEY_ID)).isNull();

        DecryptPayload<SourceRecord> reader = open.decryptor(azure.decryptConfig("azure.keyvault.signing.key.name", SIGNING_KEY));
        long unwrapsBefore = azure.vault.operationCount("keys/unwrapkey");
        for (int i = 0; i < genuine.size(); i++) {
            assertThat(reader.apply(genuine.get(i)).value()).isEqualTo("card 4111111111111111 #" + i);
        }
        assertThat(azure.vault.operationCount("keys/unwrapkey") - unwrapsBefore).isEqualTo(3);
        assertThatThrownBy(() -> reader.apply(forged)).isInstanceOf(DataKeyRejectedException.class)
                .hasMessageContaining("not signed").hasMessageContaining(SIGNING_KEY);
        assertThat(azure.vault.operationCount("keys/unwrapkey") - unwrapsBefore).as("the forgery cost no unwrap").isEqualTo(3);

        // A reader that does not require signatures accepts both: signing is the reader's choice.
        DecryptPayload<SourceRecord> lenient = open.decryptor(azure.decryptConfig());
        assertThat(lenient.apply(forged).value()).isEqualTo("pay the forger");
        assertThat(lenient.apply(genuine.get(0)).value()).isEqualTo("card 4111111111111111 #0");
    }

    @Test
    void signaturesMovedBetweenDataKeysOrByOtherKeysAreRefused() {
        EncryptPayload<SourceRecord> writer = open.encryptor(azure.encryptConfig("azure.keyvault.signing.key.name", SIGNING_KEY,
                "dek.max.records", "1"));
        Struct a = (Struct) writer.apply(record("a")).value();
        SourceRecord b = writer.apply(record("b"));
        Struct moved = copy((Struct) b.value());
        moved.put(EnvelopeSchema.DATA_KEY_SIGNATURE, a.getBytes(EnvelopeSchema.DATA_KEY_SIGNATURE));
        DecryptPayload<SourceRecord> reader = open.decryptor(azure.decryptConfig("azure.keyvault.signing.key.name", SIGNING_KEY));
        assertThatThrownBy(() -> reader.apply(withValue(b, moved))).isInstanceOf(DataKeyRejectedException.class)
                .hasMessageContaining("does not verify");

        Struct otherKey = copy((Struct) b.value());
        otherKey.put(EnvelopeSchema.SIGNING_KEY_ID, azure.vault.vaultUrl() + "/keys/" + AzureTestSupport.KEY + "/"
                + azure.vault.latestVersion(AzureTestSupport.KEY));
        assertThatThrownBy(() -> reader.apply(withValue(b, otherKey))).isInstanceOf(DataKeyRejectedException.class)
                .hasMessageContaining("not by key '" + SIGNING_KEY + "'");

        long getsBefore = azure.vault.operationCount("keys/get");
        for (int i = 0; i < 50; i++) {
            Struct madeUp = copy((Struct) b.value());
            madeUp.put(EnvelopeSchema.SIGNING_KEY_ID, azure.vault.vaultUrl() + "/keys/" + SIGNING_KEY + "/made" + i);
            assertThatThrownBy(() -> reader.apply(withValue(b, madeUp))).isInstanceOf(DataKeyRejectedException.class);
        }
        assertThat(azure.vault.operationCount("keys/get") - getsBefore)
                .as("made-up signing key versions: at most one lookup per interval").isLessThanOrEqualTo(1);
        assertThat(reader.apply(b).value()).as("the genuine record still decrypts").isEqualTo("b");
    }

    @Test
    void aWriterWithoutTheSignPermissionFailsBeforeEmittingAnything() {
        azure.vault.grant(azure.encryptor, List.of("keys/get"));
        EncryptPayload<SourceRecord> writer = open.encryptor(azure.encryptConfig("azure.keyvault.signing.key.name", SIGNING_KEY));
        assertThatThrownBy(() -> writer.apply(record("x")))
                .hasMessageContaining("sign").hasMessageContaining(SIGNING_KEY).hasMessageNotContaining("x\"");
    }

    @Test
    void theSigningKeyMustBeAKeyOfItsOwn() {
        assertThatThrownBy(() -> open.encryptor(azure.encryptConfig("azure.keyvault.signing.key.name", AzureTestSupport.KEY)))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("azure.keyvault.signing.key.name").hasMessageContaining("a key of its own");
    }

    private static Struct copy(Struct s) {
        Struct c = new Struct(s.schema());
        s.schema().fields().forEach(f -> c.put(f, s.get(f)));
        return c;
    }

    private static SourceRecord withValue(SourceRecord r, Struct value) {
        return r.newRecord(r.topic(), r.kafkaPartition(), r.keySchema(), r.key(), r.valueSchema(), value, r.timestamp());
    }
}
