package io.envelopecrypt.connect.payload;

import io.envelopecrypt.connect.testing.RandomConnectData;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TrustedStructsTest {

    @Test
    void theDirectPathIsActiveOnTheKafkaVersionWeBuildAgainst() {
        assertThat(TrustedStructs.direct()).isTrue();
    }

    @Test
    void directAndValidatedFillingGiveEqualStructs() {
        for (long seed = 0; seed < 500; seed++) {
            RandomConnectData gen = new RandomConnectData(seed);
            Schema schema = gen.struct(0);
            Struct source = (Struct) gen.value(schema);
            if (source == null) {
                continue;
            }
            Struct direct = new Struct(schema);
            Struct validated = new Struct(schema);
            Object[] slots = TrustedStructs.slots(direct);
            for (Field f : schema.fields()) {
                Object v = source.getWithoutDefault(f.name());
                if (v != null) {
                    TrustedStructs.put(direct, slots, f, v);
                    TrustedStructs.put(validated, null, f, v);
                }
            }
            assertThat(direct).isEqualTo(validated).isEqualTo(source);
            assertThat(direct.hashCode()).isEqualTo(validated.hashCode());
            direct.validate();
        }
    }
}
