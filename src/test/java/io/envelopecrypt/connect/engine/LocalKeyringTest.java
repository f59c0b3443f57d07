package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A keyring of two local keys (as in a migration between keys): every envelope opens with either one alone. */
class LocalKeyringTest {
    private static final EnvelopeHeader HEADER = new EnvelopeHeader("id-1", 1L, "t", null);

    private static Map<String, Object> ring() {
        return TestKeys.localConfig(TestKeys.LOCAL_KEY, "kek.ring", "old,new", "kek.ring.new.local.key", TestKeys.OTHER_LOCAL_KEY,
                "kek.ring.new.local.key.name", "next");
    }

    @Test
    void everyEnvelopeCarriesOneCopyPerMemberAndEitherMemberDecryptsAlone() {
        Envelope e;
        try (EnvelopeEncryptor encryptor = EnvelopeEncryptor.create(new EncryptorConfig(ring()), KekCallListener.NONE,
                Clock.systemUTC())) {
            e = encryptor.encrypt(Schema.STRING_SCHEMA, "secret value", HEADER);
            assertThat(encryptor.describe()).contains("keyring of 2: old = ", "new = ");
        }
        assertThat(e.wrappedKeys()).extracting(WrappedKey::keyId).hasSize(2)
                .allMatch(id -> id.startsWith("local:dev/") || id.startsWith("local:next/"));
        for (String key : new String[] {TestKeys.LOCAL_KEY, TestKeys.OTHER_LOCAL_KEY}) {
            Map<String, Object> alone = TestKeys.localConfig(key, "local.key.name",
                    key.equals(TestKeys.LOCAL_KEY) ? "dev" : "next");
            try (EnvelopeDecryptor decryptor = EnvelopeDecryptor.create(new DecryptorConfig(alone), KekCallListener.NONE,
                    Clock.systemUTC())) {
                assertThat(decryptor.decrypt(e).value()).isEqualTo("secret value");
            }
        }
        try (EnvelopeDecryptor both = EnvelopeDecryptor.create(new DecryptorConfig(ring()), KekCallListener.NONE,
                Clock.systemUTC())) {
            assertThat(both.decrypt(e.withWrappedKeys(e.wrappedKeys().subList(1, 2))).value())
                    .as("with only the second copy left").isEqualTo("secret value");
        }
    }

    @Test
    void keyringAliasesAreCheckedAndMemberErrorsNameTheMember() {
        assertThatThrownBy(() -> new EncryptorConfig(TestKeys.localConfig(TestKeys.LOCAL_KEY, "kek.ring", "a,a")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("distinct");
        assertThatThrownBy(() -> new EncryptorConfig(TestKeys.localConfig(TestKeys.LOCAL_KEY, "kek.ring", "East US")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("lower-case");
        Map<String, Object> broken = TestKeys.localConfig(TestKeys.LOCAL_KEY, "kek.ring", "a,b", "kek.ring.b.local.key", "short");
        assertThatThrownBy(() -> EnvelopeEncryptor.create(new EncryptorConfig(broken), KekCallListener.NONE, Clock.systemUTC()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("Keyring member 'b'");
    }

    @Test
    void perRecordKeySelectionNeedsAProviderWithNamedKeys() {
        Map<String, Object> props = TestKeys.localConfig(TestKeys.LOCAL_KEY, "kek.key.allowed.pattern", "tenant-[0-9]+");
        assertThatThrownBy(() -> EnvelopeEncryptor.create(new EncryptorConfig(props), KekCallListener.NONE, Clock.systemUTC()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("needs a provider with named keys");
    }
}
