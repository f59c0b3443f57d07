package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.envelope.RegisteredSchemas;
import io.envelopecrypt.connect.registry.SchemaRegistryClient;
import io.envelopecrypt.connect.registry.SchemaRegistryException;

import org.apache.kafka.common.cache.Cache;
import org.apache.kafka.common.cache.LRUCache;
import org.apache.kafka.common.cache.SynchronizedCache;

import java.time.Clock;

/**
 * The decrypting side's registry lookups: schema ids the registry answered 404 for are refused without another call
 * for a minute. An id comes from an envelope (authenticated, so from a holder of a data key), and a stream of
 * envelopes naming ids the registry does not have (another registry's, or deleted schemas) would otherwise cost one
 * registry call per record. Found schemas are cached by the codec cache behind the opener, not here.
 */
final class RegistryLookups implements RegisteredSchemas {
    static final long MISSING_TTL_MS = 60_000;
    private static final int MAX_REMEMBERED = 1000;

    private final SchemaRegistryClient registry;
    private final Clock clock;
    private final Cache<Integer, Long> missingSince = new SynchronizedCache<>(new LRUCache<>(MAX_REMEMBERED));

    RegistryLookups(SchemaRegistryClient registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public String schemaText(int id) {
        long now = clock.millis();
        Long since = missingSince.get(id);
        if (since != null && now - since < MISSING_TTL_MS) {
            throw new SchemaRegistryException("The schema registry at " + registry.shownUrl() + " has no schema with id "
                    + id + " (it answered HTTP 404 less than a minute ago; not asked again until then)", 404);
        }
        try {
            return registry.schemaText(id);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                missingSince.put(id, now);
            }
            throw e;
        }
    }
}
