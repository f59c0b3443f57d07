package io.envelopecrypt.connect.kms.azure;

import io.envelopecrypt.connect.transforms.DecryptPayload;
import io.envelopecrypt.connect.transforms.EncryptPayload;

import org.apache.kafka.connect.source.SourceRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Transforms configured by a test and closed after it, so no Key Vault client outlives its test. */
final class OpenTransforms implements AutoCloseable {
    private final List<Runnable> open = new ArrayList<>();

    EncryptPayload<SourceRecord> encryptor(Map<String, Object> config) {
        EncryptPayload<SourceRecord> t = new EncryptPayload<>();
        t.configure(config);
        open.add(t::close);
        return t;
    }

    DecryptPayload<SourceRecord> decryptor(Map<String, Object> config) {
        DecryptPayload<SourceRecord> t = new DecryptPayload<>();
        t.configure(config);
        open.add(t::close);
        return t;
    }

    @Override
    public void close() {
        for (Runnable c : open) {
            c.run();
        }
        open.clear();
    }
}
