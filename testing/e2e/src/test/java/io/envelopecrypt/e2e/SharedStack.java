package io.envelopecrypt.e2e;

import io.envelopecrypt.harness.ConnectCluster;
import io.envelopecrypt.harness.Stack;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One stack for the whole end-to-end run (starting it is the expensive part): broker, registry, Key Vault
 * test double with an encrypting and a decrypting principal, and a 2-worker Kafka Connect 4.4 cluster.
 * Closed when JUnit finishes.
 */
final class SharedStack implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedStack.class);
    static final String KEK = "payments-kek";
    static final String ENCRYPTOR_SECRET = "e2e-encryptor-secret-4f1c";
    static final String DECRYPTOR_SECRET = "e2e-decryptor-secret-9a2d";
    static final String LOCAL_KEY = "ZTJlLWxvY2FsLWRldmVsb3BtZW50LWtleS0zMmJ5dGU=";

    private static SharedStack instance;

    final Stack stack;
    final ConnectCluster connect;
    final String encryptor;
    final String decryptor;
    final Path secretsFile;
    final long startedMillis;

    private SharedStack() throws IOException {
        long start = System.currentTimeMillis();
        stack = Stack.create(m -> log.info(m));
        try {
            stack.startBroker().startRegistry().startKeyVault();
            KeyVaultTestDouble kv = stack.keyVault();
            encryptor = kv.registerApp(ENCRYPTOR_SECRET);
            decryptor = kv.registerApp(DECRYPTOR_SECRET);
            kv.createRsaKey(KEK, 3072, List.of("wrapKey", "unwrapKey"));
            // Least privilege for the shared principals: encrypting needs keys/get, decrypting keys/unwrapkey.
            kv.setPermissions(Map.of(encryptor, List.of("keys/get"), decryptor, List.of("keys/unwrapkey")));
            secretsFile = stack.workDir().resolve("secrets/azure.properties");
            Files.createDirectories(secretsFile.getParent());
            Files.writeString(secretsFile, "encryptor.secret=" + ENCRYPTOR_SECRET + "\ndecryptor.secret=" + DECRYPTOR_SECRET
                    + "\nlocal.key=" + LOCAL_KEY + "\n");
            connect = stack.startConnect(workerEnvironment(new ConnectCluster.Options().workers(2).groupId("e2e-connect")));
        } catch (RuntimeException | IOException e) {
            stack.close();
            throw e;
        }
        startedMillis = System.currentTimeMillis() - start;
        log.info("shared stack up in {} ms", startedMillis);
    }

    /**
     * The environment the files in connector-configs/ expect on a worker (read through ${env:...}); the
     * managed identity's client id is one the test double knows.
     */
    ConnectCluster.Options workerEnvironment(ConnectCluster.Options options) {
        return options.env("ENVELOPECRYPT_LOCAL_KEY", LOCAL_KEY)
                .env("SCHEMA_REGISTRY_URL", stack.registry().ccompatUrl())
                .env("APICURIO_REGISTRY_URL", stack.registry().url() + "/apis/registry/v2")
                .env("AZURE_KEYVAULT_URL", stack.keyVault().vaultUrl())
                .env("AZURE_MANAGED_IDENTITY_CLIENT_ID", encryptor)
                .env("AZURE_TENANT_ID", KeyVaultTestDouble.TENANT_ID)
                .env("AZURE_CLIENT_ID", decryptor);
    }

    static synchronized SharedStack get(ExtensionContext context) {
        if (instance == null) {
            try {
                instance = new SharedStack();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).put("envelopecrypt-shared-stack", instance);
        }
        return instance;
    }

    /** The transform settings for Azure Key Vault as the encrypting (or decrypting) principal. */
    Map<String, String> azure(String prefix, boolean encrypting) {
        KeyVaultTestDouble kv = stack.keyVault();
        return Map.ofEntries(
                Map.entry(prefix + "kek.provider", "azure-keyvault"),
                Map.entry(prefix + "azure.keyvault.url", kv.vaultUrl()),
                Map.entry(prefix + "azure.keyvault.key.name", KEK),
                Map.entry(prefix + "azure.credential.type", "client-secret"),
                Map.entry(prefix + "azure.tenant.id", KeyVaultTestDouble.TENANT_ID),
                Map.entry(prefix + "azure.client.id", encrypting ? encryptor : decryptor),
                Map.entry(prefix + "azure.client.secret", "${file:" + secretsFile + ":" + (encrypting ? "encryptor" : "decryptor") + ".secret}"),
                Map.entry(prefix + "azure.authority.host", kv.authorityHost()),
                Map.entry(prefix + "azure.ssl.truststore.location", stack.keyVaultCaFile().toString()),
                Map.entry(prefix + "azure.keyvault.challenge.resource.verification", "false"));
    }

    static Duration timeout() {
        return Duration.ofSeconds(180);
    }

    @Override
    public void close() {
        stack.close();
        instance = null;
    }
}
