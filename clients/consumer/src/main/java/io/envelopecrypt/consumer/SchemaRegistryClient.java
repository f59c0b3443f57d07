package io.envelopecrypt.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.avro.Schema;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The two calls of the Confluent Schema Registry REST API that reading and rewriting envelopes need:
 * look up a schema by id, register a schema under a subject. Works with Confluent Schema Registry and with
 * Apicurio Registry's Confluent-compatible API ({@code .../apis/ccompat/v7}). Schemas are cached by id.
 *
 * <p>Confluent's own client is not on Maven Central, and these two calls are all we need.
 */
public final class SchemaRegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final String baseUrl;
    /** The URL for messages: without any user:password a user may have put into it. */
    private final String shownUrl;
    private final String authorization;
    private final HttpClient http;
    private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();
    /** Ids by subject and schema: a schema's JSON is only written when it is first registered. */
    private final Map<String, Map<Schema, Integer>> registered = new ConcurrentHashMap<>();

    /** @param baseUrl for example {@code http://registry:8081} or {@code http://apicurio:8080/apis/ccompat/v7} */
    public SchemaRegistryClient(String baseUrl) {
        this(baseUrl, null);
    }

    /** @param basicAuthUserInfo {@code user:password} for HTTP basic authentication, or null */
    public SchemaRegistryClient(String baseUrl, String basicAuthUserInfo) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.shownUrl = this.baseUrl.replaceFirst("//[^/@]*@", "//");
        this.authorization = basicAuthUserInfo == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The Avro schema registered under {@code id}. */
    public Schema schemaById(int id) {
        return byId.computeIfAbsent(id, i -> {
            JsonNode body = call(request("/schemas/ids/" + i).GET(), "schema id " + i);
            return new Schema.Parser().parse(body.path("schema").asText());
        });
    }

    /** Registers {@code schema} under {@code subject} (or finds it registered) and returns its id. */
    public int register(String subject, Schema schema) {
        return registered.computeIfAbsent(subject, k -> new ConcurrentHashMap<>()).computeIfAbsent(schema, k -> {
            String body;
            try {
                body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            JsonNode answer = call(request("/subjects/" + subject + "/versions")
                    .header("Content-Type", CONTENT_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofString(body)), "subject " + subject);
            int id = answer.path("id").asInt(-1);
            if (id < 0) {
                throw new SchemaRegistryException("The registry at " + shownUrl + " registered the schema under subject "
                        + subject + " but returned no id");
            }
            byId.putIfAbsent(id, schema);
            return id;
        });
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", CONTENT_TYPE + ", application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }

    private JsonNode call(HttpRequest.Builder request, String what) {
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryException("The schema registry at " + shownUrl + " is unreachable (" + what + "): "
                    + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted while calling the schema registry", e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new SchemaRegistryException("The schema registry at " + shownUrl + " answered HTTP "
                    + response.statusCode() + " for " + what);
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new SchemaRegistryException("The schema registry at " + shownUrl + " sent a body that is not JSON for " + what, e);
        }
    }

    /** The registry could not be reached or refused a request. */
    public static final class SchemaRegistryException extends RuntimeException {
        public SchemaRegistryException(String message) {
            super(message);
        }

        public SchemaRegistryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
