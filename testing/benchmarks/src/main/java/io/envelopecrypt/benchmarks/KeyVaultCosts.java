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
 * double served: authorized key operations per identity and Entra tokens issued; a third run adds signed data
 * keys ({@code azure.keyvault.signing.key.name} on both sides). Usage:
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
        for (String mode : new String[] {"local", "remote", "local, signed data keys"}) {
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
            Map<String, String> encryptConfig = new java.util.HashMap<>(keks.config("azure", true));
            encryptConfig.put("azure.keyvault.wrap.mode", wrapMode);
            Map<String, String> decryptConfig = new java.util.HashMap<>(keks.config("azure", false));
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
            long start = System.nanoTime();
            for (long i = 0; i < records; i++) {
                SourceRecord back = decrypt.apply(encrypt.apply(plain[(int) (i & 63)]));
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
