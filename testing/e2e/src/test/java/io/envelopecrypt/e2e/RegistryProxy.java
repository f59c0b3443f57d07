package io.envelopecrypt.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * An HTTP proxy in front of the real registry's Confluent-compatible API, for what Apicurio cannot be made to do on
 * demand: be down for a while (the port refuses connections, then serves again on the same port), or serve an altered
 * schema under an id, as a compromised registry or storage would. Everything else is passed through unchanged.
 */
final class RegistryProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String target;
    private final int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile UnaryOperator<String> schemaTampering;
    private HttpServer server;

    /** @param target the registry's ccompat base URL, e.g. {@code http://127.0.0.1:8080/apis/ccompat/v7} */
    RegistryProxy(String target) {
        this.target = target;
        this.port = io.envelopecrypt.harness.Ports.free();
        up();
    }

    /** The proxy's base URL, with the same path as the target's. */
    String url() {
        return "http://127.0.0.1:" + port + URI.create(target).getPath();
    }

    int requests() {
        return requests.get();
    }

    /** Stops listening: connections are refused until {@link #up()}. */
    synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    synchronized void up() {
        if (server != null) {
            return;
        }
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + port + " again", e);
        }
        server.createContext("/", this::forward);
        server.start();
    }

    /** Rewrites every schema served by id (null: serve them unchanged). */
    void tamperSchemas(UnaryOperator<String> rewrite) {
        schemaTampering = rewrite;
    }

    private void forward(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath().substring(URI.create(target).getPath().length());
            String query = exchange.getRequestURI().getRawQuery();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + path + (query == null ? "" : "?" + query)))
                    .timeout(Duration.ofSeconds(30));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            request.method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            byte[] answer = response.body();
            UnaryOperator<String> tampering = schemaTampering;
            if (tampering != null && path.startsWith("/schemas/ids/") && response.statusCode() == 200) {
                ObjectNode json = (ObjectNode) JSON.readTree(answer);
                json.put("schema", tampering.apply(json.get("schema").asText()));
                answer = JSON.writeValueAsBytes(json);
            }
            response.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    @Override
    public void close() {
        down();
    }
}
