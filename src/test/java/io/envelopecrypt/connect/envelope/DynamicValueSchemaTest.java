package io.envelopecrypt.connect.envelope;

import io.envelopecrypt.connect.payload.PayloadCodec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * docs/dynamic-value.avsc is the schema of schemaless plaintexts that readers outside Connect decode with
 * (docs/envelope-spec.md section 5); it must be the one in use. The envelopes themselves are pinned by the
 * test vectors (consumer module, TestVectorsTest). Regenerate only deliberately: {@code -Dvector.update=true}.
 */
class DynamicValueSchemaTest {
    private static final Path DYNAMIC_VALUE = Path.of("docs", "dynamic-value.avsc");

    @Test
    void theDocumentedSchemalessSchemaIsTheOneInUse() throws IOException {
        if (Boolean.getBoolean("vector.update")) {
            Files.writeString(DYNAMIC_VALUE, PayloadCodec.schemalessAvroSchema().toString(true) + "\n");
            fail("Regenerated docs/dynamic-value.avsc: review the diff, then run again without -Dvector.update");
        }
        org.apache.avro.Schema documented = new org.apache.avro.Schema.Parser().parse(DYNAMIC_VALUE.toFile());
        assertThat(documented).isEqualTo(PayloadCodec.schemalessAvroSchema());
    }
}
