package io.envelopecrypt.connect.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of the Confluent Schema Registry REST API that payload schemas use (register, look up, fetch by id), in
 * process, for unit tests of error paths that a real registry cannot be made to take on demand: an altered entry,
 * a refusal, an outage. The end-to-end suite runs against Apicurio Registry instead.
 */
public final class FakeSchemaRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final Map<Integer, String> byId = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Integer>> subjects = new ConcurrentHashMap<>();
    private final Set<String> incompatible = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextId = new AtomicInteger(100);
    private final AtomicInteger requests = new AtomicInteger();
    private volatile int forcedStatus;
    private volatile String requiredAuthorization;

    public FakeSchemaRegistry() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /** Every request answers {@code status} (0: normal service again). */
    public void answerAll(int status) {
        forcedStatus = status;
    }

    public void requireAuthorization(String header) {
        requiredAuthorization = header;
    }

    public void makeIncompatible(String subject) {
        incompatible.add(subject);
    }

    /** Replaces the schema served under {@code id}, as someone with write access to the registry's storage could. */
    public void tamper(int id, String schema) {
        byId.put(id, schema);
    }

    public Map<Integer, String> schemas() {
        return Map.copyOf(byId);
    }

    public List<String> subjects() {
        return new ArrayList<>(subjects.keySet());
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            if (forcedStatus != 0) {
                reply(exchange, forcedStatus, Map.of("error_code", forcedStatus * 100, "message", "forced"));
                return;
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                reply(exchange, 401, Map.of("error_code", 401, "message", "Unauthorized"));
                return;
            }
            String path = exchange.getRequestURI().getRawPath();
            String[] parts = path.split("/");
            if ("GET".equals(exchange.getRequestMethod()) && path.startsWith("/schemas/ids/")) {
                String schema = byId.get(Integer.parseInt(parts[3]));
                if (schema == null) {
                    reply(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
                } else {
                    reply(exchange, 200, Map.of("schema", schema));
                }
                return;
            }
            if ("POST".equals(exchange.getRequestMethod()) && path.startsWith("/subjects/")) {
                String subject = URLDecoder.decode(parts[2], StandardCharsets.UTF_8);
                JsonNode body = JSON.readTree(exchange.getRequestBody());
                // A registry stores the schema in its own canonical form: re-serialized, not byte for byte.
                String schema = JSON.writeValueAsString(JSON.readTree(body.get("schema").asText()));
                Map<String, Integer> versions = subjects.computeIfAbsent(subject, s -> new LinkedHashMap<>());
                boolean register = parts.length == 4 && "versions".equals(parts[3]);
                synchronized (versions) {
                    Integer id = versions.get(schema);
                    if (id == null && !register) {
                        reply(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
                        return;
                    }
                    if (id == null && incompatible.contains(subject)) {
                        reply(exchange, 409, Map.of("error_code", 409, "message", "Schema being registered is incompatible"));
                        return;
                    }
                    if (id == null) {
                        id = nextId.getAndIncrement();
                        byId.put(id, schema);
                        versions.put(schema, id);
                    }
                    reply(exchange, 200, Map.of("id", id));
                }
                return;
            }
            reply(exchange, 404, Map.of("error_code", 404, "message", "Not found"));
        }
    }

    private static void reply(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
