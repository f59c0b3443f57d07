package io.envelopecrypt.connect.transforms;

import io.envelopecrypt.connect.testing.MutableClock;
import io.envelopecrypt.connect.testing.TestKeys;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DataKeyRotationTest {

    private static String wrappedKeyOf(SourceRecord encrypted) {
        return java.util.Base64.getEncoder().encodeToString(((Struct) encrypted.value()).getBytes("wrappedDataKey"));
    }

    @Test
    void aNewDataKeyAfterMaxRecords() {
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>(new MutableClock(0));
        encrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.max.records", "10"));
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 35; i++) {
            keys.add(wrappedKeyOf(encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "v" + i, i))));
        }
        assertThat(keys).hasSize(4);
        assertThat(encrypt.dataKeysCreated()).isEqualTo(4);
        encrypt.close();
    }

    @Test
    void aNewDataKeyAfterMaxAge() {
        MutableClock clock = new MutableClock(1_000_000);
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>(clock);
        encrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.max.age.ms", "60000"));
        String first = wrappedKeyOf(encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "a", 1)));
        clock.advance(59_999);
        assertThat(wrappedKeyOf(encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "b", 2)))).isEqualTo(first);
        clock.advance(1);
        String second = wrappedKeyOf(encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "c", 3)));
        assertThat(second).isNotEqualTo(first);
        assertThat(encrypt.dataKeysCreated()).isEqualTo(2);
        encrypt.close();
    }

    @Test
    void defaultsMakeOneDataKeyPerMillionRecords() {
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>(new MutableClock(0));
        encrypt.configure(TestKeys.localConfig());
        SourceRecord r = RoundTripTest.record(Schema.STRING_SCHEMA, "x", 1);
        for (int i = 0; i < 1_000_001; i++) {
            encrypt.apply(r);
        }
        assertThat(encrypt.dataKeysCreated()).isEqualTo(2);
        encrypt.close();
    }

    @Test
    void decryptingUnwrapsEachDistinctDataKeyOnce() {
        MutableClock clock = new MutableClock(0);
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>(clock);
        DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>(clock);
        encrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.max.records", "100"));
        decrypt.configure(TestKeys.localConfig());
        for (int i = 0; i < 1_000; i++) {
            decrypt.apply(encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "v" + i, i)));
        }
        assertThat(encrypt.dataKeysCreated()).isEqualTo(10);
        assertThat(decrypt.unwraps()).isEqualTo(10);
        encrypt.close();
        decrypt.close();
    }

    @Test
    void theDecryptCacheIsBoundedAndExpires() {
        MutableClock clock = new MutableClock(0);
        EncryptPayload<SourceRecord> encrypt = new EncryptPayload<>(clock);
        DecryptPayload<SourceRecord> decrypt = new DecryptPayload<>(clock);
        encrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.max.records", "1"));
        decrypt.configure(TestKeys.localConfig(TestKeys.LOCAL_KEY, "dek.cache.max.entries", "2", "dek.cache.ttl.ms", "10000"));
        SourceRecord a = encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "a", 1));
        SourceRecord b = encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "b", 2));
        SourceRecord c = encrypt.apply(RoundTripTest.record(Schema.STRING_SCHEMA, "c", 3));
        decrypt.apply(a);
        decrypt.apply(b);
        decrypt.apply(a);
        assertThat(decrypt.unwraps()).isEqualTo(2);
        decrypt.apply(c); // evicts b, the least recently used
        decrypt.apply(a);
        assertThat(decrypt.unwraps()).isEqualTo(3);
        decrypt.apply(b);
        assertThat(decrypt.unwraps()).isEqualTo(4);
        clock.advance(10_000);
        assertThat(decrypt.apply(b).value()).isEqualTo("b");
        assertThat(decrypt.unwraps()).isEqualTo(5);
        encrypt.close();
        decrypt.close();
    }
}
