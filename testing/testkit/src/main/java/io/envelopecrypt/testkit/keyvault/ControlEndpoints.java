package io.envelopecrypt.testkit.keyvault;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.envelopecrypt.testkit.keyvault.Exchanges.JSON;
import static io.envelopecrypt.testkit.keyvault.Exchanges.error;
import static io.envelopecrypt.testkit.keyvault.Exchanges.send;

/** The emulators' controls over HTTP, on both listeners: {@code /_emulator/faults}, {@code /permissions}, {@code /clock}. */
final class ControlEndpoints {
    private final TenantState state;
    private final Faults faults;

    ControlEndpoints(TenantState state, Faults faults) {
        this.state = state;
        this.faults = faults;
    }

    void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        JsonNode req = Exchanges.jsonBody(ex);
        switch (path) {
            case "/_emulator/faults" -> {
                if (req.has("throttleNextRequests")) {
                    faults.throttleNext(req.get("throttleNextRequests").asInt());
                }
                if (req.has("rejectNextRequests")) {
                    faults.rejectNext(req.get("rejectNextRequests").asInt());
                }
                if (req.has("unavailable")) {
                    faults.setUnavailable(req.get("unavailable").asBoolean());
                }
                send(ex, 200, JSON.createObjectNode().put("throttleNextRequests", faults.pendingThrottles())
                        .put("rejectNextRequests", faults.pendingRejections()));
            }
            case "/_emulator/permissions" -> {
                Map<String, List<String>> map = new HashMap<>();
                req.fields().forEachRemaining(e -> {
                    List<String> ops = new ArrayList<>();
                    e.getValue().forEach(n -> ops.add(n.asText()));
                    map.put(e.getKey(), ops);
                });
                state.setPermissions(map);
                send(ex, 200, req);
            }
            case "/_emulator/clock" -> {
                if (req.has("advance")) {
                    state.advanceClock(req.get("advance").asLong());
                }
                if (req.has("offset")) {
                    state.setClockOffset(req.get("offset").asLong());
                }
                send(ex, 200, JSON.createObjectNode().put("offset", state.clockOffset()).put("now", state.now()));
            }
            default -> error(ex, 404, "NotFound", "No such control: " + path);
        }
    }
}
