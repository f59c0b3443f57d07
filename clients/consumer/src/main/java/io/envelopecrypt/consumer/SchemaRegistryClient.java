package io.envelopecrypt.consumer;

import io.envelopecrypt.connect.registry.SchemaRegistrySettings;

import org.apache.avro.Schema;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Envelope schemas (the Avro records an AvroConverter wrote) from a Confluent-compatible schema registry: Confluent
 * Schema Registry, or Apicurio Registry's {@code .../apis/ccompat/v7}. Schemas are cached by id and registrations by
 * subject. The HTTP calls, their limits and their errors are the plugin's own registry client (the one
 * {@code payload.schema.location=registry} uses): {@code SchemaRegistryUnavailableException} (retriable) when it
 * cannot be reached, {@code SchemaRegistryException} when it refuses.
 */
public final class SchemaRegistryClient {
    private final io.envelopecrypt.connect.registry.SchemaRegistryClient http;
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    /** Ids by subject and schema: a schema's JSON is only written when it is first registered. */
    private final Map<String, Map<Schema, Integer>> registered = new ConcurrentHashMap<>();

    /** @param baseUrl for example {@code http://registry:8081} or {@code http://apicurio:8080/apis/ccompat/v7} */
    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, null);
    }

    /** @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null */
    public SchemaRegistryClient(String baseUrl, String basicAuthUserInfo) {
        this(settings(baseUrl, basicAuthUserInfo));
    }

    /** Over the plugin's client, configured by the {@code schema.registry.*}, {@code basic.auth.*} settings. */
    public SchemaRegistryClient(io.envelopecrypt.connect.registry.SchemaRegistryClient http) {
        this.http = Objects.requireNonNull(http, "http");
    }

    private static io.envelopecrypt.connect.registry.SchemaRegistryClient settings(String baseUrl, String userInfo) {
        Map<String, Object> props = new HashMap<>();
        props.put(SchemaRegistrySettings.URL, List.of(Objects.requireNonNull(baseUrl, "baseUrl")));
        if (userInfo != null) {
            props.put(SchemaRegistrySettings.BASIC_AUTH_SOURCE, "USER_INFO");
            props.put(SchemaRegistrySettings.BASIC_AUTH_USER_INFO, userInfo);
        }
        return SchemaRegistrySettings.client(new AbstractConfig(SchemaRegistrySettings.addTo(new ConfigDef(), ""), props, false));
    }

    /** The Avro schema registered under {@code id}. */
    public Schema schemaById(int id) {
        return byId.computeIfAbsent(id, i -> new Schema.Parser().parse(http.schemaText(i)));
    }

    /** The schema text registered under {@code id}, exactly as the registry serves it (payload schemas are checked against its digest). */
    public String schemaText(int id) {
        return http.schemaText(id);
    }

    /** Registers {@code schema} under {@code subject} (or finds it registered) and returns its id. */
    public int register(String subject, Schema schema) {
        return registered.computeIfAbsent(subject, k -> new ConcurrentHashMap<>()).computeIfAbsent(schema, k -> {
            int id = http.register(subject, schema.toString());
            byId.putIfAbsent(id, schema);
            return id;
        });
    }
}
