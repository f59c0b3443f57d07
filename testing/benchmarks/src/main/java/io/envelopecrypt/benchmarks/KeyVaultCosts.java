package io.envelopecrypt.benchmarks;

import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;
import io.envelopecrypt.testkit.keyvault.KeyVaultTestDouble;

import org.apache.kafka.connect.source.SourceRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Key Vault calls per million records: runs N records (1 KB Structs) through {@code EncryptPayload} and
 * straight into {@code DecryptPayload}, both with an Azure Key Vault key served by the test double at the
 * plugin's default settings (and once more with {@code azure.keyvault.wrap.mode=remote}), and counts what the
 * double served: authorized key operations per identity and Entra tokens issued; further runs add signed data
 * keys ({@code azure.keyvault.signing.key.name} on both sides), a keyring of two vaults (both regions' calls
 * counted), and 50 tenants each with its own key (per-record key selection from a header). Usage:
 * {@code scripts/bench.sh costs [--records N] [--out FILE]}.
 */
public final class KeyVaultCosts {
    private KeyVaultCosts() {
    }

    public static void main(String[] args) throws Exception {
        long records = 5_000_000;
        Path out = Path.of("benchmarks", "target", "keyvault-costs.md");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--records" -> records = Long.parseLong(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("options: --records N --out FILE");
            }
        }
        StringBuilder md = new StringBuilder("| Wrap mode | Records | Encrypting side: Key Vault operations | Entra tokens | "
                + "Decrypting side: Key Vault operations | Entra tokens | Calls per 1,000,000 records (both sides) | Seconds |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        for (String mode : new String[] {"local", "remote", "local, signed data keys", "local, keyring of two vaults",
                "local, 1 tenant key", "local, 50 tenant keys"}) {
            md.append(run(records, mode)).append('\n');
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
        System.out.println("Written to " + out.toAbsolutePath());
    }

    private static String run(long records, String mode) {
        String wrapMode = mode.startsWith("remote") ? "remote" : "local";
        boolean signed = mode.contains("signed");
        boolean keyring = mode.contains("keyring");
        int tenants = mode.contains("50 tenant") ? 50 : mode.contains("1 tenant") ? 1 : 0;
        try (Keks keks = new Keks()) {
            KeyVaultTestDouble kv = keks.vault();
            String encryptor = keks.clientId(true);
            String decryptor = keks.clientId(false);
            // Each identity gets what its mode needs: the decrypting one only unwrapKey (and keys/get to verify).
            java.util.List<String> encrypting = new java.util.ArrayList<>(java.util.List.of("keys/get"));
            java.util.List<String> decrypting = new java.util.ArrayList<>(java.util.List.of("keys/unwrapkey"));
            if ("remote".equals(wrapMode)) {
                encrypting.add("keys/wrapkey");
            }
            if (signed) {
                encrypting.add("keys/sign");
                decrypting.add("keys/get");
            }
            kv.setPermissions(Map.of(encryptor, encrypting, decryptor, decrypting));
            long tokensBefore = kv.tokensIssued(encryptor) + kv.tokensIssued(decryptor);
            long encTokensBefore = kv.tokensIssued(encryptor);
            String kek = keyring ? "azure-ring" : "azure";
            Map<String, String> encryptConfig = new java.util.HashMap<>(keks.config(kek, true));
            encryptConfig.put("azure.keyvault.wrap.mode", wrapMode);
            Map<String, String> decryptConfig = new java.util.HashMap<>(keks.config(kek, false));
            if (tenants > 0) {
                for (int t = 0; t < tenants; t++) {
                    kv.createRsaKey("tenant-" + t);
                }
                encryptConfig.put("kek.key.template", "{header:tenant}");
                encryptConfig.put("kek.key.allowed.pattern", "tenant-[0-9]{1,2}");
                // Payloads.records sizes its records by encrypting them without a tenant header.
                encryptConfig.put("kek.key.fallback", "tenant-0");
                decryptConfig.remove("azure.keyvault.key.name");
                decryptConfig.put("azure.keyvault.keys.allowed", "tenant-*");
            }
            if (signed) {
                encryptConfig.put("azure.keyvault.signing.key.name", Keks.SIGNING_KEY_NAME);
                decryptConfig.put("azure.keyvault.signing.key.name", Keks.SIGNING_KEY_NAME);
            }
            EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
            encrypt.configure(encryptConfig);
            DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();
            decrypt.configure(decryptConfig);
            SourceRecord[] plain = Payloads.records(Payloads.Shape.STRUCT_1KB, 64,
                    r -> TransformBenchmark.plaintextSize(encrypt.apply(r)));
            // Records of one tenant after another, as a topic interleaves them: tenant (i mod 50) for record i.
            int spread = Math.max(1, tenants);
            SourceRecord[] input = new SourceRecord[64 * spread];
            for (int i = 0; i < input.length; i++) {
                SourceRecord r = plain[i & 63];
                input[i] = tenants == 0 ? r : r.newRecord(r.topic(), r.kafkaPartition(), r.keySchema(), r.key(),
                        r.valueSchema(), r.value(), r.timestamp(),
                        new org.apache.kafka.connect.header.ConnectHeaders().addString("tenant", "tenant-" + (i % spread)));
            }
            long start = System.nanoTime();
            for (long i = 0; i < records; i++) {
                SourceRecord back = decrypt.apply(encrypt.apply(input[(int) (i % input.length)]));
                if (back.value() == null) {
                    throw new IllegalStateException("record " + i + " did not decrypt");
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            // Every identity and Key Vault are fresh per run, so the counts are this run's.
            Map<String, Long> enc = counts(kv, encryptor);
            Map<String, Long> dec = counts(kv, decryptor);
            long encTokens = kv.tokensIssued(encryptor) - encTokensBefore;
            long decTokens = kv.tokensIssued(encryptor) + kv.tokensIssued(decryptor) - tokensBefore - encTokens;
            if (keyring) {
                KeyVaultTestDouble second = keks.secondVault();
                counts(second, keks.secondClientId(true)).forEach((op, n) -> enc.merge(op, n, Long::sum));
                counts(second, keks.secondClientId(false)).forEach((op, n) -> dec.merge(op, n, Long::sum));
                encTokens += second.tokensIssued(keks.secondClientId(true));
                decTokens += second.tokensIssued(keks.secondClientId(false));
            }
            long encOps = enc.values().stream().mapToLong(Long::longValue).sum();
            long decOps = dec.values().stream().mapToLong(Long::longValue).sum();
            encrypt.close();
            decrypt.close();
            double perMillion = (encOps + decOps + encTokens + decTokens) * 1_000_000.0 / records;
            return String.format("| %s | %,d | %s | %d | %s | %d | %.1f | %.0f |", mode, records,
                    encOps + " (" + describe(enc) + ")", encTokens, decOps + " (" + describe(dec) + ")", decTokens,
                    perMillion, seconds);
        }
    }

    private static final String[] OPERATIONS = {"keys/get", "keys/wrapkey", "keys/sign", "keys/unwrapkey"};

    private static Map<String, Long> counts(KeyVaultTestDouble kv, String clientId) {
        Map<String, Long> out = new TreeMap<>();
        for (String op : OPERATIONS) {
            long n = kv.operationCount(clientId, op);
            if (n > 0) {
                out.put(op, n);
            }
        }
        return out;
    }

    private static String describe(Map<String, Long> ops) {
        StringBuilder b = new StringBuilder();
        ops.forEach((op, n) -> b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(op));
        return b.toString();
    }
}
