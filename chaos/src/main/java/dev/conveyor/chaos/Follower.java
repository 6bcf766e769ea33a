package dev.conveyor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TanStack-style client of one project: a cache of the project's status counts, gallery size and shots'
 * unpositioned counts, filled over REST and refetched only when the gateway invalidates a key (or resets the channel).
 * When its connection drops it reconnects — to the other gateway replica — and resumes from its last position. Nothing
 * else refreshes the cache, so a lost invalidation leaves it stale, which the end check sees.
 */
final class Follower implements AutoCloseable {
    private static final HttpClient WS = HttpClient.newHttpClient();

    private final Tenants.Project project;
    private final String token;
    private final List<String> gateways;
    private final Rest taskApi;
    private final Rest generations;
    private final ExecutorService refetcher;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private volatile String position;
    private volatile WebSocket socket;
    private volatile boolean closed;
    private int gatewayIndex;

    final AtomicInteger connects = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();
    final AtomicInteger resets = new AtomicInteger();
    final AtomicInteger invalidations = new AtomicInteger();

    private volatile Map<String, Long> counts = Map.of();
    private volatile long generationCount;
    private final Map<UUID, Long> unpositioned = new ConcurrentHashMap<>();

    Follower(Tenants.Project project, String token, List<String> gateways, int first, Rest taskApi, Rest generations) {
        this.project = project;
        this.token = token;
        this.gateways = gateways;
        this.gatewayIndex = first;
        this.taskApi = taskApi;
        this.generations = generations;
        this.refetcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "follower-" + project.id());
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        connect();
    }

    ProjectView cached() {
        return new ProjectView(counts, generationCount, new HashMap<>(unpositioned));
    }

    /** True when no refetch is pending or running. */
    boolean settled() throws Exception {
        return dirty.isEmpty() && refetcher.submit(() -> dirty.isEmpty()).get(60, TimeUnit.SECONDS);
    }

    /** The project as the services answer it now (the truth the caches are compared with). */
    static ProjectView read(Tenants.Project project, String token, Rest taskApi, Rest generations) {
        JsonNode c = taskApi.get("/v1/projects/" + project.id() + "/task-status-counts", token);
        Map<String, Long> counts = new HashMap<>();
        c.fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
        long gens = generations
                .get("/v1/projects/" + project.id() + "/generations?limit=1", token)
                .get("total")
                .asLong();
        Map<UUID, Long> unpositioned = new HashMap<>();
        for (UUID shot : project.shots()) {
            unpositioned.put(
                    shot,
                    generations
                            .get("/v1/shots/" + shot + "/unpositioned-count", token)
                            .get("count")
                            .asLong());
        }
        return new ProjectView(counts, gens, unpositioned);
    }

    private void connect() {
        if (closed) {
            return;
        }
        String gw = gateways.get(gatewayIndex % gateways.size());
        URI uri = URI.create(gw.replaceFirst("^http", "ws") + "/v1/realtime?access_token=" + token);
        WS.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(3))
                .buildAsync(uri, new Listener())
                .whenComplete((ws, e) -> {
                    if (e != null) {
                        reconnectLater();
                    } else {
                        connects.incrementAndGet();
                        String since = position;
                        String frame = since == null
                                ? "{\"type\":\"subscribe\",\"channel\":\"project:" + project.id() + "\"}"
                                : "{\"type\":\"subscribe\",\"channel\":\"project:" + project.id() + "\",\"since\":\""
                                        + since + "\"}";
                        ws.sendText(frame, true);
                    }
                });
    }

    /** Gives up the current connection (once, whoever notices first) and reconnects to the next replica. */
    private synchronized void drop(WebSocket ws) {
        if (ws == null || ws != socket) {
            return;
        }
        socket = null;
        ws.abort();
        reconnectLater();
    }

    private void reconnectLater() {
        if (closed) {
            return;
        }
        gatewayIndex++;
        CompletionStageDelay.after(500, this::connect);
    }

    private void onFrame(JsonNode f) {
        String type = f.path("type").asText();
        switch (type) {
            case "subscribed" -> {
                position = f.path("position").asText(null);
                if (f.path("recovered").asBoolean()) {
                    resumes.incrementAndGet();
                } else {
                    // a fresh subscribe (or after a reset): the cache may be anything, read it all
                    markAll();
                }
            }
            case "invalidate" -> {
                invalidations.incrementAndGet();
                for (JsonNode key : f.path("keys")) {
                    mark(key);
                }
                position = f.path("position").asText(position);
            }
            case "reset" -> {
                resets.incrementAndGet();
                markAll();
                position = f.path("position").asText(position);
            }
            case "error" -> {
                // "unavailable" right after a gateway restart: subscribe again shortly
                if ("unavailable".equals(f.path("code").asText())
                        || "forbidden".equals(f.path("code").asText())) {
                    drop(socket);
                }
            }
            default -> {}
        }
    }

    private void mark(JsonNode key) {
        String head = key.path(0).asText();
        switch (head) {
            case "task-status-counts" -> touch("counts");
            case "unified-generations" -> touch("generations");
            case "unpositioned-count" -> touch("unpositioned");
            default -> {}
        }
    }

    private void markAll() {
        touch("counts");
        touch("generations");
        touch("unpositioned");
    }

    private void touch(String what) {
        if (!closed && dirty.add(what)) {
            try {
                refetcher.execute(() -> refetch(what));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the run is over
            }
        }
    }

    private void refetch(String what) {
        dirty.remove(what);
        try {
            switch (what) {
                case "counts" -> {
                    JsonNode c = taskApi.get("/v1/projects/" + project.id() + "/task-status-counts", token);
                    Map<String, Long> m = new HashMap<>();
                    c.fields()
                            .forEachRemaining(
                                    e -> m.put(e.getKey(), e.getValue().asLong()));
                    counts = m;
                }
                case "generations" ->
                    generationCount = generations
                            .get("/v1/projects/" + project.id() + "/generations?limit=1", token)
                            .get("total")
                            .asLong();
                case "unpositioned" -> {
                    for (UUID shot : project.shots()) {
                        unpositioned.put(
                                shot,
                                generations
                                        .get("/v1/shots/" + shot + "/unpositioned-count", token)
                                        .get("count")
                                        .asLong());
                    }
                }
                default -> {}
            }
        } catch (RuntimeException e) {
            // the service is down for longer than the client's patience: refetch again, as a query retries
            touch(what);
        }
    }

    @Override
    public void close() {
        closed = true;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        refetcher.shutdownNow();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket ws) {
            socket = ws;
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    onFrame(Json.MAPPER.readTree(partial.toString()));
                } catch (IOException e) {
                    // not JSON: ignored, as a browser client would
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            drop(ws);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            drop(ws);
        }
    }
}
