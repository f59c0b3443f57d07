package io.envelopecrypt.connect.testing;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The generator produces what the property tests claim to cover, including the shapes users hit. */
class RandomConnectDataTest {

    @Test
    void theGeneratorCoversDefaultsOfEveryKindAndEveryTopLevelType() {
        Map<Schema.Type, Integer> topLevel = new EnumMap<>(Schema.Type.class);
        int[] found = new int[4];
        for (long seed = 0; seed < 3_000; seed++) {
            Schema s = new RandomConnectData(seed).valueSchema();
            topLevel.merge(s.type(), 1, Integer::sum);
            count(s, found);
        }
        assertThat(found[0]).as("Struct schemas with a Struct default").isGreaterThan(20);
        assertThat(found[1]).as("array or map defaults holding bytes or Structs").isGreaterThan(5);
        assertThat(found[2]).as("decimals with a precision parameter").isGreaterThan(20);
        assertThat(found[3]).as("schemas with any default").isGreaterThan(100);
        for (Schema.Type t : Schema.Type.values()) {
            assertThat(topLevel.getOrDefault(t, 0)).as("top-level " + t).isGreaterThan(5);
        }
    }

    private static void count(Schema s, int[] found) {
        if (s.defaultValue() != null) {
            found[3]++;
            if (s.type() == Schema.Type.STRUCT) {
                found[0]++;
            }
            if ((s.type() == Schema.Type.ARRAY || s.type() == Schema.Type.MAP) && holdsBytesOrStructs(s)) {
                found[1]++;
            }
        }
        if (Decimal.LOGICAL_NAME.equals(s.name()) && s.parameters().containsKey("connect.decimal.precision")) {
            found[2]++;
        }
        switch (s.type()) {
            case STRUCT -> {
                for (Field f : s.fields()) {
                    count(f.schema(), found);
                }
            }
            case ARRAY -> count(s.valueSchema(), found);
            case MAP -> {
                count(s.keySchema(), found);
                count(s.valueSchema(), found);
            }
            default -> { }
        }
    }

    private static boolean holdsBytesOrStructs(Schema s) {
        return switch (s.type()) {
            case BYTES, STRUCT -> true;
            case ARRAY -> holdsBytesOrStructs(s.valueSchema());
            case MAP -> holdsBytesOrStructs(s.keySchema()) || holdsBytesOrStructs(s.valueSchema());
            default -> false;
        };
    }
}
