package dev.conveyor.gateway.bench;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.ProjectSnapshot;
import dev.conveyor.contracts.TaskSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The gateway benchmark driver (run by realtime-gateway/bench/run.sh, not a test). Phases:
 * 1. heap per idle connection: N authenticated connections, each subscribed to its user channel; heap after a full GC
 *    of the gateway process (jcmd GC.run, then jvm_memory_used_bytes{area="heap"} from /q/metrics), minus the heap
 *    with no connections, divided by N;
 * 2. fan-out to 1k subscribers of one project channel, alternating gateway and Node `ws` rounds: a burst of events as
 *    fast as they can be produced (frames/s received by all clients), then a paced run (100 events/s) for the
 *    event -> client latency (producer send -> frame received, same clock).
 */
public final class FanoutBench {
    private final Map<String, String> args;
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
            .setMaxConnections(1_000_000)
            .setConnectTimeout(30_000)
            .setTryUsePerFrameCompression(false));
    private final URI gateway;
    private final URI node;
    private final DevKeys keys;
    private final KafkaProducer<String, String> producer;

    /** Per-frame bookkeeping shared by all client sockets of a round. */
    private final Map<Long, Long> sentNanosBySeq = new ConcurrentHashMap<>();

    private final AtomicLong framesReceived = new AtomicLong();
    private volatile long lastFrameNanos;
    private long[] latencies = new long[4_000_000];
    private final AtomicInteger latencyCount = new AtomicInteger();
    private volatile boolean recordLatency;

    private FanoutBench(Map<String, String> args) {
        this.args = args;
        this.gateway = URI.create(args.get("gateway"));
        this.node = URI.create(args.get("node"));
        this.keys = DevKeys.in(Path.of(args.get("keys")));
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                args.get("kafka"),
                ProducerConfig.ACKS_CONFIG,
                "1",
                ProducerConfig.LINGER_MS_CONFIG,
                0,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        FanoutBench bench = new FanoutBench(args);
        try {
            bench.run();
        } finally {
            bench.producer.close();
            bench.vertx.close();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        StringBuilder report = new StringBuilder();
        report.append("Run ")
                .append(Instant.now())
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores; gateway packaged jar -Xmx1g SerialGC, coalesce window ")
                // run.sh passes the window it gave the gateway (GATEWAY_COALESCE_WINDOW) as --window
                .append(args.getOrDefault("window", "unknown (no --window)"))
                .append("; clients: one Vert.x JVM (2 event loops)\n\n");

        // ---- 1. heap per idle connection
        UUID heapUser = UUID.randomUUID();
        String heapToken = keys.token(heapUser, List.of("user"), Duration.ofHours(2));
        long base = heapAfterGc();
        report.append("| idle connections | gateway heap after full GC | heap per connection |\n|---|---|---|\n");
        report.append(String.format("| 0 | %.1f MiB | |%n", base / 1048576.0));
        List<WebSocket> idle = new ArrayList<>();
        for (String size : args.getOrDefault("sizes", "1000,5000,20000").split(",")) {
            int target = Integer.parseInt(size.trim());
            try {
                openUntil(idle, target, gateway, "/v1/realtime?access_token=" + heapToken, "user:" + heapUser);
            } catch (Exception e) {
                report.append(String.format(
                        "| %d | failed after %d connections: %s | |%n", target, idle.size(), e.getMessage()));
                System.out.println("heap phase stopped: " + e);
                break;
            }
            long heap = heapAfterGc();
            report.append(String.format(
                    "| %d%s | %.1f MiB | %.1f KiB |%n",
                    target,
                    stragglers.get() > 0 ? " (" + stragglers.get() + " not subscribed)" : "",
                    heap / 1048576.0,
                    (heap - base) / 1024.0 / target));
            System.out.println(report);
        }
        closeAll(idle);
        report.append('\n');

        // ---- 2. fan-out, gateway and node alternating (ROUNDS=0: heap only)
        if ("0".equals(args.getOrDefault("rounds", "3"))) {
            System.out.println(report);
            Files.writeString(Path.of(args.get("out")), report.toString());
            return;
        }
        UUID owner = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        EventEnvelope upsert = EventEnvelope.of(
                EventTypes.PROJECT_UPSERTED,
                "bench",
                project.toString(),
                project,
                owner,
                new ProjectSnapshot(project, owner, "bench", Instant.now()));
        producer.send(new ProducerRecord<>(Topics.PROJECTS, project.toString(), upsert.toJson()))
                .get();
        String ownerToken = keys.token(owner, List.of("user"), Duration.ofHours(2));
        int subscribers = Integer.parseInt(args.getOrDefault("subscribers", "1000"));
        int burst = Integer.parseInt(args.getOrDefault("burst", "2000"));
        int paced = Integer.parseInt(args.getOrDefault("paced", "400"));
        int rounds = Integer.parseInt(args.getOrDefault("rounds", "3"));
        List<double[]> gw = new ArrayList<>();
        List<double[]> nd = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            gw.add(fanout(
                    "gateway",
                    subscribers,
                    burst,
                    paced,
                    () -> openGateway(subscribers, ownerToken, project),
                    (seq, frame) -> sendEvent(project, owner)));
            nd.add(fanout(
                    "node",
                    subscribers,
                    burst,
                    paced,
                    () -> openNode(subscribers),
                    (seq, frame) -> publishNode(seq, frame)));
        }
        report.append(String.format(
                "Fan-out: %d subscribers of one channel; burst of %d events; paced %d events at %s/s; medians of %d rounds%n%n",
                subscribers, burst, paced, args.getOrDefault("rate", "20"), rounds));
        report.append(
                "| server | burst frames/s received | burst events/s | latency p50 | latency p99 |\n|---|---|---|---|---|\n");
        report.append(row("Conveyor gateway (Kafka -> WebSocket)", gw));
        report.append(row("Node `ws` broadcast (publisher -> WebSocket)", nd));
        double ratio = median(gw, 0) / median(nd, 0);
        report.append(String.format("%nGateway / Node frames per second: %.2fx%n", ratio));
        System.out.println(report);
        Files.writeString(Path.of(args.get("out")), report.toString());
    }

    private static String row(String name, List<double[]> runs) {
        return String.format(
                "| %s | %,.0f | %,.0f | %.1f ms | %.1f ms |%n",
                name, median(runs, 0), median(runs, 1), median(runs, 2), median(runs, 3));
    }

    private static double median(List<double[]> runs, int index) {
        double[] values = runs.stream().mapToDouble(r -> r[index]).sorted().toArray();
        return values[values.length / 2];
    }

    // ---------------------------------------------------------------- fan-out round

    interface Publisher {
        void publish(long seq, String frame) throws Exception;
    }

    private double[] fanout(
            String name, int subscribers, int burst, int paced, Supplier<List<WebSocket>> open, Publisher publisher)
            throws Exception {
        long rate = Long.parseLong(args.getOrDefault("rate", "20"));
        List<WebSocket> sockets = open.get();
        try {
            // burst: as fast as possible, count frames until quiet
            reset(false);
            long start = System.nanoTime();
            for (long seq = 0; seq < burst; seq++) {
                publisher.publish(seq, null);
            }
            long expected = (long) burst * subscribers;
            awaitQuiet(expected);
            double seconds = (lastFrameNanos - start) / 1e9;
            double framesPerSecond = framesReceived.get() / seconds;
            double eventsPerSecond = (double) expected / seconds;

            // paced: latency
            reset(true);
            long pacedStart = System.nanoTime();
            for (long seq = 0; seq < paced; seq++) {
                long due = pacedStart + seq * (1_000_000_000L / rate);
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                publisher.publish(seq, null);
            }
            awaitQuiet((long) paced * subscribers);
            long[] sorted = Arrays.copyOf(latencies, latencyCount.get());
            Arrays.sort(sorted);
            double p50 = sorted.length == 0 ? Double.NaN : sorted[sorted.length / 2] / 1000.0;
            double p99 = sorted.length == 0 ? Double.NaN : sorted[(int) (sorted.length * 0.99)] / 1000.0;
            System.out.printf(
                    "%s: burst %,.0f frames/s (%d frames for %d events x %d), paced p50 %.1f ms p99 %.1f ms (%d samples)%n",
                    name, framesPerSecond, framesReceived.get(), burst, subscribers, p50, p99, sorted.length);
            return new double[] {framesPerSecond, eventsPerSecond, p50, p99};
        } finally {
            closeAll(sockets);
        }
    }

    private void reset(boolean latency) {
        sentNanosBySeq.clear();
        framesReceived.set(0);
        delivered.set(0);
        latencyCount.set(0);
        recordLatency = latency;
    }

    /** Waits until {@code expected} events were covered for every client, or nothing arrived for 3 s. */
    private void awaitQuiet(long expectedDeliveries) throws InterruptedException {
        long lastCount = -1;
        long quietSince = System.nanoTime();
        while (true) {
            Thread.sleep(50);
            long count = delivered.get();
            if (count >= expectedDeliveries) {
                return;
            }
            if (count != lastCount) {
                lastCount = count;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 3_000_000_000L) {
                System.out.printf("quiet with %d of %d deliveries%n", count, expectedDeliveries);
                return;
            }
        }
    }

    /** Event deliveries: for each client, how many events its frames covered (a coalesced frame covers several). */
    private final AtomicLong delivered = new AtomicLong();
    /** Connections that failed or were not subscribed in time (the heap table says how many). */
    private final AtomicLong stragglers = new AtomicLong();

    private void onFrame(long[] lastSeq, String text) {
        long now = System.nanoTime();
        framesReceived.incrementAndGet();
        lastFrameNanos = now;
        int at = text.indexOf("task-events:");
        if (at < 0) {
            return;
        }
        int colon = text.indexOf(':', at + 12);
        int end = colon + 1;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        long seq = Long.parseLong(text, colon + 1, end, 10) - 1;
        long before = lastSeq[0];
        lastSeq[0] = seq;
        delivered.addAndGet(before < 0 ? 1 : Math.max(1, seq - before));
        Long sent = sentNanosBySeq.get(seq);
        if (sent != null && recordLatency) {
            int i = latencyCount.getAndIncrement();
            if (i < latencies.length) {
                latencies[i] = (now - sent) / 1000;
            }
        }
    }

    // ---------------------------------------------------------------- gateway side

    private long firstOffset = -1;

    private void sendEvent(UUID project, UUID owner) {
        UUID task = UUID.randomUUID();
        TaskSnapshot snapshot = new TaskSnapshot(
                task,
                project,
                owner,
                "single_image",
                "in_progress",
                0,
                1,
                1,
                3,
                50,
                "working",
                "w1",
                "image",
                null,
                null,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                Instant.now(),
                Instant.now(),
                null);
        EventEnvelope event =
                EventEnvelope.of(EventTypes.TASK_PROGRESS, "bench", task.toString(), project, owner, snapshot);
        long sent = System.nanoTime();
        producer.send(new ProducerRecord<>(Topics.TASK_EVENTS, project.toString(), event.toJson()), (meta, error) -> {
            if (meta != null) {
                sentNanosBySeq.put(meta.offset(), sent);
            }
        });
    }

    private List<WebSocket> openGateway(int n, String token, UUID project) {
        List<WebSocket> sockets = new ArrayList<>();
        delivered.set(0);
        try {
            openUntil(sockets, n, gateway, "/v1/realtime?access_token=" + token, "project:" + project);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return sockets;
    }

    // ---------------------------------------------------------------- node side

    private WebSocket nodePublisher;

    private void publishNode(long seq, String ignored) {
        String frame =
                "{\"type\":\"invalidate\",\"channel\":\"project:00000000-0000-0000-0000-000000000000\",\"keys\":[[\"tasks\",\"paginated\","
                        + "\"00000000-0000-0000-0000-000000000000\",1]],\"position\":\"generation-events:1:0,task-events:1:"
                        + (seq + 1) + "\"}";
        sentNanosBySeq.put(seq, System.nanoTime());
        nodePublisher.writeTextMessage(frame);
    }

    private List<WebSocket> openNode(int n) {
        List<WebSocket> sockets = new ArrayList<>();
        delivered.set(0);
        try {
            openUntil(sockets, n, node, "/", null);
            nodePublisher = connect(node, "/publish")
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            sockets.add(nodePublisher);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return sockets;
    }

    // ---------------------------------------------------------------- connections

    private Future<WebSocket> connect(URI base, String uri) {
        return client.connect(new WebSocketConnectOptions()
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI(uri));
    }

    /** Opens connections (200 at a time) until {@code sockets} holds {@code target}; subscribes each to the channel. */
    private void openUntil(List<WebSocket> sockets, int target, URI base, String uri, String channel) throws Exception {
        while (sockets.size() < target) {
            int batch = Math.min(200, target - sockets.size());
            CountDownLatch ready = new CountDownLatch(batch);
            List<WebSocket> opened = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger failures = new AtomicInteger();
            for (int i = 0; i < batch; i++) {
                connect(base, uri)
                        .onSuccess(ws -> {
                            long[] lastSeq = {-1};
                            opened.add(ws);
                            ws.textMessageHandler(text -> {
                                if (channel != null && text.startsWith("{\"type\":\"welcome\"")) {
                                    ws.writeTextMessage("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
                                } else if (channel != null && text.startsWith("{\"type\":\"subscribed\"")) {
                                    ready.countDown();
                                } else {
                                    onFrame(lastSeq, text);
                                }
                            });
                            if (channel == null) {
                                ready.countDown();
                            }
                        })
                        .onFailure(e -> {
                            failures.incrementAndGet();
                            ready.countDown();
                        });
            }
            boolean complete = ready.await(60, TimeUnit.SECONDS);
            if (failures.get() + ready.getCount() > batch / 10) {
                sockets.addAll(opened);
                throw new IOException(failures.get() + " connections failed, " + ready.getCount()
                        + " not subscribed within 60 s, at " + sockets.size());
            }
            if (!complete || failures.get() > 0) {
                stragglers.addAndGet(failures.get() + ready.getCount());
                System.out.printf(
                        "%d failed / %d not subscribed in a batch at %d%n",
                        failures.get(), ready.getCount(), sockets.size());
            }
            sockets.addAll(opened);
        }
    }

    private void closeAll(List<WebSocket> sockets) throws InterruptedException {
        for (WebSocket ws : sockets) {
            ws.close();
        }
        sockets.clear();
        Thread.sleep(1000);
    }

    // ---------------------------------------------------------------- gateway heap

    private long heapAfterGc() throws Exception {
        String pid = args.get("gateway-pid");
        for (int i = 0; i < 2; i++) {
            Process gc = new ProcessBuilder("jcmd", pid, "GC.run")
                    .redirectErrorStream(true)
                    .start();
            gc.getInputStream().readAllBytes();
            gc.waitFor(60, TimeUnit.SECONDS);
        }
        String metrics = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(gateway.resolve("/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        long used = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
                used += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return used;
    }
}
