package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.engine.EnvelopeDecryptor;
import io.envelopecrypt.connect.engine.EnvelopeEncryptor;
import io.envelopecrypt.connect.envelope.Envelope;
import io.envelopecrypt.connect.envelope.EnvelopeCodec;
import io.envelopecrypt.connect.envelope.EnvelopeHeader;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.envelope.MalformedEnvelopeException;
import io.envelopecrypt.connect.kms.local.LocalKeyEncryptionKeyProvider;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Envelopes as JsonConverter writes them (with and without schemas) decrypt from the topic's bytes. */
class EnvelopeBytesTest {
    private static LocalKeyEncryptionKeyProvider key() {
        return new LocalKeyEncryptionKeyProvider("dev", List.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void jsonConverterEnvelopesDecrypt(boolean schemasEnabled) {
        Envelope e;
        try (EnvelopeEncryptor encryptor = new EnvelopeEncryptor(key(), 10, 60_000, Clock.systemUTC(), new SecureRandom())) {
            e = encryptor.encrypt(Schema.STRING_SCHEMA, "card 4111", new EnvelopeHeader("id-1", 1L, "t", Map.of("m", "v")));
        }
        Schema schema = EnvelopeSchema.build(EnvelopeSchema.DEFAULT_NAME);
        JsonConverter json = new JsonConverter();
        json.configure(Map.of("schemas.enable", String.valueOf(schemasEnabled)), false);
        byte[] bytes = json.fromConnectData("t", schema, EnvelopeCodec.toStruct(e, schema));
        try (TopicDecryptor decryptor = new TopicDecryptor(new EnvelopeDecryptor(key(), 10, 60_000, Clock.systemUTC()), null)) {
            Decrypted d = decryptor.decrypt(bytes);
            assertThat(d.value()).isEqualTo("card 4111");
            assertThat(d.envelope().metadata()).containsEntry("m", "v");
        }
    }

    @Test
    void otherBytesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> EnvelopeBytes.read("card 4111".getBytes(StandardCharsets.UTF_8), null))
                .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("neither").hasMessageNotContaining("4111");
        assertThatThrownBy(() -> EnvelopeBytes.read("{\"card\": 4111".getBytes(StandardCharsets.UTF_8), null))
                .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("not valid JSON").hasMessageNotContaining("4111");
        assertThatThrownBy(() -> EnvelopeBytes.read(new byte[] {0, 0, 0, 0, 1, 2}, null))
                .isInstanceOf(MalformedEnvelopeException.class).hasMessageContaining("needs the schema registry");
    }
}
