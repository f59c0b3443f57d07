package io.envelopecrypt.connect.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.SSLContext;

/**
 * The three calls of the Confluent Schema Registry REST API that payload schemas need: register a schema under a
 * subject, look one up (when auto-registration is off), and fetch a schema by id. It works with Confluent Schema
 * Registry and with Apicurio Registry's Confluent-compatible API ({@code .../apis/ccompat/v7}). Written here
 * because Confluent's client is not on Maven Central; it speaks only what these calls need.
 *
 * <p>Failures: {@link SchemaRegistryUnavailableException} (retriable) when no URL answers or the registry is
 * overloaded, {@link SchemaRegistryException} when it refuses. Messages name the registry (without any user
 * information in its URL), the subject or id and the status, never credentials or schemas. Answers are read up to
 * {@link #MAX_ANSWER_BYTES}: a registry cannot make a reader buffer more.
 *
 * <p>Thread-safe; it caches nothing (its callers cache what they derive from the answers).
 */
public final class SchemaRegistryClient {
    /** Larger answers are refused: a payload schema is at most 16 MiB of JSON, escaped once more inside the answer. */
    public static final int MAX_ANSWER_BYTES = 40 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

    private final List<String> baseUrls;
    private final String authorization;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * @param baseUrls      tried in order until one answers, e.g. {@code http://registry:8081} or
     *                      {@code http://apicurio:8080/apis/ccompat/v7}
     * @param authorization the {@code Authorization} header's value (basic or bearer), or null
     * @param ssl           the TLS context for https URLs (null: the JVM's default trust)
     */
    public SchemaRegistryClient(List<String> baseUrls, String authorization, SSLContext ssl, Duration requestTimeout) {
        if (baseUrls.isEmpty()) {
            throw new IllegalArgumentException("no schema registry URL");
        }
        // Credentials in a URL are taken out by the caller (basic.auth.credentials.source=URL) and never travel in a
        // request URI, where an exception message could quote them.
        this.baseUrls = baseUrls.stream().map(SchemaRegistryClient::shown)
                .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
        this.authorization = authorization;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
    }

    /** The first registry URL (without any {@code user:password@} it held): fit for messages and logs. */
    public String shownUrl() {
        return baseUrls.get(0);
    }

    private static String shown(String url) {
        return url.replaceFirst("//[^/@]*@", "//");
    }

    /** Registers {@code schemaJson} (Avro) under {@code subject}, or finds it registered there, and returns its id. */
    public int register(String subject, String schemaJson) {
        JsonNode answer = call("/subjects/" + encode(subject) + "/versions", body(schemaJson), "registering under subject "
                + quoted(subject));
        return id(answer, "subject " + quoted(subject));
    }

    /** The id of {@code schemaJson} (Avro) if it is registered under {@code subject}; a 404 names the subject. */
    public int lookup(String subject, String schemaJson) {
        JsonNode answer = call("/subjects/" + encode(subject), body(schemaJson), "looking up the schema under subject "
                + quoted(subject));
        return id(answer, "subject " + quoted(subject));
    }

    /** The schema registered under {@code id}, exactly as the registry serves it. */
    public String schemaText(int id) {
        JsonNode schema = call("/schemas/ids/" + id, null, "fetching schema id " + id).get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new SchemaRegistryException("The schema registry at " + shownUrl() + " answered schema id " + id
                    + " without a schema", -1);
        }
        return schema.textValue();
    }

    private int id(JsonNode answer, String what) {
        JsonNode id = answer.get("id");
        if (id == null || !id.canConvertToInt() || id.intValue() < 0) {
            throw new SchemaRegistryException("The schema registry at " + shownUrl() + " answered for " + what
                    + " without a schema id", -1);
        }
        return id.intValue();
    }

    private static String body(String schemaJson) {
        try {
            return JSON.writeValueAsString(Map.of("schemaType", "AVRO", "schema", schemaJson));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String quoted(String text) {
        return io.envelopecrypt.connect.RecordText.quoted(text);
    }

    private JsonNode call(String path, String postBody, String what) {
        String unreachable = null;
        for (String base : baseUrls) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout)
                    .header("Accept", CONTENT_TYPE + ", application/json");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            if (postBody != null) {
                request.header("Content-Type", CONTENT_TYPE).POST(HttpRequest.BodyPublishers.ofString(postBody));
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                unreachable = "The schema registry at " + base + " is unreachable (" + what + "): "
                        + e.getClass().getSimpleName();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryUnavailableException("Interrupted while " + what + " at the schema registry");
            }
            return answer(base, response, what);
        }
        throw new SchemaRegistryUnavailableException(unreachable);
    }

    private JsonNode answer(String base, HttpResponse<InputStream> response, String what) {
        int status = response.statusCode();
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_ANSWER_BYTES + 1);
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("The schema registry at " + base + " broke off its answer ("
                    + what + ")");
        }
        if (status >= 500 || status == 408 || status == 429) {
            throw new SchemaRegistryUnavailableException("The schema registry at " + base + " answered HTTP " + status
                    + " (" + what + ")");
        }
        if (status / 100 != 2) {
            throw new SchemaRegistryException("The schema registry at " + base + " refused " + what + ": HTTP " + status
                    + errorCode(body) + explanation(status), status);
        }
        if (body.length > MAX_ANSWER_BYTES) {
            throw new SchemaRegistryException("The schema registry at " + base + " answered more than "
                    + MAX_ANSWER_BYTES + " bytes (" + what + ")", -1);
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new SchemaRegistryException("The schema registry at " + base + " answered something that is not JSON ("
                    + what + ")", -1);
        }
    }

    /** Confluent's {@code error_code} (e.g. 40401 subject not found, 40403 schema not found), if the answer has one. */
    private static String errorCode(byte[] body) {
        try {
            JsonNode code = JSON.readTree(body).get("error_code");
            return code != null && code.canConvertToInt() ? " (error_code " + code.intValue() + ")" : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String explanation(int status) {
        return switch (status) {
            case 401, 403 -> ": check basic.auth.credentials.source, basic.auth.user.info and bearer.auth.token";
            case 404 -> ": no such subject, schema or id in this registry";
            case 409 -> ": the schema is incompatible with the subject's compatibility setting; change the schema or the "
                    + "subject's compatibility";
            case 422 -> ": the registry considers the schema invalid";
            default -> "";
        };
    }
}
