package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.engine.KekProviders;
import io.envelopecrypt.connect.kms.KmsAccessException;
import io.envelopecrypt.connect.kms.KmsUnavailableException;
import io.envelopecrypt.connect.testing.MutableClock;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.errors.RetriableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A key version disabled as compromised, or a Key Vault outage, as the encrypting side meets them when it makes
 * a new data key: state is re-read on an interval, and the outage fallback to the last version read has a limit.
 */
class KeyStateTest {
    private static AzureTestSupport azure;
    private final MutableClock clock = new MutableClock(System.currentTimeMillis());

    @BeforeAll
    static void start() throws IOException {
        azure = new AzureTestSupport();
    }

    @AfterAll
    static void stop() throws IOException {
        azure.close();
    }

    @AfterEach
    void resetFaults() {
        azure.vault.resetFaults();
    }

    private AzureKeyVaultKeyProvider provider(Map<String, Object> props) {
        ConfigDef def = new ConfigDef();
        KekProviders.addTo(def);
        return AzureKeyVaultKeyProvider.create(new AzureKeyVaultConfig(new AbstractConfig(def, props)), clock);
    }

    private static byte[] dek() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    @Test
    void aPinnedVersionDisabledInTheVaultStopsNewDataKeysWithinTheRecheckInterval() {
        String version = azure.vault.createRsaKey("state-pinned");
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.key.name", "state-pinned",
                "azure.keyvault.key.version", version, "azure.keyvault.key.recheck.interval.ms", "60000"))) {
            enc.wrap(dek());
            azure.vault.setKeyEnabled("state-pinned", version, false);
            enc.wrap(dek()); // within the interval the version's last check still holds
            clock.advance(60_000);
            assertThatThrownBy(() -> enc.wrap(dek())).as("disabled as compromised")
                    .isInstanceOf(KmsAccessException.class).isNotInstanceOf(RetriableException.class)
                    .hasMessageContaining("disabled");
        }
    }

    @Test
    void anUnpinnedKeyWhoseCurrentVersionExpiredStopsAtTheNextDataKey() {
        String version = azure.vault.createRsaKey("state-expiring");
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.key.name", "state-expiring"))) {
            enc.wrap(dek());
            azure.vault.setKeyExpiry("state-expiring", version, null, System.currentTimeMillis() / 1000 - 60);
            assertThatThrownBy(() -> enc.wrap(dek())).isInstanceOf(KmsAccessException.class)
                    .isNotInstanceOf(RetriableException.class);
        }
    }

    @Test
    void theOutageFallbackToTheLastVersionEndsAfterItsLimit() {
        azure.vault.createRsaKey("state-outage");
        try (AzureKeyVaultKeyProvider enc = provider(azure.encryptConfig("azure.keyvault.key.name", "state-outage",
                "azure.keyvault.key.fallback.max.ms", "600000", "azure.retry.max.retries", "1"))) {
            String version = enc.wrap(dek()).keyId();
            azure.vault.setUnavailable(true);
            assertThat(enc.wrap(dek()).keyId()).as("wrapped with the last version read").isEqualTo(version);
            clock.advance(600_000);
            assertThatThrownBy(() -> enc.wrap(dek())).as("the last read is too old to trust")
                    .isInstanceOf(KmsUnavailableException.class);
            azure.vault.setUnavailable(false);
            assertThat(enc.wrap(dek()).keyId()).isEqualTo(version);
        }
    }
}
