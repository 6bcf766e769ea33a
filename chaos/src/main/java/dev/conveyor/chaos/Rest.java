package dev.conveyor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client of one service kind with several replicas, as a load balancer would spread it: requests go round-robin over
 * the replicas, and a request that finds a replica dead (connection refused, timeout, 5xx) is sent again to the next
 * one until {@code patience} runs out. Callers make their requests safe to repeat (idempotency keys, or calls whose
 * repeat answers a known conflict they accept).
 */
final class Rest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Answer(int status, JsonNode body) {}

    private final List<String> baseUrls;
    private final AtomicInteger next = new AtomicInteger();
    private final Duration patience;

    Rest(List<String> baseUrls, Duration patience) {
        this.baseUrls = List.copyOf(baseUrls);
        this.patience = patience;
    }

    /** Sends until a replica answers one of {@code accepted}; any other 4xx fails at once (the request is wrong). */
    Answer send(String method, String path, String token, Object body, Set<Integer> accepted) {
        Instant deadline = Instant.now().plus(patience);
        String last = "no attempt";
        long backoff = 100;
        while (true) {
            String base = baseUrls.get(Math.floorMod(next.getAndIncrement(), baseUrls.size()));
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "application/json");
                if (body != null) {
                    b.header("Content-Type", "application/json")
                            .method(
                                    method,
                                    HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
                } else {
                    b.method(method, HttpRequest.BodyPublishers.noBody());
                }
                HttpResponse<byte[]> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                JsonNode json = r.body().length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(r.body());
                if (accepted.contains(r.statusCode())) {
                    return new Answer(r.statusCode(), json);
                }
                last = method + " " + base + path + " -> " + r.statusCode() + " " + json;
                if (r.statusCode() < 500) {
                    throw new IllegalStateException(last);
                }
            } catch (IOException e) {
                last = method + " " + base + path + ": " + e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: " + method + " " + path, e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no replica answered within " + patience.toSeconds() + " s: " + last);
            }
            sleep(backoff);
            backoff = Math.min(1000, backoff * 2);
        }
    }

    JsonNode get(String path, String token) {
        return send("GET", path, token, null, Set.of(200)).body();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
