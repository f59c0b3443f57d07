package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.envelope.EnvelopeAuthenticationException;
import io.envelopecrypt.connect.envelope.EnvelopeSchema;
import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Finding 3 of the hostile-writer review: an envelope copied from one topic into another decrypted there.
 * With {@code envelope.context} the envelope carries what it is bound to, authenticated, and a reader with the
 * same setting refuses any other binding, before unwrapping the data key.
 */
class ContextBindingTest {
    private final List<AutoCloseable> transforms = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable t : transforms) {
            t.close();
        }
    }

    private EncryptPayload<SourceRecord> writer(String context) {
        EncryptPayload<SourceRecord> t = new EncryptPayload<>();
        t.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "envelope.context", context));
        transforms.add(t);
        return t;
    }

    private DecryptPayload<SourceRecord> reader(String context) {
        DecryptPayload<SourceRecord> t = new DecryptPayload<>();
        t.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "envelope.context", context));
        transforms.add(t);
        return t;
    }

    private static SourceRecord on(String topic, SourceRecord r) {
        return r.newRecord(topic, r.kafkaPartition(), r.keySchema(), r.key(), r.valueSchema(), r.value(), r.timestamp());
    }

    private static SourceRecord line(long n) {
        return RoundTripTest.record(Schema.STRING_SCHEMA, "card 4111111111111111 #" + n, n);
    }

    @Test
    void anEnvelopeBoundToItsTopicDecryptsThereAndNowhereElse() {
        SourceRecord encrypted = writer("topic").apply(line(1));
        assertThat(((Struct) encrypted.value()).getString(EnvelopeSchema.CONTEXT)).isEqualTo("payments");
        DecryptPayload<SourceRecord> sink = reader("topic");

        assertThat(sink.apply(encrypted).value()).isEqualTo("card 4111111111111111 #1");
        assertThatThrownBy(() -> sink.apply(on("payments-copy", encrypted)))
                .isInstanceOf(EnvelopeAuthenticationException.class)
                .hasMessageContaining("bound to the context 'payments'").hasMessageContaining("accepts only 'payments-copy'")
                .hasMessageNotContaining("4111");
        assertThat(sink.unwraps()).as("the copy is refused before its data key is unwrapped").isEqualTo(1);
    }

    @Test
    void rewritingTheContextToMatchTheReaderFailsAuthentication() {
        SourceRecord encrypted = writer("topic").apply(line(2));
        Struct envelope = (Struct) encrypted.value();
        Struct moved = new Struct(envelope.schema());
        envelope.schema().fields().forEach(f -> moved.put(f, envelope.get(f)));
        moved.put(EnvelopeSchema.CONTEXT, "payments-copy");
        SourceRecord copied = encrypted.newRecord("payments-copy", encrypted.kafkaPartition(), encrypted.keySchema(),
                encrypted.key(), encrypted.valueSchema(), moved, encrypted.timestamp());
        assertThatThrownBy(() -> reader("topic").apply(copied)).isInstanceOf(EnvelopeAuthenticationException.class)
                .hasMessageContaining("failed authentication");
    }

    @Test
    void aStaticContextSurvivesRenamedTopicsAndUnboundEnvelopesAreRefusedByBoundReaders() {
        SourceRecord encrypted = writer("static:payments-prod").apply(line(3));
        assertThat(reader("static:payments-prod").apply(on("eu.payments", encrypted)).value())
                .as("mirrored under another name").isEqualTo("card 4111111111111111 #3");
        assertThatThrownBy(() -> reader("static:payments-test").apply(encrypted))
                .isInstanceOf(EnvelopeAuthenticationException.class);

        SourceRecord unbound = writer("none").apply(line(4));
        assertThat(((Struct) unbound.value()).getString(EnvelopeSchema.CONTEXT)).isNull();
        assertThatThrownBy(() -> reader("topic").apply(unbound)).isInstanceOf(EnvelopeAuthenticationException.class)
                .hasMessageContaining("bound to no context");
        assertThat(reader("none").apply(encrypted).value()).as("a reader without a context accepts any")
                .isEqualTo("card 4111111111111111 #3");
    }

    @Test
    void invalidSettingsAreRefusedAtConfiguration() {
        for (String bad : List.of("topics", "static:", "static:" + "x".repeat(256), "static:a\nb")) {
            assertThatThrownBy(() -> writer(bad)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("envelope.context");
            assertThatThrownBy(() -> reader(bad)).as(bad).isInstanceOf(ConfigException.class);
        }
    }
}
