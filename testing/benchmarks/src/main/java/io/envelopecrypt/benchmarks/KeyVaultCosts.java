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
 * double served: authorized key operations per identity and Entra tokens issued. Usage:
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
        for (String wrapMode : new String[] {"local", "remote"}) {
            md.append(run(records, wrapMode)).append('\n');
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
        System.out.println("Written to " + out.toAbsolutePath());
    }

    private static String run(long records, String wrapMode) {
        try (Keks keks = new Keks()) {
            KeyVaultTestDouble kv = keks.vault();
            String encryptor = keks.clientId(true);
            String decryptor = keks.clientId(false);
            // The encrypting identity gets what its mode needs, the decrypting one only unwrapKey.
            kv.setPermissions(Map.of(encryptor, "remote".equals(wrapMode) ? java.util.List.of("keys/get", "keys/wrapkey")
                    : java.util.List.of("keys/get"), decryptor, java.util.List.of("keys/unwrapkey")));
            // Counted from before the transforms start, so their first calls are included.
            Map<String, Long> before = kv.operationCounts();
            long tokensBefore = kv.tokensIssued(encryptor) + kv.tokensIssued(decryptor);
            long encTokensBefore = kv.tokensIssued(encryptor);
            Map<String, String> encryptConfig = new java.util.HashMap<>(keks.config("azure", true));
            encryptConfig.put("azure.keyvault.wrap.mode", wrapMode);
            EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>();
            encrypt.configure(encryptConfig);
            DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>();
            decrypt.configure(keks.config("azure", false));
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
            Map<String, Long> ops = new TreeMap<>();
            kv.operationCounts().forEach((k, v) -> {
                long d = v - before.getOrDefault(k, 0L);
                if (d > 0) {
                    ops.put(k, d);
                }
            });
            long encTokens = kv.tokensIssued(encryptor) - encTokensBefore;
            long decTokens = kv.tokensIssued(encryptor) + kv.tokensIssued(decryptor) - tokensBefore - encTokens;
            long encOps = ops.getOrDefault("keys/get", 0L) + ops.getOrDefault("keys/wrapkey", 0L);
            long decOps = ops.getOrDefault("keys/unwrapkey", 0L);
            encrypt.close();
            decrypt.close();
            double perMillion = (encOps + decOps + encTokens + decTokens) * 1_000_000.0 / records;
            return String.format("| %s | %,d | %s | %d | %d (keys/unwrapkey) | %d | %.1f | %.0f |", wrapMode, records,
                    encOps + " (" + describe(ops, "keys/get", "keys/wrapkey") + ")", encTokens, decOps, decTokens,
                    perMillion, seconds);
        }
    }

    private static String describe(Map<String, Long> ops, String... names) {
        StringBuilder b = new StringBuilder();
        for (String n : names) {
            if (ops.containsKey(n)) {
                b.append(b.length() == 0 ? "" : ", ").append(ops.get(n)).append(' ').append(n);
            }
        }
        return b.toString();
    }
}
