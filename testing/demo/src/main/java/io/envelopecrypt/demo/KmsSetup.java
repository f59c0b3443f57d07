package io.envelopecrypt.demo;

import io.envelopecrypt.harness.Http;
import io.envelopecrypt.harness.ManagedProcess;
import io.envelopecrypt.harness.Ports;
import io.envelopecrypt.harness.Stack;
import io.envelopecrypt.harness.Wait;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Prepares the key-encryption key the demo uses, and says which connector-configs/ files to submit and what
 * to change in them for this machine (addresses, a custom CA, Apicurio's converter in place of
 * Confluent's, which cannot be downloaded here).
 */
abstract class KmsSetup {
    static final String KEY = "payments-kek";

    abstract String sourceFile();

    abstract String sinkFile();

    abstract String topic();

    abstract Map<String, String> workerEnvironment();

    Map<String, String> sourceOverrides(Stack stack) {
        return Map.of();
    }

    Map<String, String> sinkOverrides(Stack stack) {
        return Map.of();
    }

    abstract String callSummary();

    /** What the reader settings file holds, in a few words. */
    abstract String readerSettingsDescription();

    /** Settings that the connector-configs/ files need on this stack, by what they are for. */
    Map<String, String> otherConfigHints(Stack stack) {
        return Map.of();
    }

    static KmsSetup prepare(Demo.Kms kms, Stack stack, Console out) throws IOException {
        return switch (kms) {
            case LOCAL -> new Local();
            case KEYVAULT_DOUBLE -> new Double(stack);
            case EMULATORS -> new Emulators(stack, out);
            case AZURE -> new RealVault();
        };
    }

    /** Sink files use Confluent's converter; Apicurio's speaks the same wire format and is here. */
    static Map<String, String> apicurioConverter(Stack stack) {
        Map<String, String> m = new LinkedHashMap<>(stack.registry().avroConverterConfig("value.converter"));
        m.put("value.converter.schema.registry.url", null);
        return m;
    }

    // ------------------------------------------------------------------ local development key

    static final class Local extends KmsSetup {
        private final String key = Demo.newLocalKey();

        @Override
        String sourceFile() {
            return "source-encrypt-local-dev.json";
        }

        @Override
        String sinkFile() {
            return "sink-decrypt-local-dev.json";
        }

        @Override
        String topic() {
            return "payments.dev.encrypted";
        }

        @Override
        Map<String, String> workerEnvironment() {
            return Map.of("ENVELOPECRYPT_LOCAL_KEY", key);
        }

        @Override
        String callSummary() {
            return "none: a local key never leaves the worker (and is for development only)";
        }

        @Override
        String readerSettingsDescription() {
            return "kek.provider=local and this run's development key";
        }
    }

    // ------------------------------------------------------------------ Azure-shaped setups

    /** Encrypting side: managed identity with keys/get only; decrypting side: a service principal with unwrapKey. */
    abstract static class AzureShaped extends KmsSetup {
        @Override
        String sourceFile() {
            return "source-encrypt-azure-apicurio-avro.json";
        }

        @Override
        String sinkFile() {
            return "sink-decrypt-azure.json";
        }

        @Override
        String topic() {
            return "payments.encrypted.apicurio";
        }

        @Override
        Map<String, String> sinkOverrides(Stack stack) {
            Map<String, String> m = new LinkedHashMap<>(apicurioConverter(stack));
            m.put("topics", topic());
            m.put("errors.deadletterqueue.topic.replication.factor", "1");
            return m;
        }
    }

    static final class Double extends AzureShaped {
        private final KeyVaultTestDouble vault;
        private final Path secrets;
        private final Path ca;
        private final String encryptor = "5a8d0c51-6c1f-4a3f-9f55-0e0d6f3a7c21";
        private final String decryptor;

        Double(Stack stack) throws IOException {
            stack.startKeyVault();
            vault = stack.keyVault();
            vault.createRsaKey(KEY, 3072, List.of("wrapKey", "unwrapKey"));
            vault.setManagedIdentity(encryptor);
            String secret = Demo.newLocalKey();
            decryptor = vault.registerApp(secret);
            vault.setPermissions(Map.of(encryptor, List.of("keys/get"), decryptor, List.of("keys/unwrapkey")));
            secrets = stack.workDir().resolve("secrets/azure.properties");
            Files.createDirectories(secrets.getParent());
            Files.writeString(secrets, "client.secret=" + secret + "\n");
            ca = stack.keyVaultCaFile();
        }

        @Override
        Map<String, String> workerEnvironment() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("AZURE_KEYVAULT_URL", vault.vaultUrl());
            env.put("AZURE_MANAGED_IDENTITY_CLIENT_ID", encryptor);
            env.put("IDENTITY_ENDPOINT", vault.managedIdentityEndpoint());
            env.put("IDENTITY_HEADER", vault.managedIdentityHeader());
            return env;
        }

        @Override
        Map<String, String> sourceOverrides(Stack stack) {
            // The double's challenge names https://vault.azure.net while it listens on localhost.
            return Map.of("transforms.encrypt.azure.ssl.truststore.location", ca.toString(),
                    "transforms.encrypt.azure.keyvault.challenge.resource.verification", "false");
        }

        @Override
        Map<String, String> sinkOverrides(Stack stack) {
            Map<String, String> m = new LinkedHashMap<>(super.sinkOverrides(stack));
            m.put("transforms.decrypt.azure.credential.type", "client-secret");
            m.put("transforms.decrypt.azure.tenant.id", KeyVaultTestDouble.TENANT_ID);
            m.put("transforms.decrypt.azure.client.id", decryptor);
            m.put("transforms.decrypt.azure.client.secret", "${file:" + secrets + ":client.secret}");
            m.put("transforms.decrypt.azure.authority.host", vault.authorityHost());
            m.put("transforms.decrypt.azure.ssl.truststore.location", ca.toString());
            m.put("transforms.decrypt.azure.keyvault.challenge.resource.verification", "false");
            return m;
        }

        @Override
        String callSummary() {
            return vault.operationCounts() + " (encrypting identity: keys/get only; decrypting identity: unwrapKey only)";
        }

        @Override
        String readerSettingsDescription() {
            return "the decrypting service principal's client id, the file with its secret, the test double's CA";
        }

        @Override
        Map<String, String> otherConfigHints(Stack stack) {
            return Map.of("Azure files here", "connector-configs/*azure* files run on this stack with the worker's "
                    + "AZURE_* environment plus azure.ssl.truststore.location=" + ca
                    + " and azure.keyvault.challenge.resource.verification=false in their transform");
        }
    }

    /** A real vault; the worker inherits this process's AZURE_* environment (DefaultAzureCredential). */
    static final class RealVault extends AzureShaped {
        private final String vaultUrl = require("AZURE_KEYVAULT_URL");
        private final String keyName = require("AZURE_KEYVAULT_KEY_NAME");

        private static String require(String name) {
            String v = System.getenv(name);
            if (v == null || v.isBlank()) {
                throw new IllegalStateException("--kms azure needs " + name + " (and AZURE_TENANT_ID, AZURE_CLIENT_ID, "
                        + "AZURE_CLIENT_SECRET or another DefaultAzureCredential source); see docs/azure.md");
            }
            return v;
        }

        @Override
        Map<String, String> workerEnvironment() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("AZURE_KEYVAULT_URL", vaultUrl);
            return env;
        }

        @Override
        Map<String, String> sourceOverrides(Stack stack) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("transforms.encrypt.azure.credential.type", "default");
            m.put("transforms.encrypt.azure.client.id", null);
            m.put("transforms.encrypt.azure.keyvault.key.name", keyName);
            return m;
        }

        @Override
        Map<String, String> sinkOverrides(Stack stack) {
            Map<String, String> m = new LinkedHashMap<>(super.sinkOverrides(stack));
            m.put("transforms.decrypt.azure.credential.type", "default");
            m.put("transforms.decrypt.azure.client.id", null);
            m.put("transforms.decrypt.azure.keyvault.key.name", keyName);
            return m;
        }

        @Override
        String callSummary() {
            return "see the vault's metrics in Azure Monitor (one getKey per data key, one unwrapKey per data key)";
        }

        @Override
        String readerSettingsDescription() {
            return "your vault and key; the credential comes from your AZURE_* environment";
        }
    }

    /**
     * The open-source emulators (github.com/calvinchengx/azure-keyvault-emulator and entra-emulator), if
     * {@code scripts/emulators.sh install} could install them. Both sides use the emulator's seeded app.
     */
    static final class Emulators extends AzureShaped {
        static final String TENANT = "6f89cf12-978b-4d23-ac18-9ef0c127cf87";
        static final String APP = "00d88624-f0d7-46f6-a641-6232c2608928";
        static final String APP_SECRET = "daemon-app-secret";
        private final String vaultUrl;
        private final String authority;
        private final Path ca;
        private final Path secrets;

        Emulators(Stack stack, Console out) throws IOException {
            Path entraBin = binary("entra-emulator");
            Path vaultBin = binary("azure-keyvault-emulator");
            int entraPort = Ports.free();
            int vaultPort = Ports.free();
            Path entraData = Files.createDirectories(stack.workDir().resolve("entra-emulator"));
            Path vaultData = Files.createDirectories(stack.workDir().resolve("keyvault-emulator"));
            authority = "https://localhost:" + entraPort;
            vaultUrl = "https://localhost:" + vaultPort;
            ManagedProcess entra = new ManagedProcess("entra-emulator", List.of(entraBin.toString()),
                    Map.of("ORIGIN_MODE", "compat", "PORT", String.valueOf(entraPort), "TENANT_ID", TENANT,
                            "ENTRA_DATA_DIR", entraData.toString(), "DB_PATH", entraData.resolve("entra.db").toString(),
                            "TLS_CERT_DIR", entraData.resolve("tls").toString()),
                    stack.workDir().resolve("entra-emulator.log"));
            ManagedProcess vault = new ManagedProcess("azure-keyvault-emulator", List.of(vaultBin.toString(),
                    "--addr", "127.0.0.1:" + vaultPort, "--data-dir", vaultData.toString(),
                    "--entra-issuer", authority + "/" + TENANT + "/v2.0", "--entra-tls-insecure"),
                    Map.of(), stack.workDir().resolve("keyvault-emulator.log"));
            entra.start();
            vault.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                vault.close();
                entra.close();
            }));
            Path entraCert = entraData.resolve("tls/cert.pem");
            Path vaultCert = vaultData.resolve("tls/cert.pem");
            Wait.until("the emulators' TLS certificates", Duration.ofSeconds(60),
                    () -> Files.exists(entraCert) && Files.exists(vaultCert));
            ca = stack.workDir().resolve("emulators-ca.pem");
            Files.writeString(ca, Files.readString(entraCert) + Files.readString(vaultCert));
            HttpClient http = HttpClient.newBuilder().sslContext(trusting(ca)).build();
            Wait.until("the Entra emulator", Duration.ofSeconds(60), () -> reachable(http, authority + "/" + TENANT
                    + "/v2.0/.well-known/openid-configuration"));
            createKey(http);
            out.step("Key Vault emulator at " + vaultUrl + ", Entra emulator at " + authority + ", key '" + KEY + "' created");
            secrets = stack.workDir().resolve("secrets/azure.properties");
            Files.createDirectories(secrets.getParent());
            Files.writeString(secrets, "client.secret=" + APP_SECRET + "\n");
        }

        private static Path binary(String name) {
            List<Path> candidates = new java.util.ArrayList<>();
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                candidates.add(Path.of(dir, name));
            }
            String gopath = System.getenv().getOrDefault("GOPATH", System.getProperty("user.home") + "/go");
            candidates.add(Path.of(gopath, "bin", name));
            for (Path p : candidates) {
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
            throw new IllegalStateException(name + " is not installed. Run scripts/emulators.sh install (it needs the Go "
                    + "module proxy to serve github.com/calvinchengx/" + name + "), or use --kms keyvault-double");
        }

        private static SSLContext trusting(Path pem) throws IOException {
            try (InputStream in = Files.newInputStream(pem)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    ks.setCertificateEntry("ca" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, tmf.getTrustManagers(), null);
                return ctx;
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("cannot trust the emulators' certificates", e);
            }
        }

        private static boolean reachable(HttpClient http, String url) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private void createKey(HttpClient http) throws IOException {
            try {
                String form = "grant_type=client_credentials&client_id=" + APP + "&client_secret=" + APP_SECRET
                        + "&scope=" + URLEncoder.encode("https://vault.azure.net/.default", StandardCharsets.UTF_8);
                HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(authority + "/" + TENANT
                                + "/oauth2/v2.0/token")).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
                String access = Http.JSON.readTree(token.body()).path("access_token").asText();
                HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(vaultUrl + "/keys/" + KEY
                                + "/create?api-version=7.5")).header("Authorization", "Bearer " + access)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"kty\":\"RSA\",\"key_size\":3072,"
                                + "\"key_ops\":[\"wrapKey\",\"unwrapKey\"]}")).build(), HttpResponse.BodyHandlers.ofString());
                if (created.statusCode() != 200) {
                    throw new IOException("creating the key failed: HTTP " + created.statusCode() + " " + created.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        Map<String, String> workerEnvironment() {
            return Map.of("AZURE_KEYVAULT_URL", vaultUrl);
        }

        private Map<String, String> clientSecret(String prefix) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put(prefix + "azure.credential.type", "client-secret");
            m.put(prefix + "azure.tenant.id", TENANT);
            m.put(prefix + "azure.client.id", APP);
            m.put(prefix + "azure.client.secret", "${file:" + secrets + ":client.secret}");
            m.put(prefix + "azure.authority.host", authority);
            m.put(prefix + "azure.ssl.truststore.location", ca.toString());
            m.put(prefix + "azure.keyvault.challenge.resource.verification", "false");
            return m;
        }

        @Override
        Map<String, String> sourceOverrides(Stack stack) {
            return clientSecret("transforms.encrypt.");
        }

        @Override
        Map<String, String> sinkOverrides(Stack stack) {
            Map<String, String> m = new LinkedHashMap<>(super.sinkOverrides(stack));
            m.putAll(clientSecret("transforms.decrypt."));
            return m;
        }

        @Override
        String callSummary() {
            return "see " + vaultUrl + " (the emulator's own logs)";
        }

        @Override
        String readerSettingsDescription() {
            return "the emulator's vault, its seeded app's credentials";
        }
    }
}
