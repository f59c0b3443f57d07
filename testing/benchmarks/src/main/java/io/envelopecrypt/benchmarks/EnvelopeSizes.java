package io.envelopecrypt.benchmarks;

import io.envelopecrypt.connect.crypto.SealingKey;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.envelope.EnvelopeSealer;
import io.envelopecrypt.connect.kms.WrappedKey;
import io.envelopecrypt.connect.payload.PayloadCodec;
import io.envelopecrypt.connect.payload.PayloadCompression;
import io.envelopecrypt.testconnectors.Payments;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Bytes per record of each envelope variant, computed from the format (no broker, no batching, no producer
 * compression): the plain value and its envelope as an Avro converter writes them (Avro binary plus the 5-byte
 * Confluent header) and as {@code JsonConverter} writes them without schemas. Records: the pipeline benchmark's
 * generated {@code Payment} and the JMH {@code struct-1KB} order. Keys: a local key (A256KW, 40-byte wrapped key,
 * a 26-character key id) and an Azure Key Vault RSA-3072 key (384-byte wrapped key, an 84-character key id).
 *
 * <p>{@code scripts/bench.sh sizes}.
 */
public final class EnvelopeSizes {
    private static final JsonConverter JSON = new JsonConverter();
    private static final String AZURE_KEY_ID = "https://payments.vault.azure.net/keys/payments-kek/5b2c3e1f7a9d4e0c8b6a2f1e3d5c7b9a";

    static {
        JSON.configure(Map.of("schemas.enable", "false", "decimal.format", "NUMERIC"), false);
    }

    private record Variant(String name, boolean registry, PayloadCompression compression) {
    }

    private static final List<Variant> VARIANTS = List.of(
            new Variant("inline (before issue 14)", false, PayloadCompression.NONE),
            new Variant("registry", true, PayloadCompression.NONE),
            new Variant("registry + lz4", true, PayloadCompression.LZ4),
            new Variant("registry + snappy", true, PayloadCompression.SNAPPY),
            new Variant("registry + zstd", true, PayloadCompression.ZSTD),
            new Variant("inline + zstd", false, PayloadCompression.ZSTD));

    private EnvelopeSizes() {
    }

    public static void main(String[] args) {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        StringBuilder md = new StringBuilder();
        table(md, "Payment (pipeline benchmark generator)", records, i -> Payments.payment(7, i), Payments.PAYMENT);
        SourceRecord[] orders = Payloads.records(Payloads.Shape.of("struct-1KB"), 64,
                r -> PayloadCodec.forSchema(r.valueSchema()).encode(r.value()).length);
        table(md, "struct-1KB (JMH)", orders.length, i -> orders[i].value(), orders[0].valueSchema());
        System.out.println(md);
    }

    private static void table(StringBuilder md, String title, int records, IntFunction<Object> value, Schema schema) {
        PayloadCodec inline = PayloadCodec.forSchema(schema);
        byte[] reference = PayloadCodec.registryReference(17, inline.schemaJson());
        Schema envelopeSchema = EnvelopeSchema.build(EnvelopeSchema.DEFAULT_NAME);
        PayloadCodec envelopeAvro = PayloadCodec.forSchema(envelopeSchema);
        double plainAvro = 0;
        double plainJson = 0;
        double[][] avro = new double[VARIANTS.size()][2];
        double[][] json = new double[VARIANTS.size()][2];
        EnvelopeSealer sealer = new EnvelopeSealer();
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < records; i++) {
            Object v = value.apply(i);
            plainAvro += 5 + inline.encode(v).length;
            plainJson += JSON.fromConnectData("t", schema, v).length;
            for (int k = 0; k < VARIANTS.size(); k++) {
                Variant variant = VARIANTS.get(k);
                PayloadCodec codec = (variant.registry() ? inline.registered(reference) : inline).withCompression(variant.compression());
                for (int key = 0; key < 2; key++) {
                    byte[] dek = new byte[32];
                    random.nextBytes(dek);
                    WrappedKey wrapped = key == 0 ? new WrappedKey("local:dev/" + "a1b2c3d4e5f60718", "A256KW", new byte[40])
                            : new WrappedKey(AZURE_KEY_ID, "RSA-OAEP-256", new byte[384]);
                    EnvelopeHeader header = new EnvelopeHeader(UUID.randomUUID().toString(), 1_767_225_600_000L + i,
                            "payment.created", null, null);
                    Envelope e = sealer.seal(codec, v, header, new SealingKey(dek, random.nextInt()), wrapped);
                    org.apache.kafka.connect.data.Struct struct = EnvelopeCodec.toStruct(e, envelopeSchema);
                    avro[k][key] += 5 + envelopeAvro.encode(struct).length;
                    json[k][key] += JSON.fromConnectData("t", envelopeSchema, struct).length;
                }
            }
        }
        plainAvro /= records;
        plainJson /= records;
        md.append("\n").append(title).append(", mean of ").append(records).append(" records: plain value ")
                .append(String.format("%.0f B as Avro (wire format), %.0f B as JSON", plainAvro, plainJson)).append("\n\n")
                .append("| Envelope | Avro, local key | Avro, Key Vault RSA-3072 | JSON, local key | JSON, Key Vault RSA-3072 "
                        + "| Avro minus plain minus wrapped key (local / Key Vault) |\n|---|---|---|---|---|---|\n");
        for (int k = 0; k < VARIANTS.size(); k++) {
            double local = avro[k][0] / records;
            double azure = avro[k][1] / records;
            md.append(String.format("| %s | %.0f (%.2f×) | %.0f (%.2f×) | %.0f (%.2f×) | %.0f (%.2f×) | %.0f / %.0f |%n",
                    VARIANTS.get(k).name(), local, local / plainAvro, azure, azure / plainAvro,
                    json[k][0] / records, json[k][0] / records / plainJson, json[k][1] / records, json[k][1] / records / plainJson,
                    local - plainAvro - 40, azure - plainAvro - 384));
        }
    }
}
